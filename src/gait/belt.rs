//! The belt line and the foot's height above it: the foot's lowest point, the line the stance foot
//! slides along (it also gives the camera's tilt), the height above it, the threshold under which a
//! foot is on the belt, and what the stances give back (the heel-to-sole offset, the belt's speed).

use super::events::{Contact, FootPoint};
use super::series::Series;
use super::side::Side;
use super::stats::{median_upper, percentile};
use crate::pose::idx::*;

/// Contact threshold: at least this fraction of leg length above the belt…
pub(crate) const MIN_THRESHOLD_LEG: f64 = 0.025;
/// …and at least this many noise standard deviations.
pub(crate) const THRESHOLD_SIGMAS: f64 = 3.0;

/// The foot's lowest point per sample: (x, y, which point). `heel_offset` (pixels, downwards) moves
/// the heel landmark — which BlazePose places at the back of the heel, above the sole — down to the
/// sole (see [`heel_sole_offset`]).
pub(crate) fn foot_lowest(s: &Series, side: Side, heel_offset: f64) -> (Vec<f64>, Vec<f64>, FootPoint) {
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
pub(crate) struct BeltLine {
    pub a: f64,
    pub b: f64,
}

impl BeltLine {
    pub(crate) fn y_at(&self, x: f64) -> f64 {
        self.a + self.b * x
    }
    /// The belt's tilt in the image, degrees (positive: lower on the right).
    pub(crate) fn tilt_deg(&self) -> f64 {
        self.b.atan().to_degrees()
    }
}

/// Samples within this fraction of leg length of the belt line count as stance when fitting it.
pub(crate) const BELT_BAND_LEG: f64 = 0.06;
/// Largest belt tilt accepted from the fit; beyond it the camera or the fit is not trusted.
pub(crate) const MAX_TILT_DEG: f64 = 30.0;

/// Fits the line the foot slides along in stance. The first guess: in side views (`fwd_velocity`
/// given: the foot's forward speed relative to the pelvis) a least-squares line through the
/// samples where the foot moves backwards in the lower half of its range — on a treadmill, the
/// stance, wherever it is along the belt; in frontal views a level line through the lowest quarter.
/// Then, three times, a least-squares line through every sample within `band_px` of the current
/// line. The line may slope: a camera not square to the treadmill sees the belt run obliquely.
pub(crate) fn fit_belt(xs: &[f64], ys: &[f64], fwd_velocity: Option<&[f64]>, band_px: f64) -> Option<BeltLine> {
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
        let res: Vec<f64> = pts.iter().map(|p| p.1 - b * p.0).collect();
        Some(BeltLine { a: median_upper(&res)?, b })
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
pub(crate) fn height(xs: &[f64], ys: &[f64], belt: &BeltLine) -> Vec<f64> {
    xs.iter().zip(ys).map(|(&x, &y)| belt.y_at(x) - y).collect()
}

/// The height below which a foot is on the belt: at least [`MIN_THRESHOLD_LEG`] of leg length and
/// [`THRESHOLD_SIGMAS`] times the height's noise — the robust spread of its second difference near
/// the belt (a straight descent has none; white noise of SD σ gives second differences of SD σ·√6).
pub(crate) fn contact_threshold(h: &[f64], leg_px: f64) -> f64 {
    let n = h.len();
    let d2: Vec<f64> = (1..n.saturating_sub(1))
        .filter(|&i| h[i].is_finite() && h[i].abs() < 0.06 * leg_px)
        .map(|i| h[i - 1] - 2.0 * h[i] + h[i + 1])
        .filter(|v| v.is_finite())
        .map(f64::abs)
        .collect();
    let sd = percentile(&d2, 0.5).map(|mad| 1.4826 * mad / 6f64.sqrt()).unwrap_or(0.0);
    (MIN_THRESHOLD_LEG * leg_px).max(THRESHOLD_SIGMAS * sd)
}

/// The belt's speed (pixels/s): the foot's backward speed over the middle half of each stance.
pub(crate) fn belt_speed(t: &[f64], fwd: &[f64], contacts: &[Contact]) -> Option<f64> {
    let v: Vec<f64> = contacts
        .iter()
        .filter_map(|c| {
            let (a, b) = (c.first + (c.last - c.first) / 4, c.last - (c.last - c.first) / 4);
            (b > a && fwd[a].is_finite() && fwd[b].is_finite()).then(|| -(fwd[b] - fwd[a]) / (t[b] - t[a]))
        })
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    median_upper(&v)
}

/// How far the heel landmark sits above the toe landmark when the foot is flat on the belt
/// (mid-stance of the given contacts): the median of toe y − heel y there, never negative.
pub(crate) fn heel_sole_offset(s: &Series, side: Side, contacts: &[Contact]) -> f64 {
    let o = side.offset();
    let d: Vec<f64> = contacts
        .iter()
        .filter(|c| c.side == side)
        .map(|c| (c.first + c.last) / 2)
        .map(|i| s.y[LEFT_FOOT_INDEX + o][i] - s.y[LEFT_HEEL + o][i])
        .filter(|v| v.is_finite())
        .collect();
    median_upper(&d).map_or(0.0, |m| m.max(0.0))
}
