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
pub const MIN_CONTRAST: f32 = 12.0;
/// …and this many times the frame's noise (the robust SD of its difference from the background).
pub const NOISE_SDS: f32 = 4.0;
/// The background is the median of at most this many crops, spread evenly over those kept.
pub const BACKGROUND_SAMPLES: usize = 63;
/// …and needs this many, or no point is measured (a clip too short to see the belt uncovered).
pub const MIN_BACKGROUND_SAMPLES: usize = 15;
/// Crops kept before the background is fixed, bytes.
pub const MAX_BUFFER_BYTES: usize = 256 << 20;
/// The search box around a foot: its landmarks' box widened by this many foot lengths each side…
pub const BOX_SIDE_FEET: f64 = 0.5;
/// …up by this many…
pub const BOX_UP_FEET: f64 = 0.2;
/// …and down (the sole lies below the heel landmark; the belt a little below that) by this many.
pub const BOX_DOWN_FEET: f64 = 0.8;
/// The blob must pass within this many pixels of the heel–toe line.
pub const LINE_REACH_PX: i32 = 3;

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

/// The per-pixel, per-channel median of up to [`BACKGROUND_SAMPLES`] (smoothed) crops spread evenly
/// over `crops`. None with fewer than [`MIN_BACKGROUND_SAMPLES`].
fn median_background(crops: &[&Crop]) -> Option<Crop> {
    if crops.len() < MIN_BACKGROUND_SAMPLES {
        return None;
    }
    let k = crops.len().min(BACKGROUND_SAMPLES);
    let pick: Vec<&Crop> = (0..k).map(|i| crops[i * crops.len() / k]).collect();
    let (w, h) = (pick[0].w, pick[0].h);
    let mut px = vec![0u8; w * h * 3];
    let mut v = Vec::with_capacity(k);
    for (i, out) in px.iter_mut().enumerate() {
        v.clear();
        v.extend(pick.iter().map(|c| c.px[i]));
        let m = v.len() / 2;
        *out = *v.select_nth_unstable(m).1;
    }
    Some(Crop { w, h, px })
}

/// Both feet's sole points on one frame (left, right).
fn points(crop: &Crop, bg: &Crop, region: Rect, slope: f64, fp: &FramePose) -> [Option<[f32; 2]>; 2] {
    let Some(pose) = &fp.pose else { return [None; 2] };
    // brightening over the background: the largest of the three channels' differences
    let diff = |i: usize| (0..3).map(|ch| crop.px[i * 3 + ch] as f32 - bg.px[i * 3 + ch] as f32).fold(f32::MIN, f32::max);
    // the frame's noise, from every third pixel of every third row
    let sample: Vec<f32> = (0..crop.h).step_by(3).flat_map(|y| (0..crop.w).step_by(3).map(move |x| y * crop.w + x)).map(diff).collect();
    let noise = robust_sd(&sample);
    let thr = MIN_CONTRAST.max(NOISE_SDS * noise);
    let mut out = [None; 2];
    for (o, slot) in out.iter_mut().enumerate() {
        let lm = |i: usize| {
            let l = pose.landmarks[i + o];
            [l.x as f64 - region.x as f64, l.y as f64 - region.y as f64]
        };
        let (a, h, t) = (lm(LEFT_ANKLE), lm(LEFT_HEEL), lm(LEFT_FOOT_INDEX));
        *slot = lowest_point(&diff, crop.w, crop.h, thr, a, h, t, slope)
            .map(|[x, y]| [(x + region.x as f64) as f32, (y + region.y as f64) as f32]);
    }
    out
}

/// The robust SD of the differences: 1.4826 × the median absolute difference (most of the region is
/// belt and treadmill, whatever the feet cover).
fn robust_sd(d: &[f32]) -> f32 {
    let mut a: Vec<f32> = d.iter().map(|v| v.abs()).collect();
    if a.is_empty() {
        return 0.0;
    }
    let m = a.len() / 2;
    1.4826 * *a.select_nth_unstable_by(m, f32::total_cmp).1
}

