//! The numbers on report.html are the numbers in report.json: for a side and a rear synthetic
//! runner (landmarks files, no model, no browser), every headline answer on the page shows the
//! summary's mean ± SE, unit, timing ± and step count of report.json for its metric and side, and
//! every row of the per-step table shows that step's values as report.json has them.

mod common;
use common::synthetic::{Camera, Runner};
use common::*;
use serde_json::Value;
use std::path::Path;

fn analyse(r: &Runner, dir: &Path, extra: &[&str]) -> (Value, String) {
    assert!(r.valid());
    let lm = dir.join("landmarks_in.csv");
    write_landmarks(&r.frames(), &lm);
    let out = dir.join("out");
    let (o, e) =
        run(bin().args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-metronome"]).args(extra));
    assert!(o.status.success(), "{e}");
    let json = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    (json, std::fs::read_to_string(out.join("report.html")).unwrap())
}

/// report.json rounds to 4 decimals and the page writes 1 (3 for times) from the unrounded
/// value: the two agree within half the page's last digit and half report.json's.
fn close(page: &str, json: f64, digits: i32) -> bool {
    page.parse::<f64>().is_ok_and(|p| (p - json).abs() <= 0.5 * 10f64.powi(-digits) + 0.5e-4 + 1e-9)
}

/// The statistic the page writes right after `prefix` (`report::html::pm`: mean ± SE unit (timing
/// ± t) (n = N)) is report.json's `s`.
fn assert_stat_after(html: &str, prefix: &str, s: &Value) {
    let at = html.find(prefix).unwrap_or_else(|| panic!("report.html has no `{prefix}`"));
    let text = &html[at + prefix.len()..];
    let (mean, rest) = text.split_once(' ').unwrap();
    assert!(close(mean, s["mean"].as_f64().unwrap(), 1), "{prefix}: mean {mean} on the page, {} in report.json", s["mean"]);
    let rest = optional_part(rest, "± ", " ", s["se"].as_f64(), "SE", prefix);
    let (unit, rest) = rest.split_once(" <span class=").unwrap();
    assert_eq!(unit, s["unit"].as_str().unwrap(), "{prefix}");
    let rest = optional_part(rest, "timing>(timing ± ", ")</span> <span class=", s["timing"].as_f64(), "timing", prefix);
    let n = rest.strip_prefix("n>(n = ").and_then(|r| r.split_once(')')).map(|(n, _)| n);
    assert_eq!(n, Some(s["n"].to_string().as_str()), "{prefix}");
}

/// A part of the statistic the page writes only where report.json has it (`marker`, then the
/// number up to `end`): on the page exactly when in report.json, and then the same number. Returns
/// the text after it.
fn optional_part<'a>(rest: &'a str, marker: &str, end: &str, json: Option<f64>, what: &str, prefix: &str) -> &'a str {
    match (rest.strip_prefix(marker), json) {
        (Some(r), Some(j)) => {
            let (v, r) = r.split_once(end).unwrap();
            assert!(close(v, j, 1), "{prefix}: {what} {v} on the page, {j} in report.json");
            r
        }
        (None, None) => rest,
        (p, j) => panic!("{prefix}: {what} on the page {}, in report.json {j:?}", p.is_some()),
    }
}

fn stat<'a>(v: &'a Value, key: &str, side: &str) -> &'a Value {
    let s = &v["summary"][key][side];
    assert!(s.is_object(), "report.json has no summary.{key}.{side}");
    s
}

/// The per-step table's rows, as their cells' text.
fn rows(html: &str) -> Vec<Vec<String>> {
    let table = &html[html.find("<h2>Every step</h2>").expect("the step table")..];
    let body = &table[table.find("<tbody>").unwrap() + 7..table.find("</tbody>").unwrap()];
    body.split("<tr")
        .skip(1)
        .map(|r| r.split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap().split(" <span").next().unwrap().to_string()).collect())
        .collect()
}

/// A table cell is the step's report.json value (`–` where it has none).
fn assert_cell(cell: &str, v: &Value, digits: i32, what: &str) {
    match v.as_f64() {
        Some(x) => assert!(close(cell, x, digits), "{what}: {cell} on the page, {x} in report.json"),
        None => assert_eq!(cell, "–", "{what}"),
    }
}

