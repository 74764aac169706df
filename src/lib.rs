//! overstride: treadmill running gait analysis from video.
//!
//! The pipeline is a chain of stages with plain data between them:
//! `video` (frames) → `pose` (BlazePose landmarks per frame) → `landmarks_io` (landmarks.csv) →
//! gait analysis → report. Each stage is a module; the binary (`main.rs`) only wires them.

pub mod batch;
pub mod compare;
pub mod error;
pub mod gait;
pub mod interrupt;
pub mod landmarks_io;
pub mod output;
pub mod pose;
pub mod report;
pub mod video;

pub use error::{Error, Result};
