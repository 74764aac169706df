//! Decoding with OpenCV's FFmpeg backend, frames delivered upright as displayed, each with a time
//! that does not depend on the container.
//!
//! Phones store portrait clips as landscape frames with a rotation tag. Debian's OpenCV 4.6 applies
//! that tag the wrong way round (OpenCV issue 22088: frames come out 180° off), so automatic
//! orientation is switched off and we rotate by the tag ourselves.
//!
//! Time. The frame rate is the stream's nominal one as its container defines it (`container`: the
//! MP4 sample duration, Matroska's DefaultDuration), OpenCV's guess only when the container says
//! nothing: a Matroska remux of an MP4 has millisecond timestamps (0, 33, 67, 100 ms…) from which
//! the rate is guessed as 30.30 fps. A frame's time is its presentation timestamp from the first
//! frame, snapped to the nominal grid (`k / fps`) when it lies within [`GRID_TOLERANCE_S`] (or a
//! quarter frame) of it, as it does for any constant-rate stream in any container; a variable-rate
//! clip keeps its own timestamps. So the same stream remuxed gives the same times to the bit, and
//! everything downstream (the tracker's smoothing, the census, the gait events) the same numbers.
//!
//! Seeking ([`VideoReader::seek_time`]) is by those times, checked on the decoded frames (OpenCV's
//! frame-number seek guesses from the rate, so it is only used to land somewhere before the
//! target), so a reader positioned at a time delivers exactly the frames, decoded identically,
//! that a reader started at the beginning delivers from that time on.
//!
//! Expected length: the container's presented frames (after an MP4 edit list — a lossless trim
//! keeps samples back to the previous keyframe that players skip — and from the first keyframe),
//! its duration × fps and OpenCV's declared count; a stream that decodes well short of the least
//! of these is refused as truncated ([`VideoReader::check_complete`]).
//!
//! Repeated frames: each frame is compared with the previous one on a small thumbnail; a frame that
//! repeats it ([`DUPLICATE_MAX_DIFF`]) is counted (a 30 fps clip exported at 240 fps repeats each
//! frame eight times), and the effective frame rate follows from the distinct ones.

use std::path::Path;

use opencv::core::{self, Mat, Size};
use opencv::imgproc;
use opencv::prelude::*;
use opencv::videoio::{self, VideoCapture};

use super::container::{self, ContainerInfo};
pub use super::info::{exact_rate, VideoInfo};
use crate::{Error, Result};

/// The largest frame read, pixels: 8K (7680×4320, either way up). The frames in flight are at most
/// `pose::pipeline::frames_in_flight` (four per running chain), so this bounds the pose stage's
/// memory (~100 MB a decoded 8K frame) whatever the file says.
pub(crate) const MAX_FRAME_PIXELS: u64 = 7680 * 4320;

/// Timestamps within this of the nominal grid (or a quarter frame, if less) are snapped to it: a
/// millisecond timebase rounds by at most 0.5 ms.
pub(crate) const GRID_TOLERANCE_S: f64 = 0.001;
/// Width of the thumbnails frames are compared on (bilinear: 0.3–0.6 ms a 720p frame, where
/// OpenCV's area averaging at a non-integer ratio took 4 ms, as long as decoding the frame).
pub(crate) const THUMB_WIDTH: i32 = 90;
/// A frame whose thumbnail differs from the previous one's by at most this (8-bit levels, largest
/// difference of any thumbnail pixel and channel) repeats it. Measured on the sample: consecutive
/// distinct frames differ by 153 levels or more (a moving limb); frames repeated by a conversion
/// to 60 or 240 fps and re-encoded by libx264 by 0–29 (coding drift).
pub(crate) const DUPLICATE_MAX_DIFF: f64 = 64.0;

/// One decoded frame, upright, 8-bit BGR.
pub struct Frame {
    /// Position in the stream (from the reader's start; the pipeline numbers frames over the whole
    /// video).
    pub index: usize,
    pub time_s: f64,
    pub image: Mat,
    pub width: u32,
    pub height: u32,
    /// It repeats the previous frame (see [`DUPLICATE_MAX_DIFF`]).
    pub duplicate: bool,
}

