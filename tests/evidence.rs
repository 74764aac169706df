//! Evidence frames (issue #14 item 3) on the sample: per side the typical, most and least
//! overstriding landings as 5-frame strips, 480 px high, written under evidence/ and linked from
//! report.html. Needs the model and the sample video (run by scripts/test.sh).

mod common;
use common::*;

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[1..4], b"PNG");
    let be = |o: usize| u32::from_be_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
    (be(16), be(20))
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn the_sample_has_six_strips_linked_from_the_report() {
    let out = tempfile::tempdir().unwrap();
    let (o, text) = run(bin().arg("analyze").arg(sample()).args(["--out", out.path().to_str().unwrap(), "--no-video"]));
    assert!(o.status.success(), "{text}");
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    let manifest = std::fs::read_to_string(out.path().join("overstride-manifest.json")).unwrap();
    for side in ["left", "right"] {
        for kind in ["typical", "most", "least"] {
            let rel = format!("evidence/{side}_{kind}.png");
            let (w, h) = png_size(&std::fs::read(out.path().join(&rel)).unwrap());
            assert_eq!(h, overstride::report::evidence::PANEL_HEIGHT_PX, "{rel}");
            // five enlarged panels of a lower-body crop (taller than wide, but not a sliver)
            assert!(w > 5 * 200 && w < 5 * 700, "{rel}: {w}x{h}");
            assert!(html.contains(&format!("src='{rel}'")), "{rel} not in report.html");
            assert!(manifest.contains(&rel), "{rel} not in the manifest");
        }
    }
}
