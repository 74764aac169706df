//! report.html — one self-contained page a physiotherapist or a runner reads in a minute: the
//! answers first (each number with its uncertainty and step count), key frames, plots over the
//! steps, the per-step table and the reference ranges with their sources. Inline CSS and SVG, key
//! frames as inline PNG: no network, no script. Presenting only: every number comes from the
//! `Analysis`.

use std::fmt::Write;

use crate::gait::analysis::{
    overstride_verdict, Analysis, Gait, OverstrideVerdict, Step, KNEE_FLEXION_IC_NORM, KNEE_FLEXION_PEAK_NORM, OVERSTRIDE_BORDERLINE_PCT,
    OVERSTRIDE_GOOD_PCT, REARFOOT_ANGLE_NORM,
};
use crate::gait::events::Side;
use crate::gait::retraining::Retraining;
use crate::gait::summary::Stat;
use crate::report::export::{Exporter, Report};
use crate::Result;

/// What the page shows beside the analysis.
pub struct PageInput<'a> {
    pub title: &'a str,
    pub runner: Option<&'a str>,
    pub source: &'a str,
    /// PNG key frames per side (already encoded), with a caption.
    pub key_frames: &'a [(String, Vec<u8>)],
    /// Evidence frames written beside the report (`report::evidence`): caption and relative path.
    pub evidence: &'a [(String, String)],
    /// The cadence retraining targets and the metronome written beside the report.
    pub retraining: Option<&'a Retraining>,
}

/// report.html, as an [`Exporter`]: the page titled with the runner's name, the input's file name
/// in its header.
pub struct Html;

impl Exporter<Report<'_>> for Html {
    fn file(&self) -> &'static str {
        "report.html"
    }

    fn serialize(&self, r: &Report) -> Result<Vec<u8>> {
        let title = match r.runner {
            Some(n) => format!("Treadmill running assessment — {n}"),
            None => "Treadmill running assessment".to_string(),
        };
        let page = PageInput {
            title: &title,
            runner: r.runner,
            source: &r.source.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
            key_frames: &r.key_frames,
            evidence: &r.evidence,
            retraining: r.retraining,
        };
        Ok(render(r.analysis, &page).into_bytes())
    }
}

/// HTML-escapes text for element content and quoted attributes.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn stat<'a>(a: &'a Analysis, key: &str, side: &str) -> Option<&'a Stat> {
    a.summary.get(key).and_then(|m| m.get(side))
}

pub(crate) fn pm(s: &Stat, digits: usize) -> String {
    let se = if s.se.is_finite() { format!(" ± {:.*}", digits, s.se) } else { String::new() };
    let timing = s.timing.map(|t| format!(" <span class=timing>(timing ± {:.*})</span>", digits, t)).unwrap_or_default();
    format!("{:.*}{se} {}{timing} <span class=n>(n = {})</span>", digits, s.mean, esc(s.unit), s.n)
}

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
    if let Some(k) = ic {
        let _ = write!(
            out,
            "<li><b>Knee bend at foot strike</b>: {} (running norm {:.1} ± {:.1}°, Heiderscheit 2011).</li>",
            pm(k, 1),
            KNEE_FLEXION_IC_NORM.0,
            KNEE_FLEXION_IC_NORM.1
        );
    }
    if let Some(k) = peak {
        let _ = write!(
            out,
            "<li><b>Peak knee bend in stance</b>: {} (running norm {:.1} ± {:.1}°, Heiderscheit 2011).</li>",
            pm(k, 1),
            KNEE_FLEXION_PEAK_NORM.0,
            KNEE_FLEXION_PEAK_NORM.1
        );
    }
}

/// The answers' knee-valgus line (frontal views) for one side.
pub(crate) fn fppa_item(side: &str, s: &Stat, out: &mut String) {
    let _ = write!(out, "<li><b>{} knee collapse (FPPA)</b>: {} (positive: the knee moves inwards).</li>", cap(side), pm(s, 1));
}

