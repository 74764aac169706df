//! Encoding the annotated video. With the platform's `ffmpeg` (libx264): raw frames (planar YUV
//! 4:2:0, converted in the writer thread; BGR for a frame with an odd side) are piped to it from a
//! writer thread through a bounded channel, so encoding overlaps decoding and drawing, at
//! x264's `superfast` preset — OpenCV's VideoWriter offers no preset and encodes at x264's default
//! (`medium`), which took more CPU per frame than the pose model. Without such an `ffmpeg`:
//! OpenCV's VideoWriter, H.264 when it can write it, MPEG-4 Part 2 when not.
//!
//! Either way the file is created by this process, new (`O_EXCL|O_NOFOLLOW`), beside `dest` (in the
//! run's staging folder) and renamed onto `dest` only when complete. `ffmpeg` never opens a path in
//! the output folder: it writes to the file this process created, passed as its standard output.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use opencv::core::{Mat, Size};
use opencv::prelude::*;
use opencv::videoio::{VideoWriter, VideoWriterTrait};

use crate::{Error, Result};

/// x264 preset: `superfast` keeps CABAC and the deblocking filter (unlike `ultrafast`, whose files
/// are ~1.7× larger and blockier at the same quality), at about a third of `medium`'s CPU. No
/// `-tune`: none makes x264 faster without a cost (`zerolatency` drops the frame threads and
/// look-ahead, `fastdecode` CABAC).
pub(crate) const X264_PRESET: &str = "superfast";
/// x264's default constant-rate factor: overlays (1–2 px lines, text) stay sharp.
const X264_CRF: &str = "23";
/// Frames queued between drawing and the encoder: enough to absorb the encoder's bursts, few
/// enough that memory stays a few frames.
const QUEUE_FRAMES: usize = 3;
/// The `ffmpeg` binary: `OVERSTRIDE_FFMPEG` when set (`none` turns it off), else `ffmpeg` on PATH.
const FFMPEG_ENV: &str = "OVERSTRIDE_FFMPEG";

fn out_err(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::Output { path: path.to_path_buf(), why: why.to_string() }
}

/// The ffmpeg binary to use, if one with libx264 is there.
fn ffmpeg_with_x264() -> Option<String> {
    let bin = std::env::var(FFMPEG_ENV).unwrap_or_else(|_| "ffmpeg".into());
    if bin.is_empty() || bin == "none" {
        return None;
    }
    let out = Command::new(&bin).args(["-hide_banner", "-encoders"]).stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    let list = String::from_utf8_lossy(&out.stdout);
    (out.status.success() && list.lines().any(|l| l.split_whitespace().nth(1) == Some("libx264"))).then_some(bin)
}

