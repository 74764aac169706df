//! Treadmill-aware gait events: initial contact (IC) and toe-off (TO) of each foot, with sub-frame
//! timing.
//!
//! On a treadmill the belt carries the stance foot backwards, so the foot is not still in the image
//! during stance (methods made for overground walking, which look for a still foot, fail); what stays
//! true is that the foot is at its lowest — on the belt — and moves backwards relative to the pelvis.
//! So for each foot we take its lowest point (heel or toe, whichever is lower; the ankle where the
//! foot landmarks are missing), measure its height above the belt line (fitted through the stance
//! samples of both feet: it also gives the camera's tilt), and call contact where the height stays
//! within a threshold set from the leg length and the signal's noise. A contact must last at least
//! [`MIN_CONTACT_S`] and, in side views, the foot must move backwards relative to the pelvis.
//! IC is where the height falls through the threshold, extrapolated along the foot's descent to
//! height zero (the instant it reaches the belt); TO likewise on the way up. Timing is thus
//! sub-frame; its uncertainty is stated from the frame rate by the caller.

use super::series::Series;
use super::summary::{median, percentile};
use crate::pose::idx::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
    /// Landmark index of the left one + this.
    pub fn offset(self) -> usize {
        match self {
            Side::Left => 0,
            Side::Right => 1,
        }
    }
}

/// Shortest contact accepted, seconds (running stance is ≥ 0.15 s; this rejects a swing foot grazing
/// the threshold).
pub const MIN_CONTACT_S: f64 = 0.04;
/// Contact threshold: at least this fraction of leg length above the belt…
pub const MIN_THRESHOLD_LEG: f64 = 0.025;
/// …and at least this many noise standard deviations.
pub const THRESHOLD_SIGMAS: f64 = 3.0;


#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub side: Side,
    pub ic_time_s: f64,
    /// Toe-off time; None when the video ends (or the foot is lost) before it.
    pub to_time_s: Option<f64>,
    /// First and last sample index inside the contact.
    pub first: usize,
    pub last: usize,
    /// Which foot point the timing used.
    pub foot_point: FootPoint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FootPoint {
    HeelOrToe,
    Ankle,
}

/// The foot's lowest point per sample: (x, y, which point). `heel_offset` (pixels, downwards) moves
/// the heel landmark — which BlazePose places at the back of the heel, above the sole — down to the
/// sole (see [`heel_sole_offset`]).
pub fn foot_lowest(s: &Series, side: Side, heel_offset: f64) -> (Vec<f64>, Vec<f64>, FootPoint) {
    let o = side.offset();
    let (heel, toe, ankle) = (LEFT_HEEL + o, LEFT_FOOT_INDEX + o, LEFT_ANKLE + o);
    let usable = (0..s.len()).filter(|&i| s.y[heel][i].is_finite() && s.y[toe][i].is_finite()).count();
    if usable * 2 >= s.len() {
        let mut xs = Vec::with_capacity(s.len());
        let mut ys = Vec::with_capacity(s.len());
        for i in 0..s.len() {
            let (mut h, t) = (s.point(heel, i), s.point(toe, i));
            h[1] += heel_offset;
            let p = if h[1] >= t[1] || !t[1].is_finite() { h } else { t };
            xs.push(p[0]);
            ys.push(p[1]);
        }
        (xs, ys, FootPoint::HeelOrToe)
    } else {
        (s.x[ankle].clone(), s.y[ankle].clone(), FootPoint::Ankle)
    }
}


/// The belt line y = a + b·x in the image, fitted through both feet's lowest samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeltLine {
    pub a: f64,
    pub b: f64,
}

impl BeltLine {
    pub fn y_at(&self, x: f64) -> f64 {
        self.a + self.b * x
    }
    /// The belt's tilt in the image, degrees (positive: lower on the right).
    pub fn tilt_deg(&self) -> f64 {
        self.b.atan().to_degrees()
    }
}