/// The plausibility gates' warnings, first and loud: what to check before trusting the numbers.
fn alerts(a: &Analysis, out: &mut String) {
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
fn capture_quality(a: &Analysis, out: &mut String) {
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

/// The frame rate as the page states it: the playback rate, and the capture and distinct rates
/// when they differ.
fn rate_words(a: &Analysis) -> String {
    let r = &a.frame_rate;
    let mut w = match r.capture_fps {
        Some(c) => format!("filmed at {:.0} fps (slow motion played at {:.1} fps)", c.fps, r.playback_fps),
        None => format!("{:.0} fps", a.fps),
    };
    if r.repeated_frames > 0 && r.effective_fps < 0.95 * a.fps {
        let _ = write!(w, ", {:.1} distinct frames/s ({} repeated)", r.effective_fps, r.repeated_frames);
    }
    w
}

/// The answers, in plain words, with the number and its uncertainty beside each.
fn answers(a: &Analysis, out: &mut String) {
    out.push_str("<section class=answers><h2>The answers</h2><ul>");
    if a.view.is_side() {
        for side in ["left", "right"] {
            if let Some(s) = stat(a, "overstride_pct_leg", side) {
                let (class, words) = verdict_overstride(s, a.frame_rate.effective_fps);
                let cm = stat(a, "overstride_cm", side).map(|c| format!(", {:.1} cm", c.mean)).unwrap_or_default();
                let _ = write!(
                    out,
                    "<li class={class}><b>{words} on the {side} foot</b>: the heel lands {} ahead of the centre of mass{cm} \
                     (the tool's own bands: ≤ {OVERSTRIDE_GOOD_PCT:.0} % none, ≤ {OVERSTRIDE_BORDERLINE_PCT:.0} % borderline, of leg length).</li>",
                    pm(s, 1)
                );
            }
        }
        if let (Some(l), Some(r)) = (stat(a, "shank_angle_deg", "left"), stat(a, "shank_angle_deg", "right")) {
            let _ = write!(
                out,
                "<li><b>Shank at foot strike</b>: left {}, right {} from vertical (positive: the ankle lands ahead of the knee, which marks overstriding).</li>",
                pm(l, 1),
                pm(r, 1)
            );
        }
        knee_items(stat(a, "knee_flexion_ic_deg", "all"), stat(a, "knee_flexion_peak_deg", "all"), out);
        let classes: Vec<String> = a
            .steps
            .iter()
            .filter(|s| s.excluded.is_none())
            .filter_map(|s| s.foot_strike.map(|f| format!("{f:?}").to_lowercase()))
            .collect();
        if !classes.is_empty() {
            let mut counts: Vec<(String, usize)> = Vec::new();
            for c in classes {
                match counts.iter_mut().find(|(k, _)| *k == c) {
                    Some(e) => e.1 += 1,
                    None => counts.push((c, 1)),
                }
            }
            counts.sort_by_key(|c| std::cmp::Reverse(c.1));
            let txt: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
            let _ = write!(
                out,
                "<li><b>Foot strike</b>: {} steps (typical foot-strike angle of rearfoot strikers {:.1} ± {:.1}°, Altman &amp; Davis 2012).</li>",
                txt.join(", "),
                REARFOOT_ANGLE_NORM.0,
                REARFOOT_ANGLE_NORM.1
            );
        }
    } else {
        for side in ["left", "right"] {
            if let Some(s) = stat(a, "pelvic_drop_deg", side) {
                let _ = write!(
                    out,
                    "<li><b>Hip drop while on the {side} foot</b>: {} (each degree more is linked to higher odds of injury, Bramah 2018).</li>",
                    pm(s, 1)
                );
            }
        }
        for side in ["left", "right"] {
            if let Some(s) = stat(a, "fppa_deg", side) {
                fppa_item(side, s, out);
            }
        }
        if let Some(s) = stat(a, "step_width_pct_leg", "all") {
            let _ = write!(out, "<li><b>Step width</b>: {} (at or below zero: the feet cross the midline).</li>", pm(s, 1));
        }
    }
    if let Some(c) = a.cadence_spm {
        let _ = write!(
            out,
            "<li><b>Cadence</b>: {c:.0} steps/min. A 5–10 % higher step rate ({:.0}–{:.0} steps/min) lowers hip and knee loading (Heiderscheit 2011){}.</li>",
            c * 1.05,
            c * 1.10,
            if a.view.is_side() { " and shortens the stride in front of the body" } else { "" }
        );
    }
    let step_len = stat(a, "step_length_cm", "all").or(stat(a, "step_length_pct_leg", "all"));
    if let Some(sl) = step_len {
        let _ = write!(out, "<li><b>Step length</b>: {} (the belt's travel during a step: step time × belt speed).</li>", pm(sl, 1));
    }
    scale_item(a, out);
    for (k, asy) in &a.asymmetry {
        if asy.meaningful
            && ["overstride_pct_leg", "pelvic_drop_deg", "fppa_deg", "knee_flexion_ic_deg", "contact_time_s"].contains(&k.as_str())
        {
            let _ = write!(
                out,
                "<li class=warn><b>Left/right difference in {}</b>: right − left = {:.2} {} (beyond the measurement noise of ±{:.2}{}).</li>",
                esc(&label(k)),
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
fn retraining(r: &Retraining, out: &mut String) {
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
                super::metronome::DURATION_S / 60.0
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

/// A metric's key as words: `contact_time_s` → "contact time".
fn label(key: &str) -> String {
    let k = key.trim_end_matches("_deg").trim_end_matches("_pct_leg").trim_end_matches("_cm").trim_end_matches("_s");
    match k {
        "fppa" => "knee collapse (FPPA)".into(),
        "knee_flexion_ic" => "knee bend at foot strike".into(),
        _ => k.replace('_', " "),
    }
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

pub(crate) const LEFT_COLOUR: &str = "#1f6fd1";
pub(crate) const RIGHT_COLOUR: &str = "#e07b00";

/// A scatter plot of one per-step metric over time, left and right, with an optional reference band.
fn plot(a: &Analysis, title: &str, unit: &str, get: fn(&Step) -> Option<f64>, bands: &[(f64, f64, &str)]) -> Option<String> {
    let pts: Vec<(f64, f64, Side)> =
        a.steps.iter().filter(|s| s.excluded.is_none()).filter_map(|s| get(s).map(|v| (s.ic_time_s, v, s.side))).collect();
    if pts.len() < 2 {
        return None;
    }
    let (w, h, l, r, t, b) = (640.0, 220.0, 56.0, 12.0, 24.0, 36.0);
    let t0 = 0.0f64;
    let t1 = a.duration_s.max(pts.iter().map(|p| p.0).fold(0.0, f64::max)).max(1e-3);
    let (dlo, dhi) = (pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min), pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max));
    // the range shows the data, widened to band edges that lie near it (a far edge is not shown)
    let span = (dhi - dlo).max(1.0);
    let (mut lo, mut hi) = (dlo, dhi);
    for &(a0, a1, _) in bands {
        for e in [a0, a1] {
            if e > dlo - 0.25 * span && e < dhi + 0.25 * span {
                lo = lo.min(e);
                hi = hi.max(e);
            }
        }
    }
    let pad = ((hi - lo) * 0.1).max(0.5);
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |v: f64| l + (w - l - r) * (v - t0) / (t1 - t0);
    let y = |v: f64| t + (h - t - b) * (1.0 - (v - lo) / (hi - lo));
    let mut s = format!("<figure><svg viewBox='0 0 {w} {h}' role=img aria-label='{}'>", esc(title));
    for &(a0, a1, colour) in bands {
        let (ya, yb) = (y(a1.min(hi)), y(a0.max(lo)));
        if yb > ya {
            let _ =
                write!(s, "<rect x='{l}' y='{ya:.1}' width='{:.1}' height='{:.1}' fill='{colour}' opacity='0.18'/>", w - l - r, yb - ya);
        }
    }
    // axes and ticks
    let _ = write!(s, "<line x1='{l}' y1='{:.1}' x2='{:.1}' y2='{:.1}' stroke='#444'/>", h - b, w - r, h - b);
    let _ = write!(s, "<line x1='{l}' y1='{t}' x2='{l}' y2='{:.1}' stroke='#444'/>", h - b);
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        let _ = write!(s, "<text x='{:.1}' y='{:.1}' class=tick text-anchor=end>{v:.1}</text>", l - 4.0, y(v) + 4.0);
        let tv = t0 + (t1 - t0) * k as f64 / 4.0;
        let _ = write!(s, "<text x='{:.1}' y='{:.1}' class=tick text-anchor=middle>{tv:.1}</text>", x(tv), h - b + 14.0);
    }
    let _ = write!(s, "<text x='{:.1}' y='{:.1}' class=axis text-anchor=middle>time (s)</text>", (l + w - r) / 2.0, h - 4.0);
    let _ = write!(
        s,
        "<text x='12' y='{:.1}' class=axis text-anchor=middle transform='rotate(-90 12 {:.1})'>{}</text>",
        (t + h - b) / 2.0,
        (t + h - b) / 2.0,
        esc(unit)
    );
    for &(tt, v, side) in &pts {
        let c = if side == Side::Left { LEFT_COLOUR } else { RIGHT_COLOUR };
        let _ = write!(s, "<circle cx='{:.1}' cy='{:.1}' r='3.5' fill='{c}'/>", x(tt), y(v));
    }
    let _ = write!(
        s,
        "<text x='{l}' y='14' class=title>{}</text><text x='{:.1}' y='14' class=legend fill='{LEFT_COLOUR}'>● left</text><text x='{:.1}' y='14' class=legend fill='{RIGHT_COLOUR}'>● right</text></svg></figure>",
        esc(title),
        w - 110.0,
        w - 56.0
    );
    Some(s)
}

/// A line plot of series over time (downsampled to ~1200 points), with event ticks along the top
/// (solid: initial contact, dashed: toe-off) in each side's colour.
fn series_plot(a: &Analysis, title: &str, unit: &str, series: &[(&[f64], &str, &str)], events: bool) -> Option<String> {
    let t = &a.traces.t;
    if t.len() < 2 || series.iter().all(|(v, _, _)| v.iter().all(|x| !x.is_finite())) {
        return None;
    }
    let (w, h, l, r, top, b) = (640.0, 200.0, 56.0, 12.0, 24.0, 36.0);
    let (t0, t1) = (t[0], t[t.len() - 1].max(t[0] + 1e-3));
    let vals = series.iter().flat_map(|(v, _, _)| v.iter().copied().filter(|x| x.is_finite()));
    let (mut lo, mut hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let pad = ((hi - lo) * 0.08).max(0.5);
    lo -= pad;
    hi += pad;
    let x = |v: f64| l + (w - l - r) * (v - t0) / (t1 - t0);
    let y = |v: f64| top + (h - top - b) * (1.0 - (v - lo) / (hi - lo));
    let step = (t.len() / 1200).max(1);
    let mut svg = format!("<figure><svg viewBox='0 0 {w} {h}' role=img aria-label='{}'>", esc(title));
    let _ = write!(
        svg,
        "<line x1='{l}' y1='{:.1}' x2='{:.1}' y2='{:.1}' stroke='#444'/><line x1='{l}' y1='{top}' x2='{l}' y2='{:.1}' stroke='#444'/>",
        h - b,
        w - r,
        h - b,
        h - b
    );
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        let tv = t0 + (t1 - t0) * k as f64 / 4.0;
        let _ = write!(svg, "<text x='{:.1}' y='{:.1}' class=tick text-anchor=end>{v:.0}</text>", l - 4.0, y(v) + 4.0);
        let _ = write!(svg, "<text x='{:.1}' y='{:.1}' class=tick text-anchor=middle>{tv:.1}</text>", x(tv), h - b + 14.0);
    }
    let _ = write!(svg, "<text x='{:.1}' y='{:.1}' class=axis text-anchor=middle>time (s)</text>", (l + w - r) / 2.0, h - 4.0);
    let _ = write!(
        svg,
        "<text x='12' y='{:.1}' class=axis text-anchor=middle transform='rotate(-90 12 {:.1})'>{}</text>",
        (top + h - b) / 2.0,
        (top + h - b) / 2.0,
        esc(unit)
    );
    if events {
        for s in &a.steps {
            let c = if s.side == Side::Left { LEFT_COLOUR } else { RIGHT_COLOUR };
            let _ = write!(
                svg,
                "<line x1='{0:.1}' x2='{0:.1}' y1='{top}' y2='{1:.1}' stroke='{c}' stroke-width='1' opacity='0.55'/>",
                x(s.ic_time_s),
                h - b
            );
            if let Some(to) = s.to_time_s {
                let _ = write!(svg, "<line x1='{0:.1}' x2='{0:.1}' y1='{top}' y2='{1:.1}' stroke='{c}' stroke-width='1' stroke-dasharray='3 3' opacity='0.55'/>", x(to), h - b);
            }
        }
    }
    for (v, colour, _) in series {
        let mut d = String::new();
        let mut pen = false;
        for i in (0..t.len().min(v.len())).step_by(step) {
            if v[i].is_finite() {
                let _ = write!(d, "{}{:.1},{:.1} ", if pen { "L" } else { "M" }, x(t[i]), y(v[i]));
                pen = true;
            } else {
                pen = false;
            }
        }
        let _ = write!(svg, "<path d='{d}' fill='none' stroke='{colour}' stroke-width='1.4'/>");
    }
    let _ = write!(svg, "<text x='{l}' y='14' class=title>{}</text>", esc(title));
    for (i, (_, colour, label)) in series.iter().enumerate() {
        let _ = write!(svg, "<text x='{:.1}' y='14' class=legend fill='{colour}'>— {}</text>", w - 150.0 + 70.0 * i as f64, esc(label));
    }
    svg.push_str("</svg></figure>");
    Some(svg)
}

/// The x range of a plot of these values: their extent padded by 8 % (at least 0.5) each side.
pub(crate) fn padded_range(all: &[f64]) -> (f64, f64) {
    let (lo, hi) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)));
    let pad = ((hi - lo) * 0.08).max(0.5);
    (lo - pad, hi + pad)
}

/// An SVG figure's opening, with its title.
pub(crate) fn svg_figure(w: f64, h: f64, title: &str) -> String {
    let mut svg = format!("<figure><svg viewBox='0 0 {w} {h}' role=img aria-label='{}'>", esc(title));
    let _ = write!(svg, "<text x='8' y='14' class=title>{}</text>", esc(title));
    svg
}

/// Per-side distribution of a metric over the steps: a box (quartiles, median) with every step's
/// value beside it.
fn distribution(a: &Analysis, title: &str, unit: &str, get: fn(&Step) -> Option<f64>) -> Option<String> {
    let sides: Vec<(Side, Vec<f64>)> = [Side::Left, Side::Right]
        .into_iter()
        .map(|sd| {
            let mut v: Vec<f64> =
                a.steps.iter().filter(|s| s.side == sd && s.excluded.is_none()).filter_map(get).filter(|x| x.is_finite()).collect();
            v.sort_by(f64::total_cmp);
            (sd, v)
        })
        .collect();
    if sides.iter().all(|(_, v)| v.len() < 2) {
        return None;
    }
    let (w, h, l, top, b) = (640.0, 150.0, 90.0, 24.0, 30.0);
    let all: Vec<f64> = sides.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    let (lo, hi) = padded_range(&all);
    let x = |v: f64| l + (w - l - 16.0) * (v - lo) / (hi - lo);
    let mut svg = svg_figure(w, h, title);
    for (row, (sd, v)) in sides.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        let c = if *sd == Side::Left { LEFT_COLOUR } else { RIGHT_COLOUR };
        let yc = top + 20.0 + row as f64 * 42.0;
        let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
        let _ = write!(svg, "<text x='8' y='{:.1}' class=axis fill='{c}'>{} (n = {})</text>", yc + 4.0, sd.as_str(), v.len());
        let _ = write!(svg, "<line x1='{:.1}' x2='{:.1}' y1='{yc:.1}' y2='{yc:.1}' stroke='{c}'/>", x(v[0]), x(v[v.len() - 1]));
        let _ = write!(
            svg,
            "<rect x='{:.1}' y='{:.1}' width='{:.1}' height='18' fill='{c}' opacity='0.25' stroke='{c}'/>",
            x(q(0.25)),
            yc - 9.0,
            (x(q(0.75)) - x(q(0.25))).max(1.0)
        );
        let _ = write!(
            svg,
            "<line x1='{0:.1}' x2='{0:.1}' y1='{1:.1}' y2='{2:.1}' stroke='{c}' stroke-width='2.5'/>",
            x(q(0.5)),
            yc - 9.0,
            yc + 9.0
        );
        for val in v {
            let _ = write!(svg, "<circle cx='{:.1}' cy='{:.1}' r='2.2' fill='{c}'/>", x(*val), yc + 14.0);
        }
    }
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        let _ = write!(svg, "<text x='{:.1}' y='{:.1}' class=tick text-anchor=middle>{v:.1}</text>", x(v), h - b + 12.0);
    }
    let _ =
        write!(svg, "<text x='{:.1}' y='{:.1}' class=axis text-anchor=middle>{}</text></svg></figure>", (l + w) / 2.0, h - 4.0, esc(unit));
    Some(svg)
}

