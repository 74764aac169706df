//! The gait analysis of one run: landmark frames in, steps with their measurements and a summary
//! with uncertainties out — five stages, each a function from the last one's output to its own:
//! [`prepare`] (frames → cleaned signals), [`contacts`] (signals → each foot's contacts), [`steps`]
//! (contacts → measured steps), [`summarise`] (steps → statistics per side) and [`interpret`]
//! (numbers → warnings and the capture-quality verdict). The maths lives in the gait modules the
//! stages call.

mod contacts;
mod interpret;
mod prepare;
mod step;
mod steps;
mod summarise;
mod types;

use contacts::Events;
pub(crate) use interpret::borderline_advice;
pub(crate) use interpret::{overstride_verdict, OverstrideVerdict};
use prepare::Prepared;
pub use prepare::MIN_FPS;
pub use step::{AtContactTiming, Exclusion, FootStrike, ImagePoints, Step};
use steps::Measured;
pub(crate) use steps::{IMPLAUSIBLE_HIGH, IMPLAUSIBLE_LOW, MIN_STEP_CONFIDENCE};
use summarise::Summary;
pub use types::{Analysis, AnalysisError, CaptureFps, CaptureSource, FrameRate, Gait, Options, Quality, Traces, VideoFacts};

use crate::gait::plausibility::{Alert, Gate};
use crate::pose::FramePose;

pub fn analyze(frames: &[FramePose], opts: &Options) -> Result<Analysis, AnalysisError> {
    let prepared = prepare::prepare(frames, opts)?;
    let events = contacts::find(&prepared)?;
    let measured = steps::measure(&prepared, &events, opts.height_cm, opts.belt_kmh)?;
    let summary = summarise::summarise(&prepared, &events, &measured)?;
    let (warnings, capture_quality) = interpret::interpret(&prepared, &events.belt_tilts_deg, &measured, &summary);
    let p = prepared;
    let mut traces = events.traces;
    traces.com_px = measured.com_px;
    let alerts = p.alerts.into_iter().chain(measured.alerts).chain(summary.alerts).collect();
    Ok(Analysis {
        view: p.view,
        view_detected: p.view_detected,
        gait: summary.gait,
        fps: p.fps,
        frames: p.frames,
        frames_with_pose: p.with_pose,
        duration_s: p.s.t.last().copied().unwrap_or(0.0) - p.s.t.first().copied().unwrap_or(0.0),
        leg_length_px: p.leg,
        cm_per_px: measured.scale.cm_per_px,
        scale: measured.scale,
        cadence_spm: summary.cadence_spm,
        steps: measured.steps,
        summary: summary.summary,
        asymmetry: summary.asymmetry,
        quality: measured.quality,
        capture_quality,
        frame_rate: p.frame_rate,
        alerts,
        warnings,
        traces,
    })
}

/// A plausibility gate's outcome: a refusal ends the analysis, a warning joins the alerts.
fn gate(g: Option<Gate>, alerts: &mut Vec<Alert>) -> Result<(), AnalysisError> {
    match g {
        Some(Gate::Refuse(m)) => Err(AnalysisError::Implausible(m)),
        Some(Gate::Warn(a)) => {
            alerts.push(a);
            Ok(())
        }
        None => Ok(()),
    }
}

/// Hand-made inputs for the stages' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{AtContactTiming, Step};
    use crate::gait::events::{Contact, FootPoint, Side};
    use crate::pose::{FramePose, Landmark, Pose, NUM_LANDMARKS};

    pub(crate) fn contact(side: Side, ic: f64, to: Option<f64>) -> Contact {
        Contact {
            side,
            ic_time_s: ic,
            to_time_s: to,
            first: 0,
            last: 0,
            foot_point: FootPoint::HeelOrToe,
            ic_uncertainty_s: 0.0,
            ic_by_motion_s: None,
            ic_by_height_s: None,
            forward_turn_s: None,
            touching: None,
            sole_from_pixels: false,
        }
    }

    pub(crate) fn step(side: Side, ic: f64, step_time: Option<f64>, contact_time: Option<f64>) -> Step {
        Step {
            side,
            ic_frame: 0,
            ic_time_s: ic,
            ic_uncertainty_ms: 0.0,
            ic_by_motion_s: None,
            ic_by_height_s: None,
            forward_turn_s: None,
            ic_sole_from_pixels: false,
            to_time_s: contact_time.map(|c| ic + c),
            contact_time_s: contact_time,
            flight_time_s: None,
            step_time_s: step_time,
            duty_factor: None,
            overstride_pct_leg: None,
            overstride_cm: None,
            overstride_point: None,
            shank_angle_deg: None,
            knee_flexion_ic_deg: None,
            knee_flexion_peak_deg: None,
            foot_strike_angle_deg: None,
            foot_strike: None,
            trunk_lean_deg: None,
            vertical_oscillation_pct_leg: None,
            vertical_oscillation_cm: None,
            pelvic_drop_deg: None,
            fppa_deg: None,
            step_width_pct_leg: None,
            step_width_cm: None,
            step_length_pct_leg: None,
            step_length_cm: None,
            timing: AtContactTiming::default(),
            confidence: 1.0,
            excluded: None,
            at_ic: None,
            peak_drop_frame: None,
        }
    }

    /// `n` frames at `fps` of one still figure (every landmark at (500, 500) but the hips, which
    /// `hip_y` moves), all seen.
    pub(crate) fn frames(n: usize, fps: f64, hip_y: impl Fn(f64) -> f64) -> Vec<FramePose> {
        (0..n)
            .map(|i| {
                let t = i as f64 / fps;
                let mut l = [Landmark { x: 500.0, y: 500.0, z: 0.0, visibility: 0.9, presence: 0.9 }; NUM_LANDMARKS];
                for lm in [crate::pose::idx::LEFT_HIP, crate::pose::idx::RIGHT_HIP] {
                    l[lm].y = hip_y(t) as f32;
                }
                FramePose { frame: i, time_s: t, pose: Some(Pose { landmarks: l, score: 0.9 }), soles: [None; 2] }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gait::plausibility::AlertKind;

    #[test]
    fn a_refusing_gate_ends_the_analysis_and_a_warning_joins_the_alerts() {
        let mut alerts = Vec::new();
        assert_eq!(gate(None, &mut alerts), Ok(()));
        let warn = Alert { kind: AlertKind::SlowMotion, message: "w".into() };
        assert_eq!(gate(Some(Gate::Warn(warn.clone())), &mut alerts), Ok(()));
        assert_eq!(gate(Some(Gate::Refuse("no".into())), &mut alerts), Err(AnalysisError::Implausible("no".into())));
        assert_eq!(alerts, vec![warn]);
    }
}
