#![allow(dead_code)]
//! A synthetic treadmill runner with known answers.
//!
//! A 3-D stick figure (X forward, Y up, Z towards the runner's right; pixels) runs on a belt moving
//! backwards at `belt_speed`. The answers are set by construction — shank angle, knee flexion and
//! foot angle at initial contact, contact time, cadence, trunk lean, pelvic drop, step width — or
//! computed here from the exact geometry, independently of the library: overstride (heel landmark
//! to the de Leva centre of mass), peak knee flexion, vertical oscillation, peak FPPA. The figure is
//! projected orthographically for a side view (facing left or right) or a rear/front view, and can
//! be given noise, dropped frames and left/right label swaps.

use overstride::pose::{FramePose, Landmark, Pose, NUM_LANDMARKS};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Camera {
    SideFacingLeft,
    SideFacingRight,
    Rear,
    Front,
}

#[derive(Debug, Clone)]
pub struct Runner {
    pub fps: f64,
    pub duration_s: f64,
    pub cadence_spm: f64,
    /// contact time / stride time
    pub duty_factor: f64,
    /// px/s
    pub belt_speed: f64,
    pub thigh: f64,
    pub shank: f64,
    pub foot_len: f64,
    /// ankle ahead of the heel, and above the sole, px
    pub ankle_fwd: f64,
    pub ankle_up: f64,
    /// BlazePose puts the heel landmark above the sole by this much
    pub heel_lm_up: f64,
    pub trunk: f64,
    pub shank_angle_ic_deg: f64,
    pub knee_flexion_ic_deg: f64,
    /// foot angle at IC, toe up positive (rearfoot > 8°)
    pub foot_angle_ic_deg: f64,
    pub heel_rise_deg: f64,
    pub trunk_lean_deg: f64,
    /// pelvis vertical amplitude (half of peak-to-peak), px
    pub pelvis_amp: f64,
    pub swing_clearance: f64,
    /// Swing-leg retraction: the foot's forward-most point comes this long before initial contact,
    /// seconds (real runners: 20–50 ms; 0 = the foot lands at its forward-most point).
    pub retraction_s: f64,
    /// The foot's backward speed when it touches the belt, as a fraction of belt speed (lab frame;
    /// 0 = still in the image, 1 = already at belt speed).
    pub touchdown_belt_frac: f64,
    /// The foot's downward speed when it touches the belt, px/s (the heel descends onto the belt);
    /// None: the swing curve's own (about 640 px/s).
    pub touchdown_descent: Option<f64>,
    /// The ankle's upward speed when the foot leaves the belt, px/s. A real foot peels off: its toe
    /// leaves the belt with little vertical speed and accelerates up, so toe-off is a soft corner
    /// in the toe's height. None: the swing curve's own (about 700 px/s: a sharp corner — what the
    /// height-crossing TO assumes; see `toe_off_of_a_peeling_foot` in tests/gait_synthetic.rs).
    pub liftoff_rise: Option<f64>,
    /// peak contralateral pelvic drop in stance, per side (left stance, right stance)
    pub pelvic_drop_deg: [f64; 2],
    /// peak medial knee displacement in stance, px, per side
    pub knee_medial_px: [f64; 2],
    pub step_width: f64,
    pub camera: Camera,
    pub noise_px: f64,
    /// every n-th frame has no pose (0: none)
    pub drop_every: usize,
    /// frames whose leg labels are swapped
    pub swap_frames: Vec<usize>,
    /// The sole points the image stage would measure (each shoe's lowest point, `FramePose::soles`)
    /// with this much noise, px; None: no sole points (a landmarks file without them).
    pub sole_noise_px: Option<f64>,
    /// The far foot's ankle, heel and toe landmarks lead its shoe by this long, seconds: they reach
    /// the belt, and move with it, before the shoe does (BlazePose's far foot on the real sample,
    /// frames 154–157: one to two frames at 30 fps). 0: the landmarks are where the foot is.
    pub far_foot_lead_s: f64,
    pub seed: u64,
}

