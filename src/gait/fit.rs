//! Small least-squares fits shared by the event detectors: normal equations, the search of an
//! event time on a grid (best fit, or its posterior), and a window's median and slope.

use super::stats::median_upper;

/// Solves the leading k×k block of the system by Gaussian elimination with partial pivoting.
pub(crate) fn solve<const N: usize>(mut m: [[f64; N]; N], mut r: [f64; N], k: usize) -> Option<[f64; N]> {
    for col in 0..k {
        let piv = (col..k).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
        if m[piv][col].abs() < 1e-12 {
            return None;
        }
        m.swap(col, piv);
        r.swap(col, piv);
        for row in col + 1..k {
            let f = m[row][col] / m[col][col];
            let pivot_row = m[col];
            for (x, p) in m[row][col..k].iter_mut().zip(&pivot_row[col..k]) {
                *x -= f * p;
            }
            r[row] -= f * r[col];
        }
    }
    let mut x = [0.0; N];
    for row in (0..k).rev() {
        let s: f64 = (row + 1..k).map(|c2| m[row][c2] * x[c2]).sum();
        x[row] = (r[row] - s) / m[row][row];
    }
    Some(x)
}

/// Least squares over rows (regressors, value) using the first `k` regressors: the coefficients and
/// the sum of squared residuals.
pub(crate) fn lstsq(rows: &[([f64; 4], f64)], k: usize) -> Option<([f64; 4], f64)> {
    if rows.len() < k {
        return None;
    }
    let mut m = [[0.0f64; 4]; 4];
    let mut r = [0.0f64; 4];
    for (x, y) in rows {
        for a in 0..k {
            r[a] += x[a] * y;
            for b in 0..k {
                m[a][b] += x[a] * x[b];
            }
        }
    }
    let coef = solve(m, r, k)?;
    let sse = rows.iter().map(|(x, y)| (y - (0..k).map(|a| coef[a] * x[a]).sum::<f64>()).powi(2)).sum();
    Some((coef, sse))
}

/// An event time's posterior over a grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Posterior {
    /// The grid time of least squared error.
    pub best: f64,
    pub mean: f64,
    pub sd: f64,
    /// The noise SD the likelihood used, in the fitted signal's units.
    pub noise: f64,
}

/// The posterior of an event time c on a grid of `step` over [t0, t1], from each c's least-squares
/// fit (`sse_at`; None where no fit is allowed): Gaussian noise of SD σ gives the likelihood
/// exp(−(SSE(c) − SSE_min) / 2σ²), with σ² = SSE_min / `dof` (at least `min_noise`²) — the fit's
/// own residuals. A flat prior over the window.
pub(crate) fn posterior_on_grid(
    t0: f64,
    t1: f64,
    step: f64,
    dof: usize,
    min_noise: f64,
    sse_at: impl Fn(f64) -> Option<f64>,
) -> Option<Posterior> {
    if !(t1 > t0) || !(step > 0.0) {
        return None;
    }
    let n = ((t1 - t0) / step).ceil() as usize;
    let grid: Vec<(f64, f64)> =
        (0..=n).map(|i| t0 + (t1 - t0) * i as f64 / n as f64).filter_map(|c| sse_at(c).filter(|e| e.is_finite()).map(|e| (c, e))).collect();
    let &(best, min) = grid.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let noise = (min / dof.max(1) as f64).sqrt().max(min_noise);
    let w: Vec<f64> = grid.iter().map(|(_, e)| (-(e - min) / (2.0 * noise * noise)).exp()).collect();
    let sw: f64 = w.iter().sum();
    let mean = grid.iter().zip(&w).map(|((c, _), w)| c * w).sum::<f64>() / sw;
    let var = grid.iter().zip(&w).map(|((c, _), w)| (c - mean).powi(2) * w).sum::<f64>() / sw;
    Some(Posterior { best, mean, sd: var.sqrt(), noise })
}

/// The corner time c in [t0, t1] whose fit leaves the least squared error (`sse_at`; None where no
/// fit is allowed): a coarse grid of [`COARSE_STEPS`], then the best cell and its neighbours again
/// at [`FINE_STEP_S`].
pub(super) fn best_on_grid(t0: f64, t1: f64, sse_at: impl Fn(f64) -> Option<f64>) -> Option<f64> {
    let scan = |a: f64, b: f64, steps: usize| -> Option<(f64, f64)> {
        let mut best: Option<(f64, f64)> = None;
        for i in 0..=steps {
            let c = a + (b - a) * i as f64 / steps as f64;
            if let Some(e) = sse_at(c) {
                if best.is_none_or(|(b, _)| e < b) {
                    best = Some((e, c));
                }
            }
        }
        best
    };
    let cell = (t1 - t0) / COARSE_STEPS as f64;
    let (_, c) = scan(t0, t1, COARSE_STEPS)?;
    let (a, b) = ((c - 2.0 * cell).max(t0), (c + 2.0 * cell).min(t1));
    scan(a, b, (((b - a) / FINE_STEP_S).ceil() as usize).max(1)).map(|(_, c)| c)
}

/// Corner searches: coarse grid cells over the window…
pub(crate) const COARSE_STEPS: usize = 200;
/// …then this resolution around the best, seconds.
pub(crate) const FINE_STEP_S: f64 = 2e-5;

pub(super) fn median_in(t: &[f64], v: &[f64], t0: f64, t1: f64) -> Option<f64> {
    median_upper(&t.iter().zip(v).filter(|(a, b)| **a >= t0 && **a <= t1 && b.is_finite()).map(|(_, b)| *b).collect::<Vec<_>>())
}

/// Least-squares slope of v over t within [t0, t1] (at least three samples).
pub(super) fn slope_in(t: &[f64], v: &[f64], t0: f64, t1: f64) -> Option<f64> {
    let pts: Vec<(f64, f64)> = t.iter().zip(v).filter(|(a, b)| **a >= t0 && **a <= t1 && b.is_finite()).map(|(a, b)| (*a, *b)).collect();
    if pts.len() < 3 {
        return None;
    }
    let n = pts.len() as f64;
    let (mt, mv) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
    let stt: f64 = pts.iter().map(|p| (p.0 - mt).powi(2)).sum();
    (stt > 0.0).then(|| pts.iter().map(|p| (p.0 - mt) * (p.1 - mv)).sum::<f64>() / stt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lstsq_recovers_a_line_and_the_posterior_centres_on_a_parabola() {
        let rows: Vec<([f64; 4], f64)> = (0..5).map(|i| ([1.0, i as f64, 0.0, 0.0], 2.0 + 3.0 * i as f64)).collect();
        let (c, sse) = lstsq(&rows, 2).unwrap();
        assert!((c[0] - 2.0).abs() < 1e-9 && (c[1] - 3.0).abs() < 1e-9 && sse < 1e-18);
        let p = posterior_on_grid(0.0, 1.0, 0.001, 10, 0.1, |c| Some(1.0 + 400.0 * (c - 0.3f64).powi(2))).unwrap();
        assert!((p.best - 0.3).abs() < 1e-9 && (p.mean - 0.3).abs() < 1e-3, "{p:?}");
        // σ² = 1/10; SSE − min = 400 (c − 0.3)² → SD √(σ²/400) = 0.0158
        assert!((p.sd - (0.1f64 / 400.0).sqrt()).abs() < 1e-3, "{p:?}");
    }
}
