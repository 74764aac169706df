//! Capture quality (issue #14 item 4) on synthetic films: a good film passes every check; each bad
//! film — 30 fps, a small runner, few steps, low landmark confidence, occluded legs, a tilted
//! camera, an oblique camera — warns on its own check. The bad films are the good runner's
//! landmarks transformed the way the camera would have changed them.

mod common;
use common::synthetic::Runner;
use overstride::gait::capture::{CheckKind, Verdict};
use overstride::gait::{analyze, Options};
use overstride::pose::FramePose;

fn good() -> Runner {
    Runner { fps: 120.0, ..Runner::default() }
}

fn verdicts(frames: &[FramePose]) -> Vec<(CheckKind, Verdict, f64)> {
    let a = analyze(frames, &Options::default()).expect("analysis");
    a.capture_quality.checks.iter().map(|c| (c.check, c.verdict, c.value)).collect()
}

/// The checks that warn.
fn warned(frames: &[FramePose]) -> Vec<CheckKind> {
    verdicts(frames).into_iter().filter(|c| c.1 == Verdict::Warn).map(|c| c.0).collect()
}

/// Every landmark moved by `f(x, y)`.
fn map_xy(frames: &mut [FramePose], f: impl Fn(f32, f32) -> (f32, f32)) {
    for p in frames.iter_mut().filter_map(|f| f.pose.as_mut()) {
        for l in p.landmarks.iter_mut() {
            (l.x, l.y) = f(l.x, l.y);
        }
    }
}

const LEG: [usize; 10] = [23, 24, 25, 26, 27, 28, 29, 30, 31, 32];

#[test]
fn a_good_film_passes_every_check() {
    let v = verdicts(&good().frames());
    assert_eq!(v.len(), 7, "{v:?}");
    assert!(v.iter().all(|c| c.1 == Verdict::Pass), "{v:?}");
}

#[test]
fn thirty_fps_warns_on_frame_rate_with_its_uncertainty() {
    let frames = Runner { fps: 30.0, ..Runner::default() }.frames();
    assert_eq!(warned(&frames), vec![CheckKind::FrameRate]);
    let a = analyze(&frames, &Options::default()).unwrap();
    let c = &a.capture_quality.checks[0];
    assert!(c.detail.contains("17 ms") && c.detail.contains("overstride by ±"), "{}", c.detail);
}

#[test]
fn a_small_runner_warns_on_height() {
    let mut frames = good().frames();
    map_xy(&mut frames, |x, y| (x * 0.45, y * 0.45));
    assert_eq!(warned(&frames), vec![CheckKind::RunnerHeight]);
}

#[test]
fn a_short_film_warns_on_steps() {
    let frames = Runner { duration_s: 5.0, ..good() }.frames();
    assert_eq!(warned(&frames), vec![CheckKind::StepsPerSide]);
}

#[test]
fn dim_legs_warn_on_confidence() {
    let mut frames = good().frames();
    for p in frames.iter_mut().filter_map(|f| f.pose.as_mut()) {
        LEG.iter().for_each(|&l| p.landmarks[l].visibility = 0.55);
    }
    assert_eq!(warned(&frames), vec![CheckKind::LandmarkConfidence]);
}

#[test]
fn legs_hidden_on_a_third_of_the_frames_warn_on_occlusion() {
    let mut frames = good().frames();
    for (i, p) in frames.iter_mut().enumerate().filter_map(|(i, f)| f.pose.as_mut().map(|p| (i, p))) {
        if i % 3 == 0 {
            LEG.iter().for_each(|&l| p.landmarks[l].visibility = 0.1);
        }
    }
    assert!(warned(&frames).contains(&CheckKind::Occlusion), "{:?}", verdicts(&frames));
}

#[test]
fn a_tilted_camera_warns_on_tilt() {
    let mut frames = good().frames();
    // the picture rotated 10°. The belt-line fit (events::fit_belt, which starts from a level line)
    // reads only part of a rotation — about a third of 5° — so a clearly tilted camera is used here
    let (s, c) = 10f32.to_radians().sin_cos();
    map_xy(&mut frames, |x, y| (x * c - y * s, x * s + y * c));
    let v = verdicts(&frames);
    let tilt = v.iter().find(|c| c.0 == CheckKind::CameraTilt).unwrap();
    assert_eq!(tilt.1, Verdict::Warn, "{v:?}");
}

#[test]
fn an_oblique_camera_warns_on_squareness() {
    // the camera turned 40° about the vertical: the runner's forward axis foreshortened by cos 40°
    let mut frames = good().frames();
    let k = 40f32.to_radians().cos();
    map_xy(&mut frames, |x, y| (x * k, y));
    assert!(warned(&frames).contains(&CheckKind::CameraSquare), "{:?}", verdicts(&frames));
}
