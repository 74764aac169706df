use super::*;
use crate::gait::analysis::test_support::step;

#[test]
fn steps_far_from_their_sides_median_timing_are_left_out() {
    let mut s: Vec<Step> =
        (0..8).map(|k| step(if k % 2 == 0 { Side::Left } else { Side::Right }, 0.35 * k as f64, Some(0.35), Some(0.25))).collect();
    s[2].step_time_s = Some(0.7); // a missed contact: twice the step time
    s[5].contact_time_s = Some(0.1); // a spurious contact: 0.4 of the median
    s[6].excluded = Some(Exclusion::LowConfidence { confidence: 0.3 }); // already out: not counted again
    assert_eq!(exclude_implausible(&mut s), 2);
    let out: Vec<usize> = (0..8).filter(|&k| s[k].excluded.is_some()).collect();
    assert_eq!(out, vec![2, 5, 6]);
    let why = s[2].excluded.as_ref().unwrap();
    assert!(matches!(why, Exclusion::ImplausibleTiming { .. }) && why.to_string().starts_with("implausible timing (step 0.70 s"), "{why}");
    assert_eq!(s[6].excluded, Some(Exclusion::LowConfidence { confidence: 0.3 }));
    assert_eq!(fin(f64::NAN), None);
    assert_eq!(fin(1.5), Some(1.5));
}

fn alternating(ics: &[(Side, f64)]) -> Vec<Step> {
    ics.iter().map(|&(side, t)| step(side, t, None, None)).collect()
}

#[test]
fn a_contact_between_two_of_the_same_foot_a_stride_apart_is_out_of_sequence() {
    use Side::{Left as L, Right as R};
    // strides of 0.72 s; at 7.9 s the right foot's landing is taken for a left one
    let mut ics: Vec<(Side, f64)> = (0..12).map(|k| (if k % 2 == 0 { L } else { R }, 0.36 * k as f64)).collect();
    ics.push((L, 2.52 + 0.36 / 2.0 + 0.02)); // between left 2.16 and left 2.88, near right 2.52
    ics.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut s = alternating(&ics);
    assert_eq!(exclude_out_of_sequence(&mut s), 1);
    let out: Vec<f64> = s.iter().filter(|x| x.excluded.is_some()).map(|x| x.ic_time_s).collect();
    assert_eq!(out, vec![2.52 + 0.18 + 0.02]);
    let why = s.iter().find_map(|x| x.excluded.clone()).unwrap();
    assert!(matches!(why, Exclusion::OutOfSequence { side: L, .. }), "{why}");
    assert!(why.to_string().starts_with("implausible timing: out of sequence") && why.short() == "out of sequence", "{why}");
    // a clean alternating run loses nothing
    let mut clean = alternating(&(0..12).map(|k| (if k % 2 == 0 { L } else { R }, 0.36 * k as f64)).collect::<Vec<_>>());
    assert_eq!(exclude_out_of_sequence(&mut clean), 0);
    // a pair at the end of the clip: the one a stride after the contact before it is kept
    let mut end = alternating(&[(L, 0.0), (R, 0.36), (L, 0.72), (R, 1.08), (L, 1.44), (R, 1.8), (L, 2.16), (L, 2.4)]);
    assert_eq!(exclude_out_of_sequence(&mut end), 1);
    assert!(end[6].excluded.is_none() && end[7].excluded.is_some());
    // a pair that fits the rhythm equally badly either way: both out
    let mut even = alternating(&[(L, 0.0), (L, 0.72), (L, 1.44), (L, 2.04), (L, 2.28), (L, 2.88), (L, 3.6)]);
    assert_eq!(exclude_out_of_sequence(&mut even), 2);
    assert!(even[3].excluded.is_some() && even[4].excluded.is_some() && even[2].excluded.is_none() && even[5].excluded.is_none());
    // already left out for another reason: kept as it was, not counted
    let mut pre = alternating(&ics);
    let k = pre.iter().position(|x| (x.ic_time_s - 2.72).abs() < 1e-9).unwrap();
    pre[k].excluded = Some(Exclusion::LowConfidence { confidence: 0.3 });
    assert_eq!(exclude_out_of_sequence(&mut pre), 0);
    assert_eq!(pre[k].excluded, Some(Exclusion::LowConfidence { confidence: 0.3 }));
}
