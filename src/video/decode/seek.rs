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
                self.last_grab = None;
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

    /// Which frames [`frame_at_time`](Self::frame_at_time) will be asked for at `times` — the
    /// earliest of them, as many as fit in `budget_bytes` — to be kept as a pass over the video
    /// decodes them ([`prefetch`](Self::prefetch), or [`keep_while_reading`](Self::keep_while_reading)
    /// on another reader's pass). Empty when the frames have no timestamps.
    pub fn plan_keep(&self, times: &[f64], budget_bytes: usize) -> Keep {
        let mut want: Vec<f64> = if self.has_timestamps() { times.iter().copied().filter(|t| t.is_finite()).collect() } else { Vec::new() };
        want.sort_by(f64::total_cmp);
        want.dedup_by(|a, b| a.to_bits() == b.to_bits());
        let frame_bytes = (self.info.width as usize * self.info.height as usize * 3).max(1);
        want.truncate(budget_bytes / frame_bytes);
        // as `seek_time` compares: in the playback's times, against the frames' own
        let half = 0.5 / self.info.time_fps();
        let targets: Vec<f64> = want.iter().map(|t| (t - half) / self.info.time_scale).collect();
        Keep { want, targets, next: 0, kept: Vec::new() }
    }

    /// Decodes, in one pass from the start, the frames [`plan_keep`](Self::plan_keep) picks, so
    /// that each is not found by a seek of its own (a seek decodes from the keyframe before the
    /// frame: up to a few hundred frames each on a clip with sparse keyframes). The same frames,
    /// decoded the same way, as the seeks give: the first frame whose time is at least the time
    /// asked for less half a frame.
    pub fn prefetch(&mut self, times: &[f64], budget_bytes: usize) -> Result<()> {
        let mut keep = self.plan_keep(times, budget_bytes);
        self.prefetched.clear();
        if keep.done() {
            return Ok(());
        }
        let mut r = self.reopen()?;
        while !keep.done() {
            crate::interrupt::check()?;
            let Some(t) = r.grab_timed()? else { break };
            if !keep.wants(t) {
                continue;
            }
            let Some(image) = r.retrieve()? else { break };
            keep.take(t, &image)?;
        }
        self.prefetched = keep.kept;
        Ok(())
    }

    /// As this reader reads on from its start ([`next_frame`](Self::next_frame)), it keeps the
    /// frames `keep` (planned by a reader of the same video) asks for; [`take_kept`](Self::take_kept)
    /// hands them over. One pass then serves both: the annotated video's, and the key frames' and
    /// evidence strips' (which [`prefetch`](Self::prefetch) would decode again).
    pub fn keep_while_reading(&mut self, keep: Keep) {
        self.keep = Some(keep);
    }

    /// The frames kept so far ([`keep_while_reading`](Self::keep_while_reading)).
    pub fn take_kept(&mut self) -> Keep {
        self.keep.take().unwrap_or_default()
    }

    /// Serves [`frame_at_time`](Self::frame_at_time) from the frames another reader's pass kept,
    /// as [`prefetch`](Self::prefetch) would have.
    pub fn use_kept(&mut self, keep: Keep) {
        self.prefetched = keep.kept;
    }
}

/// Frames to keep as a pass decodes (see [`VideoReader::plan_keep`]): the times asked for, sorted;
/// the raw time from which each is the next frame; how many are found; the frames found.
#[derive(Default)]
pub struct Keep {
    want: Vec<f64>,
    targets: Vec<f64>,
    next: usize,
    kept: Vec<(f64, Mat)>,
}

impl Keep {
    fn done(&self) -> bool {
        self.next >= self.want.len()
    }

    /// Whether the frame at raw time `t` is one asked for (NaN: never).
    fn wants(&self, t: f64) -> bool {
        !self.done() && t >= self.targets[self.next]
    }

    /// Keeps the frame at raw time `t` for every time asked for that it is the frame of.
    pub(super) fn take(&mut self, t: f64, image: &Mat) -> Result<()> {
        while self.wants(t) {
            self.kept.push((self.want[self.next], image.try_clone()?));
            self.next += 1;
        }
        Ok(())
    }
}
