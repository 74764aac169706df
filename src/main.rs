//! The `overstride` command: flags in, pipeline stages wired, one clear line out on failure.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use overstride::gait::{self, events::Side, view::View};
use overstride::landmarks_io::LandmarksWriter;
use overstride::output::{self, OutDir};
use overstride::pose::model::{Models, Variant};
use overstride::pose::pipeline::{self, PipelineOptions};
use overstride::report::key_frame;
use overstride::report::{Report, Sink};
use overstride::video::VideoReader;
use overstride::{report, Error, Result};

/// What `--out` replaces, and the exit codes: shown by `overstride --help` and `overstride analyze --help`.
const AFTER_HELP: &str = "\
Outputs: --out DIR receives landmarks.csv, annotated.mp4, report.html, report.json, steps.csv and
metronome_<spm>.wav (batch: index.html and one sub-folder DIR/<video name>/ of these per video). They are written into
DIR/.overstride-staging-<pid>/ and swapped in only once the run has finished; the earlier run's
files that this run did not write again (as listed in DIR/overstride-manifest.json) are removed
then. Nothing else in DIR is touched. A failed, refused or interrupted run leaves DIR as it was
(in a batch, a video that fails keeps its earlier results). One run uses DIR at a time
(DIR/.overstride-lock). A symbolic link as DIR or inside it is refused, never written through.

Impossible results are refused (exit 1, one line saying what to do): a cadence no gait has (often
slow motion: give --capture-fps), a body lying or upside down (a wrong rotation tag), no movement
(a still photo), --view contradicting the clip, a runner too small to measure. Doubtful ones are
warned about first in report.html, in report.json `alerts` and on the console.

Exit status: 0 done; 1 an input or the analysis refused (the message says what to do; batch: any
video failed); 2 usage error (an unknown option or a bad value); 130 interrupted (Ctrl-C, SIGTERM
or SIGHUP: the earlier results are kept).";

#[derive(Parser)]
#[command(name = "overstride", version, about = "Treadmill running analysis from video: overstride, knees, hips, cadence", after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse a treadmill video: landmarks on every frame, annotated video.
    #[command(after_help = AFTER_HELP)]
    Analyze(AnalyzeArgs),
    /// Compare two sessions (before/after): each a results folder holding the report.json that
    /// `analyze` wrote. Writes report.html and comparison.json into --out.
    #[command(after_help = COMPARE_HELP)]
    Compare(CompareArgs),
}

const COMPARE_HELP: &str = "\
A change is real when it exceeds 1.96 x its uncertainty, sqrt(SE_before^2 + SE_after^2 +
timing_before^2 + timing_after^2) (the timing part: the initial-contact timing uncertainty of
at-contact measures), and the smallest detectable difference where the literature gives one
(pelvic drop 2.7 deg, Dingenen 2018). Both sessions must be side views, or both rear/front.

Exit status: 0 done; 1 a folder refused (no report.json, another view, another schema); 2 usage error.";

