//! The metrics: one table of every number the summary holds — its key (report.json's `summary`,
//! steps.csv's column), unit, words, the step field it is read from, the part of it that comes
//! from the timing of initial contact, the way the usual advice wants it to go, and its reference
//! with the source. The analysis summarises [`METRICS`]; the report, the CSV, the comparison, the
//! assessment and the console read the same entries. A new metric is one entry here (and its
//! field on [`Step`]).

use std::collections::BTreeMap;

use crate::gait::analysis::{AtContactTiming, Step};
use crate::gait::summary::Stat;

/// The direction the usual advice wants a metric to go (the other way is "worse").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aim {
    /// Lower is the aim (e.g. overstride, pelvic drop).
    Lower,
}

impl Aim {
    /// The sign of a change in the advised direction.
    pub fn sign(self) -> f64 {
        match self {
            Aim::Lower => -1.0,
        }
    }
}

/// What a metric is read against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reference {
    /// A running population's mean and SD.
    Norm { mean: f64, sd: f64, source: &'static str },
    /// Bands: up to `none` no finding, up to `borderline` borderline, beyond it clear.
    Bands { none: f64, borderline: f64, source: &'static str },
    /// The usual range.
    Range { low: f64, high: f64, source: &'static str },
}

/// A smallest detectable difference between sessions, with its source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sdd {
    pub value: f64,
    pub source: &'static str,
}

/// One metric of the summary.
#[derive(Clone, Copy)]
pub struct Metric {
    /// report.json's summary key and steps.csv's column.
    pub key: &'static str,
    pub unit: &'static str,
    /// A few words, as the report names it (e.g. in a left/right difference).
    pub name: &'static str,
    /// Its words in a comparison, with the unit where two metrics share a name.
    pub words: &'static str,
    /// Its value in one step.
    pub step: fn(&Step) -> Option<f64>,
    /// The step's ± from the timing of initial contact (at-contact metrics only).
    pub timing: fn(&AtContactTiming) -> Option<f64>,
    /// Summarised per side and over both (false: over both only).
    pub per_side: bool,
    pub aim: Option<Aim>,
    pub reference: Option<Reference>,
    /// A mean outside this range is physiologically unlikely: the report flags it as suspect.
    pub plausible: Option<(f64, f64)>,
    pub sdd: Option<Sdd>,
}

impl Metric {
    /// Its running norm, where its reference is one: mean, SD and source.
    pub fn norm(&self) -> Option<(f64, f64, &'static str)> {
        match self.reference {
            Some(Reference::Norm { mean, sd, source }) => Some((mean, sd, source)),
            _ => None,
        }
    }

    /// Its usual range, where its reference is one: low and high.
    pub fn range(&self) -> Option<(f64, f64)> {
        match self.reference {
            Some(Reference::Range { low, high, .. }) => Some((low, high)),
            _ => None,
        }
    }
}

impl PartialEq for Metric {
    fn eq(&self, o: &Metric) -> bool {
        self.key == o.key
    }
}

impl std::fmt::Debug for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key)
    }
}

fn no_timing(_: &AtContactTiming) -> Option<f64> {
    None
}

/// A metric with no timing part, direction, reference or SDD.
const fn plain(key: &'static str, unit: &'static str, name: &'static str, words: &'static str, step: fn(&Step) -> Option<f64>) -> Metric {
    Metric { key, unit, name, words, step, timing: no_timing, per_side: true, aim: None, reference: None, plausible: None, sdd: None }
}

const PCT_LEG: &str = "% leg length";
const DEG: &str = "deg";

