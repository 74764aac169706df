//! The pose stage over a whole video: parallel, in bounded memory, in frame order.
//!
//! Design. Tracking is a chain (frame t's ROI comes from frame t−1's landmarks), which would serialise
//! the run. Instead the decoded stream is cut into batches of consecutive frames held in memory, each
//! batch into `workers` segments, and the segments are tracked concurrently (rayon), one worker each
//! with its own single-threaded ONNX sessions:
//! - segment 0 of a batch continues the tracker state where the previous batch's last segment left
//!   it, exactly as one serial run would;
//! - every other segment starts fresh a few frames early ([`WARMUP_FRAMES`] of the preceding
//!   segment, outputs discarded): detector, then tracking, so that by its first own frame the ROI is a
//!   tracked one as in a serial run. This costs `WARMUP_FRAMES·(workers−1)` extra landmark runs per
//!   batch (a few percent).
//! Three threads overlap: the decoder fills the next batch while the workers track this one and the
//! sink (annotated video, CSV) consumes the previous one. The channels between them hold no extra
//! batch, so at most three batches of frames are alive: memory is set by the batch size (from a
//! frame-memory budget) and does not grow with the video's length.

use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::detector::Detector;
use super::model::Models;
use super::tracker::{Sessions, TrackerState};
use super::{FramePose, Pose};
use crate::video::{Frame, VideoInfo, VideoReader};
use crate::{Error, Result};

/// Frames a non-first segment re-runs from its predecessor to settle the ROI before its own frames.
pub const WARMUP_FRAMES: usize = 3;
/// Memory allowed for decoded frames in flight (three batches).
pub const FRAME_MEMORY_BUDGET_BYTES: usize = 384 << 20;
const MIN_SEGMENT: usize = 8;
const MAX_SEGMENT: usize = 64;

#[derive(Debug, Clone)]
pub struct PipelineOptions {
    pub workers: usize,
    pub frame_memory_budget_bytes: usize,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            workers: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            frame_memory_budget_bytes: FRAME_MEMORY_BUDGET_BYTES,
        }
    }
}

/// Frames per segment for frames of `frame_bytes`: three batches of `workers` segments within budget.
pub fn segment_len(frame_bytes: usize, workers: usize, budget: usize) -> usize {
    (budget / (3 * workers.max(1) * frame_bytes.max(1))).clamp(MIN_SEGMENT, MAX_SEGMENT)
}

#[derive(Debug, Clone, Default)]
pub struct PoseStats {
    pub frames: usize,
    pub frames_with_pose: usize,
}

/// One single-threaded detector + landmark session per worker, opened once and reused for every
/// video (opening them costs a few hundred milliseconds).
pub struct Workers {
    pool: Mutex<Vec<Sessions>>,
    count: usize,
    detector: Detector,
}

impl Workers {
    pub fn new(models: &Models, count: usize) -> Result<Workers> {
        let count = count.max(1);
        // open the sessions in parallel: each takes a while
        let sessions: Vec<Sessions> = (0..count).into_par_iter().map(|_| models.sessions(1)).collect::<Result<_>>()?;
        Ok(Workers { pool: Mutex::new(sessions), count, detector: Detector::new() })
    }
}

/// Runs the pose stage over `reader`, calling `sink` once per frame in order. Returns the video's
/// info and counts; refuses a truncated stream (see `VideoReader::check_complete`).
pub fn run<S>(reader: VideoReader, models: &Models, opts: &PipelineOptions, sink: S) -> Result<(VideoInfo, PoseStats)>
where
    S: FnMut(&Frame, &FramePose) -> Result<()> + Send,
{
    let workers = Workers::new(models, opts.workers)?;
    run_with(reader, &workers, opts, sink)
}

