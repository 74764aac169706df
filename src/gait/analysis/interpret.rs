//! Stage 5, interpret: what the numbers say — the overstride bands and verdict, the reference
//! norms the report sets them against, the warnings (too few steps, exclusions, suspect values,
//! timing limits, scale) and the capture-quality assessment.

use serde::Serialize;

use super::{FootStrike, Measured, Prepared, Step, Summary};
use crate::gait::capture::{self, CaptureQuality};
use crate::gait::events::Side;
use crate::gait::metric::{self, SummaryExt, OVERSTRIDE_BORDERLINE_PCT, OVERSTRIDE_GOOD_PCT};
use crate::gait::plausibility as gates;
use crate::gait::scale;
use crate::gait::signal;
use crate::gait::stats::median_upper;
use crate::gait::summary::Stat;

/// Fewer steps than this per side and the means are flagged as unreliable.
pub(crate) const MIN_STEPS_PER_SIDE: usize = 7;
impl super::Analysis {
    /// The representative step of a side, shown in the key frames and evidence frames: the one whose
    /// main measure (overstride in side views, pelvic drop in frontal ones) is the median of its
    /// side's steps in the means (the upper median of an even count).
    pub fn typical_step(&self, side: Side) -> Option<&Step> {
        typical_step(&self.steps, self.view.is_side(), side)
    }

    /// How many of the steps in the means landed on the rearfoot, midfoot and forefoot, in the
    /// order each class first appears.
    pub fn foot_strike_tally(&self) -> Vec<(FootStrike, usize)> {
        foot_strike_tally(&self.steps)
    }
}

fn typical_step(steps: &[Step], side_view: bool, side: Side) -> Option<&Step> {
    let value = |s: &Step| if side_view { s.overstride_pct_leg } else { s.pelvic_drop_deg };
    let mut steps: Vec<(&Step, f64)> =
        steps.iter().filter(|s| s.side == side && s.excluded.is_none()).filter_map(|s| value(s).map(|v| (s, v))).collect();
    if steps.is_empty() {
        return None;
    }
    steps.sort_by(|x, y| x.1.total_cmp(&y.1));
    Some(steps[steps.len() / 2].0)
}

fn foot_strike_tally(steps: &[Step]) -> Vec<(FootStrike, usize)> {
    let mut counts: Vec<(FootStrike, usize)> = Vec::new();
    for f in steps.iter().filter(|s| s.excluded.is_none()).filter_map(|s| s.foot_strike) {
        match counts.iter_mut().find(|(k, _)| *k == f) {
            Some(e) => e.1 += 1,
            None => counts.push((f, 1)),
        }
    }
    counts
}

/// What the overstride of one side says, with the uncertainty taken into account.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub(crate) enum OverstrideVerdict {
    None,
    Borderline,
    Clear,
    /// The interval (mean ± 2 SE ± the timing uncertainty) straddles a band limit.
    CannotTell {
        low: f64,
        high: f64,
    },
}

/// The verdict for a side's overstride statistic: the band of the whole interval mean ± (2·SE +
/// timing uncertainty), or [`OverstrideVerdict::CannotTell`] when it straddles a limit.
pub(crate) fn overstride_verdict(s: &Stat) -> OverstrideVerdict {
    let se = if s.se.is_finite() { s.se } else { 0.0 };
    let half = 2.0 * se + s.timing.unwrap_or(0.0);
    let (low, high) = (s.mean - half, s.mean + half);
    let band = |v: f64| {
        if v <= OVERSTRIDE_GOOD_PCT {
            0
        } else if v <= OVERSTRIDE_BORDERLINE_PCT {
            1
        } else {
            2
        }
    };
    match (band(low), band(high)) {
        (0, 0) => OverstrideVerdict::None,
        (1, 1) => OverstrideVerdict::Borderline,
        (2, 2) => OverstrideVerdict::Clear,
        _ => OverstrideVerdict::CannotTell { low, high },
    }
}

