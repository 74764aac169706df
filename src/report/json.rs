//! report.json — schema documented in docs/report-schema.md (and docs/report.schema.json).

use serde::Serialize;

use crate::gait::retraining::Retraining;
use crate::gait::Analysis;
use crate::report::export::{Exporter, Report};
use crate::Result;

pub(crate) const SCHEMA_VERSION: &str = "1.0";

#[derive(Serialize)]
struct Document<'a> {
    schema_version: &'static str,
    tool: String,
    input: &'a str,
    view: &'static str,
    #[serde(flatten)]
    analysis: &'a Analysis,
    /// The cadence retraining targets and the metronome written, when the run has a cadence.
    #[serde(skip_serializing_if = "Option::is_none")]
    retraining: Option<&'a Retraining>,
}

/// report.json, as an [`Exporter`].
pub(crate) struct Json;

impl Exporter<Report<'_>> for Json {
    fn file(&self) -> &'static str {
        "report.json"
    }

    fn serialize(&self, r: &Report) -> Result<Vec<u8>> {
        Ok(render_with(r.analysis, &r.source.display().to_string(), r.retraining).into_bytes())
    }
}

pub fn render(a: &Analysis, input: &str) -> String {
    render_with(a, input, None)
}

/// report.json with the cadence retraining plan of the run (see `gait::retraining`).
pub(crate) fn render_with(a: &Analysis, input: &str, retraining: Option<&Retraining>) -> String {
    let r = Document {
        schema_version: SCHEMA_VERSION,
        tool: format!("overstride {}", env!("CARGO_PKG_VERSION")),
        input,
        view: a.view.as_str(),
        analysis: a,
        retraining,
    };
    let mut v = serde_json::to_value(&r).unwrap_or(serde_json::Value::Null);
    scrub(&mut v);
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// Any serialisable value as report.json writes it (floats rounded to 4 decimals, NaN as null).
pub(crate) fn to_pretty<T: Serialize>(v: &T) -> serde_json::Result<String> {
    let mut v = serde_json::to_value(v)?;
    scrub(&mut v);
    Ok(serde_json::to_string_pretty(&v)? + "\n")
}

/// NaN and infinities are not JSON: serde writes them as null already; this also rounds floats to
/// 4 decimals so the file is readable.
fn scrub(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) => {
            if let Some(f) = n.as_f64() {
                if n.is_f64() {
                    *v = serde_json::Number::from_f64((f * 1e4).round() / 1e4)
                        .map(serde_json::Value::Number)
                        .unwrap_or(serde_json::Value::Null);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(scrub),
        serde_json::Value::Object(o) => o.values_mut().for_each(scrub),
        _ => {}
    }
}
