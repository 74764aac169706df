//! Batch mode for a clinic's folder of assessments: which files are videos, how many to analyse at
//! once on this machine. The per-video work is the same
//! `analyze` as for one video, and the index page over the results is `report::index`; this module
//! only schedules.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::{Error, Result};

pub(crate) const VIDEO_EXTENSIONS: &[&str] = &["mp4", "mov", "m4v", "mkv", "webm", "avi"];

/// The extension of the landmarks files a `--landmarks FOLDER` batch reanalyses.
pub(crate) const LANDMARKS_EXTENSIONS: &[&str] = &["csv"];

/// The video files directly in `dir`, sorted by name.
pub(crate) fn list_videos(dir: &Path) -> Result<Vec<PathBuf>> {
    list_files(dir, VIDEO_EXTENSIONS)
}

/// The files directly in `dir` with one of `extensions` (any case), sorted by name.
pub(crate) fn list_files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::Input(format!("cannot read folder {}: {e}", dir.display())))?;
    let mut v: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e.to_ascii_lowercase().as_str())))
        .collect();
    v.sort();
    Ok(v)
}

/// The words at the end of a file name that mark it as one clip of an assessment set: the name
/// before them (`anna` in `anna_side.mp4`, `anna-rear.mov`, `Anna Front.mp4`) names the set.
/// The first group marks a side clip, the second a rear or front one; the views themselves are
/// still detected from the landmarks.
pub(crate) const SET_MARKERS: [&[&str]; 2] = [&["side"], &["rear", "back", "front"]];

/// A file's stem split into its set's name and its plane marker (0 side, 1 rear/front), when it
/// ends in `_`, `-` or a space and one of [`SET_MARKERS`] (any case) after a non-empty name.
pub(crate) fn set_marker(file: &Path) -> Option<(String, usize)> {
    let stem = file.file_stem()?.to_str()?;
    let lower = stem.to_lowercase();
    for (plane, words) in SET_MARKERS.iter().enumerate() {
        for w in *words {
            for sep in ['_', '-', ' '] {
                let tail = format!("{sep}{w}");
                if lower.ends_with(&tail) && stem.len() > tail.len() && stem.is_char_boundary(stem.len() - tail.len()) {
                    return Some((stem[..stem.len() - tail.len()].to_string(), plane));
                }
            }
        }
    }
    None
}

/// One unit of a batch: a file analysed alone, or an assessment set of two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    One(PathBuf),
    /// A set's name (the shared prefix) and its side and rear/front clips, in that order.
    Set(String, [PathBuf; 2]),
}

impl Item {
    /// The input file or files, for a message.
    pub fn shown(&self) -> String {
        match self {
            Item::One(p) => p.display().to_string(),
            Item::Set(name, clips) => format!("set {name} ({} + {})", clips[0].display(), clips[1].display()),
        }
    }

    /// The name its sub-folder is made from.
    pub fn stem(&self) -> String {
        match self {
            Item::One(p) => safe_name(p),
            Item::Set(name, _) => safe_name(Path::new(&format!("{name}.set"))),
        }
    }
}

/// Files grouped into assessment sets: exactly two files sharing a set name (ignoring case), one
/// marked side and one rear/front, make a set; every other file (a lone marked one, two marked
/// side, three of one name) is analysed alone as before. In the order of each set's or file's
/// first file.
pub(crate) fn group(files: &[PathBuf]) -> Vec<Item> {
    let key = |p: &Path| set_marker(p).map(|(n, plane)| (n.to_lowercase(), plane));
    let mut out = Vec::new();
    let mut used = vec![false; files.len()];
    for i in 0..files.len() {
        if used[i] {
            continue;
        }
        used[i] = true;
        let Some((name, plane)) = key(&files[i]) else {
            out.push(Item::One(files[i].clone()));
            continue;
        };
        let same: Vec<usize> = (0..files.len()).filter(|&j| j != i && key(&files[j]).is_some_and(|k| k.0 == name)).collect();
        match same.as_slice() {
            [j] if key(&files[*j]).map(|k| k.1) != Some(plane) => {
                used[*j] = true;
                let (a, b) = (files[i].clone(), files[*j].clone());
                let set = if plane == 0 { [a, b] } else { [b, a] };
                let shown = set_marker(&files[i]).map(|s| s.0).unwrap_or_default();
                out.push(Item::Set(shown, set));
            }
            _ => out.push(Item::One(files[i].clone())),
        }
    }
    out
}

/// The longest sub-folder name made from a file name (in characters).
pub(crate) const MAX_NAME_CHARS: usize = 80;

/// A file name made safe as one sub-folder of `--out`: the stem with every character other than a
/// letter, a digit, `-`, `_` or `.` turned into `_`, no leading dots or dashes, no trailing dots,
/// at most [`MAX_NAME_CHARS`]; `video` when nothing is left. Never `..`, a separator or hidden.
pub(crate) fn safe_name(file: &Path) -> String {
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
    unique(videos.iter().map(|v| safe_name(v)).collect(), &[crate::output::INDEX, crate::output::MANIFEST])
}

/// `stems` made unique (ignoring case) with `-2`, `-3`… in order, none equal to one of `taken`.
pub fn unique(stems: Vec<String>, taken: &[&str]) -> Vec<String> {
    let mut taken: std::collections::HashSet<String> = taken.iter().map(|s| s.to_lowercase()).collect();
    let mut out: Vec<String> = Vec::with_capacity(stems.len());
    for stem in stems {
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
pub(crate) struct Plan {
    pub concurrent: usize,
    pub workers_each: usize,
}

impl Plan {
    pub fn for_cores(cores: usize, videos: usize) -> Plan {
        let concurrent = (cores / 2).clamp(1, videos.max(1));
        Plan { concurrent, workers_each: (cores / concurrent).max(1) }
    }
}

/// Runs `job` on every item (a video, a set), `concurrent` at a time, results in input order.
pub(crate) fn run_all<I: Sync, T: Send, F>(videos: &[I], concurrent: usize, job: F) -> Vec<std::result::Result<T, String>>
where
    F: Fn(usize, &I) -> std::result::Result<T, String> + Sync,
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

    #[test]
    fn sets_are_two_files_of_one_name_marked_side_and_rear_or_front() {
        let p = |v: &[&str]| v.iter().map(PathBuf::from).collect::<Vec<_>>();
        let g =
            group(&p(&["in/Anna_Rear.mp4", "in/anna_side.mp4", "in/ben.mp4", "in/cara-side.mov", "in/dan side.mp4", "in/dan front.mp4"]));
        assert_eq!(
            g,
            vec![
                Item::Set("Anna".into(), [PathBuf::from("in/anna_side.mp4"), PathBuf::from("in/Anna_Rear.mp4")]),
                Item::One(PathBuf::from("in/ben.mp4")),
                Item::One(PathBuf::from("in/cara-side.mov")),
                Item::Set("dan".into(), [PathBuf::from("in/dan side.mp4"), PathBuf::from("in/dan front.mp4")]),
            ]
        );
        // two side clips of one name, or three clips: each alone
        let g = group(&p(&["a_side.mp4", "a-side.mov", "b_side.mp4", "b_rear.mp4", "b_front.mp4"]));
        assert!(g.iter().all(|i| matches!(i, Item::One(_))), "{g:?}");
        // a name that is only the marker is no set
        assert_eq!(set_marker(Path::new("side.mp4")), None);
        assert_eq!(set_marker(Path::new("x/eve_back.mp4")), Some(("eve".into(), 1)));
    }
}
