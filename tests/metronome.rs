//! The cadence retraining aid end to end: `analyze` on a synthetic runner of known cadence writes
//! the +5/+7.5/+10 % targets into report.json and a metronome click track whose tempo, read back
//! from the WAV by finding its clicks, is the target's.

mod common;
use common::synthetic::Runner;
use common::*;
use std::path::Path;

/// Writes a synthetic runner's landmarks.csv, as `analyze --landmarks` reads it.
fn landmarks(r: &Runner, path: &Path) {
    write_landmarks(&r.frames(), path);
}

/// A mono 16-bit PCM WAV parsed by hand (not with the crate that wrote it): (sample rate, samples).
fn parse_wav(b: &[u8]) -> (u32, Vec<i16>) {
    assert_eq!(&b[0..4], b"RIFF");
    assert_eq!(u32::from_le_bytes(b[4..8].try_into().unwrap()) as usize, b.len() - 8, "RIFF size");
    assert_eq!(&b[8..12], b"WAVE");
    let (mut pos, mut rate, mut data) = (12, 0, None);
    while pos + 8 <= b.len() {
        let id = &b[pos..pos + 4];
        let len = u32::from_le_bytes(b[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let body = &b[pos + 8..pos + 8 + len];
        if id == b"fmt " {
            let u16at = |i: usize| u16::from_le_bytes(body[i..i + 2].try_into().unwrap());
            assert_eq!(u16at(0), 1, "PCM");
            assert_eq!(u16at(2), 1, "mono");
            rate = u32::from_le_bytes(body[4..8].try_into().unwrap());
            assert_eq!(u16at(14), 16, "16-bit");
        } else if id == b"data" {
            data = Some(body.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect());
        }
        pos += 8 + len + (len & 1);
    }
    (rate, data.expect("a data chunk"))
}

/// Sample indices where a click starts: above half full scale after at least 10 ms below it.
fn onsets(s: &[i16], rate: u32) -> Vec<usize> {
    let quiet = rate as usize / 100;
    let mut out = Vec::new();
    let mut last_loud: Option<usize> = None;
    for (i, v) in s.iter().enumerate() {
        if v.unsigned_abs() > i16::MAX as u16 / 2 {
            if last_loud.is_none_or(|l| i - l > quiet) {
                out.push(i);
            }
            last_loud = Some(i);
        }
    }
    out
}

#[test]
fn the_metronome_clicks_at_the_target_step_rate() {
    let d = tempfile::tempdir().unwrap();
    let r = Runner { cadence_spm: 172.0, ..Runner::default() };
    let lm = d.path().join("landmarks.csv");
    landmarks(&r, &lm);
    let out = d.path().join("out");
    let (o, e) = run(bin().args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", out.to_str().unwrap()]));
    assert!(o.status.success(), "{e}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let rt = &v["retraining"];
    let cadence = rt["cadence_spm"].as_f64().unwrap();
    assert!((cadence - 172.0).abs() < 0.01 * 172.0, "cadence {cadence}");
    let targets: Vec<(f64, f64)> =
        rt["targets"].as_array().unwrap().iter().map(|t| (t["increase_pct"].as_f64().unwrap(), t["spm"].as_f64().unwrap())).collect();
    assert_eq!(targets.iter().map(|t| t.0).collect::<Vec<_>>(), [5.0, 7.5, 10.0]);
    for (p, spm) in &targets {
        assert!((spm - cadence * (1.0 + p / 100.0)).abs() < 0.01, "{p} %: {spm}");
    }
    let m = &rt["metronome"];
    let spm = m["spm"].as_u64().unwrap();
    assert_eq!(spm, (cadence * 1.075).round() as u64);
    assert_eq!(m["file"], format!("metronome_{spm}.wav"));
    assert!(stdout.contains(&format!("metronome {spm} steps/min")), "{stdout}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Cadence retraining") && html.contains(&format!("metronome_{spm}.wav")));

    // the WAV: its clicks every 60/spm s to within a sample, for about three minutes
    let (rate, s) = parse_wav(&std::fs::read(out.join(format!("metronome_{spm}.wav"))).unwrap());
    assert_eq!(rate, 44_100);
    let period = rate as f64 * 60.0 / spm as f64;
    let on = onsets(&s, rate);
    let beats = (180.0 * spm as f64 / 60.0).round() as usize;
    assert_eq!(on.len(), beats, "one click per step for 3 minutes");
    assert_eq!(on[0], 0);
    for w in on.windows(2) {
        let gap = (w[1] - w[0]) as f64;
        assert!((gap - period).abs() <= 1.0, "interval {gap} samples, expected {period:.2}");
    }
    // no drift: the last click where the tempo puts it; and the track loops on the beat
    assert!((on[on.len() - 1] as f64 - (beats - 1) as f64 * period).abs() <= 0.5);
    assert!((s.len() as f64 - beats as f64 * period).abs() <= 0.5);
    let measured = 60.0 * rate as f64 * (on.len() - 1) as f64 / (on[on.len() - 1] - on[0]) as f64;
    eprintln!("metronome {spm} steps/min: measured {measured:.4} from {} clicks over {:.1} s", on.len(), s.len() as f64 / rate as f64);
    assert!((measured - spm as f64).abs() < 0.01);

    // another target replaces the track (the earlier one was this tool's: listed in the manifest)
    let (o, e) =
        run(bin().args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", out.to_str().unwrap(), "--metronome-target", "5"]));
    assert!(o.status.success(), "{e}");
    let spm5 = (cadence * 1.05).round() as u64;
    assert!(out.join(format!("metronome_{spm5}.wav")).exists());
    assert!(!out.join(format!("metronome_{spm}.wav")).exists(), "the earlier track is replaced");
    // none with --no-metronome; the targets stay
    let (o, e) = run(bin().args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-metronome"]));
    assert!(o.status.success(), "{e}");
    assert!(std::fs::read_dir(&out).unwrap().flatten().all(|e| !e.file_name().to_string_lossy().starts_with("metronome")));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert!(v["retraining"]["targets"].is_array() && v["retraining"].get("metronome").is_none());
    // an impossible target is a usage error
    let (o, e) =
        run(bin().args(["analyze", "--landmarks", lm.to_str().unwrap(), "--out", out.to_str().unwrap(), "--metronome-target", "40"]));
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("not a step-rate target"), "{e}");
}
