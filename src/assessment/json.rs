//! assessment.json — schema in docs/assessment.schema.json (and docs/report-schema.md). Numbers
//! written as report.json writes them (4 decimals, NaN as null), so each value equals its clip's.

use super::{Assessed, FILE};
use crate::report::export::Exporter;
use crate::{Error, Result};

/// assessment.json, as an [`Exporter`].
pub(crate) struct AssessmentJson;

impl Exporter<Assessed<'_>> for AssessmentJson {
    fn file(&self) -> &'static str {
        FILE
    }

    fn serialize(&self, a: &Assessed) -> Result<Vec<u8>> {
        crate::report::json::to_pretty(a.assessment).map(String::into_bytes).map_err(|e| Error::Input(format!("cannot write {FILE}: {e}")))
    }
}
