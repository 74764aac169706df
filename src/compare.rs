//! Before/after: two sessions' report.json (each written by `analyze`) compared metric by metric
//! and side by side — the change, its uncertainty, and whether it is a real change or within the
//! measurement noise. The clinic's question after a few weeks of retraining.
//!
//! **When a change is called real.** Each session's mean carries two uncertainties: its standard
//! error over the steps (SE, shrinks with more steps) and, for at-contact numbers, the timing
//! uncertainty of initial contact (`summary.*.timing`, the same for every step at a frame rate: it
//! does not shrink). Both are taken as standard uncertainties, the timing one systematic within a
//! session and independent between sessions (other landings, light, perhaps another frame rate),
//! so they are combined in quadrature (GUM):
//! `u = √(SE₁² + SE₂² + T₁² + T₂²)`, and the change Δ = after − before is **real** when
//! |Δ| > 1.96·u (95 %) *and*, where the literature gives a smallest detectable difference (SDD) for
//! the measure, |Δ| > SDD. Each metric and side is judged on its own (no correction for the number
//! of metrics: with ~15 metrics per side, one "real" call in a few comparisons can be chance when
//! nothing changed — read the headline metrics first).
//!
//! Pure functions of the two reports; reading the folders is at the edge ([`load`]), writing the
//! page and comparison.json in [`crate::report::compare_html`] and the binary.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::gait::metric::{self, Metric, METRICS};
use crate::gait::retraining::TARGETS_PCT;
use crate::report::compare_html::{CompareHtml, Compared, ComparisonJson};
use crate::{Error, Result};

/// comparison.json's schema version.
pub const SCHEMA_VERSION: &str = "1.0";
/// The report.json schema versions `compare` reads (major version 1).
pub const READS_SCHEMA_MAJOR: &str = "1";
/// Coverage factor of the expanded uncertainty (95 %, normal).
pub const COVERAGE_95: f64 = 1.96;
/// The size of overstride change, % of leg length, below which the comparison warns that these two
/// films could not have told it (the tool's own choice, the size of a retraining effect its tests
/// use; no minimal important change is published for heel-to-COM overstride).
const OVERSTRIDE_TELLABLE_PCT: f64 = 5.0;
/// A report.json larger than this is not one `analyze` wrote.
const MAX_REPORT_BYTES: u64 = 256 << 20;

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
struct StatIn {
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
    summary: BTreeMap<String, BTreeMap<String, StatIn>>,
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

