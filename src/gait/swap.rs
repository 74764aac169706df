//! Left/right swap repair. BlazePose sometimes labels the far leg as the near one for a few frames
//! (side views especially), which would turn one step into nonsense. On each frame we compare the
//! legs' positions with where each leg was predicted to be (constant velocity from the previous two
//! frames): when the crossed assignment fits clearly better, the leg landmarks (knee, ankle, heel,
//! toe) are swapped back. Ambiguous frames — legs side by side mid-swing — are left as they are.

use super::geometry;
use super::series::Series;
use crate::pose::idx::*;

/// Leg landmark pairs (left, right) swapped together.
pub(crate) const LEG_PAIRS: [(usize, usize); 4] =
    [(LEFT_KNEE, RIGHT_KNEE), (LEFT_ANKLE, RIGHT_ANKLE), (LEFT_HEEL, RIGHT_HEEL), (LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX)];

/// A swap is repaired only when the crossed assignment's error is below this fraction of the kept one's…
pub(crate) const SWAP_RATIO: f64 = 0.5;
/// …and the legs are at least this far apart (fraction of leg length), so that they can be told apart.
pub(crate) const MIN_SEPARATION: f64 = 0.15;

fn leg_points(s: &Series, i: usize, left: bool) -> Option<[[f64; 2]; 4]> {
    let mut p = [[0.0; 2]; 4];
    for (k, &(l, r)) in LEG_PAIRS.iter().enumerate() {
        let lm = if left { l } else { r };
        p[k] = s.point(lm, i);
        if !(p[k][0].is_finite() && p[k][1].is_finite()) {
            return None;
        }
    }
    Some(p)
}

fn dist(a: &[[f64; 2]; 4], b: &[[f64; 2]; 4]) -> f64 {
    a.iter().zip(b).map(|(p, q)| geometry::dist(*p, *q)).sum::<f64>() / 4.0
}

fn predict(prev: &[[f64; 2]; 4], prev2: Option<&[[f64; 2]; 4]>) -> [[f64; 2]; 4] {
    match prev2 {
        Some(p2) => {
            let mut out = *prev;
            for k in 0..4 {
                out[k] = [2.0 * prev[k][0] - p2[k][0], 2.0 * prev[k][1] - p2[k][1]];
            }
            out
        }
        None => *prev,
    }
}

/// Repairs swapped legs in place; returns the frames (sample indices) that were swapped back.
pub(crate) fn repair(s: &mut Series, leg_length_px: f64) -> Vec<usize> {
    let mut swapped = Vec::new();
    type LegPoints = [[f64; 2]; 4];
    let mut hist: Vec<Option<(LegPoints, LegPoints)>> = Vec::with_capacity(s.len());
    for i in 0..s.len() {
        let (Some(l), Some(r)) = (leg_points(s, i, true), leg_points(s, i, false)) else {
            hist.push(None);
            continue;
        };
        let prev = i.checked_sub(1).and_then(|k| hist[k]);
        let prev2 = i.checked_sub(2).and_then(|k| hist[k]);
        let (mut l, mut r) = (l, r);
        if let Some((pl, pr)) = prev {
            let (el, er) = (predict(&pl, prev2.as_ref().map(|p| &p.0)), predict(&pr, prev2.as_ref().map(|p| &p.1)));
            let keep = dist(&l, &el) + dist(&r, &er);
            let cross = dist(&l, &er) + dist(&r, &el);
            let separation = dist(&l, &r);
            if cross < SWAP_RATIO * keep && separation > MIN_SEPARATION * leg_length_px {
                for &(a, b) in &LEG_PAIRS {
                    s.swap_at(a, b, i);
                }
                s.swap_soles_at(i);
                std::mem::swap(&mut l, &mut r);
                swapped.push(i);
            }
        }
        hist.push(Some((l, r)));
    }
    swapped
}
