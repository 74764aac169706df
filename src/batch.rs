//! Batch mode for a clinic's folder of assessments: which files are videos, how many to analyse at
//! once on this machine. The per-video work is the same
//! `analyze` as for one video, and the index page over the results is `report::index`; this module
//! only schedules.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::{Error, Result};

pub const VIDEO_EXTENSIONS: &[&str] = &["mp4", "mov", "m4v", "mkv", "webm", "avi"];

/// The video files directly in `dir`, sorted by name.
pub fn list_videos(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::Input(format!("cannot read folder {}: {e}", dir.display())))?;
    let mut v: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str())))
        .collect();
    v.sort();
    Ok(v)
}

/// The longest sub-folder name made from a file name (in characters).
pub const MAX_NAME_CHARS: usize = 80;

/// A file name made safe as one sub-folder of `--out`: the stem with every character other than a
/// letter, a digit, `-`, `_` or `.` turned into `_`, no leading dots or dashes, no trailing dots,
/// at most [`MAX_NAME_CHARS`]; `video` when nothing is left. Never `..`, a separator or hidden.
pub fn safe_name(file: &Path) -> String {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mapped: String = stem.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' }).collect();
    let trimmed: String = mapped.trim_start_matches(['.', '-']).chars().take(MAX_NAME_CHARS).collect();
    let trimmed = trimmed.trim_end_matches('.');
    if trimmed.is_empty() {
        "video".to_string()
    } else {
        trimmed.to_string()
    }
}

/// One sub-folder name per video (its [`safe_name`]; made unique — ignoring case, for
/// case-insensitive file systems — with `-2`, `-3`… in input order; never `index.html` or the
/// manifest's name).
pub fn unique_names(videos: &[PathBuf]) -> Vec<String> {
    // the batch's own files beside the sub-folders
    let mut taken: std::collections::HashSet<String> =
        [crate::output::INDEX, crate::output::MANIFEST].iter().map(|s| s.to_lowercase()).collect();
    let mut out: Vec<String> = Vec::with_capacity(videos.len());
    for v in videos {
        let stem = safe_name(v);
        let mut name = stem.clone();
        let mut k = 2;
        while taken.contains(&name.to_lowercase()) {
            name = format!("{stem}-{k}");
            k += 1;
        }
        taken.insert(name.to_lowercase());
        out.push(name);
    }
    out
}

/// How to share the cores: the pose stage of one video already uses two workers well, so videos
/// run side by side only when there are cores to spare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub concurrent: usize,
    pub workers_each: usize,
}

impl Plan {
    pub fn for_cores(cores: usize, videos: usize) -> Plan {
        let concurrent = (cores / 2).clamp(1, videos.max(1));
        Plan { concurrent, workers_each: (cores / concurrent).max(1) }
    }
}

/// Runs `job` on every video, `concurrent` at a time, results in input order.
pub fn run_all<T: Send, F>(videos: &[PathBuf], concurrent: usize, job: F) -> Vec<std::result::Result<T, String>>
where
    F: Fn(usize, &Path) -> std::result::Result<T, String> + Sync,
{
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<std::result::Result<T, String>>>> = Mutex::new((0..videos.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..concurrent.max(1) {
            s.spawn(|| loop {
                // once interrupted, no further video is started
                if crate::interrupt::requested() {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= videos.len() {
                    break;
                }
                let r = job(i, &videos[i]);
                if let Ok(mut g) = results.lock() {
                    g[i] = Some(r);
                }
            });
        }
    });
    results.into_inner().unwrap_or_default().into_iter().map(|r| r.unwrap_or_else(|| Err("not run".into()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_shares_cores_and_names_are_unique() {
        assert_eq!(Plan::for_cores(2, 5), Plan { concurrent: 1, workers_each: 2 });
        assert_eq!(Plan::for_cores(8, 5), Plan { concurrent: 4, workers_each: 2 });
        assert_eq!(Plan::for_cores(8, 1), Plan { concurrent: 1, workers_each: 8 });
        let n = unique_names(&[PathBuf::from("a/run.mp4"), PathBuf::from("b/run.MOV"), PathBuf::from("c/x.mp4")]);
        assert_eq!(n, vec!["run", "run-2", "x"]);
        let n = unique_names(&[
            PathBuf::from("in/...mp4"),
            PathBuf::from("in/.hidden.mp4"),
            PathBuf::from("in/a b?.mp4"),
            PathBuf::from("in/index.html.mp4"),
            PathBuf::from("in/Run.mp4"),
            PathBuf::from("in/run.mov"),
            PathBuf::from("in/overstride-manifest.json.mp4"),
        ]);
        assert_eq!(n, vec!["video", "hidden", "a_b_", "index.html-2", "Run", "run-2", "overstride-manifest.json-2"]);
    }
}
