//! `overstride compare BEFORE AFTER`: synthetic runners with known changes (cadence +8 %,
//! overstride −5 % of leg length, pelvic drop −3°) are analysed as two sessions each, and the
//! comparison must find each change with its sign and size and call it real; the same runner
//! filmed twice (other landmark noise) and a session compared with itself must show no change;
//! refused folders give one line and exit 1.

mod common;
use common::synthetic::{Camera, Runner};
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Analyses a synthetic runner's landmarks into `dir/name` (as a clinic's session folder).
fn session(r: &Runner, dir: &Path, name: &str) -> PathBuf {
    assert!(r.valid());
    let lm = dir.join(format!("{name}.csv"));
    write_landmarks(&r.frames(), &lm);
    let out = dir.join(name);
    let (o, e) = run(bin().args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-metronome"]));
    assert!(o.status.success(), "{e}");
    out
}

fn compare(before: &Path, after: &Path, out: &Path) -> (Value, String) {
    let (o, e) = run(bin().args(["compare", before.to_str().unwrap(), after.to_str().unwrap(), "--out", out.to_str().unwrap()]));
    assert!(o.status.success(), "{e}");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(out.join("comparison.json")).unwrap()).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("What changed") && html.contains("Every measure"));
    (v, stdout)
}

fn change<'a>(v: &'a Value, key: &str, side: &str) -> &'a Value {
    v["changes"].as_array().unwrap().iter().find(|c| c["key"] == key && c["side"] == side).unwrap_or_else(|| panic!("no {key} {side}"))
}

fn mean_truth(r: &Runner, f: impl Fn(&common::synthetic::TruthStep) -> f64) -> f64 {
    let t = r.truth();
    t.steps.iter().map(&f).sum::<f64>() / t.steps.len() as f64
}

#[test]
fn known_changes_are_found_with_their_sign_and_size_and_called_real() {
    let d = tempfile::tempdir().unwrap();
    // side view, 120 fps: at 60 fps the same runners give −4.9 ± 5.7 % of leg length on the left
    // (measured): the timing of foot strike makes a 5 % change too small for two 60 fps films
    let before = Runner { fps: 120.0, cadence_spm: 165.0, shank_angle_ic_deg: 8.0, noise_px: 0.5, seed: 11, ..Runner::default() };
    let after = Runner { cadence_spm: 165.0 * 1.08, shank_angle_ic_deg: 4.62, seed: 12, ..before.clone() };
    let truth_os = mean_truth(&after, |s| s.overstride_pct_leg) - mean_truth(&before, |s| s.overstride_pct_leg);
    assert!((truth_os + 5.0).abs() < 0.2, "the synthetic change is −5 % leg: {truth_os}");
    let (b, a) = (session(&before, d.path(), "before"), session(&after, d.path(), "after"));
    let (v, stdout) = compare(&b, &a, &d.path().join("cmp"));
    eprintln!("{stdout}");
    let c = &v["cadence"];
    let pct = c["change_pct"].as_f64().unwrap();
    assert!((pct - 8.0).abs() < 0.5, "cadence change {pct} %");
    assert_eq!(c["verdict"], "real");
    assert_eq!(c["against_target"], "within");
    for side in ["left", "right"] {
        let ch = change(&v, "overstride_pct_leg", side);
        let delta = ch["change"].as_f64().unwrap();
        eprintln!("overstride {side}: {delta:+.2} ± {:.2} (truth {truth_os:+.2})", ch["uncertainty_95"]);
        assert!((delta - truth_os).abs() < 1.1, "{side}: {delta} vs {truth_os}");
        assert_eq!(ch["verdict"], "real", "{ch}");
        assert_eq!(ch["towards_advice"], true);
        assert!(ch["timing_diff"].as_f64().unwrap() > 0.0, "the timing part is in the uncertainty");
        assert!(ch["sdd_source"].as_str().unwrap().contains("none published"));
    }
    assert!(
        stdout.contains("cadence 165 → 178 steps/min: +8.") && stdout.contains("real change; within the +5–10 % retraining target"),
        "{stdout}"
    );

    // rear view: pelvic drop 6° → 3° on both sides, beyond the 2.7° smallest detectable difference
    let before = Runner {
        camera: Camera::Rear,
        pelvic_drop_deg: [6.0, 6.0],
        knee_medial_px: [10.0, 10.0],
        noise_px: 0.5,
        seed: 21,
        ..Runner::default()
    };
    let after = Runner { pelvic_drop_deg: [3.0, 3.0], seed: 22, ..before.clone() };
    let (b, a) = (session(&before, d.path(), "rear_before"), session(&after, d.path(), "rear_after"));
    let (v, stdout) = compare(&b, &a, &d.path().join("cmp_rear"));
    eprintln!("{stdout}");
    for side in ["left", "right"] {
        let ch = change(&v, "pelvic_drop_deg", side);
        let delta = ch["change"].as_f64().unwrap();
        assert!((delta + 3.0).abs() < 0.5, "{side}: {delta}");
        assert_eq!(ch["verdict"], "real", "{ch}");
        assert_eq!(ch["smallest_detectable_difference"], 2.7);
        assert!(ch["sdd_source"].as_str().unwrap().contains("Dingenen 2018"));
    }
    // the step rate did not change
    assert_eq!(v["cadence"]["verdict"], "within-noise", "{}", v["cadence"]);
}

