//! Centimetres from pixels: from the runner's height (`--height-cm`: leg length = 0.491 × height,
//! Winter 2009) or from the treadmill's belt speed (`--belt-kmh`: the stance foot rides the belt, so
//! its speed in the image, px/s, against the speed the treadmill shows gives cm per pixel). With
//! both, the height scales the distances (it does not depend on the display's calibration or on the
//! foot being tracked in stance) and the belt speed checks it: the belt speed the height scale
//! implies against the one given. The step length needs no pixels at all with a belt speed: the belt
//! carries the foot backwards by speed × step time during a step.
//! Pure functions; which scale each cm number used is recorded beside them.

use serde::Serialize;

use super::events::{belt_speed, Contact, Side};
use super::metrics::leg_landmarks;
use super::series::Series;

/// Hip joint to ankle ≈ 0.491 × standing height (Winter 2009: hip 0.530 − ankle 0.039).
pub(crate) const LEG_TO_HEIGHT: f64 = 0.491;
/// The belt speed from the height scale and the one given disagreeing by more than this (%) is
/// reported: a treadmill display off, a wrong height, or a camera not square to the belt.
pub(crate) const BELT_CHECK_TOLERANCE_PCT: f64 = 10.0;
/// km/h → cm/s
pub(crate) const KMH_TO_CM_S: f64 = 100_000.0 / 3600.0;
/// The `--belt-kmh` values accepted (walking to fast running on a treadmill).
pub const BELT_KMH_RANGE: (f64, f64) = (1.0, 30.0);

/// Where the cm numbers' scale came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScaleSource {
    /// `--height-cm`: leg length = 0.491 × height.
    Height,
    /// `--belt-kmh`: the stance foot's speed in the image against the belt's.
    Belt,
}

impl ScaleSource {
    pub(crate) fn words(self) -> &'static str {
        match self {
            ScaleSource::Height => "the runner's height (leg length = 0.491 × height, Winter 2009)",
            ScaleSource::Belt => "the belt speed given (the stance foot's speed in the image against it)",
        }
    }
}

/// Where the step length's cm came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepLengthSource {
    /// The belt speed given × step time (no pixels involved).
    BeltSpeedGiven,
    /// The belt's speed in the image × the height scale × step time.
    BeltInImageAndHeight,
}

/// The scale of a run and the belt-speed check, as report.json's `scale` holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scale {
    /// The scale every cm number except the step length uses (None: no cm).
    pub cm_source: Option<ScaleSource>,
    pub cm_per_px: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height_cm: Option<f64>,
    /// `--belt-kmh`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub belt_kmh_given: Option<f64>,
    /// cm per pixel from each source, where it can be had.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cm_per_px_from_height: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cm_per_px_from_belt: Option<f64>,
    /// The belt speed the height scale implies (the belt's speed in the image × the height scale).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub belt_kmh_from_height: Option<f64>,
    /// 100 · (from height / given − 1), when both are known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub belt_disagreement_pct: Option<f64>,
    /// The standing height the belt scale implies (leg length in cm / 0.491), with `--belt-kmh`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height_cm_from_belt: Option<f64>,
    /// Where `step_length_cm` came from (None: no step length in cm).
    pub step_length_source: Option<StepLengthSource>,
    /// The belt's speed in the image used for the belt scale and step lengths in % leg, px/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub belt_px_s: Option<f64>,
    /// The belt speed used for step lengths, cm/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub belt_cm_s: Option<f64>,
}

/// The belt's speed in the image, px/s, for the scale: the toe's backward speed over the middle half
/// of each stance (the mean of both feet's medians). The toe, not the heel: from foot-flat to
/// toe-off the toe stays on the belt for any strike pattern, while the heel lifts in the second
/// half of stance (`quality.belt_speed_px_s`, from the heel, reads a few % low for that; it is kept
/// for the timing uncertainty it sets).
pub(crate) fn belt_px_s(t: &[f64], s: &Series, x_sign: f64, contacts: &[Contact]) -> Option<f64> {
    let speeds: Vec<f64> = [Side::Left, Side::Right]
        .iter()
        .filter_map(|&side| {
            let toe = leg_landmarks(side).4;
            let fwd: Vec<f64> = s.x[toe].iter().map(|x| x_sign * x).collect();
            let own: Vec<Contact> = contacts.iter().filter(|c| c.side == side).cloned().collect();
            belt_speed(t, &fwd, &own)
        })
        .collect();
    (!speeds.is_empty()).then(|| speeds.iter().sum::<f64>() / speeds.len() as f64)
}

/// The scale from what the user gave and what the analysis measured: `leg_px` the leg length,
/// `belt_px_s` the belt's speed in the image (side views; None in frontal views).
pub(crate) fn resolve(height_cm: Option<f64>, belt_kmh: Option<f64>, leg_px: f64, belt_px_s: Option<f64>) -> Scale {
    let fin = |v: f64| (v.is_finite() && v > 0.0).then_some(v);
    let belt_px_s = belt_px_s.map(f64::abs).and_then(fin);
    let from_height = height_cm.and_then(|h| fin(h * LEG_TO_HEIGHT / leg_px));
    let from_belt = belt_kmh.zip(belt_px_s).and_then(|(k, px)| fin(k * KMH_TO_CM_S / px));
    let (cm_source, cm_per_px) = match (from_height, from_belt) {
        (Some(k), _) => (Some(ScaleSource::Height), Some(k)),
        (None, Some(k)) => (Some(ScaleSource::Belt), Some(k)),
        _ => (None, None),
    };
    let belt_kmh_from_height = from_height.zip(belt_px_s).map(|(k, px)| px * k / KMH_TO_CM_S);
    let belt_disagreement_pct = belt_kmh_from_height.zip(belt_kmh).map(|(h, g)| 100.0 * (h / g - 1.0));
    let height_cm_from_belt = from_belt.map(|k| leg_px * k / LEG_TO_HEIGHT);
    let (step_length_source, belt_cm_s) = match (belt_kmh, belt_kmh_from_height) {
        (Some(k), _) => (Some(StepLengthSource::BeltSpeedGiven), Some(k * KMH_TO_CM_S)),
        (None, Some(k)) => (Some(StepLengthSource::BeltInImageAndHeight), Some(k * KMH_TO_CM_S)),
        _ => (None, None),
    };
    Scale {
        cm_source,
        cm_per_px,
        height_cm,
        belt_kmh_given: belt_kmh,
        cm_per_px_from_height: from_height,
        cm_per_px_from_belt: from_belt,
        belt_kmh_from_height,
        belt_disagreement_pct,
        height_cm_from_belt,
        step_length_source,
        belt_px_s,
        belt_cm_s,
    }
}