impl Default for Runner {
    fn default() -> Self {
        Runner {
            fps: 60.0,
            duration_s: 12.0,
            cadence_spm: 172.0,
            duty_factor: 0.36,
            belt_speed: 950.0,
            thigh: 220.0,
            shank: 210.0,
            foot_len: 130.0,
            ankle_fwd: 30.0,
            ankle_up: 35.0,
            heel_lm_up: 12.0,
            trunk: 260.0,
            shank_angle_ic_deg: 6.0,
            knee_flexion_ic_deg: 20.0,
            foot_angle_ic_deg: 12.0,
            heel_rise_deg: 20.0,
            trunk_lean_deg: 8.0,
            pelvis_amp: 14.0,
            swing_clearance: 90.0,
            retraction_s: 0.035,
            touchdown_belt_frac: 0.4,
            touchdown_descent: Some(400.0),
            liftoff_rise: None,
            pelvic_drop_deg: [0.0, 0.0],
            knee_medial_px: [0.0, 0.0],
            step_width: 60.0,
            camera: Camera::SideFacingLeft,
            noise_px: 0.0,
            drop_every: 0,
            swap_frames: Vec::new(),
            sole_noise_px: None,
            far_foot_lead_s: 0.0,
            seed: 1,
        }
    }
}

pub type V3 = [f64; 3];

/// The exact answers for one initial contact.
#[derive(Debug, Clone)]
pub struct TruthStep {
    pub left: bool,
    pub ic_time_s: f64,
    pub to_time_s: f64,
    pub overstride_pct_leg: f64,
    pub shank_angle_deg: f64,
    pub knee_flexion_ic_deg: f64,
    pub knee_flexion_peak_deg: f64,
    pub foot_strike_angle_deg: f64,
    pub trunk_lean_deg: f64,
    pub vertical_oscillation_pct_leg: f64,
    pub pelvic_drop_deg: f64,
    pub fppa_deg: f64,
    pub step_width_pct_leg: f64,
}

#[derive(Debug, Clone)]
pub struct Truth {
    pub steps: Vec<TruthStep>,
    pub cadence_spm: f64,
    pub contact_time_s: f64,
    pub flight_time_s: f64,
    pub leg: f64,
}

fn rot(a: f64, p: [f64; 2]) -> [f64; 2] {
    let (s, c) = a.sin_cos();
    [p[0] * c - p[1] * s, p[0] * s + p[1] * c]
}

/// Small deterministic PRNG (xorshift) with Gaussian samples.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn gauss(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-12), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

impl Runner {
    /// The runner of the first synthetic tests: the foot lands at its forward-most point, still in
    /// the image, on the swing curve's own descent — no swing-leg retraction. The forward-turn
    /// detector was exact on it; the landing model must stay so.
    pub fn no_retraction() -> Runner {
        Runner { retraction_s: 0.0, touchdown_belt_frac: 0.0, touchdown_descent: None, liftoff_rise: None, ..Runner::default() }
    }

    /// A walker: slower steps, longer contacts (duty factor above one half, no flight), a slower
    /// belt, a flatter landing and less bounce.
    pub fn walker() -> Runner {
        Runner {
            cadence_spm: 112.0,
            duty_factor: 0.6,
            belt_speed: 380.0,
            foot_angle_ic_deg: 15.0,
            pelvis_amp: 8.0,
            ..Runner::no_retraction()
        }
    }

    pub fn stride_s(&self) -> f64 {
        120.0 / self.cadence_spm
    }
    pub fn contact_s(&self) -> f64 {
        self.duty_factor * self.stride_s()
    }
    pub fn leg(&self) -> f64 {
        self.thigh + self.shank
    }
    fn t_first_ic(&self) -> f64 {
        0.25
    }

    /// Hip-centre height: lowest at each mid-stance.
    fn pelvis_y(&self, t: f64) -> f64 {
        let step = self.stride_s() / 2.0;
        let mid = self.t_first_ic() + self.contact_s() / 2.0;
        1000.0 - self.pelvis_amp * (2.0 * std::f64::consts::PI * (t - mid) / step).cos()
    }

    /// Ankle relative to the hip joint at IC (X, Y).
    fn ankle_ic(&self) -> [f64; 2] {
        let s = self.shank_angle_ic_deg.to_radians();
        let th = s + self.knee_flexion_ic_deg.to_radians();
        [self.thigh * th.sin() + self.shank * s.sin(), -self.thigh * th.cos() - self.shank * s.cos()]
    }

    /// Ankle offset from the heel sole point for a foot at angle `a` (rad).
    fn ankle_from_heel(&self, a: f64) -> [f64; 2] {
        rot(a, [self.ankle_fwd, self.ankle_up])
    }

