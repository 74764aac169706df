//! Stage 3, steps: one step per contact, with what was measured over it — timing (contact, flight,
//! step, duty factor), the at-contact numbers with their timing uncertainty (side views), the
//! stance's peaks (side and frontal views) — then the steps the summary leaves out (low confidence,
//! impossible numbers, implausible timing).

use std::collections::BTreeMap;

use super::step::{foot_strike_class, Exclusion};
use super::{gate, AnalysisError, AtContactTiming, Events, ImagePoints, Prepared, Quality, Step};
use crate::gait::com;
use crate::gait::events::Side;
use crate::gait::geometry::{mid, P};
use crate::gait::metrics::{self, RunnerCoords};
use crate::gait::plausibility::{self as gates, Alert, AlertKind};
use crate::gait::scale::{self, Scale};
use crate::gait::series::interp;
use crate::gait::stats::median_upper;
use crate::pose::idx::*;

/// A step whose leg landmarks average a visibility below this at IC is flagged and left out of the
/// summary (the model could not see the leg: occlusion, handrail, motion blur).
pub(crate) const MIN_STEP_CONFIDENCE: f64 = 0.5;

/// The measured steps and the scale their cm used.
#[derive(Debug, Clone)]
pub(crate) struct Measured {
    pub steps: Vec<Step>,
    pub scale: Scale,
    /// Steps whose overstride was read from the ankle (no heel landmark).
    pub heel_fallbacks: usize,
    /// The centre of mass in image pixels per sample (a trace).
    pub com_px: Vec<[f64; 2]>,
    /// The events' quality, with the COM model, the exclusions and the overstride point.
    pub quality: Quality,
    pub alerts: Vec<Alert>,
}

