//! One way to write every output. Each format is an [`Exporter`]: its file name and its bytes, made
//! from one value (a run's [`Report`], a batch's index). A [`Sink`] writes what they make into the
//! run's staging folder — atomically, never through a link (see `output`) — and keeps the notes the
//! console adds to its "wrote …" lines ([`wrote_lines`]). As hyperfine's `export/` and ripgrep's
//! printers: the analysis never knows how it is written.

use std::path::{Path, PathBuf};

use crate::gait::retraining::Retraining;
use crate::gait::Analysis;
use crate::output::{self, OUTPUT_FILES};
use crate::Result;

/// One output format over one value `R`.
pub trait Exporter<R: ?Sized> {
    /// The file it writes, relative to the output folder.
    fn file(&self) -> &'static str;
    /// The file's bytes.
    fn serialize(&self, report: &R) -> Result<Vec<u8>>;
}

/// What one run's report.json, steps.csv and report.html present.
pub struct Report<'a> {
    pub analysis: &'a Analysis,
    /// The input as given (a video or a landmarks file).
    pub source: &'a Path,
    /// The runner's name, when given.
    pub runner: Option<&'a str>,
    /// The cadence retraining targets and the metronome written beside the report.
    pub retraining: Option<&'a Retraining>,
    /// PNG key frames (already encoded), each with its caption; none from a landmarks file.
    pub key_frames: Vec<(String, Vec<u8>)>,
    /// Evidence frames written beside the report: caption and relative path.
    pub evidence: Vec<(String, String)>,
}

/// A run's staging folder, written through [`output::write_atomic`] only.
pub struct Sink {
    dir: PathBuf,
    notes: Vec<(String, String)>,
}

impl Sink {
    pub fn new(dir: &Path) -> Sink {
        Sink { dir: dir.to_path_buf(), notes: Vec::new() }
    }

    /// Writes `exporter`'s file for `report`.
    pub fn export<R: ?Sized>(&mut self, exporter: &impl Exporter<R>, report: &R) -> Result<PathBuf> {
        let bytes = exporter.serialize(report)?;
        self.write(exporter.file(), &bytes)
    }

    /// Writes a whole file (`rel`: relative to the folder; its sub-folder is made).
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<PathBuf> {
        let dest = self.path(rel)?;
        output::write_atomic(&dest, bytes)
    }

    /// Where a file written as a stream goes (landmarks.csv, the annotated video; each writes
    /// atomically itself), its sub-folder made.
    pub fn path(&mut self, rel: &str) -> Result<PathBuf> {
        if let Some(parent) = Path::new(rel).parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(self.dir.join(parent)).map_err(|e| output::out_err(&self.dir, e))?;
        }
        Ok(self.dir.join(rel))
    }

    /// A word the console adds after the file's name (the annotated video's codec).
    pub fn note(&mut self, rel: &str, note: &str) {
        self.notes.push((rel.to_string(), note.to_string()));
    }

    pub fn notes(&self) -> &[(String, String)] {
        &self.notes
    }
}

/// The console's lines for the files a run swapped into `root` (`written`: relative names, as
/// `OutDir::commit` returns them): the run's own files in [`OUTPUT_FILES`] order, then the others
/// (evidence frames, the metronome) in the order given.
pub fn wrote_lines(root: &Path, written: &[String], notes: &[(String, String)]) -> Vec<String> {
    let line = |name: &str| match notes.iter().find(|(n, _)| n == name) {
        Some((_, note)) => format!("  wrote {} ({note})", root.join(name).display()),
        None => format!("  wrote {}", root.join(name).display()),
    };
    let main = OUTPUT_FILES.iter().filter(|name| written.iter().any(|w| w == *name)).map(|name| line(name));
    let others = written.iter().filter(|w| !OUTPUT_FILES.contains(&w.as_str())).map(|w| line(w));
    main.chain(others).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrote_lines_put_the_run_files_first_with_their_notes() {
        let written: Vec<String> = ["evidence/left_most.png", "metronome_181.wav", "report.json", "annotated.mp4", "landmarks.csv"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let lines = wrote_lines(Path::new("/o"), &written, &[("annotated.mp4".into(), "h264".into())]);
        assert_eq!(
            lines,
            [
                "  wrote /o/landmarks.csv",
                "  wrote /o/annotated.mp4 (h264)",
                "  wrote /o/report.json",
                "  wrote /o/evidence/left_most.png",
                "  wrote /o/metronome_181.wav"
            ]
        );
    }

    #[test]
    fn the_sink_writes_into_its_folder_and_sub_folders() {
        let d = tempfile::tempdir().unwrap();
        let mut s = Sink::new(d.path());
        s.write("evidence/x.png", b"png").unwrap();
        s.write("a.txt", b"a").unwrap();
        assert_eq!(std::fs::read(d.path().join("evidence/x.png")).unwrap(), b"png");
        assert_eq!(std::fs::read(d.path().join("a.txt")).unwrap(), b"a");
    }
}
