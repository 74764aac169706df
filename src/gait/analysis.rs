//! The gait analysis of one run: landmark frames in, steps with their measurements and a summary
//! with uncertainties out. Orchestrates the stages; the maths lives in the stage modules.

use std::collections::BTreeMap;

use serde::Serialize;

use super::capture::{self, CaptureQuality};
use super::com;
use super::events::{self, Contact, Side};
use super::metrics::{self, mid, Frame, P};
use super::plausibility::{self as gates, Alert, AlertKind, Gate};
use super::scale::{self, Scale};
use super::series::{interp, Series};
use super::signal;
use super::summary::{asymmetry, median, Asymmetry, Stat};
use super::swap;
use super::view::{self, View};
use crate::pose::idx::*;
use crate::pose::{FramePose, NUM_LANDMARKS};

/// Below this frame rate events cannot be timed usefully (a running stance spans < 5 frames).
pub const MIN_FPS: f64 = 20.0;
/// Fewer steps than this per side and the means are flagged as unreliable.
pub const MIN_STEPS_PER_SIDE: usize = 7;
/// A step whose leg landmarks average a visibility below this at IC is flagged and left out of the
/// summary (the model could not see the leg: occlusion, handrail, motion blur).
pub const MIN_STEP_CONFIDENCE: f64 = 0.5;
/// Hip joint to ankle ≈ 0.491 × standing height (Winter 2009); defined with the other scales.
pub use super::scale::LEG_TO_HEIGHT;
/// Overstride bands, % of leg length: up to this no overstride, up to [`OVERSTRIDE_BORDERLINE_PCT`]
/// borderline, beyond it clear. These are the tool's own: the heel-to-centre-of-mass distance at
/// initial contact (Heiderscheit 2011, Wille 2014) has no published normal range in % of leg length
/// (the studies report how it changes with step rate, and what it does to knee and hip loading), so
/// the scale of the GaitLab peer's ankle-to-hip bands is kept as a starting point, and the report
/// says so. What a clinic should act on is the change after retraining (`compare`).
pub const OVERSTRIDE_GOOD_PCT: f64 = 8.0;
pub const OVERSTRIDE_BORDERLINE_PCT: f64 = 15.0;
/// Knee flexion at initial contact and its peak in stance, running at the preferred step rate:
/// mean and SD (Heiderscheit 2011, Table 3).
pub const KNEE_FLEXION_IC_NORM: (f64, f64) = (17.8, 4.0);
pub const KNEE_FLEXION_PEAK_NORM: (f64, f64) = (46.3, 4.5);
/// Rearfoot strikers' foot-strike angle, mean and SD (Altman & Davis 2012, Table 1).
pub const REARFOOT_ANGLE_NORM: (f64, f64) = (17.7, 4.4);
/// Knee flexion at initial contact outside this range (degrees) is physiologically unlikely in
/// running: the report flags it as suspect (a contact read at the wrong instant, or a landmark error).
pub const KNEE_FLEXION_IC_PLAUSIBLE: (f64, f64) = (5.0, 40.0);

/// What the overstride of one side says, with the uncertainty taken into account.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum OverstrideVerdict {
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
pub fn overstride_verdict(s: &Stat) -> OverstrideVerdict {
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

/// Smallest detectable difference of contralateral pelvic drop in 2-D video (Dingenen 2018).
pub const PELVIC_DROP_SDD_DEG: f64 = 2.7;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Override the detected view.
    pub view: Option<View>,
    /// Runner's standing height, for cm.
    pub height_cm: Option<f64>,
    /// The treadmill's belt speed as its display shows it, km/h: a cm scale from the belt's motion
    /// in the image, step lengths, and a check of the height scale (`scale`).
    pub belt_kmh: Option<f64>,
    /// The rate the clip was filmed at, when its timestamps play at another (slow motion): the
    /// frames' times are scaled by playback / capture unless they already run at it (a video's
    /// pose stage delivers capture times).
    pub capture_fps: Option<CaptureFps>,
    /// What the video says about itself (none for a landmarks file).
    pub video: Option<VideoFacts>,
}

/// A capture rate, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CaptureFps {
    pub fps: f64,
    pub source: CaptureSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaptureSource {
    /// `--capture-fps`.
    Option,
    /// The container's metadata (Android's `com.android.capture.fps`).
    Metadata,
}

/// The facts of the decoded video the gates need.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VideoFacts {
    /// Displayed (upright) size, pixels.
    pub width: u32,
    pub height: u32,
    /// Rotation tag, degrees.
    pub rotation_deg: i32,
    /// Frames that repeat the previous one, and the distinct frames per second at the playback
    /// rate (the container's `fps` when none repeat).
    pub duplicate_frames: usize,
    pub effective_fps: f64,
    /// The container's nominal (playback) rate.
    pub fps: f64,
}

