//! The whole pipeline (pose + gait) on the real sample against initial contacts labelled by eye
//! (tests/fixtures/male_side_ic_labels.csv, method in its header).

mod common;
use common::*;
use overstride::gait::{analyze, Options};

/// (labels within one frame of a detected IC of the same side, labels, detected steps)
fn agreement() -> (usize, usize, usize, overstride::gait::Analysis) {
    let frames = poses_of(&sample());
    let a = analyze(&frames, &Options::default()).expect("analysis of the sample");
    let labels: Vec<(usize, String)> = std::fs::read_to_string(fixture("male_side_ic_labels.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| {
            let (f, s) = l.split_once(',').unwrap();
            (f.parse().unwrap(), s.trim().to_string())
        })
        .collect();
    let within = labels
        .iter()
        .filter(|(f, side)| a.steps.iter().any(|s| s.side.as_str() == side && (s.ic_time_s * a.fps - *f as f64).abs() <= 1.0 + 1e-6))
        .count();
    (within, labels.len(), a.steps.len(), a)
}

#[test]
fn sample_is_a_running_side_view_with_the_labelled_cadence() {
    let (within, labels, detected, a) = agreement();
    eprintln!("ICs within one frame of the labels: {within}/{labels}; detected {detected}");
    assert_eq!(a.view, overstride::gait::view::View::SideLeft);
    assert_eq!(a.gait, overstride::gait::analysis::Gait::Running);
    // the labels repeat every 21.35 frames per side (two steps): 168.6 steps/min at 30 fps
    let cad = a.cadence_spm.unwrap();
    assert!((cad - 168.6).abs() < 3.0, "cadence {cad}");
    assert!(detected <= labels + 2, "spurious steps: {detected} for {labels} labels");
}

/// The bar: at least 90 % of the labelled initial contacts within one frame (33 ms) of a
/// detected IC of the same side (measured: 34/34 against the second labelling pass; 25/34 against
/// the first, whose far-foot labels often sat a frame early — see the fixture's header).
#[test]
fn ninety_percent_of_labelled_contacts_within_one_frame() {
    let (within, labels, _, _) = agreement();
    eprintln!("ICs within one frame of the labels: {within}/{labels}");
    assert!(within * 100 >= 90 * labels, "{within}/{labels}");
}
