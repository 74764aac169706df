//! The page's answers: the verdicts and numbers in plain words (each with its uncertainty and
//! step count), the plausibility alerts, the capture-quality table, the scale and the cadence
//! retraining aid.

use std::fmt::Write;

use super::{cap, esc, pm, stat};
use crate::gait::analysis::{overstride_verdict, Analysis, Gait, OverstrideVerdict};
use crate::gait::metric::{self, Metric, OVERSTRIDE_BORDERLINE_PCT, OVERSTRIDE_GOOD_PCT};
use crate::gait::retraining::{advised_range_spm, Retraining};
use crate::gait::summary::Stat;

pub(crate) fn verdict_overstride(s: &Stat, fps: f64) -> (&'static str, String) {
    match overstride_verdict(s) {
        OverstrideVerdict::None => ("ok", "No overstride".into()),
        OverstrideVerdict::Borderline => ("warn", "Borderline overstride".into()),
        OverstrideVerdict::Clear => ("bad", "Clear overstride".into()),
        OverstrideVerdict::CannotTell { low, high } => (
            "warn",
            format!(
                "Borderline — cannot be told at {fps:.0} fps ({low:.1} to {high:.1} % of leg length); {}",
                crate::gait::borderline_advice(fps)
            ),
        ),
    }
}

/// The answers' knee lines (side views): knee bend at foot strike and its peak in stance, each with
/// its running norm.
pub(crate) fn knee_items(ic: Option<&Stat>, peak: Option<&Stat>, out: &mut String) {
    for (s, m, what) in
        [(ic, &metric::KNEE_FLEXION_IC_DEG, "Knee bend at foot strike"), (peak, &metric::KNEE_FLEXION_PEAK_DEG, "Peak knee bend in stance")]
    {
        if let Some(k) = s {
            let norm = m.norm().map(|(mean, sd, source)| format!(" (running norm {mean:.1} ± {sd:.1}°, {source})")).unwrap_or_default();
            let _ = write!(out, "<li><b>{what}</b>: {}{norm}.</li>", pm(k, 1));
        }
    }
}

/// The answers' knee-valgus line (frontal views) for one side.
pub(crate) fn fppa_item(side: &str, s: &Stat, out: &mut String) {
    let _ = write!(out, "<li><b>{} knee collapse (FPPA)</b>: {} (positive: the knee moves inwards).</li>", cap(side), pm(s, 1));
}

/// The plausibility gates' warnings, first and loud: what to check before trusting the numbers.
pub(super) fn alerts(a: &Analysis, out: &mut String) {
    if a.alerts.is_empty() {
        return;
    }
    out.push_str("<section class=alerts><h2>Check before trusting these numbers</h2><ul>");
    for al in &a.alerts {
        let _ = write!(out, "<li><b>Warning</b>: {}</li>", esc(&al.message));
    }
    out.push_str("</ul></section>");
}

/// Capture quality: is the film good enough, each check with its value, verdict and how to refilm.
pub(super) fn capture_quality(a: &Analysis, out: &mut String) {
    use crate::gait::capture::Verdict;
    let q = &a.capture_quality;
    if q.checks.is_empty() {
        return;
    }
    let good = q.verdict == Some(Verdict::Pass);
    let _ = write!(
        out,
        "<section class='capture {}'><h2>Capture quality: {}</h2><table><tr><th>Check</th><th>Measured</th><th>Good film</th><th>Verdict</th><th>What it means · how to film</th></tr>",
        if good { "pass" } else { "warn" },
        if good { "good enough" } else { "usable, but refilm for better numbers" }
    );
    for c in &q.checks {
        let (v, lim) = match c.unit {
            "" => (format!("{:.2}", c.value), format!("≥ {:.2}", c.limit)),
            "°" => (format!("{:.1}°", c.value), format!("within ±{:.0}°", c.limit)),
            u @ ("%" | "fps" | "px" | "steps") => {
                let cmp = if matches!(c.check, crate::gait::capture::CheckKind::CameraSquare | crate::gait::capture::CheckKind::Occlusion) {
                    "≤"
                } else {
                    "≥"
                };
                (format!("{:.0} {u}", c.value), format!("{cmp} {:.0} {u}", c.limit))
            }
            u => (format!("{:.1} {u}", c.value), format!("{:.1} {u}", c.limit)),
        };
        let pass = c.verdict == Verdict::Pass;
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class={}>{}</td><td>{}.{}</td></tr>",
            esc(c.label),
            esc(&v),
            esc(&lim),
            if pass { "ok" } else { "bad" },
            if pass { "pass" } else { "warn" },
            esc(&c.detail),
            if pass { String::new() } else { format!(" <b>Refilm: {}.</b>", esc(c.instruction)) }
        );
    }
    out.push_str("</table></section>");
}

