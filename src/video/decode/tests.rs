use super::*;

#[test]
fn rates_as_the_rationals_they_stand_for() {
    assert_eq!(exact_rate(1e9 / 33_333_333.0), 30.0);
    assert_eq!(exact_rate(30.0), 30.0);
    assert_eq!(exact_rate(1e9 / 33_366_667.0), 30_000.0 / 1001.0);
    assert_eq!(exact_rate(90_000.0 / 3003.0), 30_000.0 / 1001.0);
    assert_eq!(exact_rate(1e9 / 4_166_667.0), 240.0);
    assert_eq!(exact_rate(30.3), 30.3);
}

/// The frames a pass keeps on the way (`keep_while_reading`, as the annotated video's pass does)
/// are the frames `prefetch` decodes, and the frames a seek of its own finds: the same pixels, for
/// the same times asked for — across the keyframe at frame 250, at the clip's end, in slow motion.
#[test]
fn frames_kept_on_the_way_are_the_prefetched_and_the_sought_ones() {
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/male_side.mp4"));
    for capture_fps in [None, Some(120.0)] {
        let open = || {
            let mut r = VideoReader::open(path).unwrap();
            if let Some(c) = capture_fps {
                r.set_capture_fps(c);
            }
            r
        };
        let scale = open().info().time_scale;
        let times: Vec<f64> = [3usize, 100, 101, 249, 250, 251, 359].iter().map(|&k| k as f64 / 30.0 * scale).collect();
        let pixels = |r: &mut VideoReader| -> Vec<Vec<u8>> {
            times
                .iter()
                .map(|&t| {
                    r.frame_at_time(t)
                        .unwrap()
                        .unwrap_or_else(|| panic!("capture {capture_fps:?}: no frame at {t}"))
                        .image
                        .data_bytes()
                        .unwrap()
                        .to_vec()
                })
                .collect()
        };
        let mut sought = open();
        let by_seek = pixels(&mut sought);
        let mut pre = open();
        pre.prefetch(&times, usize::MAX).unwrap();
        assert_eq!(pre.prefetched.len(), times.len());
        let by_prefetch = pixels(&mut pre);
        let mut planner = open();
        let keep = planner.plan_keep(&times, usize::MAX);
        // the pass: a reader of its own at playback time, reading every frame
        let mut pass = VideoReader::open(path).unwrap();
        pass.keep_while_reading(keep);
        while pass.next_frame().unwrap().is_some() {}
        planner.use_kept(pass.take_kept());
        assert_eq!(planner.prefetched.len(), times.len());
        let by_pass = pixels(&mut planner);
        assert!(by_seek == by_prefetch && by_pass == by_prefetch, "capture {capture_fps:?}: the frames differ");
        // distinct frames, so the check can tell one from another
        assert_ne!(by_pass[1], by_pass[2]);
    }
}

/// A seek lands on the frame asked for, the same pixels as reading from the start gives — the
/// clip's last frames too (OpenCV stamps the frames the decoder holds back to the end of a stream
/// it was sought into with time 0: before `grab_timed` carried the times on, the last two frames
/// of the sample could not be sought, nor prefetched).
#[test]
fn a_seek_finds_every_frame_to_the_last() {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/male_side.mp4"));
    let hash = |m: &Mat| {
        let mut h = DefaultHasher::new();
        m.data_bytes().unwrap().hash(&mut h);
        h.finish()
    };
    let mut r = VideoReader::open(path).unwrap();
    let mut all = Vec::new();
    while let Some(f) = r.next_frame().unwrap() {
        all.push((f.time_s, hash(&f.image)));
    }
    assert_eq!(all.len(), 360);
    for k in [1usize, 100, 249, 250, 251, 357, 358, 359] {
        let mut r = VideoReader::open(path).unwrap();
        assert!(r.seek_time(k as f64 / 30.0 - 0.5 / 30.0).unwrap(), "frame {k}: not found");
        let f = r.next_frame().unwrap().unwrap();
        assert_eq!((f.time_s, hash(&f.image)), all[k], "frame {k}");
    }
}
