//! Side views: contacts from the foot's forward path (each forward-most turn a landing, timed to a
//! fraction of a frame; the foot then on the belt; TO where it leaves it), then each IC refined by
//! the landing model from the heel's and the toe's tracks.

use super::belt::{contact_threshold, BeltLine, BELT_BAND_LEG};
use super::corner::{hinge, hinge_window, timed_crossing};
use super::events::{
    Contact, FootPoint, Touching, HEEL_FLAT, LANDING_AIR_FRAMES, LANDING_AIR_S, LANDING_SEARCH_S, MIN_CONTACT_S, TOE_FLAT,
    UNTIMED_UNCERTAINTY_S,
};
use super::fit::{best_on_grid, median_in, slope_in, solve};
use super::series::Series;
use super::side::Side;
use super::stats::{median_upper, percentile};
use crate::pose::idx::*;

/// The turning points of a forward path: (forward-most, rear-most) sample indices, alternating, by
/// hysteresis — a turn counts once the path has come back by `hyst` from it, so that noise and a
/// wobble never make a turn. A last forward-most point the video ends too soon to confirm is kept
/// when the path has started back from it.
pub(crate) fn turning_points(f: &[f64], hyst: f64) -> (Vec<usize>, Vec<usize>) {
    let (mut fore, mut rear) = (Vec::new(), Vec::new());
    let Some(mut cand) = f.iter().position(|v| v.is_finite()) else { return (fore, rear) };
    let mut want_fore = true;
    for (i, &v) in f.iter().enumerate().skip(cand + 1) {
        if !v.is_finite() {
            continue;
        }
        if want_fore {
            if v > f[cand] {
                cand = i;
            } else if f[cand] - v > hyst {
                fore.push(cand);
                want_fore = false;
                cand = i;
            }
        } else if v < f[cand] {
            cand = i;
        } else if v - f[cand] > hyst {
            rear.push(cand);
            want_fore = true;
            cand = i;
        }
    }
    let last = f.iter().rposition(|v| v.is_finite());
    if want_fore && last.is_some_and(|l| l >= cand + 2 && f[l] < f[cand]) {
        fore.push(cand);
    }
    (fore, rear)
}

