use super::*;

#[test]
fn dropped_file_leaves_nothing_committed_file_appears() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("x.csv");
    {
        let mut f = AtomicFile::create(&p).unwrap();
        f.writer().write_all(b"half").unwrap();
    }
    assert!(!p.exists());
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
    write_atomic(&p, b"whole").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"whole");
}

#[test]
fn manifest_entries_outside_the_folder_are_ignored() {
    for bad in ["..", "../x", "/etc/passwd", ".hidden", "a/../b", "a/b/c/d/e", "a/.x", "a/b/.c/d", ""] {
        assert!(!valid_rel(bad), "{bad}");
    }
    for ok in ["report.html", "anna/report.html", "anna/side/evidence/left_most.png"] {
        assert!(valid_rel(ok), "{ok}");
    }
}

#[test]
fn commit_swaps_in_and_removes_only_listed_files() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("out");
    {
        let o = OutDir::open(&root, RunKind::Analysis).unwrap();
        write_atomic(&o.staging().join("report.json"), b"1").unwrap();
        write_atomic(&o.staging().join("steps.csv"), b"1").unwrap();
        o.commit(&[]).unwrap();
    }
    std::fs::write(root.join("notes.txt"), b"mine").unwrap();
    {
        let o = OutDir::open(&root, RunKind::Analysis).unwrap();
        write_atomic(&o.staging().join("report.json"), b"2").unwrap();
        // dropped: nothing changes
    }
    assert_eq!(std::fs::read(root.join("report.json")).unwrap(), b"1");
    {
        let o = OutDir::open(&root, RunKind::Analysis).unwrap();
        write_atomic(&o.staging().join("report.json"), b"3").unwrap();
        o.commit(&[]).unwrap();
    }
    assert_eq!(std::fs::read(root.join("report.json")).unwrap(), b"3");
    assert!(!root.join("steps.csv").exists(), "listed by the earlier run, not written now");
    assert!(root.join("notes.txt").exists(), "never listed: not ours");
    let mut names: Vec<_> = std::fs::read_dir(&root).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["notes.txt", MANIFEST, "report.json"]);
}

#[test]
fn files_down_to_the_deepest_level_are_swapped_in_and_removed_with_their_folders() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("out");
    let deep = "anna/anna_side/evidence/left_most.png";
    {
        let o = OutDir::open(&root, RunKind::Analysis).unwrap();
        let mut s = crate::report::Sink::new(o.staging());
        s.write(deep, b"png").unwrap();
        s.write("anna/anna_side/report.json", b"1").unwrap();
        s.write("anna/report.html", b"1").unwrap();
        let written = o.commit(&[]).unwrap();
        assert_eq!(written, ["anna/anna_side/evidence/left_most.png", "anna/anna_side/report.json", "anna/report.html"]);
    }
    assert_eq!(std::fs::read(root.join(deep)).unwrap(), b"png");
    {
        let o = OutDir::open(&root, RunKind::Analysis).unwrap();
        write_atomic(&o.staging().join("index.html"), b"2").unwrap();
        o.commit(&[]).unwrap();
    }
    assert!(!root.join("anna").exists(), "the earlier run's files and their emptied folders removed");
    assert!(root.join("index.html").exists());
}

#[test]
fn a_second_open_is_refused_while_the_first_holds_the_lock() {
    let d = tempfile::tempdir().unwrap();
    let a = OutDir::open(d.path(), RunKind::Analysis).unwrap();
    let e = OutDir::open(d.path(), RunKind::Analysis).err().unwrap().to_string();
    assert!(e.contains(&format!("(pid {})", std::process::id())), "{e}");
    drop(a);
    OutDir::open(d.path(), RunKind::Analysis).unwrap();
}

#[test]
fn the_kind_of_an_earlier_run_is_read_from_its_manifest() {
    let of = |files: &[&str]| RunKind::of(&files.iter().map(|f| f.to_string()).collect::<Vec<_>>());
    assert_eq!(of(&["report.html", "report.json", "steps.csv"]), Some(RunKind::Analysis));
    assert_eq!(of(&["report.html", "assessment.json", "side/report.json", "rear/report.json"]), Some(RunKind::Assessment));
    assert_eq!(of(&["index.html", "anna/report.json", "bob/assessment.json"]), Some(RunKind::Batch));
    assert_eq!(of(&["report.html", "comparison.json"]), Some(RunKind::Comparison));
    // two assessments compared: a comparison per plane and an overview page, no top-level json
    assert_eq!(of(&["report.html", "side/comparison.json", "side/report.html", "frontal/comparison.json"]), Some(RunKind::Comparison));
    assert_eq!(of(&["report.html", "frontal/comparison.json", "frontal/report.html"]), Some(RunKind::Comparison));
    assert_eq!(of(&[]), None);
}
