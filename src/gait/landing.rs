//! Side views: the instant a foot joins the belt (initial contact) or leaves it (toe-off), from a
//! physical model of the landing, fitted to a fraction of a frame.
//!
//! On a treadmill a planted foot is carried by the belt: from initial contact (IC) its touching
//! point — the heel's sole for a rearfoot strike, the toe's for a forefoot strike — sits at the
//! belt's level and moves at the belt's speed, until it lifts. In the air it does neither: it
//! descends onto the belt, and moves at its own speed — at the end of swing the leg retracts, so the
//! foot is already moving backwards, at a fraction of belt speed, when it lands. Its forward-most
//! point (the forward turn) therefore comes 20–50 ms *before* IC and is only a lower bound on it.
//!
//! Two cues, each a piecewise model with the event time `c` free, fitted by least squares on a fine
//! grid of `c` ([`Cue`]):
//! - **motion**: the forward position x(t) is a belt-locked line of the fitted belt speed on the belt
//!   side of `c`, x = x_c + v_belt·(t − c), and a smooth (quadratic; cubic with many samples) path on
//!   the air side, continuous at `c`: where the horizontal velocity jumps to belt speed;
//! - **height**: the touching point's height above its own stance level is zero on the belt side and
//!   a smooth descent (ascent for a lift-off) on the air side, continuous at `c`: where it reaches
//!   the belt.
//!
//! Each cue's fit gives a posterior over `c` (likelihood exp(−ΔSSE / 2σ²), σ from the fit's own
//! residuals), whose mean and SD are the cue's estimate. A cue counts only when the change it
//! relies on is larger than the noise (a foot landing at full belt speed has no velocity jump; one
//! sliding in flat has no descent). Contact needs both conditions, so when the two cues disagree by
//! more than their uncertainties the later one is IC (the earlier one is TO); when they agree, their
//! precision-weighted mean. The event's uncertainty combines the frame interval (half a frame),
//! the cues' SDs and their disagreement.
//!
//! Each cue is fitted in two stages: over the whole search, then locally around the first fit's
//! least-squares time with a quadratic air path ([`local`] says why). When neither cue reaches
//! [`MIN_STRENGTH`], one that reaches [`WEAK_STRENGTH`] still times the event.

use super::fit::posterior_on_grid;

/// Which way the foot crosses the belt line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Air before `c`, belt after: initial contact.
    Landing,
    /// Belt before `c`, air after: toe-off.
    LiftOff,
}

/// One cue's estimate of the event time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cue {
    /// Posterior mean, seconds.
    pub t: f64,
    /// Posterior SD, seconds.
    pub sd: f64,
    /// The grid time of least squared error, seconds.
    pub map: f64,
    /// The change the cue relies on (velocity jump, or descent over [`CUE_SPAN_S`]) over the noise.
    pub strength: f64,
}

/// The event from both cues.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    pub t: f64,
    /// ± seconds: half a frame, the cues' SDs and half their disagreement, combined.
    pub uncertainty_s: f64,
    pub by_motion: Option<f64>,
    pub by_height: Option<f64>,
}