/// The frame rates behind the timing.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct FrameRate {
    /// The rate of the timestamps (the container's, or the landmarks file's time column).
    pub playback_fps: f64,
    /// The rate the clip was filmed at, when it differs (slow motion) and where that came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture_fps: Option<CaptureFps>,
    /// Frames that repeat the previous one (a video only).
    pub repeated_frames: usize,
    /// Distinct frames per second of real time: the rate every timing limit is computed from.
    pub effective_fps: f64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AnalysisError {
    #[error("no person found: the pose was found on {with_pose} of {frames} frames")]
    NoPerson { frames: usize, with_pose: usize },
    #[error("frame rate {fps:.1} fps is too low to time foot strikes (need at least {min} fps; film at 60 fps or more if the phone allows; a slow-motion export: give --capture-fps with the rate it was filmed at)")]
    FrameRateTooLow { fps: f64, min: f64 },
    #[error("no steps found: the feet were never seen landing on the belt (film the whole body, feet included, for at least 10 s)")]
    NoSteps,
    #[error(
        "the frames have no usable timestamps (they do not advance): export the video again, or give a landmarks file with a time_s column"
    )]
    NoTimestamps,
    /// A plausibility gate refused the result (the message says what is wrong and what to do).
    #[error("{0}")]
    Implausible(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gait {
    Running,
    Walking,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FootStrike {
    Rearfoot,
    Midfoot,
    Forefoot,
}

/// Foot-strike angle class limits (Altman & Davis 2012): > 8° rearfoot, < −1.6° forefoot.
pub fn foot_strike_class(angle_deg: f64) -> FootStrike {
    if angle_deg > 8.0 {
        FootStrike::Rearfoot
    } else if angle_deg < -1.6 {
        FootStrike::Forefoot
    } else {
        FootStrike::Midfoot
    }
}

/// One step: one initial contact and what was measured over it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Step {
    pub side: Side,
    pub ic_frame: usize,
    pub ic_time_s: f64,
    /// ± on `ic_time_s`, ms: half a frame, and in side views the landing model's cues' SDs and
    /// disagreement.
    pub ic_uncertainty_ms: f64,
    /// Side views: IC by each cue of the landing model (the foot at belt speed; at the belt's
    /// level), and the forward turn that bounds it from below, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ic_by_motion_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ic_by_height_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_turn_s: Option<f64>,
    /// Side views: the height cue came from the sole measured in the pixels (the shoe's lowest
    /// point), not from the heel or toe landmark.
    pub ic_sole_from_pixels: bool,
    pub to_time_s: Option<f64>,
    pub contact_time_s: Option<f64>,
    /// From this toe-off to the other foot's next initial contact (0 when both feet are down).
    pub flight_time_s: Option<f64>,
    /// From this initial contact to the other foot's next one.
    pub step_time_s: Option<f64>,
    /// Contact time over stride time (this IC to this foot's next IC).
    pub duty_factor: Option<f64>,
    // side view
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overstride_pct_leg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overstride_cm: Option<f64>,
    /// "heel", or "ankle" where the heel landmark was missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overstride_point: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shank_angle_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub knee_flexion_ic_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub knee_flexion_peak_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foot_strike_angle_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foot_strike: Option<FootStrike>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trunk_lean_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vertical_oscillation_pct_leg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vertical_oscillation_cm: Option<f64>,
    // frontal views
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pelvic_drop_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fppa_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_width_pct_leg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_width_cm: Option<f64>,
    /// The belt's travel during the step (step time × belt speed): side views in % of leg length,
    /// in cm with a scale (`scale.step_length_source` says which).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_length_pct_leg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_length_cm: Option<f64>,
    /// What the IC's timing uncertainty does to each at-contact number (±, same units).
    #[serde(skip_serializing_if = "AtContactTiming::is_empty")]
    pub timing: AtContactTiming,
    /// Mean visibility of the leg's landmarks at IC (0–1).
    pub confidence: f64,
    /// Why this step is left out of the summary, if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<String>,
    /// Where things were in the image at IC (pixels), for drawing the key frame; not in report.json.
    #[serde(skip)]
    pub at_ic: Option<ImagePoints>,
    /// Frontal views: the frame of this stance's peak pelvic drop (the key frame shows it).
    #[serde(skip)]
    pub peak_drop_frame: Option<usize>,
}

/// The at-contact numbers' uncertainty from the IC's timing alone: each read at IC ∓ its timing
/// uncertainty, half the difference (±, in the metric's units).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct AtContactTiming {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overstride_pct_leg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overstride_cm: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shank_angle_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub knee_flexion_ic_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foot_strike_angle_deg: Option<f64>,
}

impl AtContactTiming {
    pub fn is_empty(&self) -> bool {
        *self == AtContactTiming::default()
    }
    /// The timing ± of a summary metric by its key, where it has one.
    pub fn get(&self, key: &str) -> Option<f64> {
        match key {
            "overstride_pct_leg" => self.overstride_pct_leg,
            "overstride_cm" => self.overstride_cm,
            "shank_angle_deg" => self.shank_angle_deg,
            "knee_flexion_ic_deg" => self.knee_flexion_ic_deg,
            "foot_strike_angle_deg" => self.foot_strike_angle_deg,
            _ => None,
        }
    }
}

