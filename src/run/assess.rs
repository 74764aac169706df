//! Two clips, a side and a rear or front one, as one assessment: each clip analysed into its own
//! sub-folder, then combined (`assessment::combine`) into the assessment's report.html and
//! assessment.json — alone (`analyze SIDE REAR`) or as one entry of a batch.

use std::path::Path;

use super::{analyze_into, same_file, Input, Job, Progress};
use crate::output::{self, OutDir};
use crate::report::{self, Sink};
use crate::{Error, Result};

/// A clip's sub-folder name in an assessment: its file stem — for a `landmarks.csv` an earlier run
/// wrote, the name of its folder (so an assessment reanalysed from its own landmarks keeps its
/// sub-folders).
fn clip_stem(input: &Input) -> String {
    let p = input.path();
    let is_landmarks_csv = matches!(input, Input::Landmarks(_)) && p.file_name().is_some_and(|n| n == "landmarks.csv");
    match p.parent().and_then(|d| d.canonicalize().ok()).and_then(|d| d.file_name().map(|n| n.to_owned())) {
        Some(dir) if is_landmarks_csv => crate::batch::safe_name(Path::new(&format!("{}.csv", dir.to_string_lossy()))),
        _ => crate::batch::safe_name(p),
    }
}

/// The sub-folder names of an assessment's clips (unique; never the assessment's own files).
pub fn clip_folders(inputs: &[Input]) -> Vec<String> {
    crate::batch::unique(inputs.iter().map(clip_stem).collect(), &[output::MANIFEST, "report.html", crate::assessment::FILE])
}

/// The files an assessment writes, relative to its folder (`prefix`: its sub-folder in a batch).
pub(super) fn assessment_files(prefix: &str, folders: &[String]) -> Vec<String> {
    let mut planned = vec![format!("{prefix}report.html"), format!("{prefix}{}", crate::assessment::FILE)];
    for n in folders {
        planned.extend(output::OUTPUT_FILES.iter().map(|f| format!("{prefix}{n}/{f}")));
    }
    planned
}

/// An assessment's clips analysed, each written into `dir/<its folder>/`, then combined and its
/// assessment.json and report.html written into `dir`. Fails as a whole when a clip fails or the
/// two make no assessment (the message says which clip and what to do).
pub(super) fn assess_into(
    job: &Job,
    inputs: &[Input],
    folders: &[String],
    dir: &Path,
    progress: &mut impl Progress,
) -> Result<crate::assessment::Assessment> {
    use crate::assessment::{self, json::AssessmentJson, page::AssessmentHtml, Assessed, Clip};
    let mut outcomes = Vec::new();
    for (input, folder) in inputs.iter().zip(folders) {
        let mut one = job.clone();
        one.input = input.clone();
        let dest = dir.join(folder);
        std::fs::create_dir(&dest).map_err(|e| Error::Output { path: dest.clone(), why: e.to_string() })?;
        progress.say(&format!("assessment: clip {} → {folder}/", input.path().display()));
        let o = analyze_into(&one, &mut Sink::new(&dest), progress).map_err(|e| match e {
            Error::Interrupted => e,
            e => Error::Input(format!(
                "assessment not written: the clip {} failed: {e} (an assessment needs both clips: refilm it, or analyse the other clip alone)",
                input.path().display()
            )),
        })?;
        outcomes.push(o);
    }
    let clip = |i: usize| Clip {
        input: inputs[i].path().display().to_string(),
        folder: folders[i].clone(),
        analysis: &outcomes[i].analysis,
        view_given: job.view.is_some(),
    };
    let a = assessment::combine(clip(0), clip(1), job.name.as_deref()).map_err(|r| Error::Input(r.to_string()))?;
    let side = if crate::assessment::Plane::of(outcomes[0].analysis.view) == crate::assessment::Plane::Side { 0 } else { 1 };
    let x = Assessed { assessment: &a, analyses: [&outcomes[side].analysis, &outcomes[1 - side].analysis] };
    let mut sink = Sink::new(dir);
    sink.export(&AssessmentJson, &x)?;
    sink.export(&AssessmentHtml, &x)?;
    crate::interrupt::check()?;
    progress.say(&format!("assessment: cadence — {}", a.cadence.words));
    Ok(a)
}

/// `overstride analyze SIDE REAR --out DIR` (videos or landmarks files): one assessment. Each
/// clip's outputs go into `DIR/<clip>/`, the assessment's report.html and assessment.json into
/// `DIR`; all staged and swapped in at the end, so a failing clip leaves DIR as it was.
pub fn assess<P: Progress>(job: &Job, inputs: &[Input], progress: impl Fn() -> P) -> Result<()> {
    if inputs.len() != 2 {
        return Err(Error::Input(format!("an assessment takes two clips, one side and one rear or front ({} given)", inputs.len())));
    }
    let folders = clip_folders(inputs);
    let out = OutDir::open(&job.out, output::RunKind::Assessment)?;
    let planned = assessment_files("", &folders);
    // a clip's landmarks.csv reanalysed in place stays (this run writes none for it)
    let keep: Vec<String> = inputs
        .iter()
        .zip(&folders)
        .filter(|(i, f)| matches!(i, Input::Landmarks(l) if same_file(l, &job.out.join(f.as_str()).join("landmarks.csv"))))
        .map(|(_, f)| format!("{f}/landmarks.csv"))
        .collect();
    for i in inputs {
        out.refuse_input(i.path(), &planned[..], &keep)?;
    }
    out.check_targets(&planned[..])?;
    let mut progress = progress();
    assess_into(job, inputs, &folders, out.staging(), &mut progress)?;
    let root = out.root().to_path_buf();
    let written = out.commit(&keep)?;
    let top: Vec<String> = written.iter().filter(|w| !w.contains('/')).cloned().collect();
    for line in report::export::wrote_lines(&root, &top, &[]) {
        progress.say(&line);
    }
    for f in &folders {
        progress.say(&format!("  wrote {} (the clip's own outputs)", root.join(f).display()));
    }
    Ok(())
}
