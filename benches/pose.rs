//! Pose-stage benchmark (`cargo bench --bench pose`): the landmark model's time per call on one core,
//! the compute limit it implies (cores ÷ that time), and the whole pose stage's throughput on the
//! sample video (decode + detect + track + landmarks, no annotated video). scripts/bench.sh runs this
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
    let mut s = models.sessions(1).expect("sessions");
    let input = vec![0.5f32; 256 * 256 * 3];
    let mut call = || {
        s.landmarks.run(ort::inputs![TensorRef::from_array_view(([1usize, 256, 256, 3], &*input)).unwrap()]).unwrap();
    };
    for _ in 0..10 {
        call();
    }
    let n = 100;
    let t = Instant::now();
    for _ in 0..n {
        call();
    }
    let lm_ms = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
    let opts = PipelineOptions::default();
    let limit = opts.workers as f64 * 1000.0 / lm_ms;
    println!("landmark model (full), 1 thread: {lm_ms:.2} ms/call → compute limit {limit:.1} frames/s on {} cores", opts.workers);
    // the same model on every core at once (as the pipeline runs it): cores share caches and memory
    let t = Instant::now();
    std::thread::scope(|sc| {
        for _ in 0..opts.workers {
            let models = &models;
            sc.spawn(move || {
                let mut s = models.sessions(1).expect("sessions");
                let input = vec![0.5f32; 256 * 256 * 3];
                for _ in 0..n {
                    s.landmarks.run(ort::inputs![TensorRef::from_array_view(([1usize, 256, 256, 3], &*input)).unwrap()]).unwrap();
                }
            });
        }
    });
    let all_ms = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
    println!("landmark model on all {} cores at once: {all_ms:.2} ms/call each → {:.1} frames/s", opts.workers, opts.workers as f64 * 1000.0 / all_ms);

    let t = Instant::now();
    let workers = pipeline::Workers::new(&models, opts.workers).expect("sessions");
    let start_s = t.elapsed().as_secs_f64();
    let mut best = f64::MAX;
    let mut frames = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let reader = VideoReader::open(std::path::Path::new(&video)).expect("video");
        let (_, stats) = pipeline::run_with(reader, &workers, &opts, |_, _| Ok(())).expect("pipeline");
        best = best.min(t.elapsed().as_secs_f64());
        frames = stats.frames;
    }
    let fps = frames as f64 / best;
    println!(
        "overstride pose stage: {frames} frames in {best:.2} s (best of 3; decode + detect + track + landmarks) = {fps:.1} frames/s = {:.0} % of the compute limit; opening the sessions once: {start_s:.2} s",
        100.0 * fps / limit
    );
}