struct Piped {
    child: Child,
    tx: Option<SyncSender<Mat>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

enum Sink {
    Ffmpeg(Piped),
    OpenCv(VideoWriter),
}

pub(crate) struct VideoSink {
    sink: Sink,
    tmp: PathBuf,
    dest: PathBuf,
    done: bool,
    /// What was written: `h264` or `mpeg4`.
    pub codec: &'static str,
}

/// Writes the queued BGR frames to ffmpeg's input: as planar YUV 4:2:0 (`yuv`: the frame's sides
/// are even), converted here by OpenCV (BT.601, the limited range, as ffmpeg's own conversion) —
/// half the bytes through the pipe, and OpenCV's conversion costs a fraction of ffmpeg's `bgr24`
/// input path (the sample's raw frames piped into the same ffmpeg command, three runs each:
/// 3.5–3.8 CPU s from `yuv420p`, 4.9–5.1 from `bgr24`) — else as they are.
fn write_frames(rx: Receiver<Mat>, mut stdin: ChildStdin, yuv: bool) -> std::io::Result<()> {
    let mut planar = Mat::default();
    for img in rx {
        let frame = if yuv {
            opencv::imgproc::cvt_color(&img, &mut planar, opencv::imgproc::COLOR_BGR2YUV_I420, 0).map_err(std::io::Error::other)?;
            &planar
        } else {
            &img
        };
        stdin.write_all(frame.data_bytes().map_err(std::io::Error::other)?)?;
    }
    stdin.flush()
}

impl VideoSink {
    /// Opens `dest` for writing (as a temporary file beside it) for BGR frames of `width`×`height`.
    pub fn create(dest: &Path, fps: f64, width: u32, height: u32) -> Result<VideoSink> {
        let stem = dest.file_stem().and_then(|s| s.to_str()).unwrap_or("annotated");
        let tmp = dest.with_file_name(format!(".{stem}.partial.mp4"));
        if let Some(bin) = ffmpeg_with_x264() {
            let file = crate::output::create_new(&tmp).map_err(|e| out_err(dest, e))?;
            let size = format!("{width}x{height}");
            let rate = format!("{fps}");
            // 4:2:0 needs even sides
            let yuv = width.is_multiple_of(2) && height.is_multiple_of(2);
            let input = if yuv { "yuv420p" } else { "bgr24" };
            let spawned = Command::new(&bin)
                .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-f", "rawvideo", "-pix_fmt", input, "-s", &size])
                .args(["-framerate", &rate, "-i", "pipe:0", "-an"])
                // x264 writes 4:2:0 only with even sides: an odd one gets a black line added
                .args(if yuv { &[][..] } else { &["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"][..] })
                .args(["-c:v", "libx264", "-preset", X264_PRESET, "-crf", X264_CRF])
                // the file this process created, by its descriptor: a regular file, so seekable
                .args(["-pix_fmt", "yuv420p", "-f", "mp4", "-y", "/proc/self/fd/1"])
                .stdin(Stdio::piped())
                .stdout(Stdio::from(file))
                .stderr(Stdio::piped())
                .spawn();
            match spawned {
                Ok(mut child) => {
                    let stdin = child.stdin.take().ok_or_else(|| out_err(dest, "ffmpeg has no input pipe"))?;
                    let (tx, rx) = sync_channel(QUEUE_FRAMES);
                    let thread = std::thread::Builder::new()
                        .name("encode".into())
                        .spawn(move || write_frames(rx, stdin, yuv))
                        .map_err(|e| out_err(dest, e))?;
                    let sink = Sink::Ffmpeg(Piped { child, tx: Some(tx), thread: Some(thread) });
                    return Ok(VideoSink { sink, tmp, dest: dest.to_path_buf(), done: false, codec: "h264" });
                }
                Err(_) => {
                    let _ = std::fs::remove_file(&tmp);
                }
            }
        }
        let size = Size::new(width as i32, height as i32);
        let name = tmp.to_str().ok_or_else(|| out_err(&tmp, "path is not UTF-8"))?;
        for (codec, cc) in [("h264", ['a', 'v', 'c', '1']), ("mpeg4", ['m', 'p', '4', 'v'])] {
            let fourcc = VideoWriter::fourcc(cc[0], cc[1], cc[2], cc[3])?;
            if let Ok(w) = VideoWriter::new(name, fourcc, fps, size, true) {
                if w.is_opened().unwrap_or(false) {
                    return Ok(VideoSink { sink: Sink::OpenCv(w), tmp, dest: dest.to_path_buf(), done: false, codec });
                }
            }
        }
        Err(out_err(dest, "cannot write an MP4 video here (no ffmpeg with libx264, and OpenCV has no H.264 or MPEG-4 encoder)"))
    }

    /// Queues one BGR frame (continuous, of the size given at creation).
    pub fn write(&mut self, img: Mat) -> Result<()> {
        match &mut self.sink {
            Sink::OpenCv(w) => Ok(w.write(&img)?),
            Sink::Ffmpeg(p) => {
                let sent = p.tx.as_ref().is_some_and(|tx| tx.send(img).is_ok());
                if sent {
                    Ok(())
                } else {
                    Err(self.ffmpeg_failure())
                }
            }
        }
    }

