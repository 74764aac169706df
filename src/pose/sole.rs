//! Each shoe's lowest point, measured from the pixels: where initial contact is defined (the sole
//! reaching the belt), not where a pose model puts its heel landmark.
//!
//! Why: BlazePose's heel and toe are regressed from the whole body. On the far foot of a side view
//! they sit on the belt line, and move with the belt, a frame or two before the shoe does (on the
//! sample, frames 154–157: the heel landmark stays at y ≈ 1166–1175 px while the sole, in the
//! pixels, descends from 1193 to 1211). No fit to those landmarks can time the landing.
//!
//! How (a static camera, as treadmill filming is): the background is the per-pixel median of
//! frames spread over the clip, within one region around every frame's feet. On each frame, a pixel
//! near a foot belongs to the shoe when it is brighter than the background by more than the
//! contrast threshold ([`MIN_CONTRAST`], or [`NOISE_SDS`] times the frame's noise). Only brighter:
//! the shadow a shoe casts on the belt is darker than the belt, and counting it would put the sole
//! on the belt before the shoe is. The shoe is the connected blob that the heel–toe line of the
//! landmarks runs through; its lowest point (along the belt's slope, fitted from the landmarks'
//! stances) is the sole point, its height refined to a fraction of a pixel from the brightness
//! crossing below it. A shoe darker than its belt is not told apart (no point: the landmarks stay
//! the only cue); a moving camera makes a blurred background whose points the gait stage rejects
//! (their stance does not lie on one line).
//!
//! Memory is bounded: the region's crops are kept up to [`MAX_BUFFER_BYTES`]; the background comes
//! from the crops kept (on a long clip, its first part), then the rest is measured as it streams.

use crate::pose::idx::*;
use crate::pose::FramePose;
use crate::video::{Frame, VideoReader};
use crate::Result;
use opencv::core::{Mat, Rect};
use opencv::prelude::*;

/// A shoe pixel is this much brighter than the belt behind it at least, grey levels (of 255).
pub(crate) const MIN_CONTRAST: f32 = 12.0;
/// …and this many times the frame's noise (the robust SD of its difference from the background).
pub(crate) const NOISE_SDS: f32 = 4.0;
/// The background is the median of at most this many crops, spread evenly over those kept.
pub(crate) const BACKGROUND_SAMPLES: usize = 63;
/// …and needs this many, or no point is measured (a clip too short to see the belt uncovered).
pub(crate) const MIN_BACKGROUND_SAMPLES: usize = 15;
/// Crops kept before the background is fixed, bytes.
pub(crate) const MAX_BUFFER_BYTES: usize = 256 << 20;
/// The search box around a foot: its landmarks' box widened by this many foot lengths each side…
pub(crate) const BOX_SIDE_FEET: f64 = 0.5;
/// …up by this many…
pub(crate) const BOX_UP_FEET: f64 = 0.2;
/// …and down (the sole lies below the heel landmark; the belt a little below that) by this many.
pub(crate) const BOX_DOWN_FEET: f64 = 0.8;
/// The blob must pass within this many pixels of the heel–toe line.
pub(crate) const LINE_REACH_PX: i32 = 3;

/// What the pass measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SoleStats {
    /// Sole points measured (both feet).
    pub points: usize,
    /// Frames read.
    pub frames: usize,
}

/// An 8-bit BGR crop of the feet region.
struct Crop {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

/// Measures the sole points of `frames` (the runner's poses, in frame order) from a fresh reader
/// of the same video, and stores them in `frames[..].soles`. A frame whose pose is missing, or a
/// foot that is not told apart, keeps None. Where the whole clip's crops fit in
/// [`MAX_BUFFER_BYTES`], they are collected in one pass and the frames measured in parallel;
/// otherwise one pass streams.
pub fn measure(reader: VideoReader, frames: &mut [FramePose]) -> Result<SoleStats> {
    let Some(region) = feet_region(frames, reader.info().width as i32, reader.info().height as i32) else {
        return Ok(SoleStats::default());
    };
    let slope = belt_slope(frames);
    let crop_bytes = (region.width * region.height * 3) as usize;
    let dt = 1.0 / reader.info().time_fps().max(1e-3);
    let times: Vec<f64> = frames.iter().map(|f| f.time_s).collect();
    let wanted: Vec<bool> = frames.iter().map(|f| f.pose.is_some()).collect();
    let at = Lookup { times: &times, wanted: &wanted, dt, region };
    let mut reader = reader;
    reader.skip_repeat_check();
    if frames.len() * crop_bytes > MAX_BUFFER_BYTES || !reader.has_timestamps() || frames.len() < 2 * MIN_BACKGROUND_SAMPLES {
        return stream(reader, frames, &at, slope);
    }
    // one pass from the start (the decoder's own threads use the cores; a second reader seeking
    // to the middle would decode again every frame from the keyframe before it), then the frames
    // measured in parallel
    let (crops, n) = collect(reader, &at, f64::NEG_INFINITY, f64::INFINITY)?;
    let mut stats = SoleStats { frames: n, points: 0 };
    let Some(bg) = median_background(&crops.iter().map(|(_, c)| c).collect::<Vec<_>>()) else { return Ok(stats) };
    use rayon::prelude::*;
    let found: Vec<(usize, [Option<[f32; 2]>; 2])> =
        crops.par_iter().map(|(k, c)| (*k, points(c, &bg, region, slope, &frames[*k]))).collect();
    for (k, p) in found {
        stats.points += p.iter().flatten().count();
        frames[k].soles = p;
    }
    Ok(stats)
}

/// Which of the pose stage's frames a decoded frame is: by time (a reader that seeked does not
/// know its frames' numbers), within a quarter frame — else none, rather than the next frame's.
struct Lookup<'a> {
    times: &'a [f64],
    wanted: &'a [bool],
    dt: f64,
    region: Rect,
}

