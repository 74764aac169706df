//! Gait analysis: pure functions over landmark time series (no video, no model).
//!
//! Stages, each a module with plain data in and out: `series` (frames → signals), `swap` (left/right
//! repair), `signal` (cleaning and zero-lag filtering), `view` (side/rear/front), `events` (initial
//! contact and toe-off on a treadmill), `com` (centre of mass).

pub mod analysis;
pub mod belt;
pub mod capture;
pub mod com;
pub mod corner;
pub mod events;
pub mod fit;
pub mod frontal;
pub mod geometry;
pub mod landing;
pub mod metrics;
pub mod plausibility;
pub mod retraining;
pub mod scale;
pub mod series;
pub mod side;
pub mod side_view;
pub mod signal;
pub mod stats;
pub mod summary;
pub mod swap;
pub mod view;

pub use analysis::{analyze, Analysis, AnalysisError, CaptureFps, CaptureSource, Options, Step, VideoFacts};
