//! The One Euro filter as MediaPipe's LandmarksSmoothingCalculator applies it to the auxiliary
//! landmarks that place the next ROI (pose_landmark_filtering.pbtxt: min cutoff 0.01, beta 10,
//! derivative cutoff 1, values scaled by 1/object size). Only the ROI placement uses it; the
//! reported landmarks are raw, and the gait stage filters them without lag.

pub(crate) const AUX_MIN_CUTOFF: f64 = 0.01;
pub(crate) const AUX_BETA: f64 = 10.0;
pub(crate) const AUX_DERIVATE_CUTOFF: f64 = 1.0;

#[derive(Debug, Clone, Default)]
struct LowPass {
    raw: Option<f64>,
    stored: f64,
}

impl LowPass {
    fn apply(&mut self, v: f64, alpha: f64) -> f64 {
        self.stored = if self.raw.is_some() { alpha * v + (1.0 - alpha) * self.stored } else { v };
        self.raw = Some(v);
        self.stored
    }
}

#[derive(Debug, Clone)]
pub(crate) struct OneEuro {
    min_cutoff: f64,
    beta: f64,
    d_cutoff: f64,
    frequency: f64,
    last_time: Option<f64>,
    x: LowPass,
    dx: LowPass,
}

impl OneEuro {
    pub fn new(min_cutoff: f64, beta: f64, d_cutoff: f64) -> Self {
        OneEuro { min_cutoff, beta, d_cutoff, frequency: 30.0, last_time: None, x: LowPass::default(), dx: LowPass::default() }
    }

    fn alpha(&self, cutoff: f64) -> f64 {
        let te = 1.0 / self.frequency;
        let tau = 1.0 / (2.0 * std::f64::consts::PI * cutoff);
        1.0 / (1.0 + tau / te)
    }

    /// Filters `value` observed at `time_s`; `value_scale` makes the speed term size-independent.
    pub fn apply(&mut self, time_s: f64, value_scale: f64, value: f64) -> f64 {
        if let Some(last) = self.last_time {
            if time_s <= last {
                return value;
            }
            self.frequency = 1.0 / (time_s - last);
        }
        self.last_time = Some(time_s);
        let dvalue = match self.x.raw {
            Some(prev) => (value - prev) * value_scale * self.frequency,
            None => 0.0,
        };
        let a_d = self.alpha(self.d_cutoff);
        let edvalue = self.dx.apply(dvalue, a_d);
        let cutoff = self.min_cutoff + self.beta * edvalue.abs();
        let a = self.alpha(cutoff);
        self.x.apply(value, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn still_signal_passes_and_jumps_are_followed_but_smoothed() {
        let mut f = OneEuro::new(AUX_MIN_CUTOFF, AUX_BETA, AUX_DERIVATE_CUTOFF);
        for i in 0..10 {
            assert!((f.apply(i as f64 / 30.0, 0.01, 5.0) - 5.0).abs() < 1e-12);
        }
        let y = f.apply(10.0 / 30.0, 0.01, 105.0);
        assert!(y > 5.0 && y < 105.0);
        let mut last = y;
        for i in 11..60 {
            last = f.apply(i as f64 / 30.0, 0.01, 105.0);
        }
        assert!(last > y && last <= 105.0);
    }
}
