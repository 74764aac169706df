//! Treadmill-aware gait events: initial contact (IC) and toe-off (TO) of each foot, with sub-frame
//! timing.
//!
//! On a treadmill the belt carries the stance foot backwards, so the foot is not still in the image
//! during stance (methods made for overground walking, which look for a still foot, fail). Two things
//! stay true: the stance foot is at its lowest — on the belt — and, in side views, it moves backwards;
//! the swing foot comes forward. So:
//! - side views ([`contacts_side`]): each forward-most turn of the heel is a landing — IC is the
//!   instant the heel stops coming forward, fitted to a fraction of a frame; the foot must then be on
//!   the belt, and TO is where its lowest point leaves the belt;
//! - frontal views ([`contacts`]), where forward motion is not seen: the foot's lowest point (heel
//!   or toe; the ankle where the foot landmarks are missing) measured above the belt line, and
//!   contact where it stays within a threshold set from the leg length and the signal's noise; IC
//!   and TO are the corners where it reaches and leaves the belt.
//!
//! The belt line is fitted through the stance samples (it also gives the camera's tilt). Timing
//! uncertainty is stated from the frame rate by the caller.

use super::fit::solve;
use super::series::Series;
use super::summary::{median, percentile};
use crate::pose::idx::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
    /// Landmark index of the left one + this.
    pub fn offset(self) -> usize {
        match self {
            Side::Left => 0,
            Side::Right => 1,
        }
    }
}

/// Shortest contact accepted, seconds (running stance is ≥ 0.15 s; this rejects a swing foot grazing
/// the threshold).
pub const MIN_CONTACT_S: f64 = 0.04;
/// Contact threshold: at least this fraction of leg length above the belt…
pub const MIN_THRESHOLD_LEG: f64 = 0.025;
/// …and at least this many noise standard deviations.
pub const THRESHOLD_SIGMAS: f64 = 3.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub side: Side,
    pub ic_time_s: f64,
    /// Toe-off time; None when the video ends (or the foot is lost) before it.
    pub to_time_s: Option<f64>,
    /// First and last sample index inside the contact.
    pub first: usize,
    pub last: usize,
    /// Which foot point the timing used.
    pub foot_point: FootPoint,
    /// ± seconds on `ic_time_s`: half a frame, and in side views the landing model's cues' SDs and
    /// disagreement ([`super::landing::Event`]).
    pub ic_uncertainty_s: f64,
    /// Side views: the landing model's two cues (seconds; None where a cue could not be fitted), and
    /// the forward turn that bounds IC from below.
    pub ic_by_motion_s: Option<f64>,
    pub ic_by_height_s: Option<f64>,
    pub forward_turn_s: Option<f64>,
    /// Side views: the point that touched the belt first.
    pub touching: Option<Touching>,
    /// Side views: the landing's height cue came from the sole measured in the pixels (else from
    /// the heel or toe landmark).
    pub sole_from_pixels: bool,
}

/// The part of the foot that touches the belt first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Touching {
    Heel,
    Toe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FootPoint {
    HeelOrToe,
    Ankle,
}

/// The foot's lowest point per sample: (x, y, which point). `heel_offset` (pixels, downwards) moves
/// the heel landmark — which BlazePose places at the back of the heel, above the sole — down to the
/// sole (see [`heel_sole_offset`]).
pub fn foot_lowest(s: &Series, side: Side, heel_offset: f64) -> (Vec<f64>, Vec<f64>, FootPoint) {
    let o = side.offset();
    let (heel, toe, ankle) = (LEFT_HEEL + o, LEFT_FOOT_INDEX + o, LEFT_ANKLE + o);
    let usable = (0..s.len()).filter(|&i| s.y[heel][i].is_finite() && s.y[toe][i].is_finite()).count();
    if usable * 2 >= s.len() {
        let mut xs = Vec::with_capacity(s.len());
        let mut ys = Vec::with_capacity(s.len());
        for i in 0..s.len() {
            let (mut h, t) = (s.point(heel, i), s.point(toe, i));
            h[1] += heel_offset;
            let p = if h[1] >= t[1] || !t[1].is_finite() { h } else { t };
            xs.push(p[0]);
            ys.push(p[1]);
        }
        (xs, ys, FootPoint::HeelOrToe)
    } else {
        (s.x[ankle].clone(), s.y[ankle].clone(), FootPoint::Ankle)
    }
}