#[test]
fn a_side_views_page_shows_report_json_numbers() {
    let d = tempfile::tempdir().unwrap();
    let r = Runner { fps: 120.0, cadence_spm: 172.0, noise_px: 0.5, seed: 3, ..Runner::default() };
    let (v, html) = analyse(&r, d.path(), &["--height-cm", "178"]);
    assert!(v["view"].as_str().unwrap().starts_with("side"));
    for side in ["left", "right"] {
        assert_stat_after(&html, &format!("on the {side} foot</b>: the heel lands "), stat(&v, "overstride_pct_leg", side));
        let cm = stat(&v, "overstride_cm", side)["mean"].as_f64().unwrap();
        let at = html.find(&format!("on the {side} foot</b>: the heel lands ")).unwrap();
        let cm_shown = html[at..].split(" ahead of the centre of mass, ").nth(1).and_then(|r| r.split_once(" cm")).unwrap().0;
        assert!(close(cm_shown, cm, 1), "{side} overstride {cm_shown} cm on the page, {cm} in report.json");
    }
    assert_stat_after(&html, "<b>Shank at foot strike</b>: left ", stat(&v, "shank_angle_deg", "left"));
    let at = html.find("<b>Shank at foot strike</b>: left ").unwrap();
    let right = html[at..].find("</span>, right ").unwrap() + at;
    assert_stat_after(&html[right..], "</span>, right ", stat(&v, "shank_angle_deg", "right"));
    assert_stat_after(&html, "<b>Knee bend at foot strike</b>: ", stat(&v, "knee_flexion_ic_deg", "all"));
    assert_stat_after(&html, "<b>Peak knee bend in stance</b>: ", stat(&v, "knee_flexion_peak_deg", "all"));
    let c = html.split("<b>Cadence</b>: ").nth(1).and_then(|r| r.split_once(" steps/min")).unwrap().0;
    assert!(close(c, v["cadence_spm"].as_f64().unwrap(), 0), "cadence {c} on the page, {} in report.json", v["cadence_spm"]);
    let steps = v["steps"].as_array().unwrap();
    let rows = rows(&html);
    assert_eq!(rows.len(), steps.len());
    for (row, s) in rows.iter().zip(steps) {
        let what = format!("step {}", row[0]);
        assert_eq!(row[1], s["side"].as_str().unwrap(), "{what}");
        assert_eq!(row[3], s["ic_frame"].to_string(), "{what}");
        for (i, key, digits) in [
            (2, "ic_time_s", 3),
            (4, "contact_time_s", 3),
            (5, "flight_time_s", 3),
            (6, "overstride_pct_leg", 1),
            (7, "overstride_cm", 1),
            (8, "shank_angle_deg", 1),
            (9, "knee_flexion_ic_deg", 1),
            (10, "knee_flexion_peak_deg", 1),
        ] {
            assert_cell(&row[i], &s[key], digits, &format!("{what} {key}"));
        }
        assert_eq!(row[11], s["foot_strike"].as_str().unwrap_or("–"), "{what}");
    }
}

#[test]
fn a_rear_views_page_shows_report_json_numbers() {
    let d = tempfile::tempdir().unwrap();
    let r = Runner {
        camera: Camera::Rear,
        fps: 120.0,
        cadence_spm: 168.0,
        pelvic_drop_deg: [6.0, 3.0],
        knee_medial_px: [12.0, 6.0],
        noise_px: 0.5,
        seed: 4,
        ..Runner::default()
    };
    let (v, html) = analyse(&r, d.path(), &[]);
    assert_eq!(v["view"], "rear");
    for (side, cap) in [("left", "Left"), ("right", "Right")] {
        assert_stat_after(&html, &format!("<b>Hip drop while on the {side} foot</b>: "), stat(&v, "pelvic_drop_deg", side));
        assert_stat_after(&html, &format!("<b>{cap} knee collapse (FPPA)</b>: "), stat(&v, "fppa_deg", side));
    }
    assert_stat_after(&html, "<b>Step width</b>: ", stat(&v, "step_width_pct_leg", "all"));
    let steps = v["steps"].as_array().unwrap();
    let rows = rows(&html);
    assert_eq!(rows.len(), steps.len());
    for (row, s) in rows.iter().zip(steps) {
        let what = format!("step {}", row[0]);
        assert_eq!(row[1], s["side"].as_str().unwrap(), "{what}");
        for (i, key) in [(6, "pelvic_drop_deg"), (7, "fppa_deg"), (8, "step_width_pct_leg")] {
            assert_cell(&row[i], &s[key], 1, &format!("{what} {key}"));
        }
    }
}
