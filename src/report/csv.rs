//! steps.csv — one row per initial contact, the same fields as report.json's `steps`; the metric
//! columns are the metric table's keys and step fields ([`crate::gait::metric`]).

use crate::gait::metric::{self, Metric};
use crate::gait::{Analysis, Step};
use crate::report::export::{Exporter, Report};
use crate::Result;

/// What a column holds: a step's own field, or a metric.
enum Column {
    Field(&'static str, fn(&Step) -> String),
    Metric(Metric),
}

impl Column {
    const fn name(&self) -> &'static str {
        match self {
            Column::Field(name, _) => name,
            Column::Metric(m) => m.key,
        }
    }
}

const TABLE: [Column; 26] = [
    Column::Field("side", |s| s.side.as_str().to_string()),
    Column::Field("ic_frame", |s| s.ic_frame.to_string()),
    Column::Field("ic_time_s", |s| format!("{:.4}", s.ic_time_s)),
    Column::Field("to_time_s", |s| num(s.to_time_s)),
    Column::Metric(metric::CONTACT_TIME_S),
    Column::Metric(metric::FLIGHT_TIME_S),
    Column::Metric(metric::STEP_TIME_S),
    Column::Metric(metric::DUTY_FACTOR),
    Column::Metric(metric::OVERSTRIDE_PCT_LEG),
    Column::Metric(metric::OVERSTRIDE_CM),
    Column::Metric(metric::SHANK_ANGLE_DEG),
    Column::Metric(metric::KNEE_FLEXION_IC_DEG),
    Column::Metric(metric::KNEE_FLEXION_PEAK_DEG),
    Column::Metric(metric::FOOT_STRIKE_ANGLE_DEG),
    Column::Field("foot_strike", |s| s.foot_strike.map(|f| f.as_str().to_string()).unwrap_or_default()),
    Column::Metric(metric::TRUNK_LEAN_DEG),
    Column::Metric(metric::VERTICAL_OSCILLATION_PCT_LEG),
    Column::Metric(metric::VERTICAL_OSCILLATION_CM),
    Column::Metric(metric::PELVIC_DROP_DEG),
    Column::Metric(metric::FPPA_DEG),
    Column::Metric(metric::STEP_WIDTH_PCT_LEG),
    Column::Metric(metric::STEP_WIDTH_CM),
    Column::Field("confidence", |s| format!("{:.3}", s.confidence)),
    Column::Field("excluded", |s| s.excluded.as_ref().map(|e| format!("\"{}\"", e.to_string().replace('"', "'"))).unwrap_or_default()),
    // added after the first release: at the end, so that the earlier columns keep their places
    Column::Metric(metric::STEP_LENGTH_PCT_LEG),
    Column::Metric(metric::STEP_LENGTH_CM),
];

/// The header, in column order.
pub const COLUMNS: [&str; TABLE.len()] = {
    let mut names = [""; TABLE.len()];
    let mut i = 0;
    while i < TABLE.len() {
        names[i] = TABLE[i].name();
        i += 1;
    }
    names
};

fn num(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite()).map(|x| format!("{x:.4}")).unwrap_or_default()
}

fn row(s: &Step) -> Vec<String> {
    TABLE
        .iter()
        .map(|c| match c {
            Column::Field(_, f) => f(s),
            Column::Metric(m) => num((m.step)(s)),
        })
        .collect()
}

/// steps.csv, as an [`Exporter`].
pub(crate) struct Csv;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_per_side_metric_has_its_column_once() {
        for m in metric::METRICS.iter().filter(|m| m.per_side) {
            assert_eq!(COLUMNS.iter().filter(|c| **c == m.key).count(), 1, "{}", m.key);
        }
        for (i, c) in COLUMNS.iter().enumerate() {
            assert!(!COLUMNS[..i].contains(c), "{c} twice");
        }
    }
}
