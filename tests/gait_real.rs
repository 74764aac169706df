//! The whole pipeline (pose + gait) on the real sample against initial contacts labelled blind:
//! tests/fixtures/male_side_ic_labels_blind.csv (pass 1, 33 landings) and
//! male_side_ic_labels_blind_pass2.csv (14 landings re-measured), made by a labeller who never saw
//! any detector's output, from the pixels only: the instant the sole's lowest point reaches the belt
//! line and is carried with it (protocol and pixel measurements in each file's header and notes).
//! The earlier labels (`male_side_ic_labels.csv`, "first sharp frame in the heel-strike pose") are
//! in git history: they were near the forward turn, which is what the old detector found.
//!
//! Measured at this commit, with the sole measured from the pixels (`pose::sole`, the landing's
//! height cue): pass 1 — 32/33 within one frame, median bias +0.03 frame; pass 2 — 14/14, +0.10.
//! From the landmarks alone (the sole points left out, as for a landmarks file without them): pass 1
//! 25/33, −0.42; pass 2 10/14, −0.52. The old forward-turn detector on the same landmarks: 0/33,
//! −1.68 and 0/14, −1.61.

mod common;
use common::*;
use overstride::gait::{analyze, Analysis, Options};

/// (signed error in frames of the nearest same-side detected IC, per label; the analysis)
fn errors(labels: &str, soles: bool) -> (Vec<f64>, Analysis) {
    let mut frames = poses_of(&sample());
    if !soles {
        frames.iter_mut().for_each(|f| f.soles = [None; 2]);
    }
    let a = analyze(&frames, &Options::default()).expect("analysis of the sample");
    let text = std::fs::read_to_string(fixture(labels)).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (ic, side) = (col("ic_frame"), col("side"));
    let errs = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.splitn(header.len(), ',').collect();
            let label: f64 = f[ic].parse().unwrap();
            a.steps
                .iter()
                .filter(|s| s.side.as_str() == f[side])
                .map(|s| s.ic_time_s * a.fps - label)
                .min_by(|x, y| x.abs().total_cmp(&y.abs()))
                .unwrap_or(f64::INFINITY)
        })
        .collect();
    (errs, a)
}

fn summary(e: &[f64]) -> (usize, f64) {
    let within = e.iter().filter(|v| v.abs() <= 1.0 + 1e-9).count();
    let mut s: Vec<f64> = e.iter().copied().filter(|v| v.abs() <= 3.0).collect();
    s.sort_by(f64::total_cmp);
    (within, s[s.len() / 2])
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn sample_is_a_running_side_view_with_the_labelled_cadence() {
    let (e, a) = errors("male_side_ic_labels_blind.csv", true);
    assert_eq!(a.view, overstride::gait::view::View::SideLeft);
    assert_eq!(a.gait, overstride::gait::analysis::Gait::Running);
    // the labels repeat every 21.36 frames per side (two steps): 168.5 steps/min at 30 fps
    let cad = a.cadence_spm.unwrap();
    assert!((cad - 168.5).abs() < 3.0, "cadence {cad}");
    assert!(a.steps.len() <= e.len() + 2, "spurious steps: {} for {} labels", a.steps.len(), e.len());
    // every at-contact number carries its timing uncertainty, at least half a frame
    assert!(a.steps.iter().all(|s| s.ic_uncertainty_ms >= 500.0 / a.fps - 1e-9));
    assert!(a.summary["overstride_pct_leg"]["left"].timing.is_some_and(|t| t > 0.0));
}

/// From the landmarks alone (no sole points: a landmarks file without them, a shoe darker than the
/// belt), against both passes: at least 60 % of the landings within one frame and the median bias
/// within 0.75 frame (the old detector: 0/33, −1.68 frames — it fails both).
///
/// The median bar was 0.6 frame, set 0.18 frame from the −0.42 measured when it was written; on
/// another machine (an AVX-512 Xeon, fresh Debian packages) the same code and video give −0.70
/// (pass 1, 22/33 within one frame; pass 2 9/14, −0.49). ONNX Runtime picks its kernels by the
/// CPU's instruction set: the landmark model's raw output on one fixed input differed at the 7th
/// significant digit between that machine and the same binary under `qemu-x86_64 -cpu Haswell`
/// (README, "Not across CPU types"); how that grows into these medians was not traced frame by
/// frame. With errors spread −1.8…+0.9 frame (SD ~0.7),
/// the median of 33 has a standard error of ~0.15 frame, so 0.18 of margin was within its own
/// noise. 0.75 holds on both and still fails the old detector by a frame; with the sole measured
/// (the bar, below) the median stays within a third of a frame on both machines (here
/// 31/33, +0.01 and 13/14, +0.02).
#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn most_blind_labels_within_one_frame_from_the_landmarks_alone() {
    for labels in ["male_side_ic_labels_blind.csv", "male_side_ic_labels_blind_pass2.csv"] {
        let (e, _) = errors(labels, false);
        let (within, med) = summary(&e);
        eprintln!("{labels}: {within}/{} within one frame, median bias {med:+.2} frame", e.len());
        assert!(within * 10 >= 6 * e.len(), "{labels}: {within}/{}", e.len());
        assert!(med.abs() <= 0.75, "{labels}: median bias {med}");
    }
}

