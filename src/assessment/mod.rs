//! A clinic's whole assessment: one side clip and one rear (or front) clip of the same runner at the
//! same speed, each analysed as usual (`run`), combined into one set of answers — overstride, shank,
//! knee and foot strike from the side; pelvic drop, knee valgus (FPPA) and step width from behind;
//! cadence from both, compared.
//!
//! [`combine`] is pure: two analyses in, an [`Assessment`] (what assessment.json holds) out, or a
//! refusal (two clips of the same plane, a view not detected). The values are the clips' own
//! summary statistics, copied, so the assessment says exactly what each clip's report.json says.
//! Writing is at the edge: [`json::AssessmentJson`] and [`page::AssessmentHtml`] are exporters
//! over [`Assessed`], and `run::assess` writes them with each clip's own outputs in a sub-folder.

pub mod json;
pub mod page;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::gait::analysis::{overstride_verdict, Gait, OverstrideVerdict};
use crate::gait::metric::{self, Metric, Summary, SummaryExt};
use crate::gait::view::View;
use crate::gait::Analysis;

/// assessment.json's schema version (docs/assessment.schema.json).
pub(crate) const SCHEMA_VERSION: &str = "1.0";
/// The file holding an assessment (beside its report.html); `compare` knows an assessment folder by it.
pub const FILE: &str = "assessment.json";

/// The allowance, in % of the step rate, by which the two clips' cadences may differ beyond their
/// measurement uncertainty and still count as the same running. The tool's own choice: the clips
/// are filmed minutes apart at one belt speed, where a runner's step rate is steady; 3 % is below
/// the smallest change the retraining advice aims at (+5 %, Heiderscheit 2011), so clips further
/// apart could not stand for one session in a before/after comparison; and what it is there to
/// catch is large — another belt speed or another runner, or a clip's time base misread (slow
/// motion not declared: a factor 2, 4 or 8).
pub(crate) const CADENCE_AGREEMENT_PCT: f64 = 3.0;
/// Coverage factor of the cadence difference's expanded uncertainty (95 %, normal).
pub(crate) const COVERAGE_95: f64 = 1.96;

/// The summary measures taken from the side clip, in the order shown.
pub(crate) const SIDE_METRICS: &[Metric] = &[
    metric::OVERSTRIDE_PCT_LEG,
    metric::OVERSTRIDE_CM,
    metric::SHANK_ANGLE_DEG,
    metric::KNEE_FLEXION_IC_DEG,
    metric::KNEE_FLEXION_PEAK_DEG,
    metric::FOOT_STRIKE_ANGLE_DEG,
];
/// The summary measures taken from the rear or front clip, in the order shown.
pub(crate) const FRONTAL_METRICS: &[Metric] =
    &[metric::PELVIC_DROP_DEG, metric::FPPA_DEG, metric::STEP_WIDTH_PCT_LEG, metric::STEP_WIDTH_CM];

/// Which plane a clip shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Plane {
    /// Side views: overstride, shank, knee, foot strike.
    Side,
    /// Rear and front views: pelvic drop, FPPA, step width.
    Frontal,
}

impl Plane {
    pub fn of(view: View) -> Plane {
        match view {
            View::SideLeft | View::SideRight => Plane::Side,
            View::Rear | View::Front => Plane::Frontal,
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Plane::Side => "side",
            Plane::Frontal => "rear or front",
        }
    }
}

/// One clip's analysis, as the combination reads it.
pub struct Clip<'a> {
    /// The input as given.
    pub input: String,
    /// Its sub-folder in the assessment folder (its own report.html, report.json, … are there).
    pub folder: String,
    pub analysis: &'a Analysis,
    /// The view was given (`--view`), not detected.
    pub view_given: bool,
}

