//! Signal cleaning, one landmark coordinate at a time: low-confidence samples dropped, outliers
//! rejected (Hampel filter), short gaps filled, then a zero-lag low-pass (4th-order Butterworth run
//! forwards and backwards). Sports2D's recipe (Hampel → interpolate gaps → zero-lag Butterworth), with
//! the cut-off set from the frame rate and the cadence instead of fixed.

use super::stats::median_mean;

/// Samples whose visibility is below this are treated as missing (the model says it cannot see them).
pub(crate) const MIN_VISIBILITY: f64 = 0.3;
/// Hampel filter: half-window (samples) and threshold (scaled MADs).
pub(crate) const HAMPEL_HALF_WINDOW: usize = 3;
pub(crate) const HAMPEL_SIGMAS: f64 = 3.0;
/// Longest gap filled by interpolation, seconds; longer gaps stay missing.
pub(crate) const MAX_GAP_S: f64 = 0.15;

/// Marks samples with visibility below `min_vis` as NaN.
pub(crate) fn drop_low_visibility(v: &mut [f64], vis: &[f64], min_vis: f64) -> usize {
    let mut n = 0;
    for (x, &w) in v.iter_mut().zip(vis) {
        if x.is_finite() && w < min_vis {
            *x = f64::NAN;
            n += 1;
        }
    }
    n
}

/// Hampel filter: a sample further than `sigmas` scaled MADs from its window's median is replaced
/// by NaN (to be filled as a gap). Returns how many were rejected.
pub fn hampel(v: &mut [f64], half: usize, sigmas: f64) -> usize {
    let orig = v.to_vec();
    let mut n = 0;
    let mut win = Vec::with_capacity(2 * half + 1);
    for i in 0..orig.len() {
        if !orig[i].is_finite() {
            continue;
        }
        win.clear();
        let (a, b) = (i.saturating_sub(half), (i + half + 1).min(orig.len()));
        win.extend(orig[a..b].iter().copied().filter(|x| x.is_finite()));
        if win.len() < 3 {
            continue;
        }
        let med = median_mean(&mut win);
        let mut dev: Vec<f64> = win.iter().map(|x| (x - med).abs()).collect();
        let mad = 1.4826 * median_mean(&mut dev);
        if mad > 0.0 && (orig[i] - med).abs() > sigmas * mad {
            v[i] = f64::NAN;
            n += 1;
        }
    }
    n
}

/// Fills NaN runs of at most `max_gap` samples that have data on both sides, linearly in time.
pub fn fill_gaps(t: &[f64], v: &mut [f64], max_gap: usize) -> usize {
    let mut filled = 0;
    let mut i = 0;
    while i < v.len() {
        if v[i].is_finite() {
            i += 1;
            continue;
        }
        let start = i;
        while i < v.len() && !v[i].is_finite() {
            i += 1;
        }
        if start == 0 || i == v.len() || i - start > max_gap {
            continue;
        }
        let (t0, t1, v0, v1) = (t[start - 1], t[i], v[start - 1], v[i]);
        for k in start..i {
            let a = (t[k] - t0) / (t1 - t0);
            v[k] = v0 + a * (v1 - v0);
        }
        filled += i - start;
    }
    filled
}

/// A biquad section (normalised, a0 = 1), transposed direct form II.
#[derive(Debug, Clone, Copy)]
struct Biquad {
    b: [f64; 3],
    a: [f64; 2],
}

impl Biquad {
    fn lowpass(fc: f64, fs: f64, q: f64) -> Biquad {
        let w0 = 2.0 * std::f64::consts::PI * fc / fs;
        let (s, c) = w0.sin_cos();
        let alpha = s / (2.0 * q);
        let a0 = 1.0 + alpha;
        Biquad { b: [(1.0 - c) / 2.0 / a0, (1.0 - c) / a0, (1.0 - c) / 2.0 / a0], a: [-2.0 * c / a0, (1.0 - alpha) / a0] }
    }

    /// Filters in place, starting in the steady state of the first sample (no start-up transient).
    fn run(&self, x: &mut [f64]) {
        let Some(&x0) = x.first() else { return };
        let mut s2 = (self.b[2] - self.a[1]) * x0;
        let mut s1 = x0 - self.b[0] * x0;
        for v in x.iter_mut() {
            let inp = *v;
            let y = self.b[0] * inp + s1;
            s1 = self.b[1] * inp - self.a[0] * y + s2;
            s2 = self.b[2] * inp - self.a[1] * y;
            *v = y;
        }
    }
}

/// 4th-order Butterworth low-pass (two biquads with Butterworth Q), run forwards then backwards: no
/// phase lag, −6 dB at `fc`. Ends are padded by odd reflection. NaN runs split the signal: each
/// finite run is filtered on its own, gaps stay NaN.
pub fn butterworth_filtfilt(v: &mut [f64], fc: f64, fs: f64) {
    if !(fc > 0.0 && fs > 0.0) || fc >= fs / 2.0 {
        return;
    }
    let sections = [
        Biquad::lowpass(fc, fs, 1.0 / (2.0 * (std::f64::consts::PI / 8.0).cos())),
        Biquad::lowpass(fc, fs, 1.0 / (2.0 * (3.0 * std::f64::consts::PI / 8.0).cos())),
    ];
    let mut i = 0;
    while i < v.len() {
        if !v[i].is_finite() {
            i += 1;
            continue;
        }
        let start = i;
        while i < v.len() && v[i].is_finite() {
            i += 1;
        }
        let run = &mut v[start..i];
        if run.len() < 4 {
            continue;
        }
        let pad = (run.len() - 1).min((3.0 * fs / fc).ceil() as usize).max(1);
        let (first, last) = (run[0], run[run.len() - 1]);
        let mut ext = Vec::with_capacity(run.len() + 2 * pad);
        ext.extend((1..=pad).rev().map(|k| 2.0 * first - run[k]));
        ext.extend_from_slice(run);
        ext.extend((1..=pad).map(|k| 2.0 * last - run[run.len() - 1 - k]));
        for s in &sections {
            s.run(&mut ext);
        }
        ext.reverse();
        for s in &sections {
            s.run(&mut ext);
        }
        ext.reverse();
        run.copy_from_slice(&ext[pad..pad + run.len()]);
    }
}