pub(crate) fn measure(p: &Prepared, ev: &Events, height_cm: Option<f64>, belt_kmh: Option<f64>) -> Result<Measured, AnalysisError> {
    let (s, raw, view, leg, x_sign, contacts) = (&p.s, &p.raw, p.view, p.leg, ev.x_sign, &ev.contacts);
    let t = &s.t;
    let mut quality = ev.quality.clone();
    let mut alerts = Vec::new();
    // cm from the height or the belt speed (the belt's speed in the image is known only now)
    let belt_px_s = view.is_side().then(|| scale::belt_px_s(t, s, x_sign, contacts)).flatten();
    let scale = scale::resolve(height_cm, belt_kmh, leg, belt_px_s);
    let cm_per_px = scale.cm_per_px;

    let rf = RunnerCoords { s, x_sign };
    let rr = RunnerCoords { s: raw, x_sign };
    let (_, com_y, com_models) = com::series(s);
    let segmental = com_models.iter().flatten().filter(|m| **m == com::ComModel::Segmental).count();
    quality.com_model =
        if segmental * 2 >= com_models.iter().flatten().count() { "segmental (de Leva 1996)" } else { "pelvis centre (fallback)" };
    let (rcom_x, rcom_y, _) = com::series(raw);
    let com_px = rcom_x.iter().zip(&rcom_y).map(|(x, y)| [*x, *y]).collect();
    let com_at = |tt: f64| -> P { [x_sign * interp(t, &rcom_x, tt), -interp(t, &rcom_y, tt)] };

    // foot-flat reference angle per side (mid-stance), for the foot-strike angle
    let mut flat_angle: BTreeMap<Side, f64> = BTreeMap::new();
    for side in [Side::Left, Side::Right] {
        let (_, _, _, heel, toe) = metrics::leg_landmarks(side);
        let a: Vec<f64> = contacts
            .iter()
            .filter(|c| c.side == side)
            .filter_map(|c| c.to_time_s.map(|to| (c.ic_time_s + to) / 2.0))
            .map(|tm| metrics::angle_above_horizontal(rf.at(heel, tm), rf.at(toe, tm)))
            .filter(|v| v.is_finite())
            .collect();
        if let Some(m) = median_upper(&a) {
            flat_angle.insert(side, m);
        }
    }

    let mut steps = Vec::with_capacity(contacts.len());
    let mut heel_fallbacks = 0;
    for (k, c) in contacts.iter().enumerate() {
        let (hip, knee, ankle, heel, toe) = metrics::leg_landmarks(c.side);
        let ic = c.ic_time_s;
        let next_other = contacts[k + 1..].iter().find(|o| o.side != c.side);
        let next_same = contacts[k + 1..].iter().find(|o| o.side == c.side);
        // a step with a same-side contact in between is not a clean step
        let step_time = next_other.filter(|o| next_same.is_none_or(|n| n.ic_time_s > o.ic_time_s)).map(|o| o.ic_time_s - ic);
        let contact_time = c.to_time_s.map(|to| to - ic);
        let flight = match (c.to_time_s, next_other) {
            (Some(to), Some(o)) if step_time.is_some() => Some((o.ic_time_s - to).max(0.0)),
            _ => None,
        };
        let stride = next_same.map(|n| n.ic_time_s - ic);
        let duty = match (contact_time, stride) {
            (Some(ct), Some(st)) if st > 0.0 => Some(ct / st),
            _ => None,
        };
        let ic_frame = {
            let j = t.partition_point(|&x| x < ic).min(t.len() - 1);
            let j = if j > 0 && (ic - t[j - 1]).abs() < (t[j] - ic).abs() { j - 1 } else { j };
            s.frame[j]
        };
        let vis_at = |lm: usize| interp(t, &s.vis[lm], ic);
        let confidence = [hip, knee, ankle, heel, toe].iter().map(|&lm| vis_at(lm)).filter(|v| v.is_finite()).sum::<f64>() / 5.0;
        let mut st = Step {
            side: c.side,
            ic_frame,
            ic_time_s: ic,
            ic_uncertainty_ms: 1000.0 * c.ic_uncertainty_s,
            ic_by_motion_s: c.ic_by_motion_s,
            ic_by_height_s: c.ic_by_height_s,
            forward_turn_s: c.forward_turn_s,
            ic_sole_from_pixels: c.sole_from_pixels,
            to_time_s: c.to_time_s,
            contact_time_s: contact_time,
            flight_time_s: flight,
            step_time_s: step_time,
            duty_factor: duty,
            overstride_pct_leg: None,
            overstride_cm: None,
            overstride_point: None,
            shank_angle_deg: None,
            knee_flexion_ic_deg: None,
            knee_flexion_peak_deg: None,
            foot_strike_angle_deg: None,
            foot_strike: None,
            trunk_lean_deg: None,
            vertical_oscillation_pct_leg: None,
            vertical_oscillation_cm: None,
            pelvic_drop_deg: None,
            fppa_deg: None,
            step_width_pct_leg: None,
            step_width_cm: None,
            step_length_pct_leg: step_time.and_then(|t| scale::step_length_pct_leg(scale.belt_px_s, t, leg)),
            step_length_cm: step_time.and_then(|t| scale::step_length_cm(&scale, t)),
            timing: AtContactTiming::default(),
            confidence,
            excluded: None,
            at_ic: None,
            peak_drop_frame: None,
        };
        {
            let img = |lm: usize| [interp(t, &raw.x[lm], ic), interp(t, &raw.y[lm], ic)];
            st.at_ic = Some(ImagePoints {
                com: [interp(t, &rcom_x, ic), interp(t, &rcom_y, ic)],
                heel: img(heel),
                knee: img(knee),
                ankle: img(ankle),
                hip: img(hip),
                left_hip: img(LEFT_HIP),
                right_hip: img(RIGHT_HIP),
            });
        }
        let end = c.to_time_s.unwrap_or(s.t[c.last]);
        if view.is_side() {
            // the at-contact numbers at an instant τ; read at IC, and at IC ± its timing uncertainty
            // to propagate that into each (belt speed × time for the heel, the joint's angular
            // velocity × time for an angle)
            let at_contact = |tau: f64| -> ([Option<f64>; 4], bool) {
                let (h, kn, an) = (rr.at_contact(hip, tau), rr.at_contact(knee, tau), rr.at_contact(ankle, tau));
                // the heel rides the belt from IC on: read from the samples after it
                let mut foot = rr.at_contact_from(heel, tau, true);
                let mut fallback = false;
                if !(foot[0].is_finite()) {
                    foot = an;
                    fallback = true;
                }
                let os = fin(100.0 * (foot[0] - com_at(tau)[0]) / leg);
                // the foot's angle as it arrives: from the samples before IC (it slaps flat after)
                let fsa = flat_angle.get(&c.side).and_then(|flat| {
                    fin(metrics::angle_above_horizontal(rr.at_contact_from(heel, tau, false), rr.at_contact_from(toe, tau, false)) - flat)
                });
                ([os, fin(metrics::angle_from_down(kn, an)), fin(metrics::knee_flexion(h, kn, an)), fsa], fallback)
            };
            let ([os, shank, knee_ic, fsa], fallback) = at_contact(ic);
            let sigma = c.ic_uncertainty_s;
            let (early, _) = at_contact(ic - sigma);
            let (late, _) = at_contact(ic + sigma);
            let spread = |k: usize| match (early[k], late[k]) {
                (Some(a), Some(b)) => fin((b - a).abs() / 2.0),
                _ => None,
            };
            st.overstride_point = Some(if fallback { "ankle" } else { "heel" });
            if fallback {
                heel_fallbacks += 1;
            }
            st.overstride_pct_leg = os;
            st.overstride_cm = cm_per_px.and_then(|k| os.and_then(|v| fin(v * leg / 100.0 * k)));
            st.shank_angle_deg = shank;
            st.knee_flexion_ic_deg = knee_ic;
            st.timing = AtContactTiming {
                overstride_pct_leg: spread(0),
                overstride_cm: cm_per_px.and_then(|k| spread(0).map(|v| v * leg / 100.0 * k)),
                shank_angle_deg: spread(1),
                knee_flexion_ic_deg: spread(2),
                foot_strike_angle_deg: spread(3),
            };
            st.foot_strike_angle_deg = fsa;
            st.foot_strike = fsa.map(foot_strike_class);
            let mut flex = metrics::over(s, ic, end, |i| metrics::knee_flexion(rf.sample(hip, i), rf.sample(knee, i), rf.sample(ankle, i)));
            flex.extend(st.knee_flexion_ic_deg);
            st.knee_flexion_peak_deg = metrics::max_of(&flex);
            let lean = metrics::over(s, ic, end, |i| {
                metrics::angle_from_up(
                    mid(rf.sample(LEFT_HIP, i), rf.sample(RIGHT_HIP, i)),
                    mid(rf.sample(LEFT_SHOULDER, i), rf.sample(RIGHT_SHOULDER, i)),
                )
            });
            st.trunk_lean_deg = metrics::mean_of(&lean);
            if let Some(stp) = step_time {
                let ys = metrics::over(s, ic, ic + stp, |i| -com_y[i]);
                if let (Some(hi), Some(lo)) = (metrics::max_of(&ys), metrics::max_of(&ys.iter().map(|v| -v).collect::<Vec<_>>())) {
                    let range = hi + lo;
                    st.vertical_oscillation_pct_leg = fin(100.0 * range / leg);
                    st.vertical_oscillation_cm = cm_per_px.and_then(|k| fin(range * k));
                }
            }
        } else {
            let (other_hip, stance_hip) = (metrics::leg_landmarks(c.side.other()).0, hip);
            let drops = metrics::over(s, ic, end, |i| metrics::pelvic_drop(rf.sample(stance_hip, i), rf.sample(other_hip, i)));
            st.pelvic_drop_deg = metrics::max_of(&drops);
            st.peak_drop_frame = (0..s.len())
                .filter(|&i| s.t[i] >= ic - 1e-9 && s.t[i] <= end + 1e-9)
                .map(|i| (i, metrics::pelvic_drop(rf.sample(stance_hip, i), rf.sample(other_hip, i))))
                .filter(|(_, v)| v.is_finite())
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| s.frame[i]);
            // medial: towards the body's midline; left leg's medial is towards the runner's right (+X)
            let medial = if c.side == Side::Left { 1.0 } else { -1.0 };
            let fp = metrics::over(s, ic, end, |i| metrics::fppa(rf.sample(hip, i), rf.sample(knee, i), rf.sample(ankle, i), medial));
            st.fppa_deg = metrics::max_of(&fp);
            if let Some(prev) = contacts[..k].iter().rev().find(|o| o.side != c.side) {
                let this_x = rf.at(ankle, ic)[0];
                let other_x = rf.at(metrics::leg_landmarks(prev.side).2, prev.ic_time_s)[0];
                let (l, r) = if c.side == Side::Left { (this_x, other_x) } else { (other_x, this_x) };
                let w = r - l;
                st.step_width_pct_leg = fin(100.0 * w / leg);
                st.step_width_cm = cm_per_px.and_then(|k| fin(w * k));
            }
        }
        if confidence < MIN_STEP_CONFIDENCE {
            st.excluded = Some(Exclusion::LowConfidence { confidence });
        }
        steps.push(st);
    }
    quality.steps_excluded_low_confidence = steps.iter().filter(|s| s.excluded.is_some()).count();
    // impossible numbers (beyond what a body can do) are never shown as results
    let mut impossible: BTreeMap<&'static str, (AlertKind, usize)> = BTreeMap::new();
    let total_steps = steps.len();
    for st in steps.iter_mut() {
        if let Some((kind, why)) = gates::impossible_step(st.overstride_pct_leg, st.knee_flexion_ic_deg, st.knee_flexion_peak_deg) {
            impossible.entry(if kind == AlertKind::Overstride { "overstride" } else { "knee" }).or_insert((kind, 0)).1 += 1;
            if st.excluded.is_none() {
                st.excluded = Some(Exclusion::Impossible(why));
            }
        }
    }
    for (kind, n) in impossible.values() {
        gate(gates::impossible_steps(*kind, *n, total_steps, p.view_given), &mut alerts)?;
    }
    quality.steps_excluded_implausible = exclude_out_of_sequence(&mut steps) + exclude_implausible(&mut steps);
    quality.overstride_point = if heel_fallbacks == 0 { "heel" } else { "heel (ankle where the heel was missing)" };
    Ok(Measured { steps, scale, heel_fallbacks, com_px, quality, alerts })
}

