//! The before/after page (`overstride compare`): one self-contained page in the style of
//! report.html — the answers first (cadence against the retraining target, then each headline
//! measure per side: before → after, the change ± its 95 % uncertainty, real or within noise), paired
//! plots (per side, every step before and after with each mean ± 1.96 SE), the full table, and the
//! rule with its sources. Presenting only: every number comes from the `Comparison`.

use std::fmt::Write;

use super::export::Exporter;
use super::html::{esc, CSS, LEFT_COLOUR, RIGHT_COLOUR};
use crate::compare::{Change, Comparison, Session, Verdict, COVERAGE_95};
use crate::gait::metric;
use crate::{Error, Result};

/// The measures shown first and plotted (others are in the table, and plotted when they changed).
const HEADLINE: &[&str] = &[
    metric::OVERSTRIDE_PCT_LEG.key,
    metric::OVERSTRIDE_CM.key,
    metric::SHANK_ANGLE_DEG.key,
    metric::KNEE_FLEXION_IC_DEG.key,
    metric::PELVIC_DROP_DEG.key,
    metric::FPPA_DEG.key,
    metric::STEP_WIDTH_PCT_LEG.key,
];
const BEFORE_COLOUR: &str = "#8a8a8a";

fn class(ch: &Change) -> &'static str {
    match (ch.verdict, ch.towards_advice) {
        (Verdict::Real, Some(true)) => "ok",
        (Verdict::Real, Some(false)) => "bad",
        (Verdict::Real, None) => "warn",
        _ => "",
    }
}

/// The measure's words with its unit, once.
fn label_unit(ch: &Change) -> String {
    if ch.label.contains('(') {
        ch.label.clone()
    } else {
        format!("{} ({})", ch.label, ch.unit)
    }
}

fn num(v: f64, d: usize) -> String {
    if v.is_finite() {
        format!("{v:.d$}")
    } else {
        "–".into()
    }
}

fn digits(unit: &str) -> usize {
    match unit {
        "s" | "fraction" => 3,
        _ => 1,
    }
}