/// Image positions (pixels, as in landmarks.csv) at an initial contact.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ImagePoints {
    pub com: [f64; 2],
    pub heel: [f64; 2],
    pub knee: [f64; 2],
    pub ankle: [f64; 2],
    pub hip: [f64; 2],
    pub left_hip: [f64; 2],
    pub right_hip: [f64; 2],
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub view: View,
    pub view_detected: bool,
    pub gait: Gait,
    pub fps: f64,
    pub frames: usize,
    pub frames_with_pose: usize,
    pub duration_s: f64,
    pub leg_length_px: f64,
    /// Centimetres per pixel, when the runner's height or the belt speed was given (`scale` says which).
    pub cm_per_px: Option<f64>,
    /// Which scale the cm numbers used, and the belt-speed check.
    pub scale: Scale,
    pub cadence_spm: Option<f64>,
    pub steps: Vec<Step>,
    /// metric name → side ("left", "right", "all") → statistics.
    pub summary: BTreeMap<String, BTreeMap<&'static str, Stat>>,
    pub asymmetry: BTreeMap<String, Asymmetry>,
    pub quality: Quality,
    /// Whether the film is good enough and how to refilm it (`capture`).
    pub capture_quality: CaptureQuality,
    /// The frame rates the timing rests on (slow motion, repeated frames).
    pub frame_rate: FrameRate,
    /// Loud warnings from the plausibility gates: doubtful results (shown first in every output).
    pub alerts: Vec<Alert>,
    pub warnings: Vec<String>,
    /// Time series for plots and the annotated video; not in report.json.
    #[serde(skip)]
    pub traces: Traces,
}