/// Why two clips make no assessment: one clear line each.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Neither `--view` nor the landmarks say which way the camera looked.
    ViewUnknown { input: String },
    /// Both clips show the same plane.
    SamePlane { plane: Plane, a: (String, View), b: (String, View) },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::ViewUnknown { input } => write!(
                f,
                "{input}: the camera's view could not be detected from the landmarks, so it cannot be placed in the assessment: analyse it alone with --view side-left|side-right|rear|front, or refilm it side-on or from behind"
            ),
            Refusal::SamePlane { plane, a, b } => write!(
                f,
                "both clips are {} views ({} {}, {} {}): an assessment takes one side clip and one rear or front clip; give one of each, or analyse each clip alone (overstride analyze CLIP --out DIR)",
                plane.words(),
                a.0,
                a.1.as_str(),
                b.0,
                b.1.as_str()
            ),
        }
    }
}

/// One clip in assessment.json.
#[derive(Debug, Clone, Serialize)]
pub struct ClipEntry {
    pub plane: Plane,
    pub input: String,
    pub view: &'static str,
    pub view_detected: bool,
    /// The clip's sub-folder (relative to the assessment folder).
    pub folder: String,
    /// Its own report page, relative to the assessment folder.
    pub report: String,
    pub gait: Gait,
    pub fps: f64,
    pub steps: usize,
    pub cadence_spm: Option<f64>,
    /// The clip's plausibility warnings (its report.json `alerts`).
    pub alerts: Vec<String>,
    /// The film-quality checks that warn (labels; its report.json `capture_quality`).
    pub capture_warnings: Vec<String>,
}

/// The answers one clip gives: its summary statistics of the plane's measures, as in its report.json.
#[derive(Debug, Clone, Serialize)]
pub struct Answers {
    pub view: &'static str,
    /// The clip's sub-folder.
    pub folder: String,
    /// Measure → side (`left`, `right`, `all`) → statistics: the clip's report.json `summary`
    /// entries for the plane's measures, unchanged.
    pub summary: Summary,
    /// Side clip: the overstride verdict per side (`none`, `borderline`, `clear`, `cannot-tell`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub overstride_verdict: BTreeMap<&'static str, &'static str>,
    /// Side clip: how many of the steps in the means landed on the rearfoot, midfoot, forefoot.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub foot_strike: BTreeMap<String, usize>,
}

/// The two clips' cadences against each other.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CadenceAgreement {
    pub side_spm: Option<f64>,
    pub frontal_spm: Option<f64>,
    /// frontal − side, steps/min.
    pub difference_spm: Option<f64>,
    /// The difference in % of the two clips' mean cadence.
    pub difference_pct: Option<f64>,
    /// 1.96 × √(u_side² + u_frontal²), each u from the clip's stride times (as `compare`).
    pub uncertainty_95_spm: Option<f64>,
    /// The allowance beyond the uncertainty, % ([`CADENCE_AGREEMENT_PCT`]).
    pub allowance_pct: f64,
    /// How far apart they may be and agree: the larger of the allowance and the uncertainty, steps/min.
    pub tolerance_spm: Option<f64>,
    /// |difference| ≤ tolerance; None when a clip has no cadence.
    pub agree: Option<bool>,
    /// The finding in one sentence.
    pub words: String,
}

/// What assessment.json holds.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub schema_version: &'static str,
    pub tool: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner: Option<String>,
    /// The side clip, then the rear or front clip.
    pub clips: Vec<ClipEntry>,
    pub side: Answers,
    pub frontal: Answers,
    pub cadence: CadenceAgreement,
    /// What to check before trusting the numbers: the cadences disagreeing, the clips' gaits
    /// differing, and every clip's own plausibility warnings (prefixed with the clip's plane).
    pub alerts: Vec<String>,
}

/// An assessment with what its page presents beside it.
pub(crate) struct Assessed<'a> {
    pub assessment: &'a Assessment,
    /// The side and frontal clips' analyses, in that order.
    pub analyses: [&'a Analysis; 2],
}

fn verdict_key(v: OverstrideVerdict) -> &'static str {
    match v {
        OverstrideVerdict::None => "none",
        OverstrideVerdict::Borderline => "borderline",
        OverstrideVerdict::Clear => "clear",
        OverstrideVerdict::CannotTell { .. } => "cannot-tell",
    }
}

