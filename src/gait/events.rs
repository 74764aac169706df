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

fn percentile(v: &[f64], p: f64) -> Option<f64> {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    Some(s[((s.len() - 1) as f64 * p).round() as usize])
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
pub const MAX_TILT_DEG: f64 = 10.0;

/// Fits the line the foot slides along in stance. First guess: a level line through the lowest
/// quarter of the samples; then, three times, a least-squares line through every sample within
/// `band_px` of the current line (the stance samples along the whole belt, front to back).
pub fn fit_belt(feet: &[(&[f64], &[f64])], fit_slope: bool, band_px: f64) -> Option<BeltLine> {
    let mut all = Vec::new();
    let mut line = None;
    for &(xs, ys) in feet {
        let p75 = percentile(ys, 0.75)?;
        all.extend(xs.iter().zip(ys.iter()).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| (*x, *y)));
        line = Some(line.map_or(p75, |l: f64| l.max(p75)));
    }
    let mut belt = BeltLine { a: line?, b: 0.0 };
    for _ in 0..3 {
        let pts: Vec<(f64, f64)> = all.iter().copied().filter(|&(x, y)| belt.y_at(x) - y < band_px).collect();
        if pts.len() < 3 {
            break;
        }
        let n = pts.len() as f64;
        let (mx, my) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let b = if fit_slope && sxx > 0.0 { sxy / sxx } else { 0.0 };
        let b = if b.atan().to_degrees().abs() > MAX_TILT_DEG { 0.0 } else { b };
        // the belt is the middle of the stance samples' spread about the line
        let mut res: Vec<f64> = pts.iter().map(|p| p.1 - b * p.0).collect();
        res.sort_by(f64::total_cmp);
        belt = BeltLine { a: res[res.len() / 2], b };
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
pub fn contacts(t: &[f64], h: &[f64], rel_vx: Option<&[f64]>, side: Side, foot_point: FootPoint, leg_px: f64) -> Vec<Contact> {
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
        let ic = crossing_to_zero(t[first - 1], h[first - 1], t[first], h[first], thr);
        let to = (last + 1 < n && h[last + 1].is_finite()).then(|| crossing_to_zero(t[last], h[last], t[last + 1], h[last + 1], thr));
        let duration = to.unwrap_or(t[last]) - ic;
        if duration < MIN_CONTACT_S || last == first && to.is_none() {
            continue;
        }
        if let Some(v) = rel_vx {
            let vals: Vec<f64> = v[first..=last].iter().copied().filter(|x| x.is_finite()).collect();
            if !vals.is_empty() && vals.iter().sum::<f64>() / vals.len() as f64 >= 0.0 {
                continue; // not moving backwards under the runner: not a stance
            }
        }
        out.push(Contact { side, ic_time_s: ic, to_time_s: to, first, last, foot_point });
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

/// All contacts of one foot. `x_sign` turns image x into the runner's forward (side views) and
/// `pelvis_fwd` is the pelvis's forward coordinate per sample (None in frontal views, where the
/// backward-motion check does not apply). Two passes: the first finds stances with the raw foot
/// points, the second moves the heel down to the sole using them and detects again.
pub fn detect(s: &Series, side: Side, x_sign: f64, pelvis_fwd: Option<&[f64]>, leg_px: f64) -> (Vec<Contact>, Option<BeltLine>) {
    let once = |offset: f64| -> (Vec<Contact>, Option<BeltLine>) {
        let (fx, fy, point) = foot_lowest(s, side, offset);
        let Some(belt) = fit_belt(&[(&fx, &fy)], true, BELT_BAND_LEG * leg_px) else { return (Vec::new(), None) };
        let h = height(&fx, &fy, &belt);
        let rel: Option<Vec<f64>> = pelvis_fwd.map(|p| {
            let fwd: Vec<f64> = fx.iter().map(|x| x_sign * x).collect();
            let v = velocity(&s.t, &fwd);
            let vp = velocity(&s.t, p);
            v.iter().zip(&vp).map(|(a, b)| a - b).collect()
        });
        (contacts(&s.t, &h, rel.as_deref(), side, point, leg_px), Some(belt))
    };
    let (first, _) = once(0.0);
    let offset = heel_sole_offset(s, side, &first);
    once(offset)
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
        // contact from 0.5 to 0.8 s, linear descent/ascent of 500 px/s outside
        let h: Vec<f64> = t.iter().map(|&x| if x < 0.5 { (0.5 - x) * 500.0 } else if x <= 0.8 { 0.0 } else { (x - 0.8) * 500.0 }).collect();
        let c = contacts(&t, &h, None, Side::Left, FootPoint::HeelOrToe, 400.0);
        assert_eq!(c.len(), 1);
        assert!((c[0].ic_time_s - 0.5).abs() < 1e-6, "{}", c[0].ic_time_s);
        assert!((c[0].to_time_s.unwrap() - 0.8).abs() < 1e-6);
    }
}
