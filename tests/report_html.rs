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
fn synthetic_rear_view_report_renders() {
    let d = tempfile::tempdir().unwrap();
    let r = Runner { camera: Camera::Rear, pelvic_drop_deg: [6.0, 3.0], knee_medial_px: [15.0, 5.0], ..Runner::default() };
    let a = overstride::gait::analyze(&r.frames(), &Default::default()).unwrap();
    let page = overstride::report::html::PageInput { title: "Synthetic <runner> & co", runner: Some("Test"), source: "synthetic", key_frames: vec![] };
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
fn sample_report_renders_with_key_frames() {
    let d = tempfile::tempdir().unwrap();
    let out_dir = d.path().join("out");
    let (o, e) = run(bin().args(["analyze", sample().to_str().unwrap(), "--out", out_dir.to_str().unwrap(), "--no-video", "--name", "Sample runner", "--height-cm", "178"]));
    assert!(o.status.success(), "{e}");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    for needle in ["The answers", "overstride", "Cadence", "Key frames", "Every step", "Reference ranges", "Sample runner", "cm"] {
        assert!(html.contains(needle), "report.html lacks {needle}");
    }
    let out = check(&out_dir.join("report.html"));
    assert!(out.contains("IMAGES 2 BROKEN 0"), "two key frames, both decoded: {out}");
}
