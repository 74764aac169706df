//! The library's entry point: a [`Job`] (what to analyse, how, into which folder) run from start to
//! finish. The binary, the tests, the benchmark and batch mode all come through here.
//!
//! One analysis is: the input opened and checked → the pose stage ([`track`]: every frame's people,
//! then the runner's poses kept) → the gait analysis (`gait::analyze`) → an [`Outcome`] →
//! [`write`]: every output into a [`Sink`] (the staging folder) → swapped into `--out`
//! (`output::OutDir`). [`analyze_video`] and [`analyze_landmarks`] stop at the `Outcome` and write
//! nothing; [`analyze`] does the whole command (one input, or a folder of videos). Nothing here
//! prints: progress and the console's lines go to a [`Progress`].

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::gait::{self, view::View, Analysis};
use crate::landmarks_io::LandmarksWriter;
use crate::output::{self, OutDir};
use crate::pose::model::{Models, Variant};
use crate::pose::pipeline::{self, PipelineOptions, PoseStats, Workers};
use crate::pose::runner::RunnerSelection;
use crate::pose::FramePose;
use crate::report::{self, Report, Sink};
use crate::video::{VideoInfo, VideoReader};
use crate::{Error, Result};

mod assess;
mod batch;

pub use assess::{assess, clip_folders};
use batch::batch;

/// What a job reads.
#[derive(Debug, Clone)]
pub enum Input {
    /// A video file, or a folder of them (batch).
    Video(PathBuf),
    /// A landmarks.csv written by an earlier run (no model needed).
    Landmarks(PathBuf),
}

impl Input {
    pub fn path(&self) -> &Path {
        match self {
            Input::Video(p) | Input::Landmarks(p) => p,
        }
    }
}

/// One `overstride analyze`: the input, the options, the output folder.
#[derive(Debug, Clone)]
pub struct Job {
    pub input: Input,
    /// The output folder (`--out`).
    pub out: PathBuf,
    /// The camera view, when given (else detected).
    pub view: Option<View>,
    pub height_cm: Option<f64>,
    pub belt_kmh: Option<f64>,
    /// The rate the clip was filmed at (`--capture-fps`), when given.
    pub capture_fps: Option<f64>,
    /// The runner's name, shown on the report.
    pub name: Option<String>,
    pub model: Variant,
    /// Write annotated.mp4.
    pub annotated_video: bool,
    /// Pose workers (default: one per core).
    pub workers: Option<usize>,
    /// The metronome's target, % above the measured step rate; None: no metronome.
    pub metronome_pct: Option<f64>,
}

/// Where a run reports while it works (as ripgrep's searcher reports to its `Sink`): the pose
/// stage's frames, and the lines for the console. Every hook does nothing by default.
pub trait Progress {
    /// The pose stage starts over `frames` frames (None: not known).
    fn begin(&mut self, _frames: Option<usize>) {}
    /// One more frame's poses found.
    fn frame(&mut self) {}
    /// The pose stage has finished.
    fn end(&mut self) {}
    /// A line for the console.
    fn say(&mut self, _line: &str) {}
}

/// A [`Progress`] that shows nothing.
pub struct Quiet;

impl Progress for Quiet {}

/// What the pose stage found: the runner's pose on every frame (everyone else's left out).
pub struct Poses {
    pub frames: Vec<FramePose>,
    /// The video's info, its repeated frames counted.
    pub info: VideoInfo,
    pub stats: PoseStats,
    pub selection: RunnerSelection,
    /// The sole points measured from the pixels (`pose::sole`).
    pub soles: crate::pose::sole::SoleStats,
    /// Wall time of the sole pass, seconds (the benchmark reports it).
    pub sole_s: f64,
}

/// The pose stage over a whole video: everyone followed on every frame, then the runner kept
/// (`pose::runner`), then each shoe's lowest point measured from the pixels (`pose::sole`: where
/// initial contact is defined, a second pass over the video).
pub fn track(reader: VideoReader, workers: &Workers, progress: &mut impl Progress) -> Result<Poses> {
    progress.begin(reader.info().planned_frames());
    let sole_reader = reader.reopen()?;
    let mut seen = Vec::new();
    let (info, stats) = pipeline::run_with(reader, workers, |fp| {
        seen.push(fp.clone());
        progress.frame();
        Ok(())
    })?;
    progress.end();
    let (mut frames, selection) = crate::pose::runner::keep_runner(&seen);
    drop(seen);
    let t = Instant::now();
    let soles = if stats.frames_with_pose > 0 { crate::pose::sole::measure(sole_reader, &mut frames)? } else { Default::default() };
    let sole_s = t.elapsed().as_secs_f64();
    Ok(Poses { frames, info, stats, selection, soles, sole_s })
}

