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

use serde::Serialize;

use crate::gait::metric::{self, Metric, METRICS};
use crate::gait::retraining::TARGETS_PCT;
use crate::{Error, Result};

mod folders;
mod session;

pub use folders::{run, run_folders, ASSESSMENT_PLANES, OUTPUT_FILES};
pub use session::{load, parse_session, Session, SessionStat};

/// comparison.json's schema version.
pub(crate) const SCHEMA_VERSION: &str = "1.0";
/// The report.json schema versions `compare` reads (major version 1).
pub(crate) const READS_SCHEMA_MAJOR: &str = "1";
/// Coverage factor of the expanded uncertainty (95 %, normal).
pub(crate) const COVERAGE_95: f64 = 1.96;
/// The size of overstride change, % of leg length, below which the comparison warns that these two
/// films could not have told it (the tool's own choice, the size of a retraining effect its tests
/// use; no minimal important change is published for heel-to-COM overstride).
const OVERSTRIDE_TELLABLE_PCT: f64 = 5.0;

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
pub(crate) fn cadence_change(before_spm: f64, before_rel_se: Option<f64>, after_spm: f64, after_rel_se: Option<f64>) -> CadenceChange {
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
pub(crate) fn stride_rel_se(contacts: &[(String, f64)]) -> Option<f64> {
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

pub(crate) const RULE: &str =
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
pub(crate) fn comparable_views(a: &str, b: &str) -> bool {
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
pub(crate) fn console_lines(c: &Comparison) -> Vec<String> {
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

#[cfg(test)]
mod tests;
