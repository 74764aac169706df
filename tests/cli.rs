//! The command end to end: outputs on the sample, and every bad input refused with one clear line,
//! a non-zero exit, no panic and no output left looking complete.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn assert_refused(stderr: &str, code: Option<i32>, needle: &str) {
    assert_eq!(code, Some(1), "exit code; stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(stderr.contains(needle), "expected `{needle}` in: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}

fn no_outputs(dir: &Path) {
    for f in ["landmarks.csv", "annotated.mp4"] {
        assert!(!dir.join(f).exists(), "{f} left behind");
    }
    if let Ok(rd) = std::fs::read_dir(dir) {
        let left: Vec<_> = rd.flatten().map(|e| e.file_name()).collect();
        assert!(left.is_empty(), "files left: {left:?}");
    }
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn analyze_sample_writes_landmarks_and_annotated_video() {
    let d = tempfile::tempdir().unwrap();
    let clip = d.path().join("clip.mp4");
    ffmpeg(&["-i", sample().to_str().unwrap(), "-frames:v", "45", "-c", "copy", clip.to_str().unwrap()]);
    let out = d.path().join("out");
    let (o, stderr) = run(bin().args(["analyze", clip.to_str().unwrap(), "--out", out.to_str().unwrap()]));
    assert!(o.status.success(), "{stderr}");
    let csv = std::fs::read_to_string(out.join("landmarks.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("frame,time_s,landmark,x,y,z,visibility,presence"));
    // 33 BlazePose rows a frame, then up to two sole points (rows 33 and 34, where measured)
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.iter().filter(|r| r[2].parse::<usize>().unwrap() < 33).count(), 45 * 33);
    let soles: Vec<&Vec<&str>> = rows.iter().filter(|r| r[2].parse::<usize>().unwrap() >= 33).collect();
    assert!(soles.len() <= 45 * 2 && soles.iter().all(|r| r[2] == "33" || r[2] == "34"));
    assert!(soles.iter().all(|r| r[3].parse::<f64>().is_ok_and(f64::is_finite) && r[4].parse::<f64>().is_ok_and(f64::is_finite)));
    // the annotated video decodes, upright, with every frame
    let v = overstride::video::VideoReader::open(&out.join("annotated.mp4")).unwrap();
    assert_eq!((v.info().width, v.info().height), (720, 1280));
    assert_eq!(v.info().declared_frames, Some(45));
    // nothing temporary left behind
    let names: Vec<String> = std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn rotation_tag_is_honoured() {
    // Store the first second of the sample as landscape frames, turned either way, with the rotation
    // tag that tells players to show it upright: landmarks must come back on the upright frame,
    // matching the untagged original (Debian's OpenCV 4.6 alone would deliver these upside down).
    let d = tempfile::tempdir().unwrap();
    let orig = d.path().join("o.mp4");
    ffmpeg(&["-i", sample().to_str().unwrap(), "-frames:v", "30", "-c:v", "libx264", "-crf", "12", orig.to_str().unwrap()]);
    let upright = poses_of(&orig);
    for (turn, tag) in [("transpose=2", "rotate=-90"), ("transpose=1", "rotate=90")] {
        let (turned, tagged) = (d.path().join("t.mp4"), d.path().join("r.mp4"));
        ffmpeg(&["-i", orig.to_str().unwrap(), "-vf", turn, "-c:v", "libx264", "-crf", "12", turned.to_str().unwrap()]);
        ffmpeg(&["-i", turned.to_str().unwrap(), "-c", "copy", "-metadata:s:v:0", tag, tagged.to_str().unwrap()]);
        let r = overstride::video::VideoReader::open(&tagged).unwrap();
        assert_eq!((r.info().width, r.info().height), (720, 1280), "displayed size for {turn}");
        assert_ne!(r.info().rotation_deg, 0, "{turn}: tag read");
        drop(r);
        let dists = torso_normalised_distances(&poses_of(&tagged), &upright);
        assert_eq!(dists.len(), 30 * 33);
        let med = percentile(&dists, 50.0);
        assert!(med < 0.03, "{turn}/{tag}: landmarks differ from the upright original: median {med}");
    }
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn missing_empty_text_and_truncated_videos_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let o = out.to_str().unwrap();

    let (r, e) = run(bin().args(["analyze", "/no/such/video.mp4", "--out", o]));
    assert_refused(&e, r.status.code(), "video not found: /no/such/video.mp4");

    let empty = d.path().join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    let (r, e) = run(bin().args(["analyze", empty.to_str().unwrap(), "--out", o]));
    assert_refused(&e, r.status.code(), "video file is empty");

    let text = d.path().join("notes.mp4");
    std::fs::write(&text, "this is not a video\n").unwrap();
    let (r, e) = run(bin().args(["analyze", text.to_str().unwrap(), "--out", o]));
    assert_refused(&e, r.status.code(), "not a readable video");

    // index at the front (as phones write), data cut in half: decodes part, then refused
    let fs = d.path().join("fs.mp4");
    ffmpeg(&["-i", sample().to_str().unwrap(), "-c", "copy", "-movflags", "+faststart", fs.to_str().unwrap()]);
    let bytes = std::fs::read(&fs).unwrap();
    let cut = d.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (r, e) = run(bin().args(["analyze", cut.to_str().unwrap(), "--out", o]));
    assert_refused(&e, r.status.code(), "video is truncated or damaged");
    assert!(e.contains("of the 360 frames"), "{e}");
    no_outputs(&out);

    // index at the end, cut off: cannot be opened at all
    let bytes = std::fs::read(sample()).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (r, e) = run(bin().args(["analyze", cut.to_str().unwrap(), "--out", o]));
    assert_refused(&e, r.status.code(), "not a readable video");
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn missing_or_altered_model_and_missing_runtime_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let models = d.path().join("models");
    std::fs::create_dir(&models).unwrap();
    let s = sample();
    let args = ["analyze", s.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-video"];

    let (r, e) = run(bin().args(args).env("OVERSTRIDE_MODELS_DIR", &models));
    assert_refused(&e, r.status.code(), "model file missing");
    assert!(e.contains("pose_detection.onnx"), "{e}");

    for f in ["pose_detection.onnx", "pose_landmark_full.onnx"] {
        std::fs::copy(root().join("models").join(f), models.join(f)).unwrap();
    }
    let p = models.join("pose_landmark_full.onnx");
    let mut bytes = std::fs::read(&p).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x5a;
    std::fs::write(&p, &bytes).unwrap();
    let (r, e) = run(bin().args(args).env("OVERSTRIDE_MODELS_DIR", &models));
    assert_refused(&e, r.status.code(), "model file altered or corrupt");
    assert!(e.contains("pose_landmark_full.onnx"), "{e}");

    let (r, e) = run(bin()
        .args(["analyze", s.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-video", "--model", "heavy"])
        .env("OVERSTRIDE_MODELS_DIR", &models));
    assert_refused(&e, r.status.code(), "model file missing");
    assert!(e.contains("convert_models.py"), "{e}");

    let (r, e) = run(bin().args(args).env("ORT_DYLIB_PATH", d.path().join("libonnxruntime.so")));
    assert_refused(&e, r.status.code(), "ONNX Runtime library not found");
    assert!(e.contains("install_deps.sh"), "{e}");

    let fake = d.path().join("libonnxruntime.so");
    std::fs::write(&fake, b"not a library").unwrap();
    let (r, e) = run(bin().args(args).env("ORT_DYLIB_PATH", &fake));
    assert_refused(&e, r.status.code(), "ONNX Runtime failed to load");
    no_outputs(&out);
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn no_person_low_frame_rate_and_unwritable_output_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let o = out.to_str().unwrap();

    // two seconds of an empty grey scene
    let empty = d.path().join("empty_scene.mp4");
    ffmpeg(&["-f", "lavfi", "-i", "color=c=gray:s=640x360:r=30:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", empty.to_str().unwrap()]);
    let (r, e) = run(bin().args(["analyze", empty.to_str().unwrap(), "--out", o, "--no-video"]));
    assert_refused(&e, r.status.code(), "no person found");
    no_outputs(&out);

    // the sample at 15 fps: refused before any pose work
    let slow = d.path().join("slow.mp4");
    ffmpeg(&["-i", sample().to_str().unwrap(), "-t", "2", "-r", "15", "-c:v", "libx264", slow.to_str().unwrap()]);
    let (r, e) = run(bin().args(["analyze", slow.to_str().unwrap(), "--out", o]));
    assert_refused(&e, r.status.code(), "frame rate 15.0 fps is too low");

    // an output "folder" below a regular file
    let file = d.path().join("a_file");
    std::fs::write(&file, b"x").unwrap();
    let bad_out = file.join("out");
    let lm = fixture("mediapipe_male_side.csv");
    let (r, e) = run(bin().args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", bad_out.to_str().unwrap()]));
    assert_refused(&e, r.status.code(), "cannot write output");
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn a_second_run_replaces_the_first_and_a_failed_one_keeps_it() {
    // Changed with the output-folder safety work: an earlier run's files are removed only when its
    // manifest lists them (a file this tool did not write is never deleted), and a failing run no
    // longer clears the folder first: it leaves the earlier assessment as it was.
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let o = out.to_str().unwrap();
    let lm = fixture("mediapipe_male_side.csv");
    // an earlier run's files, including a video this run will not make, and a file of the user's
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("annotated.mp4"), b"old").unwrap();
    std::fs::write(out.join("overstride-manifest.json"), br#"{"tool":"overstride","files":["annotated.mp4"]}"#).unwrap();
    std::fs::write(out.join("notes.txt"), b"mine").unwrap();
    let (r, e) = run(bin().args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", o]));
    assert!(r.status.success(), "{e}");
    assert!(out.join("report.json").exists() && out.join("steps.csv").exists());
    assert!(!out.join("annotated.mp4").exists(), "an earlier run's video left beside this run's report");
    assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"mine", "a file the tool did not write");
    let report = std::fs::read(out.join("report.json")).unwrap();
    // the same folder, a run that fails: the earlier report stays, unchanged
    let bad = d.path().join("bad.csv");
    std::fs::write(&bad, "not,a,landmarks,file\n").unwrap();
    let (r, e) = run(bin().args(["analyze", "--landmarks", bad.to_str().unwrap(), "--out", o]));
    assert_eq!(r.status.code(), Some(1), "{e}");
    assert_eq!(std::fs::read(out.join("report.json")).unwrap(), report);
    // a failing analysis of a readable file leaves it too
    let few = d.path().join("few.csv");
    let text = std::fs::read_to_string(&lm).unwrap();
    std::fs::write(&few, text.lines().take(1 + 33 * 5).collect::<Vec<_>>().join("\n")).unwrap();
    let (r, e) = run(bin().args(["analyze", "--landmarks", few.to_str().unwrap(), "--out", o]));
    assert_eq!(r.status.code(), Some(1), "{e}");
    assert!(e.contains("no person found") || e.contains("no steps") || e.contains("too short"), "{e}");
    assert_eq!(std::fs::read(out.join("report.json")).unwrap(), report);
    assert!(out.join("steps.csv").exists());
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn batch_mode_analyses_a_folder_records_failures_and_exits_non_zero() {
    let d = tempfile::tempdir().unwrap();
    let inbox = d.path().join("clinic");
    std::fs::create_dir(&inbox).unwrap();
    for name in ["anna.mp4", "ben.MOV"] {
        ffmpeg(&["-i", sample().to_str().unwrap(), "-t", "4", "-c", "copy", "-f", "mp4", inbox.join(name).to_str().unwrap()]);
    }
    std::fs::write(inbox.join("broken.mp4"), "not a video").unwrap();
    std::fs::write(inbox.join("notes.txt"), "ignored").unwrap();
    let out = d.path().join("out");
    let (r, e) = run(bin().args(["analyze", inbox.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-video"]));
    assert_eq!(r.status.code(), Some(1), "one video failed: {e}");
    assert!(e.contains("1 of 3 videos failed"), "{e}");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("anna/report.html") && index.contains("ben/report.html"), "{index}");
    assert!(index.contains("not a readable video"), "the failure is recorded: {index}");
    for who in ["anna", "ben"] {
        assert!(out.join(who).join("report.html").exists() && out.join(who).join("report.json").exists());
        // three levels deep: each video's evidence strips are swapped in with its report
        let strips = std::fs::read_dir(out.join(who).join("evidence")).map(|r| r.count()).unwrap_or(0);
        assert!(strips > 0, "{who}: no evidence strips beside its report");
        let html = std::fs::read_to_string(out.join(who).join("report.html")).unwrap();
        assert!(html.contains("evidence/"), "{who}'s page links its strips");
    }
    assert!(!out.join("notes").exists());
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn ctrl_c_stops_the_run_and_leaves_nothing_half_written() {
    let d = tempfile::tempdir().unwrap();
    let long = d.path().join("long.mp4");
    ffmpeg(&["-stream_loop", "4", "-i", sample().to_str().unwrap(), "-c", "copy", long.to_str().unwrap()]);
    let out = d.path().join("out");
    let child = bin()
        .args(["analyze", long.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // let it get into the pose stage, then press Ctrl-C
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let st = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(st.success());
    let o = child.wait_with_output().unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{e}");
    assert!(e.contains("interrupted"), "{e}");
    let left: Vec<String> =
        std::fs::read_dir(&out).map(|r| r.flatten().map(|x| x.file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "files left after Ctrl-C: {left:?}");
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn corrupted_bytes_are_refused_and_a_short_clip_is_analysed_with_a_warning() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    // 40 runs of 64 random bytes written over the middle of the sample (fixed seed)
    let mut b = std::fs::read(sample()).unwrap();
    let mut x: u64 = 0x9E3779B97F4A7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..40 {
        let i = 50_000 + (next() as usize % (b.len() - 51_000));
        for k in 0..64 {
            b[i + k] = next() as u8;
        }
    }
    let bad = d.path().join("corrupt.mp4");
    std::fs::write(&bad, &b).unwrap();
    let (r, e) = run(bin().args(["analyze", bad.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-video"]));
    assert_refused(&e, r.status.code(), "video is truncated or damaged");
    no_outputs(&out);

    // three seconds: fewer than 7 steps a side — analysed, and the report says so
    let short = d.path().join("short.mp4");
    ffmpeg(&["-i", sample().to_str().unwrap(), "-t", "3", "-c", "copy", short.to_str().unwrap()]);
    let (r, e) = run(bin().args(["analyze", short.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-video"]));
    assert!(r.status.success(), "{e}");
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(stdout.contains("fewer than 7"), "{stdout}");
    let json = std::fs::read_to_string(out.join("report.json")).unwrap();
    assert!(json.contains("fewer than 7"), "the warning is in the report");
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn with_a_second_person_in_frame_the_walker_is_followed_and_never_switched() {
    // Sports2D's demo: a man stands on a box and does a backflip while a woman walks across the
    // frame on the ground. The person moving cyclically is the walker.
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let video = fixture("sports2d_demo.mp4");
    let (r, e) = run(bin().args(["analyze", video.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-video"]));
    assert!(r.status.success(), "{e}");
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(stdout.contains("people seen"), "{stdout}");
    let frames = overstride::landmarks_io::read(&out.join("landmarks.csv")).unwrap();
    let hips: Vec<(usize, f32, f32)> = frames
        .iter()
        .filter_map(|f| {
            f.pose.as_ref().map(|p| (f.frame, (p.landmarks[23].x + p.landmarks[24].x) / 2.0, (p.landmarks[23].y + p.landmarks[24].y) / 2.0))
        })
        .collect();
    assert!(hips.len() >= 120, "the walker is followed for most of her walk: {} frames", hips.len());
    // all on the ground (the man on the box stands with his hips above y = 500)
    assert!(hips.iter().all(|h| h.2 > 600.0), "a pose off the walker: {:?}", hips.iter().find(|h| h.2 <= 600.0));
    // one continuous person: no jump between consecutive frames, and she walks right to left
    for w in hips.windows(2) {
        if w[1].0 == w[0].0 + 1 {
            let jump = (w[1].1 - w[0].1).hypot(w[1].2 - w[0].2);
            assert!(jump < 80.0, "a switch between frames {} and {}: {jump} px", w[0].0, w[1].0);
        }
    }
    assert!(hips[0].1 - hips[hips.len() - 1].1 > 800.0, "walks across the frame");
}