    fn belt_y(&self) -> f64 {
        let ic = self.t_first_ic();
        let a = self.ankle_ic();
        let a_ic = self.foot_angle_ic_deg.to_radians();
        let af = self.ankle_from_heel(a_ic);
        // the heel sole's height at IC, lowered to the toe's when the toe lands first
        self.pelvis_y(ic) + a[1] - af[1] + (self.foot_len * a_ic.sin()).min(0.0)
    }

    /// Foot in world coordinates (X rel. hip, Y): (heel sole, toe sole, foot angle) during stance τ.
    fn stance_foot(&self, tau: f64) -> ([f64; 2], [f64; 2], f64) {
        let c = self.contact_s();
        let a_ic = self.foot_angle_ic_deg.to_radians();
        let h0 = self.ankle_ic()[0] - self.ankle_from_heel(a_ic)[0];
        let belt = self.belt_y();
        let (t_flat, t_rise) = (0.15 * c, 0.55 * c);
        let lf = self.foot_len;
        if tau < t_flat {
            let a = a_ic * (1.0 - tau / t_flat);
            if a >= 0.0 {
                let heel = [h0 - self.belt_speed * tau, belt];
                let toe = [heel[0] + lf * a.cos(), belt + lf * a.sin()];
                return (heel, toe, a);
            }
            // forefoot strike: pivot on the toe
            let toe = [h0 + lf * a_ic.cos() - self.belt_speed * tau, belt];
            let heel = [toe[0] - lf * a.cos(), belt - lf * a.sin()];
            return (heel, toe, a);
        }
        let lf_flat = if a_ic >= 0.0 { lf } else { lf * a_ic.cos() };
        if tau < t_rise {
            let heel = [h0 + (lf_flat - lf) - self.belt_speed * tau, belt];
            return (heel, [heel[0] + lf, belt], 0.0);
        }
        let a = -self.heel_rise_deg.to_radians() * (tau - t_rise) / (c - t_rise);
        let toe = [h0 + lf_flat - self.belt_speed * tau, belt];
        let heel = [toe[0] - lf * a.cos(), belt - lf * a.sin()];
        (heel, toe, a)
    }

    /// Ankle (X rel. hip, Y world) and foot angle for a leg whose last IC was `tau` ago.
    fn ankle_and_angle(&self, tau: f64) -> ([f64; 2], f64) {
        let (c, stride) = (self.contact_s(), self.stride_s());
        let foot = |tau: f64| {
            let (heel, _, a) = self.stance_foot(tau);
            let o = self.ankle_from_heel(a);
            ([heel[0] + o[0], heel[1] + o[1]], a)
        };
        if tau <= c {
            return foot(tau);
        }
        let (to, a_to) = foot(c);
        let ic = self.ankle_ic();
        let a_ic = self.foot_angle_ic_deg.to_radians();
        let ic_y = self.belt_y() - (self.foot_len * a_ic.sin()).min(0.0) + self.ankle_from_heel(a_ic)[1];
        let swing = stride - c;
        let u = (tau - c) / swing;
        let (u2, u3) = (u * u, u * u * u);
        let hermite = |u: f64, p0: f64, m0: f64, p1: f64, m1: f64| {
            let (u2, u3) = (u * u, u * u * u);
            p0 * (2.0 * u3 - 3.0 * u2 + 1.0) + m0 * (u3 - 2.0 * u2 + u) + p1 * (-2.0 * u3 + 3.0 * u2) + m1 * (u3 - u2)
        };
        // Horizontal: leaves the belt moving with it, comes forward to its forward-most point
        // `retraction_s` before IC (no speed there), then retracts, touching down moving backwards
        // at `touchdown_belt_frac` of belt speed; the belt then takes it to full belt speed at once
        // (a corner in its horizontal path at IC). The retraction is a Hermite segment that never
        // comes forward again (its length is at least a third of touchdown speed × duration).
        let r = self.retraction_s.clamp(0.0, 0.5 * swing);
        let v_td = self.touchdown_belt_frac * self.belt_speed;
        let back = v_td * r / 2.0 + 0.1 * self.belt_speed * r;
        let apex = ic[0] + back;
        let t_apex = swing - r;
        let x = if tau - c <= t_apex || r <= 0.0 {
            let w = ((tau - c) / t_apex).clamp(0.0, 1.0);
            hermite(w, to[0], -self.belt_speed * t_apex, apex, 0.0)
        } else {
            let w = (tau - c - t_apex) / r;
            hermite(w, apex, 0.0, ic[0], -v_td * r)
        };
        // Vertical: up over the swing, then down onto the belt at `touchdown_descent` (the slope at
        // u = 1 is set with the Hermite basis u³ − u², which is zero at both ends and flat at u = 0)
        let base_slope = (ic_y - to[1]) - self.swing_clearance * std::f64::consts::PI;
        let want_slope = self.touchdown_descent.map_or(base_slope, |d| -d * swing);
        // …and up off the belt at `liftoff_rise` (u − 2u² + u³: zero at both ends, flat at u = 1)
        let base_rise = (ic_y - to[1]) + self.swing_clearance * std::f64::consts::PI;
        let want_rise = self.liftoff_rise.map_or(base_rise, |r| r * swing);
        let y = to[1]
            + (ic_y - to[1]) * u
            + self.swing_clearance * (std::f64::consts::PI * u).sin()
            + (want_slope - base_slope) * (u3 - u2)
            + (want_rise - base_rise) * (u - 2.0 * u2 + u3);
        let a = a_to + (self.foot_angle_ic_deg.to_radians() - a_to) * u;
        ([x, y], a)
    }

