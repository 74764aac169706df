//! The pose stage over a whole video: parallel, in bounded memory, in frame order, and with
//! results that do not depend on how many threads run it.
//!
//! Design. Tracking links frames (frame t's ROI comes from the landmarks of frame t−1, as in
//! MediaPipe's tracking mode), which would serialise the run. So the video is split into
//! [`chain_count`]`(fps)` contiguous chains — a number fixed by the frame rate (2 at 30 fps, 8 at
//! 120 fps and more), never by the core count — each tracking frame to frame from its own start
//! (the detector finds the people on its first frame, and again whenever one is lost), with its
//! own [`Tracker`]. The chains are tasks, taken in order by W workers (`--workers`), each worker
//! with its own single-threaded ONNX sessions (intra-op threads = 1, so no reduction is split
//! differently on another machine). A chain's landmarks therefore depend on its frames alone:
//! 1, 2, 3 or 64 workers give the same numbers to the bit, and so does any core count.
//!
//! Chains are cut at times on the nominal frame grid, half a frame before the frame
//! `round(k·N/C)` (N from the container), so the same frames fall in the same chain whichever
//! container holds the stream. Each chain has its own decoder: a reader of the video
//! positioned at the chain's start by [`VideoReader::seek_time`] (to the keyframe before it, then
//! decoding without converting up to it; checked on the frames' own times), which feeds the chain
//! through a small bounded channel from its own thread. So at most `W·(QUEUE_FRAMES + 2)` decoded
//! frames are alive at once ([`frames_in_flight`]), whatever the video's length; what comes back is
//! landmarks, not pixels. The caller's thread is the sink: the first chain's poses stream to it as
//! they come; a later chain's wait (landmarks only) until the chains before it are done, so `sink`
//! sees every frame in order, numbered over the whole video.
//!
//! Everyone in view is followed (see `tracker`); the runner is picked from them afterwards
//! (`runner`), over the whole video.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, sync_channel, Sender};
use std::sync::Mutex;

use rayon::prelude::*;

use super::detector::Detector;
use super::model::Models;
use super::tracker::{Sessions, Tracker};
use super::FramePeople;
use crate::video::{Frame, VideoInfo, VideoReader};
use crate::{Error, Result};

/// Most tracking chains, whatever the frame rate.
pub(crate) const MAX_CHAINS: usize = 8;
/// One chain per this many frames per second (2 at 30 fps).
pub(crate) const FPS_PER_CHAIN: f64 = 15.0;
/// A chain covers at least this long, seconds (shorter clips get fewer chains: each chain starts
/// with a detector run and a seek).
pub(crate) const MIN_CHAIN_S: f64 = 1.0;
/// Decoded frames waiting per running chain.
pub(crate) const QUEUE_FRAMES: usize = 2;

#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Worker threads (each runs one chain at a time, with single-threaded sessions).
    pub workers: usize,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions { workers: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) }
    }
}

/// How many tracking chains a video at `fps` is split into: `round(fps / 15)`, 1 to
/// [`MAX_CHAINS`]. It depends on the video only, never on the machine.
pub fn chain_count(fps: f64) -> usize {
    if !(fps.is_finite() && fps > 0.0) {
        return 1;
    }
    ((fps / FPS_PER_CHAIN).round() as usize).clamp(1, MAX_CHAINS)
}

/// The start times of the chains of a video (seconds from its first frame; the first is 0):
/// [`chain_count`] chains, fewer for a clip under [`MIN_CHAIN_S`] per chain, one when the
/// length is unknown or the frames have no timestamps. Chain k starts half a frame before frame
/// `round(k·N/C)` on the nominal grid.
pub(crate) fn chain_starts(fps: f64, frames: Option<usize>) -> Vec<f64> {
    let Some(n) = frames.filter(|&n| n > 0) else { return vec![0.0] };
    let by_length = ((n as f64 / (MIN_CHAIN_S * fps)).floor() as usize).max(1);
    let c = chain_count(fps).min(by_length);
    (0..c).map(|k| if k == 0 { 0.0 } else { (((k * n) as f64 / c as f64).round() - 0.5) / fps }).collect()
}

/// Most decoded frames alive at once with `workers` workers (queued, in work, being decoded, and
/// the previous frame's thumbnail aside): the bound the module docs state, checked by a test.
#[cfg(test)]
pub(crate) fn frames_in_flight(workers: usize) -> usize {
    workers * (QUEUE_FRAMES + 2)
}

#[derive(Debug, Clone, Default)]
pub struct PoseStats {
    pub frames: usize,
    pub frames_with_pose: usize,
    /// Frames that repeat the previous one.
    pub duplicate_frames: usize,
    /// Tracking chains the video was split into.
    pub chains: usize,
}

