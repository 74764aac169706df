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
pub const PREFETCH_BYTES: usize = 96 << 20;

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
pub fn analyze_video(job: &Job, video: &Path, progress: &mut impl Progress) -> Result<Outcome> {
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

/// The analysis message at the library's edge: what to do, not only what went wrong.
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
    let analysis = gait::analyze(&frames, &opts).map_err(|e| analysis_refused(source, e))?;
    let retraining = gait::retraining::for_analysis(&analysis, job.metronome_pct);
    Ok(Outcome { source: source.to_path_buf(), frames, video: info, capture_fps, analysis, retraining })
}

/// Every output of an analysis into `sink`, in this order: landmarks.csv (from a video), the
/// metronome, report.json, steps.csv, the evidence strips, report.html, annotated.mp4. Key frames,
/// evidence and the annotated video are drawn from the video, decoded again; a reanalysed
/// landmarks file has none of them.
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
            .filter_map(|&side| report::key_frame::typical_step(&o.analysis, side))
            .map(|step| report::key_frame::frame_time(&o.frames, &o.analysis, step, reader.info().time_fps()))
            .collect();
        times.extend(report::evidence::frame_times(&o.frames, &o.analysis));
        reader.prefetch(&times, PREFETCH_BYTES)?;
        for side in sides {
            if let Some(step) = report::key_frame::typical_step(&o.analysis, side) {
                page.key_frames.extend(report::key_frame::render(&mut reader, &o.frames, &o.analysis, step)?);
            }
        }
        page.evidence = report::evidence::write_all(&mut reader, &o.frames, &o.analysis, sink)?;
    }
    sink.export(&report::html::Html, &page)?;
    if o.video.is_some() && job.annotated_video {
        let codec = report::annotate::write_analysed(&o.source, &sink.path("annotated.mp4")?, &o.frames, &o.analysis)?;
        sink.note("annotated.mp4", codec);
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
    let out = OutDir::open(&job.out)?;
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

/// A clip's sub-folder name in an assessment: its file stem — for a `landmarks.csv` an earlier run
/// wrote, the name of its folder (so an assessment reanalysed from its own landmarks keeps its
/// sub-folders).
fn clip_stem(input: &Input) -> String {
    let p = input.path();
    let is_landmarks_csv = matches!(input, Input::Landmarks(_)) && p.file_name().is_some_and(|n| n == "landmarks.csv");
    match p.parent().and_then(|d| d.canonicalize().ok()).and_then(|d| d.file_name().map(|n| n.to_owned())) {
        Some(dir) if is_landmarks_csv => crate::batch::safe_name(Path::new(&format!("{}.csv", dir.to_string_lossy()))),
        _ => crate::batch::safe_name(p),
    }
}

/// The sub-folder names of an assessment's clips (unique; never the assessment's own files).
pub fn clip_folders(inputs: &[Input]) -> Vec<String> {
    crate::batch::unique(inputs.iter().map(clip_stem).collect(), &[output::MANIFEST, "report.html", crate::assessment::FILE])
}

/// The files an assessment writes, relative to its folder (`prefix`: its sub-folder in a batch).
fn assessment_files(prefix: &str, folders: &[String]) -> Vec<String> {
    let mut planned = vec![format!("{prefix}report.html"), format!("{prefix}{}", crate::assessment::FILE)];
    for n in folders {
        planned.extend(output::OUTPUT_FILES.iter().map(|f| format!("{prefix}{n}/{f}")));
    }
    planned
}

/// An assessment's clips analysed, each written into `dir/<its folder>/`, then combined and its
/// assessment.json and report.html written into `dir`. Fails as a whole when a clip fails or the
/// two make no assessment (the message says which clip and what to do).
fn assess_into(
    job: &Job,
    inputs: &[Input],
    folders: &[String],
    dir: &Path,
    progress: &mut impl Progress,
) -> Result<crate::assessment::Assessment> {
    use crate::assessment::{self, json::AssessmentJson, page::AssessmentHtml, Assessed, Clip};
    let mut outcomes = Vec::new();
    for (input, folder) in inputs.iter().zip(folders) {
        let mut one = job.clone();
        one.input = input.clone();
        let dest = dir.join(folder);
        std::fs::create_dir(&dest).map_err(|e| Error::Output { path: dest.clone(), why: e.to_string() })?;
        progress.say(&format!("assessment: clip {} → {folder}/", input.path().display()));
        let o = analyze_into(&one, &mut Sink::new(&dest), progress).map_err(|e| match e {
            Error::Interrupted => e,
            e => Error::Input(format!(
                "assessment not written: the clip {} failed: {e} (an assessment needs both clips: refilm it, or analyse the other clip alone)",
                input.path().display()
            )),
        })?;
        outcomes.push(o);
    }
    let clip = |i: usize| Clip {
        input: inputs[i].path().display().to_string(),
        folder: folders[i].clone(),
        analysis: &outcomes[i].analysis,
        view_given: job.view.is_some(),
    };
    let a = assessment::combine(clip(0), clip(1), job.name.as_deref()).map_err(|r| Error::Input(r.to_string()))?;
    let side = if crate::assessment::Plane::of(outcomes[0].analysis.view) == crate::assessment::Plane::Side { 0 } else { 1 };
    let x = Assessed { assessment: &a, analyses: [&outcomes[side].analysis, &outcomes[1 - side].analysis] };
    let mut sink = Sink::new(dir);
    sink.export(&AssessmentJson, &x)?;
    sink.export(&AssessmentHtml, &x)?;
    crate::interrupt::check()?;
    progress.say(&format!("assessment: cadence — {}", a.cadence.words));
    Ok(a)
}

/// `overstride analyze SIDE REAR --out DIR` (videos or landmarks files): one assessment. Each
/// clip's outputs go into `DIR/<clip>/`, the assessment's report.html and assessment.json into
/// `DIR`; all staged and swapped in at the end, so a failing clip leaves DIR as it was.
pub fn assess<P: Progress>(job: &Job, inputs: &[Input], progress: impl Fn() -> P) -> Result<()> {
    if inputs.len() != 2 {
        return Err(Error::Input(format!("an assessment takes two clips, one side and one rear or front ({} given)", inputs.len())));
    }
    let folders = clip_folders(inputs);
    let out = OutDir::open(&job.out)?;
    let planned = assessment_files("", &folders);
    // a clip's landmarks.csv reanalysed in place stays (this run writes none for it)
    let keep: Vec<String> = inputs
        .iter()
        .zip(&folders)
        .filter(|(i, f)| matches!(i, Input::Landmarks(l) if same_file(l, &job.out.join(f.as_str()).join("landmarks.csv"))))
        .map(|(_, f)| format!("{f}/landmarks.csv"))
        .collect();
    for i in inputs {
        out.refuse_input(i.path(), &planned[..], &keep)?;
    }
    out.check_targets(&planned[..])?;
    let mut progress = progress();
    assess_into(job, inputs, &folders, out.staging(), &mut progress)?;
    let root = out.root().to_path_buf();
    let written = out.commit(&keep)?;
    let top: Vec<String> = written.iter().filter(|w| !w.contains('/')).cloned().collect();
    for line in report::export::wrote_lines(&root, &top, &[]) {
        progress.say(&line);
    }
    for f in &folders {
        progress.say(&format!("  wrote {} (the clip's own outputs)", root.join(f).display()));
    }
    Ok(())
}

/// Batch mode: every video in `dir` (or every landmarks file, `--landmarks FOLDER`), each into
/// `--out/<name>/` — two clips of one name marked side and rear/front (`batch::group`) as one
/// assessment there — and an index.html over them; a failed video's or set's error is recorded
/// (its earlier results are kept) and the others go on; the result says whether any failed. The
/// whole batch is staged and swapped in at the end, so an interrupted batch leaves every earlier
/// report.
fn batch<P: Progress>(job: &Job, dir: &Path, progress: &(impl Fn() -> P + Sync)) -> Result<()> {
    let landmarks = matches!(job.input, Input::Landmarks(_));
    let files =
        if landmarks { crate::batch::list_files(dir, crate::batch::LANDMARKS_EXTENSIONS)? } else { crate::batch::list_videos(dir)? };
    if files.is_empty() {
        return Err(Error::Input(if landmarks {
            format!("no landmarks files (csv) in {}: give a folder of landmarks.csv files", dir.display())
        } else {
            format!("no video files (mp4, mov, m4v, mkv, webm, avi) in {}: give a folder of videos", dir.display())
        }));
    }
    let as_input = |p: &Path| if landmarks { Input::Landmarks(p.to_path_buf()) } else { Input::Video(p.to_path_buf()) };
    let items = crate::batch::group(&files);
    let names = crate::batch::unique(items.iter().map(|i| i.stem()).collect(), &[output::INDEX, output::MANIFEST]);
    let clip_folders_of = |item: &crate::batch::Item| match item {
        crate::batch::Item::Set(_, clips) => clip_folders(&[as_input(&clips[0]), as_input(&clips[1])]),
        crate::batch::Item::One(_) => Vec::new(),
    };
    let out = OutDir::open(&job.out)?;
    let mut planned = vec![output::INDEX.to_string()];
    for (item, n) in items.iter().zip(&names) {
        match item {
            crate::batch::Item::One(_) => planned.extend(output::OUTPUT_FILES.iter().map(|f| format!("{n}/{f}"))),
            crate::batch::Item::Set(..) => planned.extend(assessment_files(&format!("{n}/"), &clip_folders_of(item))),
        }
    }
    for f in &files {
        out.refuse_input(f, &planned[..], &[])?;
    }
    out.check_targets(&planned[..])?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let plan = crate::batch::Plan::for_cores(cores, items.len());
    let results = crate::batch::run_all(&items, plan.concurrent, |i, item| {
        let mut one = job.clone();
        one.workers = Some(job.workers.unwrap_or(plan.workers_each));
        let mut progress = progress();
        let dest = out.staging().join(&names[i]);
        let made = std::fs::create_dir(&dest).map_err(|e| Error::Output { path: dest.clone(), why: e.to_string() });
        let (r, shown) = match item {
            crate::batch::Item::One(v) => {
                one.input = as_input(v);
                let r = made
                    .and_then(|_| analyze_into(&one, &mut Sink::new(&dest), &mut progress))
                    .map(|o| report::index::Entry::from_analysis(&names[i], v, &o.analysis));
                (r, v.display().to_string())
            }
            crate::batch::Item::Set(set, clips) => {
                let inputs = [as_input(&clips[0]), as_input(&clips[1])];
                let r = made
                    .and_then(|_| assess_into(&one, &inputs, &clip_folders_of(item), &dest, &mut progress))
                    .map(|a| report::index::Entry::from_assessment(&names[i], &a));
                (r, format!("set {set} ({} + {})", clips[0].display(), clips[1].display()))
            }
        };
        r.map_err(|e| {
            // nothing of a failed video or set is swapped in (its earlier results stay)
            let _ = std::fs::remove_dir_all(&dest);
            if !matches!(e, Error::Interrupted) {
                progress.say(&format!("{shown}: failed: {e}"));
            }
            match item {
                crate::batch::Item::Set(..) => format!("{shown}: {e}"),
                crate::batch::Item::One(_) => e.to_string(),
            }
        })
    });
    crate::interrupt::check()?;
    Sink::new(out.staging()).export(&report::index::Index, &results[..])?;
    let mut keep = Vec::new();
    for (i, r) in results.iter().enumerate() {
        if r.is_err() {
            let prefix = format!("{}/", names[i]);
            keep.extend(out.old_files().iter().filter(|f| f.starts_with(&prefix)).cloned());
        }
    }
    let path = out.root().join(output::INDEX);
    out.commit(&keep)?;
    let failed = results.iter().filter(|r| r.is_err()).count();
    let sets = items.iter().filter(|i| matches!(i, crate::batch::Item::Set(..))).count();
    let what = if sets > 0 {
        "entries"
    } else if landmarks {
        "landmarks files"
    } else {
        "videos"
    };
    progress().say(&format!(
        "batch: {} {what}{}, {} analysed, {} failed; wrote {}",
        results.len(),
        if sets > 0 { format!(" ({sets} of them assessment sets of two clips)") } else { String::new() },
        results.len() - failed,
        failed,
        path.display()
    ));
    if failed == 0 {
        Ok(())
    } else {
        Err(Error::Input(format!("{} of {} {what} failed (see {})", failed, results.len(), path.display())))
    }
}
