//! landmarks.csv: the pose stage's output and a later analysis's input.
//!
//! Header `frame,time_s,landmark,x,y,z,visibility,presence`; one row per frame and BlazePose landmark
//! (0–32); x, y (and z) in pixels of the upright displayed frame. A frame without a pose has its 33
//! rows with empty x…presence fields.
//!
//! Two more rows per frame where measured, overstride's own (not BlazePose's): landmark
//! [`LEFT_SOLE`] (33) and [`RIGHT_SOLE`] (34), the left and right shoe's lowest point measured from
//! the pixels ([`crate::pose::sole`]), x and y, with z 0 and visibility and presence 1. A file
//! without them (an older run, MediaPipe's landmarks) is read as having no sole points.
//!
//! Every number is written in full (the shortest text that reads back to the same value), so that
//! analysing the file gives exactly the numbers the video's own run gave: the event fits work to a
//! fraction of a frame, and a time rounded to the microsecond is a different input.

use std::io::{BufRead, Write};
use std::path::Path;

use crate::output::AtomicFile;
use crate::pose::{FramePose, Landmark, Pose, NUM_LANDMARKS};
use crate::{Error, Result};

pub const HEADER: &str = "frame,time_s,landmark,x,y,z,visibility,presence";
/// The landmark numbers of the two sole points (after BlazePose's 0–32).
pub(crate) const LEFT_SOLE: usize = NUM_LANDMARKS;
pub(crate) const RIGHT_SOLE: usize = NUM_LANDMARKS + 1;

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
                        writeln!(w, "{},{},{},{},{},{},{},{}", fp.frame, fp.time_s, i, l.x, l.y, l.z, l.visibility, l.presence)?
                    }
                    None => writeln!(w, "{},{},{},,,,,", fp.frame, fp.time_s, i)?,
                }
            }
            for (k, p) in fp.soles.iter().enumerate() {
                if let Some([x, y]) = p {
                    writeln!(w, "{},{},{},{},{},0,1,1", fp.frame, fp.time_s, LEFT_SOLE + k, x, y)?;
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

/// The longest line accepted (a row as overstride writes it is under 100 bytes).
pub(crate) const MAX_LINE_BYTES: usize = 4096;
/// The largest file accepted: 2 GiB (a landmarks.csv is ~2.5 kB a frame: over 800,000 frames).
pub(crate) const MAX_FILE_BYTES: u64 = 2 << 30;
/// The most frames accepted: 1,000,000 (4.6 hours at 60 fps), which bounds memory (~1.5 GB).
pub(crate) const MAX_FRAMES: usize = 1_000_000;

/// Reads a landmarks.csv back into frames (sorted by frame; a frame with any empty landmark row has
/// no pose). Errors name the line and what is wrong with it. Only a regular file is read (a device
/// such as /dev/zero or a pipe is refused at once), at most [`MAX_FILE_BYTES`].
pub fn read(path: &Path) -> Result<Vec<FramePose>> {
    use std::os::unix::fs::OpenOptionsExt;
    let err = |why: String| Error::LandmarksFile { path: path.to_path_buf(), why };
    // non-blocking open: a FIFO without a writer must not hang the command
    let file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            err("not found (check the path)".into())
        } else {
            err(format!("cannot be read ({e}): check the path and its permissions"))
        }
    })?;
    let meta = file.metadata().map_err(|e| err(e.to_string()))?;
    if !meta.is_file() {
        return Err(err("is not a regular file (a folder, device or pipe): give the landmarks.csv an overstride run wrote".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(err(format!(
            "is {:.1} GiB, larger than the 2 GiB a landmarks file may be: not a landmarks.csv overstride wrote",
            meta.len() as f64 / (1u64 << 30) as f64
        )));
    }
    parse(std::io::BufReader::new(file)).map_err(err)
}

/// Parses landmarks CSV text; the error is a message naming the line. Lines longer than
/// [`MAX_LINE_BYTES`], more than [`MAX_FILE_BYTES`] or more than [`MAX_FRAMES`] frames are refused.
pub fn parse<R: BufRead>(mut input: R) -> std::result::Result<Vec<FramePose>, String> {
    let mut buf = Vec::new();
    let mut total: u64 = 0;
    let mut lineno = 0usize;
    // the next line, bounded: Ok(None) at the end
    let mut next_line = |lineno: usize| -> std::result::Result<Option<String>, String> {
        buf.clear();
        let n = std::io::Read::take(&mut input, MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("line {lineno}: {e}"))?;
        if n == 0 {
            return Ok(None);
        }
        total += n as u64;
        if total > MAX_FILE_BYTES {
            return Err(format!("line {lineno}: the file is larger than 2 GiB: not a landmarks.csv overstride wrote"));
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
        } else if n > MAX_LINE_BYTES {
            return Err(format!("line {lineno} is longer than {MAX_LINE_BYTES} bytes: not a landmarks.csv overstride wrote"));
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        String::from_utf8(std::mem::take(&mut buf))
            .map(Some)
            .map_err(|_| format!("line {lineno} is not UTF-8 text: not a landmarks.csv overstride wrote"))
    };
    lineno += 1;
    let header = next_line(lineno)?.ok_or("file is empty")?;
    if header.trim().trim_start_matches('\u{feff}') != HEADER {
        return Err(format!("line 1: expected the header `{HEADER}`"));
    }
    type Rows = (f64, [Option<Landmark>; NUM_LANDMARKS], [Option<[f32; 2]>; 2]);
    let mut frames: std::collections::BTreeMap<usize, Rows> = Default::default();
    loop {
        lineno += 1;
        let Some(line) = next_line(lineno)? else { break };
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 8 {
            return Err(format!("line {lineno}: expected 8 fields, found {}", f.len()));
        }
        let frame: usize =
            f[0].trim().parse().map_err(|_| format!("line {lineno}: frame `{}` is not a frame number (a whole number from 0)", f[0]))?;
        let time_s: f64 = f[1].trim().parse().map_err(|_| format!("line {lineno}: time_s `{}` is not a number", f[1]))?;
        if !time_s.is_finite() {
            return Err(format!("line {lineno}: time_s is not finite"));
        }
        let lm: usize = f[2]
            .trim()
            .parse()
            .map_err(|_| format!("line {lineno}: landmark `{}` is not a landmark number (a whole number from 0)", f[2]))?;
        if lm > RIGHT_SOLE {
            return Err(format!("line {lineno}: landmark {lm} is outside 0–34 (0–32 BlazePose's, 33–34 the sole points)"));
        }
        if frames.len() >= MAX_FRAMES && !frames.contains_key(&frame) {
            return Err(format!("line {lineno}: more than {MAX_FRAMES} frames: not a landmarks.csv overstride wrote"));
        }
        let entry = frames.entry(frame).or_insert((time_s, [None; NUM_LANDMARKS], [None; 2]));
        if f[3..].iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let mut v = [0f32; 5];
        for (k, s) in f[3..].iter().enumerate() {
            v[k] = s.trim().parse().map_err(|_| format!("line {lineno}: value `{s}` is not a number"))?;
        }
        if lm >= LEFT_SOLE {
            if !(v[0].is_finite() && v[1].is_finite()) {
                return Err(format!("line {lineno}: the sole point is not finite"));
            }
            entry.2[lm - LEFT_SOLE] = Some([v[0], v[1]]);
            continue;
        }
        entry.1[lm] = Some(Landmark { x: v[0], y: v[1], z: v[2], visibility: v[3], presence: v[4] });
    }
    Ok(frames
        .into_iter()
        .map(|(frame, (time_s, lms, soles))| {
            let pose = if lms.iter().all(Option::is_some) {
                Some(Pose { landmarks: lms.map(|l| l.unwrap_or_default()), score: 0.0 })
            } else {
                None
            };
            // a sole point belongs to the runner's pose: none without it
            let soles = if pose.is_some() { soles } else { [None; 2] };
            FramePose { frame, time_s, pose, soles }
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
            // values no short decimal holds: the file must give them back exactly
            *l =
                Landmark { x: i as f32 + 1.0 / 3.0, y: 2.0 * i as f32 + 1e-4 / 7.0, z: -1.0 / 7.0, visibility: 0.987_654_3, presence: 0.8 };
        }
        let frames = vec![
            FramePose { frame: 0, time_s: 0.0, pose: Some(Pose { landmarks: lms, score: 0.0 }), soles: [Some([10.25, 20.5]), None] },
            FramePose { frame: 1, time_s: 1.0 / 30.000_3, pose: None, soles: [None; 2] },
            FramePose {
                frame: 2,
                time_s: 2.0 / 29.97,
                pose: Some(Pose { landmarks: lms, score: 0.0 }),
                soles: [None, Some([1.0 / 3.0, 2.0 / 3.0])],
            },
        ];
        let mut w = LandmarksWriter::create(&p).unwrap();
        for f in &frames {
            w.write(f).unwrap();
        }
        w.finish().unwrap();
        let back = read(&p).unwrap();
        assert_eq!(back.len(), 3);
        assert!(back[1].pose.is_none());
        // bit for bit: times, landmarks and sole points
        for (a, b) in frames.iter().zip(&back) {
            assert_eq!(a.time_s.to_bits(), b.time_s.to_bits(), "frame {}", a.frame);
            assert_eq!(a.pose.as_ref().map(|p| p.landmarks), b.pose.as_ref().map(|p| p.landmarks), "frame {}", a.frame);
            assert_eq!(a.soles, b.soles, "frame {}", a.frame);
        }
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = parse(format!("{HEADER}\n0,0.0,35,1,2,3,0.5,0.5\n").as_bytes()).unwrap_err();
        assert!(e.contains("line 2") && e.contains("outside"), "{e}");
        let e = parse(format!("{HEADER}\n0,0.0,1,1,x,3,0.5,0.5\n").as_bytes()).unwrap_err();
        assert!(e.contains("line 2") && e.contains("not a number"), "{e}");
        assert!(parse("a,b\n".as_bytes()).unwrap_err().contains("header"));
    }

    #[test]
    fn long_lines_devices_and_pipes_are_refused() {
        let long = format!("{HEADER}\n0,0.0,1,{}\n", "1".repeat(5000));
        assert_eq!(parse(long.as_bytes()).unwrap_err(), "line 2 is longer than 4096 bytes: not a landmarks.csv overstride wrote");
        // an endless line without a newline is refused after 4 KiB, not read to the end
        let endless = std::io::BufReader::new(std::io::repeat(b'0'));
        assert!(parse(endless).unwrap_err().starts_with("line 1 is longer"));
        let e = read(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(e.contains("is not a regular file"), "{e}");
    }
}