/// Samples within this fraction of leg length of the belt line count as stance when fitting it.
pub const BELT_BAND_LEG: f64 = 0.06;
/// Largest belt tilt accepted from the fit; beyond it the camera or the fit is not trusted.
pub const MAX_TILT_DEG: f64 = 30.0;

/// Fits the line the foot slides along in stance. The first guess: in side views (`fwd_velocity`
/// given: the foot's forward speed relative to the pelvis) a least-squares line through the
/// samples where the foot moves backwards in the lower half of its range — on a treadmill, the
/// stance, wherever it is along the belt; in frontal views a level line through the lowest quarter.
/// Then, three times, a least-squares line through every sample within `band_px` of the current
/// line. The line may slope: a camera not square to the treadmill sees the belt run obliquely.
pub fn fit_belt(xs: &[f64], ys: &[f64], fwd_velocity: Option<&[f64]>, band_px: f64) -> Option<BeltLine> {
    let all: Vec<(f64, f64)> = xs.iter().zip(ys.iter()).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| (*x, *y)).collect();
    if all.len() < 3 {
        return None;
    }
    let ls = |pts: &[(f64, f64)], slope: bool| -> Option<BeltLine> {
        if pts.len() < 3 {
            return None;
        }
        let n = pts.len() as f64;
        let (mx, my) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let b = if slope && sxx > 0.0 { sxy / sxx } else { 0.0 };
        let b = if b.atan().to_degrees().abs() > MAX_TILT_DEG { 0.0 } else { b };
        // the belt is the middle of the samples' spread about the line
        let mut res: Vec<f64> = pts.iter().map(|p| p.1 - b * p.0).collect();
        res.sort_by(f64::total_cmp);
        Some(BeltLine { a: res[res.len() / 2], b })
    };
    let slope = fwd_velocity.is_some();
    let first = match fwd_velocity {
        Some(v) => {
            let mid_y = percentile(ys, 0.5)?;
            let stance: Vec<(f64, f64)> = xs
                .iter()
                .zip(ys)
                .zip(v)
                .filter(|((x, y), v)| x.is_finite() && y.is_finite() && **v < 0.0 && **y >= mid_y)
                .map(|((x, y), _)| (*x, *y))
                .collect();
            ls(&stance, true)
        }
        None => None,
    };
    let mut belt = match first {
        Some(b) => b,
        None => BeltLine { a: percentile(ys, 0.75)?, b: 0.0 },
    };
    for _ in 0..3 {
        let pts: Vec<(f64, f64)> = all.iter().copied().filter(|&(x, y)| (belt.y_at(x) - y).abs() < band_px).collect();
        match ls(&pts, slope) {
            Some(b) => belt = b,
            None => break,
        }
    }
    Some(belt)
}

/// Height of the foot above the belt, pixels (positive up).
pub fn height(xs: &[f64], ys: &[f64], belt: &BeltLine) -> Vec<f64> {
    xs.iter().zip(ys).map(|(&x, &y)| belt.y_at(x) - y).collect()
}

/// Time where the segment (t0,h0)–(t1,h1) crosses `thr`, then extrapolated along its slope to h = 0,
/// by at most two sample intervals.
fn crossing_to_zero(t0: f64, h0: f64, t1: f64, h1: f64, thr: f64) -> f64 {
    let dt = t1 - t0;
    let slope = (h1 - h0) / dt;
    if !(slope.abs() > 0.0) || !slope.is_finite() {
        return (t0 + t1) / 2.0;
    }
    let t_thr = t0 + (thr - h0) / slope;
    let t_zero = t_thr + (0.0 - thr) / slope;
    t_zero.clamp(t_thr - 2.0 * dt, t_thr + 2.0 * dt)
}