/// The lowest point of the shoe blob (along the belt's slope) in the foot's search box, in crop
/// pixels; its height to a fraction of a pixel from the threshold crossing below it.
#[allow(clippy::too_many_arguments)]
fn lowest_point(
    d: &impl Fn(usize) -> f32,
    w: usize,
    h: usize,
    thr: f32,
    ankle: [f64; 2],
    heel: [f64; 2],
    toe: [f64; 2],
    slope: f64,
) -> Option<[f64; 2]> {
    if ![ankle, heel, toe].iter().all(|p| p[0].is_finite() && p[1].is_finite()) {
        return None;
    }
    let foot = (toe[0] - heel[0]).hypot(toe[1] - heel[1]).max(8.0);
    let xs = [ankle[0], heel[0], toe[0]];
    let ys = [ankle[1], heel[1], toe[1]];
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let bx0 = ((min(&xs) - BOX_SIDE_FEET * foot).floor().max(0.0)) as usize;
    let bx1 = ((max(&xs) + BOX_SIDE_FEET * foot).ceil().min(w as f64)) as usize;
    let by0 = ((min(&ys) - BOX_UP_FEET * foot).floor().max(0.0)) as usize;
    let by1 = ((heel[1].max(toe[1]) + BOX_DOWN_FEET * foot).ceil().min(h as f64)) as usize;
    if bx1 <= bx0 + 2 || by1 <= by0 + 2 {
        return None;
    }
    let (bw, bh) = (bx1 - bx0, by1 - by0);
    // the mask, opened by a 3×3 square (one-pixel specks and threads go)
    let raw: Vec<bool> = (0..bw * bh).map(|i| d((by0 + i / bw) * w + bx0 + i % bw) > thr).collect();
    let morph = |m: &[bool], erode: bool| -> Vec<bool> {
        (0..bw * bh)
            .map(|i| {
                let (x, y) = ((i % bw) as isize, (i / bw) as isize);
                let mut all = true;
                let mut any = false;
                for dy in -1..=1 {
                    for dx in -1..=1 {
                        let (xx, yy) = (x + dx, y + dy);
                        let v = xx >= 0 && yy >= 0 && (xx as usize) < bw && (yy as usize) < bh && m[yy as usize * bw + xx as usize];
                        all &= v;
                        any |= v;
                    }
                }
                if erode {
                    all
                } else {
                    any
                }
            })
            .collect()
    };
    let mask = morph(&morph(&raw, true), false);
    // the blobs the heel–toe line runs through
    let mut seeds = Vec::new();
    for k in 0..=8 {
        let s = k as f64 / 8.0;
        let (px, py) = (heel[0] + s * (toe[0] - heel[0]) - bx0 as f64, heel[1] + s * (toe[1] - heel[1]) - by0 as f64);
        for dy in -LINE_REACH_PX..=LINE_REACH_PX {
            for dx in -LINE_REACH_PX..=LINE_REACH_PX {
                let (x, y) = (px.round() as i64 + dx as i64, py.round() as i64 + dy as i64);
                if x >= 0 && y >= 0 && (x as usize) < bw && (y as usize) < bh && mask[y as usize * bw + x as usize] {
                    seeds.push(y as usize * bw + x as usize);
                }
            }
        }
    }
    if seeds.is_empty() {
        return None;
    }
    let mut blob = vec![false; bw * bh];
    let mut stack = seeds;
    while let Some(i) = stack.pop() {
        if blob[i] || !mask[i] {
            continue;
        }
        blob[i] = true;
        let (x, y) = ((i % bw) as isize, (i / bw) as isize);
        for dy in -1..=1 {
            for dx in -1..=1 {
                let (xx, yy) = (x + dx, y + dy);
                if xx >= 0 && yy >= 0 && (xx as usize) < bw && (yy as usize) < bh {
                    let j = yy as usize * bw + xx as usize;
                    if mask[j] && !blob[j] {
                        stack.push(j);
                    }
                }
            }
        }
    }
    // the lowest blob pixel along the belt (largest y − slope·x)
    let mut best: Option<(f64, usize, usize)> = None;
    for (i, _) in blob.iter().enumerate().filter(|(_, b)| **b) {
        let (x, y) = (i % bw, i / bw);
        let v = (by0 + y) as f64 - slope * (bx0 + x) as f64;
        if best.is_none_or(|b| v > b.0) {
            best = Some((v, x, y));
        }
    }
    let (_, x, y) = best?;
    let (cx, cy) = (bx0 + x, by0 + y);
    // below the blob's last pixel, where the brightening falls through the threshold
    let mut frac = 0.0;
    if cy + 1 < h {
        let (d0, d1) = (d(cy * w + cx), d((cy + 1) * w + cx));
        if d0 > thr && d0 > d1 {
            frac = (((d0 - thr) / (d0 - d1)) as f64).clamp(0.0, 1.0);
        }
    }
    Some([cx as f64, cy as f64 + frac])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{Landmark, Pose, NUM_LANDMARKS};

    /// A textured dark belt, a bright shoe (a rounded box) whose bottom is at `sole_y`, and its
    /// shadow on the belt below it.
    fn scene(w: usize, h: usize, shoe_x: f64, sole_y: f64, seed: u64) -> Vec<u8> {
        let mut s = seed | 1;
        let mut rnd = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f64 / (1u64 << 24) as f64
        };
        let mut px = vec![0u8; w * h * 3];
        for y in 0..h {
            for x in 0..w {
                // belt: dark grey with fixed texture (static camera: the same each frame) and noise
                let tex = 40.0 + 8.0 * (((x * 7 + y * 13) % 11) as f64 / 10.0);
                let mut v = [tex + 3.0 * (rnd() - 0.5); 3];
                // the shadow: darker, wider than the shoe, right under it
                let (xf, yf) = (x as f64 + 0.5, y as f64 + 0.5);
                if xf > shoe_x - 35.0 && xf < shoe_x + 35.0 && yf > sole_y && yf < sole_y + 12.0 {
                    for c in v.iter_mut() {
                        *c *= 0.55;
                    }
                }
                // the shoe: 60 × 22 px, bright green-white; the bottom row partly covered (anti-aliased)
                let cover = ((sole_y - (yf - 0.5)).clamp(0.0, 1.0)) * ((xf > shoe_x - 30.0 && xf < shoe_x + 30.0) as u8 as f64);
                let inside = yf > sole_y - 22.0;
                if inside && cover > 0.0 {
                    let shoe = [170.0, 210.0, 190.0];
                    for (c, s) in v.iter_mut().zip(shoe) {
                        *c = *c * (1.0 - cover) + s * cover;
                    }
                }
                for c in 0..3 {
                    px[(y * w + x) * 3 + c] = v[c].round().clamp(0.0, 255.0) as u8;
                }
            }
        }
        px
    }

    fn pose_at(shoe_x: f64, sole_y: f64) -> FramePose {
        let mut l = [Landmark { x: 0.0, y: 0.0, z: 0.0, visibility: 1.0, presence: 1.0 }; NUM_LANDMARKS];
        for o in 0..2 {
            // heel landmark inside the shoe, 8 px above its sole (as BlazePose puts it); toe forward
            l[LEFT_HEEL + o] = Landmark { x: (shoe_x + 25.0) as f32, y: (sole_y - 8.0) as f32, ..l[0] };
            l[LEFT_FOOT_INDEX + o] = Landmark { x: (shoe_x - 25.0) as f32, y: (sole_y - 6.0) as f32, ..l[0] };
            l[LEFT_ANKLE + o] = Landmark { x: (shoe_x + 15.0) as f32, y: (sole_y - 30.0) as f32, ..l[0] };
        }
        FramePose { frame: 0, time_s: 0.0, pose: Some(Pose { landmarks: l, score: 1.0 }), soles: [None; 2] }
    }

    #[test]
    fn the_sole_is_found_to_a_fraction_of_a_pixel_and_its_shadow_is_not_taken_for_it() {
        let (w, h) = (200usize, 120usize);
        // background from frames with the shoe elsewhere (moving over the belt)
        let crops: Vec<Crop> = (0..25).map(|k| Crop { w, h, px: scene(w, h, -100.0 + 0.0 * k as f64, -50.0, 7 + k) }).collect();
        let refs: Vec<&Crop> = crops.iter().collect();
        let bg = median_background(&refs).unwrap();
        let region = Rect::new(0, 0, w as i32, h as i32);
        for (k, sole_y) in [60.0, 72.3, 80.5, 88.75, 95.0].into_iter().enumerate() {
            let shoe_x = 90.0 + 7.0 * k as f64;
            let crop = Crop { w, h, px: scene(w, h, shoe_x, sole_y, 99 + k as u64) };
            let fp = pose_at(shoe_x, sole_y);
            let found = points(&crop, &bg, region, 0.0, &fp);
            assert!(found[1].is_some());
            let [x, y] = found[0].unwrap();
            assert!((y as f64 - sole_y).abs() <= 0.6, "sole at {sole_y}: measured {y}");
            assert!((x as f64 - shoe_x).abs() <= 31.0, "x {x} vs shoe {shoe_x}");
        }
    }

    #[test]
    fn a_shoe_no_brighter_than_the_belt_gives_no_point() {
        let (w, h) = (200usize, 120usize);
        let crops: Vec<Crop> = (0..20).map(|k| Crop { w, h, px: scene(w, h, -100.0, -50.0, 3 + k) }).collect();
        let bg = median_background(&crops.iter().collect::<Vec<_>>()).unwrap();
        // the frame is the background itself (the "shoe" has the belt's colour)
        let crop = Crop { w, h, px: scene(w, h, -100.0, -50.0, 1234) };
        let fp = pose_at(100.0, 80.0);
        assert_eq!(points(&crop, &bg, Rect::new(0, 0, w as i32, h as i32), 0.0, &fp), [None, None]);
    }

    #[test]
    fn too_few_frames_give_no_background() {
        let c = Crop { w: 2, h: 2, px: vec![0; 12] };
        let v: Vec<&Crop> = (0..MIN_BACKGROUND_SAMPLES - 1).map(|_| &c).collect();
        assert!(median_background(&v).is_none());
    }
}
