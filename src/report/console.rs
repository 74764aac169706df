//! The console's lines after an analysis: the warnings, the headline numbers (mean ± SD over steps,
//! with the timing uncertainty of at-contact numbers) and the cadence retraining targets. Lines
//! only; the caller prints them (see `run::Progress::say`).

use crate::gait::metric::{self, Metric, SummaryExt};
use crate::gait::{self, Analysis};

/// The analysis in a few lines: warnings first, then view, gait, steps and cadence, then one line
/// per headline measure the view has, then the notes.
pub fn summary(a: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    let g = |m: &Metric, side: &str| a.summary.stat(m, side).cloned();
    // (the repeated frames were said with the pose stage)
    for al in a.alerts.iter().filter(|al| al.kind != gait::plausibility::AlertKind::RepeatedFrames) {
        out.push(format!("  WARNING: {}", al.message));
    }
    for c in a.capture_quality.warnings() {
        out.push(format!(
            "  capture: {} {:.1} {} (good film: {:.0}) — {}; refilm: {}",
            c.label, c.value, c.unit, c.limit, c.detail, c.instruction
        ));
    }
    out.push(format!(
        "view {}, {:?}, {} steps, cadence {}",
        a.view.as_str(),
        a.gait,
        a.steps.len(),
        a.cadence_spm.map(|c| format!("{c:.0} steps/min")).unwrap_or_else(|| "n/a".into())
    ));
    for (key, label) in [
        (&metric::OVERSTRIDE_PCT_LEG, "overstride % leg"),
        (&metric::SHANK_ANGLE_DEG, "shank angle deg"),
        (&metric::KNEE_FLEXION_IC_DEG, "knee flexion at IC deg"),
        (&metric::PELVIC_DROP_DEG, "pelvic drop deg"),
        (&metric::FPPA_DEG, "FPPA deg"),
        (&metric::STEP_LENGTH_CM, "step length cm"),
    ] {
        let l = g(key, "left");
        let r = g(key, "right");
        if l.is_some() || r.is_some() {
            // mean ± SD over steps, the timing uncertainty of at-contact numbers beside it
            let f = |v: Option<gait::summary::Stat>| {
                v.map(|s| {
                    let sd = if s.sd.is_finite() { format!(" ± {:.1} SD", s.sd) } else { String::new() };
                    let timing = s.timing.map(|t| format!(", timing ± {t:.1}")).unwrap_or_default();
                    format!("{:.1}{sd}{timing} (n={})", s.mean, s.n)
                })
                .unwrap_or_else(|| "n/a".into())
            };
            out.push(format!("  {label}: left {}  right {}", f(l), f(r)));
        }
    }
    for w in &a.warnings {
        out.push(format!("  note: {w}"));
    }
    out
}

/// The cadence retraining targets and the metronome written, in one line.
pub fn retraining(r: &gait::retraining::Retraining) -> String {
    let t: Vec<String> = r.targets.iter().map(|t| format!("+{} % {:.0}", t.increase_pct, t.spm)).collect();
    let m = match (&r.metronome, &r.note) {
        (Some(m), _) => format!("; metronome {} steps/min (+{:.1} %) in {}", m.spm, m.increase_pct, m.file),
        (None, Some(n)) => format!("; {n}"),
        _ => String::new(),
    };
    format!("  cadence retraining (Heiderscheit 2011): now {:.0}, targets {} steps/min{m}", r.cadence_spm, t.join(", "))
}
