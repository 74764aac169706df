//! Seeking by the frames' own times, and decoding ahead the frames asked for by time (the key
//! frames, the evidence strips): see the module docs of [`super`].

use opencv::prelude::*;
use opencv::videoio;

use super::{Frame, VideoReader};
use crate::{Error, Result};

impl VideoReader {
    /// Positions a reader fresh from [`open`](Self::open)/[`reopen`](Self::reopen) so that the
    /// next frame is the first whose time is at least `t` (seconds from the first frame). The
    /// frame before it is decoded too, so that a repeat is recognised across the seek. False when
    /// the stream has no frame from `t` on.
    pub fn seek_time(&mut self, t: f64) -> Result<bool> {
        // (in this reader's times: back to the playback's)
        let t = t / self.info.time_scale;
        if !self.has_timestamps() {
            return Err(Error::Input("this video has no frame timestamps; it cannot be read from the middle".into()));
        }
        if t <= 0.0 {
            return Ok(self.pending.is_some());
        }
        // OpenCV seeks by frame number (guessed from its own rate) to the keyframe before it;
        // land a little before the target, then check on the decoded frames' own times
        let reported = if self.info.reported_fps > 0.0 { self.info.reported_fps } else { self.info.fps };
        let mut back = 2.0 + 0.25 * reported;
        loop {
            let target = (t * reported - back).floor();
            let from_start = target < 1.0;
            if from_start {
                *self = self.reopen()?;
            } else {
                self.cap.set(videoio::CAP_PROP_POS_FRAMES, target)?;
                self.pending = None;
            }
            let Some(first) = self.grab_timed()? else {
                if from_start {
                    return Ok(false);
                }
                back *= 4.0;
                continue;
            };
            if !from_start && !(first < t) {
                back *= 4.0; // landed at or past the target: frames before it may be skipped
                continue;
            }
            // decode (without converting) up to the target; convert only the frame before it
            let mut prev = first;
            loop {
                crate::interrupt::check()?;
                let Some(next) = self.grab_timed()? else { return Ok(false) };
                if next >= t {
                    self.pending = Some(next); // delivered by the next `next_frame`
                    self.last_time_s = prev;
                    return Ok(true);
                }
                prev = next;
                if next + 1.5 / self.info.fps >= t {
                    // the frame before the target: its thumbnail, for the first repeat check
                    if let Some(img) = self.retrieve()? {
                        self.repeats_previous(&img)?;
                    }
                }
            }
        }
    }

    /// The first frame whose time is at least `time_s` less half a frame (for key frames). From the
    /// frames [`prefetch`](Self::prefetch) decoded when `time_s` was among them; else a reader of
    /// its own seeks to it (this reader's position does not change).
    pub fn frame_at_time(&mut self, time_s: f64) -> Result<Option<Frame>> {
        if let Some((_, image)) = self.prefetched.iter().find(|(t, _)| t.to_bits() == time_s.to_bits()) {
            let image = image.try_clone()?;
            let size = image.size()?;
            return Ok(Some(Frame { index: 0, time_s, image, width: size.width as u32, height: size.height as u32, duplicate: false }));
        }
        let mut r = self.reopen()?;
        if !r.seek_time(time_s - 0.5 / self.info.time_fps())? {
            return Ok(None);
        }
        r.next_frame()
    }

    /// Decodes, in one pass from the start, the frames [`frame_at_time`](Self::frame_at_time) will
    /// be asked for at `times` — the earliest of them, as many as fit in `budget_bytes` — so that
    /// each is not found by a seek of its own (a seek decodes from the keyframe before the frame:
    /// up to a few hundred frames each on a clip with sparse keyframes). The same frames, decoded
    /// the same way, as the seeks give: the first frame whose time is at least the time asked for
    /// less half a frame.
    pub fn prefetch(&mut self, times: &[f64], budget_bytes: usize) -> Result<()> {
        self.prefetched.clear();
        if !self.has_timestamps() {
            return Ok(());
        }
        let mut want: Vec<f64> = times.iter().copied().filter(|t| t.is_finite()).collect();
        want.sort_by(f64::total_cmp);
        want.dedup_by(|a, b| a.to_bits() == b.to_bits());
        let frame_bytes = (self.info.width as usize * self.info.height as usize * 3).max(1);
        want.truncate(budget_bytes / frame_bytes);
        if want.is_empty() {
            return Ok(());
        }
        // as `seek_time` compares: in the playback's times, against the frames' own
        let half = 0.5 / self.info.time_fps();
        let targets: Vec<f64> = want.iter().map(|t| (t - half) / self.info.time_scale).collect();
        let mut r = self.reopen()?;
        let mut next = 0;
        while next < want.len() {
            crate::interrupt::check()?;
            let Some(t) = r.grab_timed()? else { break };
            if !(t >= targets[next]) {
                continue;
            }
            let Some(image) = r.retrieve()? else { break };
            while next < want.len() && t >= targets[next] {
                self.prefetched.push((want[next], image.try_clone()?));
                next += 1;
            }
        }
        Ok(())
    }
}
