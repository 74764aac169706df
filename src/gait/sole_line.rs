//! Side views: the height of the sole measured from the pixels ([`crate::pose::sole`]) above the belt
//! under that foot, for the landing model's height cue ([`super::landing`]).
//!
//! In stance the shoe's lowest point is on the belt and carried along it, so its image positions lie
//! on one line, y = a + b·x: the belt's surface in that foot's lane, seen from this camera (the far
//! foot's lane is higher in the image than the near one's, and the two differ a little from step to
//! step). The line is fitted to the flat part of this stance (robustly, then by least squares
//! over the points near it), leaving out the points off it (a blurred frame, a point on the other shoe); each sample's height is then the
//! line's y at its x less its y. No drift in time is removed: the line *is* the belt, and a point in
//! the air is above it however long before the contact it is.
//!
//! A stance whose points do not lie on a line (a moving camera, a shoe not told from the belt on
//! most frames) gives None: the landing is then timed from the landmarks.

/// Points within this many pixels of the first line (or this fraction of the stance's length along
/// the belt, if more: a larger picture blurs more pixels) are kept for the second fit.
pub(crate) const INLIER_PX: f64 = 3.0;
pub(crate) const INLIER_SPAN_FRACTION: f64 = 0.015;
/// The stance needs this many sole points…
pub(crate) const MIN_POINTS: usize = 3;
/// …and this fraction of them on the line.
pub(crate) const MIN_INLIER_FRACTION: f64 = 0.6;

/// Least-squares line y = a + b·x through the points: (a, b).
fn line(p: &[[f64; 2]]) -> Option<(f64, f64)> {
    if p.len() < 2 {
        return None;
    }
    let n = p.len() as f64;
    let (mx, my) = (p.iter().map(|v| v[0]).sum::<f64>() / n, p.iter().map(|v| v[1]).sum::<f64>() / n);
    let sxx: f64 = p.iter().map(|v| (v[0] - mx).powi(2)).sum();
    if !(sxx > 1e-9) {
        return None;
    }
    let b = p.iter().map(|v| (v[0] - mx) * (v[1] - my)).sum::<f64>() / sxx;
    Some((my - b * mx, b))
}

/// Theil–Sen line: the median of the pairwise slopes, then the median intercept (robust to the odd
/// point off the line, which a least-squares first fit would be pulled towards).
fn robust_line(p: &[[f64; 2]]) -> Option<(f64, f64)> {
    let mut slopes = Vec::with_capacity(p.len() * p.len() / 2);
    for (i, a) in p.iter().enumerate() {
        for b in &p[i + 1..] {
            if (b[0] - a[0]).abs() > 1e-9 {
                slopes.push((b[1] - a[1]) / (b[0] - a[0]));
            }
        }
    }
    if slopes.is_empty() {
        return None;
    }
    slopes.sort_by(f64::total_cmp);
    let b = slopes[slopes.len() / 2];
    let mut ints: Vec<f64> = p.iter().map(|v| v[1] - b * v[0]).collect();
    ints.sort_by(f64::total_cmp);
    Some((ints[ints.len() / 2], b))
}

/// Each sample's height above the belt line of the stance whose flat part is `[t0, t1]` (pixels,
/// up; NaN where the sole was not measured), or None when that stance does not give a line.
pub(crate) fn heights(t: &[f64], sole: &[[f64; 2]], t0: f64, t1: f64) -> Option<Vec<f64>> {
    if sole.len() != t.len() {
        return None;
    }
    let pts: Vec<[f64; 2]> =
        t.iter().zip(sole).filter(|(tt, p)| **tt >= t0 && **tt <= t1 && p[0].is_finite() && p[1].is_finite()).map(|(_, p)| *p).collect();
    if pts.len() < MIN_POINTS {
        return None;
    }
    let (a0, b0) = robust_line(&pts)?;
    let span = pts.iter().map(|p| p[0]).fold(f64::NEG_INFINITY, f64::max) - pts.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min);
    let reach = INLIER_PX.max(INLIER_SPAN_FRACTION * span);
    let inliers: Vec<[f64; 2]> = pts.iter().filter(|p| (a0 + b0 * p[0] - p[1]).abs() <= reach).copied().collect();
    if inliers.len() < MIN_POINTS || (inliers.len() as f64) < MIN_INLIER_FRACTION * pts.len() as f64 {
        return None;
    }
    let (a, b) = line(&inliers).unwrap_or((a0, b0));
    // the belt is not steep in any usable film (a camera rolled by 30° is refused)
    if !(b.abs() < 0.6) {
        return None;
    }
    Some(sole.iter().map(|p| a + b * p[0] - p[1]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sole descending onto a belt line y = 500 + 0.1·x and carried along it (+20 px a frame).
    fn landing() -> (Vec<f64>, Vec<[f64; 2]>) {
        let t: Vec<f64> = (0..12).map(|i| i as f64 / 30.0).collect();
        let sole = (0..12)
            .map(|i| {
                let x = 100.0 + 20.0 * i as f64;
                let above = if i < 4 { 10.0 * (4 - i) as f64 } else { 0.0 };
                [x, 500.0 + 0.1 * x - above]
            })
            .collect();
        (t, sole)
    }

    #[test]
    fn heights_are_zero_on_the_belt_and_the_gap_in_the_air() {
        let (t, mut sole) = landing();
        sole[8] = [f64::NAN; 2];
        sole[9][1] -= 15.0; // a stray point, off the line: left out of the fit
        let h = heights(&t, &sole, t[5], t[11]).unwrap();
        for i in [4, 5, 6, 7, 10, 11] {
            assert!(h[i].abs() < 1e-9, "{i}: {}", h[i]);
        }
        for (i, v) in h.iter().enumerate().take(4) {
            assert!((v - 10.0 * (4 - i) as f64).abs() < 1e-9, "{i}: {v}");
        }
        assert!(h[8].is_nan());
    }

    #[test]
    fn a_stance_off_any_line_gives_none() {
        let (t, mut sole) = landing();
        // every other point 12 px off: no line holds most of them
        for (i, p) in sole.iter_mut().enumerate().skip(5) {
            p[1] += if i % 2 == 0 { 12.0 } else { -12.0 } * (i as f64 - 4.0);
        }
        assert!(heights(&t, &sole, t[5], t[11]).is_none());
        // too few points
        let (t, sole) = landing();
        assert!(heights(&t, &sole, t[10], t[11]).is_none());
        assert!(heights(&t[..3], &sole, t[0], t[2]).is_none());
    }
}
