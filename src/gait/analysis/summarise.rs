//! Stage 4, summary: the gait (running or walking), the cadence, and for each metric its statistics
//! per side and over both, with the left/right asymmetry — over the steps the summary keeps.

use std::collections::BTreeMap;

use super::{gate, AnalysisError, Events, Gait, Measured, Prepared, Step};
use crate::gait::events::{Contact, Side};
use crate::gait::metric::{Summary as MetricSummary, METRICS};
use crate::gait::plausibility::{self as gates, Alert};
use crate::gait::stats::median_upper;
use crate::gait::summary::{asymmetry, Asymmetry, Stat};

/// The run's summary.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    pub gait: Gait,
    pub cadence_spm: Option<f64>,
    /// metric key → side ("left", "right", "all") → statistics.
    pub summary: MetricSummary,
    pub asymmetry: BTreeMap<&'static str, Asymmetry>,
    pub alerts: Vec<Alert>,
}

pub(crate) fn summarise(p: &Prepared, ev: &Events, m: &Measured) -> Result<Summary, AnalysisError> {
    let (steps, contacts, fps, capture) = (&m.steps, &ev.contacts, p.fps, p.capture);
    let mut alerts = Vec::new();
    // gait: running when the feet leave the ground together
    let flights: Vec<f64> = steps.iter().filter_map(|s| s.flight_time_s).collect();
    let duties: Vec<f64> = steps.iter().filter_map(|s| s.duty_factor).collect();
    let running = match (median_upper(&flights), median_upper(&duties)) {
        (Some(f), _) if f > 0.0 => true,
        (None, Some(d)) => d < 0.5,
        _ => false,
    };
    let gait = if running { Gait::Running } else { Gait::Walking };

    let included: Vec<&Step> = steps.iter().filter(|s| s.excluded.is_none()).collect();
    let cadence_spm = cadence_from_strides(contacts);
    if let Some(c) = cadence_spm {
        gate(gates::cadence(c, running, fps, capture.is_some()), &mut alerts)?;
    }

    let mut summary = MetricSummary::new();
    let mut asym = BTreeMap::new();
    for m in METRICS {
        let sides: &[(&'static str, Option<Side>)] =
            if m.per_side { &[("left", Some(Side::Left)), ("right", Some(Side::Right)), ("all", None)] } else { &[("all", None)] };
        let mut per = BTreeMap::new();
        for &(key, side) in sides {
            let on_side: Vec<&&Step> = included.iter().filter(|s| side.is_none_or(|sd| s.side == sd)).collect();
            let v: Vec<f64> = on_side.iter().filter_map(|s| (m.step)(s)).collect();
            if let Some(mut st) = Stat::of(&v, m.unit) {
                // the timing part does not shrink with more steps (the same frame rate, the same
                // landing model): the mean of the steps' ±
                let tm: Vec<f64> = on_side.iter().filter_map(|s| (m.timing)(&s.timing)).collect();
                st.timing = (!tm.is_empty()).then(|| tm.iter().sum::<f64>() / tm.len() as f64);
                per.insert(key, st);
            }
        }
        if let (Some(l), Some(r)) = (per.get("left"), per.get("right")) {
            asym.insert(m.key, asymmetry(l, r, m.sdd.map(|s| s.value)));
        }
        if !per.is_empty() {
            summary.insert(m.key, per);
        }
    }
    Ok(Summary { gait, cadence_spm, summary, asymmetry: asym, alerts })
}

/// Cadence (steps/min) from each foot's stride times (IC to the same foot's next IC): two steps per
/// stride. Same-side intervals do not depend on how the two feet's contacts are timed against each
/// other; intervals outside half to one and a half times the median (a missed or a spurious
/// contact) are left out.
pub(crate) fn cadence_from_strides(contacts: &[Contact]) -> Option<f64> {
    let mut strides = Vec::new();
    for side in [Side::Left, Side::Right] {
        let ics: Vec<f64> = contacts.iter().filter(|c| c.side == side).map(|c| c.ic_time_s).collect();
        strides.extend(ics.windows(2).map(|w| w[1] - w[0]));
    }
    // a missed contact doubles a stride and a spurious one splits it: the mean is taken over the
    // strides near the median (true strides vary by a few per cent)
    let med = median_upper(&strides)?;
    let kept: Vec<f64> = strides.into_iter().filter(|s| *s > 0.8 * med && *s < 1.25 * med).collect();
    let mean = kept.iter().sum::<f64>() / kept.len().max(1) as f64;
    (mean > 0.0).then(|| 120.0 / mean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gait::analysis::test_support::contact;

    #[test]
    fn cadence_from_each_foots_strides_leaves_out_missed_and_spurious_contacts() {
        // 0.7 s strides (171.4 steps/min), the left foot's third contact missed (a 1.4 s stride)
        let mut c: Vec<Contact> =
            (0..10).map(|k| contact(if k % 2 == 0 { Side::Left } else { Side::Right }, 0.35 * k as f64, None)).collect();
        c.remove(4);
        let spm = cadence_from_strides(&c).unwrap();
        assert!((spm - 120.0 / 0.7).abs() < 1e-9, "{spm}");
        assert_eq!(cadence_from_strides(&c[..2]), None);
    }
}