fn answers(c: &Clip, metrics: &[Metric]) -> Answers {
    let a = c.analysis;
    let summary = metrics.iter().filter_map(|m| a.summary.get(m.key).map(|per| (m.key, per.clone()))).collect();
    let mut overstride = BTreeMap::new();
    let mut foot_strike = BTreeMap::new();
    if Plane::of(a.view) == Plane::Side {
        for side in ["left", "right"] {
            if let Some(s) = a.summary.stat(&metric::OVERSTRIDE_PCT_LEG, side) {
                overstride.insert(side, verdict_key(overstride_verdict(s)));
            }
        }
        for (f, n) in a.foot_strike_tally() {
            foot_strike.insert(f.as_str().to_string(), n);
        }
    }
    Answers { view: a.view.as_str(), folder: c.folder.clone(), summary, overstride_verdict: overstride, foot_strike }
}

fn entry(c: &Clip) -> ClipEntry {
    let a = c.analysis;
    ClipEntry {
        plane: Plane::of(a.view),
        input: c.input.clone(),
        view: a.view.as_str(),
        view_detected: a.view_detected,
        folder: c.folder.clone(),
        report: format!("{}/report.html", c.folder),
        gait: a.gait,
        fps: a.fps,
        steps: a.steps.len(),
        cadence_spm: a.cadence_spm,
        alerts: a.alerts.iter().map(|x| x.message.clone()).collect(),
        capture_warnings: a.capture_quality.warnings().map(|w| w.label.to_string()).collect(),
    }
}

/// The relative standard error of a clip's cadence, from its stride times (as `compare` has it).
pub(crate) fn cadence_rel_se(a: &Analysis) -> Option<f64> {
    let contacts: Vec<(String, f64)> = a.steps.iter().map(|s| (s.side.as_str().to_string(), s.ic_time_s)).collect();
    crate::compare::stride_rel_se(&contacts)
}

/// The two cadences compared: they agree when they differ by no more than the larger of
/// [`CADENCE_AGREEMENT_PCT`] of their mean and the 95 % uncertainty of the difference.
pub(crate) fn cadence_agreement(side: Option<(f64, Option<f64>)>, frontal: Option<(f64, Option<f64>)>) -> CadenceAgreement {
    let mut c = CadenceAgreement {
        side_spm: side.map(|s| s.0),
        frontal_spm: frontal.map(|f| f.0),
        difference_spm: None,
        difference_pct: None,
        uncertainty_95_spm: None,
        allowance_pct: CADENCE_AGREEMENT_PCT,
        tolerance_spm: None,
        agree: None,
        words: String::new(),
    };
    let (Some((s, s_rel)), Some((f, f_rel))) = (side, frontal) else {
        c.words = format!("the cadences cannot be compared: the {} clip has none", if side.is_none() { "side" } else { "rear or front" });
        return c;
    };
    let diff = f - s;
    let mean = (s + f) / 2.0;
    let u = match (s_rel, f_rel) {
        (Some(a), Some(b)) => Some(COVERAGE_95 * ((a * s).powi(2) + (b * f).powi(2)).sqrt()),
        _ => None,
    };
    let tol = (CADENCE_AGREEMENT_PCT / 100.0 * mean).max(u.unwrap_or(0.0));
    let agree = diff.abs() <= tol;
    let pct = 100.0 * diff / mean;
    c.difference_spm = Some(diff);
    c.difference_pct = Some(pct);
    c.uncertainty_95_spm = u;
    c.tolerance_spm = Some(tol);
    c.agree = Some(agree);
    c.words = if agree {
        format!(
            "the two clips agree: {s:.1} steps/min from the side, {f:.1} from behind or in front, {diff:+.1} steps/min ({pct:+.1} %), within the ±{tol:.1} steps/min the same running allows"
        )
    } else {
        format!(
            "the two clips do not agree: {s:.1} steps/min from the side, {f:.1} from behind or in front, {diff:+.1} steps/min ({pct:+.1} %), beyond the ±{tol:.1} steps/min the same running allows — check that both clips are of this runner at the same belt speed, and that neither is slow motion played at another rate (--capture-fps)"
        )
    };
    c
}