pub struct VideoReader {
    cap: VideoCapture,
    info: VideoInfo,
    rotate: Option<i32>,
    next_index: usize,
    last_time_s: f64,
    /// Presentation time of the first frame (seconds, OpenCV's clock), subtracted from every frame.
    t0: Option<f64>,
    /// A frame grabbed (decoded) but not yet retrieved: (its time).
    pending: Option<f64>,
    /// The previous frame's thumbnail.
    prev_thumb: Option<Mat>,
    duplicates: usize,
    /// Frames decoded ahead for [`frame_at_time`](Self::frame_at_time) by
    /// [`prefetch`](Self::prefetch): (the time asked for, the frame).
    prefetched: Vec<(f64, Mat)>,
    /// Frames are not compared with the previous one ([`skip_repeat_check`](Self::skip_repeat_check)).
    no_repeat_check: bool,
    /// Frames to keep as this reader reads on ([`keep_while_reading`](Self::keep_while_reading)).
    keep: Option<Keep>,
    /// The time of the last frame grabbed (None just after a seek).
    last_grab: Option<f64>,
}

fn check_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|_| Error::VideoMissing(path.to_path_buf()))?;
    if meta.is_dir() {
        return Err(Error::VideoUnreadable { path: path.to_path_buf(), why: "it is a folder".into() });
    }
    if meta.len() == 0 {
        return Err(Error::VideoEmpty(path.to_path_buf()));
    }
    Ok(())
}

impl VideoReader {
    pub fn open(path: &Path) -> Result<VideoReader> {
        check_file(path)?;
        let c = container::probe(path);
        Self::open_with(path, &c)
    }

    /// Another reader of the same video at its start, for decoding a part of it in parallel
    /// (the container is not read again).
    pub fn reopen(&self) -> Result<VideoReader> {
        Self::reopen_info(&self.info)
    }

    /// A reader of the video `info` describes (as [`open`](Self::open) gave it), at its start.
    pub fn reopen_info(info: &VideoInfo) -> Result<VideoReader> {
        let c = ContainerInfo {
            nominal_fps: Some(info.fps),
            frames: info.container_frames,
            duration_s: info.duration_s,
            capture_fps: info.capture_fps,
        };
        // (`fps` is already exact: `exact_rate` keeps it)
        let mut r = Self::open_with(&info.path, &c)?;
        r.info.fps = info.fps;
        r.info.time_scale = info.time_scale;
        Ok(r)
    }

    /// Slow motion: deliver (and seek by) the times of the capture, filmed at `capture_fps`, not
    /// of the playback — so the tracker's smoothing, the chains and every time downstream run in
    /// real time.
    pub fn set_capture_fps(&mut self, capture_fps: f64) {
        if capture_fps.is_finite() && capture_fps > 0.0 {
            self.info.time_scale = self.info.fps / capture_fps;
        }
    }

