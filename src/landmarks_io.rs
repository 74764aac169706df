//! landmarks.csv: the pose stage's output and a later analysis's input.
//!
//! Header `frame,time_s,landmark,x,y,z,visibility,presence`; one row per frame and BlazePose landmark
//! (0–32); x, y (and z) in pixels of the upright displayed frame. A frame without a pose has its 33
//! rows with empty x…presence fields.

use std::io::{BufRead, Write};
use std::path::Path;

use crate::output::AtomicFile;
use crate::pose::{FramePose, Landmark, Pose, NUM_LANDMARKS};
use crate::{Error, Result};

pub const HEADER: &str = "frame,time_s,landmark,x,y,z,visibility,presence";

/// Streams rows to a landmarks.csv that appears only when [`LandmarksWriter::finish`] succeeds.
pub struct LandmarksWriter {
    file: AtomicFile,
}

impl LandmarksWriter {
    pub fn create(dest: &Path) -> Result<LandmarksWriter> {
        let mut file = AtomicFile::create(dest)?;
        writeln!(file.writer(), "{HEADER}").map_err(|e| Error::Output { path: dest.to_path_buf(), why: e.to_string() })?;
        Ok(LandmarksWriter { file })
    }

    pub fn write(&mut self, fp: &FramePose) -> Result<()> {
        let w = self.file.writer();
        let r = (|| -> std::io::Result<()> {
            for i in 0..NUM_LANDMARKS {
                match &fp.pose {
                    Some(p) => {
                        let l = &p.landmarks[i];
                        writeln!(w, "{},{:.6},{},{:.3},{:.3},{:.3},{:.4},{:.4}", fp.frame, fp.time_s, i, l.x, l.y, l.z, l.visibility, l.presence)?
                    }
                    None => writeln!(w, "{},{:.6},{},,,,,", fp.frame, fp.time_s, i)?,
                }
            }
            Ok(())
        })();
        r.map_err(|e| Error::Output { path: "landmarks.csv".into(), why: e.to_string() })
    }

    pub fn finish(self) -> Result<std::path::PathBuf> {
        self.file.commit()
    }
}

/// Reads a landmarks.csv back into frames (sorted by frame; a frame with any empty landmark row has
/// no pose). Errors name the line and what is wrong with it.
pub fn read(path: &Path) -> Result<Vec<FramePose>> {
    let file = std::fs::File::open(path).map_err(|e| Error::LandmarksFile { path: path.to_path_buf(), why: e.to_string() })?;
    parse(std::io::BufReader::new(file)).map_err(|why| Error::LandmarksFile { path: path.to_path_buf(), why })
}

/// Parses landmarks CSV text; the error is a message naming the line.
pub fn parse<R: BufRead>(input: R) -> std::result::Result<Vec<FramePose>, String> {
    let mut lines = input.lines();
    let header = lines.next().ok_or("file is empty")?.map_err(|e| e.to_string())?;
    if header.trim().trim_start_matches('\u{feff}') != HEADER {
        return Err(format!("line 1: expected the header `{HEADER}`"));
    }
    let mut frames: std::collections::BTreeMap<usize, (f64, [Option<Landmark>; NUM_LANDMARKS], f32)> = Default::default();
    for (n, line) in lines.enumerate() {
        let lineno = n + 2;
        let line = line.map_err(|e| format!("line {lineno}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 8 {
            return Err(format!("line {lineno}: expected 8 fields, found {}", f.len()));
        }
        let frame: usize = f[0].trim().parse().map_err(|_| format!("line {lineno}: frame `{}` is not a whole number", f[0]))?;
        let time_s: f64 = f[1].trim().parse().map_err(|_| format!("line {lineno}: time_s `{}` is not a number", f[1]))?;
        if !time_s.is_finite() {
            return Err(format!("line {lineno}: time_s is not finite"));
        }
        let lm: usize = f[2].trim().parse().map_err(|_| format!("line {lineno}: landmark `{}` is not a whole number", f[2]))?;
        if lm >= NUM_LANDMARKS {
            return Err(format!("line {lineno}: landmark {lm} is outside 0–32"));
        }
        let entry = frames.entry(frame).or_insert((time_s, [None; NUM_LANDMARKS], 0.0));
        if f[3..].iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let mut v = [0f32; 5];
        for (k, s) in f[3..].iter().enumerate() {
            v[k] = s.trim().parse().map_err(|_| format!("line {lineno}: value `{s}` is not a number"))?;
        }
        entry.1[lm] = Some(Landmark { x: v[0], y: v[1], z: v[2], visibility: v[3], presence: v[4] });
    }
    Ok(frames
        .into_iter()
        .map(|(frame, (time_s, lms, score))| {
            let pose = if lms.iter().all(Option::is_some) {
                Some(Pose { landmarks: lms.map(|l| l.unwrap_or_default()), score })
            } else {
                None
            };
            FramePose { frame, time_s, pose }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_round_trip() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("landmarks.csv");
        let mut lms = [Landmark::default(); NUM_LANDMARKS];
        for (i, l) in lms.iter_mut().enumerate() {
            *l = Landmark { x: i as f32 + 0.5, y: 2.0 * i as f32, z: -1.0, visibility: 0.9, presence: 0.8 };
        }
        let frames = vec![
            FramePose { frame: 0, time_s: 0.0, pose: Some(Pose { landmarks: lms, score: 0.0 }) },
            FramePose { frame: 1, time_s: 1.0 / 30.0, pose: None },
        ];
        let mut w = LandmarksWriter::create(&p).unwrap();
        for f in &frames {
            w.write(f).unwrap();
        }
        w.finish().unwrap();
        let back = read(&p).unwrap();
        assert_eq!(back.len(), 2);
        assert!(back[1].pose.is_none());
        let l = back[0].pose.as_ref().unwrap().landmarks[7];
        assert!((l.x - 7.5).abs() < 1e-3 && (l.y - 14.0).abs() < 1e-3 && (l.visibility - 0.9).abs() < 1e-4);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = parse(format!("{HEADER}\n0,0.0,40,1,2,3,0.5,0.5\n").as_bytes()).unwrap_err();
        assert!(e.contains("line 2") && e.contains("outside"), "{e}");
        let e = parse(format!("{HEADER}\n0,0.0,1,1,x,3,0.5,0.5\n").as_bytes()).unwrap_err();
        assert!(e.contains("line 2") && e.contains("not a number"), "{e}");
        assert!(parse("a,b\n".as_bytes()).unwrap_err().contains("header"));
    }
}