/// ONNX sessions for every worker, opened once and reused for every video (opening them costs a
/// few hundred milliseconds): one set of single-threaded sessions per worker.
pub struct Workers<'m> {
    models: &'m Models,
    workers: usize,
    pool: Mutex<Vec<Sessions>>,
    detector: Detector,
}

impl<'m> Workers<'m> {
    pub fn new(models: &'m Models, workers: usize) -> Result<Workers<'m>> {
        let w = Workers { models, workers: workers.max(1), pool: Mutex::new(Vec::new()), detector: Detector::new() };
        let s = w.take(w.workers)?;
        w.give_back(s);
        Ok(w)
    }

    /// `n` sets of single-threaded sessions (opened in parallel when the pool has too few: each
    /// takes a while).
    fn take(&self, n: usize) -> Result<Vec<Sessions>> {
        let mut got = {
            let mut pool = self.pool.lock().map_err(|_| Error::Input("session pool poisoned".into()))?;
            let k = pool.len().saturating_sub(n);
            pool.split_off(k)
        };
        if got.len() < n {
            let more: Vec<Sessions> = (got.len()..n).into_par_iter().map(|_| self.models.sessions(1)).collect::<Result<_>>()?;
            got.extend(more);
        }
        Ok(got)
    }

    fn give_back(&self, sessions: Vec<Sessions>) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.extend(sessions);
        }
    }
}

/// Runs the pose stage over `reader`, calling `sink` once per frame in order. Returns the video's
/// info (with its repeated frames counted) and counts; refuses a truncated stream (see
/// `VideoReader::check_complete`).
pub fn run<S>(reader: VideoReader, models: &Models, opts: &PipelineOptions, sink: S) -> Result<(VideoInfo, PoseStats)>
where
    S: FnMut(&FramePeople) -> Result<()>,
{
    let workers = Workers::new(models, opts.workers)?;
    run_with(reader, &workers, sink)
}

/// What a chain sends back.
enum Msg {
    Pose(usize, FramePeople),
    /// The chain is done: frames decoded, of which repeats.
    Done(usize, Result<(usize, usize)>),
}

/// [`run`] with sessions opened beforehand.
pub(crate) fn run_with<S>(reader: VideoReader, w: &Workers, mut sink: S) -> Result<(VideoInfo, PoseStats)>
where
    S: FnMut(&FramePeople) -> Result<()>,
{
    let mut info = reader.info().clone();
    let info0 = info.clone();
    let starts = if reader.has_timestamps() { chain_starts(info.time_fps(), info.planned_frames()) } else { vec![0.0] };
    let chains = starts.len();
    let n_workers = w.workers.min(chains);
    let sessions = w.take(n_workers)?;
    let detector = &w.detector;
    let first_reader = Mutex::new(Some(reader));
    let next_chain = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = channel::<Msg>();

    let mut sessions_back = Vec::with_capacity(n_workers);
    let result = std::thread::scope(|scope| -> Result<PoseStats> {
        let mut handles = Vec::with_capacity(n_workers);
        for mut s in sessions {
            let tx = tx.clone();
            let (starts, first_reader, next_chain, stop, info) = (&starts, &first_reader, &next_chain, &stop, &info0);
            handles.push(scope.spawn(move || {
                loop {
                    let k = next_chain.fetch_add(1, Ordering::SeqCst);
                    if k >= starts.len() || stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let end = starts.get(k + 1).copied();
                    let r = run_chain(k, starts[k], end, first_reader, info, &mut s, detector, &tx, stop);
                    let failed = r.is_err();
                    let _ = tx.send(Msg::Done(k, r));
                    if failed {
                        stop.store(true, Ordering::SeqCst);
                        break;
                    }
                }
                s
            }));
        }
        drop(tx);

        // chain k's poses are passed on once chains 0..k are done: frame order over the video
        let mut pending: Vec<VecDeque<FramePeople>> = (0..chains).map(|_| VecDeque::new()).collect();
        let mut done = vec![false; chains];
        let (mut current, mut decoded, mut duplicates) = (0usize, 0usize, 0usize);
        let mut stats = PoseStats { chains, ..PoseStats::default() };
        let mut outcome: Result<()> = Ok(());
        let mut emit = |fp: FramePeople, stats: &mut PoseStats| -> Result<()> {
            let fp = FramePeople { frame: stats.frames, ..fp };
            sink(&fp)?;
            stats.frames += 1;
            stats.frames_with_pose += !fp.people.is_empty() as usize;
            Ok(())
        };
        for msg in rx.iter() {
            if outcome.is_err() {
                continue; // draining until every worker has stopped
            }
            match msg {
                Msg::Pose(k, fp) if k == current => {
                    if let Err(e) = emit(fp, &mut stats) {
                        outcome = Err(e);
                    }
                }
                Msg::Pose(k, fp) => pending[k].push_back(fp),
                Msg::Done(k, Ok((d, dup))) => {
                    decoded += d;
                    duplicates += dup;
                    done[k] = true;
                }
                Msg::Done(_, Err(e)) => outcome = Err(e),
            }
            while outcome.is_ok() && current < chains && done[current] {
                current += 1;
                if current < chains {
                    while let Some(fp) = pending[current].pop_front() {
                        if let Err(e) = emit(fp, &mut stats) {
                            outcome = Err(e);
                            break;
                        }
                    }
                }
            }
            if outcome.is_err() {
                stop.store(true, Ordering::SeqCst);
            }
        }
        for h in handles {
            sessions_back.push(h.join().map_err(|_| Error::Input("pose worker thread panicked".into()))?);
        }
        outcome?;
        VideoReader::check_complete(&info, decoded)?;
        stats.duplicate_frames = duplicates;
        info.set_duplicates(duplicates, decoded);
        Ok(stats)
    });
    w.give_back(sessions_back);
    let stats = result?;
    Ok((info, stats))
}

