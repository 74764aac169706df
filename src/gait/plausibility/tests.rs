use super::*;

fn refused(g: Option<Gate>) -> String {
    match g {
        Some(Gate::Refuse(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn warned(g: Option<Gate>) -> Alert {
    match g {
        Some(Gate::Warn(a)) => a,
        other => panic!("expected a warning, got {other:?}"),
    }
}

#[test]
fn cadence_gates() {
    assert_eq!(cadence(169.0, true, 30.0, false), None);
    assert_eq!(cadence(110.0, false, 30.0, false), None);
    // 4x slow motion exported at 30 fps: the suggested capture rate is 120
    let m = refused(cadence(42.0, true, 30.0, false));
    assert!(m.contains("slow motion") && m.contains("--capture-fps 120"), "{m}");
    // 30 fps frames stamped at 240 fps
    let m = refused(cadence(1349.0, false, 240.0, false));
    assert!(m.contains("--capture-fps 30"), "{m}");
    assert_eq!(warned(cadence(240.0, true, 30.0, false)).kind, AlertKind::Cadence);
    // possible for walking, not for running (or 2x slow motion): doubtful, warned
    let a = warned(cadence(85.0, true, 30.0, false));
    assert!(a.message.contains("either this is walking") && a.message.contains("--capture-fps 60"), "{}", a.message);
    assert_eq!(warned(cadence(250.0, false, 30.0, false)).kind, AlertKind::Cadence);
    assert_eq!(warned(cadence(160.0, false, 30.0, false)).kind, AlertKind::Cadence);
    refused(cadence(290.0, true, 30.0, false));
    refused(cadence(30.0, false, 30.0, false));
}

#[test]
fn impossible_steps_are_named_and_a_majority_refused() {
    assert_eq!(impossible_step(Some(24.9), Some(14.0), Some(40.0)), None);
    assert_eq!(impossible_step(Some(-8.8), Some(0.4), Some(17.0)), None);
    assert_eq!(impossible_step(Some(114.0), None, None).map(|x| x.0), Some(AlertKind::Overstride));
    assert_eq!(impossible_step(None, Some(138.0), None).map(|x| x.0), Some(AlertKind::KneeAngle));
    assert_eq!(impossible_step(None, Some(-20.0), None).map(|x| x.0), Some(AlertKind::KneeAngle));
    assert_eq!(impossible_step(None, Some(20.0), Some(151.0)).map(|x| x.0), Some(AlertKind::KneeAngle));
    assert_eq!(impossible_steps(AlertKind::KneeAngle, 0, 10, false), None);
    assert_eq!(warned(impossible_steps(AlertKind::KneeAngle, 2, 10, false)).kind, AlertKind::KneeAngle);
    refused(impossible_steps(AlertKind::Overstride, 6, 10, false));
    // a view given by the user is named as a possible cause
    assert!(matches!(impossible_steps(AlertKind::Overstride, 6, 10, true), Some(Gate::Refuse(m)) if m.contains("--side-facing")));
    assert!(matches!(impossible_steps(AlertKind::Overstride, 6, 10, false), Some(Gate::Refuse(m)) if !m.contains("--side-facing")));
}

#[test]
fn upright_gates_name_the_rotation_tag() {
    assert_eq!(upright(&Posture { trunk_from_vertical_deg: 6.0 }, Some(90)), None);
    assert_eq!(warned(upright(&Posture { trunk_from_vertical_deg: 40.0 }, Some(0))).kind, AlertKind::NotUpright);
    let m = refused(upright(&Posture { trunk_from_vertical_deg: 88.0 }, Some(90)));
    assert!(m.contains("lying") && m.contains("rotation tag (90°) is probably wrong"), "{m}");
    let m = refused(upright(&Posture { trunk_from_vertical_deg: 175.0 }, Some(0)));
    assert!(m.contains("upside down"), "{m}");
}

#[test]
fn movement_view_size_gates() {
    assert_eq!(movement(95.0), None);
    assert!(refused(movement(2.0)).contains("do not move"));
    assert_eq!(view_requested(View::Rear, 0.7), None);
    assert_eq!(view_requested(View::SideLeft, 0.1), None);
    assert!(refused(view_requested(View::Rear, 0.1)).contains("--view rear"));
    assert!(refused(view_requested(View::SideLeft, 0.8)).contains("--view side-left"));
    assert_eq!(warned(view_requested(View::Rear, 0.3)).kind, AlertKind::ViewMismatch);
    assert_eq!(runner_size(543.0, 1280, 1.0), None);
    assert_eq!(runner_size(247.0, 1080, 0.9), None);
    assert!(refused(runner_size(247.0, 1080, 0.29)).starts_with("runner is 247 px tall"));
    assert!(refused(runner_size(110.0, 1080, 1.0)).starts_with("runner is 110 px tall"));
    assert_eq!(warned(runner_size(180.0, 1080, 1.0)).kind, AlertKind::RunnerTooSmall);
}

#[test]
fn timing_restated_for_the_real_frame_interval() {
    let dt: f64 = 1.0 / 240.0;
    let u = (dt / 2.0).hypot(0.010);
    let v = with_frame_interval(u, dt, 1.0 / 30.0);
    assert!((v - (1.0 / 60.0f64).hypot(0.010)).abs() < 1e-12);
    assert!((with_frame_interval(u, dt, dt) - u).abs() < 1e-12);
}

#[test]
fn nearest_rate() {
    assert_eq!(nearest_common_fps(121.4), 120.0);
    assert_eq!(nearest_common_fps(30.2), 30.0);
}
