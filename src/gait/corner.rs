//! The corner of a foot's height where it reaches or leaves the belt, fitted to a fraction of a
//! frame around a threshold crossing (a hinge: the belt, then a descent or an ascent). Both views'
//! detectors time contacts with it (frontal views: IC and TO; side views: TO).

use super::fit::{best_on_grid, solve};

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

/// The instant the foot reaches (`down`) or leaves the belt, around the smoothed height's threshold
/// crossing between samples k and k+1: a hinge — the belt, then a straight descent or ascent — fitted
/// to the unsmoothed height `h_raw` there; its corner is the event.
pub(super) fn timed_crossing(t: &[f64], h: &[f64], h_raw: Option<&[f64]>, k: usize, down: bool, thr: f64) -> f64 {
    let r = h_raw.unwrap_or(h);
    let dt = (t[1] - t[0]).abs().max(1e-6);
    let (lo, hi) = hinge_window(k, h.len(), dt, down);
    hinge(&t[lo..=hi], &r[lo..=hi], down).unwrap_or_else(|| crossing_to_zero(t[k], h[k], t[k + 1], h[k + 1], thr))
}

/// The sample range a corner is fitted over around the crossing between samples k and k+1 of n:
/// [`HINGE_AIR_WINDOW_S`] on the air side, [`HINGE_GROUND_WINDOW_S`] on the belt side (at least two
/// samples each), for a landing (`down`) or a lift-off.
pub(crate) fn hinge_window(k: usize, n: usize, dt: f64, down: bool) -> (usize, usize) {
    let m_air = ((HINGE_AIR_WINDOW_S / dt).ceil() as usize).max(2);
    let m_gnd = ((HINGE_GROUND_WINDOW_S / dt).ceil() as usize).max(2);
    let (before, after) = if down { (m_air, m_gnd) } else { (m_gnd, m_air) };
    (k.saturating_sub(before), (k + 1 + after).min(n - 1))
}

/// The window a contact's corner is fitted in: this long on the air side of the threshold crossing…
pub(crate) const HINGE_AIR_WINDOW_S: f64 = 0.13;
/// …and this long on the belt side, seconds.
pub(crate) const HINGE_GROUND_WINDOW_S: f64 = 0.1;

/// Least-squares fit of a corner to the height around a contact: h(t) = g + v·a + u·a² + w·d,
/// where a = max(0, c − t) is the time still in the air before the corner (a descent onto the belt,
/// `down`; mirrored for a lift-off) and d = max(0, t − c) the time on the belt after it. The quadratic
/// term lets the foot's path bend as it nears the belt and is used only when at least four samples
/// lie in the air (high frame rates); the belt-side slope w absorbs a stance path that is not quite
/// level. The corner c is searched on a grid between the first and last sample ([`best_on_grid`]); for each, the
/// coefficients come from the normal equations. Returns c.
pub(crate) fn hinge(ts: &[f64], hs: &[f64], down: bool) -> Option<f64> {
    let pts: Vec<(f64, f64)> = ts.iter().zip(hs).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| (*a, *b)).collect();
    if pts.len() < 4 {
        return None;
    }
    let (t0, t1) = (pts[0].0, pts[pts.len() - 1].0);
    best_on_grid(t0, t1, |c| {
        let air = |t: f64| if down { (c - t).max(0.0) } else { (t - c).max(0.0) };
        let gnd = |t: f64| if down { (t - c).max(0.0) } else { (c - t).max(0.0) };
        let n_air = pts.iter().filter(|p| air(p.0) > 0.0).count();
        let n_gnd = pts.len() - n_air;
        if n_air < 2 || n_gnd < 2 {
            return None;
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
        let sol = solve(m, r, k)?;
        if sol[1] <= 0.0 || sol[1].is_nan() {
            return None; // the corner must bend the stated way
        }
        Some(
            pts.iter()
                .map(|&(t, h)| {
                    let x = reg(t);
                    (h - (0..k).map(|p| sol[p] * x[p]).sum::<f64>()).powi(2)
                })
                .sum(),
        )
    })
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
}