    fn stat(&self, key: &str, side: &str) -> Option<(SessionStat, &str)> {
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
        return Err(Error::Input(format!(
            "{} has report schema {}, this overstride compares schema {READS_SCHEMA_MAJOR}.x: analyse the video again with this version",
            path.display(),
            if version.is_empty() { "(none)".to_string() } else { version.to_string() }
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

/// What a change is, against the measurement noise and the smallest detectable difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Beyond 1.96·u and beyond the SDD where there is one.
    Real,
    /// Within 1.96·u: cannot be told from the measurement noise.
    WithinNoise,
    /// Beyond the noise of these two films but below the literature's SDD.
    BelowSdd,
    /// A session has a single step (no SE): cannot be judged.
    CannotTell,
}

impl Verdict {
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Real => "real change",
            Verdict::WithinNoise => "within measurement noise",
            Verdict::BelowSdd => "below the smallest detectable difference",
            Verdict::CannotTell => "cannot tell (too few steps)",
        }
    }
}

/// The change of one metric on one side.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    pub key: String,
    pub label: String,
    pub unit: String,
    /// "left", "right" or "all"
    pub side: String,
    pub before: SessionStat,
    pub after: SessionStat,
    /// after − before
    pub change: f64,
    /// √(SE₁² + SE₂²)
    pub se_diff: f64,
    /// √(T₁² + T₂²): the two sessions' timing uncertainties (0 where none)
    pub timing_diff: f64,
    /// 1.96 · √(se_diff² + timing_diff²): a change within ± this is measurement noise (95 %)
    pub uncertainty_95: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smallest_detectable_difference: Option<f64>,
    /// Where the SDD comes from, or that the tool's sources give none.
    pub sdd_source: &'static str,
    pub verdict: Verdict,
    /// Whether the change goes the way the usual advice wants (only for metrics with a direction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub towards_advice: Option<bool>,
}

/// The change between two sessions' statistics of a metric (pure; see the module docs).
pub fn change(before: SessionStat, after: SessionStat, sdd: Option<f64>) -> (f64, f64, f64, f64, Verdict) {
    let d = after.mean - before.mean;
    let (s1, s2) = (before.se.filter(|x| x.is_finite()), after.se.filter(|x| x.is_finite()));
    let timing = before.timing.unwrap_or(0.0).hypot(after.timing.unwrap_or(0.0));
    let (se_diff, u95, verdict) = match (s1, s2) {
        (Some(a), Some(b)) => {
            let se = a.hypot(b);
            let u = COVERAGE_95 * se.hypot(timing);
            let v = if d.abs() <= u {
                Verdict::WithinNoise
            } else if sdd.is_some_and(|s| d.abs() <= s) {
                Verdict::BelowSdd
            } else {
                Verdict::Real
            };
            (se, u, v)
        }
        _ => (f64::NAN, f64::NAN, Verdict::CannotTell),
    };
    (d, se_diff, timing, u95, verdict)
}

/// Cadence: the change in % against the +5–10 % retraining target.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CadenceChange {
    pub before_spm: f64,
    pub after_spm: f64,
    /// 100 · (after / before − 1)
    pub change_pct: f64,
    /// 1.96 · the change's standard uncertainty, % (from each session's SE of the step rate)
    pub uncertainty_95_pct: f64,
    pub verdict: Verdict,
    /// The retraining target range, % (Heiderscheit 2011).
    pub target_pct: [f64; 2],
    /// "below", "within" or "above" the target range, or "lower" (the step rate fell).
    pub against_target: &'static str,
}

impl CadenceChange {
    /// The change against the retraining target, in words (a change within the noise is none).
    pub fn against_target_words(&self) -> String {
        let t = format!("the +{:.0}–{:.0} % retraining target", self.target_pct[0], self.target_pct[1]);
        match (self.verdict, self.against_target) {
            (Verdict::Real, "within") => format!("within {t}"),
            (Verdict::Real, "above") => format!("above {t}"),
            (Verdict::Real, "below") => format!("below {t}"),
            (Verdict::Real, _) => format!("the step rate fell: away from {t}"),
            _ => format!("no change in step rate that these films can tell; {t} not reached"),
        }
    }
}

/// The cadence change (pure): `*_rel_se` the step rate's relative standard error in each session.
pub fn cadence_change(before_spm: f64, before_rel_se: Option<f64>, after_spm: f64, after_rel_se: Option<f64>) -> CadenceChange {
    let change_pct = 100.0 * (after_spm / before_spm - 1.0);
    // ratio r = a/b: u(r)/r = √(u_a²/a² + u_b²/b²)
    let (verdict, u95) = match (before_rel_se.filter(|x| x.is_finite()), after_rel_se.filter(|x| x.is_finite())) {
        (Some(a), Some(b)) => {
            let u = COVERAGE_95 * 100.0 * (after_spm / before_spm) * a.hypot(b);
            (if change_pct.abs() > u { Verdict::Real } else { Verdict::WithinNoise }, u)
        }
        _ => (Verdict::CannotTell, f64::NAN),
    };
    let (lo, hi) = (TARGETS_PCT[0], TARGETS_PCT[TARGETS_PCT.len() - 1]);
    let against_target = if change_pct < 0.0 {
        "lower"
    } else if change_pct < lo {
        "below"
    } else if change_pct <= hi {
        "within"
    } else {
        "above"
    };
    CadenceChange { before_spm, after_spm, change_pct, uncertainty_95_pct: u95, verdict, target_pct: [lo, hi], against_target }
}

