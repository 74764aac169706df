//! The output folder and its files, so that a clinic can trust the tool with its folders:
//!
//! - **Nothing outside `--out`, nothing through a link.** Every file is created new
//!   (`O_CREAT|O_EXCL|O_NOFOLLOW`) inside a staging folder this run made itself; a symbolic link
//!   where an output would go (or `--out` itself being one) is an error, never a target.
//! - **Nothing deleted that this tool did not write.** A manifest, `overstride-manifest.json`,
//!   lists the files a run wrote; a later run removes only files listed there (and replaces the
//!   output names it writes itself).
//! - **Earlier results replaced only by a finished run.** A run writes its whole set into
//!   `OUT/.overstride-staging-<pid>/`; only when everything is written are the files renamed into
//!   place one by one, then the earlier run's files that this run did not write are removed and the
//!   manifest replaced. A failed, refused or interrupted run removes its staging folder and leaves
//!   the previous assessment as it was.
//! - **One run per folder.** `OUT/.overstride-lock` is held with `flock` for the whole run and holds
//!   the pid; the kernel releases it when a run dies, so a stale lock file is simply taken over.
//!
//! Each file is still written under a temporary name and renamed when complete ([`AtomicFile`]).

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

use crate::{Error, Result};

/// The files a run writes into its output folder (batch: into each video's sub-folder).
pub const OUTPUT_FILES: &[&str] = &["landmarks.csv", "annotated.mp4", "report.html", "report.json", "steps.csv"];
/// The list of files the last finished run wrote (paths relative to the folder). Not hidden: the
/// folder's owner can see which files are the tool's.
pub(crate) const MANIFEST: &str = "overstride-manifest.json";
/// A batch's index page, beside the videos' sub-folders.
pub(crate) const INDEX: &str = "index.html";
/// Held (flock) by the run using the folder; holds its pid.
pub(crate) const LOCK: &str = ".overstride-lock";
/// A run's staging folder is `STAGING_PREFIX` + its pid.
pub(crate) const STAGING_PREFIX: &str = ".overstride-staging-";
/// The analysis's and the comparison's JSON outputs, whose presence tells an earlier run's kind.
const REPORT_JSON: &str = OUTPUT_FILES[3];
const COMPARISON_JSON: &str = crate::compare::OUTPUT_FILES[1];
/// Inside the staging folder, where the earlier outputs wait while the new ones are swapped in.
const ASIDE: &str = ".previous";
/// A manifest larger than this is not one of ours.
const MAX_MANIFEST_BYTES: u64 = 4 << 20;

pub(crate) fn out_err(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::Output { path: path.to_path_buf(), why: why.to_string() }
}

fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

fn link_refused(p: &Path) -> Error {
    Error::Input(format!(
        "{} is a symbolic link: overstride never writes through links; remove the link or choose another --out",
        p.display()
    ))
}

/// The deepest an output folder goes, in path components below `--out`: a batch of assessments
/// writes `OUT/<set>/<clip>/evidence/<side>_typical.png` (a single run goes two deep:
/// `evidence/…`; an assessment or a batch of videos three).
pub(crate) const MAX_DEPTH: usize = 4;

