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
use overstride::video::VideoReader;
use overstride::gait::{self, events::Side, view::View};
use overstride::video::key_frame;
use overstride::{output, report, Result};

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

#[derive(clap::Args, Clone)]
struct AnalyzeArgs {
    /// The video to analyse (MP4/MOV/MKV/WebM from a phone or camera), or a folder of them (batch:
    /// one sub-folder of results per video and an index.html).
    #[arg(required_unless_present = "landmarks", conflicts_with = "landmarks")]
    input: Option<PathBuf>,
    /// Reanalyse an existing landmarks.csv instead of a video (no model needed; seconds).
    #[arg(long, value_name = "FILE")]
    landmarks: Option<PathBuf>,
    /// The runner's standing height in cm, to give distances in cm as well as % of leg length.
    #[arg(long, value_name = "CM", value_parser = parse_height)]
    height_cm: Option<f64>,
    /// Camera view; detected from the landmarks when not given.
    #[arg(long, value_enum)]
    view: Option<View>,
    /// The runner's name, shown on the report.
    #[arg(long)]
    name: Option<String>,
    /// Side views: the way the runner faces in the image, when detection should be overridden.
    #[arg(long, value_enum, conflicts_with = "view")]
    side_facing: Option<Facing>,
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
    overstride::interrupt::install();
    let r = match cli.command {
        Command::Analyze(a) => analyze(&a),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(overstride::Error::Interrupted) => {
            eprintln!("overstride: {}", overstride::Error::Interrupted);
            ExitCode::from(130)
        }
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

fn parse_height(s: &str) -> std::result::Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number of centimetres"))?;
    if (80.0..=250.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} cm is not a runner's height (expected 80–250 cm)"))
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Facing {
    Left,
    Right,
}

fn analyze(a: &AnalyzeArgs) -> Result<()> {
    match &a.input {
        Some(dir) if dir.is_dir() => batch(a, dir),
        _ => analyze_one(a).map(|_| ()),
    }
}

/// Batch mode: every video in `dir`, each into `--out/<name>/`, an index.html over them; a failed
/// video's error is recorded and the others go on; the exit status says whether any failed.
fn batch(a: &AnalyzeArgs, dir: &Path) -> Result<()> {
    let videos = overstride::batch::list_videos(dir)?;
    if videos.is_empty() {
        return Err(overstride::Error::Input(format!("no video files (mp4, mov, m4v, mkv, webm, avi) in {}", dir.display())));
    }
    output::prepare_dir(&a.out)?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let plan = overstride::batch::Plan::for_cores(cores, videos.len());
    let names = overstride::batch::unique_names(&videos);
    let results = overstride::batch::run_all(&videos, plan.concurrent, |i, v| {
        let mut one = a.clone();
        one.input = Some(v.to_path_buf());
        one.out = a.out.join(&names[i]);
        one.workers = Some(a.workers.unwrap_or(plan.workers_each));
        analyze_one(&one).map(|an| overstride::batch::Entry::from_analysis(&names[i], v, &an)).map_err(|e| e.to_string())
    });
    let index = overstride::batch::index_html(&results);
    let path = output::write_atomic(&a.out.join("index.html"), index.as_bytes())?;
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    println!("batch: {} videos, {} analysed, {} failed; wrote {}", results.len(), results.len() - failed.len(), failed.len(), path.display());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(overstride::Error::Input(format!("{} of {} videos failed (see {})", failed.len(), results.len(), path.display())))
    }
}

fn analyze_one(a: &AnalyzeArgs) -> Result<gait::Analysis> {
    // the inputs first (a missing video is reported before anything else is touched)
    let source = match (&a.landmarks, &a.input) {
        (Some(l), _) => l.clone(),
        (None, Some(v)) => v.clone(),
        (None, None) => return Err(overstride::Error::Input("give a video or --landmarks FILE".into())),
    };
    let landmarks = match &a.landmarks {
        Some(l) => Some(overstride::landmarks_io::read(l)?),
        None => None,
    };
    // Everything this run writes is cleared first: a folder never mixes this run's files with an
    // earlier one's, and a run that fails leaves no report that looks complete.
    output::prepare_dir(&a.out)?;
    let keep_landmarks = a.landmarks.as_deref().is_some_and(|l| same_file(l, &a.out.join("landmarks.csv")));
    output::clear_outputs(&a.out, keep_landmarks)?;
    let frames = match landmarks {
        Some(f) => f,
        None => pose_stage(a, &source)?,
    };
    let view = a.view.or(a.side_facing.map(|f| match f {
        Facing::Left => View::SideLeft,
        Facing::Right => View::SideRight,
    }));
    let opts = gait::Options { view, height_cm: a.height_cm };
    let analysis = gait::analyze(&frames, &opts).map_err(|e| {
        overstride::Error::Input(format!("{}: {e}", source.display()))
    })?;
    let json = output::write_atomic(&a.out.join("report.json"), report::json::render(&analysis, &source.display().to_string()).as_bytes())?;
    let csv = output::write_atomic(&a.out.join("steps.csv"), report::csv::render(&analysis).as_bytes())?;
    // key frames come from the video; a reanalysed landmarks file has none
    let mut key_frames = Vec::new();
    if a.landmarks.is_none() {
        let mut reader = VideoReader::open(&source)?;
        for side in [Side::Left, Side::Right] {
            if let Some(step) = key_frame::typical_step(&analysis, side) {
                key_frames.extend(key_frame::render(&mut reader, &frames, &analysis, step)?);
            }
        }
    }
    let title = match &a.name {
        Some(n) => format!("Treadmill running assessment — {n}"),
        None => "Treadmill running assessment".to_string(),
    };
    let page = report::html::PageInput {
        title: &title,
        runner: a.name.as_deref(),
        source: &source.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
        key_frames,
    };
    let html = output::write_atomic(&a.out.join("report.html"), report::html::render(&analysis, &page).as_bytes())?;
    if a.landmarks.is_none() && !a.no_video {
        let dest = a.out.join("annotated.mp4");
        let codec = overstride::video::annotate::write_analysed(&source, &dest, &frames, &analysis)?;
        println!("  wrote {} ({codec})", dest.display());
    }
    print_summary(&analysis);
    println!("  wrote {}", html.display());
    println!("  wrote {}", json.display());
    println!("  wrote {}", csv.display());
    Ok(analysis)
}

fn print_summary(a: &gait::Analysis) {
    let g = |k: &str, side: &str| a.summary.get(k).and_then(|m| m.get(side)).map(|s| (s.mean, s.sd, s.n));
    println!(
        "view {}, {:?}, {} steps, cadence {}",
        a.view.as_str(),
        a.gait,
        a.steps.len(),
        a.cadence_spm.map(|c| format!("{c:.0} steps/min")).unwrap_or_else(|| "n/a".into())
    );
    for (key, label) in [("overstride_pct_leg", "overstride % leg"), ("shank_angle_deg", "shank angle deg"), ("knee_flexion_ic_deg", "knee flexion at IC deg"), ("pelvic_drop_deg", "pelvic drop deg"), ("fppa_deg", "FPPA deg")] {
        let l = g(key, "left");
        let r = g(key, "right");
        if l.is_some() || r.is_some() {
            let f = |v: Option<(f64, f64, usize)>| v.map(|(m, sd, n)| format!("{m:.1} ± {sd:.1} (n={n})")).unwrap_or_else(|| "n/a".into());
            println!("  {label}: left {}  right {}", f(l), f(r));
        }
    }
    for w in &a.warnings {
        println!("  note: {w}");
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn pose_stage(a: &AnalyzeArgs, input: &Path) -> Result<Vec<overstride::pose::FramePose>> {
    let started = Instant::now();
    let reader = VideoReader::open(input)?;
    let info = reader.info().clone();
    // refuse before the pose stage's work when foot strikes could not be timed anyway
    if info.fps < gait::analysis::MIN_FPS {
        return Err(overstride::Error::Input(format!(
            "{}: {}",
            input.display(),
            gait::AnalysisError::FrameRateTooLow { fps: info.fps, min: gait::analysis::MIN_FPS }
        )));
    }
    let models = Models::load(a.model)?;
    let opts = PipelineOptions { workers: a.workers.unwrap_or(PipelineOptions::default().workers) };
    let pb = progress_bar(info.declared_frames);
    let mut seen = Vec::new();
    let (info, stats) = pipeline::run(reader, &models, &opts, |fp| {
        seen.push(fp.clone());
        pb.inc(1);
        Ok(())
    })?;
    pb.finish_and_clear();
    if stats.frames_with_pose == 0 {
        return Err(overstride::Error::Input(format!(
            "no person found in {} ({} frames): film the runner whole, side-on or from behind, in good light",
            input.display(),
            stats.frames
        )));
    }
    // only the runner's poses go on (everyone else's are left out), and into landmarks.csv
    let (frames, selection) = overstride::pose::runner::keep_runner(&seen);
    drop(seen);
    let runner_frames = frames.iter().filter(|f| f.pose.is_some()).count();
    let mut csv = LandmarksWriter::create(&a.out.join("landmarks.csv"))?;
    for fp in &frames {
        csv.write(fp)?;
    }
    let written = csv.finish()?;
    let outputs = vec![written];
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}: {} frames ({}x{}, {:.1} fps), runner's pose found on {} ({:.0} %), {:.1} frames/s",
        input.display(),
        stats.frames,
        info.width,
        info.height,
        info.fps,
        runner_frames,
        100.0 * runner_frames as f64 / stats.frames.max(1) as f64,
        stats.frames as f64 / secs
    );
    if selection.people > 1 {
        println!(
            "  {} people seen: kept the runner (seen longest, legs moving most and most regularly), left out {} poses of the others",
            selection.people, selection.poses_removed
        );
    }
    for p in outputs {
        println!("  wrote {}", p.display());
    }
    Ok(frames)
}
