//! Picking the runner's poses out of everyone's. The pose stage follows everyone in view (a coach,
//! a physio, a passer-by as well as the runner; see `tracker`), on contiguous chains of frames (a
//! person's track restarts at each chain's first frame).
//! Here the per-frame poses are linked into tracklets — a pose continues the nearest tracklet that
//! ended moments before without a jump of the body (one pose per tracklet and frame) — tracklets
//! that continue each other are joined into people, and the runner is the person seen longest whose
//! legs move the most and most regularly — the one running or walking, not standing, fidgeting or
//! jumping. Everyone else's poses are left
//! out, so the analysis never switches to another person.

use super::idx::*;
use super::{FramePeople, FramePose, Pose};

/// A pose whose hip centre moved more than this many torso lengths since the previous posed frame
/// belongs to someone else.
pub(crate) const JUMP_TORSOS: f32 = 0.5;
/// Tracklets continue each other across a gap up to this long, seconds…
pub(crate) const MAX_JOIN_GAP_S: f64 = 1.0;
/// …when the second starts within this many torso lengths of where the first ended.
pub(crate) const JOIN_TORSOS: f32 = 1.0;

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RunnerSelection {
    /// People told apart in the video.
    pub people: usize,
    /// Poses of others left out.
    pub poses_removed: usize,
}

fn centre_and_torso(p: &Pose) -> Option<([f32; 2], f32)> {
    let l = &p.landmarks;
    let mid = |a: usize, b: usize| [(l[a].x + l[b].x) / 2.0, (l[a].y + l[b].y) / 2.0];
    let (h, s) = (mid(LEFT_HIP, RIGHT_HIP), mid(LEFT_SHOULDER, RIGHT_SHOULDER));
    let torso = (h[0] - s[0]).hypot(h[1] - s[1]);
    (h[0].is_finite() && h[1].is_finite() && torso.is_finite() && torso > 0.0).then_some((h, torso))
}

fn dist(a: [f32; 2], b: [f32; 2]) -> f32 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

struct Tracklet {
    members: Vec<(usize, usize)>, // (frame index, person index in that frame)
    start: ([f32; 2], f32, f64),
    end: ([f32; 2], f32, f64),
    last_frame: usize,
}

/// The ankles' horizontal separation over torso length, per frame of the video (NaN where this
/// person is not seen).
fn ankle_separation(frames: &[FramePeople], members: &[(usize, usize)]) -> Vec<f32> {
    let mut v = vec![f32::NAN; frames.len()];
    for &(i, k) in members {
        let p = &frames[i].people[k];
        if let Some((_, torso)) = centre_and_torso(p) {
            v[i] = (p.landmarks[LEFT_ANKLE].x - p.landmarks[RIGHT_ANKLE].x) / torso;
        }
    }
    v
}

/// How much the legs move: the spread of the ankles' separation.
fn leg_motion(sep: &[f32]) -> f32 {
    let v: Vec<f32> = sep.iter().copied().filter(|d| d.is_finite()).collect();
    if v.len() < 2 {
        return 0.0;
    }
    let m = v.iter().sum::<f32>() / v.len() as f32;
    (v.iter().map(|x| (x - m).powi(2)).sum::<f32>() / v.len() as f32).sqrt()
}

/// How regularly the legs move, 0–1: the highest autocorrelation of the ankles' separation at a lag
/// of one gait cycle ([`MIN_CYCLE_S`]–[`MAX_CYCLE_S`]). Running and walking repeat; standing,
/// fidgeting or a one-off jump do not.
fn periodicity(sep: &[f32], fps: f64) -> f32 {
    let (lo, hi) = ((MIN_CYCLE_S * fps).round() as usize, (MAX_CYCLE_S * fps).round() as usize);
    let fin: Vec<f32> = sep.iter().copied().filter(|d| d.is_finite()).collect();
    if fin.len() < 2 * lo.max(1) {
        return 0.0;
    }
    let m = fin.iter().sum::<f32>() / fin.len() as f32;
    let mut best = 0.0f32;
    for lag in lo.max(1)..=hi.min(sep.len().saturating_sub(1)) {
        let (mut sxy, mut sxx, mut syy, mut n) = (0.0f32, 0.0f32, 0.0f32, 0);
        for i in 0..sep.len() - lag {
            let (a, b) = (sep[i] - m, sep[i + lag] - m);
            if a.is_finite() && b.is_finite() {
                sxy += a * b;
                sxx += a * a;
                syy += b * b;
                n += 1;
            }
        }
        if n >= lo.max(4) && sxx > 0.0 && syy > 0.0 {
            best = best.max(sxy / (sxx * syy).sqrt());
        }
    }
    best
}