/// Overstride bands, % of leg length: up to this no overstride, up to [`OVERSTRIDE_BORDERLINE_PCT`]
/// borderline, beyond it clear. These are the tool's own: the heel-to-centre-of-mass distance at
/// initial contact (Heiderscheit 2011, Wille 2014) has no published normal range in % of leg length
/// (the studies report how it changes with step rate, and what it does to knee and hip loading), so
/// the scale of the GaitLab peer's ankle-to-hip bands is kept as a starting point, and the report
/// says so. What a clinic should act on is the change after retraining (`compare`).
pub const OVERSTRIDE_GOOD_PCT: f64 = 8.0;
pub const OVERSTRIDE_BORDERLINE_PCT: f64 = 15.0;
/// Knee flexion at initial contact and its peak in stance, running at the preferred step rate:
/// mean and SD (Heiderscheit 2011, Table 3).
pub const KNEE_FLEXION_IC_NORM: (f64, f64) = (17.8, 4.0);
pub const KNEE_FLEXION_PEAK_NORM: (f64, f64) = (46.3, 4.5);
/// Rearfoot strikers' foot-strike angle, mean and SD (Altman & Davis 2012, Table 1).
pub const REARFOOT_ANGLE_NORM: (f64, f64) = (17.7, 4.4);
/// Knee flexion at initial contact outside this range (degrees) is physiologically unlikely in
/// running: the report flags it as suspect (a contact read at the wrong instant, or a landmark error).
pub const KNEE_FLEXION_IC_PLAUSIBLE: (f64, f64) = (5.0, 40.0);
/// Smallest detectable difference of contralateral pelvic drop in 2-D video (Dingenen 2018).
pub const PELVIC_DROP_SDD_DEG: f64 = 2.7;

pub const OVERSTRIDE_PCT_LEG: Metric = Metric {
    timing: |t| t.overstride_pct_leg,
    aim: Some(Aim::Lower),
    reference: Some(Reference::Bands { none: OVERSTRIDE_GOOD_PCT, borderline: OVERSTRIDE_BORDERLINE_PCT, source: "the tool's own bands" }),
    ..plain("overstride_pct_leg", PCT_LEG, "overstride", "overstride (% leg length)", |s| s.overstride_pct_leg)
};
pub const OVERSTRIDE_CM: Metric = Metric {
    timing: |t| t.overstride_cm,
    aim: Some(Aim::Lower),
    ..plain("overstride_cm", "cm", "overstride", "overstride (cm)", |s| s.overstride_cm)
};
pub const SHANK_ANGLE_DEG: Metric = Metric {
    timing: |t| t.shank_angle_deg,
    aim: Some(Aim::Lower),
    ..plain("shank_angle_deg", DEG, "shank angle", "shank angle at foot strike", |s| s.shank_angle_deg)
};
pub const KNEE_FLEXION_IC_DEG: Metric = Metric {
    timing: |t| t.knee_flexion_ic_deg,
    reference: Some(Reference::Norm { mean: KNEE_FLEXION_IC_NORM.0, sd: KNEE_FLEXION_IC_NORM.1, source: "Heiderscheit 2011" }),
    plausible: Some(KNEE_FLEXION_IC_PLAUSIBLE),
    ..plain("knee_flexion_ic_deg", DEG, "knee bend at foot strike", "knee flexion at foot strike", |s| s.knee_flexion_ic_deg)
};
pub const KNEE_FLEXION_PEAK_DEG: Metric = Metric {
    reference: Some(Reference::Norm { mean: KNEE_FLEXION_PEAK_NORM.0, sd: KNEE_FLEXION_PEAK_NORM.1, source: "Heiderscheit 2011" }),
    ..plain("knee_flexion_peak_deg", DEG, "knee flexion peak", "peak knee flexion in stance", |s| s.knee_flexion_peak_deg)
};
pub const FOOT_STRIKE_ANGLE_DEG: Metric = Metric {
    timing: |t| t.foot_strike_angle_deg,
    // rearfoot strikers' (the angle's norm depends on the strike class)
    reference: Some(Reference::Norm { mean: REARFOOT_ANGLE_NORM.0, sd: REARFOOT_ANGLE_NORM.1, source: "Altman & Davis 2012" }),
    ..plain("foot_strike_angle_deg", DEG, "foot strike angle", "foot-strike angle", |s| s.foot_strike_angle_deg)
};
pub const TRUNK_LEAN_DEG: Metric = plain("trunk_lean_deg", DEG, "trunk lean", "trunk lean", |s| s.trunk_lean_deg);
pub const VERTICAL_OSCILLATION_PCT_LEG: Metric =
    plain("vertical_oscillation_pct_leg", PCT_LEG, "vertical oscillation", "vertical oscillation (% leg length)", |s| {
        s.vertical_oscillation_pct_leg
    });