/// A cue counts when its change exceeds this many noise SDs.
pub(crate) const MIN_STRENGTH: f64 = 2.0;
/// The change a cue relies on is measured over this time (or one frame, if longer), seconds.
pub(crate) const CUE_SPAN_S: f64 = 0.02;
/// The air side is fitted with a cubic from this many air samples of the motion (a quadratic
/// otherwise: at 30 fps there are three or four).
pub(crate) const X_CUBIC_SAMPLES: usize = 10;
/// …and of the height.
pub(crate) const H_CUBIC_SAMPLES: usize = 6;
/// Smallest noise SD assumed for a fit, pixels (the landmarks' sub-pixel rounding).
pub(crate) const MIN_NOISE_PX: f64 = 0.25;
/// Grid step of the event time: this fraction of a frame (at most [`MAX_GRID_STEP_S`]).
pub(crate) const GRID_FRACTION: f64 = 0.02;
pub(crate) const MAX_GRID_STEP_S: f64 = 5e-4;
/// The local refit of a cue ([`local`]): ± this many frames around the first stage's best time…
pub(crate) const LOCAL_HALF_FRAMES: f64 = 2.0;
/// …with an air side this long beyond the window ([`LOCAL_AIR_FRAMES`] frames, if longer), seconds.
pub(crate) const LOCAL_AIR_S: f64 = 0.03;
pub(crate) const LOCAL_AIR_FRAMES: f64 = 3.0;
/// When neither cue reaches [`MIN_STRENGTH`], a cue whose change is at least the noise still times
/// the event: it is a weak estimate, but the forward turn the contact would otherwise keep is a
/// known lower bound, 20–50 ms early on real runners.
pub(crate) const WEAK_STRENGTH: f64 = 1.0;

/// Samples of the touching point: time, forward position (runner's forward, pixels), height above
/// its own stance level (pixels, up). Non-finite values are skipped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Track<'a> {
    pub t: &'a [f64],
    pub x: &'a [f64],
    pub h: &'a [f64],
}

fn usable(t: &[f64], v: &[f64], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    t.iter().zip(v).filter(|(a, b)| a.is_finite() && b.is_finite() && **a >= lo - 1e-9 && **a <= hi + 1e-9).map(|(a, b)| (*a, *b)).collect()
}

/// Signed time from the event into the air (positive in the air, zero on the belt).
fn air_time(t: f64, c: f64, phase: Phase) -> f64 {
    match phase {
        Phase::Landing => (c - t).max(0.0),
        Phase::LiftOff => (t - c).max(0.0),
    }
}

/// The air curve's order for one event: cubic when the widest air side of the search has at least
/// `cubic_from` samples, quadratic otherwise — fixed over the search, so that every candidate time is
/// fitted with the same model.
fn air_order(pts: &[(f64, f64)], lo: f64, hi: f64, search: (f64, f64), phase: Phase, cubic_from: usize) -> usize {
    let n_air_max =
        pts.iter().filter(|p| air_time(p.0, search.0.max(lo), phase) > 0.0 || air_time(p.0, search.1.min(hi), phase) > 0.0).count();
    if n_air_max >= cubic_from {
        3
    } else {
        2
    }
}

/// Whether a candidate event time `c` leaves enough samples in the air (the curve's order) and on
/// the belt (two).
fn enough_each_side(pts: &[(f64, f64)], c: f64, phase: Phase, order: usize) -> bool {
    let n_air = pts.iter().filter(|p| air_time(p.0, c, phase) > 0.0).count();
    n_air >= order && pts.len() - n_air >= 2
}

/// The motion cue over samples in `[lo, hi]`, event searched in `search`. `v_belt`: the belt's
/// speed in the same forward coordinate (negative: backwards).
/// Fitted in two stages ([`local`]): over the whole search, then locally around the first stage's
/// least-squares time.
pub(crate) fn motion_cue(tr: &Track, v_belt: f64, lo: f64, hi: f64, search: (f64, f64), phase: Phase, dt: f64) -> Option<Cue> {
    let coarse = motion_fit(tr, v_belt, lo, hi, search, phase, dt, None)?;
    Some(local(coarse, lo, hi, search, phase, dt, |lo2, hi2, s2| motion_fit(tr, v_belt, lo2, hi2, s2, phase, dt, Some(2))))
}