fn table(a: &Analysis, out: &mut String) {
    let side_view = a.view.is_side();
    out.push_str("<section class=steps><h2>Every step</h2><table><thead><tr><th>#</th><th>side</th><th>IC (s)</th><th>frame</th><th>contact (s)</th><th>flight (s)</th>");
    if side_view {
        out.push_str("<th>overstride (% leg)</th><th>overstride (cm)</th><th>shank (°)</th><th>knee at IC (°)</th><th>knee peak (°)</th><th>foot strike</th>");
    } else {
        out.push_str("<th>pelvic drop (°)</th><th>FPPA (°)</th><th>step width (% leg)</th>");
    }
    out.push_str("<th>confidence</th></tr></thead><tbody>");
    let f = |v: Option<f64>, d: usize| v.map(|x| format!("{x:.d$}")).unwrap_or_else(|| "–".into());
    for (i, s) in a.steps.iter().enumerate() {
        let class = if s.excluded.is_some() { " class=excluded" } else { "" };
        let _ = write!(
            out,
            "<tr{class}><td>{}</td><td>{}</td><td>{:.3}</td><td>{}</td><td>{}</td><td>{}</td>",
            i + 1,
            s.side.as_str(),
            s.ic_time_s,
            s.ic_frame,
            f(s.contact_time_s, 3),
            f(s.flight_time_s, 3)
        );
        if side_view {
            let _ = write!(
                out,
                "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                f(s.overstride_pct_leg, 1),
                f(s.overstride_cm, 1),
                f(s.shank_angle_deg, 1),
                f(s.knee_flexion_ic_deg, 1),
                f(s.knee_flexion_peak_deg, 1),
                s.foot_strike.map(|x| format!("{x:?}").to_lowercase()).unwrap_or_else(|| "–".into())
            );
        } else {
            let _ = write!(out, "<td>{}</td><td>{}</td><td>{}</td>", f(s.pelvic_drop_deg, 1), f(s.fppa_deg, 1), f(s.step_width_pct_leg, 1));
        }
        // the reason in a tooltip; the cell stays short so that the table prints compactly
        let note = s.excluded.as_ref().map(|e| format!(" <span title=\"{}\">left out: {}</span>", esc(&e.to_string()), e.short()));
        let _ = write!(out, "<td>{:.2}{}</td></tr>", s.confidence, note.unwrap_or_default());
    }
    out.push_str("</tbody></table>");
    if a.steps.iter().any(|s| s.excluded.is_some()) {
        let _ = write!(
            out,
            "<p class=meta>Steps marked “left out” are not in the means: “timing” — step or contact time below {low}× or above {high}× the side's median (a mis-detected contact); “out of sequence” — another contact of the same foot within {low}× the side's median stride (the other foot's landing taken for this one); “low confidence” — the leg's landmarks averaged a visibility below {conf} at foot strike; “impossible value” — a number beyond what a body can do (a landmark or contact error). Hover over the note for the numbers.</p>",
            low = crate::gait::IMPLAUSIBLE_LOW,
            high = crate::gait::IMPLAUSIBLE_HIGH,
            conf = crate::gait::MIN_STEP_CONFIDENCE
        );
    }
    out.push_str("</section>");
}

