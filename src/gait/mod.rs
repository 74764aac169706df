//! Gait analysis: pure functions over landmark time series (no video, no model).
//!
//! `analysis` runs a run through five stages (prepare → contacts → steps → summarise → interpret).
//! What they call, each a module with plain data in and out: `series` (frames → signals), `swap`
//! (left/right repair), `signal` (cleaning and zero-lag filtering), `view` (side/rear/front),
//! `events` (initial contact and toe-off on a treadmill: `belt`, `corner`, `side_view`, `frontal`,
//! `landing`, `fit`), `com` (centre of mass), `metrics`, `metric` (the table of every summary
//! metric: key, unit, getter, reference, direction), `scale`, `plausibility`, `capture`;
//! `side`, `stats` (percentile and the two medians), `geometry` and `summary` (statistics with
//! their uncertainty) are shared by all.

pub mod analysis;
pub(crate) mod belt;
pub mod capture;
pub(crate) mod com;
pub(crate) mod corner;
pub mod events;
pub(crate) mod fit;
pub(crate) mod frontal;
pub(crate) mod geometry;
pub mod landing;
pub mod metric;
pub(crate) mod metrics;
pub mod plausibility;
pub mod retraining;
pub mod scale;
pub(crate) mod series;
pub(crate) mod side;
pub(crate) mod side_view;
pub mod signal;
pub(crate) mod sole_line;
pub(crate) mod stats;
pub mod summary;
pub(crate) mod swap;
pub mod view;

pub use analysis::{analyze, Analysis, AnalysisError, CaptureFps, CaptureSource, Exclusion, Options, Step, VideoFacts};
pub(crate) use analysis::{borderline_advice, IMPLAUSIBLE_HIGH, IMPLAUSIBLE_LOW, MIN_STEP_CONFIDENCE};