/// The answers, in plain words, with the number and its uncertainty beside each.
pub(super) fn answers(a: &Analysis, out: &mut String) {
    out.push_str("<section class=answers><h2>The answers</h2><ul>");
    if a.view.is_side() {
        for side in ["left", "right"] {
            if let Some(s) = stat(a, &metric::OVERSTRIDE_PCT_LEG, side) {
                let (class, words) = verdict_overstride(s, a.frame_rate.effective_fps);
                let cm = stat(a, &metric::OVERSTRIDE_CM, side).map(|c| format!(", {:.1} cm", c.mean)).unwrap_or_default();
                let _ = write!(
                    out,
                    "<li class={class}><b>{words} on the {side} foot</b>: the heel lands {} ahead of the centre of mass{cm} \
                     (the tool's own bands: ≤ {OVERSTRIDE_GOOD_PCT:.0} % none, ≤ {OVERSTRIDE_BORDERLINE_PCT:.0} % borderline, of leg length).</li>",
                    pm(s, 1)
                );
            }
        }
        if let (Some(l), Some(r)) = (stat(a, &metric::SHANK_ANGLE_DEG, "left"), stat(a, &metric::SHANK_ANGLE_DEG, "right")) {
            let _ = write!(
                out,
                "<li><b>Shank at foot strike</b>: left {}, right {} from vertical (positive: the ankle lands ahead of the knee, which marks overstriding).</li>",
                pm(l, 1),
                pm(r, 1)
            );
        }
        knee_items(stat(a, &metric::KNEE_FLEXION_IC_DEG, "all"), stat(a, &metric::KNEE_FLEXION_PEAK_DEG, "all"), out);
        let mut counts = a.foot_strike_tally();
        if !counts.is_empty() {
            counts.sort_by_key(|c| std::cmp::Reverse(c.1));
            let txt: Vec<String> = counts.iter().map(|(k, n)| format!("{} {n}", k.as_str())).collect();
            let norm = metric::FOOT_STRIKE_ANGLE_DEG
                .norm()
                .map(|(mean, sd, source)| {
                    format!(" (typical foot-strike angle of rearfoot strikers {mean:.1} ± {sd:.1}°, {})", esc(source))
                })
                .unwrap_or_default();
            let _ = write!(out, "<li><b>Foot strike</b>: {} steps{norm}.</li>", txt.join(", "));
        }
    } else {
        for side in ["left", "right"] {
            if let Some(s) = stat(a, &metric::PELVIC_DROP_DEG, side) {
                let _ = write!(
                    out,
                    "<li><b>Hip drop while on the {side} foot</b>: {} (each degree more is linked to higher odds of injury, Bramah 2018).</li>",
                    pm(s, 1)
                );
            }
        }
        for side in ["left", "right"] {
            if let Some(s) = stat(a, &metric::FPPA_DEG, side) {
                fppa_item(side, s, out);
            }
        }
        if let Some(s) = stat(a, &metric::STEP_WIDTH_PCT_LEG, "all") {
            let _ = write!(out, "<li><b>Step width</b>: {} (at or below zero: the feet cross the midline).</li>", pm(s, 1));
        }
    }
    if let Some(c) = a.cadence_spm {
        let advised = advised_range_spm(c);
        let _ = write!(
            out,
            "<li><b>Cadence</b>: {c:.0} steps/min. A 5–10 % higher step rate ({:.0}–{:.0} steps/min) lowers hip and knee loading (Heiderscheit 2011){}.</li>",
            advised.0,
            advised.1,
            if a.view.is_side() { " and shortens the stride in front of the body" } else { "" }
        );
    }
    let step_len = stat(a, &metric::STEP_LENGTH_CM, "all").or(stat(a, &metric::STEP_LENGTH_PCT_LEG, "all"));
    if let Some(sl) = step_len {
        let _ = write!(out, "<li><b>Step length</b>: {} (the belt's travel during a step: step time × belt speed).</li>", pm(sl, 1));
    }
    scale_item(a, out);
    for (k, asy) in &a.asymmetry {
        let Some(m) = metric::by_key(k) else { continue };
        if asy.meaningful && ASYMMETRIES_SHOWN.contains(m) {
            let _ = write!(
                out,
                "<li class=warn><b>Left/right difference in {}</b>: right − left = {:.2} {} (beyond the measurement noise of ±{:.2}{}).</li>",
                esc(m.name),
                asy.difference,
                esc(asy.unit),
                asy.noise_2se,
                asy.smallest_detectable_difference.map(|d| format!(" and the smallest detectable difference of {d}")).unwrap_or_default()
            );
        }
    }
    out.push_str("</ul>");
    out.push_str("<h3>What this video cannot tell</h3><ul class=limits>");
    for w in &a.warnings {
        let _ = write!(out, "<li>{}</li>", esc(w));
    }
    if a.view.is_side() {
        out.push_str("<li>A side view shows no hip drop or knee collapse: film from behind for those.</li>");
    } else {
        out.push_str("<li>A rear or front view shows no overstride or knee bend: film from the side for those.</li>");
    }
    if a.gait == Gait::Walking {
        out.push_str("<li>The feet never left the belt together: this was walking, and the running references do not apply.</li>");
    }
    out.push_str("</ul></section>");
}