const REFERENCES: &str = "<section class=refs><h2>Reference ranges and sources</h2><table><thead><tr><th>measure</th><th>reference</th><th>source</th></tr></thead><tbody>\
<tr><td>Overstride (heel ahead of the centre of mass at foot strike)</td><td>≤ 8 % of leg length none, ≤ 15 % borderline: the tool's own bands (no published normal range for this definition in % of leg length; the scale of GaitLab's ankle-to-hip bands); it falls as step rate rises 5–10 %</td><td>Heiderscheit 2011; Wille 2014 relates it to knee and hip loading</td></tr>\
<tr><td>Shank angle at foot strike</td><td>near vertical; the ankle well ahead of the knee marks overstriding</td><td>Souza 2016</td></tr>\
<tr><td>Knee flexion</td><td>17.8 ± 4.0° at foot strike, 46.3 ± 4.5° peak in stance (preferred step rate; 19.6° and 42.8° at +10 %); below 5° at foot strike is flagged as suspect</td><td>Heiderscheit 2011, Table 3</td></tr>\
<tr><td>Foot-strike angle</td><td>&gt; 8° rearfoot, −1.6° to 8° midfoot, &lt; −1.6° forefoot; typical rearfoot 17.7 ± 4.4°, midfoot 2.6 ± 1.5°, forefoot −7.9 ± 2.8°</td><td>Altman &amp; Davis 2012</td></tr>\
<tr><td>Initial contact</td><td>the instant the foot joins the belt (at the belt's level and moving with it), not its forward-most point, which comes 20–50 ms earlier; every at-contact number shows its timing uncertainty</td><td>this tool's landing model</td></tr>\
<tr><td>Cadence</td><td>typically 160–180 steps/min; +5–10 % lowers hip and knee loading</td><td>Heiderscheit 2011</td></tr>\
<tr><td>Duty factor</td><td>below 50 % in running</td><td></td></tr>\
<tr><td>Contralateral pelvic drop</td><td>each +1° ≈ 80 % higher odds of injury; smallest detectable difference in 2-D video 2.7–2.8°</td><td>Bramah 2018; Dingenen 2018</td></tr>\
<tr><td>Timing of foot strike from video</td><td>kinematic detection error about 10–25 ms</td><td>Fellin 2010; Young 2023</td></tr>\
</tbody></table></section>";

