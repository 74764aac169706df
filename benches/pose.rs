//! Pose-stage benchmark (`cargo bench --bench pose`): the landmark model's time per call on one core,
//! the compute limit it implies (cores ÷ that time), and the whole pose stage's throughput on the
//! sample video (decode + detect + track + landmarks + picking the runner, as `run::track` does for
//! every analysis; no annotated video). scripts/bench.sh runs this
//! beside MediaPipe's Python pipeline on the same video.

use std::time::Instant;

use ort::value::TensorRef;
use overstride::pose::model::{Models, Variant};
use overstride::pose::pipeline::{self, PipelineOptions};
use overstride::video::VideoReader;

fn main() {
    let video = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/samples/male_side.mp4").to_string());
    let models = Models::load(Variant::Full).expect("models");
    let opts = PipelineOptions::default();
    // the model called as the pipeline calls it (the outputs it reads)
    let mut s = models.sessions(1).expect("sessions");
    let input = vec![0.5f32; 256 * 256 * 3];
    let mut call = || {
        let inputs = ort::inputs![TensorRef::from_array_view(([1usize, 256, 256, 3], &*input)).unwrap()];
        s.landmarks.run_with_options(inputs, &s.landmark_run_options).unwrap();
    };
    for _ in 0..10 {
        call();
    }
    let t = Instant::now();
    let workers = pipeline::Workers::new(&models, opts.workers).expect("sessions");
    let start_s = t.elapsed().as_secs_f64();
    // The model's time and the pose stage are measured in turns, three rounds, the median of each
    // kept: this machine's speed drifts by ±10 % over a minute (more when other work loads it), and
    // the ratio must compare like with like.
    let n = 60;
    // sessions for the all-cores measurement, opened outside the timed runs
    let mut all_sessions: Vec<_> = (0..opts.workers).map(|_| models.sessions(1).expect("sessions")).collect();
    let (mut lm_runs, mut all_runs, mut walls, mut frames) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for _ in 0..3 {
        let t = Instant::now();
        for _ in 0..n {
            call();
        }
        lm_runs.push(t.elapsed().as_secs_f64() * 1000.0 / n as f64);
        // the same model on every core at once (as the pipeline runs it): cores share caches and memory
        let t = Instant::now();
        std::thread::scope(|sc| {
            for s in all_sessions.iter_mut() {
                let input: &[f32] = &input;
                sc.spawn(move || {
                    for _ in 0..n {
                        let inputs = ort::inputs![TensorRef::from_array_view(([1usize, 256, 256, 3], &*input)).unwrap()];
                        s.landmarks.run_with_options(inputs, &s.landmark_run_options).unwrap();
                    }
                });
            }
        });
        all_runs.push(t.elapsed().as_secs_f64() * 1000.0 / n as f64);
        let (t, cpu0) = (Instant::now(), cpu_seconds());
        let reader = VideoReader::open(std::path::Path::new(&video)).expect("video");
        let poses = overstride::run::track(reader, &workers, &mut overstride::run::Quiet).expect("pipeline");
        let wall = t.elapsed().as_secs_f64();
        walls.push((wall, (cpu_seconds() - cpu0) / (wall * opts.workers as f64), poses.sole_s));
        frames = poses.stats.frames;
    }
    let (lm_ms, all_ms) = (median(&mut lm_runs), median(&mut all_runs));
    walls.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (wall_s, busy, sole_s) = walls[walls.len() / 2];
    let limit = opts.workers as f64 * 1000.0 / lm_ms;
    println!("landmark model (full), 1 thread: {lm_ms:.2} ms/call → compute limit {limit:.1} frames/s on {} cores", opts.workers);
    println!(
        "landmark model on all {} cores at once: {all_ms:.2} ms/call each → {:.1} frames/s",
        opts.workers,
        opts.workers as f64 * 1000.0 / all_ms
    );
    let fps = frames as f64 / wall_s;
    println!(
        "overstride pose stage: {frames} frames in {wall_s:.2} s (median of 3; decode + detect + track + landmarks + runner) = {fps:.1} frames/s = {:.0} % of the compute limit ({:.0} % of the all-cores rate); cores busy {:.0} % of the time; opening the sessions once: {start_s:.2} s",
        100.0 * fps / limit,
        100.0 * fps * all_ms / (opts.workers as f64 * 1000.0),
        100.0 * busy
    );
    // the sole pass (pose::sole: each shoe's lowest point from the pixels) is part of the stage above
    let pass_fps = frames as f64 / (wall_s - sole_s).max(1e-9);
    println!(
        "  of which the sole pass: {sole_s:.2} s ({:.0} % of the stage); the pose pass alone (decode + detect + track + landmarks): {pass_fps:.1} frames/s = {:.0} % of the all-cores rate",
        100.0 * sole_s / wall_s,
        100.0 * pass_fps * all_ms / (opts.workers as f64 * 1000.0)
    );
}

/// The middle value (of an odd count; the upper middle otherwise).
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// CPU time of this process so far (user + system), from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // fields 14 and 15 (utime, stime, in ticks of 1/100 s) are the 12th and 13th after the name
    let field = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    let ticks = field(11) + field(12);
    ticks / 100.0
}