#[allow(clippy::too_many_arguments)]
fn motion_fit(tr: &Track, v_belt: f64, lo: f64, hi: f64, search: (f64, f64), phase: Phase, dt: f64, force: Option<usize>) -> Option<Cue> {
    let pts = usable(tr.t, tr.x, lo, hi);
    let order = force.unwrap_or_else(|| air_order(&pts, lo, hi, search, phase, X_CUBIC_SAMPLES));
    let fit = |c: f64| -> Option<(f64, f64)> {
        if !enough_each_side(&pts, c, phase, order) {
            return None;
        }
        // y = x − v_belt·(t − c) on the belt side; model y = x_c + Σ α_k·s^k on the air side, where
        // s = t − c (signed), zero on the belt side
        let k = 1 + order;
        let rows: Vec<([f64; 4], f64)> = pts
            .iter()
            .map(|&(t, x)| {
                let on_air = air_time(t, c, phase) > 0.0;
                let s = if on_air { t - c } else { 0.0 };
                let y = if on_air { x } else { x - v_belt * (t - c) };
                ([1.0, s, s * s, if order == 3 { s * s * s } else { 0.0 }], y)
            })
            .collect();
        let (coef, sse) = super::fit::lstsq(&rows, k)?;
        // air velocity at c: α1; its jump to the belt
        Some((sse, coef[1] - v_belt))
    };
    let p = posterior_on_grid(search.0, search.1, grid_step(dt), pts.len().saturating_sub(1 + order + 1), MIN_NOISE_PX, |c| {
        fit(c).map(|f| f.0)
    })?;
    let jump = fit(p.best).map_or(0.0, |f| f.1.abs());
    Some(Cue { t: p.mean, sd: p.sd, map: p.best, strength: jump * CUE_SPAN_S.max(dt) / p.noise })
}

/// The height cue over samples in `[lo, hi]` (height above the stance level), event searched in
/// `search`.
/// Fitted in two stages, as the motion cue.
pub(crate) fn height_cue(tr: &Track, lo: f64, hi: f64, search: (f64, f64), phase: Phase, dt: f64) -> Option<Cue> {
    let coarse = height_fit(tr, lo, hi, search, phase, dt, None)?;
    Some(local(coarse, lo, hi, search, phase, dt, |lo2, hi2, s2| height_fit(tr, lo2, hi2, s2, phase, dt, Some(2))))
}

fn height_fit(tr: &Track, lo: f64, hi: f64, search: (f64, f64), phase: Phase, dt: f64, force: Option<usize>) -> Option<Cue> {
    let pts = usable(tr.t, tr.h, lo, hi);
    let order = force.unwrap_or_else(|| air_order(&pts, lo, hi, search, phase, H_CUBIC_SAMPLES));
    let fit = |c: f64| -> Option<(f64, f64)> {
        if !enough_each_side(&pts, c, phase, order) {
            return None;
        }
        // h = Σ β_k·a^k in the air (a ≥ 0: time off the belt), 0 on it
        let rows: Vec<([f64; 4], f64)> = pts
            .iter()
            .map(|&(t, h)| {
                let a = air_time(t, c, phase);
                ([a, a * a, if order == 3 { a * a * a } else { 0.0 }, 0.0], h)
            })
            .collect();
        let (coef, sse) = super::fit::lstsq(&rows, order)?;
        if coef[0] < 0.0 && coef[0] * CUE_SPAN_S.max(dt) + coef[1] * CUE_SPAN_S.max(dt).powi(2) < 0.0 {
            return None; // comes to the belt from below: not a landing there
        }
        Some((sse, coef[0].max(0.0) * CUE_SPAN_S.max(dt) + coef[1] * CUE_SPAN_S.max(dt).powi(2)))
    };
    let p =
        posterior_on_grid(search.0, search.1, grid_step(dt), pts.len().saturating_sub(order + 1), MIN_NOISE_PX, |c| fit(c).map(|f| f.0))?;
    let rise = fit(p.best).map_or(0.0, |f| f.1.abs());
    Some(Cue { t: p.mean, sd: p.sd, map: p.best, strength: rise / p.noise })
}

