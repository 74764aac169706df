//! Stage 1, prepare: frames → cleaned signals. Checks there is a person and usable timestamps,
//! puts the times on the capture's clock (slow motion), finds the distinct frame rate (repeated
//! frames), gates the body (size, posture, movement) and the view, repairs left/right swaps, cleans
//! every landmark and low-passes it. No event is looked for here.

use super::{gate, AnalysisError, CaptureFps, CaptureSource, FrameRate, Options, Quality};
use crate::gait::metrics;
use crate::gait::plausibility::{self as gates, Alert, AlertKind};
use crate::gait::series::Series;
use crate::gait::signal;
use crate::gait::swap;
use crate::gait::view::{self, View};
use crate::pose::idx::*;
use crate::pose::{FramePose, NUM_LANDMARKS};

/// Below this frame rate events cannot be timed usefully (a running stance spans < 5 frames).
pub const MIN_FPS: f64 = 20.0;

/// The prepared run: the signals every later stage reads.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// Low-passed: for stances, peaks, means.
    pub s: Series,
    /// Cleaned, not low-passed: for instants.
    pub raw: Series,
    pub frames: usize,
    pub with_pose: usize,
    /// The timestamps' rate (capture clock) and the distinct frames per second of real time.
    pub fps: f64,
    pub effective_fps: f64,
    /// Whether frames repeat (the distinct rate is below the timestamps').
    pub repeated: bool,
    /// The capture rate, where it differs from the playback rate (slow motion).
    pub capture: Option<CaptureFps>,
    pub frame_rate: FrameRate,
    pub view: View,
    pub view_detected: bool,
    /// The view came from the caller (`--view`, `--side-facing`), not from the landmarks.
    pub view_given: bool,
    pub leg: f64,
    /// Filled so far: timing resolution, swaps, cleaning counts, filter cut-off.
    pub quality: Quality,
    pub alerts: Vec<Alert>,
}

/// Step frequency (Hz) from the pelvis's vertical bounce: one bounce per step. Autocorrelation peak
/// between 1.2 and 4.5 Hz (72–270 steps/min).
pub(crate) fn step_frequency(s: &Series) -> Option<f64> {
    let fps = s.fps();
    let y: Vec<f64> = (0..s.len()).map(|i| (s.y[LEFT_HIP][i] + s.y[RIGHT_HIP][i]) / 2.0).collect();
    let vals: Vec<f64> = y.iter().copied().filter(|v| v.is_finite()).collect();
    if vals.len() < 20 {
        return None;
    }
    let m = vals.iter().sum::<f64>() / vals.len() as f64;
    let d: Vec<f64> = y.iter().map(|v| if v.is_finite() { v - m } else { 0.0 }).collect();
    let (lo, hi) = ((fps / 4.5).floor().max(1.0) as usize, (fps / 1.2).ceil() as usize);
    let ac = |lag: usize| -> f64 { d.iter().zip(&d[lag..]).map(|(a, b)| a * b).sum::<f64>() / (d.len() - lag) as f64 };
    // the first positive local maximum is one step (later ones are multiples)
    (lo.max(1)..=hi.min(d.len() / 2))
        .find(|&lag| {
            let v = ac(lag);
            v > 0.0 && v >= ac(lag - 1) && v >= ac(lag + 1)
        })
        .map(|lag| fps / lag as f64)
}