/// [`run`] with sessions opened beforehand.
pub fn run_with<S>(mut reader: VideoReader, w: &Workers, opts: &PipelineOptions, mut sink: S) -> Result<(VideoInfo, PoseStats)>
where
    S: FnMut(&Frame, &FramePose) -> Result<()> + Send,
{
    let workers = w.count;
    let info = reader.info().clone();
    let frame_bytes = info.width as usize * info.height as usize * 3;
    let seg = segment_len(frame_bytes, workers, opts.frame_memory_budget_bytes);
    let batch_len = seg * workers;
    let (pool, detector) = (&w.pool, &w.detector);

    std::thread::scope(|scope| {
        let (batch_tx, batch_rx) = sync_channel::<Result<Vec<Arc<Frame>>>>(0);
        let decoder = scope.spawn(move || {
            loop {
                let mut batch = Vec::with_capacity(batch_len);
                let mut failed = None;
                while batch.len() < batch_len {
                    if let Err(e) = crate::interrupt::check() {
                        failed = Some(e);
                        break;
                    }
                    match reader.next_frame() {
                        Ok(Some(f)) => batch.push(Arc::new(f)),
                        Ok(None) => break,
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                let done = batch.len() < batch_len || failed.is_some();
                if !batch.is_empty() && batch_tx.send(Ok(batch)).is_err() {
                    break;
                }
                if let Some(e) = failed {
                    let _ = batch_tx.send(Err(e));
                    break;
                }
                if done {
                    break;
                }
            }
            reader
        });

        let (out_tx, out_rx) = sync_channel::<(Vec<Arc<Frame>>, Vec<FramePose>)>(0);
        let writer = scope.spawn(move || -> Result<PoseStats> {
            let mut stats = PoseStats::default();
            for (frames, poses) in out_rx {
                for (f, p) in frames.iter().zip(&poses) {
                    sink(f, p)?;
                    stats.frames += 1;
                    stats.frames_with_pose += p.pose.is_some() as usize;
                }
            }
            Ok(stats)
        });

        let mut state = TrackerState::default();
        let mut result: Result<()> = Ok(());
        for batch in batch_rx.iter() {
            let batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            match track_batch(&batch, seg, &mut state, pool, detector) {
                Ok(poses) => {
                    if out_tx.send((batch, poses)).is_err() {
                        break; // the sink failed; its error is reported below
                    }
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        drop(batch_rx);
        drop(out_tx);
        let stats = writer.join().map_err(|_| Error::Input("output thread panicked".into()))?;
        let reader = decoder.join().map_err(|_| Error::Input("decoder thread panicked".into()))?;
        result?;
        let stats = stats?;
        reader.check_complete()?;
        Ok((info, stats))
    })
}

/// Where to cut a batch of `len` frames into `k` segments so that each worker has the same work:
/// every segment but the first also re-runs [`WARMUP_FRAMES`] and the detector (about one frame's
/// work), so the first is that much longer. Returns k+1 cut points from 0 to `len`.
pub fn segment_bounds(len: usize, k: usize) -> Vec<usize> {
    let k = k.max(1);
    let extra = WARMUP_FRAMES + 1;
    let first = ((len + (k - 1) * extra) / k).min(len);
    let rest = if k > 1 { (len - first).div_ceil(k - 1) } else { 0 };
    let mut b = vec![0, first];
    while *b.last().unwrap_or(&len) < len {
        let next = (b[b.len() - 1] + rest.max(1)).min(len);
        b.push(next);
    }
    b
}

fn track_batch(
    batch: &[Arc<Frame>],
    seg: usize,
    state: &mut TrackerState,
    pool: &Mutex<Vec<Sessions>>,
    detector: &Detector,
) -> Result<Vec<FramePose>> {
    let bounds = segment_bounds(batch.len(), batch.len().div_ceil(seg));
    let segments: Vec<(usize, usize, usize)> = bounds.windows(2).enumerate().map(|(i, w)| (i, w[0], w[1])).collect();
    let start_state = state.clone();
    let results = segments
        .par_iter()
        .map(|&(i, start, end)| -> Result<(Vec<Option<Pose>>, TrackerState)> {
            let frames = &batch[start..end];
            let mut sessions = pool.lock().map_err(|_| Error::Input("session pool poisoned".into()))?.pop();
            let s = sessions.as_mut().ok_or_else(|| Error::Input("no free inference session".into()))?;
            // a fresh segment looks for the runner where the previous batch left them
            let mut st = if i == 0 { start_state.clone() } else { TrackerState::with_hint(start_state.last_centre()) };
            let r = (|| {
                if i > 0 {
                    let before = &batch[start - WARMUP_FRAMES.min(start)..start];
                    for f in before {
                        st.step(s, detector, f)?;
                    }
                }
                frames.iter().map(|f| st.step(s, detector, f)).collect::<Result<Vec<_>>>()
            })();
            if let Some(s) = sessions {
                if let Ok(mut p) = pool.lock() {
                    p.push(s);
                }
            }
            Ok((r?, st))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(batch.len());
    for (seg_poses, st) in results {
        *state = st;
        out.extend(seg_poses);
    }
    Ok(batch
        .iter()
        .zip(out)
        .map(|(f, pose)| FramePose { frame: f.index, time_s: f.time_s, pose })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_the_batch_and_balance_the_warm_up() {
        let b = segment_bounds(48, 2);
        assert_eq!(b, vec![0, 26, 48]); // 26 vs 22 + 4 warm-up/detector
        let b = segment_bounds(10, 1);
        assert_eq!(b, vec![0, 10]);
        let b = segment_bounds(5, 2); // a short last batch
        assert_eq!((b[0], *b.last().unwrap()), (0, 5));
        assert!(b.windows(2).all(|w| w[1] > w[0]));
    }

    #[test]
    fn segment_len_bounded_by_budget_and_limits() {
        // 720x1280 BGR, 2 workers, 384 MiB: 384Mi / (3·2·2.76 MB) ≈ 24
        let s = segment_len(720 * 1280 * 3, 2, FRAME_MEMORY_BUDGET_BYTES);
        assert!((20..=30).contains(&s), "{s}");
        assert!(3 * 2 * s * 720 * 1280 * 3 <= FRAME_MEMORY_BUDGET_BYTES);
        assert_eq!(segment_len(3840 * 2160 * 3, 2, FRAME_MEMORY_BUDGET_BYTES), MIN_SEGMENT);
        assert_eq!(segment_len(64 * 64 * 3, 2, FRAME_MEMORY_BUDGET_BYTES), MAX_SEGMENT);
    }
}