/// Detects contacts of one foot from its height signal. `rel_vx` is the foot's forward velocity
/// relative to the pelvis (None in frontal views).
/// Stances are found on the smoothed height `h`; IC and TO are timed on `h_raw` (cleaned of outliers
/// but not low-passed, whose rounding of the landing would shift them) where it crosses the threshold
/// within two samples of the smoothed crossing.
///
/// In side views `fwd` (the foot's forward position, unsmoothed) gives the treadmill's own cue: a
/// runner's foot lands nearly still in the image and the belt then drags it backwards, so the
/// forward path has a corner at IC. Where that corner is found within
/// [`MAX_CUE_DISAGREEMENT_S`] of the height's, it is the IC: it does not depend on where the heel
/// landmark sits above the sole, which changes as the foot rolls from heel strike to flat.
#[allow(clippy::too_many_arguments)]
pub fn contacts(t: &[f64], h: &[f64], h_raw: Option<&[f64]>, fwd: Option<&[f64]>, rel_vx: Option<&[f64]>, side: Side, foot_point: FootPoint, leg_px: f64) -> Vec<Contact> {
    let n = h.len();
    // noise: robust spread of the second difference near the belt (a straight descent has none;
    // white noise of SD σ gives second differences of SD σ·√6)
    let d2: Vec<f64> = (1..n.saturating_sub(1))
        .filter(|&i| h[i].is_finite() && h[i].abs() < 0.06 * leg_px)
        .map(|i| h[i - 1] - 2.0 * h[i] + h[i + 1])
        .filter(|v| v.is_finite())
        .map(f64::abs)
        .collect();
    let sd = percentile(&d2, 0.5).map(|mad| 1.4826 * mad / 6f64.sqrt()).unwrap_or(0.0);
    let thr = (MIN_THRESHOLD_LEG * leg_px).max(THRESHOLD_SIGMAS * sd);
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if !(h[i].is_finite() && h[i] < thr) {
            i += 1;
            continue;
        }
        let first = i;
        while i < n && h[i].is_finite() && h[i] < thr {
            i += 1;
        }
        let last = i - 1;
        // IC needs a descent just before; a contact already under way when the video starts is skipped
        if first == 0 || !h[first - 1].is_finite() {
            continue;
        }
        // Timing: fit a hinge — the belt, then a straight descent (IC) or ascent (TO) — to the
        // unsmoothed height around the smoothed crossing; the hinge's corner is the event.
        let timed = |k: usize, down: bool| -> f64 {
            let r = h_raw.unwrap_or(h);
            let dt = (t[1] - t[0]).abs().max(1e-6);
            let m_air = ((HINGE_AIR_WINDOW_S / dt).ceil() as usize).max(2);
            let m_gnd = ((HINGE_GROUND_WINDOW_S / dt).ceil() as usize).max(2);
            let (lo, hi) = if down { (k.saturating_sub(m_air), (k + 1 + m_gnd).min(n - 1)) } else { (k.saturating_sub(m_gnd), (k + 1 + m_air).min(n - 1)) };
            hinge(&t[lo..=hi], &r[lo..=hi], down).unwrap_or_else(|| crossing_to_zero(t[k], h[k], t[k + 1], h[k + 1], thr))
        };
        let mut ic = timed(first - 1, true);
        if let Some(x) = fwd {
            // corner of the heel's forward path — forwards (or still) in the air, dragged back on
            // the belt — searched around the height's IC and used where the two cues agree
            let dt = (t[1] - t[0]).abs().max(1e-6);
            let m = ((HINGE_AIR_WINDOW_S.max(DRAG_SEARCH_S) / dt).ceil() as usize).max(2);
            let k = first - 1;
            let (lo, hi) = (k.saturating_sub(m), (k + 1 + m).min(n - 1));
            let neg: Vec<f64> = x[lo..=hi].iter().map(|v| -v).collect();
            let found = corner(&t[lo..=hi], &neg, true, Constraint::AwayAfter);
            if let Some(tx) = found.filter(|&tx| (tx - ic).abs() <= MAX_CUE_DISAGREEMENT_S.max(1.5 * dt)) {
                ic = tx;
            }
        }
        let to = (last + 1 < n && h[last + 1].is_finite()).then(|| timed(last, false));
        let duration = to.unwrap_or(t[last]) - ic;
        if duration < MIN_CONTACT_S || last == first && to.is_none() {
            continue;
        }
        if let Some(v) = rel_vx {
            // from the IC on (the sample before it may still be swinging forwards)
            let vals: Vec<f64> = v[first..=last].iter().copied().filter(|x| x.is_finite()).collect();
            if !vals.is_empty() && vals.iter().sum::<f64>() / vals.len() as f64 >= 0.0 {
                continue; // not moving backwards under the runner: not a stance
            }
        }
        out.push(Contact { side, ic_time_s: ic, to_time_s: to, first, last, foot_point });
    }
    out
}

