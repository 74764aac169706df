//! The event detector on real trajectories with annotated events: gaitkit's Parkinson walking example
//! (tests/fixtures/gaitkit_parkinson.csv: 3-D markers at 150 Hz, source and licence in its header).
//! The walk is overground; seen on a treadmill it is the same walk with the body held in place, so
//! the mean walking speed is taken off every forward coordinate (a belt running at that speed),
//! then the sagittal plane is drawn as a side view facing image-left and resampled to phone frame
//! rates. A walking patient is a harder case than a runner: no flight, short steps, a flat landing,
//! and in walking the heel stops coming forward a little before it lands (it is built for running,
//! where the two coincide). Tolerances: every heel strike within 60 ms (measured: −44 to +50 ms at
//! 30–150 fps), every toe-off within 35 ms (measured: 16–29 ms late: a walking toe clears the belt
//! by only a centimetre or two, so it crosses the contact threshold a little after it lifts).

mod common;
use common::fixture;
use overstride::gait::analysis::Gait;
use overstride::gait::events::Side;
use overstride::gait::view::View;
use overstride::gait::{analyze, Options};
use overstride::pose::{FramePose, Landmark, Pose, NUM_LANDMARKS};

struct Walk {
    fs: f64,
    /// (landmark index, x mm, y mm) per sample
    markers: Vec<Vec<(usize, f64, f64)>>,
    hs: [(Side, Vec<f64>); 2],
    to: [(Side, Vec<f64>); 2],
}

fn load() -> Walk {
    let text = std::fs::read_to_string(fixture("gaitkit_parkinson.csv")).unwrap();
    let fs = 150.0;
    let events = |key: &str| -> Vec<f64> {
        let line = text.lines().find(|l| l.starts_with(&format!("# {key}="))).unwrap();
        line.split_once('=').unwrap().1.split_whitespace().map(|v| v.parse::<f64>().unwrap() / fs).collect()
    };
    // column order of the fixture
    let lms = [11, 12, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32];
    let markers = text
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| {
            let v: Vec<f64> = l.split(',').skip(1).map(|x| x.parse().unwrap()).collect();
            lms.iter().enumerate().map(|(k, &lm)| (lm, v[2 * k], v[2 * k + 1])).collect()
        })
        .collect();
    Walk {
        fs,
        markers,
        hs: [(Side::Left, events("hs_left")), (Side::Right, events("hs_right"))],
        to: [(Side::Left, events("to_left")), (Side::Right, events("to_right"))],
    }
}

/// The walk on a virtual treadmill, seen side-on facing image-left, at `fps`.
fn frames(w: &Walk, fps: f64) -> Vec<FramePose> {
    let n = w.markers.len();
    let t: Vec<f64> = (0..n).map(|i| i as f64 / w.fs).collect();
    let pelvis: Vec<f64> = w.markers.iter().map(|m| m.iter().filter(|p| p.0 == 23 || p.0 == 24).map(|p| p.1).sum::<f64>() / 2.0).collect();
    // least-squares walking speed
    let (mt, mp) = (t.iter().sum::<f64>() / n as f64, pelvis.iter().sum::<f64>() / n as f64);
    let speed = t.iter().zip(&pelvis).map(|(a, b)| (a - mt) * (b - mp)).sum::<f64>() / t.iter().map(|a| (a - mt).powi(2)).sum::<f64>();
    let scale = 0.5; // px per mm: a 0.9 m leg is 450 px
    let at = |i: usize, f: f64, lm: usize| -> Option<(f64, f64)> {
        let a = w.markers[i].iter().find(|p| p.0 == lm)?;
        let b = w.markers[(i + 1).min(n - 1)].iter().find(|p| p.0 == lm)?;
        Some((a.1 + f * (b.1 - a.1), a.2 + f * (b.2 - a.2)))
    };
    let mut out = Vec::new();
    let mut k = 0;
    loop {
        let time = k as f64 / fps;
        let pos = time * w.fs;
        let i = pos.floor() as usize;
        if i + 1 >= n {
            break;
        }
        let f = pos - i as f64;
        let mut l = [Landmark::default(); NUM_LANDMARKS];
        for (lm, slot) in l.iter_mut().enumerate() {
            if let Some((x, y)) = at(i, f, lm) {
                *slot = Landmark {
                    x: (640.0 - scale * (x - speed * time)) as f32,
                    y: (1000.0 - scale * y) as f32,
                    z: 0.0,
                    visibility: 1.0,
                    presence: 1.0,
                };
            }
        }
        // the markers not measured (head, arms) stay at zero visibility: missing to the analysis
        out.push(FramePose { frame: k, time_s: time, pose: Some(Pose { landmarks: l, score: 1.0 }), soles: [None; 2] });
        k += 1;
    }
    out
}

/// Heel strikes of a walk: the method's walking limit (see the module comment).
const IC_TOLERANCE_S: f64 = 0.060;
/// Toe-offs of a walk.
const TO_TOLERANCE_S: f64 = 0.035;

#[test]
fn annotated_heel_strikes_and_toe_offs_of_a_real_walk_are_found() {
    let w = load();
    for fps in [30.0, 60.0, 150.0] {
        let a =
            analyze(&frames(&w, fps), &Options { view: Some(View::SideLeft), height_cm: None, ..Default::default() }).expect("analysis");
        assert_eq!(a.gait, Gait::Walking, "{fps} fps");
        let (mut worst_ic, mut worst_to, mut found, mut total) = (0.0f64, 0.0f64, 0, 0);
        for (side, hs) in &w.hs {
            let ics: Vec<f64> = a.steps.iter().filter(|s| s.side == *side).map(|s| s.ic_time_s).collect();
            for h in hs {
                total += 1;
                let e = ics.iter().map(|i| (i - h).abs()).fold(f64::INFINITY, f64::min);
                worst_ic = worst_ic.max(e);
                found += (e <= IC_TOLERANCE_S) as usize;
            }
        }
        for (side, tos) in &w.to {
            let det: Vec<f64> = a.steps.iter().filter(|s| s.side == *side).filter_map(|s| s.to_time_s).collect();
            for to in tos {
                // toe-offs the video cannot show: before the first landing seen, after the last
                let Some(e) = det.iter().map(|d| (d - to).abs()).min_by(f64::total_cmp) else { continue };
                if e < 0.3 {
                    worst_to = worst_to.max(e);
                }
            }
        }
        eprintln!(
            "{fps} fps: {found}/{total} heel strikes within 60 ms; worst IC {:.0} ms, worst TO {:.0} ms",
            worst_ic * 1e3,
            worst_to * 1e3
        );
        assert_eq!(found, total, "{fps} fps: {found}/{total} heel strikes, worst {worst_ic}");
        assert!(worst_to <= TO_TOLERANCE_S, "{fps} fps: worst TO error {worst_to}");
        // every annotated heel strike has one detected contact, and nothing else is detected
        assert_eq!(a.steps.len(), 6, "{fps} fps: {} steps", a.steps.len());
    }
}
