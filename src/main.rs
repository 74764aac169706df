//! The `overstride` command: flags → a `run::Job` → the library → an exit code, with one clear line
//! on failure. The work (stages, outputs, the output folder) is all in the library (`run`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use overstride::gait::{self, view::View};
use overstride::pose::model::Variant;
use overstride::run::{self, Input, Job, Progress};
use overstride::{Error, Result};

/// What `--out` replaces, and the exit codes: shown by `overstride --help` and `overstride analyze --help`.
const AFTER_HELP: &str = "\
Outputs: --out DIR receives landmarks.csv, annotated.mp4, report.html, report.json, steps.csv and
metronome_<spm>.wav (batch: index.html and one sub-folder DIR/<video name>/ of these per video;
two clips, a side and a rear/front one: report.html and assessment.json, and one sub-folder
DIR/<clip name>/ of these per clip; a batch groups NAME_side + NAME_rear|back|front into one
assessment DIR/NAME/). They are written into
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
video failed; an assessment: a clip failed, or both show one plane: nothing written); 2 usage error (an unknown option or a bad value); 130 interrupted (Ctrl-C, SIGTERM
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
    /// `analyze` wrote, or two assessments (side + rear, compared view by view). Writes report.html
    /// and comparison.json into --out (assessments: into --out/side/ and --out/frontal/, and an
    /// overview report.html).
    #[command(after_help = COMPARE_HELP)]
    Compare(CompareArgs),
}

const COMPARE_HELP: &str = "\
A change is real when it exceeds 1.96 x its uncertainty, sqrt(SE_before^2 + SE_after^2 +
timing_before^2 + timing_after^2) (the timing part: the initial-contact timing uncertainty of
at-contact measures), and the smallest detectable difference where the literature gives one
(pelvic drop 2.7 deg, Dingenen 2018). Both sessions must be side views, or both rear/front; two
assessments (folders holding assessment.json) are compared view by view, side with side and
rear/front with rear/front, into --out/side/ and --out/frontal/.

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

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// The video to analyse (MP4/MOV/MKV/WebM from a phone or camera); two videos, one filmed from
    /// the side and one from behind or in front, for one assessment of both; or a folder of videos
    /// (batch: one sub-folder of results per video or per set NAME_side + NAME_rear, and an index.html).
    #[arg(required_unless_present = "landmarks", conflicts_with = "landmarks", value_name = "VIDEO", num_args = 1..=2)]
    input: Vec<PathBuf>,
    /// Reanalyse an existing landmarks.csv instead of a video (no model needed; seconds); twice for an
    /// assessment of a side and a rear/front clip; a folder of them for a batch.
    #[arg(long, value_name = "FILE")]
    landmarks: Vec<PathBuf>,
    /// The runner's standing height in cm, to give distances in cm as well as % of leg length.
    #[arg(long, value_name = "CM", value_parser = parse_height, allow_negative_numbers = true)]
    height_cm: Option<f64>,
    /// The treadmill's belt speed as its display shows it, km/h: cm from the belt's motion under the
    /// stance foot (side views), step lengths, and a check of --height-cm.
    #[arg(long, value_name = "KMH", value_parser = parse_belt_kmh, allow_negative_numbers = true)]
    belt_kmh: Option<f64>,
    /// Camera view; detected from the landmarks when not given.
    #[arg(long, value_enum)]
    view: Option<ViewArg>,
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
    model: ModelArg,
    /// Skip the annotated video.
    #[arg(long)]
    no_video: bool,
    /// Parallel pose workers (default: one per core; at most two per core). The results are the
    /// same for any number.
    #[arg(long, value_name = "N", value_parser = parse_workers)]
    workers: Option<usize>,
    /// Cadence retraining: write a metronome click track (metronome_<spm>.wav, 3 minutes, loops)
    /// at this many % above the measured step rate (1–15; Heiderscheit 2011 advises 5–10).
    #[arg(long, value_name = "PCT", default_value_t = gait::retraining::DEFAULT_METRONOME_PCT, value_parser = parse_metronome_pct, allow_negative_numbers = true)]
    metronome_target: f64,
    /// Do not write the metronome click track (the report still gives the step-rate targets).
    #[arg(long, conflicts_with = "metronome_target")]
    no_metronome: bool,
    /// Slow motion: the frame rate the clip was filmed at, when it plays back at another (a 120 fps
    /// capture exported at 30 fps: --capture-fps 120). Every time is scaled by playback / capture.
    /// Read from the video's metadata when it says (Android's com.android.capture.fps).
    #[arg(long, value_name = "N", value_parser = parse_capture_fps, allow_negative_numbers = true)]
    capture_fps: Option<f64>,
}