/// One chain: the frames from `start` (seconds) up to `end` (the next chain's start; the video's
/// end for the last), decoded by a reader of its own on its own thread, tracked in order; each
/// frame's people sent as they come. Returns the frames decoded and how many repeat the previous.
#[allow(clippy::too_many_arguments)]
fn run_chain(
    k: usize,
    start: f64,
    end: Option<f64>,
    first_reader: &Mutex<Option<VideoReader>>,
    info: &VideoInfo,
    s: &mut Sessions,
    detector: &Detector,
    tx: &Sender<Msg>,
    stop: &AtomicBool,
) -> Result<(usize, usize)> {
    // the caller's reader, positioned at the first frame, serves the first chain
    let taken = if k == 0 { first_reader.lock().ok().and_then(|mut r| r.take()) } else { None };
    let mut reader = match taken {
        Some(r) => r,
        None => VideoReader::reopen_info(info)?,
    };
    if start > 0.0 && !reader.seek_time(start)? {
        return Ok((0, 0)); // the stream ends before this chain
    }
    std::thread::scope(|scope| -> Result<(usize, usize)> {
        let (ftx, frx) = sync_channel::<Frame>(QUEUE_FRAMES);
        let decoder = scope.spawn(move || -> Result<(usize, usize)> {
            let (mut decoded, mut duplicates) = (0, 0);
            while !stop.load(Ordering::SeqCst) {
                crate::interrupt::check()?;
                match reader.next_frame()? {
                    // the frame at `end` is the next chain's first
                    Some(f) if end.is_none_or(|e| f.time_s < e) => {
                        decoded += 1;
                        duplicates += f.duplicate as usize;
                        if ftx.send(f).is_err() {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            Ok((decoded, duplicates))
        });
        let mut tracker = Tracker::default();
        let mut failed = None;
        for f in frx {
            match tracker.step(s, detector, &f) {
                Ok(people) => {
                    if tx.send(Msg::Pose(k, FramePeople { frame: f.index, time_s: f.time_s, people })).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let counts = decoder.join().map_err(|_| Error::Input("decoder thread panicked".into()))?;
        match failed {
            Some(e) => Err(e),
            None => counts,
        }
    })
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_by_frame_rate_only() {
        assert_eq!(chain_count(30.0), 2);
        assert_eq!(chain_count(29.97), 2);
        assert_eq!(chain_count(24.0), 2);
        assert_eq!(chain_count(60.0), 4);
        assert_eq!(chain_count(120.0), 8);
        assert_eq!(chain_count(240.0), 8);
        assert_eq!(chain_count(15.0), 1);
        assert_eq!(chain_count(f64::NAN), 1);
    }

    #[test]
    fn chain_starts_half_a_frame_before_their_first_frame() {
        assert_eq!(chain_starts(30.0, Some(360)), vec![0.0, 179.5 / 30.0]);
        assert_eq!(chain_starts(30.0, None), vec![0.0]);
        // a clip under a second per chain gets fewer chains
        assert_eq!(chain_starts(60.0, Some(100)).len(), 1);
        assert_eq!(chain_starts(60.0, Some(150)).len(), 2);
        assert_eq!(chain_starts(240.0, Some(2400)).len(), 8);
    }

    #[test]
    fn frames_in_flight_do_not_depend_on_the_video() {
        assert_eq!(frames_in_flight(2), 8);
        // 4K BGR, 8 workers: 32 frames of 24.9 MB ≈ 0.8 GB at most
        assert!(frames_in_flight(8) * 3840 * 2160 * 3 < 800 << 20);
    }
}