/// Step and contact times beyond these fractions of the side's median mark a step as implausible.
pub(crate) const IMPLAUSIBLE_LOW: f64 = 0.6;
pub(crate) const IMPLAUSIBLE_HIGH: f64 = 1.6;

/// Leaves out of the summary the steps whose step or contact time is far from the median of the
/// same side (a spurious contact, or two contacts merged into one); returns how many.
pub(crate) fn exclude_implausible(steps: &mut [Step]) -> usize {
    let mut n = 0;
    for side in [Side::Left, Side::Right] {
        let st = median_upper(&steps.iter().filter(|s| s.side == side).filter_map(|s| s.step_time_s).collect::<Vec<_>>());
        let ct = median_upper(&steps.iter().filter(|s| s.side == side).filter_map(|s| s.contact_time_s).collect::<Vec<_>>());
        for s in steps.iter_mut().filter(|s| s.side == side && s.excluded.is_none()) {
            let odd = |v: Option<f64>, m: Option<f64>| matches!((v, m), (Some(v), Some(m)) if v < IMPLAUSIBLE_LOW * m || v > IMPLAUSIBLE_HIGH * m);
            if odd(s.step_time_s, st) || odd(s.contact_time_s, ct) {
                s.excluded = Some(Exclusion::ImplausibleTiming {
                    step_s: s.step_time_s,
                    contact_s: s.contact_time_s,
                    median_step_s: st,
                    median_contact_s: ct,
                });
                n += 1;
            }
        }
    }
    n
}

