//! Per-step measurements from cleaned, level landmark series and the detected contacts. Pure
//! geometry; every angle in degrees, every distance in pixels here (the caller scales to % of leg
//! length and cm).
//!
//! Conventions. Side views work in runner coordinates: X forward (the way the runner faces), Y up.
//! Frontal views: X towards the runner's right, Y up. So a mirrored video gives the same numbers.

use super::events::Side;
use super::geometry::dist;
use super::series::{interp, Series};
use crate::pose::idx::*;

/// A point in runner coordinates.
pub(crate) use super::geometry::P;

/// Runner-coordinate view of a series: x scaled by `x_sign` (+1/−1), y flipped to point up.
pub(crate) struct RunnerCoords<'a> {
    pub s: &'a Series,
    pub x_sign: f64,
}

impl RunnerCoords<'_> {
    /// Landmark `lm` at time `t` (linear interpolation between samples).
    pub(crate) fn at(&self, lm: usize, t: f64) -> P {
        [self.x_sign * interp(&self.s.t, &self.s.x[lm], t), -interp(&self.s.t, &self.s.y[lm], t)]
    }
    /// Landmark `lm` at the instant of initial contact `t`, where the leg's motion has a corner
    /// (the landing), so a straight interpolation across it would cut the corner. Each side of the
    /// corner is a smooth path: a least-squares line through the last [`CONTACT_SAMPLES`] measured
    /// samples before `t` and one through the first after it (at least two each) are each
    /// extrapolated to `t`, and the two are blended, each weighted by how near its samples are (the
    /// nearer side extrapolates less, so errs less). One side alone where the other has too few.
    pub(crate) fn at_contact(&self, lm: usize, t: f64) -> P {
        let ts = &self.s.t;
        let (xs, ys, vis) = (&self.s.x[lm], &self.s.y[lm], &self.s.vis[lm]);
        // measured samples only: a gap filled by interpolation would carry the corner's cut
        let ok = |i: usize| i < ts.len() && xs[i].is_finite() && ys[i].is_finite() && vis[i] >= super::signal::MIN_VISIBILITY;
        // least-squares line through the samples, evaluated at t
        let line = |idx: &[usize]| -> [f64; 2] {
            let n = idx.len() as f64;
            let mt = idx.iter().map(|&i| ts[i]).sum::<f64>() / n;
            let stt: f64 = idx.iter().map(|&i| (ts[i] - mt).powi(2)).sum();
            let at = |v: &[f64]| {
                let mv = idx.iter().map(|&i| v[i]).sum::<f64>() / n;
                let b = idx.iter().map(|&i| (ts[i] - mt) * (v[i] - mv)).sum::<f64>() / stt;
                mv + b * (t - mt)
            };
            [at(xs), at(ys)]
        };
        let k = ts.partition_point(|&x| x < t);
        let reach = CONTACT_REACH;
        let after: Vec<usize> = (k..(k + reach).min(ts.len())).filter(|&i| ok(i)).take(CONTACT_SAMPLES).collect();
        let before: Vec<usize> = (k.saturating_sub(reach)..k).rev().filter(|&i| ok(i)).take(CONTACT_SAMPLES).collect();
        let after = (after.len() >= 2).then(|| (line(&after), ts[after[0]] - t));
        let before = (before.len() >= 2).then(|| (line(&before), t - ts[before[0]]));
        let p = match (before, after) {
            (Some((pb, db)), Some((pa, da))) => {
                let w_after = if db + da > 0.0 { db / (db + da) } else { 1.0 };
                [w_after * pa[0] + (1.0 - w_after) * pb[0], w_after * pa[1] + (1.0 - w_after) * pb[1]]
            }
            (None, Some((pa, _))) => pa,
            (Some((pb, _)), None) => pb,
            (None, None) => return self.at(lm, t),
        };
        [self.x_sign * p[0], -p[1]]
    }

    /// Landmark `lm` at instant `t` from one side of it only: a straight line through the two
    /// nearest measured samples after `t` (`after`) or before it, extrapolated to `t`. For paths that
    /// are smooth on that side only: the heel after IC rides the belt (a straight line); the foot's
    /// angle before IC changes slowly in the air, and quickly after it as the foot slaps flat.
    pub(crate) fn at_contact_from(&self, lm: usize, t: f64, after: bool) -> P {
        let ts = &self.s.t;
        let (xs, ys, vis) = (&self.s.x[lm], &self.s.y[lm], &self.s.vis[lm]);
        let ok = |i: usize| i < ts.len() && xs[i].is_finite() && ys[i].is_finite() && vis[i] >= super::signal::MIN_VISIBILITY;
        let k = ts.partition_point(|&x| x < t);
        let idx: Vec<usize> = if after {
            (k..(k + CONTACT_REACH).min(ts.len())).filter(|&i| ok(i)).take(2).collect()
        } else {
            (k.saturating_sub(CONTACT_REACH)..k).rev().filter(|&i| ok(i)).take(2).collect()
        };
        if idx.len() < 2 {
            return self.at_contact(lm, t);
        }
        let (a, b) = (idx[0], idx[1]);
        let f = (t - ts[a]) / (ts[b] - ts[a]);
        [self.x_sign * (xs[a] + f * (xs[b] - xs[a])), -(ys[a] + f * (ys[b] - ys[a]))]
    }

    pub(crate) fn sample(&self, lm: usize, i: usize) -> P {
        [self.x_sign * self.s.x[lm][i], -self.s.y[lm][i]]
    }
}

/// How many samples either side of a contact [`RunnerCoords::at_contact`] looks through for measured ones.
pub(crate) const CONTACT_REACH: usize = 5;
/// Samples each side's line is fitted through.
pub(crate) const CONTACT_SAMPLES: usize = 2;

