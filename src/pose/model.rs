//! Model files and the ONNX Runtime library: where they are, checked before use.
//!
//! The expected sha256 of every model is compiled into the binary from models/MANIFEST.json, so a
//! missing, truncated or altered model file is refused with a clear message before ONNX Runtime sees
//! it. The runtime library is loaded dynamically (ort's `load-dynamic`): from `ORT_DYLIB_PATH`, else
//! beside the executable, else from the checkout's third_party/onnxruntime/ where
//! scripts/install_deps.sh puts it. We check the file exists first (ort panics otherwise).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

const MANIFEST: &str = include_str!("../../models/MANIFEST.json");
const LIB_NAME: &str = "libonnxruntime.so";

/// Which BlazePose landmark model to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Lite,
    Full,
    Heavy,
}

impl Variant {
    fn key(self) -> &'static str {
        match self {
            Variant::Lite => "lite",
            Variant::Full => "full",
            Variant::Heavy => "heavy",
        }
    }
}

/// The directory holding the .onnx files: `OVERSTRIDE_MODELS_DIR`, else `models/` beside the
/// executable, else the checkout's `models/`.
pub(crate) fn models_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("OVERSTRIDE_MODELS_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = exe_dir().map(|d| d.join("models")).filter(|d| d.is_dir()) {
        return d;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

fn exe_dir() -> Option<PathBuf> {
    std::env::current_exe().ok()?.parent().map(Path::to_path_buf)
}

fn manifest_entry(key: &str) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(MANIFEST).ok()?;
    let e = v.get(key)?;
    Some((e.get("file")?.as_str()?.to_string(), e.get("sha256")?.as_str()?.to_string()))
}

/// Reads a model file and checks it against the compiled-in manifest.
pub(crate) fn read_verified(dir: &Path, key: &str) -> Result<Vec<u8>> {
    let (file, expected) = manifest_entry(key)
        .ok_or_else(|| Error::ModelMissing { path: dir.join(format!("<{key}>")), hint: format!("this build knows no '{key}' model") })?;
    let path = dir.join(&file);
    let hint = if key == "detector" || key == "full" {
        "it ships with overstride under models/; restore it with `git checkout -- models/`".to_string()
    } else {
        format!("create it with `python scripts/convert_models.py --out models --variant {key}` (see README)")
    };
    let bytes = std::fs::read(&path).map_err(|_| Error::ModelMissing { path: path.clone(), hint })?;
    let got = hex(&Sha256::digest(&bytes));
    if got != expected {
        return Err(Error::ModelChecksum { path, got, expected });
    }
    Ok(bytes)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

static RUNTIME: OnceLock<std::result::Result<(PathBuf, ort::environment::Environment), String>> = OnceLock::new();

/// ONNX Runtime's official builds (1.29 and later, the PyPI wheel this project uses) collect
/// telemetry on Linux too: at start-up they write a device id and an event database under
/// `~/.cache/Microsoft/DeveloperTools/.onnxruntime/` (process path, OS, models' metadata) and try to
/// upload it. A clinic's assessment must not touch anything outside `--out` nor send anything
/// anywhere, and the C API's `DisableTelemetryEvents` (ort's `with_telemetry(false)`) comes after
/// the files are made; `ORT_DISABLE_TELEMETRY=1`, set before the library starts, turns all of it
/// off. Set here always (whatever the caller's environment says). Call it before any thread starts
/// (the binary does, first thing); [`init_runtime`] calls it again, for library users.
pub fn opt_out_of_telemetry() {
    std::env::set_var("ORT_DISABLE_TELEMETRY", "1");
}

/// Finds and loads the ONNX Runtime library once per process.
pub(crate) fn init_runtime() -> Result<&'static ort::environment::Environment> {
    let r = RUNTIME.get_or_init(|| {
        opt_out_of_telemetry();
        let mut candidates = Vec::new();
        if let Some(p) = std::env::var_os("ORT_DYLIB_PATH") {
            candidates.push(PathBuf::from(p));
        } else {
            if let Some(d) = exe_dir() {
                candidates.push(d.join(LIB_NAME));
            }
            candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("third_party/onnxruntime").join(LIB_NAME));
        }
        let Some(path) = candidates.iter().find(|p| p.is_file()).cloned() else {
            let looked = candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
            return Err(Error::RuntimeMissing { looked }.to_string());
        };
        let builder = ort::init_from(&path).map_err(|e| Error::RuntimeLoad { path: path.clone(), why: e.to_string() }.to_string())?;
        // Kept for the whole process: ort holds the environment only weakly.
        let env = builder
            .with_name("overstride")
            .with_telemetry(false)
            .build()
            .map_err(|e| Error::RuntimeLoad { path: path.clone(), why: e.to_string() }.to_string())?;
        Ok((path, env))
    });
    match r {
        Ok((_, env)) => Ok(env),
        Err(e) => Err(Error::Input(e.clone())),
    }
}

/// Model bytes, verified, ready to open as many sessions as there are workers.
pub struct Models {
    pub detector: Vec<u8>,
    pub landmarks: Vec<u8>,
    pub variant: Variant,
}

impl Models {
    pub fn load(variant: Variant) -> Result<Models> {
        let dir = models_dir();
        Ok(Models { detector: read_verified(&dir, "detector")?, landmarks: read_verified(&dir, variant.key())?, variant })
    }

    /// Opens one detector and one landmark session, each single-threaded: parallelism comes from
    /// running several workers (see `pipeline`).
    pub fn sessions(&self, intra_threads: usize) -> Result<super::tracker::Sessions> {
        let env = init_runtime()?;
        let open = |bytes: &[u8]| -> Result<Session> {
            Session::builder(env)
                .map_err(Error::from)?
                .with_optimization_level(GraphOptimizationLevel::Level3)
                .map_err(|e| Error::Inference(e.to_string()))?
                .with_intra_threads(intra_threads)
                .map_err(|e| Error::Inference(e.to_string()))?
                .commit_from_memory(bytes)
                .map_err(Error::from)
        };
        let landmarks = open(&self.landmarks)?;
        let landmark_run_options = super::landmark_model::run_options(&landmarks)?;
        Ok(super::tracker::Sessions { detector: open(&self.detector)?, landmarks, landmark_run_options })
    }
}