impl Lookup<'_> {
    fn index(&self, frame: &Frame) -> Option<usize> {
        let j = self.times.partition_point(|&t| t < frame.time_s);
        let k = [j.checked_sub(1), Some(j)]
            .into_iter()
            .flatten()
            .filter(|&k| k < self.times.len())
            .min_by(|&a, &b| (self.times[a] - frame.time_s).abs().total_cmp(&(self.times[b] - frame.time_s).abs()))?;
        let r = self.region;
        // (a frame of another size than the reader's — never expected — is left out)
        let fits = r.x + r.width <= frame.width as i32 && r.y + r.height <= frame.height as i32;
        ((self.times[k] - frame.time_s).abs() <= self.dt / 4.0 && self.wanted[k] && fits).then_some(k)
    }
}

/// The crops of the frames from `t0` (inclusive) to `t1` (exclusive), and how many frames were read.
fn collect(mut reader: VideoReader, at: &Lookup, t0: f64, t1: f64) -> Result<(Vec<(usize, Crop)>, usize)> {
    let (mut out, mut n) = (Vec::new(), 0);
    while let Some(frame) = reader.next_frame()? {
        crate::interrupt::check()?;
        if frame.time_s >= t1 - at.dt / 4.0 {
            break;
        }
        n += 1;
        if frame.time_s < t0 - at.dt / 4.0 {
            continue;
        }
        if let Some(k) = at.index(&frame) {
            out.push((k, crop_of(&frame.image, at.region)?));
        }
    }
    Ok((out, n))
}

/// One pass for a clip whose crops do not all fit: the background from the crops kept up to
/// [`MAX_BUFFER_BYTES`] (its first part), then the rest measured as it streams.
fn stream(mut reader: VideoReader, frames: &mut [FramePose], at: &Lookup, slope: f64) -> Result<SoleStats> {
    let mut stats = SoleStats::default();
    let crop_bytes = (at.region.width * at.region.height * 3) as usize;
    let mut buffered: Vec<(usize, Crop)> = Vec::new();
    let mut background: Option<Crop> = None;
    while let Some(frame) = reader.next_frame()? {
        crate::interrupt::check()?;
        stats.frames += 1;
        let Some(k) = at.index(&frame) else { continue };
        let crop = crop_of(&frame.image, at.region)?;
        match &background {
            Some(bg) => {
                frames[k].soles = points(&crop, bg, at.region, slope, &frames[k]);
                stats.points += frames[k].soles.iter().flatten().count();
            }
            None => {
                buffered.push((k, crop));
                if buffered.len() * crop_bytes >= MAX_BUFFER_BYTES {
                    background = flush(&mut buffered, at.region, slope, frames, &mut stats);
                    if background.is_none() {
                        return Ok(stats);
                    }
                }
            }
        }
    }
    if background.is_none() {
        flush(&mut buffered, at.region, slope, frames, &mut stats);
    }
    Ok(stats)
}

/// The background from the buffered crops, then each of them measured.
fn flush(buffered: &mut Vec<(usize, Crop)>, region: Rect, slope: f64, frames: &mut [FramePose], stats: &mut SoleStats) -> Option<Crop> {
    let bg = median_background(buffered.iter().map(|(_, c)| c).collect::<Vec<_>>().as_slice())?;
    for (k, crop) in buffered.drain(..) {
        frames[k].soles = points(&crop, &bg, region, slope, &frames[k]);
        stats.points += frames[k].soles.iter().flatten().count();
    }
    Some(bg)
}

