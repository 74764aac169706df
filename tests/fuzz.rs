//! Property tests: the landmarks parser, the signal cleaning and the whole gait analysis take any
//! input — NaN, infinities, zeros, huge values, gaps, garbage text — without a panic; and on varied
//! synthetic runners the analysis keeps its invariants (`common::invariants`: steps ordered, IC
//! before TO, positive contact times, sides alternating, report.json's numbers all written) and a
//! mirrored video gives the same numbers with the sides exchanged.

mod common;
use common::invariants::{self, mirrored, same_with_sides_exchanged};
use common::synthetic::{Camera, Runner};
use overstride::gait::{analyze, signal, Options};
use overstride::landmarks_io;
use overstride::pose::{FramePose, Landmark, Pose, NUM_LANDMARKS};
use proptest::prelude::*;

fn wild_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -2000.0..2000.0f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(0.0),
        1 => Just(1e300),
        1 => Just(-1e300),
    ]
}

fn wild_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        6 => -3000.0..3000.0f32,
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(0.0),
        1 => Just(3e38),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn parser_never_panics_on_text(s in "\\PC{0,400}") {
        let _ = landmarks_io::parse(s.as_bytes());
        let with_header = format!("{}\n{s}", landmarks_io::HEADER);
        let _ = landmarks_io::parse(with_header.as_bytes());
    }

    #[test]
    fn parser_never_panics_on_numeric_rows(rows in proptest::collection::vec((0usize..50, wild_f64(), 0usize..40, wild_f64(), wild_f64(), wild_f64(), wild_f64()), 0..200)) {
        let mut text = format!("{}\n", landmarks_io::HEADER);
        for (f, t, l, x, y, v, p) in rows {
            text.push_str(&format!("{f},{t},{l},{x},{y},0,{v},{p}\n"));
        }
        let _ = landmarks_io::parse(text.as_bytes());
    }

    #[test]
    fn signal_cleaning_never_panics(v in proptest::collection::vec(wild_f64(), 0..300), vis in proptest::collection::vec(0.0..1.0f64, 300), fps in prop_oneof![Just(30.0), Just(60.0), Just(240.0), 0.1..500.0f64], fc in 0.0..100.0f64) {
        let t: Vec<f64> = (0..v.len()).map(|i| i as f64 / fps).collect();
        let mut a = v.clone();
        signal::hampel(&mut a, 3, 3.0);
        let mut b = v.clone();
        signal::fill_gaps(&t, &mut b, 5);
        let mut c = v.clone();
        signal::butterworth_filtfilt(&mut c, fc, fps);
        let mut d = v.clone();
        signal::clean(&t, &mut d, &vis[..v.len()], fps);
        // finite, bounded input through the filter stays finite
        let bounded: Vec<f64> = v.iter().map(|x| if x.is_finite() && x.abs() < 1e6 { *x } else { 0.0 }).collect();
        let mut e = bounded.clone();
        signal::butterworth_filtfilt(&mut e, 6.0, 60.0);
        prop_assert!(e.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn analysis_never_panics(frames in proptest::collection::vec(proptest::option::weighted(0.9, proptest::collection::vec((wild_f32(), wild_f32(), 0.0..1.0f32), NUM_LANDMARKS)), 0..150), fps in prop_oneof![Just(30.0), Just(60.0), 5.0..300.0f64]) {
        let fp: Vec<FramePose> = frames
            .into_iter()
            .enumerate()
            .map(|(i, lm)| FramePose {
                frame: i,
                time_s: i as f64 / fps,
                pose: lm.map(|v| {
                    let mut l = [Landmark::default(); NUM_LANDMARKS];
                    for (k, (x, y, vis)) in v.into_iter().enumerate() {
                        l[k] = Landmark { x, y, z: 0.0, visibility: vis, presence: vis };
                    }
                    Pose { landmarks: l, score: 0.9 }
                }),
                soles: [None; 2],
            })
            .collect();
        let _ = analyze(&fp, &Options::default());
    }

    #[test]
    fn analysis_of_a_corrupted_runner_never_panics(hits in proptest::collection::vec((0usize..720, 0usize..NUM_LANDMARKS, wild_f32(), wild_f32()), 0..400), drop in proptest::collection::vec(0usize..720, 0..60)) {
        // a real-looking run with landmarks replaced by garbage and frames dropped
        let mut frames = Runner { duration_s: 6.0, ..Runner::default() }.frames();
        for (f, lm, x, y) in hits {
            if let Some(p) = frames.get_mut(f % 360).and_then(|fp| fp.pose.as_mut()) {
                p.landmarks[lm].x = x;
                p.landmarks[lm].y = y;
            }
        }
        for f in drop {
            if let Some(fp) = frames.get_mut(f % 360) {
                fp.pose = None;
            }
        }
        let _ = analyze(&frames, &Options::default());
    }
}

/// Synthetic runners the detectors are known to time (tests/gait_synthetic.rs), varied: camera,
/// frame rate, cadence, contact time, belt speed, overstride (shank angle), foot strike, noise.
fn runners() -> impl Strategy<Value = Runner> {
    (
        prop_oneof![Just(Camera::SideFacingLeft), Just(Camera::SideFacingRight), Just(Camera::Rear), Just(Camera::Front)],
        prop_oneof![Just(60.0), Just(120.0), Just(240.0)],
        160.0..185.0f64,
        0.32..0.40f64,
        800.0..1100.0f64,
        2.0..10.0f64,
        prop_oneof![Just(12.0), Just(-6.0)],
        prop_oneof![Just(0.0), 0.0..1.0f64],
        any::<u64>(),
    )
        .prop_map(|(camera, fps, cadence_spm, duty_factor, belt_speed, shank_angle_ic_deg, foot_angle_ic_deg, noise_px, seed)| Runner {
            camera,
            fps,
            duration_s: 6.0,
            cadence_spm,
            duty_factor,
            belt_speed,
            shank_angle_ic_deg,
            foot_angle_ic_deg,
            noise_px,
            seed,
            ..Runner::default()
        })
        .prop_filter("a valid figure", |r| r.valid())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn analysis_of_a_runner_keeps_its_invariants(r in runners()) {
        let a = analyze(&r.frames(), &Options::default()).map_err(|e| TestCaseError::fail(format!("{r:?}: {e}")))?;
        invariants::check(&a).map_err(|e| TestCaseError::fail(format!("{:?} {} fps: {e}", r.camera, r.fps)))?;
    }

    #[test]
    fn a_mirrored_video_gives_the_same_numbers_with_sides_exchanged(r in runners()) {
        let frames = r.frames();
        let a = analyze(&frames, &Options::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = analyze(&mirrored(&frames), &Options::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        same_with_sides_exchanged(&a, &b, 1e-4).map_err(|e| TestCaseError::fail(format!("{:?} {} fps: {e}", r.camera, r.fps)))?;
    }
}

/// Each invariant rejects an analysis broken the way it guards against.
#[test]
fn the_invariants_reject_a_broken_analysis() {
    let r = Runner { duration_s: 6.0, ..Runner::default() };
    let a = analyze(&r.frames(), &Options::default()).unwrap();
    invariants::check(&a).unwrap();
    let broken = |f: &dyn Fn(&mut overstride::gait::Analysis)| {
        let mut b = a.clone();
        f(&mut b);
        invariants::check(&b).expect_err("a broken analysis passed")
    };
    assert!(broken(&|b| b.steps.swap(2, 3)).contains("out of order"));
    assert!(broken(&|b| b.steps[2].to_time_s = Some(b.steps[2].ic_time_s - 0.01)).contains("not after IC"));
    assert!(broken(&|b| b.steps[2].contact_time_s = Some(0.0)).contains("contact time"));
    assert!(broken(&|b| b.steps[3].side = b.steps[2].side).contains("in a row"));
    assert!(broken(&|b| b.steps[2].overstride_pct_leg = Some(f64::NAN)).contains("null"));
    assert!(broken(&|b| b.summary.get_mut("overstride_pct_leg").unwrap().get_mut("left").unwrap().mean = f64::NAN).contains("summary"));
    // and the mirror check one number or one side off
    let m = analyze(&mirrored(&r.frames()), &Options::default()).unwrap();
    same_with_sides_exchanged(&a, &m, 1e-4).unwrap();
    let mut off = m.clone();
    off.steps[4].knee_flexion_ic_deg = off.steps[4].knee_flexion_ic_deg.map(|v| v + 0.01);
    assert!(same_with_sides_exchanged(&a, &off, 1e-4).unwrap_err().contains("knee_flexion_ic_deg"));
    let mut off = m;
    off.steps[4].side = off.steps[4].side.other();
    assert!(same_with_sides_exchanged(&a, &off, 1e-4).is_err());
    // the unmirrored analysis is not its own mirror image
    assert!(same_with_sides_exchanged(&a, &a, 1e-4).is_err());
}
