//! "Same pixels, same numbers": the landmarks and the report's numbers depend on the decoded
//! frames only — not on the number of pose workers (so not on the machine's core count), not on
//! the container holding the stream — and what a player plays is accepted: a lossless trim (an
//! MP4 edit list), a clip starting on a non-keyframe; a truncated file is still refused; frames
//! repeated to a higher rate are detected and said; a run's landmarks.csv analysed again gives the
//! run's numbers.
//!
//! The command under test is the built binary, or `OVERSTRIDE_TEST_BIN` when set (to check that
//! these tests fail on an older build).

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use overstride::pose::model::{Models, Variant};
use overstride::pose::pipeline::{self, PipelineOptions};
use overstride::video::VideoReader;

fn cmd() -> Command {
    match std::env::var_os("OVERSTRIDE_TEST_BIN") {
        Some(p) => Command::new(p),
        None => bin(),
    }
}

/// `analyze VIDEO --out OUT --no-video [extra]`: (exit code, stdout, stderr).
fn analyze(video: &Path, out: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let o = cmd().arg("analyze").arg(video).arg("--out").arg(out).arg("--no-video").args(extra).output().expect("run overstride");
    (o.status.code(), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn analyzed(video: &Path, out: &Path, extra: &[&str]) -> String {
    let (code, stdout, stderr) = analyze(video, out, extra);
    assert_eq!(code, Some(0), "{video:?} {extra:?}: {stderr}");
    stdout
}

/// landmarks.csv as (frame, landmark) → [time, x, y, z, visibility, presence] (NaN where empty).
fn landmarks(csv: &Path) -> BTreeMap<(usize, usize), [f64; 6]> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut m = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let v = |i: usize| f[i].parse::<f64>().unwrap_or(f64::NAN);
        m.insert((f[0].parse().unwrap(), f[2].parse().unwrap()), [v(1), v(3), v(4), v(5), v(6), v(7)]);
    }
    m
}

/// The largest difference between two runs' landmarks (pixels; times and probabilities must be
/// equal too), and the frame where it is.
fn landmark_diff(a: &BTreeMap<(usize, usize), [f64; 6]>, b: &BTreeMap<(usize, usize), [f64; 6]>) -> (f64, usize) {
    assert_eq!(a.len(), b.len(), "different numbers of landmark rows");
    let mut worst = (0.0f64, 0usize);
    for (k, va) in a {
        let vb = b.get(k).unwrap_or_else(|| panic!("frame {} landmark {} missing", k.0, k.1));
        assert!((va[0] - vb[0]).abs() < 1e-6, "frame {}: time {} vs {}", k.0, va[0], vb[0]);
        for i in 1..6 {
            assert_eq!(va[i].is_nan(), vb[i].is_nan(), "frame {}: a pose in one run only", k.0);
            if va[i].is_finite() {
                let d = (va[i] - vb[i]).abs();
                if d > worst.0 {
                    worst = (d, k.0);
                }
            }
        }
    }
    worst
}

/// Every number in report.json with its path (the input's path is not a result).
fn numbers(json: &Path) -> BTreeMap<String, f64> {
    fn walk(v: &serde_json::Value, path: String, out: &mut BTreeMap<String, f64>) {
        match v {
            serde_json::Value::Number(n) => {
                out.insert(path, n.as_f64().unwrap());
            }
            serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| walk(x, format!("{path}[{i}]"), out)),
            serde_json::Value::Object(o) => o.iter().filter(|(k, _)| *k != "input").for_each(|(k, x)| walk(x, format!("{path}.{k}"), out)),
            serde_json::Value::String(s) => {
                // warnings and labels must match too; they hold no path
                out.insert(format!("{path}={s}"), 0.0);
            }
            _ => {}
        }
    }
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    walk(&v, String::new(), &mut out);
    out
}

fn assert_same_results(a: &Path, b: &Path, what: &str) {
    let (d, frame) = landmark_diff(&landmarks(&a.join("landmarks.csv")), &landmarks(&b.join("landmarks.csv")));
    assert!(d <= 0.1, "{what}: landmarks differ by up to {d:.3} px (frame {frame})");
    let (na, nb) = (numbers(&a.join("report.json")), numbers(&b.join("report.json")));
    let only: Vec<_> = na.keys().filter(|k| !nb.contains_key(*k)).chain(nb.keys().filter(|k| !na.contains_key(*k))).take(6).collect();
    assert!(only.is_empty(), "{what}: report.json differs: {only:?}");
    for (k, x) in &na {
        assert_eq!(x, &nb[k], "{what}: report.json {k}");
    }
    let (sa, sb) = (std::fs::read_to_string(a.join("steps.csv")).unwrap(), std::fs::read_to_string(b.join("steps.csv")).unwrap());
    assert_eq!(sa, sb, "{what}: steps.csv differs");
}