/// The forward-path corner is searched within this of the height's IC…
pub const DRAG_SEARCH_S: f64 = 0.1;
/// …and replaces it when the two agree within this, seconds.
pub const MAX_CUE_DISAGREEMENT_S: f64 = 0.15;
/// The window a contact's corner is fitted in: this long on the air side of the threshold crossing…
pub const HINGE_AIR_WINDOW_S: f64 = 0.13;
/// …and this long on the belt side, seconds.
pub const HINGE_GROUND_WINDOW_S: f64 = 0.1;

/// Least-squares fit of a corner to the height around a contact: h(t) = g + v·a + u·a² + w·d,
/// where a = max(0, c − t) is the time still in the air before the corner (a descent onto the belt,
/// `down`; mirrored for a lift-off) and d = max(0, t − c) the time on the belt after it. The quadratic
/// term lets the foot's path bend as it nears the belt and is used only when at least four samples
/// lie in the air (high frame rates); the belt-side slope w absorbs a stance path that is not quite
/// level. The corner c is searched on a fine grid between the first and last sample; for each, the
/// coefficients come from the normal equations. Returns c.
pub fn hinge(ts: &[f64], hs: &[f64], down: bool) -> Option<f64> {
    corner(ts, hs, down, Constraint::IntoCorner)
}

/// Which way the fitted corner must bend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// The value falls into the corner on the air side (a foot coming down).
    IntoCorner,
    /// The value rises away from the corner on the belt side (a foot dragged back by the belt,
    /// whatever it did in the air).
    AwayAfter,
}

