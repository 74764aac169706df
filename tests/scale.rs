//! Scale without height (`--belt-kmh`): a synthetic runner filmed at a known 0.2 cm per pixel on a
//! belt moving 950 px/s (= 190 cm/s = 6.84 km/h) — the belt scale, step lengths and the belt-speed
//! check against `--height-cm` must come out as built.

mod common;
use common::synthetic::{Camera, Runner};
use common::*;
use overstride::gait::scale::{ScaleSource, StepLengthSource};
use overstride::gait::{analyze, Analysis, Options};

const CM_PER_PX: f64 = 0.2;

fn analysed(r: &Runner, height_cm: Option<f64>, belt_kmh: Option<f64>) -> Analysis {
    analyze(&r.frames(), &Options { view: None, height_cm, belt_kmh, ..Default::default() }).expect("analysis")
}

fn mean(a: &Analysis, key: &str) -> f64 {
    a.summary[key]["all"].mean
}

#[test]
fn the_belt_speed_scales_pixels_and_gives_step_lengths() {
    let r = Runner::default();
    let belt_kmh = r.belt_speed * CM_PER_PX * 0.036;
    assert!((belt_kmh - 6.84).abs() < 1e-9);
    let a = analysed(&r, None, Some(belt_kmh));
    let s = &a.scale;
    assert_eq!(s.cm_source, Some(ScaleSource::Belt));
    let k = a.cm_per_px.unwrap();
    eprintln!(
        "belt {:.1} px/s measured (950 built); cm/px {k:.4} (0.2 built); implied height {:.1} cm (built {:.1})",
        s.belt_px_s.unwrap(),
        s.height_cm_from_belt.unwrap(),
        r.leg() * CM_PER_PX / 0.491
    );
    assert!((k / CM_PER_PX - 1.0).abs() < 0.01, "cm per px {k}");
    // step length: 190 cm/s × 60/172 s a step, with no pixels in it; in % leg from the image
    assert_eq!(s.step_length_source, Some(StepLengthSource::BeltSpeedGiven));
    let step_s = 60.0 / r.cadence_spm;
    let sl_cm = mean(&a, "step_length_cm");
    assert!((sl_cm / (190.0 * step_s) - 1.0).abs() < 0.01, "step length {sl_cm} cm");
    let sl_pct = mean(&a, "step_length_pct_leg");
    assert!((sl_pct / (100.0 * r.belt_speed * step_s / r.leg()) - 1.0).abs() < 0.02, "step length {sl_pct} % leg");
    // every cm number is the % leg number on this scale, and the overstride matches the figure's
    let t = r.truth();
    let truth_cm = t.steps.iter().map(|s| s.overstride_pct_leg).sum::<f64>() / t.steps.len() as f64 * r.leg() / 100.0 * CM_PER_PX;
    let os_cm = mean(&a, "overstride_cm");
    eprintln!("overstride {os_cm:.2} cm (figure's {truth_cm:.2}); step length {sl_cm:.1} cm, {sl_pct:.1} % leg");
    assert!((os_cm - truth_cm).abs() < 1.1 / 100.0 * r.leg() * CM_PER_PX, "overstride {os_cm} cm vs {truth_cm}");
    assert!((os_cm - mean(&a, "overstride_pct_leg") * a.leg_length_px / 100.0 * k).abs() < 1e-6);
    assert!(!a.warnings.iter().any(|w| w.contains("% of leg length only")), "{:?}", a.warnings);
}

#[test]
fn the_belt_scale_holds_with_noise_low_frame_rates_and_forefoot_strikes() {
    for (fps, noise_px, foot_angle_ic_deg) in [(30.0, 1.0, 12.0), (60.0, 1.5, 12.0), (120.0, 1.0, -8.0), (60.0, 0.0, -8.0)] {
        let r = Runner { fps, noise_px, foot_angle_ic_deg, seed: 5, ..Runner::default() };
        let a = analysed(&r, None, Some(6.84));
        let k = a.cm_per_px.unwrap();
        eprintln!("{fps} fps, noise {noise_px} px, foot {foot_angle_ic_deg}°: cm/px {k:.4} ({:+.1} %)", 100.0 * (k / CM_PER_PX - 1.0));
        assert!((k / CM_PER_PX - 1.0).abs() < 0.03, "{fps} fps, {noise_px} px: {k}");
    }
}

#[test]
fn the_height_scale_is_checked_against_the_belt() {
    let r = Runner::default();
    let height = r.leg() * CM_PER_PX / 0.491;
    // consistent: the height scales the cm, the belt agrees within a few %
    let a = analysed(&r, Some(height), Some(6.84));
    assert_eq!(a.scale.cm_source, Some(ScaleSource::Height));
    let d = a.scale.belt_disagreement_pct.unwrap();
    eprintln!("height {height:.1} cm: belt from height {:.2} km/h vs 6.84 given ({d:+.1} %)", a.scale.belt_kmh_from_height.unwrap());
    assert!(d.abs() < 3.0, "{d}");
    assert!(!a.warnings.iter().any(|w| w.contains("belt speed check")), "{:?}", a.warnings);
    // height only: the belt speed it implies is reported, step lengths from it
    let a = analysed(&r, Some(height), None);
    assert!((a.scale.belt_kmh_from_height.unwrap() / 6.84 - 1.0).abs() < 0.03);
    assert_eq!(a.scale.step_length_source, Some(StepLengthSource::BeltInImageAndHeight));
    // the treadmill shows 9 km/h: 24 % off, said plainly; the cm stay on the height
    let a = analysed(&r, Some(height), Some(9.0));
    let w: Vec<&String> = a.warnings.iter().filter(|w| w.contains("belt speed check")).collect();
    assert_eq!(w.len(), 1, "{:?}", a.warnings);
    assert!(w[0].contains("treadmill shows 9.0 km/h") && w[0].contains("cm use the height"), "{}", w[0]);
    assert!((a.cm_per_px.unwrap() - a.scale.cm_per_px_from_height.unwrap()).abs() < 1e-12);
}

#[test]
fn from_behind_the_belt_gives_step_lengths_only() {
    let r = Runner { camera: Camera::Rear, ..Runner::default() };
    let a = analysed(&r, None, Some(10.0));
    assert_eq!(a.cm_per_px, None);
    let sl = mean(&a, "step_length_cm");
    assert!((sl / (10.0 / 0.036 * 60.0 / r.cadence_spm) - 1.0).abs() < 0.01, "{sl}");
    assert!(a.warnings.iter().any(|w| w.contains("no pixel scale")), "{:?}", a.warnings);
    assert!(!a.summary.contains_key("step_width_cm"));
}

#[test]
fn the_cli_takes_the_belt_speed_and_refuses_an_impossible_one() {
    let d = tempfile::tempdir().unwrap();
    let lm = d.path().join("landmarks.csv");
    write_landmarks(&Runner::default().frames(), &lm);
    let out = d.path().join("out");
    let (o, e) = run(bin().args([
        "analyze",
        "--landmarks",
        lm.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--belt-kmh",
        "6.84",
        "--no-metronome",
    ]));
    assert!(o.status.success(), "{e}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("step length cm"), "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(v["scale"]["cm_source"], "belt");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("scaled from the belt speed given"), "the page says which scale");
    let (o, e) = run(bin().args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", out.to_str().unwrap(), "--belt-kmh", "80"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(e.contains("not a treadmill belt speed"), "{e}");
}
