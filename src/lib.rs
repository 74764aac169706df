//! overstride: treadmill running gait analysis from video.
//!
//! The pipeline is a chain of stages with plain data between them:
//! `video` (frames) → `pose` (BlazePose landmarks per frame) → `landmarks_io` (landmarks.csv) →
//! `gait` (the analysis) → `report` (one exporter per file, written through one sink into the
//! `output` folder). Each stage is a module; `run` wires them (the entry point the binary, the
//! tests, the benchmark and batch mode call), and the binary (`main.rs`) only turns flags into a
//! `run::Job`. See docs/architecture.md.
// `!(a > b)` on floats is deliberate here: it is true when either side is NaN, so a NaN bound or
// window is rejected rather than let through.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod assessment;
pub mod batch;
pub mod compare;
pub mod error;
pub mod gait;
pub mod interrupt;
pub mod landmarks_io;
pub mod output;
pub mod pose;
pub mod report;
pub mod run;
pub mod video;

pub use error::{Error, Result};