pub const VERTICAL_OSCILLATION_CM: Metric =
    plain("vertical_oscillation_cm", "cm", "vertical oscillation", "vertical oscillation (cm)", |s| s.vertical_oscillation_cm);
pub const CONTACT_TIME_S: Metric = plain("contact_time_s", "s", "contact time", "contact time", |s| s.contact_time_s);
pub const FLIGHT_TIME_S: Metric = plain("flight_time_s", "s", "flight time", "flight time", |s| s.flight_time_s);
pub const STEP_TIME_S: Metric = plain("step_time_s", "s", "step time", "step time", |s| s.step_time_s);
pub const DUTY_FACTOR: Metric = plain("duty_factor", "fraction", "duty factor", "duty factor", |s| s.duty_factor);
pub const PELVIC_DROP_DEG: Metric = Metric {
    aim: Some(Aim::Lower),
    sdd: Some(Sdd { value: PELVIC_DROP_SDD_DEG, source: "Dingenen 2018 (2-D video, 2.7–2.8°)" }),
    ..plain("pelvic_drop_deg", DEG, "pelvic drop", "pelvic drop", |s| s.pelvic_drop_deg)
};
pub const FPPA_DEG: Metric =
    Metric { aim: Some(Aim::Lower), ..plain("fppa_deg", DEG, "knee collapse (FPPA)", "knee collapse (FPPA)", |s| s.fppa_deg) };
pub const STEP_WIDTH_PCT_LEG: Metric =
    plain("step_width_pct_leg", PCT_LEG, "step width", "step width (% leg length)", |s| s.step_width_pct_leg);
pub const STEP_WIDTH_CM: Metric = plain("step_width_cm", "cm", "step width", "step width (cm)", |s| s.step_width_cm);
pub const STEP_LENGTH_PCT_LEG: Metric =
    plain("step_length_pct_leg", PCT_LEG, "step length", "step length (% leg length)", |s| s.step_length_pct_leg);
pub const STEP_LENGTH_CM: Metric = plain("step_length_cm", "cm", "step length", "step length (cm)", |s| s.step_length_cm);
/// The step rate of each step (60 / step time), over both sides only: the run's cadence itself
/// ([`crate::gait::Analysis::cadence_spm`]) comes from each foot's strides.
pub const CADENCE_SPM: Metric = Metric {
    per_side: false,
    reference: Some(Reference::Range { low: 160.0, high: 180.0, source: "typical running step rates (Heiderscheit 2011)" }),
    ..plain("cadence_spm", "steps/min", "cadence", "cadence", |s| s.step_time_s.map(|x| 60.0 / x))
};

/// Every metric, in the order the summary is built and a comparison lists them.
pub const METRICS: &[Metric] = &[
    OVERSTRIDE_PCT_LEG,
    OVERSTRIDE_CM,
    SHANK_ANGLE_DEG,
    KNEE_FLEXION_IC_DEG,
    KNEE_FLEXION_PEAK_DEG,
    FOOT_STRIKE_ANGLE_DEG,
    TRUNK_LEAN_DEG,
    VERTICAL_OSCILLATION_PCT_LEG,
    VERTICAL_OSCILLATION_CM,
    CONTACT_TIME_S,
    FLIGHT_TIME_S,
    STEP_TIME_S,
    DUTY_FACTOR,
    PELVIC_DROP_DEG,
    FPPA_DEG,
    STEP_WIDTH_PCT_LEG,
    STEP_WIDTH_CM,
    STEP_LENGTH_PCT_LEG,
    STEP_LENGTH_CM,
    CADENCE_SPM,
];

/// The metric of a summary key.
pub fn by_key(key: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.key == key)
}

/// A run's summary: metric key → side (`left`, `right`, `all`) → statistics (report.json's `summary`).
pub type Summary = BTreeMap<&'static str, BTreeMap<&'static str, Stat>>;

/// Reading a summary by metric.
pub trait SummaryExt {
    /// The statistics of a metric on a side (`left`, `right` or `all`).
    fn stat(&self, m: &Metric, side: &str) -> Option<&Stat>;
}

