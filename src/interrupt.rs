//! Ctrl-C, SIGTERM and SIGHUP (the `ctrlc` crate's `termination` feature): the first asks the run
//! to stop; the stages check [`requested`] between frames and
//! return [`Error::Interrupted`], so every output under way is dropped (its temporary file removed)
//! and nothing half-written is left looking complete.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::{Error, Result};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler for SIGINT, SIGTERM and SIGHUP (once per process; a second call is a no-op).
pub fn install() {
    let _ = ctrlc::set_handler(|| REQUESTED.store(true, Ordering::SeqCst));
}

pub(crate) fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// `Err(Interrupted)` once Ctrl-C was pressed (or SIGTERM/SIGHUP received).
pub fn check() -> Result<()> {
    if requested() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}
