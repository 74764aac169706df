//! Stage 2, events: each foot's contacts (IC, TO) against its own belt line (the far foot's belt
//! is higher in the image), IC refined by the landing model where the runner runs, the belt's speed
//! in side views, and the per-sample traces for plots.

use super::{AnalysisError, Prepared, Quality, Traces};
use crate::gait::events::{self, Contact, Side};
use crate::gait::metrics;
use crate::gait::plausibility as gates;
use crate::gait::stats::median_upper;
use crate::gait::view::View;
use crate::pose::idx::*;

/// The contacts of both feet, sorted by IC, and what finding them measured.
#[derive(Debug, Clone)]
pub(crate) struct Events {
    /// Image x times this is the runner's forward (frontal views: towards the runner's right).
    pub x_sign: f64,
    pub contacts: Vec<Contact>,
    /// Each fitted belt line's tilt, degrees.
    pub belt_tilts_deg: Vec<f64>,
    /// The prepared quality, with the belt's tilt and speed.
    pub quality: Quality,
    pub traces: Traces,
}

pub(crate) fn find(p: &Prepared) -> Result<Events, AnalysisError> {
    let (s, raw, view, leg, fps, effective_fps) = (&p.s, &p.raw, p.view, p.leg, p.fps, p.effective_fps);
    let t = &s.t;
    let mut quality = p.quality.clone();
    let x_sign = if view.is_side() {
        view.forward_sign()
    } else if view == View::Rear {
        1.0
    } else {
        -1.0
    };
    let pelvis_x: Vec<f64> = (0..s.len()).map(|i| x_sign * (s.x[LEFT_HIP][i] + s.x[RIGHT_HIP][i]) / 2.0).collect();
    let mut contacts: Vec<Contact> = Vec::new();
    let mut tilts = Vec::new();
    let mut traces = Traces { t: t.clone(), frame: s.frame.clone(), ..Default::default() };
    let mut tracks = Vec::new();
    for side in [Side::Left, Side::Right] {
        let (c, belt, tr) = events::detect(s, raw, side, x_sign, view.is_side().then_some(&pelvis_x[..]), leg);
        contacts.extend(c);
        tracks.push((side, tr));
        tilts.extend(belt.map(|b| b.tilt_deg()));
        if let Some(b) = belt {
            let (fx, fy, _) = events::foot_lowest(s, side, 0.0);
            traces.foot_height_pct_leg[side.offset()] = events::height(&fx, &fy, &b).iter().map(|h| 100.0 * h / leg).collect();
        }
        let (h, k, a, _, _) = metrics::leg_landmarks(side);
        traces.knee_flexion_deg[side.offset()] = (0..s.len())
            .map(|i| metrics::knee_flexion([s.x[h][i], -s.y[h][i]], [s.x[k][i], -s.y[k][i]], [s.x[a][i], -s.y[a][i]]))
            .collect();
    }
    traces.pelvis_tilt_deg = (0..s.len())
        .map(|i| {
            let (l, r) = ([x_sign * s.x[LEFT_HIP][i], -s.y[LEFT_HIP][i]], [x_sign * s.x[RIGHT_HIP][i], -s.y[RIGHT_HIP][i]]);
            (l[1] - r[1]).atan2((l[0] - r[0]).abs()).to_degrees()
        })
        .collect();
    quality.belt_tilt_deg = tilts.iter().sum::<f64>() / tilts.len().max(1) as f64;
    // side views: initial contact from the landing model where the runner runs (a flight phase
    // between the forward turns' contacts: duty factor below one half)
    if provisional_duty_factor(&contacts).is_some_and(|d| d < 0.5) {
        for (side, tr) in &tracks {
            if let Some(tr) = tr {
                let mut own: Vec<Contact> = contacts.iter().filter(|c| c.side == *side).cloned().collect();
                events::refine_side(t, tr, &mut own);
                contacts.retain(|c| c.side != *side);
                contacts.extend(own);
            }
        }
    }
    contacts.sort_by(|a, b| a.ic_time_s.total_cmp(&b.ic_time_s));
    // repeated frames: the frame-interval part of each contact's timing is that of the distinct frames
    if p.repeated {
        for c in contacts.iter_mut() {
            c.ic_uncertainty_s = gates::with_frame_interval(c.ic_uncertainty_s, 1.0 / fps, 1.0 / effective_fps);
        }
    }
    if view.is_side() {
        // belt speed: the stance heel's backward speed in the middle half of each stance, per foot
        let speeds: Vec<f64> = [Side::Left, Side::Right]
            .iter()
            .filter_map(|&side| {
                let heel = metrics::leg_landmarks(side).3;
                let fwd: Vec<f64> = s.x[heel].iter().map(|x| x_sign * x).collect();
                let own: Vec<Contact> = contacts.iter().filter(|c| c.side == side).cloned().collect();
                events::belt_speed(t, &fwd, &own)
            })
            .collect();
        quality.belt_speed_px_s = (!speeds.is_empty()).then(|| speeds.iter().sum::<f64>() / speeds.len() as f64);
        quality.overstride_timing_uncertainty_pct_leg =
            quality.belt_speed_px_s.map_or(0.0, |b| 100.0 * b.abs() * 0.5 / effective_fps / leg);
    }
    if contacts.is_empty() {
        return Err(AnalysisError::NoSteps);
    }
    Ok(Events { x_sign, contacts, belt_tilts_deg: tilts, quality, traces })
}

/// The median over both feet of contact time over stride time, from the contacts as first found.
pub(crate) fn provisional_duty_factor(contacts: &[Contact]) -> Option<f64> {
    let mut d = Vec::new();
    for side in [Side::Left, Side::Right] {
        let own: Vec<&Contact> = contacts.iter().filter(|c| c.side == side).collect();
        for w in own.windows(2) {
            if let Some(to) = w[0].to_time_s {
                let stride = w[1].ic_time_s - w[0].ic_time_s;
                if stride > 0.0 {
                    d.push((to - w[0].ic_time_s) / stride);
                }
            }
        }
    }
    median_upper(&d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gait::analysis::test_support::contact;

    #[test]
    fn provisional_duty_factor_is_contact_over_stride_per_foot() {
        // left: contact 0.25 s of a 0.7 s stride; right: 0.35 of 0.7; a contact with no TO counts for nothing
        let c = vec![
            contact(Side::Left, 0.0, Some(0.25)),
            contact(Side::Right, 0.35, Some(0.70)),
            contact(Side::Left, 0.7, Some(0.95)),
            contact(Side::Right, 1.05, None),
            contact(Side::Left, 1.4, None),
        ];
        let d = provisional_duty_factor(&c).unwrap();
        // the left foot's two strides 0.357, the right's one 0.5: the median
        assert!((d - 0.25 / 0.7).abs() < 1e-12, "{d}");
        assert_eq!(provisional_duty_factor(&c[..1]), None);
    }
}
