use super::*;
use crate::pose::{Landmark, Pose, NUM_LANDMARKS};

/// A textured dark belt, a bright shoe (a rounded box) whose bottom is at `sole_y`, and its
/// shadow on the belt below it.
fn scene(w: usize, h: usize, shoe_x: f64, sole_y: f64, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    let mut rnd = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 40) as f64 / (1u64 << 24) as f64
    };
    let mut px = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            // belt: dark grey with fixed texture (static camera: the same each frame) and noise
            let tex = 40.0 + 8.0 * (((x * 7 + y * 13) % 11) as f64 / 10.0);
            let mut v = [tex + 3.0 * (rnd() - 0.5); 3];
            // the shadow: darker, wider than the shoe, right under it
            let (xf, yf) = (x as f64 + 0.5, y as f64 + 0.5);
            if xf > shoe_x - 35.0 && xf < shoe_x + 35.0 && yf > sole_y && yf < sole_y + 12.0 {
                for c in v.iter_mut() {
                    *c *= 0.55;
                }
            }
            // the shoe: 60 × 22 px, bright green-white; the bottom row partly covered (anti-aliased)
            let cover = ((sole_y - (yf - 0.5)).clamp(0.0, 1.0)) * ((xf > shoe_x - 30.0 && xf < shoe_x + 30.0) as u8 as f64);
            let inside = yf > sole_y - 22.0;
            if inside && cover > 0.0 {
                let shoe = [170.0, 210.0, 190.0];
                for (c, s) in v.iter_mut().zip(shoe) {
                    *c = *c * (1.0 - cover) + s * cover;
                }
            }
            for c in 0..3 {
                px[(y * w + x) * 3 + c] = v[c].round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    px
}

fn pose_at(shoe_x: f64, sole_y: f64) -> FramePose {
    let mut l = [Landmark { x: 0.0, y: 0.0, z: 0.0, visibility: 1.0, presence: 1.0 }; NUM_LANDMARKS];
    for o in 0..2 {
        // heel landmark inside the shoe, 8 px above its sole (as BlazePose puts it); toe forward
        l[LEFT_HEEL + o] = Landmark { x: (shoe_x + 25.0) as f32, y: (sole_y - 8.0) as f32, ..l[0] };
        l[LEFT_FOOT_INDEX + o] = Landmark { x: (shoe_x - 25.0) as f32, y: (sole_y - 6.0) as f32, ..l[0] };
        l[LEFT_ANKLE + o] = Landmark { x: (shoe_x + 15.0) as f32, y: (sole_y - 30.0) as f32, ..l[0] };
    }
    FramePose { frame: 0, time_s: 0.0, pose: Some(Pose { landmarks: l, score: 1.0 }), soles: [None; 2] }
}

#[test]
fn the_sole_is_found_to_a_fraction_of_a_pixel_and_its_shadow_is_not_taken_for_it() {
    let (w, h) = (200usize, 120usize);
    // background from frames with the shoe elsewhere (moving over the belt)
    let crops: Vec<Crop> = (0..25).map(|k| Crop { w, h, px: scene(w, h, -100.0 + 0.0 * k as f64, -50.0, 7 + k) }).collect();
    let refs: Vec<&Crop> = crops.iter().collect();
    let bg = median_background(&refs).unwrap();
    let region = Rect::new(0, 0, w as i32, h as i32);
    for (k, sole_y) in [60.0, 72.3, 80.5, 88.75, 95.0].into_iter().enumerate() {
        let shoe_x = 90.0 + 7.0 * k as f64;
        let crop = Crop { w, h, px: scene(w, h, shoe_x, sole_y, 99 + k as u64) };
        let fp = pose_at(shoe_x, sole_y);
        let found = points(&crop, &bg, region, 0.0, &fp);
        assert!(found[1].is_some());
        let [x, y] = found[0].unwrap();
        assert!((y as f64 - sole_y).abs() <= 0.6, "sole at {sole_y}: measured {y}");
        assert!((x as f64 - shoe_x).abs() <= 31.0, "x {x} vs shoe {shoe_x}");
    }
}

#[test]
fn a_shoe_no_brighter_than_the_belt_gives_no_point() {
    let (w, h) = (200usize, 120usize);
    let crops: Vec<Crop> = (0..20).map(|k| Crop { w, h, px: scene(w, h, -100.0, -50.0, 3 + k) }).collect();
    let bg = median_background(&crops.iter().collect::<Vec<_>>()).unwrap();
    // the frame is the background itself (the "shoe" has the belt's colour)
    let crop = Crop { w, h, px: scene(w, h, -100.0, -50.0, 1234) };
    let fp = pose_at(100.0, 80.0);
    assert_eq!(points(&crop, &bg, Rect::new(0, 0, w as i32, h as i32), 0.0, &fp), [None, None]);
}

#[test]
fn too_few_frames_give_no_background() {
    let c = Crop { w: 2, h: 2, px: vec![0; 12] };
    let v: Vec<&Crop> = (0..MIN_BACKGROUND_SAMPLES - 1).map(|_| &c).collect();
    assert!(median_background(&v).is_none());
}