/// Two clips combined into one assessment; refused when a view is unknown or both show one plane.
pub fn combine(a: Clip, b: Clip, runner: Option<&str>) -> std::result::Result<Assessment, Refusal> {
    for c in [&a, &b] {
        if !c.analysis.view_detected && !c.view_given {
            return Err(Refusal::ViewUnknown { input: c.input.clone() });
        }
    }
    let (pa, pb) = (Plane::of(a.analysis.view), Plane::of(b.analysis.view));
    if pa == pb {
        return Err(Refusal::SamePlane { plane: pa, a: (a.input.clone(), a.analysis.view), b: (b.input.clone(), b.analysis.view) });
    }
    let (side, frontal) = if pa == Plane::Side { (a, b) } else { (b, a) };
    let cad = |c: &Clip| c.analysis.cadence_spm.map(|spm| (spm, cadence_rel_se(c.analysis)));
    let cadence = cadence_agreement(cad(&side), cad(&frontal));
    let mut alerts = Vec::new();
    if cadence.agree == Some(false) {
        alerts.push(format!("Cadence: {}.", cadence.words));
    }
    if side.analysis.gait != frontal.analysis.gait {
        alerts.push(format!(
            "The side clip shows {} and the rear or front clip {}: not the same run — check the clips",
            gait_words(side.analysis.gait),
            gait_words(frontal.analysis.gait)
        ));
    }
    for (c, which) in [(&side, "side clip"), (&frontal, "rear/front clip")] {
        alerts.extend(c.analysis.alerts.iter().map(|x| format!("{which}: {}", x.message)));
    }
    Ok(Assessment {
        schema_version: SCHEMA_VERSION,
        tool: format!("overstride {}", env!("CARGO_PKG_VERSION")),
        runner: runner.map(str::to_string),
        clips: vec![entry(&side), entry(&frontal)],
        side: answers(&side, SIDE_METRICS),
        frontal: answers(&frontal, FRONTAL_METRICS),
        cadence,
        alerts,
    })
}

fn gait_words(g: Gait) -> &'static str {
    match g {
        Gait::Running => "running",
        Gait::Walking => "walking",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadences_agree_within_the_allowance_or_the_uncertainty() {
        // 170 vs 173: 1.7 % apart, within 3 %
        let c = cadence_agreement(Some((170.0, Some(0.002))), Some((173.0, Some(0.002))));
        assert_eq!(c.agree, Some(true), "{c:?}");
        assert!((c.difference_spm.unwrap() - 3.0).abs() < 1e-9);
        assert!((c.tolerance_spm.unwrap() - 0.03 * 171.5).abs() < 1e-9);
        assert!(c.words.contains("agree") && c.words.contains("+3.0 steps/min"), "{}", c.words);
        // 170 vs 180: 5.7 % apart
        let c = cadence_agreement(Some((170.0, Some(0.002))), Some((180.0, Some(0.002))));
        assert_eq!(c.agree, Some(false));
        assert!(c.words.contains("do not agree") && c.words.contains("--capture-fps"), "{}", c.words);
        // a noisy clip widens the tolerance: u = 1.96·√((0.03·170)² + (0.03·180)²) ≈ 14.6
        let c = cadence_agreement(Some((170.0, Some(0.03))), Some((180.0, Some(0.03))));
        assert_eq!(c.agree, Some(true), "{c:?}");
        assert!((c.uncertainty_95_spm.unwrap() - 14.56).abs() < 0.05);
        // a clip without a cadence
        let c = cadence_agreement(None, Some((180.0, None)));
        assert_eq!(c.agree, None);
        assert!(c.words.contains("side clip has none"));
    }

    #[test]
    fn refusals_are_one_line_saying_what_to_do() {
        let r = Refusal::SamePlane { plane: Plane::Side, a: ("a.mp4".into(), View::SideLeft), b: ("b.mp4".into(), View::SideRight) };
        let s = r.to_string();
        assert!(!s.contains('\n') && s.contains("both clips are side views (a.mp4 side-left, b.mp4 side-right)"), "{s}");
        let s = Refusal::ViewUnknown { input: "x.csv".into() }.to_string();
        assert!(!s.contains('\n') && s.contains("--view"), "{s}");
    }
}