/// Angle of the vector a→b from straight down, degrees, positive when b is ahead (+X) of a.
pub(crate) fn angle_from_down(a: P, b: P) -> f64 {
    (b[0] - a[0]).atan2(a[1] - b[1]).to_degrees()
}

/// Angle of the vector a→b from straight up, degrees, positive when b is ahead (+X) of a.
pub(crate) fn angle_from_up(a: P, b: P) -> f64 {
    (b[0] - a[0]).atan2(b[1] - a[1]).to_degrees()
}

/// Angle of a→b above the horizontal (+X direction), degrees.
pub(crate) fn angle_above_horizontal(a: P, b: P) -> f64 {
    (b[1] - a[1]).atan2(b[0] - a[0]).to_degrees()
}

/// Knee flexion: 180° minus the hip–knee–ankle angle (0 = straight).
pub(crate) fn knee_flexion(hip: P, knee: P, ankle: P) -> f64 {
    let (u, v) = ([hip[0] - knee[0], hip[1] - knee[1]], [ankle[0] - knee[0], ankle[1] - knee[1]]);
    let c = (u[0] * v[0] + u[1] * v[1]) / (u[0].hypot(u[1]) * v[0].hypot(v[1]));
    180.0 - c.clamp(-1.0, 1.0).acos().to_degrees()
}

/// Frontal-plane projection angle at the knee: 180° minus the hip–knee–ankle angle, positive when
/// the knee lies medial of the hip–ankle line (valgus). `medial_sign` is +1 when medial is +X.
pub(crate) fn fppa(hip: P, knee: P, ankle: P, medial_sign: f64) -> f64 {
    let unsigned = knee_flexion(hip, knee, ankle);
    // signed distance of the knee from the hip→ankle line, along X
    let t = if (ankle[1] - hip[1]).abs() > 1e-9 { (knee[1] - hip[1]) / (ankle[1] - hip[1]) } else { 0.5 };
    let x_on_line = hip[0] + t * (ankle[0] - hip[0]);
    if (knee[0] - x_on_line) * medial_sign >= 0.0 {
        unsigned
    } else {
        -unsigned
    }
}

/// Contralateral pelvic drop: the hip line's angle to the horizontal, positive when the swing side's
/// hip is lower than the stance side's.
pub(crate) fn pelvic_drop(stance_hip: P, swing_hip: P) -> f64 {
    (stance_hip[1] - swing_hip[1]).atan2((stance_hip[0] - swing_hip[0]).abs()).to_degrees()
}

pub(crate) fn leg_landmarks(side: Side) -> (usize, usize, usize, usize, usize) {
    let o = side.offset();
    (LEFT_HIP + o, LEFT_KNEE + o, LEFT_ANKLE + o, LEFT_HEEL + o, LEFT_FOOT_INDEX + o)
}

/// Leg length, pixels: thigh (hip→knee) plus shank (knee→ankle), each the 90th percentile of its
/// length over all samples of both legs. A high percentile because a segment seen at an angle to the
/// image plane looks shorter (frontal views) but never longer; in side views all samples agree.
pub(crate) fn leg_length(s: &Series) -> Option<f64> {
    let seg = |a: usize, b: usize| -> Option<f64> {
        let mut v = Vec::new();
        for o in 0..2 {
            for i in 0..s.len() {
                let l = dist(s.point(a + o, i), s.point(b + o, i));
                if l.is_finite() && l > 0.0 {
                    v.push(l);
                }
            }
        }
        super::stats::percentile(&v, 0.9)
    };
    Some(seg(LEFT_HIP, LEFT_KNEE)? + seg(LEFT_KNEE, LEFT_ANKLE)?)
}

/// Samples of `f` between two times (inclusive), skipping non-finite values.
pub(crate) fn over(s: &Series, t0: f64, t1: f64, mut f: impl FnMut(usize) -> f64) -> Vec<f64> {
    (0..s.len()).filter(|&i| s.t[i] >= t0 - 1e-9 && s.t[i] <= t1 + 1e-9).map(&mut f).filter(|v| v.is_finite()).collect()
}

pub(crate) fn max_of(v: &[f64]) -> Option<f64> {
    v.iter().copied().fold(None, |m, x| Some(m.map_or(x, |m: f64| m.max(x))))
}

pub(crate) fn mean_of(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angles_have_the_stated_signs() {
        assert!((angle_from_down([0.0, 0.0], [1.0, -1.0]) - 45.0).abs() < 1e-9);
        assert!((angle_from_up([0.0, 0.0], [-1.0, 1.0]) + 45.0).abs() < 1e-9);
        assert!((knee_flexion([0.0, 2.0], [0.0, 1.0], [0.0, 0.0])).abs() < 1e-9);
        assert!((knee_flexion([0.0, 2.0], [0.0, 1.0], [1.0, 1.0]) - 90.0).abs() < 1e-9);
        assert!((angle_above_horizontal([0.0, 0.0], [1.0, 1.0]) - 45.0).abs() < 1e-9);
        // left leg seen from behind: medial is +X; knee pushed to +X → positive (valgus)
        let v = fppa([0.0, 2.0], [0.1, 1.0], [0.0, 0.0], 1.0);
        assert!(v > 0.0 && (v - 2.0 * (0.1f64).atan().to_degrees()).abs() < 1e-9);
        assert!(fppa([0.0, 2.0], [-0.1, 1.0], [0.0, 0.0], 1.0) < 0.0);
        // swing hip 1 lower over 10 apart
        assert!((pelvic_drop([0.0, 0.0], [10.0, -1.0]) - (0.1f64).atan().to_degrees()).abs() < 1e-9);
    }
}