/// Most bytes of decoded frames held for the key frames and evidence strips (`VideoReader::prefetch`;
/// the rest, on a large video, are found by a seek each): the sample's 32 frames at 720p.
pub(crate) const PREFETCH_BYTES: usize = 96 << 20;

/// One analysis, before anything is written.
pub struct Outcome {
    /// The input as given.
    pub source: PathBuf,
    /// The runner's pose per frame (what landmarks.csv holds).
    pub frames: Vec<FramePose>,
    /// The video's info; None for a landmarks file.
    pub video: Option<VideoInfo>,
    /// The capture rate analysed at (slow motion), when it is not the playback rate.
    pub capture_fps: Option<gait::CaptureFps>,
    pub analysis: Analysis,
    pub retraining: Option<gait::retraining::Retraining>,
}

/// The capture rate to analyse at: `--capture-fps`, else the video's metadata when it differs from
/// the playback rate.
fn capture_rate(job: &Job, info: Option<&VideoInfo>) -> Option<gait::CaptureFps> {
    if let Some(fps) = job.capture_fps {
        return Some(gait::CaptureFps { fps, source: gait::CaptureSource::Option });
    }
    let info = info?;
    info.capture_fps
        .filter(|c| (c / info.fps - 1.0).abs() > 0.01)
        .map(|fps| gait::CaptureFps { fps, source: gait::CaptureSource::Metadata })
}