pub(crate) const CSS: &str = "body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1b1b;max-width:960px;margin:0 auto;padding:16px 20px}\
h1{font-size:24px;margin:4px 0}h2{font-size:19px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:26px}h3{font-size:16px}\
.meta{color:#555;font-size:13px}.answers li{margin:6px 0}.ok b{color:#1d7a32}.warn b{color:#a36200}.bad b{color:#b3261e}\
.n{color:#666;font-size:12px}.limits{color:#444;font-size:13px}figure{margin:8px 0}svg{width:100%;height:auto;font-family:inherit}\
.tick{font-size:10px;fill:#555}.axis{font-size:11px;fill:#333}.title{font-size:12px;font-weight:600;fill:#222}.legend{font-size:11px}\
table{border-collapse:collapse;width:100%;font-size:12px}th,td{border-bottom:1px solid #e2e2e2;padding:3px 5px;text-align:right}\
th:nth-child(2),td:nth-child(2){text-align:left}.refs td,.refs th{text-align:left}tr.excluded{color:#999}\
.keys{display:flex;flex-wrap:wrap;gap:12px}.keys figure{flex:1 1 280px;margin:0}.keys img{width:100%;height:auto;border:1px solid #ddd}\
figcaption{font-size:12px;color:#444}.alerts{border:2px solid #b3261e;background:#fdecea;padding:2px 14px;margin-top:14px}.alerts h2{color:#b3261e;border:0;margin-top:8px}.alerts b{color:#b3261e}.evidence img{max-width:100%;height:auto}.capture{border:2px solid #2e7d32;padding:2px 14px;margin-top:14px}.capture.warn{border-color:#b26a00;background:#fff8e1}.capture h2{border:0;margin-top:8px}.capture td.ok{color:#2e7d32}.capture td.bad{color:#b26a00;font-weight:bold}\
@media print{body{max-width:none;padding:0;font-size:11px}h2{break-after:avoid}figure,tr,.keys figure{break-inside:avoid}@page{size:A4;margin:14mm}}";

