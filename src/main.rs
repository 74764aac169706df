//! The `overstride` command: flags in, pipeline stages wired, one clear line out on failure.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use overstride::landmarks_io::LandmarksWriter;
use overstride::pose::model::{Models, Variant};
use overstride::pose::pipeline::{self, PipelineOptions};
use overstride::video::annotate::AnnotatedWriter;
use overstride::video::VideoReader;
use overstride::{output, Result};

#[derive(Parser)]
#[command(name = "overstride", version, about = "Treadmill running analysis from video: overstride, knees, hips, cadence")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse a treadmill video: landmarks on every frame, annotated video.
    Analyze(AnalyzeArgs),
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// The video to analyse (MP4/MOV/MKV/WebM from a phone or camera).
    input: PathBuf,
    /// Folder for the outputs (created if missing).
    #[arg(long, short)]
    out: PathBuf,
    /// BlazePose landmark model: full (default, shipped), lite or heavy (made by scripts/convert_models.py).
    #[arg(long, value_enum, default_value = "full")]
    model: Variant,
    /// Skip the annotated video.
    #[arg(long)]
    no_video: bool,
    /// Parallel pose workers (default: one per core).
    #[arg(long)]
    workers: Option<usize>,
}

fn main() -> ExitCode {
    // FFmpeg's own log lines (e.g. on a damaged file) would bury our one-line message; we report
    // decoding problems ourselves. Set before any thread starts.
    if std::env::var_os("OPENCV_FFMPEG_LOGLEVEL").is_none() {
        std::env::set_var("OPENCV_FFMPEG_LOGLEVEL", "-8");
    }
    let cli = Cli::parse();
    let r = match cli.command {
        Command::Analyze(a) => analyze(&a),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("overstride: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn progress_bar(total: Option<usize>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = match total {
        Some(n) => ProgressBar::new(n as u64),
        None => ProgressBar::new_spinner(),
    };
    pb.set_style(
        ProgressStyle::with_template("{spinner} pose [{bar:30}] {pos}/{len} frames  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb
}

fn analyze(a: &AnalyzeArgs) -> Result<()> {
    let started = Instant::now();
    let reader = VideoReader::open(&a.input)?;
    let models = Models::load(a.model)?;
    output::prepare_dir(&a.out)?;
    let info = reader.info().clone();
    let mut video = if a.no_video { None } else { Some(AnnotatedWriter::create(&a.out.join("annotated.mp4"), info.fps, info.width, info.height)?) };
    let mut csv = LandmarksWriter::create(&a.out.join("landmarks.csv"))?;
    let opts = PipelineOptions { workers: a.workers.unwrap_or(PipelineOptions::default().workers), ..Default::default() };
    let pb = progress_bar(info.declared_frames);
    let (info, stats) = pipeline::run(reader, &models, &opts, |frame, fp| {
        csv.write(fp)?;
        if let Some(v) = video.as_mut() {
            v.write(&frame.image, fp.pose.as_ref(), &format!("{:>5}  {:6.2} s", frame.index, frame.time_s))?;
        }
        pb.inc(1);
        Ok(())
    })?;
    pb.finish_and_clear();
    if stats.frames_with_pose == 0 {
        return Err(overstride::Error::Input(format!(
            "no person found in {} ({} frames): film the runner whole, side-on or from behind, in good light",
            a.input.display(),
            stats.frames
        )));
    }
    let written = csv.finish()?;
    let mut outputs = vec![written];
    if let Some(v) = video {
        outputs.push(v.finish()?);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}: {} frames ({}x{}, {:.1} fps), pose found on {} ({:.0} %), {:.1} frames/s",
        a.input.display(),
        stats.frames,
        info.width,
        info.height,
        info.fps,
        stats.frames_with_pose,
        100.0 * stats.frames_with_pose as f64 / stats.frames.max(1) as f64,
        stats.frames as f64 / secs
    );
    for p in outputs {
        println!("  wrote {}", display_rel(&p));
    }
    Ok(())
}

fn display_rel(p: &Path) -> String {
    p.display().to_string()
}