/// Leaves out of the summary the contacts that come too soon after or before another contact of
/// the same foot — a same-side interval below [`IMPLAUSIBLE_LOW`] of that side's median stride. A
/// foot cannot land twice in so short a time: one of the two is the other foot's landing, or a
/// wobble, taken for this foot's. Of such a pair the one that fits the side's rhythm worse (its
/// intervals to the same-side contacts before and after the pair, against the median stride, on a
/// log scale) is left out; when neither fits clearly better ([`SEQUENCE_FIT_MARGIN`]), or there is
/// nothing either side to tell them by, both are. Returns how many were left out (steps already
/// excluded for another reason are not counted).
pub(crate) fn exclude_out_of_sequence(steps: &mut [Step]) -> usize {
    let mut n = 0;
    for side in [Side::Left, Side::Right] {
        let mut idx: Vec<usize> = (0..steps.len()).filter(|&k| steps[k].side == side && steps[k].ic_time_s.is_finite()).collect();
        idx.sort_by(|&a, &b| steps[a].ic_time_s.total_cmp(&steps[b].ic_time_s));
        let ic: Vec<f64> = idx.iter().map(|&k| steps[k].ic_time_s).collect();
        let strides: Vec<f64> = ic.windows(2).map(|w| w[1] - w[0]).collect();
        let Some(med) = median_upper(&strides).filter(|m| *m > 0.0) else { continue };
        let mut out = vec![false; ic.len()];
        for j in 0..strides.len() {
            if strides[j] >= IMPLAUSIBLE_LOW * med {
                continue;
            }
            // misfit of contact x against the rhythm, from the contacts before and after the pair
            let (before, after) = (j.checked_sub(1), (j + 2 < ic.len()).then_some(j + 2));
            let misfit = |x: usize| -> Option<f64> {
                let terms: Vec<f64> = [before.map(|p| ic[x] - ic[p]), after.map(|q| ic[q] - ic[x])]
                    .into_iter()
                    .flatten()
                    .map(|d| (d.max(1e-6) / med).ln().abs())
                    .collect();
                (!terms.is_empty()).then(|| terms.iter().sum())
            };
            match (misfit(j), misfit(j + 1)) {
                (Some(a), Some(b)) if a > b + SEQUENCE_FIT_MARGIN => out[j] = true,
                (Some(a), Some(b)) if b > a + SEQUENCE_FIT_MARGIN => out[j + 1] = true,
                _ => {
                    out[j] = true;
                    out[j + 1] = true;
                }
            }
        }
        for (j, &k) in idx.iter().enumerate() {
            if out[j] && steps[k].excluded.is_none() {
                let gap = [j.checked_sub(1), (j + 1 < ic.len()).then_some(j + 1)]
                    .into_iter()
                    .flatten()
                    .map(|o| (ic[o] - ic[j]).abs())
                    .fold(f64::INFINITY, f64::min);
                steps[k].excluded = Some(Exclusion::OutOfSequence { side, gap_s: gap, median_stride_s: med });
                n += 1;
            }
        }
    }
    n
}

/// Of two same-side contacts too close together, one is left out alone only when its misfit to the
/// rhythm exceeds the other's by this (natural log: about 20 % of a stride).
pub(crate) const SEQUENCE_FIT_MARGIN: f64 = 0.18;

fn fin(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests;