fn answers(c: &Comparison, out: &mut String) {
    out.push_str("<section class=answers><h2>What changed</h2><ul>");
    if let Some(k) = &c.cadence {
        let cls = match (k.verdict, k.against_target) {
            (Verdict::Real, "within") => "ok",
            (Verdict::Real, "lower") => "bad",
            _ => "warn",
        };
        let _ = write!(
            out,
            "<li class={cls}><b>Step rate {:.0} → {:.0} steps/min: {:+.1} % ± {:.1}</b> — {}; {} (Heiderscheit 2011).</li>",
            k.before_spm,
            k.after_spm,
            k.change_pct,
            k.uncertainty_95_pct,
            k.verdict.words(),
            esc(&k.against_target_words())
        );
    }
    for key in HEADLINE {
        for ch in c.changes.iter().filter(|ch| ch.key == *key) {
            let d = digits(&ch.unit);
            let advice = match ch.towards_advice {
                Some(true) => ", the way the advice wants",
                Some(false) => ", against the advice",
                None => "",
            };
            let sdd = ch
                .smallest_detectable_difference
                .map(|s| format!("; smallest detectable difference {s}{} ({})", esc(&ch.unit), esc(ch.sdd_source)))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li class={}><b>{} {}: {} → {} {}</b>: {:+.d$} ± {} — {}{advice}{sdd}.</li>",
                class(ch),
                esc(&cap(&ch.label)),
                ch.side,
                num(ch.before.mean, d),
                num(ch.after.mean, d),
                esc(&ch.unit),
                ch.change,
                num(ch.uncertainty_95, d),
                ch.verdict.words()
            );
        }
    }
    // the other measures that changed, one line: label, then each side's change ± its uncertainty
    let mut others: Vec<String> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for ch in c.changes.iter().filter(|ch| !HEADLINE.contains(&ch.key.as_str()) && ch.verdict == Verdict::Real) {
        if seen.contains(&ch.key.as_str()) {
            continue;
        }
        seen.push(&ch.key);
        let sides: Vec<String> = c
            .changes
            .iter()
            .filter(|o| o.key == ch.key && o.verdict == Verdict::Real)
            .map(|o| {
                let d = if o.uncertainty_95 < 0.1 { digits(&o.unit).max(2) } else { digits(&o.unit) };
                format!("{} {:+.d$} ± {}", o.side, o.change, num(o.uncertainty_95, d))
            })
            .collect();
        others.push(format!("{} {}", esc(&label_unit(ch)), sides.join(", ")));
    }
    if !others.is_empty() {
        let _ = write!(out, "<li><b>Also changed beyond the noise</b>: {}.</li>", others.join("; "));
    }
    out.push_str("</ul>");
    if !c.notes.is_empty() {
        out.push_str("<ul class=limits>");
        for n in &c.notes {
            let _ = write!(out, "<li>{}</li>", esc(n));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// Paired plot of one metric: per side, the steps before (grey) and after (the side's colour), each
/// with its mean and ± 1.96 SE.
fn paired(title: &str, unit: &str, rows: &[(&str, &str, Vec<f64>)]) -> Option<String> {
    let all: Vec<f64> = rows.iter().flat_map(|r| r.2.iter().copied()).collect();
    if rows.iter().filter(|r| !r.2.is_empty()).count() < 2 {
        return None;
    }
    let (w, l, top, row_h, b) = (640.0, 150.0, 24.0, 30.0, 30.0);
    let h = top + row_h * rows.len() as f64 + b;
    let (lo, hi) = super::html::padded_range(&all);
    let x = |v: f64| l + (w - l - 16.0) * (v - lo) / (hi - lo);
    let mut svg = super::html::svg_figure(w, h, title);
    for (i, (name, colour, v)) in rows.iter().enumerate() {
        let yc = top + row_h * (i as f64 + 0.5);
        let _ = write!(svg, "<text x='8' y='{:.1}' class=axis fill='{colour}'>{} (n = {})</text>", yc + 4.0, esc(name), v.len());
        if v.is_empty() {
            continue;
        }
        for val in v {
            let _ = write!(svg, "<circle cx='{:.1}' cy='{:.1}' r='2.4' fill='{colour}' opacity='0.6'/>", x(*val), yc + 6.0);
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        if v.len() > 1 {
            let sd = (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let half = COVERAGE_95 * sd / n.sqrt();
            let _ = write!(
                svg,
                "<line x1='{:.1}' x2='{:.1}' y1='{:.1}' y2='{:.1}' stroke='{colour}' stroke-width='2'/>",
                x(mean - half),
                x(mean + half),
                yc - 6.0,
                yc - 6.0
            );
        }
        let _ = write!(
            svg,
            "<line x1='{0:.1}' x2='{0:.1}' y1='{1:.1}' y2='{2:.1}' stroke='{colour}' stroke-width='3'/>",
            x(mean),
            yc - 12.0,
            yc
        );
    }
    super::html::close_with_value_axis(&mut svg, (lo, hi), x, h - b + 12.0, ((l + w) / 2.0, h - 4.0), unit);
    Some(svg)
}

fn plots(c: &Comparison, before: &Session, after: &Session, out: &mut String) {
    out.push_str("<section><h2>Before and after, per side</h2><p class=meta>Every step of each session (grey: before; colour: after), the mean (tall mark) and its ± 1.96 SE (bar).</p>");
    // the step rate from each step's time
    let rate = |s: &Session, side: &str| {
        s.step_values(metric::STEP_TIME_S.key, side).into_iter().filter(|t| *t > 0.0).map(|t| 60.0 / t).collect::<Vec<_>>()
    };
    let rows = |f: &dyn Fn(&Session, &str) -> Vec<f64>| {
        vec![
            ("left, before", BEFORE_COLOUR, f(before, "left")),
            ("left, after", LEFT_COLOUR, f(after, "left")),
            ("right, before", BEFORE_COLOUR, f(before, "right")),
            ("right, after", RIGHT_COLOUR, f(after, "right")),
        ]
    };
    if let Some(p) = paired("Step rate", "steps/min", &rows(&rate)) {
        out.push_str(&p);
    }
    let mut keys: Vec<&str> = Vec::new();
    for ch in &c.changes {
        if (HEADLINE.contains(&ch.key.as_str()) || ch.verdict == Verdict::Real) && !keys.contains(&ch.key.as_str()) {
            keys.push(&ch.key);
        }
    }
    for key in keys {
        let Some(ch) = c.changes.iter().find(|ch| ch.key == key) else { continue };
        if let Some(p) = paired(&cap(&ch.label), &ch.unit, &rows(&|s: &Session, side: &str| s.step_values(key, side))) {
            out.push_str(&p);
        }
    }
    out.push_str("</section>");
}

fn table(c: &Comparison, out: &mut String) {
    out.push_str("<section class=steps><h2>Every measure</h2><table><thead><tr><th>measure</th><th>side</th><th>before</th><th>after</th><th>change ± 95 %</th><th>smallest detectable</th><th>verdict</th></tr></thead><tbody>");
    let cell = |s: &crate::compare::SessionStat, d: usize| {
        let se = s.se.filter(|x| x.is_finite()).map(|x| format!(" ± {x:.d$}")).unwrap_or_default();
        let t = s.timing.map(|x| format!(" <span class=timing>(timing ± {x:.d$})</span>")).unwrap_or_default();
        format!("{:.d$}{se}{t} <span class=n>(n = {})</span>", s.mean, s.n)
    };
    for ch in &c.changes {
        let d = digits(&ch.unit);
        let _ = write!(
            out,
            "<tr class='{}'><td style='text-align:left'>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:+.d$} ± {}</td><td>{}</td><td>{}</td></tr>",
            class(ch),
            esc(&label_unit(ch)),
            ch.side,
            cell(&ch.before, d),
            cell(&ch.after, d),
            ch.change,
            num(ch.uncertainty_95, d),
            ch.smallest_detectable_difference.map(|s| format!("{s}")).unwrap_or_else(|| "none published".into()),
            ch.verdict.words()
        );
    }
    out.push_str("</tbody></table>");
    let _ = write!(
        out,
        "<p class=meta>Mean ± SE over the steps, with the initial-contact timing uncertainty of at-contact measures. Rule: {}. \
         Smallest detectable difference: pelvic drop 2.7° (Dingenen 2018, 2-D video); for the other measures none is published in the tool's sources, so only the measurement noise of these two films decides. \
         Each measure and side is judged alone: among many measures, an occasional “real change” can be chance.</p></section>",
        esc(c.rule)
    );
}

/// What `overstride compare` presents: the comparison and the two sessions it read.
pub(crate) struct Compared<'a> {
    pub comparison: &'a Comparison,
    pub before: &'a Session,
    pub after: &'a Session,
}

/// The comparison's report.html, as an [`Exporter`].
pub(crate) struct CompareHtml;

impl Exporter<Compared<'_>> for CompareHtml {
    fn file(&self) -> &'static str {
        "report.html"
    }

    fn serialize(&self, r: &Compared) -> Result<Vec<u8>> {
        Ok(render(r.comparison, r.before, r.after, "Treadmill running: before and after").into_bytes())
    }
}

/// comparison.json (rounded as report.json is), as an [`Exporter`].
pub(crate) struct ComparisonJson;

impl Exporter<Compared<'_>> for ComparisonJson {
    fn file(&self) -> &'static str {
        "comparison.json"
    }

    fn serialize(&self, r: &Compared) -> Result<Vec<u8>> {
        let json = super::json::to_pretty(r.comparison).map_err(|e| Error::Input(format!("cannot encode comparison.json: {e}")))?;
        Ok(json.into_bytes())
    }
}

