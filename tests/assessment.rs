//! `overstride analyze SIDE REAR --out DIR`: one assessment from a side and a rear clip. Synthetic
//! runners (landmarks, no model) filmed from the side and from behind: the assessment's side values
//! must be the side clip's report.json values and its rear values the rear clip's; the cadences
//! agree for the same runner and not for a runner at another cadence; two clips of one plane and
//! a failing clip are refused with nothing written (an earlier assessment kept); a batch folder
//! groups NAME_side + NAME_rear into one assessment; `compare` takes two assessments view by view.
//! The real sample as the side clip once (the model: ~20 s).

mod common;
use common::synthetic::{Camera, Runner};
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn landmarks(r: &Runner, path: &Path) -> PathBuf {
    assert!(r.valid());
    write_landmarks(&r.frames(), path);
    path.to_path_buf()
}

fn side(seed: u64) -> Runner {
    Runner { fps: 120.0, cadence_spm: 170.0, noise_px: 0.5, seed, ..Runner::default() }
}

fn rear(seed: u64, cadence_spm: f64) -> Runner {
    Runner {
        camera: Camera::Rear,
        fps: 120.0,
        cadence_spm,
        pelvic_drop_deg: [6.0, 4.0],
        knee_medial_px: [10.0, 10.0],
        noise_px: 0.5,
        seed,
        ..Runner::default()
    }
}

fn json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).unwrap()
}

fn assess(a: &Path, b: &Path, out: &Path) -> (std::process::Output, String) {
    assess_with(a, b, out, &["--no-metronome"])
}