/// The belt line y = a + b·x in the image, fitted through both feet's lowest samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeltLine {
    pub a: f64,
    pub b: f64,
}

impl BeltLine {
    pub fn y_at(&self, x: f64) -> f64 {
        self.a + self.b * x
    }
    /// The belt's tilt in the image, degrees (positive: lower on the right).
    pub fn tilt_deg(&self) -> f64 {
        self.b.atan().to_degrees()
    }
}

/// Samples within this fraction of leg length of the belt line count as stance when fitting it.
pub const BELT_BAND_LEG: f64 = 0.06;
/// Largest belt tilt accepted from the fit; beyond it the camera or the fit is not trusted.
pub const MAX_TILT_DEG: f64 = 30.0;

/// Fits the line the foot slides along in stance. The first guess: in side views (`fwd_velocity`
/// given: the foot's forward speed relative to the pelvis) a least-squares line through the
/// samples where the foot moves backwards in the lower half of its range — on a treadmill, the
/// stance, wherever it is along the belt; in frontal views a level line through the lowest quarter.
/// Then, three times, a least-squares line through every sample within `band_px` of the current
/// line. The line may slope: a camera not square to the treadmill sees the belt run obliquely.
pub fn fit_belt(xs: &[f64], ys: &[f64], fwd_velocity: Option<&[f64]>, band_px: f64) -> Option<BeltLine> {
    let all: Vec<(f64, f64)> = xs.iter().zip(ys.iter()).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| (*x, *y)).collect();
    if all.len() < 3 {
        return None;
    }
    let ls = |pts: &[(f64, f64)], slope: bool| -> Option<BeltLine> {
        if pts.len() < 3 {
            return None;
        }
        let n = pts.len() as f64;
        let (mx, my) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let b = if slope && sxx > 0.0 { sxy / sxx } else { 0.0 };
        let b = if b.atan().to_degrees().abs() > MAX_TILT_DEG { 0.0 } else { b };
        // the belt is the middle of the samples' spread about the line
        let mut res: Vec<f64> = pts.iter().map(|p| p.1 - b * p.0).collect();
        res.sort_by(f64::total_cmp);
        Some(BeltLine { a: res[res.len() / 2], b })
    };
    let slope = fwd_velocity.is_some();
    let first = match fwd_velocity {
        Some(v) => {
            let mid_y = percentile(ys, 0.5)?;
            let stance: Vec<(f64, f64)> = xs
                .iter()
                .zip(ys)
                .zip(v)
                .filter(|((x, y), v)| x.is_finite() && y.is_finite() && **v < 0.0 && **y >= mid_y)
                .map(|((x, y), _)| (*x, *y))
                .collect();
            ls(&stance, true)
        }
        None => None,
    };
    let mut belt = match first {
        Some(b) => b,
        None => BeltLine { a: percentile(ys, 0.75)?, b: 0.0 },
    };
    for _ in 0..3 {
        let pts: Vec<(f64, f64)> = all.iter().copied().filter(|&(x, y)| (belt.y_at(x) - y).abs() < band_px).collect();
        match ls(&pts, slope) {
            Some(b) => belt = b,
            None => break,
        }
    }
    Some(belt)
}

/// Height of the foot above the belt, pixels (positive up).
pub fn height(xs: &[f64], ys: &[f64], belt: &BeltLine) -> Vec<f64> {
    xs.iter().zip(ys).map(|(&x, &y)| belt.y_at(x) - y).collect()
}