/// A manifest entry is a relative path of one to [`MAX_DEPTH`] plain names, none hidden: anything
/// else (absolute, `..`, a dot file, deeper) is never touched, whatever a manifest says.
pub(crate) fn valid_rel(rel: &str) -> bool {
    let p = Path::new(rel);
    let parts: Vec<_> = p.components().collect();
    !parts.is_empty()
        && parts.len() <= MAX_DEPTH
        && parts.iter().all(|c| matches!(c, Component::Normal(n) if !n.to_string_lossy().starts_with('.')))
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Manifest {
    tool: String,
    files: Vec<String>,
}

/// The one-run lock on an output folder (see the module docs).
struct Lock {
    path: PathBuf,
    _file: File,
}

impl Lock {
    fn acquire(dir: &Path) -> Result<Lock> {
        let path = dir.join(LOCK);
        for _ in 0..5 {
            let mut f =
                OpenOptions::new().read(true).write(true).create(true).custom_flags(libc::O_NOFOLLOW).mode(0o644).open(&path).map_err(
                    |e| {
                        if e.raw_os_error() == Some(libc::ELOOP) {
                            link_refused(&path)
                        } else {
                            out_err(dir, format!("folder is not writable ({e}): choose a folder you can write"))
                        }
                    },
                )?;
            use std::os::fd::AsRawFd;
            // SAFETY: flock on a file descriptor we own; no memory is involved.
            if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
                let e = std::io::Error::last_os_error();
                if e.raw_os_error() != Some(libc::EWOULDBLOCK) {
                    return Err(out_err(&path, format!("cannot lock the folder: {e}")));
                }
                let mut s = String::new();
                let _ = Read::by_ref(&mut f).take(64).read_to_string(&mut s);
                let pid = s.trim().parse::<u32>().map(|p| p.to_string()).unwrap_or_else(|_| "unknown".into());
                return Err(Error::InUse { dir: dir.to_path_buf(), pid });
            }
            // the holder before us may have removed the file between our open and our lock
            let (Ok(a), Ok(b)) = (f.metadata(), std::fs::symlink_metadata(&path)) else { continue };
            if a.dev() != b.dev() || a.ino() != b.ino() {
                continue;
            }
            f.set_len(0).and_then(|_| writeln!(f, "{}", std::process::id())).map_err(|e| out_err(&path, e))?;
            return Ok(Lock { path, _file: f });
        }
        Err(out_err(&path, "cannot lock the folder (it keeps changing): choose another --out"))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // removed while still locked; the lock goes with the file descriptor just after
        let _ = std::fs::remove_file(&self.path);
    }
}

/// An output folder in use by this run: locked, with a staging folder the outputs are written to
/// and swapped in from by [`OutDir::commit`]. Dropped without a commit, it removes the staging
/// folder and leaves the folder's earlier results as they were.
/// Refuses when the earlier finished run in `root` (its manifest lists `old`) was of another kind
/// than this one (an assessment where this is one clip's analysis, a batch where this is a
/// comparison…). A run of the same kind replaces the earlier one, as documented.
fn refuse_other_kind(root: &Path, old: &[String], kind: RunKind) -> Result<()> {
    match RunKind::of(old) {
        Some(earlier) if earlier != kind => Err(Error::Input(format!(
            "--out {} holds {}; {} there would replace it: choose another --out (or move that folder away first)",
            root.display(),
            earlier.what(),
            kind.this()
        ))),
        _ => Ok(()),
    }
}

/// What kind of run wrote a folder's outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunKind {
    /// One clip: report.json and the rest in the folder itself.
    Analysis,
    /// A side and a rear/front clip: assessment.json and a sub-folder per clip.
    Assessment,
    /// A folder of videos or landmarks files: index.html and a sub-folder per video or set.
    Batch,
    /// Before against after: comparison.json.
    Comparison,
}

impl RunKind {
    /// The kind of the run whose manifest lists `files`, from its top-level outputs; None for a
    /// folder no finished run wrote.
    pub(crate) fn of(files: &[String]) -> Option<RunKind> {
        let top = |name: &str| files.iter().any(|f| f == name);
        let comparison = COMPARISON_JSON;
        // a comparison of two assessments has one per plane (`side/comparison.json`…)
        let planes = crate::compare::ASSESSMENT_PLANES.iter().any(|p| top(&format!("{p}/{comparison}")));
        if top(comparison) || planes {
            Some(RunKind::Comparison)
        } else if top(crate::assessment::FILE) {
            Some(RunKind::Assessment)
        } else if top(INDEX) {
            Some(RunKind::Batch)
        } else if top(REPORT_JSON) {
            Some(RunKind::Analysis)
        } else {
            None
        }
    }

    fn what(self) -> &'static str {
        match self {
            RunKind::Analysis => "an earlier analysis of one clip (report.json)",
            RunKind::Assessment => "an earlier assessment of two clips (assessment.json)",
            RunKind::Batch => "an earlier batch (index.html and a sub-folder per video)",
            RunKind::Comparison => "an earlier before/after comparison (comparison.json)",
        }
    }

    fn this(self) -> &'static str {
        match self {
            RunKind::Analysis => "an analysis of one clip",
            RunKind::Assessment => "an assessment of two clips",
            RunKind::Batch => "a batch",
            RunKind::Comparison => "a comparison",
        }
    }
}

