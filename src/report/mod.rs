//! Presenting an analysis: report.json, steps.csv, report.html, the batch's index.html, the
//! metronome track, and the pictures drawn from the video (key frames, evidence strips, the annotated
//! video). Each file format is an `export::Exporter`, written through one `export::Sink`.
//! Presenting only — nothing here computes a measurement.

pub mod annotate;
pub mod compare_html;
pub mod console;
pub mod csv;
pub mod evidence;
pub mod export;
pub mod html;
pub mod index;
pub mod json;
pub mod key_frame;
pub mod metronome;

pub use export::{Exporter, Report, Sink};