    /// All 33 landmarks in 3-D at time t, plus whether the IK had to clamp.
    pub fn skeleton(&self, t: f64) -> ([V3; NUM_LANDMARKS], bool) {
        let stride = self.stride_s();
        let c = self.contact_s();
        let py = self.pelvis_y(t);
        let lean = self.trunk_lean_deg.to_radians();
        let mut p = [[0.0; 3]; NUM_LANDMARKS];
        let mut clamped = false;
        let t0 = self.t_first_ic();
        // pelvic drop: during a side's stance the other hip drops
        let mut drop = 0.0;
        let mut hip_sign = 1.0;
        for (k, side_off) in [(0usize, 0.0), (1usize, 0.5)] {
            let tau = (t - t0 - side_off * stride).rem_euclid(stride);
            if tau <= c {
                drop = self.pelvic_drop_deg[k].to_radians() * (std::f64::consts::PI * tau / c).sin();
                hip_sign = if k == 0 { 1.0 } else { -1.0 };
            }
        }
        let hw = 50.0;
        // left hip Y up by hw·sin(drop) when left is in stance (right drops), and vice versa
        let lhip = [0.0, py + hip_sign * hw * drop.sin(), -hw * drop.cos()];
        let rhip = [0.0, py - hip_sign * hw * drop.sin(), hw * drop.cos()];
        p[23] = lhip;
        p[24] = rhip;
        for (k, side_off) in [(0usize, 0.0), (1usize, 0.5)] {
            let lr = if k == 0 { -1.0 } else { 1.0 };
            let hip = if k == 0 { lhip } else { rhip };
            let tau = (t - t0 - side_off * stride).rem_euclid(stride);
            let (ankle, a) = self.ankle_and_angle(tau);
            let ankle_y = ankle[1];
            // IK in the sagittal plane, knee forward
            let (dx, dy) = (ankle[0] - hip[0], ankle_y - hip[1]);
            let mut d = dx.hypot(dy);
            if d > self.leg() * 0.9999 {
                clamped = true;
                d = self.leg() * 0.9999;
            }
            let (l1, l2) = (self.thigh, self.shank);
            let ang_hip = ((l1 * l1 + d * d - l2 * l2) / (2.0 * l1 * d)).clamp(-1.0, 1.0).acos();
            let base = dy.atan2(dx); // direction hip→ankle
            let kdir = base + ang_hip; // rotate towards forward (counter-clockwise from downward-forward)
            let knee2 = [hip[0] + l1 * kdir.cos(), hip[1] + l1 * kdir.sin()];
            let az = lr * self.step_width / 2.0;
            // knee Z on the hip–ankle line, plus medial displacement in stance
            let f = (knee2[1] - hip[1]) / (ankle_y - hip[1]);
            let medial = if tau <= c { self.knee_medial_px[k] * (std::f64::consts::PI * tau / c).sin() } else { 0.0 };
            let kz = hip[2] + f * (az - hip[2]) - lr * medial;
            p[25 + k] = [knee2[0], knee2[1], kz];
            p[27 + k] = [ankle[0], ankle_y, az];
            let heel_sole = [ankle[0] - rot(a, [self.ankle_fwd, self.ankle_up])[0], ankle_y - rot(a, [self.ankle_fwd, self.ankle_up])[1]];
            let heel_lm = [heel_sole[0] + rot(a, [0.0, self.heel_lm_up])[0], heel_sole[1] + rot(a, [0.0, self.heel_lm_up])[1]];
            let toe = [heel_sole[0] + self.foot_len * a.cos(), heel_sole[1] + self.foot_len * a.sin()];
            p[29 + k] = [heel_lm[0], heel_lm[1], az];
            p[31 + k] = [toe[0], toe[1], az];
        }
        // trunk, head, arms
        let pc = [0.0, py, 0.0];
        let sc = [pc[0] + self.trunk * lean.sin(), pc[1] + self.trunk * lean.cos(), 0.0];
        p[11] = [sc[0], sc[1], -85.0];
        p[12] = [sc[0], sc[1], 85.0];
        let ear = [sc[0] + 0.12 * self.trunk * lean.sin(), sc[1] + 0.35 * self.trunk, 0.0];
        p[7] = [ear[0], ear[1], -20.0];
        p[8] = [ear[0], ear[1], 20.0];
        p[0] = [ear[0] + 28.0, ear[1] - 4.0, 0.0];
        for (i, z) in [(1, -6.0), (2, -9.0), (3, -12.0), (4, 6.0), (5, 9.0), (6, 12.0)] {
            p[i] = [ear[0] + 20.0, ear[1] + 6.0, z];
        }
        p[9] = [ear[0] + 24.0, ear[1] - 14.0, -5.0];
        p[10] = [ear[0] + 24.0, ear[1] - 14.0, 5.0];
        for k in 0..2 {
            let lr = if k == 0 { -1.0 } else { 1.0 };
            let phase = 2.0 * std::f64::consts::PI * (t - t0 - k as f64 * 0.5 * stride) / stride;
            // arm opposite to the same-side leg: back at this side's IC
            let arm = -0.45 * phase.cos();
            let sh = p[11 + k];
            let elbow = [sh[0] + 140.0 * arm.sin(), sh[1] - 140.0 * arm.cos(), lr * 95.0];
            let fa = arm + std::f64::consts::FRAC_PI_2;
            let wrist = [elbow[0] + 125.0 * fa.sin(), elbow[1] - 125.0 * fa.cos(), lr * 90.0];
            p[13 + k] = elbow;
            p[15 + k] = wrist;
            for (j, off) in [(17, 30.0), (19, 40.0), (21, 25.0)] {
                p[j + k] = [wrist[0] + off * fa.sin(), wrist[1] - off * fa.cos(), lr * 90.0];
            }
        }
        (p, clamped)
    }

