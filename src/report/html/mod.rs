//! report.html — one self-contained page a physiotherapist or a runner reads in a minute: the
//! answers first (each number with its uncertainty and step count), key frames, plots over the
//! steps, the per-step table and the reference ranges with their sources. Inline CSS and SVG, key
//! frames as inline PNG: no network, no script. Presenting only: every number comes from the
//! `Analysis`.

mod answers;
mod plots;
mod table;

use std::fmt::Write;

use crate::gait::analysis::{Analysis, Gait};
use crate::gait::metric::{self, Metric, SummaryExt, OVERSTRIDE_BORDERLINE_PCT, OVERSTRIDE_GOOD_PCT};
use crate::gait::retraining::Retraining;
use crate::gait::summary::Stat;
use crate::report::export::{Exporter, Report};
use crate::Result;
use answers::{alerts, answers, capture_quality, retraining};
pub(crate) use answers::{fppa_item, knee_items, verdict_overstride};
pub(crate) use plots::{close_with_value_axis, padded_range, svg_figure};
use plots::{distribution, plot, series_plot};
use table::{table, REFERENCES};

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
pub(crate) struct Html;

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

fn stat<'a>(a: &'a Analysis, m: &Metric, side: &str) -> Option<&'a Stat> {
    a.summary.stat(m, side)
}

pub(crate) fn pm(s: &Stat, digits: usize) -> String {
    let se = if s.se.is_finite() { format!(" ± {:.*}", digits, s.se) } else { String::new() };
    let timing = s.timing.map(|t| format!(" <span class=timing>(timing ± {:.*})</span>", digits, t)).unwrap_or_default();
    format!("{:.*}{se} {}{timing} <span class=n>(n = {})</span>", digits, s.mean, esc(s.unit), s.n)
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

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

pub(crate) const LEFT_COLOUR: &str = "#1f6fd1";
pub(crate) const RIGHT_COLOUR: &str = "#e07b00";

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
    let knee_band: Vec<(f64, f64, &str)> =
        metric::KNEE_FLEXION_IC_DEG.norm().map(|(mean, sd, _)| (mean - sd, mean + sd, "#2e9b47")).into_iter().collect();
    let rate_band: Vec<(f64, f64, &str)> = metric::CADENCE_SPM.range().map(|(lo, hi)| (lo, hi, "#2e9b47")).into_iter().collect();
    plots.extend(if a.view.is_side() {
        vec![
            distribution(a, "Overstride per side, over the steps", "% of leg length", metric::OVERSTRIDE_PCT_LEG.step),
            distribution(a, "Shank angle at foot strike per side", "degrees", metric::SHANK_ANGLE_DEG.step),
            plot(
                a,
                "Overstride at each foot strike",
                "% of leg length",
                metric::OVERSTRIDE_PCT_LEG.step,
                &[(-100.0, OVERSTRIDE_GOOD_PCT, "#2e9b47"), (OVERSTRIDE_GOOD_PCT, OVERSTRIDE_BORDERLINE_PCT, "#e0a100")],
            ),
            plot(a, "Shank angle at foot strike", "degrees", metric::SHANK_ANGLE_DEG.step, &[]),
            plot(a, "Knee flexion at foot strike", "degrees", metric::KNEE_FLEXION_IC_DEG.step, &knee_band),
            plot(a, "Contact time", "seconds", metric::CONTACT_TIME_S.step, &[]),
            plot(a, "Step rate", "steps/min", metric::CADENCE_SPM.step, &rate_band),
        ]
    } else {
        vec![
            distribution(a, "Pelvic drop per stance side, over the steps", "degrees", metric::PELVIC_DROP_DEG.step),
            distribution(a, "FPPA per side, over the steps", "degrees", metric::FPPA_DEG.step),
            plot(a, "Pelvic drop in stance", "degrees", metric::PELVIC_DROP_DEG.step, &[]),
            plot(a, "Knee frontal-plane projection angle (FPPA)", "degrees", metric::FPPA_DEG.step, &[]),
            plot(a, "Step width", "% of leg length", metric::STEP_WIDTH_PCT_LEG.step, &[]),
            plot(a, "Step rate", "steps/min", metric::CADENCE_SPM.step, &rate_band),
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
