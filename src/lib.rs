//! overstride: treadmill running gait analysis from video.
//!
//! The pipeline is a chain of stages with plain data between them:
//! `video` (frames) → `pose` (BlazePose landmarks per frame) → `landmarks_io` (landmarks.csv) →
//! gait analysis → report. Each stage is a module; the binary (`main.rs`) only wires them.
// `!(a > b)` on floats is deliberate here: it is true when either side is NaN, so a NaN bound or
// window is rejected rather than let through.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod batch;
pub mod compare;
pub mod error;
pub mod gait;
pub mod interrupt;
pub mod landmarks_io;
pub mod output;
pub mod pose;
pub mod report;
pub mod run;
pub mod video;

pub use error::{Error, Result};