pub(crate) struct OutDir {
    root: PathBuf,
    staging: PathBuf,
    old: Vec<String>,
    /// `root` did not exist before this run (removed again, if still empty, when no run finished)
    created: bool,
    committed: bool,
    /// A failed swap could not put every earlier file back: the staging folder keeps them.
    keep_staging: bool,
    lock: Option<Lock>,
}

impl OutDir {
    /// Checks `--out` (a folder or nothing yet, not a link, not a file), creates it, locks it, reads
    /// the earlier run's manifest — refusing a folder an earlier run of another `kind` wrote
    /// ([`RunKind`]: this run would replace the outputs they share and remove the rest of that
    /// run's files with its manifest) — and makes the staging folder.
    pub fn open(root: &Path, kind: RunKind) -> Result<OutDir> {
        let mut created = false;
        match std::fs::symlink_metadata(root) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(root).map(|t| t.display().to_string()).unwrap_or_else(|_| "?".into());
                return Err(Error::Input(format!(
                    "--out {} is a symbolic link (to {to}): give the folder itself, or another folder",
                    root.display()
                )));
            }
            Ok(m) if !m.is_dir() => {
                return Err(Error::Input(format!("--out {} is a file, not a folder: choose a folder", root.display())));
            }
            Ok(_) => {}
            Err(_) => {
                std::fs::create_dir_all(root)
                    .map_err(|e| out_err(root, format!("cannot create the folder ({e}): choose a folder you can write")))?;
                created = true;
            }
        }
        let cleanup = |e: Error| {
            if created {
                let _ = std::fs::remove_dir(root);
            }
            e
        };
        let lock = Lock::acquire(root).map_err(cleanup)?;
        let old = read_manifest(root).map_err(cleanup)?;
        refuse_other_kind(root, &old, kind).map_err(cleanup)?;
        let staging = root.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        // staging folders left by runs that died (killed, or the machine stopped): we hold the
        // lock, so no live run uses any of them; a link of that name is removed, never followed
        let stale: Vec<PathBuf> = std::fs::read_dir(root)
            .map(|rd| {
                rd.flatten()
                    .filter(|e| {
                        e.file_name().to_str().is_some_and(|n| {
                            n.strip_prefix(STAGING_PREFIX).is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
                        })
                    })
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default();
        let mut dir = OutDir {
            root: root.to_path_buf(),
            staging: staging.clone(),
            old,
            created,
            committed: false,
            keep_staging: false,
            lock: Some(lock),
        };
        for old_staging in stale {
            dir.recover(&old_staging);
        }
        std::fs::create_dir(&staging).map_err(|e| out_err(root, format!("folder is not writable ({e}): choose a folder you can write")))?;
        dir.created = created;
        Ok(dir)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A staging folder left by a run that died: the earlier outputs it had moved aside when it
    /// was killed part-way through its swap are put back (over the new ones it had moved in),
    /// then the folder is removed — only when every one of them is back, so that nothing earlier
    /// is ever deleted. Best effort: what cannot be removed (another user's) stays, and the run
    /// goes on.
    fn recover(&self, old_staging: &Path) {
        if is_symlink(old_staging) {
            let _ = std::fs::remove_file(old_staging);
            return;
        }
        if !old_staging.is_dir() {
            return;
        }
        let aside = old_staging.join(ASIDE);
        let mut back = Vec::new();
        if aside.is_dir() && !is_symlink(&aside) && list_staged(&aside, "", &mut back).is_err() {
            return;
        }
        let mut all_back = true;
        for rel in &back {
            if !valid_rel(rel) || self.check_targets(&[rel]).is_err() || !self.make_parents(rel, &mut Vec::new()) {
                all_back = false;
                continue;
            }
            if std::fs::rename(aside.join(rel), self.root.join(rel)).is_err() {
                all_back = false;
            }
        }
        if all_back {
            let _ = std::fs::remove_dir_all(old_staging);
        }
    }

    /// Makes each sub-folder on the way to `rel` that is missing (check_targets refused links and
    /// files there), recording the ones it made; false when one could not be made.
    fn make_parents(&self, rel: &str, made: &mut Vec<PathBuf>) -> bool {
        let mut d = self.root.clone();
        let parts: Vec<_> = Path::new(rel).components().collect();
        for c in &parts[..parts.len().saturating_sub(1)] {
            d.push(c);
            if std::fs::symlink_metadata(&d).is_err() {
                if std::fs::create_dir(&d).is_err() {
                    return false;
                }
                made.push(d.clone());
            }
        }
        true
    }

    /// Where this run writes: the staging folder.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The files the earlier run's manifest lists.
    pub fn old_files(&self) -> &[String] {
        &self.old
    }

    /// Refuses when a destination (or a sub-folder on its way) is a symbolic link or not what it
    /// should be; run before the work (to fail fast) and again before the swap.
    pub fn check_targets<S: AsRef<str>>(&self, rels: &[S]) -> Result<()> {
        for rel in rels {
            let rel = rel.as_ref();
            let mut p = self.root.clone();
            let parts: Vec<_> = Path::new(rel).components().collect();
            for (i, c) in parts.iter().enumerate() {
                p.push(c);
                let Ok(m) = std::fs::symlink_metadata(&p) else { break };
                if m.file_type().is_symlink() {
                    return Err(link_refused(&p));
                }
                let last = i + 1 == parts.len();
                if last && m.is_dir() {
                    return Err(Error::Input(format!(
                        "{} is a folder where overstride writes a file: move it away or choose another --out",
                        p.display()
                    )));
                }
                if !last && !m.is_dir() {
                    return Err(Error::Input(format!(
                        "{} is a file where overstride writes a folder of results: move it away or choose another --out",
                        p.display()
                    )));
                }
            }
        }
        Ok(())
    }

    /// Refuses an input that is one of the files this run would replace or remove (`planned`:
    /// the outputs it may write; the earlier manifest's files count too). `keep` are spared.
    pub fn refuse_input<S: AsRef<str>>(&self, input: &Path, planned: &[S], keep: &[String]) -> Result<()> {
        let (Ok(input_c), Ok(root_c)) = (input.canonicalize(), self.root.canonicalize()) else { return Ok(()) };
        let rels = planned.iter().map(|s| s.as_ref().to_string()).chain(self.old.iter().cloned());
        for rel in rels {
            if keep.contains(&rel) {
                continue;
            }
            if root_c.join(&rel) == input_c {
                return Err(Error::Input(format!(
                    "the input {} is one of the results in --out {} that this run would replace: copy it out of that folder first, or choose another --out",
                    input.display(),
                    self.root.display()
                )));
            }
        }
        Ok(())
    }

    /// Swaps the staged files into place, removes the earlier run's files this run did not write
    /// (except `keep`), writes the new manifest and removes the staging folder. Returns the files'
    /// final paths (relative names).
    pub fn commit(mut self, keep: &[String]) -> Result<Vec<String>> {
        self.committed = true;
        let mut written = Vec::new();
        list_staged(&self.staging, "", &mut written).map_err(|e| out_err(&self.staging, e))?;
        written.sort();
        self.check_targets(&written[..])?;
        let mut listed: Vec<String> = self.old.iter().chain(written.iter()).cloned().collect();
        listed.sort();
        listed.dedup();
        // a crash part-way through leaves a manifest that covers both sets
        self.write_manifest(&listed)?;
        // the earlier outputs this run replaces are moved aside first, then the new ones in: a
        // rename failing part-way (a file made immutable, a folder made read-only) puts every file
        // back where it was, so the folder is never half this run's and half the earlier one's
        let aside = self.staging.join(ASIDE);
        let (mut moved_aside, mut moved_in): (Vec<&String>, Vec<&String>) = (Vec::new(), Vec::new());
        let mut made_dirs: Vec<PathBuf> = Vec::new();
        let swapped = (|| -> Result<()> {
            for rel in &written {
                let dest = self.root.join(rel);
                if std::fs::symlink_metadata(&dest).is_ok_and(|m| m.is_file()) {
                    let to = aside.join(rel);
                    if let Some(p) = to.parent() {
                        std::fs::create_dir_all(p).map_err(|e| out_err(p, e))?;
                    }
                    std::fs::rename(&dest, &to).map_err(|e| out_err(&dest, e))?;
                    moved_aside.push(rel);
                }
            }
            for rel in &written {
                let dest = self.root.join(rel);
                if !self.make_parents(rel, &mut made_dirs) {
                    return Err(out_err(&dest, "cannot make its folder"));
                }
                std::fs::rename(self.staging.join(rel), &dest).map_err(|e| out_err(&dest, e))?;
                moved_in.push(rel);
            }
            Ok(())
        })();
        if let Err(e) = swapped {
            for rel in moved_in.iter().rev() {
                let _ = std::fs::rename(self.root.join(rel), self.staging.join(rel));
            }
            for d in made_dirs.iter().rev() {
                let _ = std::fs::remove_dir(d); // only if empty
            }
            let mut stuck = false;
            for rel in moved_aside.iter().rev() {
                stuck |= std::fs::rename(aside.join(rel), self.root.join(rel)).is_err();
            }
            let _ = self.write_manifest(&self.old);
            if stuck {
                // never deleted: the next run in this folder puts them back
                self.keep_staging = true;
                return Err(Error::Output {
                    path: self.root.clone(),
                    why: format!(
                        "{e}; some of the earlier results could not be put back and are kept in {} (the next run in this folder restores them)",
                        aside.display()
                    ),
                });
            }
            return Err(e);
        }
        let mut now: Vec<String> = written.clone();
        for rel in &self.old {
            if written.contains(rel) {
                continue;
            }
            if keep.contains(rel) {
                now.push(rel.clone());
                continue;
            }
            self.remove_old(rel);
        }
        now.sort();
        now.dedup();
        self.write_manifest(&now)?;
        Ok(written)
    }

    /// Removes an earlier run's file: only a regular file, never through a link; then its
    /// sub-folder if that is left empty.
    fn remove_old(&self, rel: &str) {
        if self.check_targets(&[rel]).is_err() {
            return;
        }
        let p = self.root.join(rel);
        if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
            let _ = std::fs::remove_file(&p);
        }
        // then its sub-folders, innermost first, each only if left empty
        let mut parent = Path::new(rel).parent();
        while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
            if std::fs::remove_dir(self.root.join(p)).is_err() {
                break;
            }
            parent = p.parent();
        }
    }

    fn write_manifest(&self, files: &[String]) -> Result<()> {
        let m = Manifest { tool: format!("overstride {}", env!("CARGO_PKG_VERSION")), files: files.to_vec() };
        let text = serde_json::to_string_pretty(&m).map_err(|e| out_err(&self.root, e))?;
        let staged = self.staging.join(MANIFEST);
        let _ = std::fs::remove_file(&staged);
        write_atomic(&staged, text.as_bytes())?;
        let dest = self.root.join(MANIFEST);
        if is_symlink(&dest) {
            return Err(link_refused(&dest));
        }
        std::fs::rename(&staged, &dest).map_err(|e| out_err(&dest, e))
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        if !self.keep_staging {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        self.lock = None;
        if self.created && !self.committed {
            let _ = std::fs::remove_dir(&self.root); // only if empty
        }
    }
}

