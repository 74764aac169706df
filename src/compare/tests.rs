use super::*;
use std::path::Path;

fn st(mean: f64, se: f64, timing: Option<f64>) -> SessionStat {
    SessionStat { mean, se: Some(se), n: 10, timing }
}

#[test]
fn change_and_its_uncertainty() {
    // SEs 0.3 and 0.4 → 0.5; timing 1.2 and 0 → 1.2; u = 1.3; 1.96 u = 2.548
    let (d, se, t, u, v) = change(st(10.0, 0.3, Some(1.2)), st(7.0, 0.4, None), None);
    assert_eq!(d, -3.0);
    assert!((se - 0.5).abs() < 1e-12 && (t - 1.2).abs() < 1e-12);
    assert!((u - 1.96 * 1.3).abs() < 1e-12);
    assert_eq!(v, Verdict::Real);
    // the same change with more timing uncertainty is within noise
    let (_, _, _, _, v) = change(st(10.0, 0.3, Some(1.5)), st(7.0, 0.4, Some(0.5)), None);
    assert_eq!(v, Verdict::WithinNoise, "1.96·√(0.25+2.5) = 3.25 > 3");
    // beyond the noise but below the SDD
    let (_, _, _, _, v) = change(st(8.0, 0.2, None), st(5.5, 0.2, None), Some(2.7));
    assert_eq!(v, Verdict::BelowSdd);
    let (_, _, _, _, v) = change(st(8.0, 0.2, None), st(5.0, 0.2, None), Some(2.7));
    assert_eq!(v, Verdict::Real);
    let (_, _, _, _, v) = change(SessionStat { mean: 1.0, se: None, n: 1, timing: None }, st(5.0, 0.2, None), None);
    assert_eq!(v, Verdict::CannotTell);
    // no change at all
    let (d, _, _, _, v) = change(st(8.0, 0.2, Some(1.0)), st(8.0, 0.2, Some(1.0)), None);
    assert_eq!((d, v), (0.0, Verdict::WithinNoise));
}

#[test]
fn cadence_against_the_target() {
    let c = cadence_change(160.0, Some(0.005), 172.8, Some(0.005));
    assert!((c.change_pct - 8.0).abs() < 1e-9);
    assert_eq!((c.verdict, c.against_target), (Verdict::Real, "within"));
    // u = 1.96 · 100 · 1.08 · 0.00707 = 1.497 %
    assert!((c.uncertainty_95_pct - 1.96 * 108.0 * 0.005f64.hypot(0.005)).abs() < 1e-9);
    assert_eq!(cadence_change(160.0, Some(0.005), 164.0, Some(0.005)).against_target, "below");
    assert_eq!(cadence_change(160.0, Some(0.005), 180.0, Some(0.005)).against_target, "above");
    assert_eq!(cadence_change(160.0, Some(0.005), 150.0, Some(0.005)).against_target, "lower");
    assert_eq!(cadence_change(160.0, Some(0.02), 161.0, Some(0.02)).verdict, Verdict::WithinNoise);
}

#[test]
fn cadence_uncertainty_from_strides() {
    // strides 0.70 and 0.72 s alternating on each foot, and one missed contact (a 1.4 s stride)
    let mut c = Vec::new();
    let mut t = 0.0;
    for k in 0..9 {
        c.push(("left".to_string(), t));
        c.push(("right".to_string(), t + 0.35));
        t += if k % 2 == 0 { 0.70 } else { 0.72 };
    }
    c.push(("left".to_string(), t + 0.71));
    let strides: Vec<f64> = (0..8).map(|k| if k % 2 == 0 { 0.70 } else { 0.72 }).collect();
    let all: Vec<f64> = strides.iter().chain(&strides).copied().collect();
    let n = all.len() as f64;
    let mean = all.iter().sum::<f64>() / n;
    let sd = (all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let r = stride_rel_se(&c).unwrap();
    assert!((r - sd / n.sqrt() / mean).abs() < 1e-12, "{r}");
    assert_eq!(stride_rel_se(&c[..4]), None);
}

#[test]
fn views_and_schemas() {
    assert!(comparable_views("side-left", "side-right") && comparable_views("rear", "front"));
    assert!(!comparable_views("side-left", "rear"));
    let p = Path::new("x/report.json");
    let e = parse_session(r#"{"schema_version":"2.0"}"#, p).unwrap_err().to_string();
    assert!(e.contains("has report schema 2.0, this overstride compares schema 1.x"), "{e}");
    let e = parse_session(r#"{"schema_version":"1.0"}"#, p).unwrap_err().to_string();
    assert!(e.contains("is not an overstride report.json"), "{e}");
    let e = parse_session("not json", p).unwrap_err().to_string();
    assert!(e.contains("is not JSON"), "{e}");
}
