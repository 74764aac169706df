//! Atomic outputs: everything is written under a temporary name in the destination folder and renamed
//! into place only when complete, so a failed or interrupted run never leaves a file that looks whole.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

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
        let f = File::create(&tmp).map_err(|e| Error::Output { path: dest.to_path_buf(), why: e.to_string() })?;
        Ok(AtomicFile { tmp, dest: dest.to_path_buf(), out: Some(BufWriter::new(f)) })
    }

    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.out.as_mut().expect("AtomicFile used after commit")
    }

    pub fn commit(mut self) -> Result<PathBuf> {
        let err = |e: std::io::Error| Error::Output { path: self.dest.clone(), why: e.to_string() };
        let w = self.out.take().expect("AtomicFile committed twice");
        let f = w.into_inner().map_err(|e| err(e.into_error()))?;
        f.sync_all().map_err(err)?;
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
    f.writer().write_all(bytes).map_err(|e| Error::Output { path: dest.to_path_buf(), why: e.to_string() })?;
    f.commit()
}

/// The files a run writes into its output folder.
pub const OUTPUT_FILES: &[&str] = &["landmarks.csv", "annotated.mp4", "report.html", "report.json", "steps.csv"];

/// Removes the files an earlier run left in `dir` (and any half-written temporary ones), so that
/// the folder holds only this run's results; `keep_landmarks` spares a landmarks.csv being
/// reanalysed in place.
pub fn clear_outputs(dir: &Path, keep_landmarks: bool) -> Result<()> {
    for name in OUTPUT_FILES {
        if keep_landmarks && *name == "landmarks.csv" {
            continue;
        }
        let p = dir.join(name);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| Error::Output { path: p.clone(), why: format!("cannot replace an earlier run's file: {e}") })?;
        }
    }
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with('.') && (n.ends_with(".partial") || n.ends_with(".partial.mp4")) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(())
}

/// Creates the output folder (and parents) and checks that it can be written.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    let err = |why: String| Error::Output { path: dir.to_path_buf(), why };
    std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    let probe = dir.join(".overstride-write-test");
    File::create(&probe).map_err(|e| err(format!("folder is not writable: {e}")))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_file_leaves_nothing_committed_file_appears() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.csv");
        {
            let mut f = AtomicFile::create(&p).unwrap();
            f.writer().write_all(b"half").unwrap();
        }
        assert!(!p.exists());
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
        write_atomic(&p, b"whole").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"whole");
    }
}