/// The second stage of a cue: refitted over ± [`LOCAL_HALF_FRAMES`] frames around the first stage's
/// least-squares time, with a quadratic air path over a short air window ([`LOCAL_AIR_S`]). Why:
/// over the whole search the air path needs a cubic, and a flexible air curve can take in belt
/// samples next to the contact more cheaply than the rigid belt line can take in air samples, so the
/// likelihood has a long tail into the air side — with noise it pulls the posterior mean from the
/// contact towards the middle of the search (late for a foot that lands near its turn). Locally a
/// quadratic is exact enough and the window is symmetric about the best fit. The cue keeps the
/// first stage's strength, and the larger of the two SDs (the local window truncates the posterior).
fn local(
    coarse: Cue,
    lo: f64,
    hi: f64,
    search: (f64, f64),
    phase: Phase,
    dt: f64,
    fit: impl Fn(f64, f64, (f64, f64)) -> Option<Cue>,
) -> Cue {
    let half = LOCAL_HALF_FRAMES * dt;
    let s2 = ((coarse.map - half).max(search.0), (coarse.map + half).min(search.1));
    if !(s2.1 > s2.0) {
        return coarse;
    }
    let air = LOCAL_AIR_S.max(LOCAL_AIR_FRAMES * dt);
    let (lo2, hi2) = match phase {
        Phase::Landing => ((s2.0 - air).max(lo), hi),
        Phase::LiftOff => (lo, (s2.1 + air).min(hi)),
    };
    fit(lo2, hi2, s2).map_or(coarse, |f| Cue { strength: coarse.strength, sd: f.sd.max(coarse.sd), ..f })
}

fn grid_step(dt: f64) -> f64 {
    (GRID_FRACTION * dt).min(MAX_GRID_STEP_S)
}

