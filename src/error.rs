//! The errors a user can cause, each with a message that says what went wrong and what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("video not found: {0} (check the path)")]
    VideoMissing(PathBuf),
    #[error("video file is empty: {0}")]
    VideoEmpty(PathBuf),
    #[error("not a readable video: {path} ({why}); give an MP4/MOV/MKV/WebM file as a phone or camera wrote it")]
    VideoUnreadable { path: PathBuf, why: String },
    #[error(
        "video frames are {width}x{height} ({mpx:.0} megapixels): larger than 8K (7680x4320), the most this tool reads \
         (its frames in flight would need too much memory); scale it down first, e.g. \
         ffmpeg -i IN -vf scale=-2:2160 -c:a copy OUT.mp4: {path}",
        mpx = *width as f64 * *height as f64 / 1e6
    )]
    VideoTooLarge { path: PathBuf, width: u32, height: u32 },
    #[error(
        "video is truncated or damaged: {path}: decoded {decoded} of the {expected} frames its container presents \
         (after any edit list, from its first keyframe); copy or export the file again"
    )]
    VideoTruncated { path: PathBuf, decoded: usize, expected: usize },
    #[error("model file missing: {path}; {hint}")]
    ModelMissing { path: PathBuf, hint: String },
    #[error(
        "model file altered or corrupt: {path} has sha256 {got}, expected {expected}; restore it with \
         `git checkout -- models/` (or rerun scripts/convert_models.py)"
    )]
    ModelChecksum { path: PathBuf, got: String, expected: String },
    #[error(
        "ONNX Runtime library not found (looked for {looked}); run scripts/install_deps.sh, or set \
         ORT_DYLIB_PATH to a libonnxruntime.so of version >= 1.31"
    )]
    RuntimeMissing { looked: String },
    #[error("ONNX Runtime failed to load {path}: {why} (overstride needs ONNX Runtime >= 1.31; run scripts/install_deps.sh)")]
    RuntimeLoad { path: PathBuf, why: String },
    #[error("inference failed: {0}")]
    Inference(String),
    #[error("video processing failed: {0}")]
    OpenCv(String),
    #[error("landmarks file {path}: {why}")]
    LandmarksFile { path: PathBuf, why: String },
    #[error("cannot write output {path}: {why}")]
    Output { path: PathBuf, why: String },
    #[error("{0}")]
    Input(String),
    #[error("{dir} is in use by another overstride run (pid {pid}); wait for it or choose another --out")]
    InUse { dir: PathBuf, pid: String },
    #[error("interrupted (Ctrl-C or a termination signal): stopped before finishing; the earlier results in --out are unchanged")]
    Interrupted,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<opencv::Error> for Error {
    fn from(e: opencv::Error) -> Self {
        Error::OpenCv(e.message)
    }
}

impl From<ort::Error> for Error {
    fn from(e: ort::Error) -> Self {
        Error::Inference(e.to_string())
    }
}
