//! The assessment's report.html: the answers first — from the side clip, from the rear or front
//! clip, the cadence of both compared — then what to check, the film quality of each clip, and a
//! link to each clip's own full report (in its sub-folder). Presenting only: every number and
//! verdict comes from the [`Assessment`](super::Assessment).

use std::fmt::Write;

use super::{Assessed, Assessment, ClipEntry};
use crate::gait::metric::{self, Metric, SummaryExt, PELVIC_DROP_SDD_DEG};
use crate::gait::retraining::advised_range_spm;
use crate::gait::summary::Stat;
use crate::report::export::Exporter;
use crate::report::html::{esc, fppa_item, knee_items, pm, verdict_overstride, CSS};
use crate::Result;

/// The assessment's report.html, as an [`Exporter`].
pub(crate) struct AssessmentHtml;

impl Exporter<Assessed<'_>> for AssessmentHtml {
    fn file(&self) -> &'static str {
        "report.html"
    }

    fn serialize(&self, a: &Assessed) -> Result<Vec<u8>> {
        Ok(render(a).into_bytes())
    }
}

fn stat<'a>(s: &'a super::Answers, m: &Metric, side: &str) -> Option<&'a Stat> {
    s.summary.stat(m, side)
}

fn clip_link(c: &ClipEntry) -> String {
    format!("<a href=\"{}\">{}</a>", esc(&c.report), esc(&c.input))
}

fn side_answers(a: &Assessment, fps: f64, out: &mut String) {
    let s = &a.side;
    let _ = write!(out, "<h3>From the side ({}, {})</h3><ul>", esc(s.view), clip_link(&a.clips[0]));
    for side in ["left", "right"] {
        if let Some(st) = stat(s, &metric::OVERSTRIDE_PCT_LEG, side) {
            let (class, words) = verdict_overstride(st, fps);
            let cm = stat(s, &metric::OVERSTRIDE_CM, side).map(|c| format!(", {:.1} cm", c.mean)).unwrap_or_default();
            let _ = write!(
                out,
                "<li class={class}><b>{words} on the {side} foot</b>: the heel lands {} ahead of the centre of mass{cm}.</li>",
                pm(st, 1)
            );
        }
    }
    if let (Some(l), Some(r)) = (stat(s, &metric::SHANK_ANGLE_DEG, "left"), stat(s, &metric::SHANK_ANGLE_DEG, "right")) {
        let _ = write!(
            out,
            "<li><b>Shank at foot strike</b>: left {}, right {} from vertical (positive: the ankle lands ahead of the knee).</li>",
            pm(l, 1),
            pm(r, 1)
        );
    }
    knee_items(stat(s, &metric::KNEE_FLEXION_IC_DEG, "all"), stat(s, &metric::KNEE_FLEXION_PEAK_DEG, "all"), out);
    if !s.foot_strike.is_empty() {
        let mut counts: Vec<(&String, &usize)> = s.foot_strike.iter().collect();
        counts.sort_by_key(|c| std::cmp::Reverse(*c.1));
        let txt: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let angle =
            stat(s, &metric::FOOT_STRIKE_ANGLE_DEG, "all").map(|st| format!("; foot-strike angle {}", pm(st, 1))).unwrap_or_default();
        let _ = write!(out, "<li><b>Foot strike</b>: {} steps{angle}.</li>", txt.join(", "));
    }
    out.push_str("</ul>");
}

fn frontal_answers(a: &Assessment, out: &mut String) {
    let f = &a.frontal;
    let _ = write!(
        out,
        "<h3>From {} ({}, {})</h3><ul>",
        if f.view == "front" { "the front" } else { "behind" },
        esc(f.view),
        clip_link(&a.clips[1])
    );
    for side in ["left", "right"] {
        if let Some(st) = stat(f, &metric::PELVIC_DROP_DEG, side) {
            let _ = write!(
                out,
                "<li><b>Hip drop while on the {side} foot</b>: {} (a change under {PELVIC_DROP_SDD_DEG}° between sessions is within what 2-D video can detect, Dingenen 2018; each degree more is linked to higher odds of injury, Bramah 2018).</li>",
                pm(st, 1)
            );
        }
    }
    for side in ["left", "right"] {
        if let Some(st) = stat(f, &metric::FPPA_DEG, side) {
            fppa_item(side, st, out);
        }
    }
    let width = stat(f, &metric::STEP_WIDTH_CM, "all").or(stat(f, &metric::STEP_WIDTH_PCT_LEG, "all"));
    if let Some(st) = width {
        let _ = write!(out, "<li><b>Step width</b>: {} (at or below zero: the feet cross the midline).</li>", pm(st, 1));
    }
    out.push_str("</ul>");
}