fn main() -> ExitCode {
    // FFmpeg's own log lines (e.g. on a damaged file) would bury our one-line message; we report
    // decoding problems ourselves. Set before any thread starts.
    if std::env::var_os("OPENCV_FFMPEG_LOGLEVEL").is_none() {
        std::env::set_var("OPENCV_FFMPEG_LOGLEVEL", "-8");
    }
    overstride::pose::model::opt_out_of_telemetry();
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

/// The console: a progress bar over the pose stage (on a terminal only), lines to stdout.
#[derive(Default)]
struct Console {
    bar: Option<ProgressBar>,
}

impl Progress for Console {
    fn begin(&mut self, total: Option<usize>) {
        self.bar = Some(progress_bar(total));
    }

    fn frame(&mut self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    fn end(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }

    fn say(&mut self, line: &str) {
        println!("{line}");
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

/// `--view`'s values: the library's [`View`] as the command line spells it.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ViewArg {
    /// Side view, runner facing the image's left.
    SideLeft,
    /// Side view, runner facing the image's right.
    SideRight,
    Rear,
    Front,
}

impl From<ViewArg> for View {
    fn from(v: ViewArg) -> View {
        match v {
            ViewArg::SideLeft => View::SideLeft,
            ViewArg::SideRight => View::SideRight,
            ViewArg::Rear => View::Rear,
            ViewArg::Front => View::Front,
        }
    }
}

/// `--model`'s values: the library's [`Variant`].
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ModelArg {
    Lite,
    Full,
    Heavy,
}

impl From<ModelArg> for Variant {
    fn from(m: ModelArg) -> Variant {
        match m {
            ModelArg::Lite => Variant::Lite,
            ModelArg::Full => Variant::Full,
            ModelArg::Heavy => Variant::Heavy,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Facing {
    Left,
    Right,
}

/// The inputs given: videos, or landmarks files.
fn inputs(a: &AnalyzeArgs) -> Vec<Input> {
    if a.landmarks.is_empty() {
        a.input.iter().cloned().map(Input::Video).collect()
    } else {
        a.landmarks.iter().cloned().map(Input::Landmarks).collect()
    }
}

/// The flags as a job for the library (its input: the first one given).
fn job(a: &AnalyzeArgs) -> Result<Job> {
    let Some(input) = inputs(a).into_iter().next() else { return Err(Error::Input("give a video or --landmarks FILE".into())) };
    let view = a.view.map(View::from).or(a.side_facing.map(|f| match f {
        Facing::Left => View::SideLeft,
        Facing::Right => View::SideRight,
    }));
    Ok(Job {
        input,
        out: a.out.clone(),
        view,
        height_cm: a.height_cm,
        belt_kmh: a.belt_kmh,
        capture_fps: a.capture_fps,
        name: a.name.clone(),
        model: a.model.into(),
        annotated_video: !a.no_video,
        workers: a.workers,
        metronome_pct: (!a.no_metronome).then_some(a.metronome_target),
    })
}

fn analyze(a: &AnalyzeArgs) -> Result<()> {
    let inputs = inputs(a);
    let usage = |msg: &str| -> ! { Cli::command().error(clap::error::ErrorKind::ArgumentConflict, msg).exit() };
    if inputs.len() > 2 {
        usage("an assessment takes two clips, one side and one rear or front: give at most two videos or two --landmarks files");
    }
    if inputs.len() == 2 {
        if a.view.is_some() || a.side_facing.is_some() {
            usage("--view and --side-facing apply to one clip: an assessment of two clips detects each clip's view (analyse a clip alone to give its view)");
        }
        if let Some(i) = inputs.iter().find(|i| i.path().is_dir()) {
            usage(&format!("{} is a folder: an assessment takes two files (a folder alone is a batch)", i.path().display()));
        }
        return run::assess(&job(a)?, &inputs, Console::default);
    }
    run::analyze(&job(a)?, Console::default)
}

fn compare(c: &CompareArgs) -> Result<()> {
    let (lines, written) = overstride::compare::run_folders(&c.before, &c.after, &c.out)?;
    for l in lines {
        println!("{l}");
    }
    for l in overstride::report::export::wrote_lines(&c.out, &written, &[]) {
        println!("{l}");
    }
    Ok(())
}
