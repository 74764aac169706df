//! report.json matches docs/report.schema.json (side and rear views, with and without a height),
//! and `analyze --landmarks` reanalyses a landmarks file without the model.

mod common;
use common::schema::check;
use common::synthetic::{Camera, Runner};
use common::*;
use serde_json::Value;

fn schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap()).unwrap()
}

fn assert_valid(report: &str) -> Value {
    let v: Value = serde_json::from_str(report).expect("report.json is JSON");
    let mut errs = Vec::new();
    check(&schema(), &v, "$", &mut errs);
    assert!(errs.is_empty(), "schema violations:\n{}", errs.join("\n"));
    v
}

#[test]
fn reports_of_side_and_rear_views_match_the_schema() {
    for (camera, height) in [(Camera::SideFacingLeft, Some(178.0)), (Camera::Rear, None), (Camera::SideFacingRight, None)] {
        let r = Runner { camera, pelvic_drop_deg: [5.0, 5.0], knee_medial_px: [10.0, 10.0], ..Runner::default() };
        let a = overstride::gait::analyze(&r.frames(), &overstride::gait::Options { view: None, height_cm: height, ..Default::default() })
            .unwrap();
        let v = assert_valid(&overstride::report::json::render(&a, "synthetic"));
        let step = &v["steps"][0];
        match camera {
            Camera::Rear => {
                assert!(step.get("pelvic_drop_deg").is_some() && step.get("overstride_pct_leg").is_none());
                assert_eq!(v["view"], "rear");
            }
            _ => {
                assert!(step.get("overstride_pct_leg").is_some() && step.get("pelvic_drop_deg").is_none());
                assert_eq!(step.get("overstride_cm").is_some(), height.is_some());
            }
        }
        let csv = overstride::report::csv::render(&a);
        assert_eq!(csv.lines().count(), a.steps.len() + 1);
        steps_csv_is_csv(&csv, &a);
    }
}

#[test]
fn reports_with_a_belt_speed_match_the_schema() {
    for (camera, height, belt) in
        [(Camera::SideFacingLeft, None, Some(6.84)), (Camera::SideFacingLeft, Some(180.0), Some(9.0)), (Camera::Rear, None, Some(10.0))]
    {
        let r = Runner { camera, ..Runner::default() };
        let a = overstride::gait::analyze(
            &r.frames(),
            &overstride::gait::Options { view: None, height_cm: height, belt_kmh: belt, ..Default::default() },
        )
        .unwrap();
        let v = assert_valid(&overstride::report::json::render(&a, "synthetic"));
        assert!(v["scale"]["step_length_source"].is_string(), "{}", v["scale"]);
        assert!(v["steps"][0]["step_length_cm"].is_number());
    }
}

#[test]
fn reanalysing_a_landmarks_file_needs_no_model_and_honours_the_options() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let lm = fixture("mediapipe_male_side.csv");
    // no model available at all: must not matter
    let (o, e) = run(bin()
        .args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", out.to_str().unwrap(), "--height-cm", "180", "--view", "side-left"])
        .env("OVERSTRIDE_MODELS_DIR", d.path())
        .env("ORT_DYLIB_PATH", d.path().join("none.so")));
    assert!(o.status.success(), "{e}");
    let v = assert_valid(&std::fs::read_to_string(out.join("report.json")).unwrap());
    assert_eq!(v["view"], "side-left");
    assert_eq!(v["view_detected"], false);
    assert!(v["cm_per_px"].as_f64().unwrap() > 0.0);
    assert!(v["steps"].as_array().unwrap().len() >= 20);
    let csv = std::fs::read_to_string(out.join("steps.csv")).unwrap();
    assert!(csv.starts_with("side,ic_frame,ic_time_s"));
    let rows = common::csv::parse(&csv).unwrap_or_else(|e| panic!("steps.csv is not CSV: {e}"));
    assert_eq!(rows.len(), v["steps"].as_array().unwrap().len() + 1);
    // a step left out names why, in its own field
    let excluded = rows[0].iter().position(|c| c == "excluded").unwrap();
    for (row, step) in rows[1..].iter().zip(v["steps"].as_array().unwrap()) {
        assert_eq!(row[excluded], step["excluded"].as_str().unwrap_or("").replace('"', "'"));
    }

    // a broken landmarks file: one clear line naming the line
    let bad = d.path().join("bad.csv");
    std::fs::write(&bad, "frame,time_s,landmark,x,y,z,visibility,presence\n0,0,99,1,2,3,0.5,0.5\n").unwrap();
    let (o, e) = run(bin().args(["analyze", "--landmarks", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(1));
    assert!(e.contains("line 2") && e.contains("landmark 99"), "{e}");
    // an impossible height is refused by the option parser
    let (o, e) = run(bin().args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", out.to_str().unwrap(), "--height-cm", "18"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(e.contains("not a runner's height"), "{e}");
}

/// steps.csv parses as strict CSV: the header is `COLUMNS`, one record per step, each as wide as
/// the header, and each step's side, IC frame, exclusion and every metric read back as written.
fn steps_csv_is_csv(csv: &str, a: &overstride::gait::Analysis) {
    let rows = common::csv::parse(csv).unwrap_or_else(|e| panic!("steps.csv is not CSV: {e}\n{csv}"));
    assert_eq!(rows[0], overstride::report::csv::COLUMNS);
    assert_eq!(rows.len(), a.steps.len() + 1);
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    for (row, s) in rows[1..].iter().zip(&a.steps) {
        assert_eq!(row[col("side")], s.side.as_str());
        assert_eq!(row[col("ic_frame")], s.ic_frame.to_string());
        assert_eq!(row[col("excluded")], s.excluded.as_ref().map(|e| e.to_string()).unwrap_or_default().replace('"', "'"));
        // every metric's column holds the step's value (written to 4 decimals; empty when none)
        for m in overstride::gait::metric::METRICS.iter().filter(|m| m.per_side) {
            let cell = &row[col(m.key)];
            match (m.step)(s).filter(|v| v.is_finite()) {
                Some(v) => {
                    let got: f64 = cell.parse().unwrap_or_else(|_| panic!("{}: `{cell}` is not a number", m.key));
                    assert!((got - v).abs() <= 5.1e-5, "{}: {got} in steps.csv, {v} in the analysis", m.key);
                }
                None => assert_eq!(cell, "", "{}", m.key),
            }
        }
    }
}

#[test]
fn strict_csv_reads_quotes_and_refuses_what_is_not_csv() {
    let r = common::csv::parse("a,b,c\n1,\"x, \"\"y\"\"\",\n").unwrap();
    assert_eq!(r, vec![vec!["a", "b", "c"], vec!["1", "x, \"y\"", ""]]);
    assert!(common::csv::parse("a,b\n1,\"open\n").is_err());
    assert!(common::csv::parse("a,b\n1,\"q\"x\n").is_err());
    assert!(common::csv::parse("a,b\n1,x\"y\n").is_err());
    assert!(common::csv::parse("a,b\n1,2,3\n").is_err());
    assert!(common::csv::parse("a,b\n1\n").is_err());
}