    fn project(&self, p: V3) -> [f64; 2] {
        let (cx, cy) = (640.0, 1300.0);
        match self.camera {
            Camera::SideFacingLeft => [cx - p[0], cy - p[1]],
            Camera::SideFacingRight => [cx + p[0], cy - p[1]],
            Camera::Rear => [cx + p[2], cy - p[1]],
            Camera::Front => [cx - p[2], cy - p[1]],
        }
    }

    fn visibility(&self, lm: usize) -> f32 {
        let left = lm >= 11 && lm % 2 == 1;
        match self.camera {
            Camera::SideFacingLeft => {
                if lm < 11 || left {
                    0.95
                } else {
                    0.85
                }
            }
            Camera::SideFacingRight => {
                if lm < 11 || !left {
                    0.95
                } else {
                    0.85
                }
            }
            Camera::Rear => {
                if lm <= 10 {
                    0.1
                } else {
                    0.9
                }
            }
            Camera::Front => 0.92,
        }
    }

    /// Each shoe's lowest point (left, right): the lower of its heel's sole and its toe.
    pub fn soles_at(&self, t: f64) -> [V3; 2] {
        let stride = self.stride_s();
        let t0 = self.t_first_ic();
        let mut out = [[0.0; 3]; 2];
        for (k, side_off) in [(0usize, 0.0), (1usize, 0.5)] {
            let lr = if k == 0 { -1.0 } else { 1.0 };
            let tau = (t - t0 - side_off * stride).rem_euclid(stride);
            let (ankle, a) = self.ankle_and_angle(tau);
            let off = rot(a, [self.ankle_fwd, self.ankle_up]);
            let heel_sole = [ankle[0] - off[0], ankle[1] - off[1]];
            let toe = [heel_sole[0] + self.foot_len * a.cos(), heel_sole[1] + self.foot_len * a.sin()];
            let low = if toe[1] < heel_sole[1] { toe } else { heel_sole };
            out[k] = [low[0], low[1], lr * self.step_width / 2.0];
        }
        out
    }

