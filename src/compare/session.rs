//! One session as `compare` reads it: the parts of a report.json it needs, read from a results
//! folder (a regular file, not through a link, of a sane size; a schema it knows).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::READS_SCHEMA_MAJOR;
use crate::{Error, Result};

/// A report.json larger than this is not one `analyze` wrote.
pub(super) const MAX_REPORT_BYTES: u64 = 256 << 20;

/// One side's statistics of a metric, as report.json holds them.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
pub struct SessionStat {
    pub mean: f64,
    /// null in report.json with a single step
    pub se: Option<f64>,
    pub n: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct StatIn {
    mean: f64,
    se: Option<f64>,
    n: usize,
    unit: String,
    #[serde(default)]
    timing: Option<f64>,
}

/// The parts of a report.json that a comparison reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub schema_version: String,
    pub input: String,
    pub view: String,
    pub gait: String,
    pub fps: f64,
    pub duration_s: f64,
    pub cadence_spm: Option<f64>,
    #[serde(default)]
    pub cm_per_px: Option<f64>,
    pub(super) summary: BTreeMap<String, BTreeMap<String, StatIn>>,
    steps: Vec<serde_json::Map<String, serde_json::Value>>,
    /// The folder it was read from (not in report.json).
    #[serde(skip)]
    pub folder: PathBuf,
}

impl Session {
    pub fn is_side(&self) -> bool {
        self.view.starts_with("side")
    }

    /// The per-step values of a metric on one side (steps left out of the means excluded), for plots.
    pub fn step_values(&self, key: &str, side: &str) -> Vec<f64> {
        self.steps
            .iter()
            .filter(|s| s.get("side").and_then(|v| v.as_str()) == Some(side) && s.get("excluded").is_none_or(|e| e.is_null()))
            .filter_map(|s| s.get(key).and_then(|v| v.as_f64()))
            .filter(|v| v.is_finite())
            .collect()
    }

    /// Every step's side and initial-contact time (all steps: cadence counts them all, as `analyze` does).
    pub fn contacts(&self) -> Vec<(String, f64)> {
        self.steps.iter().filter_map(|s| Some((s.get("side")?.as_str()?.to_string(), s.get("ic_time_s")?.as_f64()?))).collect()
    }

    pub(super) fn stat(&self, key: &str, side: &str) -> Option<(SessionStat, &str)> {
        self.summary
            .get(key)
            .and_then(|m| m.get(side))
            .map(|s| (SessionStat { mean: s.mean, se: s.se, n: s.n, timing: s.timing }, s.unit.as_str()))
    }
}

/// Parses a report.json: one clear message when it is not one this tool can compare.
pub fn parse_session(text: &str, path: &Path) -> Result<Session> {
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::Input(format!("{} is not JSON ({e}): give a folder `overstride analyze` wrote", path.display())))?;
    let version = v.get("schema_version").and_then(|s| s.as_str()).unwrap_or("");
    if version.split('.').next() != Some(READS_SCHEMA_MAJOR) {
        // a version that is not a string is shown as it is written
        let shown = match v.get("schema_version") {
            None | Some(serde_json::Value::Null) => "(none)".to_string(),
            Some(serde_json::Value::String(s)) if s.is_empty() => "(none)".to_string(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        return Err(Error::Input(format!(
            "{} has report schema {shown}, this overstride compares schema {READS_SCHEMA_MAJOR}.x: analyse the video again with this version",
            path.display()
        )));
    }
    serde_json::from_value(v).map_err(|e| {
        Error::Input(format!("{} is not an overstride report.json ({e}): give a folder `overstride analyze` wrote", path.display()))
    })
}

/// Reads `dir/report.json` (a regular file, not through a link, of a sane size).
pub fn load(dir: &Path, which: &str) -> Result<Session> {
    use std::os::unix::fs::OpenOptionsExt;
    if !dir.is_dir() {
        return Err(Error::Input(format!(
            "{which} {} is not a folder: give a results folder that `overstride analyze` wrote",
            dir.display()
        )));
    }
    let path = dir.join("report.json");
    let f = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(&path);
    let f = match f {
        Ok(f) if f.metadata().is_ok_and(|m| m.is_file()) => f,
        Ok(_) => {
            return Err(Error::Input(format!(
                "{} is not a regular file: give a results folder that `overstride analyze` wrote",
                path.display()
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Input(format!(
                "{which} {} has no report.json: give a results folder that `overstride analyze` wrote",
                dir.display()
            )))
        }
        Err(e) => return Err(Error::Input(format!("cannot read {} ({e})", path.display()))),
    };
    let mut text = String::new();
    f.take(MAX_REPORT_BYTES).read_to_string(&mut text).map_err(|e| Error::Input(format!("cannot read {} ({e})", path.display())))?;
    let mut s = parse_session(&text, &path)?;
    s.folder = dir.to_path_buf();
    Ok(s)
}
