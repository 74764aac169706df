//! What the analysis takes (options, the video's facts) and gives (the analysis, its quality
//! record and traces), and how it fails.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Step;
use crate::gait::capture::CaptureQuality;
use crate::gait::metric::Summary;
use crate::gait::plausibility::Alert;
use crate::gait::scale::Scale;
use crate::gait::summary::Asymmetry;
use crate::gait::view::View;

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
    /// metric key → side ("left", "right", "all") → statistics (the metrics: [`crate::gait::metric`]).
    pub summary: Summary,
    pub asymmetry: BTreeMap<&'static str, Asymmetry>,
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
