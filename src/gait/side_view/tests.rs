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