/// Which scale the cm numbers used, and the belt-speed check.
fn scale_item(a: &Analysis, out: &mut String) {
    use crate::gait::scale::{StepLengthSource, BELT_CHECK_TOLERANCE_PCT};
    let sc = &a.scale;
    let mut parts = Vec::new();
    match sc.cm_source {
        Some(src) => parts.push(format!("every cm number (overstride, oscillation, step width) is scaled from {}", src.words())),
        None if sc.step_length_source.is_none() => return,
        None => parts.push("no pixel scale: distances in % of leg length".into()),
    }
    match sc.step_length_source {
        Some(StepLengthSource::BeltSpeedGiven) => parts
            .push(format!("step length in cm from the belt speed given ({:.1} km/h) × step time", sc.belt_kmh_given.unwrap_or(f64::NAN))),
        Some(StepLengthSource::BeltInImageAndHeight) => {
            parts.push("step length in cm from the belt's speed in the image and the height scale".into())
        }
        None => {}
    }
    if let (Some(h), Some(g), Some(d)) = (sc.belt_kmh_from_height, sc.belt_kmh_given, sc.belt_disagreement_pct) {
        let agree = if d.abs() <= BELT_CHECK_TOLERANCE_PCT {
            "agree"
        } else {
            "disagree: check the height, the treadmill's display and that the camera is square to the belt"
        };
        parts.push(format!("belt speed check: the height puts the belt at {h:.1} km/h, the treadmill shows {g:.1} km/h ({d:+.0} %; within ±{BELT_CHECK_TOLERANCE_PCT:.0} % they agree) — they {agree}"));
    } else if let Some(h) = sc.belt_kmh_from_height {
        parts.push(format!("the height puts the belt at {h:.1} km/h (give --belt-kmh to check it against the treadmill)"));
    }
    if let (Some(h), None) = (sc.height_cm_from_belt, sc.height_cm) {
        parts.push(format!("the belt scale implies a standing height of about {h:.0} cm"));
    }
    let cls = if sc.belt_disagreement_pct.is_some_and(|d| d.abs() > BELT_CHECK_TOLERANCE_PCT) { " class=warn" } else { "" };
    let _ = write!(out, "<li{cls}><b>Scale</b>: {}.</li>", esc(&parts.join("; ")));
}

/// The cadence retraining aid: the step-rate targets and the metronome to practise one.
pub(super) fn retraining(r: &Retraining, out: &mut String) {
    out.push_str("<section class=retraining><h2>Cadence retraining</h2><table style='width:auto'><thead><tr><th>step rate</th><th>steps/min</th></tr></thead><tbody>");
    let _ = write!(out, "<tr><td>now</td><td>{:.0}</td></tr>", r.cadence_spm);
    for t in &r.targets {
        let _ = write!(out, "<tr><td>+{} %</td><td>{:.0}</td></tr>", t.increase_pct, t.spm);
    }
    out.push_str("</tbody></table>");
    match &r.metronome {
        Some(m) => {
            let _ = write!(
                out,
                "<p><b>Metronome</b>: <code>{}</code> beside this report clicks {} times a minute (+{:.1} %; the +{} % target rounded to a whole step),                  a {:.0}-minute loop: play it on the treadmill and land one foot on each click. Check the change with a second film and <code>overstride compare</code>.</p>",
                esc(&m.file),
                m.spm,
                m.increase_pct,
                m.target_pct,
                crate::report::metronome::DURATION_S / 60.0
            );
        }
        None => {
            if let Some(n) = &r.note {
                let _ = write!(out, "<p class=meta>{}</p>", esc(n));
            }
        }
    }
    let _ = write!(
        out,
        "<p class=meta>A 5–10 % higher step rate lowers hip and knee loading and the overstride ({}).</p></section>",
        esc(r.source)
    );
}

/// The left/right differences the answers name when they are beyond the noise.
const ASYMMETRIES_SHOWN: &[Metric] =
    &[metric::OVERSTRIDE_PCT_LEG, metric::PELVIC_DROP_DEG, metric::FPPA_DEG, metric::KNEE_FLEXION_IC_DEG, metric::CONTACT_TIME_S];
