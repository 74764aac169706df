//! The pose stage over a whole video: parallel, in bounded memory, in frame order.
//!
//! Design. Tracking links frames (frame t's ROI comes from the landmarks of an earlier frame), which
//! would serialise the run. Instead the decoded frames are dealt round-robin to `chains` trackers:
//! chain j tracks frames j, j+C, j+2C, … with its own [`Tracker`] and its own single-threaded
//! ONNX sessions, on its own thread, so its ROI for frame t comes from its landmarks of frame t−C
//! (MediaPipe's tracking mode uses frame t−1). Nothing joins the chains, so no worker ever waits
//! for another: there is no barrier, no warm-up work and no batch cut, and the load is balanced frame
//! by frame. The lag is bounded in time: chains are at most [`MAX_ROI_LAG_S`]·fps (at least one),
//! cores beyond that run each chain's model with more intra-op threads. On a treadmill the body
//! stays in place, and the ROI is the body's alignment box scaled 1.25, so a frame or two of lag
//! keeps the runner well inside it (measured: agreement with MediaPipe, tests/pose_agreement.rs).
//!
//! Threads: one decoder, one per chain, and the caller's thread as the sink. The decoder hands frame
//! i to chain i mod C through a small bounded channel; chain results come back through bounded
//! channels read round-robin, which restores frame order without a reorder buffer. So at most
//! `C·(QUEUE_FRAMES + 1) + 1` decoded frames are alive at once ([`frames_in_flight`]), whatever the
//! video's length.
//! A decoded frame is only needed by its chain: the sink gets landmarks, not pixels — everyone's
//! in view (see `tracker`); the runner is picked from them afterwards (`runner`), over the whole
//! video, where the chains' interleaved views of the same people are linked up again.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

use rayon::prelude::*;

use super::detector::Detector;
use super::model::Models;
use super::tracker::{Sessions, Tracker};
use super::FramePeople;
use crate::video::{Frame, VideoInfo, VideoReader};
use crate::{Error, Result};

/// Longest ROI lag allowed between a chain's consecutive frames: chains ≤ this × fps.
pub const MAX_ROI_LAG_S: f64 = 0.1;
/// Decoded frames waiting per chain.
pub const QUEUE_FRAMES: usize = 2;

#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Cores to use (chains × intra-op threads).
    pub workers: usize,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions { workers: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) }
    }
}

/// How many chains to run for `cores` at `fps`: one per core, but no more than keeps the ROI lag
/// within [`MAX_ROI_LAG_S`] (and at least one).
pub fn chain_count(cores: usize, fps: f64) -> usize {
    let by_lag = if fps.is_finite() && fps > 0.0 { (MAX_ROI_LAG_S * fps).floor() as usize } else { 1 };
    cores.max(1).min(by_lag.max(1))
}

/// Most decoded frames alive at once with `chains` chains (queued, in work, being decoded).
pub fn frames_in_flight(chains: usize) -> usize {
    chains * (QUEUE_FRAMES + 1) + 1
}

#[derive(Debug, Clone, Default)]
pub struct PoseStats {
    pub frames: usize,
    pub frames_with_pose: usize,
}

/// ONNX sessions for every core, opened once and reused for every video (opening them costs a few
/// hundred milliseconds): single-threaded sessions, one per core, for as many chains as there are
/// cores; when a video allows fewer chains, sessions with `cores / chains` intra-op threads are
/// opened for it (and kept).
pub struct Workers<'m> {
    models: &'m Models,
    cores: usize,
    pools: Mutex<Vec<(usize, Vec<Sessions>)>>,
    detector: Detector,
}

