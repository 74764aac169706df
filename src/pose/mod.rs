//! Pose stage: BlazePose (MediaPipe's model, converted to ONNX) run from Rust.
//!
//! Per frame: a person detector gives a rotated square region of interest (ROI) around the body, the
//! landmark model reads a 256x256 crop of it, and the landmarks are mapped back to frame pixels. The
//! next frame's ROI comes from this frame's auxiliary landmarks; the detector runs again only when the
//! pose is lost. The numbers (anchors, scales, thresholds) are MediaPipe 0.10.14's, read from its graph
//! configs (pose_detection_cpu, pose_landmark_cpu, pose_detection_to_roi, pose_landmarks_to_roi,
//! pose_landmark_filtering) and kept as named constants in the submodules.

pub mod anchors;
pub mod detector;
pub mod landmark_model;
pub mod model;
pub mod one_euro;
pub mod pipeline;
pub mod preprocess;
pub mod roi;
pub mod runner;
pub mod sole;
pub mod tracker;

/// Number of body landmarks BlazePose reports (0 nose … 32 right foot index).
pub const NUM_LANDMARKS: usize = 33;

/// BlazePose landmark indices used by the rest of the program.
pub mod idx {
    pub const NOSE: usize = 0;
    pub const LEFT_SHOULDER: usize = 11;
    pub const RIGHT_SHOULDER: usize = 12;
    pub const LEFT_ELBOW: usize = 13;
    pub const RIGHT_ELBOW: usize = 14;
    pub const LEFT_WRIST: usize = 15;
    pub const RIGHT_WRIST: usize = 16;
    pub const LEFT_HIP: usize = 23;
    pub const RIGHT_HIP: usize = 24;
    pub const LEFT_KNEE: usize = 25;
    pub const RIGHT_KNEE: usize = 26;
    pub const LEFT_ANKLE: usize = 27;
    pub const RIGHT_ANKLE: usize = 28;
    pub const LEFT_HEEL: usize = 29;
    pub const RIGHT_HEEL: usize = 30;
    pub const LEFT_FOOT_INDEX: usize = 31;
    pub const RIGHT_FOOT_INDEX: usize = 32;
}

/// Segments drawn as the skeleton (pairs of landmark indices).
pub(crate) const SKELETON: &[(usize, usize)] = &[
    (11, 12),
    (11, 13),
    (13, 15),
    (12, 14),
    (14, 16),
    (11, 23),
    (12, 24),
    (23, 24),
    (23, 25),
    (25, 27),
    (27, 29),
    (29, 31),
    (27, 31),
    (24, 26),
    (26, 28),
    (28, 30),
    (30, 32),
    (28, 32),
    (0, 11),
    (0, 12),
];

/// One landmark in pixels of the upright displayed frame. `z` is depth relative to the hips, in the
/// same pixel scale (smaller is nearer the camera). `visibility` and `presence` are probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Landmark {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub visibility: f32,
    pub presence: f32,
}

/// The runner's pose on one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Pose {
    pub landmarks: [Landmark; NUM_LANDMARKS],
    /// The landmark model's pose-presence probability.
    pub score: f32,
}

/// The pose stage's output for one frame: everyone followed in it (any order).
#[derive(Debug, Clone, PartialEq)]
pub struct FramePeople {
    pub frame: usize,
    pub time_s: f64,
    pub people: Vec<Pose>,
}

/// The runner's pose on one frame, if seen (what the gait analysis reads; see `runner`).
#[derive(Debug, Clone, PartialEq)]
pub struct FramePose {
    pub frame: usize,
    pub time_s: f64,
    pub pose: Option<Pose>,
    /// Each shoe's lowest point on this frame, measured from the pixels ([`sole`]): left, right;
    /// image pixels of the upright frame. None where not measured (no video, no pose, the shoe not
    /// told from the belt).
    pub soles: [Option<[f32; 2]>; 2],
}

pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}
