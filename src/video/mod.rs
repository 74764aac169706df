//! Video at the edges of the pipeline: decoding frames upright with their timestamps, and writing the
//! annotated video.

pub mod annotate;
pub mod container;
pub mod decode;
pub mod encode;
pub mod evidence;
pub mod key_frame;

pub use decode::{Frame, VideoInfo, VideoReader};