/// Per-sample series of one run (smoothed), for plots over time and the annotated video.
#[derive(Debug, Clone, Default)]
pub struct Traces {
    pub t: Vec<f64>,
    pub frame: Vec<usize>,
    /// Centre of mass in image pixels.
    pub com_px: Vec<[f64; 2]>,
    /// Each foot's height above its belt line, % of leg length (left, right).
    pub foot_height_pct_leg: [Vec<f64>; 2],
    /// Knee flexion (left, right), degrees.
    pub knee_flexion_deg: [Vec<f64>; 2],
    /// Hip line's tilt, degrees, positive when the runner's right hip is lower (frontal views).
    pub pelvis_tilt_deg: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Quality {
    pub swaps_repaired: usize,
    pub low_visibility_samples: usize,
    pub outliers_rejected: usize,
    pub samples_filled: usize,
    pub filter_cutoff_hz: f64,
    /// Tilt of the belt line in the image (mean of both feet's fits), degrees. Angles are measured
    /// against the image's vertical, so a camera that is not level shows here.
    pub belt_tilt_deg: f64,
    /// Speed of the belt in the image, from the stance foot, pixels/s (side views).
    pub belt_speed_px_s: Option<f64>,
    /// What half a frame of IC timing error does to overstride: belt speed × half a frame, in % of
    /// leg length (the heel rides the belt from IC on).
    pub overstride_timing_uncertainty_pct_leg: f64,
    /// Half a frame interval: the frame-rate limit of event timing.
    pub event_timing_resolution_ms: f64,
    pub steps_excluded_low_confidence: usize,
    /// Steps left out because their timing is far from the runner's own (a contact detected
    /// where there was none, or two merged).
    pub steps_excluded_implausible: usize,
    pub com_model: &'static str,
    pub overstride_point: &'static str,
}

/// Step frequency (Hz) from the pelvis's vertical bounce: one bounce per step. Autocorrelation peak
/// between 1.2 and 4.5 Hz (72–270 steps/min).
pub fn step_frequency(s: &Series) -> Option<f64> {
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

pub fn analyze(frames: &[FramePose], opts: &Options) -> Result<Analysis, AnalysisError> {
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
    let gate = |g: Option<Gate>, alerts: &mut Vec<Alert>| -> Result<(), AnalysisError> {
        match g {
            Some(Gate::Refuse(m)) => Err(AnalysisError::Implausible(m)),
            Some(Gate::Warn(a)) => {
                alerts.push(a);
                Ok(())
            }
            None => Ok(()),
        }
    };
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
    let mut warnings = Vec::new();
    let mut quality = Quality { event_timing_resolution_ms: 1000.0 / effective_fps / 2.0, ..Default::default() };
    let leg_raw = metrics::leg_length(&s).ok_or(AnalysisError::NoPerson { frames: frames.len(), with_pose })?;

    // gates on the body before anything is measured: too small, not upright, not moving
    if let (Some(v), Some(h)) = (video, gates::body_height_px(&s)) {
        gate(gates::runner_size(h, v.height, with_pose as f64 / frames.len().max(1) as f64), &mut alerts)?;
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

    // events, per foot, each against its own belt line (the far foot's belt is higher in the image)
    let x_sign = if view.is_side() {
        view.forward_sign()
    } else if view == View::Rear {
        1.0
    } else {
        -1.0
    };
    let pelvis_x: Vec<f64> = (0..s.len()).map(|i| x_sign * (s.x[LEFT_HIP][i] + s.x[RIGHT_HIP][i]) / 2.0).collect();
    let mut contacts: Vec<Contact> = Vec::new();
    let mut tilts = Vec::new();
    let mut traces = Traces { t: t.clone(), frame: s.frame.clone(), ..Default::default() };
    let mut tracks = Vec::new();
    for side in [Side::Left, Side::Right] {
        let (c, belt, tr) = events::detect(&s, &raw, side, x_sign, view.is_side().then_some(&pelvis_x[..]), leg);
        contacts.extend(c);
        tracks.push((side, tr));
        tilts.extend(belt.map(|b| b.tilt_deg()));
        if let Some(b) = belt {
            let (fx, fy, _) = events::foot_lowest(&s, side, 0.0);
            traces.foot_height_pct_leg[side.offset()] = events::height(&fx, &fy, &b).iter().map(|h| 100.0 * h / leg).collect();
        }
        let (h, k, a, _, _) = metrics::leg_landmarks(side);
        traces.knee_flexion_deg[side.offset()] = (0..s.len())
            .map(|i| metrics::knee_flexion([s.x[h][i], -s.y[h][i]], [s.x[k][i], -s.y[k][i]], [s.x[a][i], -s.y[a][i]]))
            .collect();
    }
    traces.pelvis_tilt_deg = (0..s.len())
        .map(|i| {
            let (l, r) = ([x_sign * s.x[LEFT_HIP][i], -s.y[LEFT_HIP][i]], [x_sign * s.x[RIGHT_HIP][i], -s.y[RIGHT_HIP][i]]);
            (l[1] - r[1]).atan2((l[0] - r[0]).abs()).to_degrees()
        })
        .collect();
    quality.belt_tilt_deg = tilts.iter().sum::<f64>() / tilts.len().max(1) as f64;
    // side views: initial contact from the landing model where the runner runs (a flight phase
    // between the forward turns' contacts: duty factor below one half)
    if provisional_duty_factor(&contacts).is_some_and(|d| d < 0.5) {
        for (side, tr) in &tracks {
            if let Some(tr) = tr {
                let mut own: Vec<Contact> = contacts.iter().filter(|c| c.side == *side).cloned().collect();
                events::refine_side(&t, tr, &mut own);
                contacts.retain(|c| c.side != *side);
                contacts.extend(own);
            }
        }
    }
    contacts.sort_by(|a, b| a.ic_time_s.total_cmp(&b.ic_time_s));
    // repeated frames: the frame-interval part of each contact's timing is that of the distinct frames
    if repeated.is_some() {
        for c in contacts.iter_mut() {
            c.ic_uncertainty_s = gates::with_frame_interval(c.ic_uncertainty_s, 1.0 / fps, 1.0 / effective_fps);
        }
    }
    if view.is_side() {
        // belt speed: the stance heel's backward speed in the middle half of each stance, per foot
        let speeds: Vec<f64> = [Side::Left, Side::Right]
            .iter()
            .filter_map(|&side| {
                let heel = metrics::leg_landmarks(side).3;
                let fwd: Vec<f64> = s.x[heel].iter().map(|x| x_sign * x).collect();
                let own: Vec<Contact> = contacts.iter().filter(|c| c.side == side).cloned().collect();
                events::belt_speed(&t, &fwd, &own)
            })
            .collect();
        quality.belt_speed_px_s = (!speeds.is_empty()).then(|| speeds.iter().sum::<f64>() / speeds.len() as f64);
        quality.overstride_timing_uncertainty_pct_leg =
            quality.belt_speed_px_s.map_or(0.0, |b| 100.0 * b.abs() * 0.5 / effective_fps / leg);
    }
    if contacts.is_empty() {
        return Err(AnalysisError::NoSteps);
    }
    // cm from the height or the belt speed (the belt's speed in the image is known only now)
    let belt_px_s = view.is_side().then(|| scale::belt_px_s(&t, &s, x_sign, &contacts)).flatten();
    let scale = scale::resolve(opts.height_cm, opts.belt_kmh, leg, belt_px_s);
    let cm_per_px = scale.cm_per_px;

    let rf = Frame { s: &s, x_sign };
    let rr = Frame { s: &raw, x_sign };
    let (_, com_y, com_models) = com::series(&s);
    let segmental = com_models.iter().flatten().filter(|m| **m == com::ComModel::Segmental).count();
    quality.com_model =
        if segmental * 2 >= com_models.iter().flatten().count() { "segmental (de Leva 1996)" } else { "pelvis centre (fallback)" };
    let (rcom_x, rcom_y, _) = com::series(&raw);
    traces.com_px = rcom_x.iter().zip(&rcom_y).map(|(x, y)| [*x, *y]).collect();
    let com_at = |tt: f64| -> P { [x_sign * interp(&t, &rcom_x, tt), -interp(&t, &rcom_y, tt)] };

    // foot-flat reference angle per side (mid-stance), for the foot-strike angle
    let mut flat_angle: BTreeMap<Side, f64> = BTreeMap::new();
    for side in [Side::Left, Side::Right] {
        let (_, _, _, heel, toe) = metrics::leg_landmarks(side);
        let mut a: Vec<f64> = contacts
            .iter()
            .filter(|c| c.side == side)
            .filter_map(|c| c.to_time_s.map(|to| (c.ic_time_s + to) / 2.0))
            .map(|tm| metrics::angle_above_horizontal(rf.at(heel, tm), rf.at(toe, tm)))
            .filter(|v| v.is_finite())
            .collect();
        if !a.is_empty() {
            a.sort_by(f64::total_cmp);
            flat_angle.insert(side, a[a.len() / 2]);
        }
    }

    let mut steps = Vec::with_capacity(contacts.len());
    let mut heel_fallbacks = 0;
    for (k, c) in contacts.iter().enumerate() {
        let (hip, knee, ankle, heel, toe) = metrics::leg_landmarks(c.side);
        let ic = c.ic_time_s;
        let next_other = contacts[k + 1..].iter().find(|o| o.side != c.side);
        let next_same = contacts[k + 1..].iter().find(|o| o.side == c.side);
        // a step with a same-side contact in between is not a clean step
        let step_time = next_other.filter(|o| next_same.is_none_or(|n| n.ic_time_s > o.ic_time_s)).map(|o| o.ic_time_s - ic);
        let contact_time = c.to_time_s.map(|to| to - ic);
        let flight = match (c.to_time_s, next_other) {
            (Some(to), Some(o)) if step_time.is_some() => Some((o.ic_time_s - to).max(0.0)),
            _ => None,
        };
        let stride = next_same.map(|n| n.ic_time_s - ic);
        let duty = match (contact_time, stride) {
            (Some(ct), Some(st)) if st > 0.0 => Some(ct / st),
            _ => None,
        };
        let ic_frame = {
            let j = t.partition_point(|&x| x < ic).min(t.len() - 1);
            let j = if j > 0 && (ic - t[j - 1]).abs() < (t[j] - ic).abs() { j - 1 } else { j };
            s.frame[j]
        };
        let vis_at = |lm: usize| interp(&t, &s.vis[lm], ic);
        let confidence = [hip, knee, ankle, heel, toe].iter().map(|&lm| vis_at(lm)).filter(|v| v.is_finite()).sum::<f64>() / 5.0;
        let mut st = Step {
            side: c.side,
            ic_frame,
            ic_time_s: ic,
            ic_uncertainty_ms: 1000.0 * c.ic_uncertainty_s,
            ic_by_motion_s: c.ic_by_motion_s,
            ic_by_height_s: c.ic_by_height_s,
            forward_turn_s: c.forward_turn_s,
            ic_sole_from_pixels: c.sole_from_pixels,
            to_time_s: c.to_time_s,
            contact_time_s: contact_time,
            flight_time_s: flight,
            step_time_s: step_time,
            duty_factor: duty,
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
            step_length_pct_leg: step_time.and_then(|t| scale::step_length_pct_leg(scale.belt_px_s, t, leg)),
            step_length_cm: step_time.and_then(|t| scale::step_length_cm(&scale, t)),
            timing: AtContactTiming::default(),
            confidence,
            excluded: None,
            at_ic: None,
            peak_drop_frame: None,
        };
        {
            let img = |lm: usize| [interp(&t, &raw.x[lm], ic), interp(&t, &raw.y[lm], ic)];
            st.at_ic = Some(ImagePoints {
                com: [interp(&t, &rcom_x, ic), interp(&t, &rcom_y, ic)],
                heel: img(heel),
                knee: img(knee),
                ankle: img(ankle),
                hip: img(hip),
                left_hip: img(LEFT_HIP),
                right_hip: img(RIGHT_HIP),
            });
        }
        let end = c.to_time_s.unwrap_or(s.t[c.last]);
        if view.is_side() {
            // the at-contact numbers at an instant τ; read at IC, and at IC ± its timing uncertainty
            // to propagate that into each (belt speed × time for the heel, the joint's angular
            // velocity × time for an angle)
            let at_contact = |tau: f64| -> ([Option<f64>; 4], bool) {
                let (h, kn, an) = (rr.at_contact(hip, tau), rr.at_contact(knee, tau), rr.at_contact(ankle, tau));
                // the heel rides the belt from IC on: read from the samples after it
                let mut foot = rr.at_contact_from(heel, tau, true);
                let mut fallback = false;
                if !(foot[0].is_finite()) {
                    foot = an;
                    fallback = true;
                }
                let os = fin(100.0 * (foot[0] - com_at(tau)[0]) / leg);
                // the foot's angle as it arrives: from the samples before IC (it slaps flat after)
                let fsa = flat_angle.get(&c.side).and_then(|flat| {
                    fin(metrics::angle_above_horizontal(rr.at_contact_from(heel, tau, false), rr.at_contact_from(toe, tau, false)) - flat)
                });
                ([os, fin(metrics::angle_from_down(kn, an)), fin(metrics::knee_flexion(h, kn, an)), fsa], fallback)
            };
            let ([os, shank, knee_ic, fsa], fallback) = at_contact(ic);
            let sigma = c.ic_uncertainty_s;
            let (early, _) = at_contact(ic - sigma);
            let (late, _) = at_contact(ic + sigma);
            let spread = |k: usize| match (early[k], late[k]) {
                (Some(a), Some(b)) => fin((b - a).abs() / 2.0),
                _ => None,
            };
            st.overstride_point = Some(if fallback { "ankle" } else { "heel" });
            if fallback {
                heel_fallbacks += 1;
            }
            st.overstride_pct_leg = os;
            st.overstride_cm = cm_per_px.and_then(|k| os.and_then(|v| fin(v * leg / 100.0 * k)));
            st.shank_angle_deg = shank;
            st.knee_flexion_ic_deg = knee_ic;
            st.timing = AtContactTiming {
                overstride_pct_leg: spread(0),
                overstride_cm: cm_per_px.and_then(|k| spread(0).map(|v| v * leg / 100.0 * k)),
                shank_angle_deg: spread(1),
                knee_flexion_ic_deg: spread(2),
                foot_strike_angle_deg: spread(3),
            };
            st.foot_strike_angle_deg = fsa;
            st.foot_strike = fsa.map(foot_strike_class);
            let mut flex =
                metrics::over(&s, ic, end, |i| metrics::knee_flexion(rf.sample(hip, i), rf.sample(knee, i), rf.sample(ankle, i)));
            flex.extend(st.knee_flexion_ic_deg);
            st.knee_flexion_peak_deg = metrics::max_of(&flex);
            let lean = metrics::over(&s, ic, end, |i| {
                metrics::angle_from_up(
                    mid(rf.sample(LEFT_HIP, i), rf.sample(RIGHT_HIP, i)),
                    mid(rf.sample(LEFT_SHOULDER, i), rf.sample(RIGHT_SHOULDER, i)),
                )
            });
            st.trunk_lean_deg = metrics::mean_of(&lean);
            if let Some(stp) = step_time {
                let ys = metrics::over(&s, ic, ic + stp, |i| -com_y[i]);
                if let (Some(hi), Some(lo)) = (metrics::max_of(&ys), metrics::max_of(&ys.iter().map(|v| -v).collect::<Vec<_>>())) {
                    let range = hi + lo;
                    st.vertical_oscillation_pct_leg = fin(100.0 * range / leg);
                    st.vertical_oscillation_cm = cm_per_px.and_then(|k| fin(range * k));
                }
            }
        } else {
            let (other_hip, stance_hip) = (metrics::leg_landmarks(c.side.other()).0, hip);
            let drops = metrics::over(&s, ic, end, |i| metrics::pelvic_drop(rf.sample(stance_hip, i), rf.sample(other_hip, i)));
            st.pelvic_drop_deg = metrics::max_of(&drops);
            st.peak_drop_frame = (0..s.len())
                .filter(|&i| s.t[i] >= ic - 1e-9 && s.t[i] <= end + 1e-9)
                .map(|i| (i, metrics::pelvic_drop(rf.sample(stance_hip, i), rf.sample(other_hip, i))))
                .filter(|(_, v)| v.is_finite())
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| s.frame[i]);
            // medial: towards the body's midline; left leg's medial is towards the runner's right (+X)
            let medial = if c.side == Side::Left { 1.0 } else { -1.0 };
            let fp = metrics::over(&s, ic, end, |i| metrics::fppa(rf.sample(hip, i), rf.sample(knee, i), rf.sample(ankle, i), medial));
            st.fppa_deg = metrics::max_of(&fp);
            if let Some(prev) = contacts[..k].iter().rev().find(|o| o.side != c.side) {
                let this_x = rf.at(ankle, ic)[0];
                let other_x = rf.at(metrics::leg_landmarks(prev.side).2, prev.ic_time_s)[0];
                let (l, r) = if c.side == Side::Left { (this_x, other_x) } else { (other_x, this_x) };
                let w = r - l;
                st.step_width_pct_leg = fin(100.0 * w / leg);
                st.step_width_cm = cm_per_px.and_then(|k| fin(w * k));
            }
        }
        if confidence < MIN_STEP_CONFIDENCE {
            st.excluded = Some(format!("low landmark confidence {confidence:.2} at initial contact (occluded or blurred leg)"));
        }
        steps.push(st);
    }
    quality.steps_excluded_low_confidence = steps.iter().filter(|s| s.excluded.is_some()).count();
    // impossible numbers (beyond what a body can do) are never shown as results
    let mut impossible: BTreeMap<&'static str, (AlertKind, usize)> = BTreeMap::new();
    let total_steps = steps.len();
    for st in steps.iter_mut() {
        if let Some((kind, why)) = gates::impossible_step(st.overstride_pct_leg, st.knee_flexion_ic_deg, st.knee_flexion_peak_deg) {
            impossible.entry(if kind == AlertKind::Overstride { "overstride" } else { "knee" }).or_insert((kind, 0)).1 += 1;
            if st.excluded.is_none() {
                st.excluded = Some(why);
            }
        }
    }
    for (kind, n) in impossible.values() {
        gate(gates::impossible_steps(*kind, *n, total_steps), &mut alerts)?;
    }
    quality.steps_excluded_implausible = exclude_implausible(&mut steps);
    quality.overstride_point = if heel_fallbacks == 0 { "heel" } else { "heel (ankle where the heel was missing)" };

    // gait: running when the feet leave the ground together
    let flights: Vec<f64> = steps.iter().filter_map(|s| s.flight_time_s).collect();
    let duties: Vec<f64> = steps.iter().filter_map(|s| s.duty_factor).collect();
    let running = match (median(&flights), median(&duties)) {
        (Some(f), _) if f > 0.0 => true,
        (None, Some(d)) => d < 0.5,
        _ => false,
    };
    let gait = if running { Gait::Running } else { Gait::Walking };

    let included: Vec<&Step> = steps.iter().filter(|s| s.excluded.is_none()).collect();
    let cadence_spm = cadence_from_strides(&contacts);
    if let Some(c) = cadence_spm {
        gate(gates::cadence(c, running, fps, capture.is_some()), &mut alerts)?;
    }

    let mut summary: BTreeMap<String, BTreeMap<&'static str, Stat>> = BTreeMap::new();
    type Getter = fn(&Step) -> Option<f64>;
    let metrics_list: Vec<(&str, &'static str, Getter)> = vec![
        ("overstride_pct_leg", "% leg length", |s| s.overstride_pct_leg),
        ("overstride_cm", "cm", |s| s.overstride_cm),
        ("shank_angle_deg", "deg", |s| s.shank_angle_deg),
        ("knee_flexion_ic_deg", "deg", |s| s.knee_flexion_ic_deg),
        ("knee_flexion_peak_deg", "deg", |s| s.knee_flexion_peak_deg),
        ("foot_strike_angle_deg", "deg", |s| s.foot_strike_angle_deg),
        ("trunk_lean_deg", "deg", |s| s.trunk_lean_deg),
        ("vertical_oscillation_pct_leg", "% leg length", |s| s.vertical_oscillation_pct_leg),
        ("vertical_oscillation_cm", "cm", |s| s.vertical_oscillation_cm),
        ("contact_time_s", "s", |s| s.contact_time_s),
        ("flight_time_s", "s", |s| s.flight_time_s),
        ("step_time_s", "s", |s| s.step_time_s),
        ("duty_factor", "fraction", |s| s.duty_factor),
        ("pelvic_drop_deg", "deg", |s| s.pelvic_drop_deg),
        ("fppa_deg", "deg", |s| s.fppa_deg),
        ("step_width_pct_leg", "% leg length", |s| s.step_width_pct_leg),
        ("step_width_cm", "cm", |s| s.step_width_cm),
        ("step_length_pct_leg", "% leg length", |s| s.step_length_pct_leg),
        ("step_length_cm", "cm", |s| s.step_length_cm),
    ];
    let mut asym = BTreeMap::new();
    for (name, unit, get) in &metrics_list {
        let mut per = BTreeMap::new();
        for (key, side) in [("left", Some(Side::Left)), ("right", Some(Side::Right)), ("all", None)] {
            let v: Vec<f64> = included.iter().filter(|s| side.is_none_or(|sd| s.side == sd)).filter_map(|s| get(s)).collect();
            if let Some(mut st) = Stat::of(&v, unit) {
                // the timing part does not shrink with more steps (the same frame rate, the same
                // landing model): the mean of the steps' ±
                let tm: Vec<f64> =
                    included.iter().filter(|s| side.is_none_or(|sd| s.side == sd)).filter_map(|s| s.timing.get(name)).collect();
                st.timing = (!tm.is_empty()).then(|| tm.iter().sum::<f64>() / tm.len() as f64);
                per.insert(key, st);
            }
        }
        if let (Some(l), Some(r)) = (per.get("left"), per.get("right")) {
            let sdd = (*name == "pelvic_drop_deg").then_some(PELVIC_DROP_SDD_DEG);
            asym.insert(name.to_string(), asymmetry(l, r, sdd));
        }
        if !per.is_empty() {
            summary.insert(name.to_string(), per);
        }
    }
    if let Some(st) = Stat::of(&included.iter().filter_map(|s| s.step_time_s.map(|x| 60.0 / x)).collect::<Vec<_>>(), "steps/min") {
        summary.entry("cadence_spm".into()).or_default().insert("all", st);
    }

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
            if let Some(k) = summary.get("knee_flexion_ic_deg").and_then(|m| m.get(side.as_str())) {
                let (lo, hi) = KNEE_FLEXION_IC_PLAUSIBLE;
                if k.mean < lo || k.mean > hi {
                    warnings.push(format!(
                        "suspect: {} knee flexion at initial contact {:.1}° is outside {lo:.0}–{hi:.0}° (running norm {:.1} ± {:.1}°): check the key frames — a landmark error or a contact read at the wrong instant",
                        side.as_str(), k.mean, KNEE_FLEXION_IC_NORM.0, KNEE_FLEXION_IC_NORM.1
                    ));
                }
            }
            if let Some(os) = summary.get("overstride_pct_leg").and_then(|m| m.get(side.as_str())) {
                if let OverstrideVerdict::CannotTell { low, high } = overstride_verdict(os) {
                    warnings.push(format!(
                        "{} overstride is borderline — {low:.1} to {high:.1} % of leg length straddles a band limit and cannot be told apart at {effective_fps:.0} fps; film at 120 fps or more",
                        side.as_str()
                    ));
                }
            }
        }
        let unc: Vec<f64> = included.iter().map(|s| s.ic_uncertainty_ms).collect();
        if let Some(m) = median(&unc) {
            warnings.push(format!(
                "initial contact timed by the landing model (the foot at the belt's level and speed) to ±{m:.0} ms (median over steps; half a frame at {effective_fps:.0} fps is {:.0} ms): every at-contact number is shown with its timing uncertainty",
                500.0 / effective_fps
            ));
        }
    }
    warnings.push(format!(
        "event timing: ±{:.0} ms from the frame rate ({effective_fps:.0} {}fps) on top of ~10–25 ms for kinematic detection of foot strike (Fellin 2010){}",
        quality.event_timing_resolution_ms,
        if repeated.is_some() { "distinct " } else { "" },
        if effective_fps < 60.0 { "; contact and flight times are coarse below 60 fps" } else { "" }
    ));
    if heel_fallbacks > 0 {
        warnings.push(format!("{heel_fallbacks} steps measured overstride from the ankle: the heel landmark was missing"));
    }
    if scale.cm_per_px.is_none() && scale.step_length_source.is_none() {
        warnings.push("distances in % of leg length only: give --height-cm or --belt-kmh for centimetres".into());
    }
    warnings.extend(scale::warnings(&scale));