#[derive(clap::Args)]
struct CompareArgs {
    /// The first session's results folder (written by `overstride analyze`).
    before: PathBuf,
    /// The later session's results folder.
    after: PathBuf,
    /// Folder for the comparison (created if missing); not BEFORE, AFTER or another analysis folder.
    #[arg(long, short)]
    out: PathBuf,
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
    /// The treadmill's belt speed as its display shows it, km/h: cm from the belt's motion under the
    /// stance foot (side views), step lengths, and a check of --height-cm.
    #[arg(long, value_name = "KMH", value_parser = parse_belt_kmh)]
    belt_kmh: Option<f64>,
    /// Camera view; detected from the landmarks when not given.
    #[arg(long, value_enum)]
    view: Option<View>,
    /// The runner's name, shown on the report.
    #[arg(long)]
    name: Option<String>,
    /// Side views: the way the runner faces in the image, when detection should be overridden.
    #[arg(long, value_enum, conflicts_with = "view")]
    side_facing: Option<Facing>,
    /// Folder for the outputs (created if missing); an earlier run's outputs there are replaced
    /// once this run has finished (see below).
    #[arg(long, short)]
    out: PathBuf,
    /// BlazePose landmark model: full (default, shipped), lite or heavy (made by scripts/convert_models.py).
    #[arg(long, value_enum, default_value = "full")]
    model: Variant,
    /// Skip the annotated video.
    #[arg(long)]
    no_video: bool,
    /// Parallel pose workers (default: one per core; at most two per core). The results are the
    /// same for any number.
    #[arg(long, value_name = "N", value_parser = parse_workers)]
    workers: Option<usize>,
    /// Cadence retraining: write a metronome click track (metronome_<spm>.wav, 3 minutes, loops)
    /// at this many % above the measured step rate (1–15; Heiderscheit 2011 advises 5–10).
    #[arg(long, value_name = "PCT", default_value_t = gait::retraining::DEFAULT_METRONOME_PCT, value_parser = parse_metronome_pct)]
    metronome_target: f64,
    /// Do not write the metronome click track (the report still gives the step-rate targets).
    #[arg(long, conflicts_with = "metronome_target")]
    no_metronome: bool,
    /// Slow motion: the frame rate the clip was filmed at, when it plays back at another (a 120 fps
    /// capture exported at 30 fps: --capture-fps 120). Every time is scaled by playback / capture.
    /// Read from the video's metadata when it says (Android's com.android.capture.fps).
    #[arg(long, value_name = "N", value_parser = parse_capture_fps)]
    capture_fps: Option<f64>,
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
        Command::Compare(c) => compare(&c),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(overstride::Error::Interrupted) => {
            eprintln!("overstride: {}", Error::Interrupted);
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

/// The most pose workers worth running: two per core, at most 64. Each worker runs one tracking
/// chain at a time with its own model sessions (tens of MB); beyond two per core they only
/// time-slice the same cores and add memory, and a video has at most `pipeline::chain_count(fps)`
/// chains (2 at 30 fps, at most 8) for them to run. The results do not depend on the number.
fn max_workers() -> usize {
    (2 * std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)).min(64)
}

fn parse_workers(s: &str) -> std::result::Result<usize, String> {
    let max = max_workers();
    let n: usize = s.trim().parse().map_err(|_| format!("`{s}` is not a whole number of workers: give 1–{max}"))?;
    if (1..=max).contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} is not a number of workers this machine can run: give 1–{max} (at most two per core)"))
    }
}

fn parse_belt_kmh(s: &str) -> std::result::Result<f64, String> {
    let (lo, hi) = gait::scale::BELT_KMH_RANGE;
    let v: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a speed in km/h"))?;
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} km/h is not a treadmill belt speed (expected {lo}–{hi} km/h)"))
    }
}

fn parse_metronome_pct(s: &str) -> std::result::Result<f64, String> {
    let (lo, hi) = gait::retraining::METRONOME_PCT_RANGE;
    let v: f64 = s.trim().trim_end_matches('%').parse().map_err(|_| format!("`{s}` is not a percentage: give {lo}–{hi}"))?;
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} % is not a step-rate target: give {lo}–{hi} (Heiderscheit 2011 advises 5–10)"))
    }
}

fn parse_capture_fps(s: &str) -> std::result::Result<f64, String> {
    let v: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a frame rate: give frames per second, e.g. 120"))?;
    if (1.0..=10_000.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not a capture frame rate: give 1–10000 frames per second"))
    }
}