fn pose_frames(video: &Path, workers: usize) -> Vec<overstride::pose::FramePeople> {
    let models = Models::load(Variant::Full).expect("models");
    let mut seen = Vec::new();
    pipeline::run(VideoReader::open(video).unwrap(), &models, &PipelineOptions { workers }, |fp| {
        seen.push(fp.clone());
        Ok(())
    })
    .expect("pose stage");
    seen
}

fn max_workers() -> usize {
    2 * std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn landmarks_and_numbers_do_not_depend_on_the_number_of_workers() {
    // Before: the frames were dealt round-robin to one tracking chain per worker, so a frame's
    // region came from 1, 2 or 3 frames back: right overstride 21.3 / 22.1 / 20.5 % leg.
    let d = tempfile::tempdir().unwrap();
    let outs: Vec<(usize, PathBuf)> = [1usize, 2, 3, 8]
        .into_iter()
        .filter(|&w| w <= max_workers()) // the command allows two per core; 8 is run below in-process
        .map(|w| {
            let out = d.path().join(format!("w{w}"));
            analyzed(&sample(), &out, &["--workers", &w.to_string()]);
            (w, out)
        })
        .collect();
    for (w, out) in &outs[1..] {
        assert_same_results(&outs[0].1, out, &format!("--workers 1 vs {w}"));
    }
    // the run's own landmarks.csv, analysed again, gives the run's numbers exactly. Before: times
    // written to the microsecond moved toe-offs by up to 0.93 frame and overstride by 3.6 % leg
    let again = d.path().join("again");
    let lm = outs[0].1.join("landmarks.csv");
    let o = cmd().arg("analyze").arg("--landmarks").arg(&lm).arg("--out").arg(&again).output().expect("run overstride");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (na, nb) = (numbers(&outs[0].1.join("report.json")), numbers(&again.join("report.json")));
    assert_eq!(na, nb, "report.json from the video and from its landmarks.csv");
    let (sa, sb) =
        (std::fs::read_to_string(outs[0].1.join("steps.csv")).unwrap(), std::fs::read_to_string(again.join("steps.csv")).unwrap());
    assert_eq!(sa, sb, "steps.csv from the video and from its landmarks.csv");
    // 8 workers (more than this machine may run from the command line): the pose stage itself
    if std::env::var_os("OVERSTRIDE_TEST_BIN").is_none() {
        let reference = landmarks(&outs[0].1.join("landmarks.csv"));
        let (one, eight) = (pose_frames(&sample(), 1), pose_frames(&sample(), 8));
        assert_eq!(one, eight, "pose stage with 1 and 8 workers");
        // and the command's runner selection of those frames matches what --workers 1 wrote
        let kept = overstride::pose::runner::keep_runner(&eight).0;
        for f in &kept {
            let Some(p) = &f.pose else { continue };
            for (i, l) in p.landmarks.iter().enumerate() {
                let r = reference[&(f.frame, i)];
                assert!(
                    (r[1] - l.x as f64).abs() <= 0.0015 && (r[2] - l.y as f64).abs() <= 0.0015,
                    "8 workers, frame {}: {l:?} vs {r:?}",
                    f.frame
                );
            }
        }
    }
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn an_mkv_remux_gives_the_same_landmarks_and_numbers_as_the_mp4() {
    // Before: Matroska's millisecond timestamps (0, 33, 67, 100 ms…) went into the tracker's
    // smoothing and the frame times as they were, and moved landmarks by up to 78 px.
    let d = tempfile::tempdir().unwrap();
    let mkv = d.path().join("male_side.mkv");
    ffmpeg(&["-i", sample().to_str().unwrap(), "-c", "copy", mkv.to_str().unwrap()]);
    let (a, b) = (d.path().join("mp4"), d.path().join("mkv"));
    let sa = analyzed(&sample(), &a, &["--workers", "2"]);
    let sb = analyzed(&mkv, &b, &["--workers", "2"]);
    assert!(sa.contains("(720x1280, 30.0 fps)") && sb.contains("(720x1280, 30.0 fps)"), "{sa}\n{sb}");
    assert_same_results(&a, &b, "MP4 vs MKV");
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn a_lossless_trim_and_a_clip_starting_on_a_non_keyframe_are_accepted() {
    let d = tempfile::tempdir().unwrap();
    let s = sample();
    // -ss before -i with stream copy: the samples back to the previous keyframe are kept and an
    // edit list tells players to start at 2 s: 182 samples, 122 frames shown (as ffprobe counts)
    let trim = d.path().join("trim.mp4");
    ffmpeg(&["-ss", "2", "-i", s.to_str().unwrap(), "-t", "4", "-c", "copy", trim.to_str().unwrap()]);
    let out = d.path().join("trim");
    let stdout = analyzed(&trim, &out, &[]);
    assert!(stdout.contains("122 frames"), "{stdout}");
    // (BlazePose's 33 a frame; the sole points, rows 33–34, where measured)
    assert_eq!(landmarks(&out.join("landmarks.csv")).keys().filter(|k| k.1 < 33).count(), 122 * 33);
    // -ss after -i into Matroska: the clip starts on a non-keyframe; what decodes starts at the
    // next keyframe (8.33 s: 110 frames) while the container's duration says 10 s
    let nk = d.path().join("nonkey.mkv");
    ffmpeg(&["-i", s.to_str().unwrap(), "-ss", "2", "-t", "10", "-c", "copy", nk.to_str().unwrap()]);
    let out = d.path().join("nonkey");
    let stdout = analyzed(&nk, &out, &[]);
    assert!(stdout.contains("110 frames"), "{stdout}");
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn a_truncated_video_is_still_refused() {
    let d = tempfile::tempdir().unwrap();
    for (name, trim) in [("whole", false), ("trimmed", true)] {
        // index at the front (as phones write it), the data cut: decodes part of it, then refused
        let fs = d.path().join(format!("{name}.mp4"));
        let (s, f) = (sample().to_str().unwrap().to_string(), fs.to_str().unwrap().to_string());
        let args: Vec<&str> = if trim {
            vec!["-ss", "2", "-i", &s, "-t", "6", "-c", "copy", "-movflags", "+faststart", &f]
        } else {
            vec!["-i", &s, "-c", "copy", "-movflags", "+faststart", &f]
        };
        ffmpeg(&args);
        let bytes = std::fs::read(&fs).unwrap();
        let cut = d.path().join(format!("{name}-cut.mp4"));
        std::fs::write(&cut, &bytes[..bytes.len() * 6 / 10]).unwrap();
        let out = d.path().join(format!("{name}-out"));
        let (code, _, stderr) = analyze(&cut, &out, &[]);
        assert_eq!(code, Some(1), "{name}: {stderr}");
        assert!(stderr.contains("video is truncated or damaged"), "{name}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!out.join("landmarks.csv").exists());
    }
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn frames_repeated_to_a_higher_rate_are_detected() {
    // 2 s of the 30 fps sample converted to 240 fps: each frame shown 8 times. The command must
    // not claim a 240 fps clip's timing.
    let d = tempfile::tempdir().unwrap();
    let dup = d.path().join("dup240.mp4");
    ffmpeg(&[
        "-i",
        sample().to_str().unwrap(),
        "-t",
        "2",
        "-vf",
        "fps=240",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        dup.to_str().unwrap(),
    ]);
    let (code, stdout, stderr) = analyze(&dup, &d.path().join("out"), &[]);
    // (a 2 s clip may be too short for the analysis; the warning comes with the pose stage)
    let said = format!("{stdout}{stderr}");
    assert!(said.contains("frames repeat the previous one"), "exit {code:?}: {said}");
    assert!(said.contains("30.0 distinct frames per second"), "{said}");
    assert!(said.contains("not the 240.0 fps"), "{said}");

    if std::env::var_os("OVERSTRIDE_TEST_BIN").is_none() {
        let models = Models::load(Variant::Full).expect("models");
        let (info, stats) = pipeline::run(VideoReader::open(&dup).unwrap(), &models, &PipelineOptions { workers: 2 }, |_| Ok(())).unwrap();
        assert_eq!(stats.frames, 480);
        assert_eq!(info.duplicate_frames, 420, "7 of every 8 frames repeat");
        assert!((info.effective_fps - 30.0).abs() < 0.01, "{}", info.effective_fps);
        // and the original has none
        let (info, _) = pipeline::run(VideoReader::open(&sample()).unwrap(), &models, &PipelineOptions { workers: 2 }, |_| Ok(())).unwrap();
        assert_eq!((info.duplicate_frames, info.effective_fps), (0, 30.0));
        assert!(info.duplicate_warning().is_none());
    }
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn a_reader_positioned_by_time_decodes_what_a_reader_from_the_start_does() {
    // each tracking chain after the first has its own reader, seeked to its start: its frames must
    // be those, pixel for pixel and time for time, that a reader from the beginning delivers
    use opencv::prelude::*;
    let d = tempfile::tempdir().unwrap();
    let mkv = d.path().join("male_side.mkv");
    ffmpeg(&["-i", sample().to_str().unwrap(), "-c", "copy", mkv.to_str().unwrap()]);
    for video in [sample(), mkv] {
        let mut all = VideoReader::open(&video).unwrap();
        let mut from_start = Vec::new();
        while let Some(f) = all.next_frame().unwrap() {
            from_start.push((f.time_s, f.image.data_bytes().unwrap().to_vec()));
        }
        assert_eq!(from_start.len(), 360);
        // before the sample's second keyframe (frame 250), on it, and after it
        for first in [1usize, 179, 180, 250, 251, 300] {
            let mut r = VideoReader::open(&video).unwrap();
            assert!(r.seek_time((first as f64 - 0.5) / 30.0).unwrap());
            for (k, expected) in from_start.iter().enumerate().take((first + 5).min(360)).skip(first) {
                let f = r.next_frame().unwrap().unwrap();
                assert_eq!(f.time_s, expected.0, "{video:?}: frame {k} after a seek to {first}");
                assert!(f.image.data_bytes().unwrap() == &expected.1[..], "{video:?}: frame {k} pixels after a seek to {first}");
            }
        }
    }
}