/// The relative standard error of the cadence (pure): from each foot's stride times (IC to the same
/// foot's next IC, as `analyze` measures cadence), strides outside 0.8–1.25× the median left out
/// (a missed or spurious contact), SD/√n over the mean stride. None below three strides.
pub fn stride_rel_se(contacts: &[(String, f64)]) -> Option<f64> {
    let mut strides = Vec::new();
    for side in ["left", "right"] {
        let ics: Vec<f64> = contacts.iter().filter(|c| c.0 == side).map(|c| c.1).collect();
        strides.extend(ics.windows(2).map(|w| w[1] - w[0]));
    }
    let med = crate::gait::stats::median_upper(&strides)?;
    let kept: Vec<f64> = strides.into_iter().filter(|s| *s > 0.8 * med && *s < 1.25 * med).collect();
    if kept.len() < 3 {
        return None;
    }
    let n = kept.len() as f64;
    let mean = kept.iter().sum::<f64>() / n;
    let sd = (kept.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    Some(sd / n.sqrt() / mean)
}

/// One session's identity in the comparison.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SessionInfo {
    pub folder: String,
    pub input: String,
    pub view: String,
    pub gait: String,
    pub fps: f64,
    pub duration_s: f64,
    /// Whether the session's distances have a cm scale.
    pub has_cm: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Comparison {
    pub schema_version: &'static str,
    pub tool: String,
    pub before: SessionInfo,
    pub after: SessionInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cadence: Option<CadenceChange>,
    pub changes: Vec<Change>,
    /// How a change is judged (the rule, in words).
    pub rule: &'static str,
    pub notes: Vec<String>,
}

pub const RULE: &str =
    "change = after − before; u = √(SE_before² + SE_after² + timing_before² + timing_after²) (timing: the initial-contact \
timing uncertainty of at-contact metrics, summary.*.timing, systematic within a session, independent between sessions); \
real when |change| > 1.96·u (95 %) and beyond the smallest detectable difference where the literature gives one";

fn info(s: &Session) -> SessionInfo {
    SessionInfo {
        folder: s.folder.display().to_string(),
        input: s.input.clone(),
        view: s.view.clone(),
        gait: s.gait.clone(),
        fps: s.fps,
        duration_s: s.duration_s,
        has_cm: s.cm_per_px.is_some(),
    }
}

/// Whether two views can be compared: both side views (either facing: the numbers are in the
/// runner's own coordinates) or both frontal (rear or front).
pub fn comparable_views(a: &str, b: &str) -> bool {
    a.starts_with("side") == b.starts_with("side")
}

/// The comparison of two sessions (pure).
pub fn compare(before: &Session, after: &Session) -> Result<Comparison> {
    if !comparable_views(&before.view, &after.view) {
        return Err(Error::Input(format!(
            "cannot compare a {} view ({}) with a {} view ({}): compare side with side, rear or front with rear or front",
            before.view,
            before.folder.display(),
            after.view,
            after.folder.display()
        )));
    }
    let mut notes = Vec::new();
    if before.gait != after.gait {
        notes.push(format!(
            "the gait differs: {} before, {} after — the running references do not apply to walking",
            before.gait, after.gait
        ));
    }
    if (before.fps - after.fps).abs() > 0.5 {
        notes.push(format!(
            "filmed at {:.0} fps before and {:.0} fps after: the timing uncertainty differs, and is in each change's u",
            before.fps, after.fps
        ));
    }
    // the metrics in the table's order (the run's cadence is compared on its own, below), then
    // summary keys this build does not know but both reports hold (a later version's), by name
    let mut keys: Vec<&str> = METRICS.iter().filter(|m| m.per_side).map(|m| m.key).collect();
    let mut extra: Vec<&str> = before
        .summary
        .keys()
        .filter(|k| after.summary.contains_key(*k) && !keys.contains(&k.as_str()) && *k != metric::CADENCE_SPM.key)
        .map(|k| k.as_str())
        .collect();
    extra.sort();
    keys.extend(extra);
    let mut changes = Vec::new();
    for key in keys {
        let known: Option<&Metric> = metric::by_key(key);
        let label = known.map_or_else(|| key.replace('_', " "), |m| m.words.to_string());
        let (aim, sdd) = (known.and_then(|m| m.aim), known.and_then(|m| m.sdd));
        for side in ["left", "right"] {
            let (Some((b, unit)), Some((a, _))) = (before.stat(key, side), after.stat(key, side)) else { continue };
            let (d, se_diff, timing_diff, u95, verdict) = change(b, a, sdd.map(|s| s.value));
            changes.push(Change {
                key: key.to_string(),
                label: label.clone(),
                unit: unit.to_string(),
                side: side.to_string(),
                before: b,
                after: a,
                change: d,
                se_diff,
                timing_diff,
                uncertainty_95: u95,
                smallest_detectable_difference: sdd.map(|s| s.value),
                sdd_source: sdd.map_or("none published for this 2-D measure in the tool's sources", |s| s.source),
                verdict,
                towards_advice: aim.filter(|_| verdict == Verdict::Real).map(|aim| d * aim.sign() > 0.0),
            });
        }
    }
    // what the frame rate lets two films tell apart: the at-contact numbers' timing part
    let worst = changes
        .iter()
        .filter(|c| c.key == metric::OVERSTRIDE_PCT_LEG.key && c.uncertainty_95.is_finite())
        .map(|c| c.uncertainty_95)
        .fold(0.0, f64::max);
    if worst > OVERSTRIDE_TELLABLE_PCT {
        notes.push(format!(
            "at {} an overstride change smaller than ±{worst:.1} % of leg length cannot be told apart (mostly the timing of foot strike): film both sessions at 120 fps or more",
            if (before.fps - after.fps).abs() > 0.5 { format!("{:.0} and {:.0} fps", before.fps, after.fps) } else { format!("{:.0} fps", before.fps) }
        ));
    }
    if before.summary.contains_key(metric::OVERSTRIDE_PCT_LEG.key) && (before.cm_per_px.is_none() || after.cm_per_px.is_none()) {
        notes.push("overstride in cm needs a scale in both sessions (--height-cm or --belt-kmh): compared in % of leg length only".into());
    }
    let rel_se = |s: &Session| stride_rel_se(&s.contacts());
    let cadence = match (before.cadence_spm, after.cadence_spm) {
        (Some(b), Some(a)) if b > 0.0 && a > 0.0 => Some(cadence_change(b, rel_se(before), a, rel_se(after))),
        _ => None,
    };
    Ok(Comparison {
        schema_version: SCHEMA_VERSION,
        tool: format!("overstride {}", env!("CARGO_PKG_VERSION")),
        before: info(before),
        after: info(after),
        cadence,
        changes,
        rule: RULE,
        notes,
    })
}

/// The console's summary of a comparison: cadence, then each real change, then how many were within noise.
pub fn console_lines(c: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(k) = &c.cadence {
        out.push(format!(
            "cadence {:.0} → {:.0} steps/min: {:+.1} % ± {:.1} ({}; {})",
            k.before_spm,
            k.after_spm,
            k.change_pct,
            k.uncertainty_95_pct,
            k.verdict.words(),
            k.against_target_words()
        ));
    }
    for ch in c.changes.iter().filter(|ch| ch.verdict == Verdict::Real) {
        out.push(format!(
            "{} {}: {:.2} → {:.2} {}: {:+.2} ± {:.2} (real change)",
            ch.label, ch.side, ch.before.mean, ch.after.mean, ch.unit, ch.change, ch.uncertainty_95
        ));
    }
    let within = c.changes.iter().filter(|ch| ch.verdict != Verdict::Real).count();
    out.push(format!(
        "{} of {} metric/side changes are real; {within} within the measurement noise or below a detectable difference",
        c.changes.len() - within,
        c.changes.len()
    ));
    out
}

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
    let dir = crate::output::OutDir::open(out)?;
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
    let dir = crate::output::OutDir::open(out)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn st(mean: f64, se: f64, timing: Option<f64>) -> SessionStat {
        SessionStat { mean, se: Some(se), n: 10, timing }
    }

    #[test]
    fn change_and_its_uncertainty() {
        // SEs 0.3 and 0.4 → 0.5; timing 1.2 and 0 → 1.2; u = 1.3; 1.96 u = 2.548
        let (d, se, t, u, v) = change(st(10.0, 0.3, Some(1.2)), st(7.0, 0.4, None), None);
        assert_eq!(d, -3.0);
        assert!((se - 0.5).abs() < 1e-12 && (t - 1.2).abs() < 1e-12);
        assert!((u - 1.96 * 1.3).abs() < 1e-12);
        assert_eq!(v, Verdict::Real);
        // the same change with more timing uncertainty is within noise
        let (_, _, _, _, v) = change(st(10.0, 0.3, Some(1.5)), st(7.0, 0.4, Some(0.5)), None);
        assert_eq!(v, Verdict::WithinNoise, "1.96·√(0.25+2.5) = 3.25 > 3");
        // beyond the noise but below the SDD
        let (_, _, _, _, v) = change(st(8.0, 0.2, None), st(5.5, 0.2, None), Some(2.7));
        assert_eq!(v, Verdict::BelowSdd);
        let (_, _, _, _, v) = change(st(8.0, 0.2, None), st(5.0, 0.2, None), Some(2.7));
        assert_eq!(v, Verdict::Real);
        let (_, _, _, _, v) = change(SessionStat { mean: 1.0, se: None, n: 1, timing: None }, st(5.0, 0.2, None), None);
        assert_eq!(v, Verdict::CannotTell);
        // no change at all
        let (d, _, _, _, v) = change(st(8.0, 0.2, Some(1.0)), st(8.0, 0.2, Some(1.0)), None);
        assert_eq!((d, v), (0.0, Verdict::WithinNoise));
    }

    #[test]
    fn cadence_against_the_target() {
        let c = cadence_change(160.0, Some(0.005), 172.8, Some(0.005));
        assert!((c.change_pct - 8.0).abs() < 1e-9);
        assert_eq!((c.verdict, c.against_target), (Verdict::Real, "within"));
        // u = 1.96 · 100 · 1.08 · 0.00707 = 1.497 %
        assert!((c.uncertainty_95_pct - 1.96 * 108.0 * 0.005f64.hypot(0.005)).abs() < 1e-9);
        assert_eq!(cadence_change(160.0, Some(0.005), 164.0, Some(0.005)).against_target, "below");
        assert_eq!(cadence_change(160.0, Some(0.005), 180.0, Some(0.005)).against_target, "above");
        assert_eq!(cadence_change(160.0, Some(0.005), 150.0, Some(0.005)).against_target, "lower");
        assert_eq!(cadence_change(160.0, Some(0.02), 161.0, Some(0.02)).verdict, Verdict::WithinNoise);
    }

    #[test]
    fn cadence_uncertainty_from_strides() {
        // strides 0.70 and 0.72 s alternating on each foot, and one missed contact (a 1.4 s stride)
        let mut c = Vec::new();
        let mut t = 0.0;
        for k in 0..9 {
            c.push(("left".to_string(), t));
            c.push(("right".to_string(), t + 0.35));
            t += if k % 2 == 0 { 0.70 } else { 0.72 };
        }
        c.push(("left".to_string(), t + 0.71));
        let strides: Vec<f64> = (0..8).map(|k| if k % 2 == 0 { 0.70 } else { 0.72 }).collect();
        let all: Vec<f64> = strides.iter().chain(&strides).copied().collect();
        let n = all.len() as f64;
        let mean = all.iter().sum::<f64>() / n;
        let sd = (all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let r = stride_rel_se(&c).unwrap();
        assert!((r - sd / n.sqrt() / mean).abs() < 1e-12, "{r}");
        assert_eq!(stride_rel_se(&c[..4]), None);
    }

    #[test]
    fn views_and_schemas() {
        assert!(comparable_views("side-left", "side-right") && comparable_views("rear", "front"));
        assert!(!comparable_views("side-left", "rear"));
        let p = Path::new("x/report.json");
        let e = parse_session(r#"{"schema_version":"2.0"}"#, p).unwrap_err().to_string();
        assert!(e.contains("has report schema 2.0, this overstride compares schema 1.x"), "{e}");
        let e = parse_session(r#"{"schema_version":"1.0"}"#, p).unwrap_err().to_string();
        assert!(e.contains("is not an overstride report.json"), "{e}");
        let e = parse_session("not json", p).unwrap_err().to_string();
        assert!(e.contains("is not JSON"), "{e}");
    }
}
