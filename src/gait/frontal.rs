//! Frontal views (rear, front), where forward motion is not seen: contacts from the foot's height
//! above the belt alone — a stance where it stays under the threshold, IC and TO at its corners —
//! then each IC refined by the landing model's height cue.

use super::belt::contact_threshold;
use super::corner::timed_crossing;
use super::events::{Contact, FootPoint, HEEL_FLAT, LANDING_AIR_FRAMES, LANDING_AIR_S, MIN_CONTACT_S};
use super::fit::median_in;
use super::side::Side;

/// Frontal views: contacts of one foot from its height signal alone. Stances are found on the
/// smoothed height `h`; IC and TO are timed on `h_raw` (cleaned of outliers but not low-passed, whose
/// rounding of the landing would shift them) by a hinge fitted around each threshold crossing.
pub(crate) fn contacts(t: &[f64], h: &[f64], h_raw: Option<&[f64]>, side: Side, foot_point: FootPoint, leg_px: f64) -> Vec<Contact> {
    let n = h.len();
    let thr = contact_threshold(h, leg_px);
    let dt = if n > 1 { (t[1] - t[0]).abs() } else { 0.0 };
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if !(h[i].is_finite() && h[i] < thr) {
            i += 1;
            continue;
        }
        let first = i;
        while i < n && h[i].is_finite() && h[i] < thr {
            i += 1;
        }
        let last = i - 1;
        // IC needs a descent just before; a contact already under way when the video starts is skipped
        if first == 0 || !h[first - 1].is_finite() {
            continue;
        }
        let timed = |k: usize, down: bool| timed_crossing(t, h, h_raw, k, down, thr);
        let ic = timed(first - 1, true);
        let to = (last + 1 < n && h[last + 1].is_finite()).then(|| timed(last, false));
        let duration = to.unwrap_or(t[last]) - ic;
        if duration < MIN_CONTACT_S || last == first && to.is_none() {
            continue;
        }
        out.push(Contact {
            side,
            ic_time_s: ic,
            to_time_s: to,
            first,
            last,
            foot_point,
            ic_uncertainty_s: dt / 2.0,
            ic_by_motion_s: None,
            ic_by_height_s: None,
            forward_turn_s: None,
            touching: None,
            sole_from_pixels: false,
        });
    }
    out
}

/// Frontal views: each contact's IC from the landing model's height cue ([`super::landing`]) on the
/// foot's lowest point — where its height reaches its own stance level (the median over the flat part
/// of the stance, [`HEEL_FLAT`]), fitted to a fraction of a frame, with a smooth descent before. The
/// threshold crossing it starts from extrapolates the last samples above the belt band straight
/// down, early for a heel that slows as it lands. A contact the cue cannot time keeps its crossing.
pub(crate) fn refine_frontal(t: &[f64], h_raw: &[f64], contacts: &mut [Contact]) {
    use super::landing::{combine, height_cue, Phase, Track};
    if t.len() < 4 {
        return;
    }
    let dt = (t[1] - t[0]).abs().max(1e-6);
    for c in contacts.iter_mut() {
        let ic = c.ic_time_s;
        let end = c.to_time_s.unwrap_or(t[c.last]).max(ic + dt);
        let at = |f: f64| ic + f * (end - ic);
        let Some(level) = median_in(t, h_raw, at(HEEL_FLAT.0), at(HEEL_FLAT.1)) else { continue };
        let h: Vec<f64> = h_raw.iter().map(|v| v - level).collect();
        let nan = vec![f64::NAN; t.len()];
        let track = Track { t, x: &nan, h: &h };
        let margin = (2.0 * dt).max(0.02);
        let (lo, hi) = (ic - margin - (LANDING_AIR_FRAMES * dt).max(LANDING_AIR_S), at(HEEL_FLAT.1).max(ic + margin + 2.0 * dt));
        let search = (ic - margin, ic + margin);
        let hc = height_cue(&track, lo, hi, search, Phase::Landing, dt);
        if let Some(e) = combine(None, hc, Phase::Landing, dt) {
            c.ic_time_s = e.t;
            c.ic_uncertainty_s = e.uncertainty_s;
            c.ic_by_height_s = Some(e.t);
            c.first = t.partition_point(|&x| x < e.t - 1e-9).min(c.last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_found_on_square_wave_with_descents() {
        let fs = 100.0;
        let t: Vec<f64> = (0..300).map(|i| i as f64 / fs).collect();
        // contact from 0.503 to 0.803 s, linear descent/ascent of 500 px/s outside
        let h: Vec<f64> = t
            .iter()
            .map(|&x| {
                if x < 0.503 {
                    (0.503 - x) * 500.0
                } else if x <= 0.803 {
                    0.0
                } else {
                    (x - 0.803) * 500.0
                }
            })
            .collect();
        let c = contacts(&t, &h, None, Side::Left, FootPoint::HeelOrToe, 400.0);
        assert_eq!(c.len(), 1);
        assert!((c[0].ic_time_s - 0.503).abs() < 1e-4, "{}", c[0].ic_time_s);
        assert!((c[0].to_time_s.unwrap() - 0.803).abs() < 1e-4, "{:?}", c[0].to_time_s);
    }
}