/// `analyze --landmarks A --landmarks B --out OUT [extra]`.
fn assess_with(a: &Path, b: &Path, out: &Path, extra: &[&str]) -> (std::process::Output, String) {
    run(bin()
        .args(["analyze", "--landmarks", a.to_str().unwrap(), "--landmarks", b.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .args(extra))
}

/// Every value of the assessment's plane section equals the clip's own report.json summary.
fn check_values_are_the_clips(v: &Value, out: &Path, plane: &str, keys: &[&str]) {
    let folder = v[plane]["folder"].as_str().unwrap();
    let clip = json(&out.join(folder).join("report.json"));
    assert_eq!(v[plane]["view"], clip["view"]);
    for k in keys {
        assert!(clip["summary"][k].is_object(), "{plane} clip has {k}");
        assert_eq!(v[plane]["summary"][k], clip["summary"][k], "{plane} {k}");
    }
    let clip_entry = v["clips"].as_array().unwrap().iter().find(|c| c["folder"] == folder).unwrap();
    assert_eq!(clip_entry["cadence_spm"], clip["cadence_spm"]);
    assert_eq!(clip_entry["steps"].as_u64().unwrap() as usize, clip["steps"].as_array().unwrap().len());
}

#[test]
fn side_and_rear_make_one_assessment_with_each_clips_own_values() {
    let d = tempfile::tempdir().unwrap();
    // given rear first: the views are detected, not taken from the order
    let r = landmarks(&rear(2, 170.0), &d.path().join("anna_rear.csv"));
    let s = landmarks(&side(1), &d.path().join("anna_side.csv"));
    let out = d.path().join("anna");
    let (o, e) = assess(&r, &s, &out);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{e}\n{stdout}");
    assert!(stdout.contains("assessment: cadence — the two clips agree"), "{stdout}");
    let v = json(&out.join("assessment.json"));
    assert_eq!(v["schema_version"], "1.0");
    assert_eq!(v["clips"][0]["plane"], "side");
    assert_eq!(v["clips"][1]["plane"], "frontal");
    assert_eq!(v["clips"][1]["view"], "rear");
    check_values_are_the_clips(
        &v,
        &out,
        "side",
        &["overstride_pct_leg", "shank_angle_deg", "knee_flexion_ic_deg", "knee_flexion_peak_deg", "foot_strike_angle_deg"],
    );
    check_values_are_the_clips(&v, &out, "frontal", &["pelvic_drop_deg", "fppa_deg", "step_width_pct_leg"]);
    assert!(v["frontal"]["summary"].get("overstride_pct_leg").is_none(), "no side measure from behind");
    assert!(v["side"]["summary"].get("pelvic_drop_deg").is_none(), "no frontal measure from the side");
    // the synthetic rear runner drops the pelvis 6° in left stance, 4° in right
    let drop = |s: &str| v["frontal"]["summary"]["pelvic_drop_deg"][s]["mean"].as_f64().unwrap();
    assert!((drop("left") - 6.0).abs() < 1.0 && (drop("right") - 4.0).abs() < 1.0, "{} {}", drop("left"), drop("right"));
    // the same runner at the same cadence: agree, with the difference in steps/min and %
    let c = &v["cadence"];
    assert_eq!(c["agree"], true, "{c}");
    assert!(c["difference_spm"].as_f64().unwrap().abs() < 2.0, "{c}");
    assert!(c["difference_pct"].is_number() && c["tolerance_spm"].as_f64().unwrap() >= 0.03 * 165.0, "{c}");
    assert_eq!(c["side_spm"], json(&out.join("anna_side/report.json"))["cadence_spm"]);
    assert_eq!(c["frontal_spm"], json(&out.join("anna_rear/report.json"))["cadence_spm"]);
    // the page: answers first, both planes, the agreement, links to each clip's own report
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("page lacks {s:?}"));
    assert!(
        at("The answers") < at("From the side") && at("From the side") < at("From behind") && at("From behind") < at("Cadence, from both")
    );
    assert!(
        html.contains("<b>Step rate</b>: the two clips agree:")
            && html.contains("Hip drop while on the left foot")
            && html.contains("on the left foot</b>: the heel lands")
    );
    assert!(html.contains("href=\"anna_side/report.html\"") && html.contains("href=\"anna_rear/report.html\""));
    for f in ["anna_side/report.html", "anna_side/steps.csv", "anna_rear/report.html", "anna_rear/report.json"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    assert!(!out.join("report.json").exists(), "the assessment folder is not one clip's results");
    // the manifest lists the clips' files too, so a later run can replace them
    let m = json(&out.join("overstride-manifest.json"));
    let files: Vec<&str> = m["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(
        files.contains(&"assessment.json") && files.contains(&"anna_side/report.json") && files.contains(&"anna_rear/steps.csv"),
        "{files:?}"
    );

    // reanalysed from its own landmarks? (none: landmarks inputs write no landmarks.csv) — again
    // into the same folder: replaced whole, the same values
    let before = std::fs::read(out.join("assessment.json")).unwrap();
    let (o, e) = assess(&s, &r, &out);
    assert!(o.status.success(), "{e}");
    assert_eq!(std::fs::read(out.join("assessment.json")).unwrap(), before, "the order of the clips does not matter");
}

#[test]
fn a_runner_at_another_cadence_does_not_agree_and_is_warned_about() {
    let d = tempfile::tempdir().unwrap();
    let s = landmarks(&side(3), &d.path().join("s.csv"));
    let r = landmarks(&rear(4, 185.0), &d.path().join("r.csv"));
    let out = d.path().join("out");
    let (o, e) = assess(&s, &r, &out);
    assert!(o.status.success(), "{e}");
    let v = json(&out.join("assessment.json"));
    let c = &v["cadence"];
    assert_eq!(c["agree"], false, "{c}");
    let pct = c["difference_pct"].as_f64().unwrap();
    assert!((pct - 100.0 * 15.0 / 177.5).abs() < 1.5, "{pct}");
    assert!(v["alerts"].as_array().unwrap().iter().any(|a| a.as_str().unwrap().contains("do not agree")), "{}", v["alerts"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Check before trusting these numbers") && html.contains("<b>Step rate</b>: the two clips do not agree:"));
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn two_clips_of_one_plane_or_a_failing_clip_write_nothing_and_keep_the_earlier_assessment() {
    let d = tempfile::tempdir().unwrap();
    let s = landmarks(&side(5), &d.path().join("s.csv"));
    let s2 = landmarks(&side(6), &d.path().join("s2.csv"));
    let r = landmarks(&rear(7, 170.0), &d.path().join("r.csv"));
    let r2 = landmarks(&rear(8, 170.0), &d.path().join("r2.csv"));
    let out = d.path().join("out");
    let (o, e) = assess(&s, &r, &out);
    assert!(o.status.success(), "{e}");
    let earlier = names(&out);
    let earlier_json = std::fs::read(out.join("assessment.json")).unwrap();
    // same plane: one line, exit 1, nothing changed
    for (a, b, words) in [(&s, &s2, "both clips are side views"), (&r, &r2, "both clips are rear or front views")] {
        let (o, e) = assess(a, b, &out);
        assert_eq!(o.status.code(), Some(1), "{e}");
        assert_eq!(e.trim().lines().count(), 1, "{e}");
        assert!(e.contains(words) && e.contains("give one of each"), "{e}");
        assert_eq!(names(&out), earlier);
        assert_eq!(std::fs::read(out.join("assessment.json")).unwrap(), earlier_json);
    }
    // a clip that fails (a landmarks file with too few frames): exit 1, which clip and why
    let few = d.path().join("few.csv");
    let text = std::fs::read_to_string(&r).unwrap();
    std::fs::write(&few, text.lines().take(1 + 33 * 5).collect::<Vec<_>>().join("\n")).unwrap();
    let (o, e) = assess(&s, &few, &out);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert!(e.contains("assessment not written: the clip") && e.contains("few.csv") && e.contains("needs both clips"), "{e}");
    assert_eq!(names(&out), earlier);
    assert_eq!(std::fs::read(out.join("assessment.json")).unwrap(), earlier_json);
    // into a new folder: nothing at all is left
    let fresh = d.path().join("fresh");
    let (o, _) = assess(&s, &few, &fresh);
    assert_eq!(o.status.code(), Some(1));
    assert!(!fresh.exists(), "no folder left by a failed assessment");
    // usage: three clips, or --view with two: exit 2
    let (o, e) = run(bin().args(["analyze", "a.mp4", "b.mp4", "c.mp4", "--out", fresh.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(2), "{e}");
    let (o, e) = run(bin().args([
        "analyze",
        "--landmarks",
        s.to_str().unwrap(),
        "--landmarks",
        r.to_str().unwrap(),
        "--view",
        "rear",
        "--out",
        fresh.to_str().unwrap(),
    ]));
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("--view and --side-facing apply to one clip"), "{e}");
}

#[test]
fn a_batch_folder_groups_name_side_and_name_rear_into_one_assessment() {
    let d = tempfile::tempdir().unwrap();
    let inbox = d.path().join("clinic");
    std::fs::create_dir(&inbox).unwrap();
    landmarks(&side(9), &inbox.join("anna_side.csv"));
    landmarks(&rear(10, 170.0), &inbox.join("anna_rear.csv"));
    landmarks(&side(11), &inbox.join("ben.csv"));
    // a set whose rear clip fails: listed with its error, the others go on
    std::fs::write(inbox.join("cara_side.csv"), "not,a,landmarks,file\n").unwrap();
    landmarks(&rear(12, 170.0), &inbox.join("cara-rear.csv"));
    let out = d.path().join("out");
    let (o, e) = run(bin().args(["analyze", "--landmarks", inbox.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-metronome"]));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "cara's set failed: {e}\n{stdout}");
    assert!(stdout.contains("batch: 3 entries (2 of them assessment sets of two clips), 2 analysed, 1 failed"), "{stdout}");
    let v = json(&out.join("anna/assessment.json"));
    check_values_are_the_clips(&v, &out.join("anna"), "side", &["overstride_pct_leg", "shank_angle_deg"]);
    check_values_are_the_clips(&v, &out.join("anna"), "frontal", &["pelvic_drop_deg", "fppa_deg"]);
    assert_eq!(v["cadence"]["agree"], true);
    assert!(out.join("anna/anna_side/report.html").is_file() && out.join("anna/anna_rear/steps.csv").is_file());
    assert!(out.join("ben/report.json").is_file(), "a file of no set is analysed alone as before");
    assert!(!out.join("cara").exists(), "a failed set writes nothing");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("href=\"anna/report.html\">assessment: anna_side.csv + anna_rear.csv</a>"), "{index}");
    assert!(index.contains("side-left + rear") || index.contains("side-right + rear"), "{index}");
    assert!(index.contains("href=\"ben/report.html\""), "{index}");
    assert!(index.contains("set cara") && index.contains("cara_side.csv"), "the failed set and its clip are named: {index}");
}

#[test]
fn compare_takes_two_assessments_view_by_view() {
    let d = tempfile::tempdir().unwrap();
    let mut dirs = Vec::new();
    for (name, cadence) in [("before", 165.0), ("after", 165.0 * 1.08)] {
        let s = landmarks(
            &Runner { cadence_spm: cadence, ..side(if name == "before" { 13 } else { 14 }) },
            &d.path().join(format!("{name}_side.csv")),
        );
        let r = landmarks(&rear(if name == "before" { 15 } else { 16 }, cadence), &d.path().join(format!("{name}_rear.csv")));
        let out = d.path().join(name);
        let (o, e) = assess(&s, &r, &out);
        assert!(o.status.success(), "{e}");
        dirs.push(out);
    }
    let cmp = d.path().join("cmp");
    let (o, e) = run(bin().args(["compare", dirs[0].to_str().unwrap(), dirs[1].to_str().unwrap(), "--out", cmp.to_str().unwrap()]));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{e}\n{stdout}");
    for plane in ["side", "frontal"] {
        let c = json(&cmp.join(plane).join("comparison.json"));
        let pct = c["cadence"]["change_pct"].as_f64().unwrap();
        assert!((pct - 8.0).abs() < 1.0, "{plane}: {pct}");
        assert!(cmp.join(plane).join("report.html").is_file());
    }
    let side = json(&cmp.join("side/comparison.json"));
    assert!(side["changes"].as_array().unwrap().iter().any(|c| c["key"] == "overstride_pct_leg"));
    let rear = json(&cmp.join("frontal/comparison.json"));
    assert!(rear["changes"].as_array().unwrap().iter().any(|c| c["key"] == "pelvic_drop_deg"));
    let page = std::fs::read_to_string(cmp.join("report.html")).unwrap();
    assert!(page.contains("href=\"side/report.html\"") && page.contains("href=\"frontal/report.html\""), "{page}");
    // an assessment against one clip's folder: refused, saying what to pass
    let (o, e) = run(bin().args([
        "compare",
        dirs[0].to_str().unwrap(),
        dirs[1].join("after_side").to_str().unwrap(),
        "--out",
        d.path().join("x").to_str().unwrap(),
    ]));
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("is an assessment") && e.contains("before_side"), "{e}");
}

#[test]
#[cfg_attr(not(feature = "external-tests"), ignore = "needs the model, ffmpeg or a browser: scripts/test.sh runs it")]
fn the_sample_video_as_the_side_clip() {
    let d = tempfile::tempdir().unwrap();
    // a rear clip at the sample's cadence (168 steps/min) and frame rate (30 fps); the library
    // takes a video and a landmarks file in one assessment (the command takes two of one kind)
    let r = landmarks(&Runner { fps: 30.0, ..rear(17, 168.0) }, &d.path().join("anna_rear.csv"));
    let out = d.path().join("out");
    let job = overstride::run::Job {
        input: overstride::run::Input::Video(sample()),
        out: out.clone(),
        view: None,
        height_cm: None,
        belt_kmh: None,
        capture_fps: None,
        name: Some("Sample".into()),
        model: overstride::pose::model::Variant::Full,
        annotated_video: false,
        workers: None,
        metronome_pct: Some(7.5),
    };
    let inputs = [overstride::run::Input::Landmarks(r), overstride::run::Input::Video(sample())];
    overstride::run::assess(&job, &inputs, || overstride::run::Quiet).unwrap();
    let v = json(&out.join("assessment.json"));
    assert_eq!(v["side"]["folder"], "male_side");
    assert_eq!(v["runner"], "Sample");
    check_values_are_the_clips(
        &v,
        &out,
        "side",
        &["overstride_pct_leg", "shank_angle_deg", "knee_flexion_ic_deg", "foot_strike_angle_deg"],
    );
    check_values_are_the_clips(&v, &out, "frontal", &["pelvic_drop_deg", "fppa_deg"]);
    assert_eq!(v["cadence"]["agree"], true, "{}", v["cadence"]);
    // the clip's own outputs, three levels deep: its evidence strips and its metronome
    for f in [
        "male_side/landmarks.csv",
        "male_side/evidence/left_typical.png",
        "male_side/evidence/right_most.png",
        "male_side/metronome_181.wav",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let clip_page = std::fs::read_to_string(out.join("male_side/report.html")).unwrap();
    assert!(clip_page.contains("evidence/left_typical.png"));
}

#[test]
fn assessment_json_matches_its_schema() {
    let d = tempfile::tempdir().unwrap();
    let s = landmarks(&side(18), &d.path().join("s.csv"));
    let r = landmarks(&rear(19, 170.0), &d.path().join("r.csv"));
    let out = d.path().join("out");
    let (o, e) = assess_with(&s, &r, &out, &["--name", "Anna"]);
    assert!(o.status.success(), "{e}");
    let schema = json(&root().join("docs/assessment.schema.json"));
    let mut v = json(&out.join("assessment.json"));
    let mut errs = Vec::new();
    common::schema::check(&schema, &v, "$", &mut errs);
    assert!(errs.is_empty(), "schema violations:\n{}", errs.join("\n"));
    assert_eq!(v["runner"], "Anna");
    // the check can fail: a field the schema does not document, a wrong type
    v["cadence"]["agree"] = Value::from("yes");
    v["extra"] = Value::from(1);
    let mut errs = Vec::new();
    common::schema::check(&schema, &v, "$", &mut errs);
    assert_eq!(errs.len(), 2, "{errs:?}");
}

/// The pure combination, through the library without the command: a view that was not detected
/// is refused; so are two clips of one plane; the sides are found whatever the order.
#[test]
fn combine_refuses_an_undetected_view_and_one_plane_twice() {
    use overstride::assessment::{combine, Clip, Refusal};
    let d = tempfile::tempdir().unwrap();
    let job = |p: &Path| overstride::run::Job {
        input: overstride::run::Input::Landmarks(p.to_path_buf()),
        out: d.path().join("unused"),
        view: None,
        height_cm: None,
        belt_kmh: None,
        capture_fps: None,
        name: None,
        model: overstride::pose::model::Variant::Full,
        annotated_video: false,
        workers: None,
        metronome_pct: None,
    };
    let s = landmarks(&side(20), &d.path().join("s.csv"));
    let r = landmarks(&rear(21, 170.0), &d.path().join("r.csv"));
    let os = overstride::run::analyze_landmarks(&job(&s), &s).unwrap();
    let or = overstride::run::analyze_landmarks(&job(&r), &r).unwrap();
    fn clip<'a>(o: &'a overstride::run::Outcome, name: &str) -> Clip<'a> {
        Clip { input: name.into(), folder: name.into(), analysis: &o.analysis, view_given: false }
    }
    let a = combine(clip(&or, "r"), clip(&os, "s"), None).unwrap();
    assert_eq!((a.clips[0].folder.as_str(), a.clips[1].folder.as_str()), ("s", "r"));
    assert_eq!(a.side.summary["overstride_pct_leg"], os.analysis.summary["overstride_pct_leg"]);
    assert_eq!(a.frontal.summary["pelvic_drop_deg"], or.analysis.summary["pelvic_drop_deg"]);
    assert!(matches!(combine(clip(&os, "s"), clip(&os, "s2"), None), Err(Refusal::SamePlane { .. })));
    let mut unknown = overstride::run::analyze_landmarks(&job(&r), &r).unwrap();
    unknown.analysis.view_detected = false;
    let e = combine(clip(&os, "s"), clip(&unknown, "r"), None).unwrap_err();
    assert_eq!(e, Refusal::ViewUnknown { input: "r".into() });
    assert!(e.to_string().contains("could not be detected") && e.to_string().contains("--view"));
}
