//! Centre of mass from a segmental model (de Leva 1996, male values, adjusting Zatsiorsky–Seluyanov):
//! each segment's mass fraction and the position of its centre along it, from BlazePose landmarks.
//! Approximations stated: the head's centre is taken at the ears' midpoint; the trunk runs from the
//! shoulder centre to the hip centre with its centre at 44.86 % (de Leva's trunk measured from the
//! suprasternale, which sits at about the shoulder joints' height); the hand from the wrist towards
//! the knuckles (index/pinky landmarks). Segments with a missing landmark are left out if they weigh
//! at most 6 % (an arm); beyond that, or without the trunk, the pelvis centre (hip midpoint) stands
//! in, and the result says so.

use super::geometry::{finite, lerp};
use super::series::Series;
use crate::pose::idx::*;

/// (proximal, distal, fraction of the way to the centre, mass fraction) per limb segment, left side;
/// the right side is the same with each index + 1.
const LIMBS: [(usize, usize, f64, f64); 5] = [
    (LEFT_SHOULDER, LEFT_ELBOW, 0.5772, 0.0271),
    (LEFT_ELBOW, LEFT_WRIST, 0.4574, 0.0162),
    (LEFT_HIP, LEFT_KNEE, 0.4095, 0.1416),
    (LEFT_KNEE, LEFT_ANKLE, 0.4459, 0.0433),
    (LEFT_HEEL, LEFT_FOOT_INDEX, 0.4415, 0.0137),
];
const HAND_MASS: f64 = 0.0061;
const HAND_COM: f64 = 0.79;
const HEAD_MASS: f64 = 0.0694;
const TRUNK_MASS: f64 = 0.4346;
const TRUNK_COM_FROM_SHOULDERS: f64 = 0.4486;
/// Largest mass fraction of missing segments the segmental model tolerates (one whole arm is 4.9 %).
pub(crate) const MAX_MISSING_MASS: f64 = 0.06;
const LEFT_EAR: usize = 7;
const RIGHT_EAR: usize = 8;
const LEFT_PINKY: usize = 17;
const LEFT_INDEX: usize = 19;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ComModel {
    /// de Leva 1996 segmental model.
    Segmental,
    /// Hip midpoint, used where a landmark the model needs is missing.
    PelvisCentre,
}

/// Centre of mass at sample `i`.
pub(crate) fn at(s: &Series, i: usize) -> Option<([f64; 2], ComModel)> {
    let p = |lm: usize| s.point(lm, i);
    let pelvis = lerp(p(LEFT_HIP), p(RIGHT_HIP), 0.5);
    if !finite(pelvis) {
        return None;
    }
    let mut parts: Vec<([f64; 2], f64)> = Vec::with_capacity(14);
    parts.push((lerp(p(LEFT_EAR), p(RIGHT_EAR), 0.5), HEAD_MASS));
    let shoulders = lerp(p(LEFT_SHOULDER), p(RIGHT_SHOULDER), 0.5);
    parts.push((lerp(shoulders, pelvis, TRUNK_COM_FROM_SHOULDERS), TRUNK_MASS));
    for side in 0..2 {
        for &(a, b, f, m) in &LIMBS {
            parts.push((lerp(p(a + side), p(b + side), f), m));
        }
        let knuckles = lerp(p(LEFT_PINKY + side), p(LEFT_INDEX + side), 0.5);
        parts.push((lerp(p(LEFT_WRIST + side), knuckles, HAND_COM), HAND_MASS));
    }
    // Segments whose landmarks are missing (typically the far arm, hidden behind the body) are
    // left out and the rest re-weighted, as long as they are a small part of the mass.
    let present: Vec<&([f64; 2], f64)> = parts.iter().filter(|(q, _)| finite(*q)).collect();
    let m: f64 = present.iter().map(|p| p.1).sum();
    if m >= 1.0 - MAX_MISSING_MASS && finite(parts[1].0) {
        let x = present.iter().map(|p| p.0[0] * p.1).sum::<f64>() / m;
        let y = present.iter().map(|p| p.0[1] * p.1).sum::<f64>() / m;
        Some(([x, y], ComModel::Segmental))
    } else {
        Some((pelvis, ComModel::PelvisCentre))
    }
}

/// The centre of mass over the whole series (x, y, model per sample).
pub(crate) fn series(s: &Series) -> (Vec<f64>, Vec<f64>, Vec<Option<ComModel>>) {
    let mut xs = Vec::with_capacity(s.len());
    let mut ys = Vec::with_capacity(s.len());
    let mut models = Vec::with_capacity(s.len());
    for i in 0..s.len() {
        match at(s, i) {
            Some((c, m)) => {
                xs.push(c[0]);
                ys.push(c[1]);
                models.push(Some(m));
            }
            None => {
                xs.push(f64::NAN);
                ys.push(f64::NAN);
                models.push(None);
            }
        }
    }
    (xs, ys, models)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{FramePose, Landmark, Pose, NUM_LANDMARKS};

    fn series_of(points: impl Fn(usize) -> Option<[f32; 2]>) -> Series {
        let mut lms = [Landmark::default(); NUM_LANDMARKS];
        for (i, l) in lms.iter_mut().enumerate() {
            *l = match points(i) {
                Some(p) => Landmark { x: p[0], y: p[1], z: 0.0, visibility: 1.0, presence: 1.0 },
                None => Landmark { x: f32::NAN, y: f32::NAN, z: 0.0, visibility: 0.0, presence: 0.0 },
            };
        }
        Series::from_frames(&[FramePose { frame: 0, time_s: 0.0, pose: Some(Pose { landmarks: lms, score: 1.0 }), soles: [None; 2] }])
    }

    #[test]
    fn a_body_stacked_on_one_vertical_has_its_com_on_it_and_missing_arm_is_tolerated() {
        // every landmark at x = 100: the COM must be at x = 100 whatever the weights
        let s = series_of(|i| Some([100.0, 10.0 * i as f32]));
        let (c, m) = at(&s, 0).unwrap();
        assert_eq!(m, ComModel::Segmental);
        assert!((c[0] - 100.0).abs() < 1e-9);
        // the far (right) wrist missing: still segmental, same x
        let s = series_of(|i| (i != 16).then_some([100.0, 10.0 * i as f32]));
        let (c, m) = at(&s, 0).unwrap();
        assert_eq!(m, ComModel::Segmental);
        assert!((c[0] - 100.0).abs() < 1e-9);
        // a whole leg missing is too much: pelvis centre
        let s = series_of(|i| (![26, 28, 30, 32].contains(&i)).then_some([100.0, 10.0 * i as f32]));
        assert_eq!(at(&s, 0).unwrap().1, ComModel::PelvisCentre);
    }

    #[test]
    fn mass_fractions_sum_to_one() {
        let limbs: f64 = super::LIMBS.iter().map(|l| l.3).sum::<f64>() + super::HAND_MASS;
        let total = super::HEAD_MASS + super::TRUNK_MASS + 2.0 * limbs;
        assert!((total - 1.0).abs() < 1e-3, "{total}");
    }
}
