//! Batch mode: a folder of videos (or landmarks files), each video or side + rear set into its own
//! sub-folder, and an index.html over them.

use std::path::Path;

use super::assess::{assess_into, assessment_files, clip_folders};
use super::{analyze_into, Input, Job, Progress};
use crate::output::{self, OutDir};
use crate::report::{self, Sink};
use crate::{Error, Result};

/// Batch mode: every video in `dir` (or every landmarks file, `--landmarks FOLDER`), each into
/// `--out/<name>/` — two clips of one name marked side and rear/front (`batch::group`) as one
/// assessment there — and an index.html over them; a failed video's or set's error is recorded
/// (its earlier results are kept) and the others go on; the result says whether any failed. The
/// whole batch is staged and swapped in at the end, so an interrupted batch leaves every earlier
/// report.
pub(super) fn batch<P: Progress>(job: &Job, dir: &Path, progress: &(impl Fn() -> P + Sync)) -> Result<()> {
    let landmarks = matches!(job.input, Input::Landmarks(_));
    let files =
        if landmarks { crate::batch::list_files(dir, crate::batch::LANDMARKS_EXTENSIONS)? } else { crate::batch::list_videos(dir)? };
    if files.is_empty() {
        return Err(Error::Input(if landmarks {
            format!("no landmarks files (csv) in {}: give a folder of landmarks.csv files", dir.display())
        } else {
            format!("no video files (mp4, mov, m4v, mkv, webm, avi) in {}: give a folder of videos", dir.display())
        }));
    }
    let as_input = |p: &Path| if landmarks { Input::Landmarks(p.to_path_buf()) } else { Input::Video(p.to_path_buf()) };
    let items = crate::batch::group(&files);
    // two inputs whose names make one sub-folder name would be told apart by `-2` in sorted
    // order, so a file added later could move one runner's results into another's folder
    let stems: Vec<String> = items.iter().map(|i| i.stem()).collect();
    for (i, a) in stems.iter().enumerate() {
        if let Some(j) = stems[..i].iter().position(|b| b.to_lowercase() == a.to_lowercase()) {
            return Err(Error::Input(format!(
                "{} and {} would share the results folder {a}/ (names are made of letters, digits, '-', '_' and '.', any case): rename one of them",
                items[j].shown(),
                items[i].shown()
            )));
        }
    }
    let names = crate::batch::unique(stems, &[output::INDEX, output::MANIFEST]);
    let clip_folders_of = |item: &crate::batch::Item| match item {
        crate::batch::Item::Set(_, clips) => clip_folders(&[as_input(&clips[0]), as_input(&clips[1])]),
        crate::batch::Item::One(_) => Vec::new(),
    };
    let out = OutDir::open(&job.out, output::RunKind::Batch)?;
    let mut planned = vec![output::INDEX.to_string()];
    for (item, n) in items.iter().zip(&names) {
        match item {
            crate::batch::Item::One(_) => planned.extend(output::OUTPUT_FILES.iter().map(|f| format!("{n}/{f}"))),
            crate::batch::Item::Set(..) => planned.extend(assessment_files(&format!("{n}/"), &clip_folders_of(item))),
        }
    }
    for f in &files {
        out.refuse_input(f, &planned[..], &[])?;
    }
    out.check_targets(&planned[..])?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let plan = crate::batch::Plan::for_cores(cores, items.len());
    let results = crate::batch::run_all(&items, plan.concurrent, |i, item| {
        let mut one = job.clone();
        one.workers = Some(job.workers.unwrap_or(plan.workers_each));
        let mut progress = progress();
        let dest = out.staging().join(&names[i]);
        let made = std::fs::create_dir(&dest).map_err(|e| Error::Output { path: dest.clone(), why: e.to_string() });
        let r = match item {
            crate::batch::Item::One(v) => {
                one.input = as_input(v);
                made.and_then(|_| analyze_into(&one, &mut Sink::new(&dest), &mut progress))
                    .map(|o| report::index::Entry::from_analysis(&names[i], v, &o.analysis))
            }
            crate::batch::Item::Set(_, clips) => {
                let inputs = [as_input(&clips[0]), as_input(&clips[1])];
                made.and_then(|_| assess_into(&one, &inputs, &clip_folders_of(item), &dest, &mut progress))
                    .map(|a| report::index::Entry::from_assessment(&names[i], &a))
            }
        };
        let shown = item.shown();
        r.map_err(|e| {
            // nothing of a failed video or set is swapped in (its earlier results stay)
            let _ = std::fs::remove_dir_all(&dest);
            if !matches!(e, Error::Interrupted) {
                progress.say(&format!("{shown}: failed: {e}"));
            }
            match item {
                crate::batch::Item::Set(..) => format!("{shown}: {e}"),
                crate::batch::Item::One(_) => e.to_string(),
            }
        })
    });
    crate::interrupt::check()?;
    Sink::new(out.staging()).export(&report::index::Index, &results[..])?;
    // an earlier run's sub-folders of videos not in this batch (moved away, renamed) are kept
    let mut keep: Vec<String> = out
        .old_files()
        .iter()
        .filter(|f| f.split_once('/').is_some_and(|(top, _)| !names.iter().any(|n| n.to_lowercase() == top.to_lowercase())))
        .cloned()
        .collect();
    for (i, r) in results.iter().enumerate() {
        if r.is_err() {
            let prefix = format!("{}/", names[i]);
            keep.extend(out.old_files().iter().filter(|f| f.starts_with(&prefix)).cloned());
        }
    }
    let path = out.root().join(output::INDEX);
    out.commit(&keep)?;
    let failed = results.iter().filter(|r| r.is_err()).count();
    let sets = items.iter().filter(|i| matches!(i, crate::batch::Item::Set(..))).count();
    let what = if sets > 0 {
        "entries"
    } else if landmarks {
        "landmarks files"
    } else {
        "videos"
    };
    progress().say(&format!(
        "batch: {} {what}{}, {} analysed, {} failed; wrote {}",
        results.len(),
        if sets > 0 { format!(" ({sets} of them assessment sets of two clips)") } else { String::new() },
        results.len() - failed,
        failed,
        path.display()
    ));
    if failed == 0 {
        Ok(())
    } else {
        Err(Error::Input(format!("{} of {} {what} failed (see {})", failed, results.len(), path.display())))
    }
}
