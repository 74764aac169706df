//! `compare`'s edges: two results folders (or two assessments, view by view) read, compared and
//! the page and comparison.json written through the staging folder and manifest.

use std::io::Read;
use std::path::Path;

use super::session::MAX_REPORT_BYTES;
use super::{compare, console_lines, load, Comparison};
use crate::report::compare_html::{CompareHtml, Compared, ComparisonJson};
use crate::{Error, Result};

/// The files `compare` writes into its `--out`.
pub const OUTPUT_FILES: &[&str] = &["report.html", "comparison.json"];

fn same_dir(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// `overstride compare BEFORE AFTER --out DIR`: reads both sessions, compares them, and writes
/// report.html and comparison.json into `out` through the staging folder and manifest
/// ([`crate::output::OutDir`]). Nothing is written when either session is refused. Returns the
/// comparison and the files written (relative names).
pub fn run(before_dir: &Path, after_dir: &Path, out: &Path) -> Result<(Comparison, Vec<String>)> {
    refuse_assessment_with_session(before_dir, after_dir)?;
    let before = load(before_dir, "BEFORE")?;
    let after = load(after_dir, "AFTER")?;
    for (which, d) in [("BEFORE", before_dir), ("AFTER", after_dir)] {
        if same_dir(out, d) {
            return Err(Error::Input(format!(
                "--out {} is the {which} folder: compare writes its own report.html there; choose another --out",
                out.display()
            )));
        }
    }
    // an analysis's folder keeps its own report.html (and its manifest would have its other files removed)
    if std::fs::symlink_metadata(out.join("report.json")).is_ok() {
        return Err(Error::Input(format!(
            "--out {} holds an analysis (report.json): compare writes its own report.html; choose another --out",
            out.display()
        )));
    }
    let c = compare(&before, &after)?;
    let dir = crate::output::OutDir::open(out, crate::output::RunKind::Comparison)?;
    dir.check_targets(OUTPUT_FILES)?;
    let mut sink = crate::report::Sink::new(dir.staging());
    let compared = Compared { comparison: &c, before: &before, after: &after };
    sink.export(&ComparisonJson, &compared)?;
    sink.export(&CompareHtml, &compared)?;
    let written = dir.commit(&[])?;
    Ok((c, written))
}

/// An assessment folder (it holds assessment.json, not report.json): its planes' clip folders.
fn assessment_folders(dir: &Path) -> Option<Vec<(String, String)>> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join(crate::assessment::FILE);
    let f = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(&path).ok()?;
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut text = String::new();
    f.take(MAX_REPORT_BYTES).read_to_string(&mut text).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let clips = v.get("clips")?.as_array()?;
    clips
        .iter()
        .map(|c| {
            let folder = c.get("folder")?.as_str()?;
            // a folder name is one plain name inside the assessment (never `..` or a path)
            crate::output::valid_rel(folder).then_some(())?;
            (!folder.contains('/')).then_some(())?;
            Some((c.get("plane")?.as_str()?.to_string(), folder.to_string()))
        })
        .collect()
}

/// An assessment against one clip's folder: refused, saying what to give instead.
fn refuse_assessment_with_session(before: &Path, after: &Path) -> Result<()> {
    let (a, b) = (assessment_folders(before), assessment_folders(after));
    let (which, dir, folders, other) = match (&a, &b) {
        (Some(f), None) => ("BEFORE", before, f, after),
        (None, Some(f)) => ("AFTER", after, f, before),
        _ => return Ok(()),
    };
    let subs: Vec<String> = folders.iter().map(|(plane, f)| format!("{} ({plane})", dir.join(f).display())).collect();
    Err(Error::Input(format!(
        "{which} {} is an assessment of two clips and {} is one clip's results: give two assessments (compared view by view), or one of its clips' folders, {}",
        dir.display(),
        other.display(),
        subs.join(" or ")
    )))
}

/// The files `compare` writes for two assessments: an overview page, and each plane's
/// comparison in its own sub-folder.
pub const ASSESSMENT_PLANES: &[&str] = &["side", "frontal"];

/// `compare BEFORE AFTER` on two folders: two sessions as [`run`], or two assessments (each
/// holding assessment.json) view by view — the side clip with the side clip, the rear/front clip
/// with the rear/front clip — into `out/side/` and `out/frontal/` (report.html and
/// comparison.json each) and an overview `out/report.html`. Returns the console's lines and the
/// files written.
pub fn run_folders(before_dir: &Path, after_dir: &Path, out: &Path) -> Result<(Vec<String>, Vec<String>)> {
    let (Some(b), Some(a)) = (assessment_folders(before_dir), assessment_folders(after_dir)) else {
        let (c, written) = run(before_dir, after_dir, out)?;
        return Ok((console_lines(&c), written));
    };
    for (which, d) in [("BEFORE", before_dir), ("AFTER", after_dir)] {
        if same_dir(out, d) {
            return Err(Error::Input(format!(
                "--out {} is the {which} folder: compare writes its own report.html there; choose another --out",
                out.display()
            )));
        }
    }
    for f in ["report.json", crate::assessment::FILE] {
        if std::fs::symlink_metadata(out.join(f)).is_ok() {
            return Err(Error::Input(format!(
                "--out {} holds an analysis ({f}): compare writes its own report.html; choose another --out",
                out.display()
            )));
        }
    }
    let folder = |list: &[(String, String)], plane: &str| list.iter().find(|(p, _)| p == plane).map(|(_, f)| f.clone());
    let mut pairs = Vec::new();
    for plane in ASSESSMENT_PLANES {
        let (Some(fb), Some(fa)) = (folder(&b, plane), folder(&a, plane)) else {
            return Err(Error::Input(format!(
                "{} or {} has no {plane} clip: give two assessments `overstride analyze SIDE REAR` wrote",
                before_dir.display(),
                after_dir.display()
            )));
        };
        let before = load(&before_dir.join(&fb), "BEFORE")?;
        let after = load(&after_dir.join(&fa), "AFTER")?;
        let c = compare(&before, &after)?;
        pairs.push((*plane, before, after, c));
    }
    let dir = crate::output::OutDir::open(out, crate::output::RunKind::Comparison)?;
    let mut planned: Vec<String> = OUTPUT_FILES.iter().map(|f| f.to_string()).collect();
    for plane in ASSESSMENT_PLANES {
        planned.extend(OUTPUT_FILES.iter().map(|f| format!("{plane}/{f}")));
    }
    dir.check_targets(&planned[..])?;
    let mut lines = Vec::new();
    for (plane, before, after, c) in &pairs {
        let sub = dir.staging().join(plane);
        std::fs::create_dir(&sub).map_err(|e| Error::Output { path: sub.clone(), why: e.to_string() })?;
        let mut sink = crate::report::Sink::new(&sub);
        let compared = Compared { comparison: c, before, after };
        sink.export(&ComparisonJson, &compared)?;
        sink.export(&CompareHtml, &compared)?;
        lines.extend(console_lines(c).into_iter().map(|l| format!("{plane}: {l}")));
    }
    let overview = crate::report::compare_html::AssessmentsCompared {
        before: before_dir,
        after: after_dir,
        planes: pairs.iter().map(|(p, _, _, c)| (*p, c)).collect(),
    };
    crate::report::Sink::new(dir.staging()).export(&crate::report::compare_html::AssessmentsHtml, &overview)?;
    let written = dir.commit(&[])?;
    Ok((lines, written))
}