/// Side views: contacts from the foot's forward path. On a treadmill a runner's heel comes forward
/// in the air, lands, and is carried back by the belt until the foot lifts: the landing is where the
/// heel stops coming forward in the image, its forward-most turn — the heel's anteroposterior
/// velocity zero-crossing, which marks initial contact in treadmill running within a few ms
/// (6.8 ± 12.8 ms against a treadmill-mounted reference, ISBS 2017, 35(1):111) — and, with no slip
/// on the belt, the foot cannot still be coming forward once planted. This turn is an order of
/// magnitude larger than the foot's height changes near the belt (which for the far foot, seen
/// through the near leg, are barely resolved, and which a heel hovering low before it lands mimics),
/// so:
/// - stances are found from the forward-most turns of the foot's forward path `fwd` (relative to
///   the pelvis; by hysteresis at [`TURN_HYSTERESIS`] of its range), one per stride; IC is the
///   heel's own turn nearby, timed to a fraction of a frame on its unsmoothed, measured-only path
///   `fwd_raw` ([`turn_time`]);
/// - the foot must reach the belt band (smoothed height `h` of its lowest point within the noise
///   threshold, and at least [`BELT_BAND_LEG`]) within [`MAX_LANDING_S`] of the IC, else the turn
///   was in the air and is no contact;
/// - TO is where that height rises through the threshold for the swing ([`timed_crossing`]),
///   before the next forward turn (through the band where the foot never came under the threshold:
///   a belt line fitted a little low there).
#[allow(clippy::too_many_arguments)]
pub(crate) fn contacts_side(
    t: &[f64],
    h: &[f64],
    h_raw: &[f64],
    fwd: &[f64],
    fwd_raw: &[f64],
    side: Side,
    foot_point: FootPoint,
    leg_px: f64,
) -> Vec<Contact> {
    let n = h.len();
    if n < 4 {
        return Vec::new();
    }
    // the belt band the stance foot stays in: the noise threshold, but at least BELT_BAND_LEG (the
    // belt line runs through the middle of the stance samples, half of them above it)
    let thr = contact_threshold(h, leg_px);
    let band = thr.max(BELT_BAND_LEG * leg_px);
    let range = match (percentile(fwd, 0.95), percentile(fwd, 0.05)) {
        (Some(a), Some(b)) if a > b => a - b,
        _ => return Vec::new(),
    };
    let (fore, _) = turning_points(fwd, TURN_HYSTERESIS * range);
    // on its way back when the video starts: the landing is not seen
    let fore: Vec<usize> = fore.into_iter().filter(|&p| p > 0 && fwd[p - 1].is_finite()).collect();
    let dt = (t[1] - t[0]).abs().max(1e-6);
    let land_n = ((MAX_LANDING_S / dt).ceil() as usize).max(1);
    let w = turn_half_window(dt);
    let mut out: Vec<Contact> = Vec::new();
    for (j, &p) in fore.iter().enumerate() {
        // the heel's own forward-most sample near the foot's turn, then its turn to a fraction of a frame
        let p = (p.saturating_sub(w)..=(p + w).min(n - 1))
            .filter(|&i| fwd_raw[i].is_finite())
            .max_by(|&a, &b| fwd_raw[a].total_cmp(&fwd_raw[b]))
            .unwrap_or(p);
        let ic = turn_time(t, fwd_raw, p, dt).unwrap_or(t[p]);
        // first sample at or after the IC, and the foot on the belt soon after it
        let first = t.partition_point(|&x| x < ic - 1e-9).min(n - 1);
        let next = fore.get(j + 1).copied().unwrap_or(n).max(p + 1);
        let Some(on) = (first..(first + land_n + 1).min(next).min(n)).find(|&i| h[i].is_finite() && h[i] < band) else { continue };
        // the level the stance is held to: the noise threshold where the foot comes under it soon
        // after landing; the belt band where it never does (a belt line a little low there)
        let level = if (on..(on + land_n + 1).min(next).min(n)).any(|i| h[i] < thr) { thr } else { band };
        // the stance lasts while the foot stays on the belt (short excursions above the level — a
        // landmark wobbling — included), until its last sample on the belt before the next turn
        let mut last = on;
        let mut above = 0;
        for (i, &v) in h.iter().enumerate().take(next).skip(on + 1) {
            if v.is_finite() && v < level {
                last = i;
                above = 0;
            } else {
                above += 1;
                if above as f64 * dt > MAX_LANDING_S {
                    break;
                }
            }
        }
        // TO where the foot rises through that level for the swing
        let to =
            (last + 1 < n && h[last + 1].is_finite() && last + 1 < next).then(|| timed_crossing(t, h, Some(h_raw), last, false, level));
        let duration = to.unwrap_or(t[last]) - ic;
        if duration < MIN_CONTACT_S || (last == first && to.is_none()) {
            continue;
        }
        out.push(Contact {
            side,
            ic_time_s: ic,
            to_time_s: to,
            first: first.min(last),
            last,
            foot_point,
            ic_uncertainty_s: dt / 2.0,
            ic_by_motion_s: None,
            ic_by_height_s: None,
            forward_turn_s: Some(ic),
            touching: None,
            sole_from_pixels: false,
        });
    }
    out
}

