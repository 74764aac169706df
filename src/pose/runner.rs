//! Keeping only the runner's poses. The tracker follows one person at a time, but when it loses
//! them it may pick up someone else (a coach, a passer-by). After the pose stage the per-frame poses
//! are cut into tracklets wherever the body jumps (or the pose is missing for a while), tracklets
//! that continue each other are joined into people, and the runner is the person seen longest whose
//! legs move the most — the one running or walking, not standing. Everyone else's poses are removed,
//! so the analysis never switches to another person.

use super::idx::*;
use super::{FramePose, Pose};

/// A pose whose hip centre moved more than this many torso lengths since the previous posed frame
/// belongs to someone else.
pub const JUMP_TORSOS: f32 = 0.5;
/// Tracklets continue each other across a gap up to this long, seconds…
pub const MAX_JOIN_GAP_S: f64 = 1.0;
/// …when the second starts within this many torso lengths of where the first ended.
pub const JOIN_TORSOS: f32 = 1.0;

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RunnerSelection {
    /// People told apart in the video.
    pub people: usize,
    /// Frames whose pose belonged to someone else and was removed.
    pub frames_removed: usize,
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
    frames: Vec<usize>, // indices into the frame list
    start: ([f32; 2], f32, f64),
    end: ([f32; 2], f32, f64),
}

/// How much the legs move: the spread of the ankles' horizontal separation over torso length.
fn leg_motion(frames: &[FramePose], idx: &[usize]) -> f32 {
    let v: Vec<f32> = idx
        .iter()
        .filter_map(|&i| {
            let p = frames[i].pose.as_ref()?;
            let (_, torso) = centre_and_torso(p)?;
            let d = (p.landmarks[LEFT_ANKLE].x - p.landmarks[RIGHT_ANKLE].x) / torso;
            d.is_finite().then_some(d)
        })
        .collect();
    if v.len() < 2 {
        return 0.0;
    }
    let m = v.iter().sum::<f32>() / v.len() as f32;
    (v.iter().map(|x| (x - m).powi(2)).sum::<f32>() / v.len() as f32).sqrt()
}

/// Removes every pose that is not the runner's (see the module comment).
pub fn keep_runner(frames: &mut [FramePose]) -> RunnerSelection {
    // 1. tracklets
    let mut tracklets: Vec<Tracklet> = Vec::new();
    for i in 0..frames.len() {
        let Some(p) = frames[i].pose.as_ref() else { continue };
        let Some((c, torso)) = centre_and_torso(p) else { continue };
        let t = frames[i].time_s;
        let continues = tracklets.last().is_some_and(|tr| {
            let (pc, pt, ptime) = tr.end;
            t - ptime <= 0.25 && dist(c, pc) <= JUMP_TORSOS * pt.max(torso) && (0.6..1.6).contains(&(torso / pt))
        });
        match tracklets.last_mut() {
            Some(tr) if continues => {
                tr.frames.push(i);
                tr.end = (c, torso, t);
            }
            _ => tracklets.push(Tracklet { frames: vec![i], start: (c, torso, t), end: (c, torso, t) }),
        }
    }
    if tracklets.len() <= 1 {
        return RunnerSelection { people: tracklets.len(), frames_removed: 0 };
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
    // 3. the runner: seen longest, legs moving most
    let score = |p: &Vec<usize>| -> f32 {
        let idx: Vec<usize> = p.iter().flat_map(|&k| tracklets[k].frames.iter().copied()).collect();
        idx.len() as f32 * (0.05 + leg_motion(frames, &idx))
    };
    let best = (0..people.len()).max_by(|&a, &b| score(&people[a]).total_cmp(&score(&people[b]))).unwrap_or(0);
    let keep: std::collections::HashSet<usize> = people[best].iter().flat_map(|&k| tracklets[k].frames.iter().copied()).collect();
    let mut removed = 0;
    for (i, f) in frames.iter_mut().enumerate() {
        if f.pose.is_some() && !keep.contains(&i) {
            f.pose = None;
            removed += 1;
        }
    }
    RunnerSelection { people: people.len(), frames_removed: removed }
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

    #[test]
    fn a_standing_bystander_is_removed_and_the_runner_kept_across_a_gap() {
        let mut frames = Vec::new();
        for i in 0..300 {
            let t = i as f64 / 30.0;
            let pose = if i < 60 {
                Some(person(200.0, 300.0, 100.0, 0.0)) // someone standing elsewhere
            } else if (150..160).contains(&i) {
                None // the runner lost for a moment
            } else {
                let phase = (t * 2.0 * std::f64::consts::PI * 1.4).sin() as f32;
                Some(person(600.0 + 2.0 * phase, 500.0, 110.0, 40.0 * phase)) // the runner, legs swinging
            };
            frames.push(FramePose { frame: i, time_s: t, pose });
        }
        let sel = keep_runner(&mut frames);
        assert_eq!(sel.people, 2);
        assert_eq!(sel.frames_removed, 60);
        assert!(frames[..60].iter().all(|f| f.pose.is_none()));
        assert!(frames[60..150].iter().chain(&frames[160..]).all(|f| f.pose.is_some()));
    }

    #[test]
    fn one_person_is_left_alone() {
        let mut frames: Vec<FramePose> = (0..50).map(|i| FramePose { frame: i, time_s: i as f64 / 30.0, pose: Some(person(300.0, 300.0, 100.0, 10.0)) }).collect();
        assert_eq!(keep_runner(&mut frames), RunnerSelection { people: 1, frames_removed: 0 });
    }
}