    let per_side = |side: Side| included.iter().filter(|st| st.side == side).count();
    let capture_quality = capture::assess(
        view,
        &capture::Measured {
            effective_fps,
            ic_uncertainty_ms: median(&included.iter().map(|st| st.ic_uncertainty_ms).collect::<Vec<_>>()),
            overstride_timing_pct_leg: median(&included.iter().filter_map(|st| st.timing.overstride_pct_leg).collect::<Vec<_>>()),
            body_px: gates::body_height_px(&s),
            steps: [per_side(Side::Left), per_side(Side::Right)],
            leg_visibility: capture::leg_visibility(&s, signal::MIN_VISIBILITY),
            belt_tilt_deg: (!tilts.is_empty()).then_some(quality.belt_tilt_deg),
            segment_change_pct: capture::segment_change_pct(&s, signal::MIN_VISIBILITY),
        },
    );

    Ok(Analysis {
        view,
        view_detected: opts.view.is_none() && detected.is_some(),
        gait,
        fps,
        frames: frames.len(),
        frames_with_pose: with_pose,
        duration_s: s.t.last().copied().unwrap_or(0.0) - s.t.first().copied().unwrap_or(0.0),
        leg_length_px: leg,
        cm_per_px,
        scale,
        cadence_spm,
        steps,
        summary,
        asymmetry: asym,
        quality,
        capture_quality,
        frame_rate,
        alerts,
        warnings,
        traces,
    })
}