/// The corner fit behind [`hinge`], with the constraint chosen.
pub fn corner(ts: &[f64], hs: &[f64], down: bool, constraint: Constraint) -> Option<f64> {
    let pts: Vec<(f64, f64)> = ts.iter().zip(hs).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| (*a, *b)).collect();
    if pts.len() < 4 {
        return None;
    }
    let (t0, t1) = (pts[0].0, pts[pts.len() - 1].0);
    let steps = (((t1 - t0) / 2e-5).ceil() as usize).clamp(100, 20_000);
    let mut best: Option<(f64, f64)> = None;
    for i in 0..=steps {
        let c = t0 + (t1 - t0) * i as f64 / steps as f64;
        let air = |t: f64| if down { (c - t).max(0.0) } else { (t - c).max(0.0) };
        let gnd = |t: f64| if down { (t - c).max(0.0) } else { (c - t).max(0.0) };
        let n_air = pts.iter().filter(|p| air(p.0) > 0.0).count();
        let n_gnd = pts.len() - n_air;
        if n_air < 2 || n_gnd < 2 {
            continue;
        }
        let quad = n_air >= 4;
        let k = if quad { 4 } else { 3 };
        let reg = |t: f64| -> [f64; 4] {
            let a = air(t);
            [1.0, a, gnd(t), if quad { a * a } else { 0.0 }]
        };
        let mut m = [[0.0f64; 4]; 4];
        let mut r = [0.0f64; 4];
        for &(t, h) in &pts {
            let x = reg(t);
            for p in 0..k {
                r[p] += x[p] * h;
                for q in 0..k {
                    m[p][q] += x[p] * x[q];
                }
            }
        }
        let Some(sol) = solve(m, r, k) else { continue };
        let ok = match constraint {
            Constraint::IntoCorner => sol[1] > 0.0,
            Constraint::AwayAfter => sol[2] > 0.0,
        };
        if !ok {
            continue; // the corner must bend the stated way
        }
        let sse: f64 = pts.iter().map(|&(t, h)| {
            let x = reg(t);
            let fit: f64 = (0..k).map(|p| sol[p] * x[p]).sum();
            (h - fit).powi(2)
        }).sum();
        if best.is_none_or(|(e, _)| sse < e) {
            best = Some((sse, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Solves the k×k (k ≤ 4) system by Gaussian elimination with partial pivoting.
fn solve(mut m: [[f64; 4]; 4], mut r: [f64; 4], k: usize) -> Option<[f64; 4]> {
    for col in 0..k {
        let piv = (col..k).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
        if m[piv][col].abs() < 1e-12 {
            return None;
        }
        m.swap(col, piv);
        r.swap(col, piv);
        for row in col + 1..k {
            let f = m[row][col] / m[col][col];
            for c2 in col..k {
                m[row][c2] -= f * m[col][c2];
            }
            r[row] -= f * r[col];
        }
    }
    let mut x = [0.0; 4];
    for row in (0..k).rev() {
        let s: f64 = (row + 1..k).map(|c2| m[row][c2] * x[c2]).sum();
        x[row] = (r[row] - s) / m[row][row];
    }
    Some(x)
}


/// The belt's speed (pixels/s): the foot's backward speed over the middle half of each stance.
pub fn belt_speed(t: &[f64], fwd: &[f64], contacts: &[Contact]) -> Option<f64> {
    let v: Vec<f64> = contacts
        .iter()
        .filter_map(|c| {
            let (a, b) = (c.first + (c.last - c.first) / 4, c.last - (c.last - c.first) / 4);
            (b > a && fwd[a].is_finite() && fwd[b].is_finite()).then(|| -(fwd[b] - fwd[a]) / (t[b] - t[a]))
        })
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    median(&v)
}

/// Running median of three samples (ends kept; NaN where any of the three is NaN).
pub fn median3(v: &[f64]) -> Vec<f64> {
    let mut out = v.to_vec();
    for i in 1..v.len().saturating_sub(1) {
        let (a, b, c) = (v[i - 1], v[i], v[i + 1]);
        out[i] = if a.is_finite() && b.is_finite() && c.is_finite() { a.max(b).min(a.min(b).max(c)) } else { b };
    }
    out
}

/// Central-difference velocity (per second) of a sampled signal.
pub fn velocity(t: &[f64], v: &[f64]) -> Vec<f64> {
    let n = v.len();
    (0..n)
        .map(|i| {
            let (a, b) = (i.saturating_sub(1), (i + 1).min(n.saturating_sub(1)));
            if b > a { (v[b] - v[a]) / (t[b] - t[a]) } else { f64::NAN }
        })
        .collect()
}

/// How far the heel landmark sits above the toe landmark when the foot is flat on the belt
/// (mid-stance of the given contacts): the median of toe y − heel y there, never negative.
pub fn heel_sole_offset(s: &Series, side: Side, contacts: &[Contact]) -> f64 {
    let o = side.offset();
    let mut d: Vec<f64> = contacts
        .iter()
        .filter(|c| c.side == side)
        .map(|c| (c.first + c.last) / 2)
        .map(|i| s.y[LEFT_FOOT_INDEX + o][i] - s.y[LEFT_HEEL + o][i])
        .filter(|v| v.is_finite())
        .collect();
    if d.is_empty() {
        return 0.0;
    }
    d.sort_by(f64::total_cmp);
    d[d.len() / 2].max(0.0)
}

/// All contacts of one foot, from the smoothed series `s` and the unsmoothed `raw` (timing).
/// `x_sign` turns image x into the runner's forward (side views) and `pelvis_fwd` is the pelvis's
/// forward coordinate per sample (None in frontal views, where the backward-motion check does not
/// apply). Two passes: the first finds stances with the landmarks as they are, the second moves the
/// heel down to the sole using them and detects again.
pub fn detect(s: &Series, raw: &Series, side: Side, x_sign: f64, pelvis_fwd: Option<&[f64]>, leg_px: f64) -> (Vec<Contact>, Option<BeltLine>) {
    // the heel's forward path (the ankle's where the heel is not tracked), side views only
    let o = side.offset();
    let once = |offset: f64, drag: bool| -> (Vec<Contact>, Option<BeltLine>, Vec<f64>) {
        let (fx, fy, point) = foot_lowest(s, side, offset);
        let back = if point == FootPoint::HeelOrToe { LEFT_HEEL + o } else { LEFT_ANKLE + o };
        let fwd_raw: Vec<f64> = raw.x[back].iter().map(|x| x_sign * x).collect();
        let rel: Option<Vec<f64>> = pelvis_fwd.map(|p| {
            let fwd: Vec<f64> = fx.iter().map(|x| x_sign * x).collect();
            let v = velocity(&s.t, &fwd);
            let vp = velocity(&s.t, p);
            v.iter().zip(&vp).map(|(a, b)| a - b).collect()
        });
        let Some(belt) = fit_belt(&fx, &fy, rel.as_deref(), BELT_BAND_LEG * leg_px) else { return (Vec::new(), None, fwd_raw) };
        let (rx, ry, _) = foot_lowest(raw, side, offset);
        // a 3-sample median removes one-frame dips (a blurred foot's landmark jumping to the belt)
        // and leaves monotonic descents, steps and plateaus as they are
        let h_raw = median3(&height(&rx, &ry, &belt));
        let h = median3(&height(&fx, &fy, &belt));
        let drag_cue = (drag && pelvis_fwd.is_some()).then_some(&fwd_raw[..]);
        (contacts(&s.t, &h, Some(&h_raw), drag_cue, rel.as_deref(), side, point, leg_px), Some(belt), fwd_raw.clone())
    };
    let (first, _, fwd_raw) = once(0.0, false);
    let offset = heel_sole_offset(s, side, &first);
    // the drag cue needs stances in which the belt was seen carrying the foot back
    let drag = belt_speed(&s.t, &fwd_raw, &first).is_some();
    let (c, b, _) = once(offset, drag);
    (c, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_extrapolates_linear_descent_to_zero() {
        // h = 10 - 100 t: reaches 0 at t = 0.1; samples at 0.08 (h=2) and 0.1+? use thr 3
        let t = crossing_to_zero(0.05, 5.0, 0.0833, 1.67, 3.0);
        assert!((t - 0.1).abs() < 1e-3, "{t}");
    }

    #[test]
    fn contacts_found_on_square_wave_with_descents() {
        let fs = 100.0;
        let t: Vec<f64> = (0..300).map(|i| i as f64 / fs).collect();
        // contact from 0.503 to 0.803 s, linear descent/ascent of 500 px/s outside
        let h: Vec<f64> = t.iter().map(|&x| if x < 0.503 { (0.503 - x) * 500.0 } else if x <= 0.803 { 0.0 } else { (x - 0.803) * 500.0 }).collect();
        let c = contacts(&t, &h, None, None, None, Side::Left, FootPoint::HeelOrToe, 400.0);
        assert_eq!(c.len(), 1);
        assert!((c[0].ic_time_s - 0.503).abs() < 1e-4, "{}", c[0].ic_time_s);
        assert!((c[0].to_time_s.unwrap() - 0.803).abs() < 1e-4, "{:?}", c[0].to_time_s);
    }
}
