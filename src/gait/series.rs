//! Landmark time series: the pose stage's frames turned into one signal per landmark and axis, with
//! NaN where a frame has no pose. Plain data, no video.

use crate::pose::{FramePose, NUM_LANDMARKS};

#[derive(Debug, Clone)]
pub(crate) struct Series {
    /// Time of each sample, seconds.
    pub t: Vec<f64>,
    /// Frame index of each sample.
    pub frame: Vec<usize>,
    /// x[landmark][sample], y[landmark][sample], pixels (y grows downwards); NaN = missing.
    pub x: Vec<Vec<f64>>,
    pub y: Vec<Vec<f64>>,
    /// Visibility 0–1 (0 where missing).
    pub vis: Vec<Vec<f64>>,
    /// Each shoe's lowest point measured from the pixels, [left, right][sample] (x, y pixels); NaN
    /// where not measured. Kept as measured: no cleaning or filtering.
    pub sole: [Vec<[f64; 2]>; 2],
}

impl Series {
    pub(crate) fn len(&self) -> usize {
        self.t.len()
    }

    pub(crate) fn from_frames(frames: &[FramePose]) -> Series {
        let n = frames.len();
        let mut s = Series {
            t: Vec::with_capacity(n),
            frame: Vec::with_capacity(n),
            x: (0..NUM_LANDMARKS).map(|_| Vec::with_capacity(n)).collect(),
            y: (0..NUM_LANDMARKS).map(|_| Vec::with_capacity(n)).collect(),
            vis: (0..NUM_LANDMARKS).map(|_| Vec::with_capacity(n)).collect(),
            sole: [Vec::with_capacity(n), Vec::with_capacity(n)],
        };
        for f in frames {
            s.t.push(f.time_s);
            s.frame.push(f.frame);
            for (k, p) in f.soles.iter().enumerate() {
                let p = match (p, &f.pose) {
                    (Some([x, y]), Some(_)) if x.is_finite() && y.is_finite() => [*x as f64, *y as f64],
                    _ => [f64::NAN; 2],
                };
                s.sole[k].push(p);
            }
            for i in 0..NUM_LANDMARKS {
                let (x, y, v) = match &f.pose {
                    Some(p) => {
                        let l = p.landmarks[i];
                        let ok = l.x.is_finite() && l.y.is_finite();
                        if ok {
                            (l.x as f64, l.y as f64, (l.visibility as f64).clamp(0.0, 1.0))
                        } else {
                            (f64::NAN, f64::NAN, 0.0)
                        }
                    }
                    None => (f64::NAN, f64::NAN, 0.0),
                };
                s.x[i].push(x);
                s.y[i].push(y);
                s.vis[i].push(if v.is_finite() { v } else { 0.0 });
            }
        }
        s
    }

    /// Sampling rate from the median time step (robust to a dropped frame).
    pub(crate) fn fps(&self) -> f64 {
        let d: Vec<f64> = self.t.windows(2).map(|w| w[1] - w[0]).filter(|d| d.is_finite() && *d > 0.0).collect();
        super::stats::median_upper(&d).map_or(f64::NAN, |m| 1.0 / m)
    }

    pub(crate) fn point(&self, lm: usize, i: usize) -> [f64; 2] {
        [self.x[lm][i], self.y[lm][i]]
    }

    /// Swaps two landmarks' samples at index i (all channels).
    pub(crate) fn swap_at(&mut self, a: usize, b: usize, i: usize) {
        for ch in [&mut self.x, &mut self.y, &mut self.vis] {
            let (va, vb) = (ch[a][i], ch[b][i]);
            ch[a][i] = vb;
            ch[b][i] = va;
        }
    }

    /// Swaps the two sole points at index i (with the legs: each was measured at its foot's landmarks).
    pub fn swap_soles_at(&mut self, i: usize) {
        let [l, r] = &mut self.sole;
        std::mem::swap(&mut l[i], &mut r[i]);
    }
}

/// Linear interpolation of a sampled signal at time `t` (NaN outside or across a gap).
pub(crate) fn interp(ts: &[f64], v: &[f64], t: f64) -> f64 {
    if ts.is_empty() || !t.is_finite() {
        return f64::NAN;
    }
    let k = ts.partition_point(|&x| x <= t);
    if k == 0 {
        return if (ts[0] - t).abs() < 1e-9 { v[0] } else { f64::NAN };
    }
    if k >= ts.len() {
        return if (ts[ts.len() - 1] - t).abs() < 1e-9 { v[ts.len() - 1] } else { f64::NAN };
    }
    let (t0, t1) = (ts[k - 1], ts[k]);
    let a = (t - t0) / (t1 - t0);
    v[k - 1] * (1.0 - a) + v[k] * a
}
