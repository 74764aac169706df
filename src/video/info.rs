//! What a video is, as far as it can be said before and while decoding it: its displayed size,
//! rates (nominal, reported, effective, capture), frame counts, rotation and time scale.

use std::path::PathBuf;

#[cfg(doc)]
use super::VideoReader;

#[derive(Debug, Clone, serde::Serialize)]
pub struct VideoInfo {
    pub path: PathBuf,
    /// Displayed (upright) size.
    pub width: u32,
    pub height: u32,
    /// Nominal frame rate of the stream (the container's; OpenCV's guess when it has none).
    pub fps: f64,
    /// The frame rate OpenCV reports (may be a guess from rounded timestamps).
    pub reported_fps: f64,
    /// Frame count OpenCV reports for the container, if any (for MP4: every sample, including
    /// those an edit list skips).
    pub declared_frames: Option<usize>,
    /// Frames the container presents (after its edit list, from the first keyframe), if known.
    pub container_frames: Option<usize>,
    /// The video stream's presented duration, seconds, if known.
    pub duration_s: Option<f64>,
    /// Rotation tag, degrees clockwise to display.
    pub rotation_deg: i32,
    /// Frames that repeat the previous one (known after the pose stage; 0 before).
    pub duplicate_frames: usize,
    /// Distinct frames per second: `fps` × distinct / decoded (known after the pose stage; `fps`
    /// before).
    pub effective_fps: f64,
    /// The rate the clip was filmed at, when its metadata says (`container::ContainerInfo`).
    pub capture_fps: Option<f64>,
    /// Playback seconds → the times this reader delivers (and seeks by): 1, or playback / capture
    /// for a slow-motion clip read in real time ([`VideoReader::set_capture_fps`]).
    pub time_scale: f64,
}

impl VideoInfo {
    /// The frames a complete stream decodes, as well as can be said before decoding: the least of
    /// the container's presented frames, duration × fps and the declared count.
    pub fn expected_frames(&self) -> Option<usize> {
        let by_duration = self.duration_s.filter(|d| d.is_finite() && *d > 0.0).map(|d| (d * self.fps).round() as usize);
        [self.container_frames, by_duration, self.declared_frames].into_iter().flatten().min()
    }

    /// The frame rate of the times this reader delivers: `fps`, or the capture rate for a
    /// slow-motion clip read in real time.
    pub fn time_fps(&self) -> f64 {
        self.fps / self.time_scale
    }

    /// The best estimate of the number of frames, to plan the work (not to check it).
    pub fn planned_frames(&self) -> Option<usize> {
        self.container_frames.or(self.declared_frames)
    }

    /// Records the repeated frames counted over `decoded` frames.
    pub fn set_duplicates(&mut self, duplicates: usize, decoded: usize) {
        self.duplicate_frames = duplicates;
        self.effective_fps = if decoded > 0 { self.fps * (decoded - duplicates.min(decoded)) as f64 / decoded as f64 } else { self.fps };
    }

    /// A console/report warning when many frames repeat: the timing is that of the distinct
    /// frames, not of the container's rate.
    pub fn duplicate_warning(&self) -> Option<String> {
        if self.duplicate_frames == 0 || self.effective_fps >= self.fps * 0.95 {
            return None;
        }
        let mut w = format!(
            "{} frames repeat the previous one: the video holds {:.1} distinct frames per second, not the {:.1} fps its container \
             declares, so timing is only as fine as {:.0} ms (one distinct frame)",
            self.duplicate_frames,
            self.effective_fps,
            self.fps,
            1000.0 / self.effective_fps.max(1e-9)
        );
        if self.effective_fps < self.fps * 0.8 {
            w.push_str("; it was probably converted from a lower frame rate: analyse the original recording");
        }
        Some(w)
    }
}

/// A frame rate as the exact rational it stands for, when it is within a millionth of an integer or
/// of an NTSC rate (n·1000/1001): Matroska stores the frame duration in whole nanoseconds
/// (30 fps = 33,333,333 ns, read back as 30.0000003 fps), and the grid, the chain cuts and every
/// time must be the same whichever container held the stream.
pub fn exact_rate(fps: f64) -> f64 {
    let n = fps.round();
    let ntsc = (fps * 1.001).round() * 1000.0 / 1001.0;
    [n, ntsc].into_iter().find(|&e| e > 0.0 && ((fps - e) / e).abs() < 1e-6).unwrap_or(fps)
}