/// The capture rate to analyse at: `--capture-fps`, else the video's metadata when it differs from
/// the playback rate.
fn capture_rate(a: &AnalyzeArgs, info: Option<&overstride::video::VideoInfo>) -> Option<gait::CaptureFps> {
    if let Some(fps) = a.capture_fps {
        return Some(gait::CaptureFps { fps, source: gait::CaptureSource::Option });
    }
    let info = info?;
    info.capture_fps
        .filter(|c| (c / info.fps - 1.0).abs() > 0.01)
        .map(|fps| gait::CaptureFps { fps, source: gait::CaptureSource::Metadata })
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Facing {
    Left,
    Right,
}

fn analyze(a: &AnalyzeArgs) -> Result<()> {
    match &a.input {
        Some(dir) if dir.is_dir() => batch(a, dir),
        _ => single(a),
    }
}

/// What a run reads: a landmarks file already parsed, or a video opened with its models loaded.
enum Input {
    Landmarks(Vec<overstride::pose::FramePose>),
    Video(Box<(VideoReader, Models)>),
}

/// The input checked before any work: a missing, unreadable or refused input (or a missing model)
/// leaves the output folder as it was.
fn open_input(a: &AnalyzeArgs) -> Result<(PathBuf, Input)> {
    if let Some(l) = &a.landmarks {
        return Ok((l.clone(), Input::Landmarks(overstride::landmarks_io::read(l)?)));
    }
    let Some(v) = &a.input else { return Err(Error::Input("give a video or --landmarks FILE".into())) };
    Ok((v.clone(), open_video(a, v)?))
}

fn open_video(a: &AnalyzeArgs, v: &Path) -> Result<Input> {
    match std::fs::metadata(v) {
        Err(_) => return Err(Error::VideoMissing(v.to_path_buf())),
        Ok(m) if !m.is_file() => {
            return Err(Error::Input(format!("{} is not a regular file (a device, pipe or socket): give a video file", v.display())))
        }
        Ok(_) => {}
    }
    let mut reader = VideoReader::open(v)?;
    // slow motion: the pose stage and everything after it run in the capture's (real) time
    if let Some(c) = capture_rate(a, Some(reader.info())) {
        reader.set_capture_fps(c.fps);
    }
    // refuse before the pose stage's work when foot strikes could not be timed anyway
    let fps = reader.info().time_fps();
    if fps < gait::analysis::MIN_FPS {
        return Err(Error::Input(format!(
            "{}: {}",
            v.display(),
            gait::AnalysisError::FrameRateTooLow { fps, min: gait::analysis::MIN_FPS }
        )));
    }
    let models = Models::load(a.model)?;
    Ok(Input::Video(Box::new((reader, models))))
}

/// One video (or landmarks file) into `--out`: everything is written into the staging folder and
/// swapped in at the end (see `output`).
fn single(a: &AnalyzeArgs) -> Result<()> {
    let source = match (&a.landmarks, &a.input) {
        (Some(l), _) => l.clone(),
        (None, Some(v)) => v.clone(),
        (None, None) => return Err(Error::Input("give a video or --landmarks FILE".into())),
    };
    // the folder is locked and checked first (nothing in it changes until the run has finished)
    let out = OutDir::open(&a.out)?;
    // a landmarks.csv reanalysed in place stays (this run does not write one)
    let keep: Vec<String> = match &a.landmarks {
        Some(l) if same_file(l, &a.out.join("landmarks.csv")) => vec!["landmarks.csv".to_string()],
        _ => Vec::new(),
    };
    out.refuse_input(&source, output::OUTPUT_FILES, &keep)?;
    out.check_targets(output::OUTPUT_FILES)?;
    let (source, input) = open_input(a)?;
    let done = analyze_into(a, &source, input, out.staging())?;
    let root = out.root().to_path_buf();
    let written = out.commit(&keep)?;
    for line in report::export::wrote_lines(&root, &written, &done.notes) {
        println!("{line}");
    }
    Ok(())
}

/// Batch mode: every video in `dir`, each into `--out/<name>/`, an index.html over them; a failed
/// video's error is recorded (its earlier results are kept) and the others go on; the exit status
/// says whether any failed. The whole batch is staged and swapped in at the end, so an
/// interrupted batch leaves every earlier report.
fn batch(a: &AnalyzeArgs, dir: &Path) -> Result<()> {
    let videos = overstride::batch::list_videos(dir)?;
    if videos.is_empty() {
        return Err(Error::Input(format!("no video files (mp4, mov, m4v, mkv, webm, avi) in {}: give a folder of videos", dir.display())));
    }
    let names = overstride::batch::unique_names(&videos);
    let out = OutDir::open(&a.out)?;
    let mut planned = vec!["index.html".to_string()];
    for n in &names {
        planned.extend(output::OUTPUT_FILES.iter().map(|f| format!("{n}/{f}")));
    }
    for v in &videos {
        out.refuse_input(v, &planned[..], &[])?;
    }
    out.check_targets(&planned[..])?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let plan = overstride::batch::Plan::for_cores(cores, videos.len());
    let results = overstride::batch::run_all(&videos, plan.concurrent, |i, v| {
        let mut one = a.clone();
        one.input = Some(v.to_path_buf());
        one.workers = Some(a.workers.unwrap_or(plan.workers_each));
        let dest = out.staging().join(&names[i]);
        let r = std::fs::create_dir(&dest)
            .map_err(|e| Error::Output { path: dest.clone(), why: e.to_string() })
            .and_then(|_| open_video(&one, v))
            .and_then(|input| analyze_into(&one, v, input, &dest));
        match r {
            Ok(done) => Ok(report::index::Entry::from_analysis(&names[i], v, &done.analysis)),
            Err(e) => {
                // nothing of a failed video is swapped in (its earlier results stay)
                let _ = std::fs::remove_dir_all(&dest);
                if !matches!(e, Error::Interrupted) {
                    println!("{}: failed: {e}", v.display());
                }
                Err(e.to_string())
            }
        }
    });
    overstride::interrupt::check()?;
    Sink::new(out.staging()).export(&report::index::Index, &results[..])?;
    let mut keep = Vec::new();
    for (i, r) in results.iter().enumerate() {
        if r.is_err() {
            let prefix = format!("{}/", names[i]);
            keep.extend(out.old_files().iter().filter(|f| f.starts_with(&prefix)).cloned());
        }
    }
    let path = out.root().join("index.html");
    out.commit(&keep)?;
    let failed = results.iter().filter(|r| r.is_err()).count();
    println!("batch: {} videos, {} analysed, {} failed; wrote {}", results.len(), results.len() - failed, failed, path.display());
    if failed == 0 {
        Ok(())
    } else {
        Err(Error::Input(format!("{} of {} videos failed (see {})", failed, results.len(), path.display())))
    }
}

/// What a finished analysis leaves for the console.
struct Done {
    analysis: gait::Analysis,
    /// The notes on its files' "wrote" lines.
    notes: Vec<(String, String)>,
}

/// The analysis message at the command's edge: what to do, not only what went wrong.
fn analysis_refused(source: &Path, e: gait::AnalysisError) -> Error {
    match e {
        gait::AnalysisError::NoPerson { frames, with_pose } => Error::Input(format!(
            "{}: no person found on enough frames to analyse (a pose on {with_pose} of {frames} frames): film the whole body, \
             side-on or from behind, the runner filling at least half the frame height",
            source.display()
        )),
        e => Error::Input(format!("{}: {e}", source.display())),
    }
}

/// The analysis of one input, every output written into `dest` (a staging folder).
fn analyze_into(a: &AnalyzeArgs, source: &Path, input: Input, dest: &Path) -> Result<Done> {
    let mut sink = Sink::new(dest);
    let (frames, info) = match input {
        Input::Landmarks(f) => (f, None),
        Input::Video(b) => {
            let (reader, models) = *b;
            let (f, info) = pose_stage(a, source, reader, &models, &mut sink)?;
            (f, Some(info))
        }
    };
    let reader = info.as_ref().map(|_| ());
    let view = a.view.or(a.side_facing.map(|f| match f {
        Facing::Left => View::SideLeft,
        Facing::Right => View::SideRight,
    }));
    let video = info.as_ref().map(|i| gait::VideoFacts {
        width: i.width,
        height: i.height,
        rotation_deg: i.rotation_deg,
        duplicate_frames: i.duplicate_frames,
        effective_fps: i.effective_fps,
        fps: i.fps,
    });
    let opts = gait::Options { view, height_cm: a.height_cm, belt_kmh: a.belt_kmh, capture_fps: capture_rate(a, info.as_ref()), video };
    let analysis = gait::analyze(&frames, &opts).map_err(|e| analysis_refused(source, e))?;
    let retraining = gait::retraining::for_analysis(&analysis, (!a.no_metronome).then_some(a.metronome_target));
    if let Some(m) = retraining.as_ref().and_then(|r| r.metronome.as_ref()) {
        sink.write(&m.file, &report::metronome::wav(m.spm)?)?;
    }
    let mut page = Report {
        analysis: &analysis,
        source,
        runner: a.name.as_deref(),
        retraining: retraining.as_ref(),
        key_frames: Vec::new(),
        evidence: Vec::new(),
    };
    sink.export(&report::json::Json, &page)?;
    sink.export(&report::csv::Csv, &page)?;
    // key frames come from the video; a reanalysed landmarks file has none
    if reader.is_some() {
        let mut reader = VideoReader::open(source)?;
        // frames are found by their time, in the pose stage's (capture) time
        if let Some(c) = opts.capture_fps {
            reader.set_capture_fps(c.fps);
        }
        for side in [Side::Left, Side::Right] {
            if let Some(step) = key_frame::typical_step(&analysis, side) {
                page.key_frames.extend(key_frame::render(&mut reader, &frames, &analysis, step)?);
            }
        }
        page.evidence = report::evidence::write_all(&mut reader, &frames, &analysis, &mut sink)?;
    }
    sink.export(&report::html::Html, &page)?;
    drop(page);
    if reader.is_some() && !a.no_video {
        let codec = report::annotate::write_analysed(source, &sink.path("annotated.mp4")?, &frames, &analysis)?;
        sink.note("annotated.mp4", codec);
    }
    overstride::interrupt::check()?;
    print_summary(&analysis);
    if let Some(r) = &retraining {
        print_retraining(r);
    }
    Ok(Done { analysis, notes: sink.notes().to_vec() })
}

fn print_summary(a: &gait::Analysis) {
    let g = |k: &str, side: &str| a.summary.get(k).and_then(|m| m.get(side)).cloned();
    // (the repeated frames were said with the pose stage)
    for al in a.alerts.iter().filter(|al| al.kind != gait::plausibility::AlertKind::RepeatedFrames) {
        println!("  WARNING: {}", al.message);
    }
    for c in a.capture_quality.warnings() {
        println!("  capture: {} {:.1} {} (good film: {:.0}) — {}; refilm: {}", c.label, c.value, c.unit, c.limit, c.detail, c.instruction);
    }
    println!(
        "view {}, {:?}, {} steps, cadence {}",
        a.view.as_str(),
        a.gait,
        a.steps.len(),
        a.cadence_spm.map(|c| format!("{c:.0} steps/min")).unwrap_or_else(|| "n/a".into())
    );
    for (key, label) in [
        ("overstride_pct_leg", "overstride % leg"),
        ("shank_angle_deg", "shank angle deg"),
        ("knee_flexion_ic_deg", "knee flexion at IC deg"),
        ("pelvic_drop_deg", "pelvic drop deg"),
        ("fppa_deg", "FPPA deg"),
        ("step_length_cm", "step length cm"),
    ] {
        let l = g(key, "left");
        let r = g(key, "right");
        if l.is_some() || r.is_some() {
            // mean ± SD over steps, the timing uncertainty of at-contact numbers beside it
            let f = |v: Option<gait::summary::Stat>| {
                v.map(|s| {
                    let sd = if s.sd.is_finite() { format!(" ± {:.1} SD", s.sd) } else { String::new() };
                    let timing = s.timing.map(|t| format!(", timing ± {t:.1}")).unwrap_or_default();
                    format!("{:.1}{sd}{timing} (n={})", s.mean, s.n)
                })
                .unwrap_or_else(|| "n/a".into())
            };
            println!("  {label}: left {}  right {}", f(l), f(r));
        }
    }
    for w in &a.warnings {
        println!("  note: {w}");
    }
}

fn compare(c: &CompareArgs) -> Result<()> {
    let cmp = overstride::compare::run(&c.before, &c.after, &c.out)?;
    for l in overstride::compare::console_lines(&cmp) {
        println!("{l}");
    }
    for f in overstride::compare::OUTPUT_FILES {
        println!("  wrote {}", c.out.join(f).display());
    }
    Ok(())
}

fn print_retraining(r: &gait::retraining::Retraining) {
    let t: Vec<String> = r.targets.iter().map(|t| format!("+{} % {:.0}", t.increase_pct, t.spm)).collect();
    let m = match (&r.metronome, &r.note) {
        (Some(m), _) => format!("; metronome {} steps/min (+{:.1} %) in {}", m.spm, m.increase_pct, m.file),
        (None, Some(n)) => format!("; {n}"),
        _ => String::new(),
    };
    println!("  cadence retraining (Heiderscheit 2011): now {:.0}, targets {} steps/min{m}", r.cadence_spm, t.join(", "));
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn pose_stage(
    a: &AnalyzeArgs,
    input: &Path,
    reader: VideoReader,
    models: &Models,
    sink: &mut Sink,
) -> Result<(Vec<overstride::pose::FramePose>, overstride::video::VideoInfo)> {
    let started = Instant::now();
    let info = reader.info().clone();
    let opts = PipelineOptions { workers: a.workers.unwrap_or(PipelineOptions::default().workers) };
    let pb = progress_bar(info.planned_frames());
    let mut seen = Vec::new();
    let (info, stats) = pipeline::run(reader, models, &opts, |fp| {
        seen.push(fp.clone());
        pb.inc(1);
        Ok(())
    })?;
    pb.finish_and_clear();
    if stats.frames_with_pose == 0 {
        return Err(overstride::Error::Input(format!(
            "no person found in {} ({} frames, {}x{}): film the runner whole, side-on or from behind, in good light; a runner small in the picture (far away, a wide shot) is not found — film closer, the runner filling at least half the frame height",
            input.display(),
            stats.frames,
            info.width,
            info.height
        )));
    }
    // only the runner's poses go on (everyone else's are left out), and into landmarks.csv
    let (frames, selection) = overstride::pose::runner::keep_runner(&seen);
    drop(seen);
    let runner_frames = frames.iter().filter(|f| f.pose.is_some()).count();
    let mut csv = LandmarksWriter::create(&sink.path("landmarks.csv")?)?;
    for fp in &frames {
        csv.write(fp)?;
    }
    csv.finish()?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}: {} frames ({}x{}, {:.1} fps{}), runner's pose found on {} ({:.0} %), {:.1} frames/s",
        input.display(),
        stats.frames,
        info.width,
        info.height,
        info.fps,
        if info.time_scale != 1.0 { format!(", filmed at {:.0} fps", info.time_fps()) } else { String::new() },
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
    // frames repeated to a higher rate: the timing is that of the distinct frames (said here, as
    // the analysis may yet refuse; the reports carry it as an alert)
    if let Some(w) = info.duplicate_warning() {
        println!("  note: {w}");
    }
    Ok((frames, info))
}
