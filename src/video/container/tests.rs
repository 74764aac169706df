use super::*;

#[test]
fn unknown_or_missing_files_give_nothing() {
    assert_eq!(probe(Path::new("/nonexistent/x.mp4")), ContainerInfo::default());
    let d = std::env::temp_dir().join(format!("overstride-container-{}", std::process::id()));
    std::fs::write(&d, b"not a video at all").unwrap();
    assert_eq!(probe(&d), ContainerInfo::default());
    std::fs::remove_file(&d).unwrap();
}

#[test]
fn the_sample_is_30_fps_360_frames_12_s() {
    let c = probe(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/male_side.mp4"));
    assert_eq!(c.nominal_fps, Some(30.0));
    assert_eq!(c.frames, Some(360));
    assert!((c.duration_s.unwrap() - 12.0).abs() < 1e-9, "{c:?}");
    assert_eq!(c.capture_fps, None);
}

fn in_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind);
    b.extend_from_slice(body);
    b
}

#[test]
fn the_capture_rate_is_read_from_the_meta_keys() {
    // moov/udta/meta (a full box) with keys [encoder, com.android.capture.fps] and their values
    let key = |name: &str| {
        let mut k = ((name.len() + 8) as u32).to_be_bytes().to_vec();
        k.extend_from_slice(b"mdta");
        k.extend_from_slice(name.as_bytes());
        k
    };
    let mut keys = vec![0, 0, 0, 0, 0, 0, 0, 2];
    keys.extend(key("encoder"));
    keys.extend(key("com.android.capture.fps"));
    let data = |kind: u32, v: &[u8]| {
        let mut d = kind.to_be_bytes().to_vec();
        d.extend_from_slice(&[0, 0, 0, 0]);
        d.extend_from_slice(v);
        in_box(b"data", &d)
    };
    for (kind, v) in [(1u32, b"120.000000".to_vec()), (23, 120.0f32.to_be_bytes().to_vec()), (24, 120.0f64.to_be_bytes().to_vec())] {
        let mut ilst = in_box(&1u32.to_be_bytes(), &data(1, b"x"));
        ilst.extend(in_box(&2u32.to_be_bytes(), &data(kind, &v)));
        let mut meta = vec![0, 0, 0, 0];
        meta.extend(in_box(b"hdlr", &[0; 24]));
        meta.extend(in_box(b"keys", &keys));
        meta.extend(in_box(b"ilst", &ilst));
        let moov = in_box(b"udta", &in_box(b"meta", &meta));
        assert_eq!(mp4::capture_fps(&moov), Some(120.0), "data type {kind}");
    }
}
