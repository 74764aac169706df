//! The pixel work of the sole measurement: the belt's background (a per-pixel median over the
//! run), each foot's brightening over it, and the lowest point of the shoe's outline.

use opencv::core::Rect;

use super::*;

/// The per-pixel, per-channel median of up to [`BACKGROUND_SAMPLES`] (smoothed) crops spread evenly
/// over `crops`. None with fewer than [`MIN_BACKGROUND_SAMPLES`].
pub(super) fn median_background(crops: &[&Crop]) -> Option<Crop> {
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
pub(super) fn points(crop: &Crop, bg: &Crop, region: Rect, slope: f64, fp: &FramePose) -> [Option<[f32; 2]>; 2] {
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
pub(super) fn robust_sd(d: &[f32]) -> f32 {
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
pub(super) fn lowest_point(
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
