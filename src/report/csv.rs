//! steps.csv — one row per initial contact, the same fields as report.json's `steps`.

use crate::gait::{Analysis, Step};
use crate::report::export::{Exporter, Report};
use crate::Result;

pub const COLUMNS: &[&str] = &[
    "side",
    "ic_frame",
    "ic_time_s",
    "to_time_s",
    "contact_time_s",
    "flight_time_s",
    "step_time_s",
    "duty_factor",
    "overstride_pct_leg",
    "overstride_cm",
    "shank_angle_deg",
    "knee_flexion_ic_deg",
    "knee_flexion_peak_deg",
    "foot_strike_angle_deg",
    "foot_strike",
    "trunk_lean_deg",
    "vertical_oscillation_pct_leg",
    "vertical_oscillation_cm",
    "pelvic_drop_deg",
    "fppa_deg",
    "step_width_pct_leg",
    "step_width_cm",
    "confidence",
    "excluded",
    // added after the first release: at the end, so that the earlier columns keep their places
    "step_length_pct_leg",
    "step_length_cm",
];

fn num(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite()).map(|x| format!("{x:.4}")).unwrap_or_default()
}

fn row(s: &Step) -> Vec<String> {
    vec![
        s.side.as_str().to_string(),
        s.ic_frame.to_string(),
        format!("{:.4}", s.ic_time_s),
        num(s.to_time_s),
        num(s.contact_time_s),
        num(s.flight_time_s),
        num(s.step_time_s),
        num(s.duty_factor),
        num(s.overstride_pct_leg),
        num(s.overstride_cm),
        num(s.shank_angle_deg),
        num(s.knee_flexion_ic_deg),
        num(s.knee_flexion_peak_deg),
        num(s.foot_strike_angle_deg),
        s.foot_strike.map(|f| format!("{f:?}").to_lowercase()).unwrap_or_default(),
        num(s.trunk_lean_deg),
        num(s.vertical_oscillation_pct_leg),
        num(s.vertical_oscillation_cm),
        num(s.pelvic_drop_deg),
        num(s.fppa_deg),
        num(s.step_width_pct_leg),
        num(s.step_width_cm),
        format!("{:.3}", s.confidence),
        s.excluded.as_ref().map(|e| format!("\"{}\"", e.to_string().replace('"', "'"))).unwrap_or_default(),
        num(s.step_length_pct_leg),
        num(s.step_length_cm),
    ]
}

/// steps.csv, as an [`Exporter`].
pub struct Csv;

impl Exporter<Report<'_>> for Csv {
    fn file(&self) -> &'static str {
        "steps.csv"
    }

    fn serialize(&self, r: &Report) -> Result<Vec<u8>> {
        Ok(render(r.analysis).into_bytes())
    }
}

pub fn render(a: &Analysis) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for s in &a.steps {
        out.push_str(&row(s).join(","));
        out.push('\n');
    }
    out
}