/// Step and contact times beyond these fractions of the side's median mark a step as implausible.
pub const IMPLAUSIBLE_LOW: f64 = 0.6;
pub const IMPLAUSIBLE_HIGH: f64 = 1.6;

/// Leaves out of the summary the steps whose step or contact time is far from the median of the
/// same side (a spurious contact, or two contacts merged into one); returns how many.
pub fn exclude_implausible(steps: &mut [Step]) -> usize {
    let mut n = 0;
    for side in [Side::Left, Side::Right] {
        let st = median(&steps.iter().filter(|s| s.side == side).filter_map(|s| s.step_time_s).collect::<Vec<_>>());
        let ct = median(&steps.iter().filter(|s| s.side == side).filter_map(|s| s.contact_time_s).collect::<Vec<_>>());
        for s in steps.iter_mut().filter(|s| s.side == side && s.excluded.is_none()) {
            let odd = |v: Option<f64>, m: Option<f64>| matches!((v, m), (Some(v), Some(m)) if v < IMPLAUSIBLE_LOW * m || v > IMPLAUSIBLE_HIGH * m);
            if odd(s.step_time_s, st) || odd(s.contact_time_s, ct) {
                s.excluded = Some(format!(
                    "implausible timing (step {} s, contact {} s; this side's medians {} s and {} s): likely a mis-detected contact",
                    s.step_time_s.map_or("–".into(), |v| format!("{v:.2}")),
                    s.contact_time_s.map_or("–".into(), |v| format!("{v:.2}")),
                    st.map_or("–".into(), |v| format!("{v:.2}")),
                    ct.map_or("–".into(), |v| format!("{v:.2}"))
                ));
                n += 1;
            }
        }
    }
    n
}