fn cadence(a: &Assessment, out: &mut String) {
    let c = &a.cadence;
    out.push_str("<h3>Cadence, from both clips</h3><ul>");
    let class = match c.agree {
        Some(true) => "ok",
        Some(false) => "bad",
        None => "warn",
    };
    // the words say whether they agree; the colour says it at a glance
    let _ = write!(out, "<li class={class}><b>Step rate</b>: {}.", esc(&c.words));
    let _ = write!(
        out,
        " For the same runner at the same speed they must agree: within the larger of {:.0} % of the step rate and the two measurements' 95 % uncertainty{}.</li>",
        c.allowance_pct,
        c.uncertainty_95_spm.map(|u| format!(" (±{u:.1} steps/min here)")).unwrap_or_default()
    );
    if let Some(s) = c.side_spm {
        let advised = advised_range_spm(s);
        let _ = write!(
            out,
            "<li><b>Retraining</b>: a 5–10 % higher step rate ({:.0}–{:.0} steps/min from the side clip's {s:.0}) lowers hip and knee loading and shortens the stride in front of the body (Heiderscheit 2011); the click track is in the side clip's folder.</li>",
            advised.0,
            advised.1
        );
    }
    out.push_str("</ul>");
}

fn render(x: &Assessed) -> String {
    let a = x.assessment;
    let mut out = String::with_capacity(16 * 1024);
    let who = a.runner.as_deref().map(|r| format!(" — {}", esc(r))).unwrap_or_default();
    let _ = write!(
        out,
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'><title>overstride assessment{who}</title><style>{CSS}</style></head><body>\
         <h1>Treadmill running assessment{who}</h1><p class=meta>Two clips, one report: {} ({}, {:.0} fps, {} steps) and {} ({}, {:.0} fps, {} steps). {}</p>",
        clip_link(&a.clips[0]),
        esc(a.clips[0].view),
        a.clips[0].fps,
        a.clips[0].steps,
        clip_link(&a.clips[1]),
        esc(a.clips[1].view),
        a.clips[1].fps,
        a.clips[1].steps,
        esc(&a.tool)
    );
    if !a.alerts.is_empty() {
        out.push_str("<section class=alerts><h2>Check before trusting these numbers</h2><ul>");
        for al in &a.alerts {
            let _ = write!(out, "<li><b>Warning</b>: {}</li>", esc(al));
        }
        out.push_str("</ul></section>");
    }
    out.push_str("<section class=answers><h2>The answers</h2>");
    side_answers(a, x.analyses[0].frame_rate.effective_fps, &mut out);
    frontal_answers(a, &mut out);
    cadence(a, &mut out);
    out.push_str("</section><section><h2>Is each film good enough?</h2><ul>");
    for c in &a.clips {
        if c.capture_warnings.is_empty() {
            let _ = write!(out, "<li class=ok><b>{}</b>: every film-quality check passes.</li>", clip_link(c));
        } else {
            let _ = write!(
                out,
                "<li class=warn><b>{}</b>: {} — how to refilm is in its report.</li>",
                clip_link(c),
                esc(&c.capture_warnings.join(", "))
            );
        }
    }
    out.push_str("</ul></section><section><h2>Each clip's full report</h2><p>Every step, the plots, the key frames and evidence strips, and the reference ranges with their sources:</p><ul>");
    for c in &a.clips {
        let _ = write!(
            out,
            "<li>{}: <a href=\"{}\">{}/report.html</a> (and report.json, steps.csv there)</li>",
            esc(c.view),
            esc(&c.report),
            esc(&c.folder)
        );
    }
    out.push_str("</ul></section></body></html>\n");
    out
}