/// The whole page.
pub fn render(a: &Analysis, page: &PageInput) -> String {
    use base64::Engine;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'><title>{}</title><style>{CSS}</style></head><body>",
        esc(page.title)
    );
    let _ = write!(out, "<h1>{}</h1>", esc(page.title));
    let _ = write!(
        out,
        "<p class=meta>{}{} · view: {} · {} · {}, {} frames ({:.1} s), pose found on {} · {} steps · overstride v{}</p>",
        page.runner.map(|r| format!("Runner: <b>{}</b> · ", esc(r))).unwrap_or_default(),
        esc(page.source),
        a.view.as_str(),
        if a.gait == Gait::Running { "running" } else { "walking" },
        rate_words(a),
        a.frames,
        a.duration_s,
        a.frames_with_pose,
        a.steps.len(),
        env!("CARGO_PKG_VERSION")
    );
    capture_quality(a, &mut out);
    alerts(a, &mut out);
    answers(a, &mut out);
    if let Some(r) = page.retraining {
        retraining(r, &mut out);
    }
    if !page.key_frames.is_empty() {
        out.push_str("<section><h2>Key frames</h2><div class=keys>");
        for (caption, png) in page.key_frames {
            let _ = write!(
                out,
                "<figure><img alt='{}' src='data:image/png;base64,{}'><figcaption>{}</figcaption></figure>",
                esc(caption),
                base64::engine::general_purpose::STANDARD.encode(png),
                esc(caption)
            );
        }
        out.push_str("</div></section>");
    }
    if !page.evidence.is_empty() {
        out.push_str("<section><h2>Evidence frames</h2>");
        for (caption, rel) in page.evidence {
            let _ = write!(
                out,
                "<figure class=evidence><img alt='{}' src='{}'><figcaption>{}</figcaption></figure>",
                esc(caption),
                esc(rel),
                esc(caption)
            );
        }
        out.push_str("</section>");
    }
    out.push_str("<section><h2>Over the run</h2>");
    let tr = &a.traces;
    let mut plots: Vec<Option<String>> = vec![
        series_plot(
            a,
            "Foot height above the belt (lines: strike │, toe-off ┆)",
            "% of leg length",
            &[(&tr.foot_height_pct_leg[0], LEFT_COLOUR, "left"), (&tr.foot_height_pct_leg[1], RIGHT_COLOUR, "right")],
            true,
        ),
        series_plot(
            a,
            "Knee flexion",
            "degrees",
            &[(&tr.knee_flexion_deg[0], LEFT_COLOUR, "left"), (&tr.knee_flexion_deg[1], RIGHT_COLOUR, "right")],
            true,
        ),
    ];
    if !a.view.is_side() {
        plots.push(series_plot(a, "Pelvis tilt (positive: right hip lower)", "degrees", &[(&tr.pelvis_tilt_deg, "#444", "pelvis")], true));
    }
    plots.extend(if a.view.is_side() {
        vec![
            distribution(a, "Overstride per side, over the steps", "% of leg length", |s| s.overstride_pct_leg),
            distribution(a, "Shank angle at foot strike per side", "degrees", |s| s.shank_angle_deg),
            plot(
                a,
                "Overstride at each foot strike",
                "% of leg length",
                |s| s.overstride_pct_leg,
                &[(-100.0, OVERSTRIDE_GOOD_PCT, "#2e9b47"), (OVERSTRIDE_GOOD_PCT, OVERSTRIDE_BORDERLINE_PCT, "#e0a100")],
            ),
            plot(a, "Shank angle at foot strike", "degrees", |s| s.shank_angle_deg, &[]),
            plot(
                a,
                "Knee flexion at foot strike",
                "degrees",
                |s| s.knee_flexion_ic_deg,
                &[(KNEE_FLEXION_IC_NORM.0 - KNEE_FLEXION_IC_NORM.1, KNEE_FLEXION_IC_NORM.0 + KNEE_FLEXION_IC_NORM.1, "#2e9b47")],
            ),
            plot(a, "Contact time", "seconds", |s| s.contact_time_s, &[]),
            plot(a, "Step rate", "steps/min", |s| s.step_time_s.map(|t| 60.0 / t), &[(160.0, 180.0, "#2e9b47")]),
        ]
    } else {
        vec![
            distribution(a, "Pelvic drop per stance side, over the steps", "degrees", |s| s.pelvic_drop_deg),
            distribution(a, "FPPA per side, over the steps", "degrees", |s| s.fppa_deg),
            plot(a, "Pelvic drop in stance", "degrees", |s| s.pelvic_drop_deg, &[]),
            plot(a, "Knee frontal-plane projection angle (FPPA)", "degrees", |s| s.fppa_deg, &[]),
            plot(a, "Step width", "% of leg length", |s| s.step_width_pct_leg, &[]),
            plot(a, "Step rate", "steps/min", |s| s.step_time_s.map(|t| 60.0 / t), &[(160.0, 180.0, "#2e9b47")]),
        ]
    });
    for p in plots.into_iter().flatten() {
        out.push_str(&p);
    }
    out.push_str("</section>");
    table(a, &mut out);
    out.push_str(REFERENCES);
    let _ = write!(
        out,
        "<p class=meta>Measurement quality: {} left/right swaps repaired, {} low-confidence samples dropped, {} outliers rejected, {} samples filled; low-pass {:.1} Hz; belt tilt {:.1}°; centre of mass: {}. Machine-readable: report.json, steps.csv, landmarks.csv.</p>",
        a.quality.swaps_repaired,
        a.quality.low_visibility_samples,
        a.quality.outliers_rejected,
        a.quality.samples_filled,
        a.quality.filter_cutoff_hz,
        a.quality.belt_tilt_deg,
        esc(a.quality.com_model)
    );
    out.push_str("</body></html>\n");
    out
}