/// The time of a forward turn at sample `p`: where the foot's forward speed reaches zero. A piecewise
/// fit within [`TURN_FIT_S`] of the turn (at least two samples each side), with the turn c free: in
/// the air the foot comes forward and slows to a stop, f = g + α·a² (+ β·a³ with six samples or
/// more), a = c − t; on the belt it is carried back, f = g + γ·d + δ·d², d = t − c — from the stop
/// at once (γ < 0: the belt's speed taken up on impact) or gradually (γ = 0, δ < 0: a rounded turn).
/// Both ideal shapes are fitted exactly; a parabola's vertex would put an abrupt turn up to half a
/// frame early. Searched on a grid ([`best_on_grid`]); fits bending the wrong way are refused.
pub(crate) fn turn_time(t: &[f64], f: &[f64], p: usize, dt: f64) -> Option<f64> {
    let w = turn_half_window(dt);
    let (lo, hi) = (p.checked_sub(w)?, (p + w).min(f.len().checked_sub(1)?));
    let pts: Vec<(f64, f64)> = (lo..=hi).filter(|&i| f[i].is_finite() && t[i].is_finite()).map(|i| (t[i], f[i])).collect();
    if pts.len() < 5 {
        return None;
    }
    let (t0, t1) = (pts[0].0, pts[pts.len() - 1].0);
    best_on_grid(t0, t1, |c| {
        let n_air = pts.iter().filter(|p| p.0 < c).count();
        let n_gnd = pts.len() - n_air;
        if n_air < 2 || n_gnd < 2 {
            return None;
        }
        let cubic = n_air >= 6;
        let mut best: Option<f64> = None;
        for use_d2 in [true, false] {
            if use_d2 && n_gnd < 3 {
                continue;
            }
            // regressors: 1, a², d, d², a³
            let reg = |t: f64| -> [f64; 5] {
                let (a, d) = ((c - t).max(0.0), (t - c).max(0.0));
                [1.0, a * a, d, if use_d2 { d * d } else { 0.0 }, if cubic { a * a * a } else { 0.0 }]
            };
            let idx: Vec<usize> = [0, 1, 2].into_iter().chain(use_d2.then_some(3)).chain(cubic.then_some(4)).collect();
            let mut m = [[0.0f64; 5]; 5];
            let mut r = [0.0f64; 5];
            for &(t, v) in &pts {
                let x = reg(t);
                for (a, &ia) in idx.iter().enumerate() {
                    r[a] += x[ia] * v;
                    for (b, &ib) in idx.iter().enumerate() {
                        m[a][b] += x[ia] * x[ib];
                    }
                }
            }
            let Some(sol) = solve(m, r, idx.len()) else { continue };
            let mut coef = [0.0; 5];
            for (a, &ia) in idx.iter().enumerate() {
                coef[ia] = sol[a];
            }
            if coef[1] > 0.0 || coef[2] > 0.0 || coef[3] > 0.0 {
                continue; // must come forward into the turn and go back from it
            }
            let sse: f64 = pts.iter().map(|&(t, v)| (v - reg(t).iter().zip(&coef).map(|(x, k)| x * k).sum::<f64>()).powi(2)).sum();
            best = Some(best.map_or(sse, |b: f64| b.min(sse)));
        }
        best
    })
}

/// Side views: a turn is fitted within this of it, seconds.
pub(crate) const TURN_FIT_S: f64 = 0.067;

/// Samples each side of a turn that [`TURN_FIT_S`] spans (at least two).
fn turn_half_window(dt: f64) -> usize {
    ((TURN_FIT_S / dt).round() as usize).max(2)
}

/// Side views: a forward turn counts once the path has come back this fraction of its range.
pub(crate) const TURN_HYSTERESIS: f64 = 0.3;
/// Side views: the foot must be on the belt within this of the IC, seconds.
pub(crate) const MAX_LANDING_S: f64 = 0.1;

/// Side views: the two points of a foot that can touch the belt first, from the cleaned but not
/// low-passed series (low-passing rounds the landing's corners): the heel's sole point (the heel
/// landmark moved by the heel-to-sole offset along the foot's downward normal) and the toe. Each
/// as forward position (runner's forward, pixels) and height above the foot's belt line (pixels,
/// up); NaN where the landmark was not measured (visibility below [`super::signal::MIN_VISIBILITY`]:
/// a filled gap would carry the landing's corner away).
#[derive(Debug, Clone, Default)]
pub(crate) struct FootTracks {
    pub heel_x: Vec<f64>,
    pub heel_h: Vec<f64>,
    pub toe_x: Vec<f64>,
    pub toe_h: Vec<f64>,
    /// The shoe's lowest point measured from the pixels (image x, y; NaN where not measured): where
    /// there are enough of them, the landing's height cue ([`super::sole_line`]).
    pub sole: Vec<[f64; 2]>,
}

pub(crate) fn foot_tracks(raw: &Series, side: Side, x_sign: f64, belt: &BeltLine, sole_offset: f64) -> FootTracks {
    let o = side.offset();
    let (heel, toe) = (LEFT_HEEL + o, LEFT_FOOT_INDEX + o);
    let seen =
        |lm: usize, i: usize| raw.vis[lm][i] >= super::signal::MIN_VISIBILITY && raw.x[lm][i].is_finite() && raw.y[lm][i].is_finite();
    let mut tr = FootTracks::default();
    for i in 0..raw.len() {
        let (h, t) = (raw.point(heel, i), raw.point(toe, i));
        // the sole lies below the heel landmark, perpendicular to the heel→toe line
        let (ux, uy) = (t[0] - h[0], t[1] - h[1]);
        let len = ux.hypot(uy);
        let (nx, ny) = if len > 0.0 && len.is_finite() {
            let (a, b) = (-uy / len, ux / len);
            if b >= 0.0 {
                (a, b)
            } else {
                (-a, -b)
            }
        } else {
            (0.0, 1.0)
        };
        let sole = [h[0] + sole_offset * nx, h[1] + sole_offset * ny];
        let ok_heel = seen(heel, i);
        let ok_toe = seen(toe, i);
        tr.heel_x.push(if ok_heel { x_sign * sole[0] } else { f64::NAN });
        tr.heel_h.push(if ok_heel { belt.y_at(sole[0]) - sole[1] } else { f64::NAN });
        tr.toe_x.push(if ok_toe { x_sign * t[0] } else { f64::NAN });
        tr.toe_h.push(if ok_toe { belt.y_at(t[0]) - t[1] } else { f64::NAN });
    }
    tr.sole = raw.sole[o].clone();
    tr
}

