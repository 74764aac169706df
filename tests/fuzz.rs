//! Property tests: the landmarks parser, the signal cleaning and the whole gait analysis take any
//! input — NaN, infinities, zeros, huge values, gaps, garbage text — without a panic.

mod common;
use common::synthetic::Runner;
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