pub(crate) fn prepare(frames: &[FramePose], opts: &Options) -> Result<Prepared, AnalysisError> {
    let with_pose = frames.iter().filter(|f| f.pose.is_some()).count();
    if with_pose < 10 {
        return Err(AnalysisError::NoPerson { frames: frames.len(), with_pose });
    }
    let mut s = Series::from_frames(frames);
    let series_fps = s.fps();
    if !series_fps.is_finite() {
        return Err(AnalysisError::NoTimestamps);
    }
    // slow motion: the times of the capture, not of the playback. A video's pose stage already
    // delivers them (its frames' times are the capture's); a landmarks file in playback time is
    // scaled here.
    let differs = |a: f64, b: f64| (a / b - 1.0).abs() > 0.01;
    let valid_capture = opts.capture_fps.filter(|c| c.fps.is_finite() && c.fps > 0.0);
    if let Some(c) = valid_capture.filter(|c| differs(c.fps, series_fps)) {
        let k = series_fps / c.fps;
        s.t.iter_mut().for_each(|t| *t *= k);
    }
    let playback_fps = opts.video.map_or(series_fps, |v| v.fps);
    let capture = valid_capture.filter(|c| differs(c.fps, playback_fps));
    let fps = s.fps();
    if !(fps >= MIN_FPS) {
        return Err(AnalysisError::FrameRateTooLow { fps, min: MIN_FPS });
    }
    let mut alerts: Vec<Alert> = Vec::new();
    // repeated frames: the distinct frames per second of real time
    let video = opts.video.filter(|v| v.fps > 0.0 && v.effective_fps > 0.0);
    let repeated = video.filter(|v| v.duplicate_frames > 0 && v.effective_fps < 0.95 * v.fps);
    let effective_fps = repeated.map_or(fps, |v| fps * v.effective_fps / v.fps);
    let frame_rate =
        FrameRate { playback_fps, capture_fps: capture, repeated_frames: video.map_or(0, |v| v.duplicate_frames), effective_fps };
    if let Some(v) = repeated {
        alerts.push(Alert {
            kind: AlertKind::RepeatedFrames,
            message: format!(
                "{} frames repeat the previous one: the video holds {effective_fps:.1} distinct frames per second, not the {fps:.1} fps its container declares, so every timing is only as fine as {:.0} ms (one distinct frame){}",
                v.duplicate_frames,
                1000.0 / effective_fps,
                if effective_fps < 0.8 * fps { "; it was probably converted from a lower frame rate: analyse the original recording" } else { "" }
            ),
        });
    }
    if let Some(c) = capture {
        alerts.push(Alert {
            kind: AlertKind::SlowMotion,
            message: format!(
                "slow motion: filmed at {:.0} fps and played back at {playback_fps:.1} fps ({}), so times are scaled by {:.3}",
                c.fps,
                match c.source {
                    CaptureSource::Option => "--capture-fps",
                    CaptureSource::Metadata => "the video's capture-rate metadata",
                },
                playback_fps / c.fps
            ),
        });
    }
    let mut quality = Quality { event_timing_resolution_ms: 1000.0 / effective_fps / 2.0, ..Default::default() };
    let leg_raw = metrics::leg_length(&s).ok_or(AnalysisError::NoPerson { frames: frames.len(), with_pose })?;

    // gates on the body before anything is measured: too small, not upright, not moving
    match (video, gates::body_height_px(&s)) {
        (Some(v), Some(h)) => gate(gates::runner_size(h, v.height, with_pose as f64 / frames.len().max(1) as f64), &mut alerts)?,
        (None, Some(h)) => gate(gates::runner_size_in_landmarks(h), &mut alerts)?,
        _ => {}
    }
    if let Some(p) = gates::posture(&s) {
        gate(gates::upright(&p, video.map(|v| v.rotation_deg)), &mut alerts)?;
    }
    if let Some(m) = gates::foot_movement_pct_leg(&s, leg_raw) {
        gate(gates::movement(m), &mut alerts)?;
    }

    // repeated frames: a 15 fps clip doubled to 30 holds what a 15 fps clip holds
    if effective_fps < MIN_FPS {
        return Err(AnalysisError::Implausible(format!(
            "only {effective_fps:.1} distinct frames per second (the other frames repeat them): too few to time foot strikes (need at least {MIN_FPS} fps); analyse the original recording, filmed at 60 fps or more if the phone allows"
        )));
    }

    let detected = view::detect(&s);
    if let (Some(req), Some(d)) = (opts.view, detected) {
        gate(gates::view_requested(req, d.width_ratio), &mut alerts)?;
    }
    let view = opts.view.or(detected.map(|d| d.view)).unwrap_or(View::SideLeft);

    // left/right swaps, before any smoothing mixes the legs
    quality.swaps_repaired = swap::repair(&mut s, leg_raw).len();

    // cleaning
    let step_hz = step_frequency(&s);
    let fc = signal::cutoff_hz(fps, step_hz);
    quality.filter_cutoff_hz = fc;
    let mut counts = signal::CleanCounts::default();
    let t = s.t.clone();
    for lm in 0..NUM_LANDMARKS {
        let vis = s.vis[lm].clone();
        counts += signal::clean(&t, &mut s.x[lm], &vis, fps);
        counts += signal::clean(&t, &mut s.y[lm], &vis, fps);
    }
    // `raw`: cleaned, not low-passed — for instants; `s`: low-passed — for stances, peaks, means
    let raw = s.clone();
    for lm in 0..NUM_LANDMARKS {
        signal::butterworth_filtfilt(&mut s.x[lm], fc, fps);
        signal::butterworth_filtfilt(&mut s.y[lm], fc, fps);
    }
    quality.low_visibility_samples = counts.low_visibility;
    quality.outliers_rejected = counts.outliers;
    quality.samples_filled = counts.filled;

    let leg = metrics::leg_length(&s).unwrap_or(leg_raw);
    Ok(Prepared {
        s,
        raw,
        frames: frames.len(),
        with_pose,
        fps,
        effective_fps,
        repeated: repeated.is_some(),
        capture,
        frame_rate,
        view,
        view_detected: opts.view.is_none() && detected.is_some(),
        view_given: opts.view.is_some(),
        leg,
        quality,
        alerts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gait::analysis::test_support::frames;

    #[test]
    fn refuses_too_few_poses_no_timestamps_and_a_low_frame_rate() {
        let mut f = frames(30, 60.0, |_| 400.0);
        for fp in f.iter_mut().skip(9) {
            fp.pose = None;
        }
        assert_eq!(prepare(&f, &Options::default()).unwrap_err(), AnalysisError::NoPerson { frames: 30, with_pose: 9 });
        let mut f = frames(30, 60.0, |_| 400.0);
        f.iter_mut().for_each(|fp| fp.time_s = 1.0);
        assert_eq!(prepare(&f, &Options::default()).unwrap_err(), AnalysisError::NoTimestamps);
        let e = prepare(&frames(30, 15.0, |_| 400.0), &Options::default()).unwrap_err();
        assert!(matches!(e, AnalysisError::FrameRateTooLow { fps, min } if (fps - 15.0).abs() < 1e-9 && min == MIN_FPS), "{e:?}");
        // slow motion: 15 fps timestamps of a 60 fps capture are 60 fps once scaled, so the frame
        // rate passes (the still figure is then refused further on, by a body gate)
        let slow = Options { capture_fps: Some(CaptureFps { fps: 60.0, source: CaptureSource::Option }), ..Options::default() };
        assert!(!matches!(prepare(&frames(30, 15.0, |_| 400.0), &slow).unwrap_err(), AnalysisError::FrameRateTooLow { .. }));
    }

    #[test]
    fn step_frequency_is_the_pelvis_bounce() {
        let f = frames(300, 60.0, |t| 400.0 + 10.0 * (2.0 * std::f64::consts::PI * 2.9 * t).sin());
        let hz = step_frequency(&Series::from_frames(&f)).unwrap();
        assert!((hz - 2.9).abs() < 0.15, "{hz}");
        // too short to tell
        assert_eq!(step_frequency(&Series::from_frames(&frames(15, 60.0, |_| 400.0))), None);
    }
}