/// Side views, running: each contact's IC from the landing model ([`super::landing`]). (Walking
/// keeps the forward turn: a walking foot rolls onto the belt slowly and flat, with no clear jump
/// to belt speed, and its heel stops coming forward only just before it lands.) The contacts come from
/// the forward turns ([`contacts_side`]): each turn bounds its IC from below and sets the window.
/// The belt's speed is this foot's own — the median over its stances of the toe's backward speed
/// while flat; the touching point is the one of heel and toe nearer its own stance level just after
/// the turn (the heel's for a rearfoot strike, the toe's for a forefoot one).
pub(crate) fn refine_side(t: &[f64], tr: &FootTracks, contacts: &mut [Contact]) {
    use super::landing::{combine, height_cue, motion_cue, Phase, Track};
    let n = t.len();
    if n < 4 {
        return;
    }
    let dt = (t[1] - t[0]).abs().max(1e-6);
    let span = |c: &Contact| -> (f64, f64) {
        let t0 = c.ic_time_s;
        (t0, c.to_time_s.unwrap_or(t[c.last]).max(t0 + dt))
    };
    let at = |c: &Contact, f: f64| {
        let (a, b) = span(c);
        a + f * (b - a)
    };
    let speeds: Vec<f64> = contacts
        .iter()
        .filter_map(|c| {
            slope_in(t, &tr.toe_x, at(c, TOE_FLAT.0), at(c, TOE_FLAT.1))
                .or_else(|| slope_in(t, &tr.heel_x, at(c, HEEL_FLAT.0), at(c, HEEL_FLAT.1)))
        })
        .filter(|v| *v < 0.0)
        .collect();
    let Some(v_belt) = median_upper(&speeds) else { return };
    // the drift in height of a point riding the belt (the fitted belt line's residual tilt times
    // the belt's speed): one per point for this foot, the median of its stances' own slopes
    let foot_drift = |h: &[f64], (f0, f1): (f64, f64)| -> Option<f64> {
        let v: Vec<f64> = contacts.iter().filter_map(|c| slope_in(t, h, at(c, f0), at(c, f1))).collect();
        median_upper(&v)
    };
    let drifts = (foot_drift(&tr.heel_h, HEEL_FLAT), foot_drift(&tr.toe_h, TOE_FLAT));
    for c in contacts.iter_mut() {
        let turn = c.ic_time_s;
        c.ic_uncertainty_s = (dt / 2.0).hypot(UNTIMED_UNCERTAINTY_S);
        let levels = (
            median_in(t, &tr.heel_h, at(c, HEEL_FLAT.0), at(c, HEEL_FLAT.1)),
            median_in(t, &tr.toe_h, at(c, TOE_FLAT.0), at(c, TOE_FLAT.1)),
        );
        let near = (turn, turn + (2.0 * dt).max(0.04));
        let above = |h: &[f64], level: Option<f64>| level.and_then(|l| median_in(t, h, near.0, near.1).map(|v| v - l));
        let (heel_above, toe_above) = (above(&tr.heel_h, levels.0), above(&tr.toe_h, levels.1));
        let touching = match (heel_above, toe_above) {
            (Some(a), Some(b)) => {
                if a <= b {
                    Touching::Heel
                } else {
                    Touching::Toe
                }
            }
            (Some(_), None) => Touching::Heel,
            (None, Some(_)) => Touching::Toe,
            (None, None) => continue,
        };
        // each point's height above its own stance level — a line in time through its flat samples
        // (a belt line fitted a little tilted makes a point riding the belt drift in height),
        // extrapolated over the landing; its slope the foot's (`drifts`: a stance's own, from three
        // samples at 30 fps, can take in the start of the heel's rise), this stance's own only
        // where the foot has none
        let above_level = |h: &[f64], (f0, f1): (f64, f64), foot: Option<f64>| -> Option<Vec<f64>> {
            let drift = foot.or_else(|| slope_in(t, h, at(c, f0), at(c, f1))).unwrap_or(0.0);
            let mid = (at(c, f0) + at(c, f1)) / 2.0;
            let detrended: Vec<f64> = h.iter().zip(t).map(|(v, tt)| v - drift * (tt - mid)).collect();
            let level = median_in(t, &detrended, at(c, f0), at(c, f1))?;
            Some(detrended.iter().map(|v| v - level).collect())
        };
        let (x, h, flat, drift) = match touching {
            Touching::Heel => (&tr.heel_x, &tr.heel_h, HEEL_FLAT, drifts.0),
            Touching::Toe => (&tr.toe_x, &tr.toe_h, TOE_FLAT, drifts.1),
        };
        // the sole measured from the pixels, where its stance lies on one line: its height above
        // that line (the belt under this foot) — else the landmark's height above its own level
        let from_pixels = super::sole_line::heights(t, &tr.sole, at(c, TOE_FLAT.0), at(c, TOE_FLAT.1));
        let by_pixels = from_pixels.is_some();
        let Some(hl) = from_pixels.or_else(|| above_level(h, flat, drift)) else { continue };
        let track = Track { t, x, h: &hl };
        let flat_end = at(c, flat.1);
        let lo = turn - (LANDING_AIR_FRAMES * dt).max(LANDING_AIR_S);
        let hi = flat_end.max(turn + 4.0 * dt);
        // the turn bounds IC from below (it is itself measured: half a frame of margin)
        let search = (turn - dt / 2.0, (turn + LANDING_SEARCH_S).min(hi - 2.0 * dt));
        if !(search.1 > search.0) {
            continue;
        }
        let m = motion_cue(&track, v_belt, lo, hi, search, Phase::Landing, dt);
        let hc = height_cue(&track, lo, hi, search, Phase::Landing, dt);
        c.ic_by_motion_s = m.map(|q| q.t);
        c.ic_by_height_s = hc.map(|q| q.t);
        c.touching = Some(touching);
        c.sole_from_pixels = by_pixels;
        if let Some(e) = combine(m, hc, Phase::Landing, dt) {
            c.ic_time_s = e.t;
            c.ic_uncertainty_s = e.uncertainty_s;
            c.first = t.partition_point(|&x| x < e.t - 1e-9).min(c.last);
        }
        if let Some(to) = c.to_time_s.and_then(|to0| sole_lift_off(t, &tr.sole, to0, dt)) {
            c.to_time_s = Some(to);
        }
    }
}