/// The staged files (not hidden ones: temporary files, the staged manifest), down to
/// [`MAX_DEPTH`] path components.
fn list_staged(dir: &Path, prefix: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || (prefix.is_empty() && name == MANIFEST) {
            continue;
        }
        let rel = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        let t = e.file_type()?;
        if t.is_dir() && Path::new(&rel).components().count() < MAX_DEPTH {
            list_staged(&e.path(), &rel, out)?;
        } else if t.is_file() {
            out.push(rel);
        }
    }
    Ok(())
}

fn read_manifest(root: &Path) -> Result<Vec<String>> {
    let path = root.join(MANIFEST);
    let f = match OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(link_refused(&path)),
        Err(e) => return Err(out_err(&path, e)),
    };
    let bad =
        |why: String| Error::Input(format!("{} is not an overstride manifest ({why}): remove it, or choose another --out", path.display()));
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        return Err(bad("not a regular file".into()));
    }
    let mut text = String::new();
    f.take(MAX_MANIFEST_BYTES).read_to_string(&mut text).map_err(|e| bad(e.to_string()))?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    Ok(m.files.into_iter().filter(|r| valid_rel(r)).collect())
}

mod atomic;
pub use atomic::{create_new, write_atomic, AtomicFile};

#[cfg(test)]
mod tests;