/// The video checked before any work (a missing, unreadable or refused input, or a missing model),
/// and its models loaded.
fn open_video(job: &Job, v: &Path) -> Result<(VideoReader, Models)> {
    match std::fs::metadata(v) {
        Err(_) => return Err(Error::VideoMissing(v.to_path_buf())),
        Ok(m) if !m.is_file() => {
            return Err(Error::Input(format!("{} is not a regular file (a device, pipe or socket): give a video file", v.display())))
        }
        Ok(_) => {}
    }
    let mut reader = VideoReader::open(v)?;
    // slow motion: the pose stage and everything after it run in the capture's (real) time
    if let Some(c) = capture_rate(job, Some(reader.info())) {
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
    let models = Models::load(job.model)?;
    Ok((reader, models))
}

/// A video analysed: opened and checked, the pose stage run (its console lines said), the gait
/// analysed. Writes nothing.
pub(crate) fn analyze_video(job: &Job, video: &Path, progress: &mut impl Progress) -> Result<Outcome> {
    let (reader, models) = open_video(job, video)?;
    let started = Instant::now();
    let workers = Workers::new(&models, job.workers.unwrap_or(PipelineOptions::default().workers))?;
    let poses = track(reader, &workers, progress)?;
    let (info, stats) = (&poses.info, &poses.stats);
    if stats.frames_with_pose == 0 {
        return Err(Error::Input(format!(
            "no person found in {} ({} frames, {}x{}): film the runner whole, side-on or from behind, in good light; a runner small in the picture (far away, a wide shot) is not found — film closer, the runner filling at least half the frame height",
            video.display(),
            stats.frames,
            info.width,
            info.height
        )));
    }
    let runner_frames = poses.frames.iter().filter(|f| f.pose.is_some()).count();
    let secs = started.elapsed().as_secs_f64();
    progress.say(&format!(
        "{}: {} frames ({}x{}, {:.1} fps{}), runner's pose found on {} ({:.0} %), {:.1} frames/s",
        video.display(),
        stats.frames,
        info.width,
        info.height,
        info.fps,
        if info.time_scale != 1.0 { format!(", filmed at {:.0} fps", info.time_fps()) } else { String::new() },
        runner_frames,
        100.0 * runner_frames as f64 / stats.frames.max(1) as f64,
        stats.frames as f64 / secs
    ));
    let runner_frames = poses.frames.iter().filter(|f| f.pose.is_some()).count();
    progress.say(&format!(
        "  soles: the shoe's lowest point measured from the pixels on {} of {} foot-frames{}",
        poses.soles.points,
        2 * runner_frames,
        if poses.soles.points == 0 { " (none: the landings are timed from the landmarks alone)" } else { "" }
    ));
    if poses.selection.people > 1 {
        progress.say(&format!(
            "  {} people seen: kept the runner (seen longest, legs moving most and most regularly), left out {} poses of the others",
            poses.selection.people, poses.selection.poses_removed
        ));
    }
    // frames repeated to a higher rate: the timing is that of the distinct frames (said here, as
    // the analysis may yet refuse; the reports carry it as an alert)
    if let Some(w) = info.duplicate_warning() {
        progress.say(&format!("  note: {w}"));
    }
    analyze_frames(job, video, poses.frames, Some(poses.info))
}

/// A landmarks.csv reanalysed (no model, no video). Writes nothing.
pub fn analyze_landmarks(job: &Job, file: &Path) -> Result<Outcome> {
    let frames = crate::landmarks_io::read(file)?;
    analyze_frames(job, file, frames, None)
}

/// Fewer frames than this, each with a pose, and no leg measured: the clip is too short (a second
/// at 30 fps), rather than the landmarks not being a body.
const MIN_FRAMES_TO_MEASURE: usize = 30;

/// The analysis message at the library's edge: what to do, not only what went wrong.
fn analysis_refused(source: &Path, e: gait::AnalysisError, capture: Option<gait::CaptureFps>, view_given: bool) -> Error {
    match e {
        // a side view read facing the wrong way finds no landing at all
        gait::AnalysisError::NoSteps if view_given => Error::Input(format!(
            "{}: no steps found: the view given (--view or --side-facing) may not be the clip's — leave it out (the view is detected) — or the feet were never seen landing on the belt (film the whole body, feet included, for at least 10 s)",
            source.display()
        )),
        gait::AnalysisError::NoPerson { frames: 1, with_pose: 1 } => Error::Input(format!(
            "{}: a single frame (a still image): film a video of the runner running on the treadmill, at least 20 s",
            source.display()
        )),
        gait::AnalysisError::NoPerson { frames, with_pose } if with_pose == frames && frames < MIN_FRAMES_TO_MEASURE => {
            Error::Input(format!(
                "{}: only {frames} frames, too short to measure a runner: film at least 20 s of running",
                source.display()
            ))
        }
        gait::AnalysisError::NoPerson { frames, with_pose } if with_pose == frames => Error::Input(format!(
            "{}: a pose on all {frames} frames, but no leg could be measured from it (the landmarks do not form a runner's body \
             or do not move): film the whole body, side-on or from behind, the runner running",
            source.display()
        )),
        gait::AnalysisError::NoPerson { frames, with_pose } => Error::Input(format!(
            "{}: no person found on enough frames to analyse (a pose on {with_pose} of {frames} frames): film the whole body, \
             side-on or from behind, the runner filling at least half the frame height",
            source.display()
        )),
        gait::AnalysisError::FrameRateTooLow { fps, min } if capture.is_some_and(|c| c.source == gait::CaptureSource::Option) => {
            Error::Input(format!(
                "{}: with --capture-fps {} the clip has {fps:.1} frames per second of real time, too few to time foot strikes (need at least {min}): give the rate the phone filmed at (its slow-motion setting, e.g. 120 or 240), or leave --capture-fps out",
                source.display(),
                capture.map_or(0.0, |c| c.fps)
            ))
        }
        e => Error::Input(format!("{}: {e}", source.display())),
    }
}

fn analyze_frames(job: &Job, source: &Path, frames: Vec<FramePose>, info: Option<VideoInfo>) -> Result<Outcome> {
    let video = info.as_ref().map(|i| gait::VideoFacts {
        width: i.width,
        height: i.height,
        rotation_deg: i.rotation_deg,
        duplicate_frames: i.duplicate_frames,
        effective_fps: i.effective_fps,
        fps: i.fps,
    });
    let capture_fps = capture_rate(job, info.as_ref());
    let opts = gait::Options { view: job.view, height_cm: job.height_cm, belt_kmh: job.belt_kmh, capture_fps, video };
    let analysis = gait::analyze(&frames, &opts).map_err(|e| analysis_refused(source, e, capture_fps, job.view.is_some()))?;
    let retraining = gait::retraining::for_analysis(&analysis, job.metronome_pct);
    Ok(Outcome { source: source.to_path_buf(), frames, video: info, capture_fps, analysis, retraining })
}

/// Every output of an analysis into `sink`, in this order: landmarks.csv (from a video), the
/// metronome, report.json, steps.csv, annotated.mp4, the evidence strips, report.html. Key frames,
/// evidence and the annotated video are drawn from the video, decoded again in one pass (the
/// annotated video's, which keeps the key frames' and strips' frames on the way; without it, a
/// pass that decodes only up to the last of those); a reanalysed landmarks file has none of them.
pub fn write(job: &Job, o: &Outcome, sink: &mut Sink) -> Result<()> {
    if o.video.is_some() {
        let mut csv = LandmarksWriter::create(&sink.path("landmarks.csv")?)?;
        for fp in &o.frames {
            csv.write(fp)?;
        }
        csv.finish()?;
    }
    if let Some(m) = o.retraining.as_ref().and_then(|r| r.metronome.as_ref()) {
        sink.write(&m.file, &report::metronome::wav(m.spm)?)?;
    }
    let mut page = Report {
        analysis: &o.analysis,
        source: &o.source,
        runner: job.name.as_deref(),
        retraining: o.retraining.as_ref(),
        key_frames: Vec::new(),
        evidence: Vec::new(),
    };
    sink.export(&report::json::Json, &page)?;
    sink.export(&report::csv::Csv, &page)?;
    let mut codec = None;
    if o.video.is_some() {
        let mut reader = VideoReader::open(&o.source)?;
        // frames are found by their time, in the pose stage's (capture) time
        if let Some(c) = o.capture_fps {
            reader.set_capture_fps(c.fps);
        }
        // the key frames' and evidence strips' frames decoded in one pass, not a seek each
        let sides = [gait::events::Side::Left, gait::events::Side::Right];
        let mut times: Vec<f64> = sides
            .iter()
            .filter_map(|&side| o.analysis.typical_step(side))
            .map(|step| report::key_frame::frame_time(&o.frames, &o.analysis, step, reader.info().time_fps()))
            .collect();
        times.extend(report::evidence::frame_times(&o.frames, &o.analysis));
        if job.annotated_video {
            // the annotated video's pass decodes every frame: it keeps these on the way
            let keep = reader.plan_keep(&times, PREFETCH_BYTES);
            let (c, kept) = report::annotate::write_analysed(&o.source, &sink.path("annotated.mp4")?, &o.frames, &o.analysis, keep)?;
            reader.use_kept(kept);
            codec = Some(c);
        } else {
            reader.prefetch(&times, PREFETCH_BYTES)?;
        }
        for side in sides {
            if let Some(step) = o.analysis.typical_step(side) {
                page.key_frames.extend(report::key_frame::render(&mut reader, &o.frames, &o.analysis, step)?);
            }
        }
        page.evidence = report::evidence::write_all(&mut reader, &o.frames, &o.analysis, sink)?;
    }
    sink.export(&report::html::Html, &page)?;
    if let Some(c) = codec {
        sink.note("annotated.mp4", c);
    }
    Ok(())
}

/// One input analysed and written into `sink`; the summary said once everything is written.
fn analyze_into(job: &Job, sink: &mut Sink, progress: &mut impl Progress) -> Result<Outcome> {
    let o = match &job.input {
        Input::Landmarks(l) => analyze_landmarks(job, l)?,
        Input::Video(v) => analyze_video(job, v, progress)?,
    };
    write(job, &o, sink)?;
    crate::interrupt::check()?;
    for line in report::console::summary(&o.analysis) {
        progress.say(&line);
    }
    if let Some(r) = &o.retraining {
        progress.say(&report::console::retraining(r));
    }
    Ok(o)
}

/// The whole `overstride analyze`: one video or landmarks file into `job.out`, or every video of a
/// folder (batch). `progress` makes the [`Progress`] of each video (batch: one per video, videos
/// may run side by side) and of the command's own lines.
pub fn analyze<P: Progress>(job: &Job, progress: impl Fn() -> P + Sync) -> Result<()> {
    match &job.input {
        Input::Video(dir) | Input::Landmarks(dir) if dir.is_dir() => batch(job, dir, &progress),
        _ => single(job, &mut progress()),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// One video (or landmarks file) into `--out`: everything is written into the staging folder and
/// swapped in at the end (see `output`).
fn single(job: &Job, progress: &mut impl Progress) -> Result<()> {
    // the folder is locked and checked first (nothing in it changes until the run has finished)
    let out = OutDir::open(&job.out, output::RunKind::Analysis)?;
    // a landmarks.csv reanalysed in place stays (this run does not write one)
    let keep: Vec<String> = match &job.input {
        Input::Landmarks(l) if same_file(l, &job.out.join("landmarks.csv")) => vec!["landmarks.csv".to_string()],
        _ => Vec::new(),
    };
    out.refuse_input(job.input.path(), output::OUTPUT_FILES, &keep)?;
    out.check_targets(output::OUTPUT_FILES)?;
    let mut sink = Sink::new(out.staging());
    analyze_into(job, &mut sink, progress)?;
    let root = out.root().to_path_buf();
    let written = out.commit(&keep)?;
    for line in report::export::wrote_lines(&root, &written, sink.notes()) {
        progress.say(&line);
    }
    Ok(())
}