/// Time where the segment (t0,h0)–(t1,h1) crosses `thr`, then extrapolated along its slope to h = 0,
/// by at most two sample intervals.
fn crossing_to_zero(t0: f64, h0: f64, t1: f64, h1: f64, thr: f64) -> f64 {
    let dt = t1 - t0;
    let slope = (h1 - h0) / dt;
    if !(slope.abs() > 0.0) || !slope.is_finite() {
        return (t0 + t1) / 2.0;
    }
    let t_thr = t0 + (thr - h0) / slope;
    let t_zero = t_thr + (0.0 - thr) / slope;
    t_zero.clamp(t_thr - 2.0 * dt, t_thr + 2.0 * dt)
}

/// Frontal views: contacts of one foot from its height signal alone. Stances are found on the
/// smoothed height `h`; IC and TO are timed on `h_raw` (cleaned of outliers but not low-passed, whose
/// rounding of the landing would shift them) by a hinge fitted around each threshold crossing.
pub fn contacts(t: &[f64], h: &[f64], h_raw: Option<&[f64]>, side: Side, foot_point: FootPoint, leg_px: f64) -> Vec<Contact> {
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

/// The height below which a foot is on the belt: at least [`MIN_THRESHOLD_LEG`] of leg length and
/// [`THRESHOLD_SIGMAS`] times the height's noise — the robust spread of its second difference near
/// the belt (a straight descent has none; white noise of SD σ gives second differences of SD σ·√6).
pub fn contact_threshold(h: &[f64], leg_px: f64) -> f64 {
    let n = h.len();
    let d2: Vec<f64> = (1..n.saturating_sub(1))
        .filter(|&i| h[i].is_finite() && h[i].abs() < 0.06 * leg_px)
        .map(|i| h[i - 1] - 2.0 * h[i] + h[i + 1])
        .filter(|v| v.is_finite())
        .map(f64::abs)
        .collect();
    let sd = percentile(&d2, 0.5).map(|mad| 1.4826 * mad / 6f64.sqrt()).unwrap_or(0.0);
    (MIN_THRESHOLD_LEG * leg_px).max(THRESHOLD_SIGMAS * sd)
}

/// The instant the foot reaches (`down`) or leaves the belt, around the smoothed height's threshold
/// crossing between samples k and k+1: a hinge — the belt, then a straight descent or ascent — fitted
/// to the unsmoothed height `h_raw` there; its corner is the event.
fn timed_crossing(t: &[f64], h: &[f64], h_raw: Option<&[f64]>, k: usize, down: bool, thr: f64) -> f64 {
    let n = h.len();
    let r = h_raw.unwrap_or(h);
    let dt = (t[1] - t[0]).abs().max(1e-6);
    let m_air = ((HINGE_AIR_WINDOW_S / dt).ceil() as usize).max(2);
    let m_gnd = ((HINGE_GROUND_WINDOW_S / dt).ceil() as usize).max(2);
    let (lo, hi) =
        if down { (k.saturating_sub(m_air), (k + 1 + m_gnd).min(n - 1)) } else { (k.saturating_sub(m_gnd), (k + 1 + m_air).min(n - 1)) };
    hinge(&t[lo..=hi], &r[lo..=hi], down).unwrap_or_else(|| crossing_to_zero(t[k], h[k], t[k + 1], h[k + 1], thr))
}

/// The turning points of a forward path: (forward-most, rear-most) sample indices, alternating, by
/// hysteresis — a turn counts once the path has come back by `hyst` from it, so that noise and a
/// wobble never make a turn. A last forward-most point the video ends too soon to confirm is kept
/// when the path has started back from it.
pub fn turning_points(f: &[f64], hyst: f64) -> (Vec<usize>, Vec<usize>) {
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
pub fn contacts_side(
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
pub fn turn_time(t: &[f64], f: &[f64], p: usize, dt: f64) -> Option<f64> {
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
pub const TURN_FIT_S: f64 = 0.067;

/// Samples each side of a turn that [`TURN_FIT_S`] spans (at least two).
fn turn_half_window(dt: f64) -> usize {
    ((TURN_FIT_S / dt).round() as usize).max(2)
}

/// Side views: a forward turn counts once the path has come back this fraction of its range.
pub const TURN_HYSTERESIS: f64 = 0.3;
/// Side views: the foot must be on the belt within this of the IC, seconds.
pub const MAX_LANDING_S: f64 = 0.1;

/// The window a contact's corner is fitted in: this long on the air side of the threshold crossing…
pub const HINGE_AIR_WINDOW_S: f64 = 0.13;
/// …and this long on the belt side, seconds.
pub const HINGE_GROUND_WINDOW_S: f64 = 0.1;

/// Least-squares fit of a corner to the height around a contact: h(t) = g + v·a + u·a² + w·d,
/// where a = max(0, c − t) is the time still in the air before the corner (a descent onto the belt,
/// `down`; mirrored for a lift-off) and d = max(0, t − c) the time on the belt after it. The quadratic
/// term lets the foot's path bend as it nears the belt and is used only when at least four samples
/// lie in the air (high frame rates); the belt-side slope w absorbs a stance path that is not quite
/// level. The corner c is searched on a grid between the first and last sample ([`best_on_grid`]); for each, the
/// coefficients come from the normal equations. Returns c.
pub fn hinge(ts: &[f64], hs: &[f64], down: bool) -> Option<f64> {
    let pts: Vec<(f64, f64)> = ts.iter().zip(hs).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| (*a, *b)).collect();
    if pts.len() < 4 {
        return None;
    }
    let (t0, t1) = (pts[0].0, pts[pts.len() - 1].0);
    best_on_grid(t0, t1, |c| {
        let air = |t: f64| if down { (c - t).max(0.0) } else { (t - c).max(0.0) };
        let gnd = |t: f64| if down { (t - c).max(0.0) } else { (c - t).max(0.0) };
        let n_air = pts.iter().filter(|p| air(p.0) > 0.0).count();
        let n_gnd = pts.len() - n_air;
        if n_air < 2 || n_gnd < 2 {
            return None;
        }
        let quad = n_air >= 4;
        let k = if quad { 4 } else { 3 };
        let reg = |t: f64| -> [f64; 4] {
            let a = air(t);
            [1.0, a, gnd(t), if quad { a * a } else { 0.0 }]
        };
        let mut m = [[0.0f64; 4]; 4];
        let mut r = [0.0f64; 4];
        for &(t, h) in &pts {
            let x = reg(t);
            for p in 0..k {
                r[p] += x[p] * h;
                for q in 0..k {
                    m[p][q] += x[p] * x[q];
                }
            }
        }
        let sol = solve(m, r, k)?;
        if sol[1] <= 0.0 || sol[1].is_nan() {
            return None; // the corner must bend the stated way
        }
        Some(
            pts.iter()
                .map(|&(t, h)| {
                    let x = reg(t);
                    (h - (0..k).map(|p| sol[p] * x[p]).sum::<f64>()).powi(2)
                })
                .sum(),
        )
    })
}

/// The corner time c in [t0, t1] whose fit leaves the least squared error (`sse_at`; None where no
/// fit is allowed): a coarse grid of [`COARSE_STEPS`], then the best cell and its neighbours again
/// at [`FINE_STEP_S`].
fn best_on_grid(t0: f64, t1: f64, sse_at: impl Fn(f64) -> Option<f64>) -> Option<f64> {
    let scan = |a: f64, b: f64, steps: usize| -> Option<(f64, f64)> {
        let mut best: Option<(f64, f64)> = None;
        for i in 0..=steps {
            let c = a + (b - a) * i as f64 / steps as f64;
            if let Some(e) = sse_at(c) {
                if best.is_none_or(|(b, _)| e < b) {
                    best = Some((e, c));
                }
            }
        }
        best
    };
    let cell = (t1 - t0) / COARSE_STEPS as f64;
    let (_, c) = scan(t0, t1, COARSE_STEPS)?;
    let (a, b) = ((c - 2.0 * cell).max(t0), (c + 2.0 * cell).min(t1));
    scan(a, b, (((b - a) / FINE_STEP_S).ceil() as usize).max(1)).map(|(_, c)| c)
}

/// Corner searches: coarse grid cells over the window…
pub const COARSE_STEPS: usize = 200;
/// …then this resolution around the best, seconds.
pub const FINE_STEP_S: f64 = 2e-5;

/// The belt's speed (pixels/s): the foot's backward speed over the middle half of each stance.
pub fn belt_speed(t: &[f64], fwd: &[f64], contacts: &[Contact]) -> Option<f64> {
    let v: Vec<f64> = contacts
        .iter()
        .filter_map(|c| {
            let (a, b) = (c.first + (c.last - c.first) / 4, c.last - (c.last - c.first) / 4);
            (b > a && fwd[a].is_finite() && fwd[b].is_finite()).then(|| -(fwd[b] - fwd[a]) / (t[b] - t[a]))
        })
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    median(&v)
}

/// Running median of three samples (ends kept; NaN where any of the three is NaN).
pub fn median3(v: &[f64]) -> Vec<f64> {
    let mut out = v.to_vec();
    for i in 1..v.len().saturating_sub(1) {
        let (a, b, c) = (v[i - 1], v[i], v[i + 1]);
        out[i] = if a.is_finite() && b.is_finite() && c.is_finite() { a.max(b).min(a.min(b).max(c)) } else { b };
    }
    out
}

/// Central-difference velocity (per second) of a sampled signal.
pub fn velocity(t: &[f64], v: &[f64]) -> Vec<f64> {
    let n = v.len();
    (0..n)
        .map(|i| {
            let (a, b) = (i.saturating_sub(1), (i + 1).min(n.saturating_sub(1)));
            if b > a {
                (v[b] - v[a]) / (t[b] - t[a])
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// How far the heel landmark sits above the toe landmark when the foot is flat on the belt
/// (mid-stance of the given contacts): the median of toe y − heel y there, never negative.
pub fn heel_sole_offset(s: &Series, side: Side, contacts: &[Contact]) -> f64 {
    let o = side.offset();
    let mut d: Vec<f64> = contacts
        .iter()
        .filter(|c| c.side == side)
        .map(|c| (c.first + c.last) / 2)
        .map(|i| s.y[LEFT_FOOT_INDEX + o][i] - s.y[LEFT_HEEL + o][i])
        .filter(|v| v.is_finite())
        .collect();
    if d.is_empty() {
        return 0.0;
    }
    d.sort_by(f64::total_cmp);
    d[d.len() / 2].max(0.0)
}

/// All contacts of one foot, from the smoothed series `s` and the unsmoothed `raw` (timing).
/// `x_sign` turns image x into the runner's forward; `pelvis_fwd` is the pelvis's forward coordinate
/// per sample in side views ([`contacts_side`]: the forward path finds and times the landings) and
/// None in frontal views ([`contacts`]: the height alone). Two passes: the first finds stances with
/// the landmarks as they are, the second moves the heel down to the sole using them and detects again.
pub fn detect(
    s: &Series,
    raw: &Series,
    side: Side,
    x_sign: f64,
    pelvis_fwd: Option<&[f64]>,
    leg_px: f64,
) -> (Vec<Contact>, Option<BeltLine>, Option<FootTracks>) {
    let o = side.offset();
    let once = |offset: f64| -> (Vec<Contact>, Option<BeltLine>) {
        let (fx, fy, point) = foot_lowest(s, side, offset);
        // forward speed relative to the pelvis (side views): backwards in stance
        let rel: Option<Vec<f64>> = pelvis_fwd.map(|p| {
            let fwd: Vec<f64> = fx.iter().map(|x| x_sign * x).collect();
            let v = velocity(&s.t, &fwd);
            let vp = velocity(&s.t, p);
            v.iter().zip(&vp).map(|(a, b)| a - b).collect()
        });
        let Some(belt) = fit_belt(&fx, &fy, rel.as_deref(), BELT_BAND_LEG * leg_px) else { return (Vec::new(), None) };
        let (rx, ry, _) = foot_lowest(raw, side, offset);
        // a 3-sample median removes one-frame dips (a blurred foot's landmark jumping to the belt)
        // and leaves monotonic descents, steps and plateaus as they are
        let h_raw = median3(&height(&rx, &ry, &belt));
        let h = median3(&height(&fx, &fy, &belt));
        let c = match pelvis_fwd {
            None => {
                let mut c = contacts(&s.t, &h, Some(&h_raw), side, point, leg_px);
                refine_frontal(&s.t, &h_raw, &mut c);
                c
            }
            Some(p) => {
                // the heel's path (the ankle's where the foot points are not tracked), relative to
                // the pelvis to find the turns (a runner drifting on the belt moves them all), in
                // the image to time them (where the heel stops coming forward)
                let back = if point == FootPoint::HeelOrToe { LEFT_HEEL + o } else { LEFT_ANKLE + o };
                // the foot's forward position as the median of heel, ankle and toe (a landmark that
                // jumps to the other foot for a frame or two is outvoted), then a 3-sample median
                // in time: the turns are found on it
                let foot = [back, LEFT_ANKLE + o, LEFT_FOOT_INDEX + o];
                let fwd_rel: Vec<f64> = median3(
                    &(0..s.len())
                        .map(|i| {
                            let mut v: Vec<f64> = foot.iter().map(|&lm| raw.x[lm][i]).filter(|x| x.is_finite()).collect();
                            v.sort_by(f64::total_cmp);
                            if v.is_empty() {
                                f64::NAN
                            } else {
                                x_sign * v[v.len() / 2] - p[i]
                            }
                        })
                        .collect::<Vec<_>>(),
                );
                // measured samples only: a gap filled by interpolation would cut the turn's corner
                let fwd_raw: Vec<f64> = raw.x[back]
                    .iter()
                    .zip(&raw.vis[back])
                    .map(|(x, v)| if *v >= super::signal::MIN_VISIBILITY { x_sign * x } else { f64::NAN })
                    .collect();
                contacts_side(&s.t, &h, &h_raw, &fwd_rel, &fwd_raw, side, point, leg_px)
            }
        };
        (c, Some(belt))
    };
    let (first, _) = once(0.0);
    let offset = heel_sole_offset(s, side, &first);
    let (c, belt) = once(offset);
    // side views: the touching points, for the landing model ([`refine_side`])
    let tracks = match (pelvis_fwd, belt) {
        (Some(_), Some(b)) => Some(foot_tracks(raw, side, x_sign, &b, offset)),
        _ => None,
    };
    (c, belt, tracks)
}

/// Side views: the two points of a foot that can touch the belt first, from the cleaned but not
/// low-passed series (low-passing rounds the landing's corners): the heel's sole point (the heel
/// landmark moved by the heel-to-sole offset along the foot's downward normal) and the toe. Each
/// as forward position (runner's forward, pixels) and height above the foot's belt line (pixels,
/// up); NaN where the landmark was not measured (visibility below [`super::signal::MIN_VISIBILITY`]:
/// a filled gap would carry the landing's corner away).
#[derive(Debug, Clone, Default)]
pub struct FootTracks {
    pub heel_x: Vec<f64>,
    pub heel_h: Vec<f64>,
    pub toe_x: Vec<f64>,
    pub toe_h: Vec<f64>,
    /// The shoe's lowest point measured from the pixels (image x, y; NaN where not measured): where
    /// there are enough of them, the landing's height cue ([`super::sole_line`]).
    pub sole: Vec<[f64; 2]>,
}

pub fn foot_tracks(raw: &Series, side: Side, x_sign: f64, belt: &BeltLine, sole_offset: f64) -> FootTracks {
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

/// Side views: the stance portion whose samples give a point's level on the belt and the belt's
/// speed — the heel between these fractions of the stance (foot flat, before heel-off)…
pub const HEEL_FLAT: (f64, f64) = (0.2, 0.55);
/// …and the toe (flat until push-off).
pub const TOE_FLAT: (f64, f64) = (0.2, 0.75);
/// The landing is searched from half a frame before the forward turn to this after it, seconds.
pub const LANDING_SEARCH_S: f64 = 0.12;
/// The air side of a landing is fitted over at least this before the forward turn
/// ([`LANDING_AIR_FRAMES`] frames, if longer), seconds: enough air samples for the air curve to be
/// fitted, not only passed through, when the foot lands right at its turn.
pub const LANDING_AIR_S: f64 = 0.065;
pub const LANDING_AIR_FRAMES: f64 = 3.0;
/// A contact the landing model could not time keeps its forward turn, with this timing
/// uncertainty added (the typical turn-to-contact lag of real runners), seconds.
pub const UNTIMED_UNCERTAINTY_S: f64 = 0.04;

fn median_in(t: &[f64], v: &[f64], t0: f64, t1: f64) -> Option<f64> {
    median(&t.iter().zip(v).filter(|(a, b)| **a >= t0 && **a <= t1 && b.is_finite()).map(|(_, b)| *b).collect::<Vec<_>>())
}

/// Least-squares slope of v over t within [t0, t1] (at least three samples).
fn slope_in(t: &[f64], v: &[f64], t0: f64, t1: f64) -> Option<f64> {
    let pts: Vec<(f64, f64)> = t.iter().zip(v).filter(|(a, b)| **a >= t0 && **a <= t1 && b.is_finite()).map(|(a, b)| (*a, *b)).collect();
    if pts.len() < 3 {
        return None;
    }
    let n = pts.len() as f64;
    let (mt, mv) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
    let stt: f64 = pts.iter().map(|p| (p.0 - mt).powi(2)).sum();
    (stt > 0.0).then(|| pts.iter().map(|p| (p.0 - mt) * (p.1 - mv)).sum::<f64>() / stt)
}

/// Side views, running: each contact's IC from the landing model ([`super::landing`]). (Walking
/// keeps the forward turn: a walking foot rolls onto the belt slowly and flat, with no clear jump
/// to belt speed, and its heel stops coming forward only just before it lands.) The contacts come from
/// the forward turns ([`contacts_side`]): each turn bounds its IC from below and sets the window.
/// The belt's speed is this foot's own — the median over its stances of the toe's backward speed
/// while flat; the touching point is the one of heel and toe nearer its own stance level just after
/// the turn (the heel's for a rearfoot strike, the toe's for a forefoot one).
pub fn refine_side(t: &[f64], tr: &FootTracks, contacts: &mut [Contact]) {
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
    let Some(v_belt) = median(&speeds) else { return };
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
        // extrapolated over the landing
        let above_level = |h: &[f64], (f0, f1): (f64, f64)| -> Option<Vec<f64>> {
            let drift = slope_in(t, h, at(c, f0), at(c, f1)).unwrap_or(0.0);
            let mid = (at(c, f0) + at(c, f1)) / 2.0;
            let detrended: Vec<f64> = h.iter().zip(t).map(|(v, tt)| v - drift * (tt - mid)).collect();
            let level = median_in(t, &detrended, at(c, f0), at(c, f1))?;
            Some(detrended.iter().map(|v| v - level).collect())
        };
        let (x, h, flat) = match touching {
            Touching::Heel => (&tr.heel_x, &tr.heel_h, HEEL_FLAT),
            Touching::Toe => (&tr.toe_x, &tr.toe_h, TOE_FLAT),
        };
        // the sole measured from the pixels, where its stance lies on one line: its height above
        // that line (the belt under this foot) — else the landmark's height above its own level
        let from_pixels = super::sole_line::heights(t, &tr.sole, at(c, TOE_FLAT.0), at(c, TOE_FLAT.1));
        let by_pixels = from_pixels.is_some();
        let Some(hl) = from_pixels.or_else(|| above_level(h, flat)) else { continue };
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
        // toe-off from the sole, where it was measured: where it leaves the belt line, fitted as
        // the landing mirrored (on the belt before, a smooth rise after); the height crossing the
        // contacts come with bounds it from above (a threshold above the belt is crossed after the
        // sole has left it)
        let lift = match (by_pixels, c.to_time_s) {
            (true, Some(to)) => {
                let (lo2, hi2) = (at(c, HEEL_FLAT.1), to + (LANDING_AIR_FRAMES * dt).max(LANDING_AIR_S));
                let search2 = (at(c, TOE_FLAT.1).min(to - dt), to + dt / 2.0);
                let hc2 = (search2.1 > search2.0).then(|| height_cue(&track, lo2, hi2, search2, Phase::LiftOff, dt)).flatten();
                combine(None, hc2, Phase::LiftOff, dt)
            }
            _ => None,
        };
        if let Some(e) = combine(m, hc, Phase::Landing, dt) {
            c.ic_time_s = e.t;
            c.ic_uncertainty_s = e.uncertainty_s;
            c.first = t.partition_point(|&x| x < e.t - 1e-9).min(c.last);
        }
        if let Some(e) = lift.filter(|e| e.t > c.ic_time_s + dt) {
            c.to_time_s = Some(e.t);
            c.last = t.partition_point(|&x| x <= e.t + 1e-9).saturating_sub(1).max(c.first);
        }
    }
}

/// Frontal views: each contact's IC from the landing model's height cue ([`super::landing`]) on the
/// foot's lowest point — where its height reaches its own stance level (the median over the flat part
/// of the stance, [`HEEL_FLAT`]), fitted to a fraction of a frame, with a smooth descent before. The
/// threshold crossing it starts from extrapolates the last samples above the belt band straight
/// down, early for a heel that slows as it lands. A contact the cue cannot time keeps its crossing.
pub fn refine_frontal(t: &[f64], h_raw: &[f64], contacts: &mut [Contact]) {
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
    fn turning_points_ignore_wobbles_smaller_than_the_hysteresis() {
        // two strides of a forward path with a 5 px wobble on the way back
        let f = [0.0, 50.0, 100.0, 80.0, 85.0, 40.0, 0.0, 60.0, 100.0, 50.0, 0.0, 40.0];
        let (fore, rear) = turning_points(&f, 30.0);
        assert_eq!(fore, vec![2, 8]);
        assert_eq!(rear, vec![6, 10]);
    }

    #[test]
    fn turn_time_is_exact_for_an_abrupt_and_a_rounded_turn() {
        let fs = 60.0;
        let t: Vec<f64> = (0..30).map(|i| i as f64 / fs).collect();
        let c = 0.2537;
        // lands still, then dragged back at once: a corner
        let abrupt: Vec<f64> = t.iter().map(|&x| if x < c { -3000.0 * (c - x).powi(2) } else { -900.0 * (x - c) }).collect();
        // slows, stops and comes back smoothly: a parabola's vertex
        let rounded: Vec<f64> = t.iter().map(|&x| -4000.0 * (x - c).powi(2)).collect();
        for f in [abrupt, rounded] {
            let p = (0..f.len()).max_by(|&a, &b| f[a].total_cmp(&f[b])).unwrap();
            let tt = turn_time(&t, &f, p, 1.0 / fs).unwrap();
            assert!((tt - c).abs() < 2e-4, "{tt} vs {c}");
        }
    }

    #[test]
    fn crossing_extrapolates_linear_descent_to_zero() {
        // h = 10 - 100 t: reaches 0 at t = 0.1; samples at 0.08 (h=2) and 0.1+? use thr 3
        let t = crossing_to_zero(0.05, 5.0, 0.0833, 1.67, 3.0);
        assert!((t - 0.1).abs() < 1e-3, "{t}");
    }

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