/// The region of a frame, 3×3-smoothed (1 2 1: the same on frames and background, so that
/// compression noise does not pass the threshold), as contiguous BGR bytes.
fn crop_of(image: &Mat, r: Rect) -> Result<Crop> {
    let roi = Mat::roi(image, r)?;
    let mut smoothed = Mat::default();
    opencv::imgproc::gaussian_blur(&roi, &mut smoothed, opencv::core::Size::new(3, 3), 0.0, 0.0, opencv::core::BORDER_REPLICATE)?;
    let px = smoothed.data_bytes()?.to_vec();
    Ok(Crop { w: r.width as usize, h: r.height as usize, px })
}

/// One region holding every frame's feet: the box of all foot landmarks (2nd to 98th percentile,
/// so that a stray landmark does not widen it), with the search margins, inside the frame.
fn feet_region(frames: &[FramePose], width: i32, height: i32) -> Option<Rect> {
    let (mut xs, mut ys, mut feet) = (Vec::new(), Vec::new(), Vec::new());
    for f in frames {
        let Some(p) = &f.pose else { continue };
        for o in 0..2 {
            for lm in [LEFT_ANKLE + o, LEFT_HEEL + o, LEFT_FOOT_INDEX + o] {
                let l = p.landmarks[lm];
                if l.x.is_finite() && l.y.is_finite() {
                    xs.push(l.x as f64);
                    ys.push(l.y as f64);
                }
            }
            let (h, t) = (p.landmarks[LEFT_HEEL + o], p.landmarks[LEFT_FOOT_INDEX + o]);
            let d = ((t.x - h.x) as f64).hypot((t.y - h.y) as f64);
            if d.is_finite() {
                feet.push(d);
            }
        }
    }
    if xs.len() < 6 || feet.is_empty() {
        return None;
    }
    let q = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * p).round() as usize]
    };
    let foot = q(&mut feet, 0.5).max(8.0);
    let (x0, x1) = (q(&mut xs, 0.02) - BOX_SIDE_FEET * foot, q(&mut xs, 0.98) + BOX_SIDE_FEET * foot);
    let (y0, y1) = (q(&mut ys, 0.02) - BOX_UP_FEET * foot, q(&mut ys, 0.98) + BOX_DOWN_FEET * foot);
    let (x0, y0) = ((x0.floor() as i32).clamp(0, width - 1), (y0.floor() as i32).clamp(0, height - 1));
    let (x1, y1) = ((x1.ceil() as i32).clamp(x0 + 1, width), (y1.ceil() as i32).clamp(y0 + 1, height));
    Some(Rect::new(x0, y0, x1 - x0, y1 - y0))
}

/// The belt's slope in the image (dy/dx), from the landmarks: a line through each foot's toe where
/// it is lowest (its stances), the two feet's median. Zero when it cannot be fitted.
fn belt_slope(frames: &[FramePose]) -> f64 {
    let mut slopes = Vec::new();
    for o in 0..2 {
        let pts: Vec<(f64, f64)> = frames
            .iter()
            .filter_map(|f| f.pose.as_ref())
            .map(|p| p.landmarks[LEFT_FOOT_INDEX + o])
            .filter(|l| l.x.is_finite() && l.y.is_finite())
            .map(|l| (l.x as f64, l.y as f64))
            .collect();
        if pts.len() < 10 {
            continue;
        }
        let mut y: Vec<f64> = pts.iter().map(|p| p.1).collect();
        y.sort_by(f64::total_cmp);
        // the lowest fifth of the toe's positions: on the belt
        let cut = y[(y.len() as f64 * 0.8) as usize];
        let low: Vec<(f64, f64)> = pts.into_iter().filter(|p| p.1 >= cut).collect();
        if let Some(b) = line_slope(&low) {
            slopes.push(b);
        }
    }
    match slopes.len() {
        0 => 0.0,
        1 => slopes[0],
        _ => (slopes[0] + slopes[1]) / 2.0,
    }
    .clamp(-0.5, 0.5)
}

fn line_slope(p: &[(f64, f64)]) -> Option<f64> {
    if p.len() < 3 {
        return None;
    }
    let n = p.len() as f64;
    let (mx, my) = (p.iter().map(|v| v.0).sum::<f64>() / n, p.iter().map(|v| v.1).sum::<f64>() / n);
    let sxx: f64 = p.iter().map(|v| (v.0 - mx).powi(2)).sum();
    (sxx > 1.0).then(|| p.iter().map(|v| (v.0 - mx) * (v.1 - my)).sum::<f64>() / sxx)
}

mod pixels;
use pixels::{median_background, points};

#[cfg(test)]
mod tests;
