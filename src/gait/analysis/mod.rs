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
pub(crate) use interpret::{
    overstride_verdict, OverstrideVerdict, KNEE_FLEXION_IC_NORM, KNEE_FLEXION_PEAK_NORM, OVERSTRIDE_BORDERLINE_PCT, OVERSTRIDE_GOOD_PCT,
    PELVIC_DROP_SDD_DEG, REARFOOT_ANGLE_NORM,
};
use prepare::Prepared;
pub use prepare::MIN_FPS;
pub use step::{AtContactTiming, FootStrike, ImagePoints, Step};
use steps::Measured;
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