/// The median over both feet of contact time over stride time, from the contacts as first found.
pub fn provisional_duty_factor(contacts: &[Contact]) -> Option<f64> {
    let mut d = Vec::new();
    for side in [Side::Left, Side::Right] {
        let own: Vec<&Contact> = contacts.iter().filter(|c| c.side == side).collect();
        for w in own.windows(2) {
            if let Some(to) = w[0].to_time_s {
                let stride = w[1].ic_time_s - w[0].ic_time_s;
                if stride > 0.0 {
                    d.push((to - w[0].ic_time_s) / stride);
                }
            }
        }
    }
    median(&d)
}

/// Cadence (steps/min) from each foot's stride times (IC to the same foot's next IC): two steps per
/// stride. Same-side intervals do not depend on how the two feet's contacts are timed against each
/// other; intervals outside half to one and a half times the median (a missed or a spurious
/// contact) are left out.
pub fn cadence_from_strides(contacts: &[Contact]) -> Option<f64> {
    let mut strides = Vec::new();
    for side in [Side::Left, Side::Right] {
        let ics: Vec<f64> = contacts.iter().filter(|c| c.side == side).map(|c| c.ic_time_s).collect();
        strides.extend(ics.windows(2).map(|w| w[1] - w[0]));
    }
    // a missed contact doubles a stride and a spurious one splits it: the mean is taken over the
    // strides near the median (true strides vary by a few per cent)
    let med = median(&strides)?;
    let kept: Vec<f64> = strides.into_iter().filter(|s| *s > 0.8 * med && *s < 1.25 * med).collect();
    let mean = kept.iter().sum::<f64>() / kept.len().max(1) as f64;
    (mean > 0.0).then(|| 120.0 / mean)
}

fn fin(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}