/// Both cues into one event (see the module comment); None when neither counts.
pub fn combine(motion: Option<Cue>, height: Option<Cue>, phase: Phase, dt: f64) -> Option<Event> {
    let mut m = motion.filter(|c| c.strength >= MIN_STRENGTH);
    let mut h = height.filter(|c| c.strength >= MIN_STRENGTH);
    if m.is_none() && h.is_none() {
        m = motion.filter(|c| c.strength >= WEAK_STRENGTH);
        h = height.filter(|c| c.strength >= WEAK_STRENGTH);
    }
    let (t, sd, spread) = match (m, h) {
        (Some(a), Some(b)) => {
            let joint = a.sd.hypot(b.sd).max(1e-6);
            if (a.t - b.t).abs() <= 2.0 * joint {
                let (wa, wb) = (1.0 / a.sd.max(1e-5).powi(2), 1.0 / b.sd.max(1e-5).powi(2));
                ((wa * a.t + wb * b.t) / (wa + wb), (1.0 / (wa + wb)).sqrt(), (a.t - b.t).abs())
            } else {
                let later = if a.t > b.t { a } else { b };
                let earlier = if a.t > b.t { b } else { a };
                let pick = if phase == Phase::Landing { later } else { earlier };
                (pick.t, pick.sd, (a.t - b.t).abs())
            }
        }
        (Some(a), None) | (None, Some(a)) => (a.t, a.sd, 0.0),
        (None, None) => return None,
    };
    Some(Event {
        t,
        uncertainty_s: (dt / 2.0).hypot(sd).hypot(spread / 2.0),
        by_motion: motion.map(|c| c.t),
        by_height: height.map(|c| c.t),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A foot coming forward, turning 40 ms before it lands, descending, and touching down moving
    /// backwards at `frac` of belt speed; then carried back at belt speed on the belt.
    fn landing(fps: f64, c: f64, frac: f64, noise: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let vb = -900.0;
        let r = 0.04;
        let mut seed = 12345u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2.0 * 3f64.sqrt()
        };
        let t: Vec<f64> = (0..(0.5 * fps) as usize).map(|i| i as f64 / fps).collect();
        let mut x = Vec::new();
        let mut h = Vec::new();
        for &ti in &t {
            let (xi, hi) = if ti >= c {
                (vb * (ti - c), 0.0)
            } else {
                let a = c - ti;
                // velocity frac·vb at c, zero at c − r (the forward turn), a parabola in between and before
                let acc = frac * vb / r;
                (frac * vb * (ti - c) + 0.5 * acc * (ti - c).powi(2), 350.0 * a + 2000.0 * a * a)
            };
            x.push(xi + noise * rnd());
            h.push(hi + noise * rnd());
        }
        (t, x, h)
    }

    #[test]
    fn both_cues_find_a_retracting_landing_to_a_fraction_of_a_frame() {
        for fps in [30.0, 60.0, 120.0, 240.0] {
            let dt = 1.0 / fps;
            for c in [0.2, 0.2 + 0.37 * dt, 0.2 + 0.81 * dt] {
                let (t, x, h) = landing(fps, c, 0.5, 0.0);
                let tr = Track { t: &t, x: &x, h: &h };
                let turn = c - 0.04;
                let (lo, hi) = (turn - (3.0 * dt).max(0.05), c + 0.1);
                let search = (turn - dt / 2.0, turn + 0.12);
                let m = motion_cue(&tr, -900.0, lo, hi, search, Phase::Landing, dt).unwrap();
                let hc = height_cue(&tr, lo, hi, search, Phase::Landing, dt).unwrap();
                assert!((m.t - c).abs() < 0.1 * dt, "{fps} fps motion {} vs {c}", m.t);
                assert!((hc.t - c).abs() < 0.1 * dt, "{fps} fps height {} vs {c}", hc.t);
                let e = combine(Some(m), Some(hc), Phase::Landing, dt).unwrap();
                assert!((e.t - c).abs() < 0.1 * dt && e.uncertainty_s >= dt / 2.0, "{e:?}");
            }
        }
    }

    #[test]
    fn a_foot_landing_at_belt_speed_is_timed_by_its_height_alone() {
        let fps = 60.0;
        let dt = 1.0 / fps;
        let c = 0.2 + 0.3 * dt;
        let (t, x, h) = landing(fps, c, 1.0, 0.3);
        let tr = Track { t: &t, x: &x, h: &h };
        let (lo, hi, search) = (c - 0.09, c + 0.1, (c - 0.05, c + 0.08));
        let m = motion_cue(&tr, -900.0, lo, hi, search, Phase::Landing, dt).unwrap();
        assert!(m.strength < MIN_STRENGTH, "no velocity jump: {m:?}");
        let hc = height_cue(&tr, lo, hi, search, Phase::Landing, dt).unwrap();
        let e = combine(Some(m), Some(hc), Phase::Landing, dt).unwrap();
        assert!((e.t - c).abs() < 0.25 * dt, "{e:?} vs {c}");
    }

    #[test]
    fn disagreeing_cues_give_the_later_landing_and_the_earlier_lift_off() {
        let a = Cue { t: 0.100, sd: 0.002, map: 0.100, strength: 10.0 };
        let b = Cue { t: 0.130, sd: 0.002, map: 0.130, strength: 10.0 };
        let dt = 1.0 / 30.0;
        let l = combine(Some(a), Some(b), Phase::Landing, dt).unwrap();
        let o = combine(Some(a), Some(b), Phase::LiftOff, dt).unwrap();
        assert_eq!((l.t, o.t), (0.130, 0.100));
        assert!(l.uncertainty_s > 0.015, "{l:?}");
        // agreeing cues: their weighted mean
        let c = Cue { t: 0.102, sd: 0.002, map: 0.102, strength: 10.0 };
        let m = combine(Some(a), Some(c), Phase::Landing, dt).unwrap();
        assert!((m.t - 0.101).abs() < 1e-9);
        assert!(combine(Some(Cue { strength: 0.5, ..a }), None, Phase::Landing, dt).is_none());
    }
}