    /// The far foot (0 left, 1 right): the side away from a side camera; None for frontal cameras.
    pub fn far_foot(&self) -> Option<usize> {
        match self.camera {
            Camera::SideFacingLeft => Some(1),
            Camera::SideFacingRight => Some(0),
            _ => None,
        }
    }

    /// The landmark frames the pose stage would have produced.
    pub fn frames(&self) -> Vec<FramePose> {
        let n = (self.duration_s * self.fps).round() as usize;
        let mut rng = Rng(self.seed.wrapping_mul(0x9E3779B97F4A7C15) | 1);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let t = i as f64 / self.fps;
            let (mut p, _) = self.skeleton(t);
            if let (Some(k), true) = (self.far_foot(), self.far_foot_lead_s != 0.0) {
                let (ahead, _) = self.skeleton(t + self.far_foot_lead_s);
                for lm in [27 + k, 29 + k, 31 + k] {
                    p[lm] = ahead[lm];
                }
            }
            let mut lms = [Landmark::default(); NUM_LANDMARKS];
            for (k, l) in lms.iter_mut().enumerate() {
                let q = self.project(p[k]);
                *l = Landmark {
                    x: (q[0] + self.noise_px * rng.gauss()) as f32,
                    y: (q[1] + self.noise_px * rng.gauss()) as f32,
                    z: 0.0,
                    visibility: self.visibility(k),
                    presence: 0.99,
                };
            }
            if self.swap_frames.contains(&i) {
                for (a, b) in [(25, 26), (27, 28), (29, 30), (31, 32)] {
                    lms.swap(a, b);
                }
            }
            let pose = (self.drop_every == 0 || i % self.drop_every != self.drop_every - 1).then_some(Pose { landmarks: lms, score: 0.99 });
            let mut soles = [None; 2];
            if let Some(noise) = self.sole_noise_px {
                let truth = self.soles_at(t);
                for k in 0..2 {
                    let q = self.project(truth[k]);
                    soles[k] = Some([(q[0] + noise * rng.gauss()) as f32, (q[1] + noise * rng.gauss()) as f32]);
                }
                if self.swap_frames.contains(&i) {
                    soles.swap(0, 1);
                }
            }
            let soles = if pose.is_some() { soles } else { [None; 2] };
            out.push(FramePose { frame: i, time_s: t, pose, soles });
        }
        out
    }

    /// Whether the figure is valid (no IK clamping) over the whole run.
    pub fn valid(&self) -> bool {
        let n = (self.duration_s * 240.0) as usize;
        (0..n).all(|i| !self.skeleton(i as f64 / 240.0).1)
    }

    /// The exact answers.
    pub fn truth(&self) -> Truth {
        let stride = self.stride_s();
        let c = self.contact_s();
        let t0 = self.t_first_ic();
        let leg = self.leg();
        let mut steps = Vec::new();
        let mut k = 0;
        loop {
            let ic = t0 + k as f64 * stride / 2.0;
            if ic + c + 2.0 / self.fps > self.duration_s {
                break;
            }
            let left = k % 2 == 0;
            let s = if left { 0 } else { 1 };
            let (p, _) = self.skeleton(ic);
            let com = com_xy(&p);
            let heel = p[29 + s];
            // dense sampling over stance and the step for peaks and ranges
            let dense = |a: f64, b: f64| (0..=400).map(move |j| a + (b - a) * j as f64 / 400.0);
            let flex_peak = dense(ic, ic + c)
                .map(|tt| {
                    let (q, _) = self.skeleton(tt);
                    knee_flex(q[23 + s], q[25 + s], q[27 + s])
                })
                .fold(f64::MIN, f64::max);
            let ys: Vec<f64> = dense(ic, ic + stride / 2.0).map(|tt| com_xy(&self.skeleton(tt).0)[1]).collect();
            let vo = ys.iter().cloned().fold(f64::MIN, f64::max) - ys.iter().cloned().fold(f64::MAX, f64::min);
            let fppa = dense(ic, ic + c)
                .map(|tt| {
                    let (q, _) = self.skeleton(tt);
                    fppa_frontal(q[23 + s], q[25 + s], q[27 + s], s == 0)
                })
                .fold(f64::MIN, f64::max);
            steps.push(TruthStep {
                left,
                ic_time_s: ic,
                to_time_s: ic + c,
                overstride_pct_leg: 100.0 * (heel[0] - com[0]) / leg,
                shank_angle_deg: self.shank_angle_ic_deg,
                knee_flexion_ic_deg: self.knee_flexion_ic_deg,
                knee_flexion_peak_deg: flex_peak,
                foot_strike_angle_deg: self.foot_angle_ic_deg,
                trunk_lean_deg: self.trunk_lean_deg,
                vertical_oscillation_pct_leg: 100.0 * vo / leg,
                pelvic_drop_deg: self.pelvic_drop_deg[s],
                fppa_deg: fppa,
                step_width_pct_leg: 100.0 * self.step_width / leg,
            });
            k += 1;
        }
        Truth { steps, cadence_spm: self.cadence_spm, contact_time_s: c, flight_time_s: stride / 2.0 - c, leg }
    }
}