#[test]
fn no_change_is_found_between_two_films_of_the_same_runner_or_a_session_and_itself() {
    let d = tempfile::tempdir().unwrap();
    let one = Runner { fps: 120.0, noise_px: 0.5, seed: 31, ..Runner::default() };
    let two = Runner { seed: 32, ..one.clone() };
    let (a, b) = (session(&one, d.path(), "one"), session(&two, d.path(), "two"));
    for (x, y, name) in [(&a, &a, "self"), (&a, &b, "again")] {
        let (v, stdout) = compare(x, y, &d.path().join(name));
        eprintln!("{name}: {stdout}");
        assert_ne!(v["cadence"]["verdict"], "real");
        for key in ["overstride_pct_leg", "shank_angle_deg", "knee_flexion_ic_deg", "foot_strike_angle_deg", "contact_time_s"] {
            for side in ["left", "right"] {
                let ch = change(&v, key, side);
                assert_ne!(ch["verdict"], "real", "{name}: {ch}");
                if name == "self" {
                    assert_eq!(ch["change"].as_f64().unwrap(), 0.0);
                }
            }
        }
        if name == "self" {
            assert!(v["changes"].as_array().unwrap().iter().all(|c| c["verdict"] != "real"));
            assert!(stdout.contains(" 0 of ") || stdout.starts_with("cadence") && stdout.contains("\n0 of "), "{stdout}");
        }
    }
}

#[test]
fn refused_folders_give_one_line_and_exit_1() {
    let d = tempfile::tempdir().unwrap();
    let side = session(&Runner::default(), d.path(), "side");
    let rear = session(&Runner { camera: Camera::Rear, ..Runner::default() }, d.path(), "rear");
    let empty = d.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let old = d.path().join("old");
    std::fs::create_dir(&old).unwrap();
    let text = std::fs::read_to_string(side.join("report.json")).unwrap().replacen(
        "\"schema_version\": \"1.0\"",
        "\"schema_version\": \"2.0\"",
        1,
    );
    std::fs::write(old.join("report.json"), text).unwrap();
    let out = d.path().join("cmp");
    for (b, a, needle) in [
        (&side, &empty, "has no report.json: give a results folder that `overstride analyze` wrote"),
        (&side, &rear, "cannot compare a side-left view"),
        (&old, &side, "has report schema 2.0, this overstride compares schema 1.x"),
        (&side, &side.join("nope"), "is not a folder"),
    ] {
        let (o, e) = run(bin().args(["compare", b.to_str().unwrap(), a.to_str().unwrap(), "--out", out.to_str().unwrap()]));
        assert_eq!(o.status.code(), Some(1), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
        assert!(e.starts_with("overstride: error: ") && e.contains(needle), "{e}");
        assert!(!out.exists(), "nothing written");
    }
    // --out must not be one of the sessions
    let (o, e) = run(bin().args(["compare", side.to_str().unwrap(), rear.to_str().unwrap(), "--out", side.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(1));
    assert!(e.contains("is the BEFORE folder"), "{e}");
    assert!(side.join("report.json").exists() && side.join("steps.csv").exists());
    // nor a third analysis's folder
    let (o, e) = run(bin().args(["compare", side.to_str().unwrap(), side.to_str().unwrap(), "--out", rear.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(1));
    assert!(e.contains("holds an analysis (report.json)"), "{e}");
    assert!(rear.join("report.json").exists() && rear.join("steps.csv").exists() && rear.join("report.html").exists());
}
