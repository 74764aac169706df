//! report.html renders in a real browser (headless Chromium, scripts/check_report.sh): a screenshot
//! is written, no console error, every image decodes, nothing is fetched from the network. Checked on
//! a synthetic rear-view runner (no video: no key frames) and on the real sample (key frames).

mod common;
use common::synthetic::{Camera, Runner};
use common::*;

fn check(html: &std::path::Path) -> String {
    let shot = html.with_extension("png");
    let o = std::process::Command::new("bash")
        .arg(root().join("scripts/check_report.sh"))
        .arg(html)
        .arg(&shot)
        .output()
        .expect("run scripts/check_report.sh (needs chromium: scripts/test.sh installs it)");
    let (out, err) = (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned());
    assert!(o.status.success(), "check_report failed: {out}{err}");
    assert!(std::fs::metadata(&shot).map(|m| m.len() > 10_000).unwrap_or(false), "no screenshot");
    out
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn synthetic_rear_view_report_renders() {
    let d = tempfile::tempdir().unwrap();
    let r = Runner { camera: Camera::Rear, pelvic_drop_deg: [6.0, 3.0], knee_medial_px: [15.0, 5.0], ..Runner::default() };
    let a = overstride::gait::analyze(&r.frames(), &Default::default()).unwrap();
    let page = overstride::report::html::PageInput {
        title: "Synthetic <runner> & co",
        runner: Some("Test"),
        source: "synthetic",
        key_frames: &[],
        evidence: &[],
        retraining: None,
    };
    let html = overstride::report::html::render(&a, &page);
    assert!(html.contains("Synthetic &lt;runner&gt; &amp; co"), "titles are escaped");
    assert!(html.contains("Hip drop while on the left foot") && html.contains("FPPA"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    let p = d.path().join("report.html");
    std::fs::write(&p, html).unwrap();
    let out = check(&p);
    assert!(out.contains("IMAGES 0 BROKEN 0"), "{out}");
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn sample_report_renders_with_key_frames() {
    let d = tempfile::tempdir().unwrap();
    let out_dir = d.path().join("out");
    let (o, e) = run(bin().args([
        "analyze",
        sample().to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--no-video",
        "--name",
        "Sample runner",
        "--height-cm",
        "178",
    ]));
    assert!(o.status.success(), "{e}");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    for needle in [
        "The answers",
        "overstride",
        "Cadence",
        "Key frames",
        "Every step",
        "Reference ranges",
        "Sample runner",
        "cm",
        "Cadence retraining",
        "metronome_",
        "<b>Scale</b>: every cm number",
    ] {
        assert!(html.contains(needle), "report.html lacks {needle}");
    }
    let out = check(&out_dir.join("report.html"));
    assert!(out.contains("IMAGES 8 BROKEN 0"), "two key frames and six evidence strips, all decoded: {out}");
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn frontal_key_frames_show_the_peak_pelvic_drop() {
    // the synthetic rear-view runner's landmarks drawn over a plain video of the same length
    let d = tempfile::tempdir().unwrap();
    let r = Runner { camera: Camera::Rear, pelvic_drop_deg: [7.0, 3.0], knee_medial_px: [15.0, 5.0], duration_s: 6.0, ..Runner::default() };
    let frames = r.frames();
    let video = d.path().join("plain.mp4");
    let st = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "color=c=gray:s=1280x1400:r=60:d=6", "-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&video)
        .status()
        .unwrap();
    assert!(st.success());
    let a = overstride::gait::analyze(&frames, &Default::default()).unwrap();
    let mut reader = overstride::video::VideoReader::open(&video).unwrap();
    let mut keys = Vec::new();
    for side in [overstride::gait::events::Side::Left, overstride::gait::events::Side::Right] {
        let step = a.typical_step(side).expect("a typical step");
        let peak = step.peak_drop_frame.expect("peak-drop frame");
        assert!(peak >= step.ic_frame, "the peak is in the stance");
        let (caption, png) = overstride::report::key_frame::render(&mut reader, &frames, &a, step).unwrap().expect("key frame");
        assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000);
        assert!(caption.contains("peak pelvic drop") && caption.contains(&format!("frame {peak}")), "{caption}");
        keys.push((caption, png));
    }
    let page = overstride::report::html::PageInput {
        title: "Rear view",
        runner: None,
        source: "synthetic",
        key_frames: &keys,
        evidence: &[],
        retraining: None,
    };
    let p = d.path().join("report.html");
    std::fs::write(&p, overstride::report::html::render(&a, &page)).unwrap();
    let out = check(&p);
    assert!(out.contains("IMAGES 2 BROKEN 0"), "{out}");
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn comparison_page_renders() {
    // two synthetic sessions (the second with a higher step rate), compared through the CLI
    let d = tempfile::tempdir().unwrap();
    let mut folders = Vec::new();
    for (name, cadence_spm) in [("before", 165.0), ("after", 178.0)] {
        let lm = d.path().join(format!("{name}.csv"));
        write_landmarks(&Runner { cadence_spm, ..Runner::default() }.frames(), &lm);
        let out = d.path().join(name);
        let (o, e) = run(bin().args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-metronome"]));
        assert!(o.status.success(), "{e}");
        folders.push(out);
    }
    let cmp = d.path().join("cmp");
    let (o, e) = run(bin().args(["compare", folders[0].to_str().unwrap(), folders[1].to_str().unwrap(), "--out", cmp.to_str().unwrap()]));
    assert!(o.status.success(), "{e}");
    let html = std::fs::read_to_string(cmp.join("report.html")).unwrap();
    for needle in ["What changed", "Step rate 165 → 178", "Before and after, per side", "Every measure", "Dingenen 2018"] {
        assert!(html.contains(needle), "the comparison page lacks {needle}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    let out = check(&cmp.join("report.html"));
    assert!(out.contains("IMAGES 0 BROKEN 0"), "{out}");
}