impl<'m> Workers<'m> {
    pub fn new(models: &'m Models, cores: usize) -> Result<Workers<'m>> {
        let w = Workers { models, cores: cores.max(1), pools: Mutex::new(Vec::new()), detector: Detector::new() };
        let s = w.open(w.cores, 1)?;
        w.give_back(1, s);
        Ok(w)
    }

    fn open(&self, n: usize, threads: usize) -> Result<Vec<Sessions>> {
        // open the sessions in parallel: each takes a while
        (0..n).into_par_iter().map(|_| self.models.sessions(threads)).collect()
    }

    /// `n` sets of sessions with `threads` intra-op threads each.
    fn take(&self, n: usize, threads: usize) -> Result<Vec<Sessions>> {
        let pooled = {
            let mut pools = self.pools.lock().map_err(|_| Error::Input("session pool poisoned".into()))?;
            match pools.iter().position(|(t, s)| *t == threads && s.len() >= n) {
                Some(i) => Some(pools.swap_remove(i).1),
                None => None,
            }
        };
        match pooled {
            Some(s) => Ok(s),
            None => self.open(n, threads),
        }
    }

    fn give_back(&self, threads: usize, sessions: Vec<Sessions>) {
        if let Ok(mut pools) = self.pools.lock() {
            pools.push((threads, sessions));
        }
    }
}

/// Runs the pose stage over `reader`, calling `sink` once per frame in order. Returns the video's
/// info and counts; refuses a truncated stream (see `VideoReader::check_complete`).
pub fn run<S>(reader: VideoReader, models: &Models, opts: &PipelineOptions, sink: S) -> Result<(VideoInfo, PoseStats)>
where
    S: FnMut(&FramePeople) -> Result<()>,
{
    let workers = Workers::new(models, opts.workers)?;
    run_with(reader, &workers, sink)
}

/// [`run`] with sessions opened beforehand.
pub fn run_with<S>(mut reader: VideoReader, w: &Workers, mut sink: S) -> Result<(VideoInfo, PoseStats)>
where
    S: FnMut(&FramePeople) -> Result<()>,
{
    let info = reader.info().clone();
    let chains = chain_count(w.cores, info.fps);
    let threads = (w.cores / chains).max(1);
    let mut sessions = w.take(chains, threads)?;
    let detector = &w.detector;

    let result = std::thread::scope(|scope| -> Result<PoseStats> {
        let mut frame_tx: Vec<SyncSender<Frame>> = Vec::with_capacity(chains);
        let mut pose_rx: Vec<Receiver<Result<FramePeople>>> = Vec::with_capacity(chains);
        for s in sessions.iter_mut().take(chains) {
            let (ftx, frx) = sync_channel::<Frame>(QUEUE_FRAMES);
            let (ptx, prx) = sync_channel::<Result<FramePeople>>(QUEUE_FRAMES);
            frame_tx.push(ftx);
            pose_rx.push(prx);
            scope.spawn(move || track_chain(frx, ptx, s, detector));
        }

        let decoder = scope.spawn(move || -> Result<VideoReader> {
            let mut i = 0usize;
            loop {
                crate::interrupt::check()?;
                match reader.next_frame()? {
                    Some(f) => {
                        if frame_tx[i % chains].send(f).is_err() {
                            break; // the sink stopped; its error is reported
                        }
                        i += 1;
                    }
                    None => break,
                }
            }
            Ok(reader)
        });

        // frame i comes from chain i mod C: reading the chains in turn restores frame order
        let mut stats = PoseStats::default();
        let mut outcome = Ok(());
        for i in 0.. {
            let fp = match pose_rx[i % chains].recv() {
                Ok(Ok(fp)) => fp,
                Ok(Err(e)) => {
                    outcome = Err(e);
                    break;
                }
                Err(_) => break, // that chain has no more frames: the video ended
            };
            if let Err(e) = sink(&fp) {
                outcome = Err(e);
                break;
            }
            stats.frames += 1;
            stats.frames_with_pose += !fp.people.is_empty() as usize;
        }
        drop(pose_rx); // stops the chains and, through them, the decoder
        let reader = decoder.join().map_err(|_| Error::Input("decoder thread panicked".into()))?;
        outcome?;
        reader?.check_complete()?;
        Ok(stats)
    });
    w.give_back(threads, sessions);
    Ok((info, result?))
}

/// One chain: tracks the frames it is dealt, in order, and sends each one's pose.
fn track_chain(frames: Receiver<Frame>, poses: SyncSender<Result<FramePeople>>, s: &mut Sessions, detector: &Detector) {
    let mut tracker = Tracker::default();
    for f in frames {
        let r = tracker.step(s, detector, &f).map(|people| FramePeople { frame: f.index, time_s: f.time_s, people });
        let failed = r.is_err();
        if poses.send(r).is_err() || failed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_one_per_core_within_the_lag_bound() {
        assert_eq!(chain_count(2, 30.0), 2);
        assert_eq!(chain_count(8, 30.0), 3); // 0.1 s at 30 fps
        assert_eq!(chain_count(8, 240.0), 8);
        assert_eq!(chain_count(4, 15.0), 1);
        assert_eq!(chain_count(0, 60.0), 1);
        assert_eq!(chain_count(2, f64::NAN), 1);
    }

    #[test]
    fn frames_in_flight_do_not_depend_on_the_video() {
        assert_eq!(frames_in_flight(2), 7);
        // 4K BGR, 8 chains: 25 frames of 24.9 MB ≈ 0.6 GB at most
        assert!(frames_in_flight(8) * 3840 * 2160 * 3 < 700 << 20);
    }
}