    fn open_with(path: &Path, c: &ContainerInfo) -> Result<VideoReader> {
        let unreadable = |why: &str| Error::VideoUnreadable { path: path.to_path_buf(), why: why.to_string() };
        let name = path.to_str().ok_or_else(|| unreadable("path is not valid UTF-8"))?;
        let mut cap = VideoCapture::from_file(name, videoio::CAP_FFMPEG).map_err(|e| unreadable(&e.message))?;
        if !cap.is_opened()? {
            return Err(unreadable("no video stream could be opened; the file is not a video or is damaged"));
        }
        cap.set(videoio::CAP_PROP_ORIENTATION_AUTO, 0.0)?;
        let rotation_deg = (cap.get(videoio::CAP_PROP_ORIENTATION_META)? as i32).rem_euclid(360);
        let rotate = match rotation_deg {
            90 => Some(core::ROTATE_90_COUNTERCLOCKWISE),
            180 => Some(core::ROTATE_180),
            270 => Some(core::ROTATE_90_CLOCKWISE),
            _ => None,
        };
        let (w, h) = (cap.get(videoio::CAP_PROP_FRAME_WIDTH)? as u32, cap.get(videoio::CAP_PROP_FRAME_HEIGHT)? as u32);
        if w == 0 || h == 0 {
            return Err(unreadable("the video stream has no frame size"));
        }
        // memory stays bounded for any file: the frames in flight are a fixed number per chain
        if w as u64 * h as u64 > MAX_FRAME_PIXELS {
            return Err(Error::VideoTooLarge { path: path.to_path_buf(), width: w, height: h });
        }
        let (width, height) = if rotate.is_some() && rotation_deg != 180 { (h, w) } else { (w, h) };
        let reported = cap.get(videoio::CAP_PROP_FPS)?;
        let reported_fps = if reported.is_finite() && reported > 0.0 { reported } else { f64::NAN };
        let fps = c
            .nominal_fps
            .filter(|f| f.is_finite() && (1.0..=2000.0).contains(f))
            .or((reported_fps > 0.0).then_some(reported_fps))
            .map(exact_rate)
            .unwrap_or(30.0);
        let count = cap.get(videoio::CAP_PROP_FRAME_COUNT)?;
        let declared_frames = (count.is_finite() && count >= 1.0).then_some(count.round() as usize);
        let info = VideoInfo {
            path: path.to_path_buf(),
            width,
            height,
            fps,
            reported_fps,
            declared_frames,
            container_frames: c.frames,
            duration_s: c.duration_s,
            rotation_deg,
            duplicate_frames: 0,
            effective_fps: fps,
            capture_fps: c.capture_fps,
            time_scale: 1.0,
        };
        let mut r = VideoReader {
            cap,
            info,
            rotate,
            next_index: 0,
            last_time_s: f64::NEG_INFINITY,
            t0: None,
            pending: None,
            prev_thumb: None,
            duplicates: 0,
            prefetched: Vec::new(),
            no_repeat_check: false,
            keep: None,
            last_grab: None,
        };
        // the first frame's timestamp is the origin of every time (grabbed now, delivered first)
        if let Some(pts) = r.grab()? {
            r.t0 = Some(pts);
            r.pending = Some(0.0);
            r.last_grab = pts.is_finite().then_some(0.0);
        }
        Ok(r)
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    /// Decodes the next frame without converting it: its raw presentation time (seconds, OpenCV's
    /// clock; NaN when the backend has none), `None` at the end.
    fn grab(&mut self) -> Result<Option<f64>> {
        if !self.cap.grab()? {
            return Ok(None);
        }
        let ms = self.cap.get(videoio::CAP_PROP_POS_MSEC)?;
        Ok(Some(if ms.is_finite() && ms >= 0.0 { ms / 1000.0 } else { f64::NAN }))
    }

    /// A raw timestamp as the frame's time: from the first frame, on the nominal grid where it is
    /// within the tolerance of it.
    fn snap(&self, pts: f64) -> f64 {
        let (Some(t0), true) = (self.t0, pts.is_finite()) else { return f64::NAN };
        let rel = pts - t0;
        let k = (rel * self.info.fps).round();
        let on_grid = k / self.info.fps;
        if (rel - on_grid).abs() <= GRID_TOLERANCE_S.min(0.25 / self.info.fps) {
            on_grid
        } else {
            rel
        }
    }

    /// Grabs the next frame: its time. A time that does not come after the previous frame's
    /// (OpenCV gives the frames the decoder holds back until the end of the stream — the last two
    /// of the sample — a timestamp of 0 when it was sought into) is the previous one's plus a
    /// frame, as [`next_frame`](Self::next_frame) delivers it: so that a seek or a pass that
    /// compares times finds the stream's last frames too.
    fn grab_timed(&mut self) -> Result<Option<f64>> {
        if let Some(t) = self.pending.take() {
            return Ok(Some(t));
        }
        let Some(raw) = self.grab()? else { return Ok(None) };
        let mut t = self.snap(raw);
        if let Some(last) = self.last_grab.filter(|_| t.is_finite()) {
            if t <= last {
                t = last + 1.0 / self.info.fps;
            }
        }
        if t.is_finite() {
            self.last_grab = Some(t);
        }
        Ok(Some(t))
    }

    fn retrieve(&mut self) -> Result<Option<Mat>> {
        let mut raw = Mat::default();
        if !self.cap.retrieve(&mut raw, 0)? || raw.empty() {
            return Ok(None);
        }
        Ok(Some(match self.rotate {
            Some(code) => {
                let mut out = Mat::default();
                core::rotate(&raw, &mut out, code)?;
                out
            }
            None => raw,
        }))
    }

    /// Is `image` a repeat of the previous frame? Keeps its thumbnail for the next one.
    fn repeats_previous(&mut self, image: &Mat) -> Result<bool> {
        let size = image.size()?;
        let tw = THUMB_WIDTH.min(size.width).max(1);
        let th = ((size.height as i64 * tw as i64 / size.width.max(1) as i64) as i32).max(1);
        let mut thumb = Mat::default();
        imgproc::resize(image, &mut thumb, Size::new(tw, th), 0.0, 0.0, imgproc::INTER_LINEAR)?;
        let dup = match &self.prev_thumb {
            Some(p) => core::norm2(&thumb, p, core::NORM_INF, &core::no_array())? <= DUPLICATE_MAX_DIFF,
            None => false,
        };
        self.prev_thumb = Some(thumb);
        Ok(dup)
    }

    /// Frames from now on are not compared with the previous one (each `Frame::duplicate` false,
    /// and no thumbnail made): for a pass that only reads pixels, the pose stage having counted
    /// the repeats.
    pub fn skip_repeat_check(&mut self) {
        self.no_repeat_check = true;
    }

    /// The next frame, `None` at the end of the stream (or where decoding stops on damage).
    pub fn next_frame(&mut self) -> Result<Option<Frame>> {
        let Some(t) = self.grab_timed()? else { return Ok(None) };
        let Some(image) = self.retrieve()? else { return Ok(None) };
        if let Some(k) = self.keep.as_mut() {
            k.take(t, &image)?;
        }
        let duplicate = !self.no_repeat_check && self.repeats_previous(&image)?;
        self.duplicates += duplicate as usize;
        let size = image.size()?;
        let index = self.next_index;
        // a backend without timestamps, or one going backwards: the next slot on the grid
        let mut time_s = if t.is_finite() { t } else { index as f64 / self.info.fps };
        if time_s <= self.last_time_s {
            time_s = self.last_time_s + 1.0 / self.info.fps;
        }
        self.last_time_s = time_s;
        self.next_index += 1;
        let time_s = time_s * self.info.time_scale;
        Ok(Some(Frame { index, time_s, image, width: size.width as u32, height: size.height as u32, duplicate }))
    }

    /// Whether this reader's frames have timestamps (a reader without them cannot seek by time).
    pub fn has_timestamps(&self) -> bool {
        self.t0.is_some_and(f64::is_finite)
    }

    /// Frames delivered so far.
    pub fn decoded(&self) -> usize {
        self.next_index
    }

    /// Frames delivered so far that repeat the previous one.
    pub fn duplicates(&self) -> usize {
        self.duplicates
    }

    /// After the last frame of the whole video (`decoded` frames over every part read): refuses a
    /// stream that stopped well short of what its container holds (a truncated or damaged file),
    /// or that held no frame at all.
    pub fn check_complete(info: &VideoInfo, decoded: usize) -> Result<()> {
        if decoded == 0 {
            return Err(Error::VideoUnreadable { path: info.path.clone(), why: "no frame could be decoded".into() });
        }
        if let Some(expected) = info.expected_frames() {
            // duration x fps and counts are estimates to a frame or two; allow 5 % + 2 frames
            if (decoded as f64) < expected as f64 * 0.95 - 2.0 {
                return Err(Error::VideoTruncated { path: info.path.clone(), decoded, expected });
            }
        }
        Ok(())
    }
}

mod seek;
pub use seek::Keep;
#[cfg(test)]
mod tests;
