//! Presenting an analysis: machine-readable report.json and steps.csv. Presenting only — nothing here
//! computes a measurement.

pub mod compare_html;
pub mod csv;
pub mod html;
pub mod json;
pub mod metronome;
