//! Decoding with OpenCV's FFmpeg backend, frames delivered upright as displayed.
//!
//! Phones store portrait clips as landscape frames with a rotation tag. Debian's OpenCV 4.6 applies
//! that tag the wrong way round (OpenCV issue 22088: frames come out 180° off), so automatic
//! orientation is switched off and we rotate by the tag ourselves. Timestamps come from the
//! container per frame (variable frame rate safe); the frame count is taken as a hint only.

use std::path::{Path, PathBuf};

use opencv::core::{self, Mat};
use opencv::prelude::*;
use opencv::videoio::{self, VideoCapture};

use crate::{Error, Result};

/// One decoded frame, upright, 8-bit BGR.
pub struct Frame {
    pub index: usize,
    pub time_s: f64,
    pub image: Mat,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct VideoInfo {
    pub path: PathBuf,
    /// Displayed (upright) size.
    pub width: u32,
    pub height: u32,
    /// Nominal frame rate from the container.
    pub fps: f64,
    /// Frame count the container declares, if any.
    pub declared_frames: Option<usize>,
    /// Rotation tag, degrees clockwise to display.
    pub rotation_deg: i32,
}

pub struct VideoReader {
    cap: VideoCapture,
    info: VideoInfo,
    rotate: Option<i32>,
    next_index: usize,
    last_time_s: f64,
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
        let (width, height) = if rotate.is_some() && rotation_deg != 180 { (h, w) } else { (w, h) };
        let fps = cap.get(videoio::CAP_PROP_FPS)?;
        let count = cap.get(videoio::CAP_PROP_FRAME_COUNT)?;
        let declared_frames = (count.is_finite() && count >= 1.0).then_some(count.round() as usize);
        let info = VideoInfo {
            path: path.to_path_buf(),
            width,
            height,
            fps: if fps.is_finite() && fps > 0.0 { fps } else { 30.0 },
            declared_frames,
            rotation_deg,
        };
        Ok(VideoReader { cap, info, rotate, next_index: 0, last_time_s: f64::NEG_INFINITY })
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    /// The next frame, `None` at the end of the stream (or where decoding stops on damage).
    pub fn next_frame(&mut self) -> Result<Option<Frame>> {
        let mut raw = Mat::default();
        if !self.cap.read(&mut raw)? || raw.empty() {
            return Ok(None);
        }
        let image = match self.rotate {
            Some(code) => {
                let mut out = Mat::default();
                core::rotate(&raw, &mut out, code)?;
                out
            }
            None => raw,
        };
        let size = image.size()?;
        let index = self.next_index;
        // Container timestamp of this frame; fall back to index/fps where the backend has none.
        let pos_ms = self.cap.get(videoio::CAP_PROP_POS_MSEC)?;
        let mut time_s = if pos_ms.is_finite() && pos_ms >= 0.0 { pos_ms / 1000.0 } else { index as f64 / self.info.fps };
        if time_s <= self.last_time_s {
            time_s = self.last_time_s + 1.0 / self.info.fps;
        }
        self.last_time_s = time_s;
        self.next_index += 1;
        Ok(Some(Frame { index, time_s, image, width: size.width as u32, height: size.height as u32 }))
    }

    /// The frame with this index, upright (seeks; for key frames, not for streaming).
    pub fn frame_at(&mut self, index: usize) -> Result<Option<Frame>> {
        self.cap.set(videoio::CAP_PROP_POS_FRAMES, index as f64)?;
        self.next_index = index;
        self.last_time_s = f64::NEG_INFINITY;
        self.next_frame()
    }

    /// Frames decoded so far.
    pub fn decoded(&self) -> usize {
        self.next_index
    }

    /// After the last frame: refuses a stream that stopped well short of what its container
    /// declares (a truncated or damaged file), or that held no frame at all.
    pub fn check_complete(&self) -> Result<()> {
        let decoded = self.next_index;
        if decoded == 0 {
            return Err(Error::VideoUnreadable { path: self.info.path.clone(), why: "no frame could be decoded".into() });
        }
        if let Some(declared) = self.info.declared_frames {
            // Containers estimate counts from duration x fps; allow 5 % + 2 frames of slack.
            if (decoded as f64) < declared as f64 * 0.95 - 2.0 {
                return Err(Error::VideoTruncated { path: self.info.path.clone(), decoded, declared });
            }
        }
        Ok(())
    }
}