/// A toe-off is timed from the sole measured in the pixels when the window around it holds this
/// many sole points (else the landmarks' height crossing stands).
pub(crate) const LIFT_OFF_MIN_POINTS: usize = 6;

/// Toe-off from the shoe's lowest point measured in the pixels ([`crate::pose::sole`]): the corner
/// where it leaves the belt, fitted ([`super::corner::hinge`], lift-off) to its image height around
/// the landmarks' crossing `to0` — on the belt a line in time (the belt carries it along its slope in
/// the image), in the air a rise. The landmarks cannot time it: at push-off the toe landmark
/// (foot index) rides up with the plantarflexing foot while the shoe's tip is still on the belt, and
/// the far foot's is often off the shoe. On the sample, against two blind passes of TO labels made
/// from the pixels, 27/33 and 25/33 within one frame (the crossing: 19/33 and 18/33); on the
/// synthetic peeling foot it halves the crossing's late bias. None when too few sole points.
pub(crate) fn sole_lift_off(t: &[f64], sole: &[[f64; 2]], to0: f64, dt: f64) -> Option<f64> {
    if sole.len() != t.len() || t.len() < 2 {
        return None;
    }
    let up: Vec<f64> = sole.iter().map(|p| -p[1]).collect();
    let k = t.partition_point(|&x| x <= to0).saturating_sub(1);
    let (lo, hi) = hinge_window(k, t.len(), dt, false);
    if (lo..=hi).filter(|&i| up[i].is_finite()).count() < LIFT_OFF_MIN_POINTS {
        return None;
    }
    hinge(&t[lo..=hi], &up[lo..=hi], false)
}

#[cfg(test)]
mod tests;
