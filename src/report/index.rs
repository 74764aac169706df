//! index.html over a batch: one row per video with its headline numbers and a link to its report,
//! or its error.

use std::path::Path;

use super::export::Exporter;
use super::html::esc;
use crate::gait::metric::{Metric, SummaryExt, OVERSTRIDE_PCT_LEG, PELVIC_DROP_DEG};
use crate::gait::Analysis;
use crate::Result;

/// The headline numbers of one analysed video.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub name: String,
    pub file: String,
    pub view: String,
    pub running: bool,
    pub steps: usize,
    pub cadence_spm: Option<f64>,
    pub overstride: [Option<f64>; 2],
    pub pelvic_drop: [Option<f64>; 2],
    /// The plausibility warnings of its report (what to check before trusting it).
    pub alerts: usize,
}

impl Entry {
    pub fn from_analysis(name: &str, file: &Path, a: &Analysis) -> Entry {
        let m = |k: &Metric, side: &str| a.summary.stat(k, side).map(|s| s.mean);
        Entry {
            name: name.to_string(),
            file: file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
            view: a.view.as_str().to_string(),
            running: a.gait == crate::gait::analysis::Gait::Running,
            steps: a.steps.len(),
            cadence_spm: a.cadence_spm,
            overstride: [m(&OVERSTRIDE_PCT_LEG, "left"), m(&OVERSTRIDE_PCT_LEG, "right")],
            pelvic_drop: [m(&PELVIC_DROP_DEG, "left"), m(&PELVIC_DROP_DEG, "right")],
            alerts: a.alerts.len(),
        }
    }

    /// An assessment set's row: both clips, the side clip's overstride and cadence, the rear or
    /// front clip's pelvic drop; its link goes to the assessment's page.
    pub fn from_assessment(name: &str, x: &crate::assessment::Assessment) -> Entry {
        let m = |a: &crate::assessment::Answers, k: &Metric, side: &str| a.summary.stat(k, side).map(|s| s.mean);
        let file = |c: &crate::assessment::ClipEntry| {
            Path::new(&c.input).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| c.input.clone())
        };
        Entry {
            name: name.to_string(),
            file: format!("assessment: {} + {}", file(&x.clips[0]), file(&x.clips[1])),
            view: format!("{} + {}", x.clips[0].view, x.clips[1].view),
            running: x.clips[0].gait == crate::gait::analysis::Gait::Running,
            steps: x.clips.iter().map(|c| c.steps).sum(),
            cadence_spm: x.cadence.side_spm,
            overstride: [m(&x.side, &OVERSTRIDE_PCT_LEG, "left"), m(&x.side, &OVERSTRIDE_PCT_LEG, "right")],
            pelvic_drop: [m(&x.frontal, &PELVIC_DROP_DEG, "left"), m(&x.frontal, &PELVIC_DROP_DEG, "right")],
            alerts: x.alerts.len(),
        }
    }
}

/// index.html over a batch: one row per video with its headline numbers and a link to its report,
/// or its error.
pub(crate) fn index_html(results: &[std::result::Result<Entry, String>]) -> String {
    let f = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "–".into());
    let mut rows = String::new();
    for r in results {
        match r {
            Ok(e) => rows.push_str(&format!(
                "<tr><td><a href=\"{n}/report.html\">{file}</a></td>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} / {}</td><td>{} / {}</td></tr>",
                if e.alerts == 0 { "<td>ok</td>".to_string() } else { format!("<td class=warn>ok, {} warning{} (see its report)</td>", e.alerts, if e.alerts == 1 { "" } else { "s" }) },
                esc(&e.view),
                if e.running { "running" } else { "walking" },
                e.steps,
                e.cadence_spm.map(|c| format!("{c:.0}")).unwrap_or_else(|| "–".into()),
                f(e.overstride[0]),
                f(e.overstride[1]),
                f(e.pelvic_drop[0]),
                f(e.pelvic_drop[1]),
                n = esc(&e.name),
                file = esc(&e.file)
            )),
            Err(msg) => rows.push_str(&format!("<tr class=failed><td colspan=2>failed</td><td colspan=6>{}</td></tr>", esc(msg))),
        }
    }
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>overstride — batch</title><style>\
         body{{font:15px/1.45 system-ui,sans-serif;max-width:1000px;margin:0 auto;padding:16px}}table{{border-collapse:collapse;width:100%}}\
         th,td{{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left}}tr.failed td{{color:#b3261e}}td.warn{{color:#a36200;font-weight:600}}</style></head><body>\
         <h1>Treadmill running assessments</h1><p>{} videos, {} failed.</p><table><thead><tr><th>video</th><th>status</th><th>view</th>\
         <th>gait</th><th>steps</th><th>cadence (steps/min)</th><th>overstride L / R (% leg)</th><th>pelvic drop L / R (°)</th></tr></thead>\
         <tbody>{rows}</tbody></table></body></html>\n",
        results.len(),
        results.iter().filter(|r| r.is_err()).count()
    )
}

/// index.html, as an [`Exporter`] over the batch's results in input order.
pub(crate) struct Index;

impl Exporter<[std::result::Result<Entry, String>]> for Index {
    fn file(&self) -> &'static str {
        crate::output::INDEX
    }

    fn serialize(&self, results: &[std::result::Result<Entry, String>]) -> Result<Vec<u8>> {
        Ok(index_html(results).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_listed_in_the_index() {
        let html = index_html(&[Err("clip.mp4: no person <found>".into())]);
        assert!(html.contains("1 failed") && html.contains("no person &lt;found&gt;"));
    }
}