pub fn knee_flex(h: V3, k: V3, a: V3) -> f64 {
    let u = [h[0] - k[0], h[1] - k[1]];
    let v = [a[0] - k[0], a[1] - k[1]];
    let c = (u[0] * v[0] + u[1] * v[1]) / (u[0].hypot(u[1]) * v[0].hypot(v[1]));
    180.0 - c.clamp(-1.0, 1.0).acos().to_degrees()
}

/// FPPA in the frontal (Z, Y) plane, valgus (knee towards the midline) positive.
fn fppa_frontal(h: V3, k: V3, a: V3, left: bool) -> f64 {
    let u = [h[2] - k[2], h[1] - k[1]];
    let v = [a[2] - k[2], a[1] - k[1]];
    let c = (u[0] * v[0] + u[1] * v[1]) / (u[0].hypot(u[1]) * v[0].hypot(v[1]));
    let mag = 180.0 - c.clamp(-1.0, 1.0).acos().to_degrees();
    let f = (k[1] - h[1]) / (a[1] - h[1]);
    let on_line = h[2] + f * (a[2] - h[2]);
    let medial = if left { k[2] - on_line } else { on_line - k[2] };
    if medial >= 0.0 {
        mag
    } else {
        -mag
    }
}

/// de Leva 1996 (male) centre of mass in the sagittal plane (X forward, Y up) from the landmarks —
/// written here independently of the library, with the same segment definitions.
pub fn com_xy(p: &[V3; NUM_LANDMARKS]) -> [f64; 2] {
    let lerp = |a: V3, b: V3, f: f64| [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])];
    let mid = |a: V3, b: V3| [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0, 0.0];
    let mut parts: Vec<([f64; 2], f64)> = vec![];
    let ears = mid(p[7], p[8]);
    parts.push(([ears[0], ears[1]], 0.0694));
    let (sh, hp) = (mid(p[11], p[12]), mid(p[23], p[24]));
    parts.push((lerp(sh, hp, 0.4486), 0.4346));
    for s in 0..2 {
        parts.push((lerp(p[11 + s], p[13 + s], 0.5772), 0.0271));
        parts.push((lerp(p[13 + s], p[15 + s], 0.4574), 0.0162));
        parts.push((lerp(p[15 + s], mid(p[17 + s], p[19 + s]), 0.79), 0.0061));
        parts.push((lerp(p[23 + s], p[25 + s], 0.4095), 0.1416));
        parts.push((lerp(p[25 + s], p[27 + s], 0.4459), 0.0433));
        parts.push((lerp(p[29 + s], p[31 + s], 0.4415), 0.0137));
    }
    let m: f64 = parts.iter().map(|p| p.1).sum();
    [parts.iter().map(|p| p.0[0] * p.1).sum::<f64>() / m, parts.iter().map(|p| p.0[1] * p.1).sum::<f64>() / m]
}