/// The low-pass cut-off for running kinematics: four times the step frequency (keeps the foot's
/// landing and take-off), between 6 and 12 Hz, and at most 80 % of the Nyquist frequency.
pub(crate) fn cutoff_hz(fps: f64, step_hz: Option<f64>) -> f64 {
    let fc = step_hz.map(|s| (4.0 * s).clamp(6.0, 12.0)).unwrap_or(10.0);
    fc.min(0.8 * fps / 2.0)
}

/// What cleaning did to one signal.
#[derive(Debug, Clone, Copy, Default)]
pub struct CleanCounts {
    pub low_visibility: usize,
    pub outliers: usize,
    pub filled: usize,
}

impl std::ops::AddAssign for CleanCounts {
    fn add_assign(&mut self, o: Self) {
        self.low_visibility += o.low_visibility;
        self.outliers += o.outliers;
        self.filled += o.filled;
    }
}

/// The recipe up to the low-pass: low-visibility samples and outliers dropped, short gaps filled.
/// Instants (events, values at initial contact) are read from this; the low-pass would round them.
pub fn clean(t: &[f64], v: &mut [f64], vis: &[f64], fps: f64) -> CleanCounts {
    let low_visibility = drop_low_visibility(v, vis, MIN_VISIBILITY);
    let outliers = hampel(v, HAMPEL_HALF_WINDOW, HAMPEL_SIGMAS);
    let filled = fill_gaps(t, v, (MAX_GAP_S * fps).round().max(1.0) as usize);
    CleanCounts { low_visibility, outliers, filled }
}

/// Running median of three samples (ends kept; NaN where any of the three is NaN).
pub(crate) fn median3(v: &[f64]) -> Vec<f64> {
    let mut out = v.to_vec();
    for i in 1..v.len().saturating_sub(1) {
        let (a, b, c) = (v[i - 1], v[i], v[i + 1]);
        out[i] = if a.is_finite() && b.is_finite() && c.is_finite() { a.max(b).min(a.min(b).max(c)) } else { b };
    }
    out
}

/// Central-difference velocity (per second) of a sampled signal.
pub(crate) fn velocity(t: &[f64], v: &[f64]) -> Vec<f64> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(n: usize, fs: f64, f: f64, amp: f64) -> Vec<f64> {
        (0..n).map(|i| amp * (2.0 * std::f64::consts::PI * f * i as f64 / fs).sin()).collect()
    }

    fn rms(v: &[f64]) -> f64 {
        (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt()
    }

    #[test]
    fn butterworth_passes_low_stops_high_without_lag() {
        let fs = 60.0;
        let mut low = sine(600, fs, 1.5, 1.0);
        let orig = low.clone();
        butterworth_filtfilt(&mut low, 8.0, fs);
        let err: Vec<f64> = low.iter().zip(&orig).map(|(a, b)| a - b).collect();
        // 1.5 Hz passes with < 1 % error and no shift (zero phase); mid-signal
        assert!(rms(&err[60..540]) < 0.01, "{}", rms(&err[60..540]));
        let mut high = sine(600, fs, 20.0, 1.0);
        butterworth_filtfilt(&mut high, 8.0, fs);
        assert!(rms(&high[60..540]) < 0.02, "{}", rms(&high[60..540]));
        // at the cut-off: −6 dB (two passes of −3 dB)
        let mut at = sine(600, fs, 8.0, 1.0);
        butterworth_filtfilt(&mut at, 8.0, fs);
        let g = rms(&at[100..500]) / rms(&sine(600, fs, 8.0, 1.0)[100..500]);
        assert!((g - 0.5).abs() < 0.03, "{g}");
        // a constant stays constant to the ends
        let mut c = vec![5.0; 50];
        butterworth_filtfilt(&mut c, 8.0, fs);
        assert!(c.iter().all(|x| (x - 5.0).abs() < 1e-9));
    }

    #[test]
    fn hampel_rejects_spikes_only() {
        let mut v = sine(100, 30.0, 1.0, 10.0);
        v[40] += 50.0;
        let n = hampel(&mut v, 3, 3.0);
        assert_eq!(n, 1);
        assert!(v[40].is_nan());
    }

    #[test]
    fn gaps_filled_up_to_limit() {
        let t: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let mut v = vec![0.0, 1.0, f64::NAN, f64::NAN, 4.0, 5.0, f64::NAN, f64::NAN, f64::NAN, f64::NAN];
        assert_eq!(fill_gaps(&t, &mut v, 2), 2);
        assert_eq!(&v[..6], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!(v[6].is_nan()); // trailing gap: no data after it
        let mut w = vec![0.0, f64::NAN, f64::NAN, f64::NAN, 4.0];
        assert_eq!(fill_gaps(&t[..5], &mut w, 2), 0);
    }

    #[test]
    fn cutoff_follows_cadence_and_frame_rate() {
        assert!((cutoff_hz(120.0, Some(2.9)) - 11.6).abs() < 1e-9);
        assert!((cutoff_hz(30.0, Some(3.2)) - 12.0).abs() < 1e-9);
        assert!((cutoff_hz(24.0, Some(2.9)) - 9.6).abs() < 1e-9);
        assert_eq!(cutoff_hz(240.0, Some(1.0)), 6.0);
    }
}