impl SummaryExt for Summary {
    fn stat(&self, m: &Metric, side: &str) -> Option<&Stat> {
        self.get(m.key).and_then(|per| per.get(side))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gait::side::Side;

    #[test]
    fn keys_are_unique_and_name_their_unit() {
        for (i, m) in METRICS.iter().enumerate() {
            assert!(METRICS[..i].iter().all(|o| o.key != m.key), "{} twice", m.key);
            assert_eq!(by_key(m.key), Some(m));
            let suffix = match m.unit {
                "% leg length" => "_pct_leg",
                "cm" => "_cm",
                "deg" => "_deg",
                "s" => "_s",
                "steps/min" => "_spm",
                _ => "",
            };
            assert!(m.key.ends_with(suffix), "{} in {}", m.key, m.unit);
        }
        assert_eq!(by_key("nonsense"), None);
    }

    #[test]
    fn each_metric_reads_its_own_step_field_and_only_at_contact_ones_have_timing() {
        let step = Step {
            overstride_pct_leg: Some(1.0),
            overstride_cm: Some(2.0),
            shank_angle_deg: Some(3.0),
            knee_flexion_ic_deg: Some(4.0),
            knee_flexion_peak_deg: Some(5.0),
            foot_strike_angle_deg: Some(6.0),
            trunk_lean_deg: Some(7.0),
            vertical_oscillation_pct_leg: Some(8.0),
            vertical_oscillation_cm: Some(9.0),
            contact_time_s: Some(10.0),
            flight_time_s: Some(11.0),
            step_time_s: Some(0.5),
            duty_factor: Some(13.0),
            pelvic_drop_deg: Some(14.0),
            fppa_deg: Some(15.0),
            step_width_pct_leg: Some(16.0),
            step_width_cm: Some(17.0),
            step_length_pct_leg: Some(18.0),
            step_length_cm: Some(19.0),
            ..crate::gait::analysis::test_support::step(Side::Left, 0.0, None, None)
        };
        let got: Vec<f64> = METRICS.iter().map(|m| (m.step)(&step).unwrap()).collect();
        assert_eq!(got, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 0.5, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 120.0]);
        let t = AtContactTiming {
            overstride_pct_leg: Some(0.1),
            overstride_cm: Some(0.2),
            shank_angle_deg: Some(0.3),
            knee_flexion_ic_deg: Some(0.4),
            foot_strike_angle_deg: Some(0.5),
        };
        let timed: Vec<(&str, f64)> = METRICS.iter().filter_map(|m| (m.timing)(&t).map(|x| (m.key, x))).collect();
        assert_eq!(
            timed,
            [
                ("overstride_pct_leg", 0.1),
                ("overstride_cm", 0.2),
                ("shank_angle_deg", 0.3),
                ("knee_flexion_ic_deg", 0.4),
                ("foot_strike_angle_deg", 0.5)
            ]
        );
    }

    #[test]
    fn references_carry_their_numbers_and_sources() {
        assert_eq!(KNEE_FLEXION_IC_DEG.reference, Some(Reference::Norm { mean: 17.8, sd: 4.0, source: "Heiderscheit 2011" }));
        assert_eq!(KNEE_FLEXION_PEAK_DEG.reference, Some(Reference::Norm { mean: 46.3, sd: 4.5, source: "Heiderscheit 2011" }));
        assert!(matches!(OVERSTRIDE_PCT_LEG.reference, Some(Reference::Bands { none: 8.0, borderline: 15.0, .. })));
        assert_eq!(PELVIC_DROP_DEG.sdd.map(|s| s.value), Some(2.7));
        let with_sdd: Vec<&str> = METRICS.iter().filter(|m| m.sdd.is_some()).map(|m| m.key).collect();
        assert_eq!(with_sdd, ["pelvic_drop_deg"]);
        assert!(METRICS.iter().filter(|m| !m.per_side).all(|m| m.key == "cadence_spm"));
        assert!(matches!(CADENCE_SPM.reference, Some(Reference::Range { low: 160.0, high: 180.0, .. })));
        assert_eq!(KNEE_FLEXION_IC_DEG.norm(), Some((17.8, 4.0, "Heiderscheit 2011")));
        assert_eq!(CADENCE_SPM.range(), Some((160.0, 180.0)));
        assert_eq!((CADENCE_SPM.norm(), KNEE_FLEXION_IC_DEG.range(), OVERSTRIDE_PCT_LEG.norm()), (None, None, None));
    }
}