/// Gait cycles looked for, seconds.
pub(crate) const MIN_CYCLE_S: f64 = 0.25;
pub(crate) const MAX_CYCLE_S: f64 = 2.0;

/// The runner's pose on each frame (see the module comment).
pub fn keep_runner(frames: &[FramePeople]) -> (Vec<FramePose>, RunnerSelection) {
    // 1. tracklets
    let mut tracklets: Vec<Tracklet> = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let t = f.time_s;
        let mut cands: Vec<(usize, [f32; 2], f32)> =
            f.people.iter().enumerate().filter_map(|(k, p)| centre_and_torso(p).map(|(c, tor)| (k, c, tor))).collect();
        // pair poses with open tracklets, nearest pairs first
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (ci, &(_, c, torso)) in cands.iter().enumerate() {
            for (ti, tr) in tracklets.iter().enumerate() {
                let (pc, pt, ptime) = tr.end;
                if t - ptime <= 0.25 && dist(c, pc) <= JUMP_TORSOS * pt.max(torso) && (0.6..1.6).contains(&(torso / pt)) {
                    pairs.push((dist(c, pc), ci, ti));
                }
            }
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut used = vec![false; cands.len()];
        for (_, ci, ti) in pairs {
            if used[ci] || tracklets[ti].last_frame == i {
                continue;
            }
            used[ci] = true;
            let (k, c, torso) = cands[ci];
            let tr = &mut tracklets[ti];
            tr.members.push((i, k));
            tr.end = (c, torso, t);
            tr.last_frame = i;
        }
        for (ci, (k, c, torso)) in cands.drain(..).enumerate() {
            if !used[ci] {
                tracklets.push(Tracklet { members: vec![(i, k)], start: (c, torso, t), end: (c, torso, t), last_frame: i });
            }
        }
    }
    // 2. people: a tracklet joins the person whose last tracklet it continues
    let mut people: Vec<Vec<usize>> = Vec::new();
    for (k, tr) in tracklets.iter().enumerate() {
        let joined = people.iter_mut().find(|p| {
            let last = &tracklets[*p.last().unwrap_or(&0)];
            let (ec, et, etime) = last.end;
            let (sc, st, stime) = tr.start;
            stime > etime && stime - etime <= MAX_JOIN_GAP_S && dist(ec, sc) <= JOIN_TORSOS * et.max(st) && (0.6..1.6).contains(&(st / et))
        });
        match joined {
            Some(p) => p.push(k),
            None => people.push(vec![k]),
        }
    }
    // 3. the runner: seen longest, legs moving most and most regularly (a stride repeats)
    let fps = match (frames.first(), frames.last()) {
        (Some(a), Some(b)) if frames.len() > 1 && b.time_s > a.time_s => (frames.len() - 1) as f64 / (b.time_s - a.time_s),
        _ => 30.0,
    };
    let members = |p: &Vec<usize>| -> Vec<(usize, usize)> { p.iter().flat_map(|&k| tracklets[k].members.iter().copied()).collect() };
    let score = |p: &Vec<usize>| -> f32 {
        let m = members(p);
        let sep = ankle_separation(frames, &m);
        m.len() as f32 * (0.05 + leg_motion(&sep) * (0.1 + periodicity(&sep, fps)))
    };
    let mut out: Vec<FramePose> =
        frames.iter().map(|f| FramePose { frame: f.frame, time_s: f.time_s, pose: None, soles: [None; 2] }).collect();
    let total: usize = frames.iter().map(|f| f.people.len()).sum();
    let scores: Vec<f32> = people.iter().map(score).collect();
    let Some(best) = (0..people.len()).max_by(|&a, &b| scores[a].total_cmp(&scores[b])) else {
        return (out, RunnerSelection { people: 0, poses_removed: 0 });
    };
    let mut kept = 0;
    for (i, k) in members(&people[best]) {
        if out[i].pose.is_none() {
            out[i].pose = Some(frames[i].people[k].clone());
            kept += 1;
        }
    }
    (out, RunnerSelection { people: people.len(), poses_removed: total - kept })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{Landmark, NUM_LANDMARKS};

    fn person(cx: f32, cy: f32, torso: f32, stride: f32) -> Pose {
        let mut l = [Landmark { visibility: 0.9, presence: 0.9, ..Default::default() }; NUM_LANDMARKS];
        for (i, lm) in l.iter_mut().enumerate() {
            lm.x = cx;
            lm.y = cy - torso * 0.5 + i as f32;
        }
        l[LEFT_HIP].y = cy;
        l[RIGHT_HIP].y = cy;
        l[LEFT_SHOULDER].y = cy - torso;
        l[RIGHT_SHOULDER].y = cy - torso;
        l[LEFT_ANKLE].x = cx + stride;
        l[RIGHT_ANKLE].x = cx - stride;
        Pose { landmarks: l, score: 0.9 }
    }

    fn runner_at(t: f64) -> Pose {
        let phase = (t * 2.0 * std::f64::consts::PI * 1.4).sin() as f32;
        person(600.0 + 2.0 * phase, 500.0, 110.0, 40.0 * phase) // legs swinging
    }

    #[test]
    fn a_standing_bystander_is_removed_and_the_runner_kept_across_a_gap() {
        let mut frames = Vec::new();
        for i in 0..300 {
            let t = i as f64 / 30.0;
            let people = if i < 60 {
                vec![person(200.0, 300.0, 100.0, 0.0)] // someone standing elsewhere
            } else if (150..160).contains(&i) {
                vec![] // the runner lost for a moment
            } else {
                vec![runner_at(t)]
            };
            frames.push(FramePeople { frame: i, time_s: t, people });
        }
        let (out, sel) = keep_runner(&frames);
        assert_eq!(sel.people, 2);
        assert_eq!(sel.poses_removed, 60);
        assert!(out[..60].iter().all(|f| f.pose.is_none()));
        assert!(out[60..150].iter().chain(&out[160..]).all(|f| f.pose.is_some()));
    }

    #[test]
    fn a_bystander_in_view_all_along_is_told_apart_even_on_alternating_frames() {
        // both in view throughout, listed in either order; on every other frame only one is seen
        // (as when two trackers alternate between them)
        let frames: Vec<FramePeople> = (0..200)
            .map(|i| {
                let t = i as f64 / 30.0;
                let bystander = person(200.0, 320.0, 105.0, 2.0);
                let people = match i % 4 {
                    0 => vec![bystander, runner_at(t)],
                    1 => vec![runner_at(t), bystander],
                    2 => vec![bystander],
                    _ => vec![runner_at(t)],
                };
                FramePeople { frame: i, time_s: t, people }
            })
            .collect();
        let (out, sel) = keep_runner(&frames);
        assert_eq!(sel.people, 2);
        for (i, f) in out.iter().enumerate() {
            match i % 4 {
                2 => assert!(f.pose.is_none(), "frame {i}"),
                _ => assert_eq!(
                    f.pose.as_ref().unwrap().landmarks[LEFT_HIP].x.round(),
                    runner_at(i as f64 / 30.0).landmarks[LEFT_HIP].x.round(),
                    "frame {i}"
                ),
            }
        }
    }

    #[test]
    fn one_person_is_left_alone() {
        let frames: Vec<FramePeople> =
            (0..50).map(|i| FramePeople { frame: i, time_s: i as f64 / 30.0, people: vec![person(300.0, 300.0, 100.0, 10.0)] }).collect();
        let (out, sel) = keep_runner(&frames);
        assert_eq!(sel, RunnerSelection { people: 1, poses_removed: 0 });
        assert!(out.iter().all(|f| f.pose.is_some()));
    }
}
