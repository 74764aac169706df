//! Presenting an analysis: report.json, steps.csv, report.html, the metronome track, and the
//! pictures drawn from the video (key frames, evidence strips, the annotated video). Presenting
//! only — nothing here computes a measurement.

pub mod annotate;
pub mod compare_html;
pub mod csv;
pub mod evidence;
pub mod html;
pub mod json;
pub mod key_frame;
pub mod metronome;