/// The bar, with the sole measured from the pixels as `analyze` does: at least 90 % of the
/// blind labels within one frame and the median bias within a third of a frame, on both passes.
/// From the landmarks alone it fails (25/33, −0.42 frame: the far foot's landmarks reach the belt
/// before its shoe does).
#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn ninety_percent_of_blind_labels_within_one_frame() {
    for labels in ["male_side_ic_labels_blind.csv", "male_side_ic_labels_blind_pass2.csv"] {
        let (e, a) = errors(labels, true);
        let (within, med) = summary(&e);
        eprintln!("{labels}: {within}/{} within one frame, median bias {med:+.2} frame", e.len());
        let timed = a.steps.iter().filter(|s| s.ic_sole_from_pixels).count();
        assert!(timed * 10 >= 9 * a.steps.len(), "the sole timed {timed} of {} landings", a.steps.len());
        assert!(within * 10 >= 9 * e.len() && med.abs() <= 1.0 / 3.0, "{labels}: {within}/{}, median {med}", e.len());
    }
}

/// (signed error in frames of the nearest same-side detected TO, per toe-off label)
fn to_errors(frames: &[overstride::pose::FramePose], labels: &str) -> Vec<f64> {
    let a = analyze(frames, &Options::default()).expect("analysis of the sample");
    let text = std::fs::read_to_string(fixture(labels)).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (to, side) = (col("to_frame"), col("side"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.splitn(header.len(), ',').collect();
            let label: f64 = f[to].parse().unwrap();
            let side = if f[side] == "L" { "left" } else { "right" };
            a.steps
                .iter()
                .filter(|s| s.side.as_str() == side)
                .filter_map(|s| s.to_time_s.map(|x| x * a.fps - label))
                .min_by(|x, y| x.abs().total_cmp(&y.abs()))
                .unwrap_or(f64::INFINITY)
        })
        .collect()
}

/// Toe-off against two blind passes of TO labels made from the pixels
/// (`male_side_to_labels_blind.csv`, 33; `male_side_to_labels_blind_pass2.csv`, 34: the instant the
/// shoe's last point leaves the belt): with the sole measured from the pixels (the lift-off corner of
/// the shoe's lowest point, `side_view::sole_lift_off`) at least 70 % within one frame and the median
/// within 0.75 frame on both. Measured: 26/33, −0.35 and 25/34, +0.14 (per foot, pass 1: left 14/16,
/// right 13/17 from the CSV route; pass 2: 15/16 and 10/17). From the landmarks alone (the height
/// crossing, as before) it fails: 19/33, −0.10 and 18/34, +0.18 (the left foot early, −1.3 frames on
/// pass 1, the right late) — the toe landmark rides up with the plantarflexing foot while the shoe's
/// tip is still on the belt.
#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn toe_offs_from_the_sole_match_two_blind_passes() {
    let with = poses_of(&sample());
    let mut without = with.clone();
    without.iter_mut().for_each(|f| f.soles = [None; 2]);
    for labels in ["male_side_to_labels_blind.csv", "male_side_to_labels_blind_pass2.csv"] {
        let (e, old) = (to_errors(&with, labels), to_errors(&without, labels));
        let ((within, med), (old_within, old_med)) = (summary(&e), summary(&old));
        eprintln!(
            "{labels}: sole {within}/{} within one frame, median {med:+.2}; landmarks alone {old_within}/{}, {old_med:+.2}",
            e.len(),
            old.len()
        );
        assert!(within * 10 >= 7 * e.len() && med.abs() <= 0.75, "{labels}: {within}/{}, median {med}", e.len());
        // the test tells the methods apart: the crossing does not pass it
        assert!(old_within * 10 < 7 * old.len(), "{labels}: landmarks alone {old_within}/{}", old.len());
    }
}
