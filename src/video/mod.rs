//! Video at the edges of the pipeline: decoding frames upright with their timestamps, and encoding
//! a video from frames. Nothing here knows about poses or gait: what is drawn on the frames (the
//! annotated video, key frames, evidence strips) is presentation, in `report`.

pub mod container;
pub mod decode;
pub mod encode;
pub mod info;

pub use decode::{Frame, Keep, VideoInfo, VideoReader};
