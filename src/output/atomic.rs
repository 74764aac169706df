//! Files written atomically: a hidden `.NAME.partial` beside the destination, synced and renamed
//! over it only when complete (never through a symbolic link); dropped unfinished, it vanishes.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::{is_symlink, link_refused, out_err};
use crate::Result;

/// Creates `path` as a new file, never following a symbolic link and never reusing an existing file.
pub fn create_new(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).custom_flags(libc::O_NOFOLLOW).mode(0o644).open(path)
}

/// A file being written; becomes `dest` on [`AtomicFile::commit`], vanishes if dropped before.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(dest: &Path) -> Result<AtomicFile> {
        let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let tmp = dest.with_file_name(format!(".{name}.partial"));
        let f = create_new(&tmp).map_err(|e| out_err(dest, e))?;
        Ok(AtomicFile { tmp, dest: dest.to_path_buf(), out: Some(BufWriter::new(f)) })
    }

    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.out.as_mut().expect("AtomicFile used after commit")
    }

    pub fn commit(mut self) -> Result<PathBuf> {
        let err = |e: std::io::Error| out_err(&self.dest, e);
        let w = self.out.take().expect("AtomicFile committed twice");
        let f = w.into_inner().map_err(|e| err(e.into_error()))?;
        f.sync_all().map_err(err)?;
        if is_symlink(&self.dest) {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(link_refused(&self.dest));
        }
        std::fs::rename(&self.tmp, &self.dest).map_err(err)?;
        Ok(self.dest.clone())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes a whole file atomically.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let mut f = AtomicFile::create(dest)?;
    f.writer().write_all(bytes).map_err(|e| out_err(dest, e))?;
    f.commit()
}
