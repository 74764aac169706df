//! What every analysis of a runner must satisfy, whatever the numbers: the checks the property
//! tests (tests/fuzz.rs) run on varied synthetic runners. Each returns what is wrong, so a test can
//! also show that it rejects a corrupted analysis.

use overstride::gait::Analysis;
use overstride::pose::{FramePose, NUM_LANDMARKS};

/// Steps in time order, each IC before its TO with a positive contact time, the sides alternating,
/// and report.json's numbers all written (a NaN would be written as null).
pub fn check(a: &Analysis) -> Result<(), String> {
    if a.steps.is_empty() {
        return Err("no steps".into());
    }
    for w in a.steps.windows(2) {
        if !greater(w[1].ic_time_s, w[0].ic_time_s) {
            return Err(format!("steps out of order: IC {} then {}", w[0].ic_time_s, w[1].ic_time_s));
        }
    }
    for w in a.steps.windows(2) {
        if w[1].side == w[0].side {
            return Err(format!("two {:?} steps in a row (ICs {} and {})", w[0].side, w[0].ic_time_s, w[1].ic_time_s));
        }
    }
    for s in &a.steps {
        if let Some(to) = s.to_time_s {
            if !greater(to, s.ic_time_s) {
                return Err(format!("TO {to} not after IC {}", s.ic_time_s));
            }
        }
        if let Some(c) = s.contact_time_s {
            if !greater(c, 0.0) {
                return Err(format!("contact time {c} at IC {}", s.ic_time_s));
            }
        }
    }
    finite_json(a)
}

/// a > b, false when either is NaN.
fn greater(a: f64, b: f64) -> bool {
    a.partial_cmp(&b) == Some(std::cmp::Ordering::Greater)
}

/// The fields of a step report.json writes even when they are empty (None as null).
const NULLABLE: [&str; 5] = ["to_time_s", "contact_time_s", "flight_time_s", "step_time_s", "duty_factor"];

/// report.json parses, every statistic's mean is a number, and in each step a null stands only
/// for an empty field (a NaN in the analysis would be written as null too).
pub fn finite_json(a: &Analysis) -> Result<(), String> {
    let text = overstride::report::json::render(a, "synthetic");
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("report.json does not parse: {e}"))?;
    for (metric, sides) in v["summary"].as_object().ok_or("no summary")? {
        for (side, st) in sides.as_object().ok_or("summary entry not an object")? {
            if !st["mean"].is_number() || !st["sd"].is_number() && st["n"].as_u64() != Some(1) {
                return Err(format!("summary {metric} {side}: {st}"));
            }
        }
    }
    for (s, js) in a.steps.iter().zip(v["steps"].as_array().ok_or("no steps in report.json")?) {
        for (k, x) in js.as_object().ok_or("step not an object")? {
            let empty = match k.as_str() {
                "to_time_s" => s.to_time_s.is_none(),
                "contact_time_s" => s.contact_time_s.is_none(),
                "flight_time_s" => s.flight_time_s.is_none(),
                "step_time_s" => s.step_time_s.is_none(),
                "duty_factor" => s.duty_factor.is_none(),
                _ => false,
            };
            if x.is_null() && !(NULLABLE.contains(&k.as_str()) && empty) {
                return Err(format!("step at IC {}: {k} written as null", s.ic_time_s));
            }
        }
    }
    Ok(())
}

/// The frames as a mirror shows them: x reflected (x → −x, exact in f32: a reflection about any
/// other line would round, and the analysis does not depend on where the image's origin is) and
/// every left landmark labelled right and back (a mirrored person's left leg looks like a right one).
pub fn mirrored(frames: &[FramePose]) -> Vec<FramePose> {
    // BlazePose's left/right pairs: eyes (1–3 ↔ 4–6), ears, mouth, then 11/12 … 31/32
    let mut pairs: Vec<(usize, usize)> = vec![(1, 4), (2, 5), (3, 6), (7, 8), (9, 10)];
    pairs.extend((11..NUM_LANDMARKS).step_by(2).map(|l| (l, l + 1)));
    frames
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if let Some(p) = f.pose.as_mut() {
                for l in p.landmarks.iter_mut() {
                    l.x = -l.x;
                }
                for &(a, b) in &pairs {
                    p.landmarks.swap(a, b);
                }
            }
            f
        })
        .collect()
}

/// The same numbers with the sides exchanged: the analysis of a mirrored video against the
/// original's (within `tol` on every number; the pixel coordinates are f32).
pub fn same_with_sides_exchanged(a: &Analysis, b: &Analysis, tol: f64) -> Result<(), String> {
    if a.steps.len() != b.steps.len() {
        return Err(format!("{} steps against {}", a.steps.len(), b.steps.len()));
    }
    for (x, y) in a.steps.iter().zip(&b.steps) {
        if y.side != x.side.other() {
            return Err(format!("IC {}: {:?} mirrored is {:?}", x.ic_time_s, x.side, y.side));
        }
        let pairs = [
            ("ic_time_s", Some(x.ic_time_s), Some(y.ic_time_s)),
            ("to_time_s", x.to_time_s, y.to_time_s),
            ("overstride_pct_leg", x.overstride_pct_leg, y.overstride_pct_leg),
            ("shank_angle_deg", x.shank_angle_deg, y.shank_angle_deg),
            ("knee_flexion_ic_deg", x.knee_flexion_ic_deg, y.knee_flexion_ic_deg),
            ("knee_flexion_peak_deg", x.knee_flexion_peak_deg, y.knee_flexion_peak_deg),
            ("foot_strike_angle_deg", x.foot_strike_angle_deg, y.foot_strike_angle_deg),
            ("trunk_lean_deg", x.trunk_lean_deg, y.trunk_lean_deg),
            ("pelvic_drop_deg", x.pelvic_drop_deg, y.pelvic_drop_deg),
            ("fppa_deg", x.fppa_deg, y.fppa_deg),
            ("step_width_pct_leg", x.step_width_pct_leg, y.step_width_pct_leg),
        ];
        for (name, u, v) in pairs {
            match (u, v) {
                (Some(u), Some(v)) if (u - v).abs() <= tol => {}
                (None, None) => {}
                _ => return Err(format!("IC {}: {name} {u:?} mirrored is {v:?}", x.ic_time_s)),
            }
        }
    }
    Ok(())
}
