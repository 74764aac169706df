#![allow(dead_code)]
//! Helpers shared by the integration tests.

pub mod csv;
pub mod invariants;
pub mod schema;
pub mod synthetic;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use overstride::pose::model::{Models, Variant};
use overstride::pose::pipeline::Workers;
use overstride::pose::{idx, FramePose};
use overstride::video::VideoReader;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample() -> PathBuf {
    root().join("samples/male_side.mp4")
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_overstride"))
}

/// Runs ffmpeg quietly (installed by scripts/install_deps.sh); panics if it fails.
pub fn ffmpeg(args: &[&str]) {
    let st = Command::new("ffmpeg").args(["-v", "error", "-y"]).args(args).status().expect("ffmpeg (installed by scripts/install_deps.sh)");
    assert!(st.success(), "ffmpeg {args:?}");
}

/// Writes frames as the landmarks.csv that `analyze --landmarks` reads.
pub fn write_landmarks(frames: &[FramePose], path: &Path) {
    let mut w = overstride::landmarks_io::LandmarksWriter::create(path).unwrap();
    for f in frames {
        w.write(f).unwrap();
    }
    w.finish().unwrap();
}

pub fn run(cmd: &mut Command) -> (Output, String) {
    let out = cmd.output().expect("run overstride");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stderr)
}

/// Runs the pose stage on a video through the library: the runner's pose on every frame, with
/// each shoe's sole point measured from the pixels.
pub fn poses_of(video: &Path) -> Vec<FramePose> {
    let reader = VideoReader::open(video).expect("open video");
    let models = Models::load(Variant::Full).expect("models");
    // two workers (any number gives the same landmarks: tests/determinism.rs)
    let workers = Workers::new(&models, 2).expect("sessions");
    overstride::run::track(reader, &workers, &mut overstride::run::Quiet).expect("pose pipeline").frames
}

/// Distances between two runs' landmarks over every frame both have a pose on, in units of the
/// reference's torso length (shoulder centre to hip centre).
pub fn torso_normalised_distances(ours: &[FramePose], reference: &[FramePose]) -> Vec<f64> {
    let mut d = Vec::new();
    for r in reference {
        let Some(rp) = &r.pose else { continue };
        let Some(op) = ours.iter().find(|o| o.frame == r.frame).and_then(|o| o.pose.as_ref()) else { continue };
        let l = &rp.landmarks;
        let mid = |a: usize, b: usize| ((l[a].x + l[b].x) as f64 / 2.0, (l[a].y + l[b].y) as f64 / 2.0);
        let (s, h) = (mid(idx::LEFT_SHOULDER, idx::RIGHT_SHOULDER), mid(idx::LEFT_HIP, idx::RIGHT_HIP));
        let torso = (s.0 - h.0).hypot(s.1 - h.1);
        for (a, b) in op.landmarks.iter().zip(l.iter()) {
            d.push(((a.x - b.x) as f64).hypot((a.y - b.y) as f64) / torso);
        }
    }
    d
}

pub fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let k = ((s.len() - 1) as f64 * p / 100.0).round() as usize;
    s[k]
}