    /// Ends the writer thread and ffmpeg; the error says what ffmpeg said.
    fn ffmpeg_failure(&mut self) -> Error {
        let Sink::Ffmpeg(p) = &mut self.sink else { return out_err(&self.dest, "not an ffmpeg writer") };
        p.tx = None;
        let pipe = p.thread.take().map(|t| t.join());
        let _ = p.child.kill();
        let _ = p.child.wait();
        let mut said = String::new();
        if let Some(mut e) = p.child.stderr.take() {
            let _ = e.read_to_string(&mut said);
        }
        let pipe = match pipe {
            Some(Ok(Err(e))) => e.to_string(),
            _ => String::new(),
        };
        out_err(&self.dest, format!("ffmpeg failed writing the video: {} {}", said.trim(), pipe))
    }

    /// Closes the file and moves it to its final name.
    pub fn finish(mut self) -> Result<PathBuf> {
        match &mut self.sink {
            Sink::OpenCv(w) => w.release()?,
            Sink::Ffmpeg(p) => {
                p.tx = None; // the writer thread drains the queue, then closes ffmpeg's input
                let piped = p.thread.take().map(|t| t.join());
                let status = p.child.wait().map_err(|e| out_err(&self.dest, e))?;
                let mut said = String::new();
                if let Some(mut e) = p.child.stderr.take() {
                    let _ = e.read_to_string(&mut said);
                }
                let ok = matches!(piped, Some(Ok(Ok(()))));
                if !ok || !status.success() {
                    return Err(out_err(&self.dest, format!("ffmpeg failed writing the video ({status}): {}", said.trim())));
                }
            }
        }
        if std::fs::symlink_metadata(&self.dest).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::Input(format!("{} is a symbolic link: overstride never writes through links", self.dest.display())));
        }
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| out_err(&self.dest, e))?;
        self.done = true;
        Ok(self.dest.clone())
    }
}

impl Drop for VideoSink {
    fn drop(&mut self) {
        if let Sink::Ffmpeg(p) = &mut self.sink {
            p.tx = None;
            let _ = p.child.kill();
            if let Some(t) = p.thread.take() {
                let _ = t.join();
            }
            let _ = p.child.wait();
        }
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame with odd sides (a cropped or edited clip) still makes an H.264 video — x264 refuses
    /// odd sides in 4:2:0, and before the pad the whole run failed on its annotated video — one
    /// black line larger, the picture kept.
    #[test]
    #[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
    fn frames_with_odd_sides_are_encoded_padded_by_a_line() {
        let dir = std::env::temp_dir().join(format!("overstride-odd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("annotated.mp4");
        let (w, h) = (719, 401);
        let mut sink = VideoSink::create(&dest, 30.0, w, h).unwrap();
        assert_eq!(sink.codec, "h264");
        for k in 0..10u8 {
            let img = Mat::new_rows_cols_with_default(
                h as i32,
                w as i32,
                opencv::core::CV_8UC3,
                opencv::core::Scalar::all(60.0 + 15.0 * k as f64),
            )
            .unwrap();
            sink.write(img).unwrap();
        }
        sink.finish().unwrap();
        let mut cap = opencv::videoio::VideoCapture::from_file(dest.to_str().unwrap(), opencv::videoio::CAP_FFMPEG).unwrap();
        let mut frame = Mat::default();
        let mut n = 0;
        while cap.read(&mut frame).unwrap() && !frame.empty() {
            assert_eq!((frame.cols(), frame.rows()), (720, 402));
            // each frame's own grey survives (through limited-range YUV and back: within 7 levels,
            // half the 15 between frames)
            let px = frame.at_2d::<opencv::core::Vec3b>(200, 300).unwrap();
            assert!(px.iter().all(|&c| (c as i32 - (60 + 15 * n)).abs() <= 7), "frame {n}: {px:?}");
            n += 1;
        }
        assert_eq!(n, 10);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