/// The warnings and the capture-quality assessment of a run.
pub(crate) fn interpret(p: &Prepared, belt_tilts_deg: &[f64], m: &Measured, sm: &Summary) -> (Vec<String>, CaptureQuality) {
    let (s, view, effective_fps, quality, scale, heel_fallbacks, steps, summary) =
        (&p.s, p.view, p.effective_fps, &m.quality, &m.scale, m.heel_fallbacks, &m.steps, &sm.summary);
    let tilts = belt_tilts_deg;
    let included: Vec<&super::Step> = steps.iter().filter(|s| s.excluded.is_none()).collect();
    let mut warnings = Vec::new();
    for side in [Side::Left, Side::Right] {
        let n = included.iter().filter(|s| s.side == side).count();
        if n < MIN_STEPS_PER_SIDE {
            warnings.push(format!(
                "only {n} usable {} steps (fewer than {MIN_STEPS_PER_SIDE}): its means are unreliable; film at least 20 s",
                side.as_str()
            ));
        }
    }
    if quality.steps_excluded_implausible > 0 {
        warnings.push(format!(
            "{} of {} steps left out: their timing is far from this runner's other steps (likely mis-detected contacts)",
            quality.steps_excluded_implausible,
            steps.len()
        ));
    }
    if quality.steps_excluded_low_confidence > 0 {
        warnings.push(format!(
            "{} of {} steps left out: the leg was not seen clearly at initial contact (occlusion, handrail, blur)",
            quality.steps_excluded_low_confidence,
            steps.len()
        ));
    }
    if view.is_side() {
        for side in [Side::Left, Side::Right] {
            let knee = &metric::KNEE_FLEXION_IC_DEG;
            if let (Some(k), Some((lo, hi)), Some((mean, sd, _))) = (summary.stat(knee, side.as_str()), knee.plausible, knee.norm()) {
                if k.mean < lo || k.mean > hi {
                    warnings.push(format!(
                        "suspect: {} knee flexion at initial contact {:.1}° is outside {lo:.0}–{hi:.0}° (running norm {mean:.1} ± {sd:.1}°): check the key frames — a landmark error or a contact read at the wrong instant",
                        side.as_str(), k.mean
                    ));
                }
            }
            if let Some(os) = summary.stat(&metric::OVERSTRIDE_PCT_LEG, side.as_str()) {
                if let OverstrideVerdict::CannotTell { low, high } = overstride_verdict(os) {
                    warnings.push(format!(
                        "{} overstride is borderline — {low:.1} to {high:.1} % of leg length straddles a band limit and cannot be told apart at {effective_fps:.0} fps; {}",
                        side.as_str(),
                        borderline_advice(effective_fps)
                    ));
                }
            }
        }
        let unc: Vec<f64> = included.iter().map(|s| s.ic_uncertainty_ms).collect();
        if let Some(m) = median_upper(&unc) {
            warnings.push(format!(
                "initial contact timed by the landing model (the foot at the belt's level and speed) to ±{m:.0} ms (median over steps; half a frame at {effective_fps:.0} fps is {:.0} ms): every at-contact number is shown with its timing uncertainty",
                500.0 / effective_fps
            ));
        }
    }
    warnings.push(format!(
        "event timing: ±{:.0} ms from the frame rate ({effective_fps:.0} {}fps) on top of ~10–25 ms for kinematic detection of foot strike (Fellin 2010){}",
        quality.event_timing_resolution_ms,
        if p.repeated { "distinct " } else { "" },
        if effective_fps < 60.0 { "; contact and flight times are coarse below 60 fps" } else { "" }
    ));
    if heel_fallbacks > 0 {
        warnings.push(format!("{heel_fallbacks} steps measured overstride from the ankle: the heel landmark was missing"));
    }
    if scale.cm_per_px.is_none() && scale.step_length_source.is_none() {
        warnings.push("distances in % of leg length only: give --height-cm or --belt-kmh for centimetres".into());
    }
    warnings.extend(scale::warnings(scale));

    let per_side = |side: Side| included.iter().filter(|st| st.side == side).count();
    let capture_quality = capture::assess(
        view,
        &capture::Measured {
            effective_fps,
            ic_uncertainty_ms: median_upper(&included.iter().map(|st| st.ic_uncertainty_ms).collect::<Vec<_>>()),
            overstride_timing_pct_leg: median_upper(&included.iter().filter_map(|st| st.timing.overstride_pct_leg).collect::<Vec<_>>()),
            body_px: gates::body_height_px(s),
            steps: [per_side(Side::Left), per_side(Side::Right)],
            leg_visibility: capture::leg_visibility(s, signal::MIN_VISIBILITY),
            belt_tilt_deg: (!tilts.is_empty()).then_some(quality.belt_tilt_deg),
            segment_change_pct: capture::segment_change_pct(s, signal::MIN_VISIBILITY),
        },
    );
    (warnings, capture_quality)
}