/// The whole page.
pub fn render(c: &Comparison, before: &Session, after: &Session, title: &str) -> String {
    let mut out = String::with_capacity(48 * 1024);
    let _ = write!(
        out,
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'><title>{}</title><style>{CSS}</style></head><body>",
        esc(title)
    );
    let _ = write!(out, "<h1>{}</h1>", esc(title));
    for (name, s) in [("Before", &c.before), ("After", &c.after)] {
        let _ = write!(
            out,
            "<p class=meta><b>{name}</b>: {} ({}) · view: {} · {} · {:.0} fps, {:.1} s{}</p>",
            esc(&s.folder),
            esc(&s.input),
            esc(&s.view),
            esc(&s.gait),
            s.fps,
            s.duration_s,
            if s.has_cm { " · cm scale" } else { "" }
        );
    }
    answers(c, &mut out);
    plots(c, before, after, &mut out);
    table(c, &mut out);
    let _ = writeln!(out, "<p class=meta>overstride v{} · machine-readable: comparison.json</p></body></html>", env!("CARGO_PKG_VERSION"));
    out
}

/// Two assessments compared view by view: each plane's comparison (written beside it in its
/// sub-folder) and the two folders.
pub(crate) struct AssessmentsCompared<'a> {
    pub before: &'a std::path::Path,
    pub after: &'a std::path::Path,
    /// `side` and `frontal`, each with its comparison.
    pub planes: Vec<(&'static str, &'a Comparison)>,
}

/// The overview page of two assessments compared: each plane's "what changed", with a link to
/// its full comparison page.
pub(crate) struct AssessmentsHtml;

impl Exporter<AssessmentsCompared<'_>> for AssessmentsHtml {
    fn file(&self) -> &'static str {
        "report.html"
    }

    fn serialize(&self, x: &AssessmentsCompared) -> Result<Vec<u8>> {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'><title>overstride — assessments compared</title><style>{CSS}</style></head><body>\
             <h1>Before and after: two assessments</h1><p class=meta>{} → {}; the side clips compared with each other, the rear/front clips with each other.</p>",
            esc(&x.before.display().to_string()),
            esc(&x.after.display().to_string())
        );
        for (plane, c) in &x.planes {
            let words = if *plane == "side" { "From the side" } else { "From behind or in front" };
            let _ = write!(out, "<h2>{words} (<a href=\"{plane}/report.html\">full comparison</a>)</h2>");
            answers(c, &mut out);
        }
        out.push_str("</body></html>\n");
        Ok(out.into_bytes())
    }
}