/// Step length in % of leg length: the belt's travel in the image during the step.
pub(crate) fn step_length_pct_leg(belt_px_s: Option<f64>, step_time_s: f64, leg_px: f64) -> Option<f64> {
    belt_px_s.map(|b| 100.0 * b.abs() * step_time_s / leg_px).filter(|v| v.is_finite() && *v > 0.0)
}

/// Step length in cm: the belt's travel during the step.
pub(crate) fn step_length_cm(s: &Scale, step_time_s: f64) -> Option<f64> {
    s.belt_cm_s.map(|v| v * step_time_s).filter(|v| v.is_finite() && *v > 0.0)
}

/// The warnings a scale gives: the belt check beyond its tolerance; a belt speed given where the
/// belt cannot be seen moving (frontal views) gives step lengths only.
pub fn warnings(s: &Scale) -> Vec<String> {
    let mut w = Vec::new();
    if let (Some(d), Some(h), Some(g)) = (s.belt_disagreement_pct, s.belt_kmh_from_height, s.belt_kmh_given) {
        if d.abs() > BELT_CHECK_TOLERANCE_PCT {
            w.push(format!(
                "belt speed check: the runner's height puts the belt at {h:.1} km/h, the treadmill shows {g:.1} km/h ({d:+.0} %, more than {BELT_CHECK_TOLERANCE_PCT:.0} %): \
                 check the height, the treadmill's display, and that the camera is square to the belt; cm use the height"
            ));
        }
    }
    if s.belt_kmh_given.is_some() && s.cm_per_px_from_belt.is_none() {
        w.push(
            "--belt-kmh gives step lengths here, but no pixel scale: the belt's motion is not seen in this view (give --height-cm for cm)"
                .into(),
        );
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_from_height_and_from_belt_agree_on_a_consistent_runner() {
        // 0.2 cm per pixel: leg 430 px = 86 cm (175.2 cm tall); belt 950 px/s = 190 cm/s
        let k = 0.2;
        let (leg, belt_px) = (430.0, 950.0);
        let height = leg * k / LEG_TO_HEIGHT;
        let kmh = belt_px * k / KMH_TO_CM_S;
        assert!((kmh - 6.84).abs() < 1e-9, "950 px/s × 0.2 cm/px = 190 cm/s = 6.84 km/h");
        let s = resolve(None, Some(kmh), leg, Some(belt_px));
        assert_eq!(s.cm_source, Some(ScaleSource::Belt));
        assert!((s.cm_per_px.unwrap() - k).abs() < 1e-12);
        assert!((s.height_cm_from_belt.unwrap() - height).abs() < 1e-9);
        assert_eq!(s.step_length_source, Some(StepLengthSource::BeltSpeedGiven));
        assert!((step_length_cm(&s, 0.35).unwrap() - 190.0 * 0.35).abs() < 1e-9);
        assert!((step_length_pct_leg(Some(-belt_px), 0.35, leg).unwrap() - 100.0 * 950.0 * 0.35 / 430.0).abs() < 1e-9);
        let s = resolve(Some(height), Some(kmh), leg, Some(belt_px));
        assert_eq!(s.cm_source, Some(ScaleSource::Height), "height first when both");
        assert!(s.belt_disagreement_pct.unwrap().abs() < 1e-9);
        assert!(warnings(&s).is_empty());
        let s = resolve(Some(height), None, leg, Some(belt_px));
        assert!((s.belt_kmh_from_height.unwrap() - kmh).abs() < 1e-9);
        assert_eq!(s.step_length_source, Some(StepLengthSource::BeltInImageAndHeight));
    }

    #[test]
    fn a_disagreeing_belt_is_reported_and_no_scale_gives_no_cm() {
        let s = resolve(Some(180.0), Some(10.0), 430.0, Some(950.0));
        // 180 × 0.491 / 430 = 0.2055 cm/px → 950 px/s = 195.3 cm/s = 7.03 km/h: −30 %
        assert!((s.belt_disagreement_pct.unwrap() + 29.7).abs() < 0.1, "{s:?}");
        let w = warnings(&s);
        assert!(w.len() == 1 && w[0].contains("belt speed check") && w[0].contains("7.0 km/h"), "{w:?}");
        let s = resolve(None, None, 430.0, Some(950.0));
        assert_eq!((s.cm_source, s.cm_per_px, s.step_length_source), (None, None, None));
        // frontal: no belt motion in the image
        let s = resolve(None, Some(10.0), 430.0, None);
        assert_eq!(s.cm_per_px, None);
        assert_eq!(s.step_length_source, Some(StepLengthSource::BeltSpeedGiven));
        assert!(warnings(&s)[0].contains("no pixel scale"));
    }
}