/// A film at or above this rate is already a high-speed film: a borderline verdict there is not
/// mended by filming faster.
pub(crate) const HIGH_SPEED_FPS: f64 = 110.0;

/// What to do about a verdict whose timing interval straddles a band limit at `fps`.
pub(crate) fn borderline_advice(fps: f64) -> &'static str {
    if fps < HIGH_SPEED_FPS {
        "film at 120 fps or more"
    } else {
        "the limit lies within the timing uncertainty even at this frame rate: read it as on the limit"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gait::analysis::test_support::step;
    use crate::gait::analysis::Exclusion;

    fn with(side: Side, overstride: f64, drop: f64, strike: FootStrike) -> Step {
        Step {
            overstride_pct_leg: Some(overstride),
            pelvic_drop_deg: Some(drop),
            foot_strike: Some(strike),
            ..step(side, overstride, None, None)
        }
    }

    #[test]
    fn the_typical_step_is_its_sides_median_of_the_views_main_measure_over_the_steps_kept() {
        use FootStrike::*;
        let mut steps = vec![
            with(Side::Left, 9.0, 1.0, Rearfoot),
            with(Side::Left, 3.0, 7.0, Rearfoot),
            with(Side::Left, 5.0, 4.0, Midfoot),
            with(Side::Right, 30.0, 2.0, Forefoot),
            with(Side::Left, 100.0, 50.0, Forefoot),
        ];
        steps[4].excluded = Some(Exclusion::LowConfidence { confidence: 0.1 });
        // side view: overstride 3, 5, 9 (the excluded 100 left out) → 5
        assert_eq!(typical_step(&steps, true, Side::Left).and_then(|s| s.overstride_pct_leg), Some(5.0));
        // frontal: pelvic drop 1, 4, 7 → 4 (the step whose overstride is 5)
        assert_eq!(typical_step(&steps, false, Side::Left).and_then(|s| s.pelvic_drop_deg), Some(4.0));
        // an even count: the upper median
        steps[4].excluded = None;
        assert_eq!(typical_step(&steps, true, Side::Left).and_then(|s| s.overstride_pct_leg), Some(9.0));
        assert_eq!(typical_step(&steps, true, Side::Right).and_then(|s| s.overstride_pct_leg), Some(30.0));
        assert!(typical_step(&steps[..3], true, Side::Right).is_none());
        // the tally: steps kept only, in the order each class first appears
        steps[3].excluded = Some(Exclusion::LowConfidence { confidence: 0.1 });
        assert_eq!(foot_strike_tally(&steps), [(Rearfoot, 2), (Midfoot, 1), (Forefoot, 1)]);
    }

    #[test]
    fn a_borderline_verdict_asks_for_a_faster_film_only_below_high_speed() {
        assert_eq!(borderline_advice(30.0), "film at 120 fps or more");
        assert_eq!(borderline_advice(60.0), "film at 120 fps or more");
        for fps in [120.0, 240.0] {
            assert!(!borderline_advice(fps).contains("film at"), "{fps}: {}", borderline_advice(fps));
        }
    }

    fn stat(mean: f64, se: f64, timing: Option<f64>) -> Stat {
        Stat { mean, sd: se * 3.0, se, n: 9, unit: "% leg length", timing }
    }

    #[test]
    fn the_overstride_verdict_is_the_band_of_the_whole_interval() {
        assert_eq!(overstride_verdict(&stat(5.0, 0.5, None)), OverstrideVerdict::None);
        assert_eq!(overstride_verdict(&stat(11.0, 0.5, Some(0.5))), OverstrideVerdict::Borderline);
        assert_eq!(overstride_verdict(&stat(20.0, 1.0, None)), OverstrideVerdict::Clear);
        // 7.5 ± (2·0.5 + 0.3) straddles the 8 % limit
        match overstride_verdict(&stat(7.5, 0.5, Some(0.3))) {
            OverstrideVerdict::CannotTell { low, high } => assert!((low - 6.2).abs() < 1e-9 && (high - 8.8).abs() < 1e-9),
            v => panic!("{v:?}"),
        }
        // one step (no SE): the mean and the timing alone
        assert_eq!(overstride_verdict(&stat(16.0, f64::NAN, Some(0.5))), OverstrideVerdict::Clear);
    }
}
