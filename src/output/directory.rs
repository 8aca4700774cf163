//! `convert -o DIR`: one file per object, `<name>-<kind>.yaml`, and a `kustomization.yaml`
//! listing them in apply order, so that `kubectl apply -k DIR` works; and `-o FILE` for the
//! stream in one file. Written atomically (DESIGN.md §5):
//!
//! - everything is written into a temporary directory beside DIR first; a failure there
//!   removes it and leaves DIR as it was;
//! - the new directory then takes DIR's place in one step (`renameat2` with
//!   `RENAME_EXCHANGE` on Linux); where the system cannot swap, the old directory is moved
//!   aside, the new one moved in, and the old one removed;
//! - a marker file, `.compose2kube`, lists the files compose2kube wrote. A DIR without the
//!   marker, or holding files the marker does not list, is somebody else's: it is refused
//!   unless `force`. Files written before and no longer produced disappear with the old
//!   directory;
//! - files holding Secrets are mode 0600, the others 0644.
//!
//! [`differences`] is the drift check (`--check`): what writing would change, without
//! writing.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::build::object::Object;
use crate::compose::{Error, render};

/// The marker a directory written by compose2kube holds.
pub const MARKER: &str = ".compose2kube";

/// One file of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub content: String,
    /// Holds Secret values: written with mode 0600.
    pub secret: bool,
}

/// The files of an output directory: one per object, the kustomization and the marker.
pub fn files(objects: &[Object]) -> Result<Vec<File>, Error> {
    let mut out = Vec::new();
    for object in objects {
        out.push(File {
            name: format!(
                "{}-{}.yaml",
                object.name(),
                object.kind().to_ascii_lowercase()
            ),
            content: render::to_yaml(object)?,
            secret: matches!(object, Object::Secret(_)),
        });
    }
    let mut kustomization = String::from(
        "# Written by compose2kube: kubectl apply -k <this directory>\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    for f in &out {
        kustomization.push_str(&format!("- {}\n", f.name));
    }
    out.push(File {
        name: "kustomization.yaml".into(),
        content: kustomization,
        secret: false,
    });
    Ok(marked(out))
}

/// The files and the marker that lists them: what makes a directory compose2kube's.
pub fn marked(mut files: Vec<File>) -> Vec<File> {
    let mut marker = String::from(
        "# compose2kube wrote this directory; it rewrites it whole and removes what it no longer produces.\n",
    );
    for f in &files {
        marker.push_str(&f.name);
        marker.push('\n');
    }
    files.push(File {
        name: MARKER.into(),
        content: marker,
        secret: false,
    });
    files
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::project(format!("cannot {what} {}: {e}", path.display()))
}

/// The files a directory compose2kube wrote says it holds; None for a directory that is not
/// one of its own.
fn marked_files(dir: &Path) -> Option<HashSet<String>> {
    let text = fs::read_to_string(dir.join(MARKER)).ok()?;
    Some(
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

/// The files under `dir`, as paths relative to it (`templates/web-deployment.yaml` in a
/// chart), sorted.
fn entries(dir: &Path) -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = pending.pop() {
        for entry in fs::read_dir(&path).map_err(|e| io_error("read", &path, &e))? {
            let entry = entry.map_err(|e| io_error("read", &path, &e))?;
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push((entry.path(), format!("{name}/")));
            } else {
                names.push(name);
            }
        }
    }
    names.sort();
    Ok(names)
}

/// Refuses a directory compose2kube did not write, or one holding files it did not write.
fn check_owned(dir: &Path) -> Result<(), Error> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(Error::project(format!(
            "-o {}: exists and is not a directory; name a directory, or a file ending in .yaml, .yml or .json",
            dir.display()
        )));
    }
    let present = entries(dir)?;
    let Some(ours) = marked_files(dir) else {
        if present.is_empty() {
            return Ok(());
        }
        return Err(Error::project(format!(
            "-o {}: compose2kube did not write this directory (it has no {MARKER}); refusing to replace it, pass --force to do so",
            dir.display()
        )));
    };
    let foreign: Vec<&String> = present
        .iter()
        .filter(|n| *n != MARKER && !ours.contains(n.as_str()))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = foreign.iter().take(5).map(|s| s.as_str()).collect();
    Err(Error::project(format!(
        "-o {}: holds files compose2kube did not write ({}{}); refusing to remove them, pass --force to do so",
        dir.display(),
        shown.join(", "),
        if foreign.len() > 5 { ", …" } else { "" }
    )))
}

/// Writes the files as the directory `dir`, atomically, as the module says.
pub fn write(dir: &Path, files: &[File], force: bool) -> Result<(), Error> {
    write_failing_after(dir, files, force, None)
}

/// [`write`], failing after `fail_after` files when set: how the tests interrupt a run.
fn write_failing_after(
    dir: &Path,
    files: &[File],
    force: bool,
    fail_after: Option<usize>,
) -> Result<(), Error> {
    if !force {
        check_owned(dir)?;
    }
    let staging = sibling(dir, "new");
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| io_error("remove", &staging, &e))?;
    }
    let written = fill(&staging, files, fail_after);
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    swap_in(&staging, dir)
}

/// `.<name>.compose2kube-<what>` beside `dir`: on the same file system, so renames are
/// atomic, and hidden.
fn sibling(dir: &Path, what: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    dir.with_file_name(format!(".{name}.compose2kube-{what}"))
}

fn fill(staging: &Path, files: &[File], fail_after: Option<usize>) -> Result<(), Error> {
    fs::create_dir_all(staging).map_err(|e| io_error("create", staging, &e))?;
    for (i, f) in files.iter().enumerate() {
        if fail_after == Some(i) {
            return Err(Error::project("interrupted (test)"));
        }
        let path = staging.join(&f.name);
        if let Some(parent) = path.parent().filter(|p| *p != staging) {
            fs::create_dir_all(parent).map_err(|e| io_error("create", parent, &e))?;
        }
        fs::write(&path, &f.content).map_err(|e| io_error("write", &path, &e))?;
        set_mode(&path, if f.secret { 0o600 } else { 0o644 })?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| io_error("set the mode of", path, &e))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> Result<(), Error> {
    Ok(())
}

/// Puts the staging directory in `dir`'s place and removes what was there.
fn swap_in(staging: &Path, dir: &Path) -> Result<(), Error> {
    if !dir.exists() {
        return fs::rename(staging, dir).map_err(|e| io_error("move into place", dir, &e));
    }
    if exchange(staging, dir) {
        // `staging` now holds the old directory.
        return fs::remove_dir_all(staging).map_err(|e| io_error("remove", staging, &e));
    }
    let old = sibling(dir, "old");
    if old.exists() {
        fs::remove_dir_all(&old).map_err(|e| io_error("remove", &old, &e))?;
    }
    fs::rename(dir, &old).map_err(|e| io_error("move aside", dir, &e))?;
    if let Err(e) = fs::rename(staging, dir) {
        // Put the old directory back: the run fails, the old output stays.
        let _ = fs::rename(&old, dir);
        return Err(io_error("move into place", dir, &e));
    }
    fs::remove_dir_all(&old).map_err(|e| io_error("remove", &old, &e))
}

/// Swaps two paths in one step where the system can.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}

/// Writes one file atomically: a temporary file beside it, renamed over it.
pub fn write_file(path: &Path, content: &str, secret: bool) -> Result<(), Error> {
    let staging = sibling(path, "new");
    fs::write(&staging, content).map_err(|e| io_error("write", &staging, &e))?;
    set_mode(&staging, if secret { 0o600 } else { 0o644 })?;
    fs::rename(&staging, path).map_err(|e| {
        let _ = fs::remove_file(&staging);
        io_error("move into place", path, &e)
    })
}

/// What writing `files` to `dir` would change, one line per file (`changed: x`,
/// `missing: y`, `extra: z`); empty when `dir` already holds exactly them.
pub fn differences(dir: &Path, files: &[File]) -> Result<Vec<String>, Error> {
    if !dir.is_dir() {
        return Ok(vec![format!(
            "missing: {} (no such directory)",
            dir.display()
        )]);
    }
    let mut out = Vec::new();
    let names: HashSet<&str> = files.iter().map(|f| f.name.as_str()).collect();
    for f in files {
        match fs::read_to_string(dir.join(&f.name)) {
            Ok(text) if text == f.content => {}
            Ok(_) => out.push(format!("changed: {}", f.name)),
            Err(_) => out.push(format!("missing: {}", f.name)),
        }
    }
    for name in entries(dir)? {
        if !names.contains(name.as_str()) {
            out.push(format!("extra: {name}"));
        }
    }
    Ok(out)
}

/// Whether the file at `path` already holds `content`: the drift check of `-o FILE`.
pub fn file_differences(path: &Path, content: &str) -> Vec<String> {
    match fs::read_to_string(path) {
        Ok(text) if text == content => Vec::new(),
        Ok(_) => vec![format!("changed: {}", path.display())],
        Err(_) => vec![format!("missing: {}", path.display())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, content: &str) -> File {
        File {
            name: name.into(),
            content: content.into(),
            secret: false,
        }
    }

    fn with_marker(mut files: Vec<File>) -> Vec<File> {
        let list: String = files.iter().map(|f| format!("{}\n", f.name)).collect();
        files.push(file(MARKER, &list));
        files
    }

    #[test]
    fn writes_replaces_and_removes_stale_files() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        write(
            &dir,
            &with_marker(vec![file("a.yaml", "a"), file("b.yaml", "b")]),
            false,
        )
        .unwrap();
        write(&dir, &with_marker(vec![file("a.yaml", "a2")]), false).unwrap();
        assert_eq!(entries(&dir).unwrap(), [MARKER, "a.yaml"]);
        assert_eq!(fs::read_to_string(dir.join("a.yaml")).unwrap(), "a2");
        // Nothing is left beside it.
        assert_eq!(beside(root.path()), ["out"]);
    }

    /// What a directory holds at its top level: the output and nothing left beside it.
    fn beside(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn nested_files_are_written_and_listed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("chart");
        let files = with_marker(vec![file("Chart.yaml", "c"), file("templates/a.yaml", "a")]);
        write(&dir, &files, false).unwrap();
        assert_eq!(
            entries(&dir).unwrap(),
            [MARKER, "Chart.yaml", "templates/a.yaml"]
        );
        assert_eq!(differences(&dir, &files).unwrap(), Vec::<String>::new());
        // A second run replaces it: the nested file counts as its own.
        write(&dir, &files, false).unwrap();
        assert_eq!(beside(root.path()), ["chart"]);
    }

    #[test]
    fn an_interrupted_write_leaves_the_old_directory_whole() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let old = with_marker(vec![file("a.yaml", "a"), file("b.yaml", "b")]);
        write(&dir, &old, false).unwrap();
        let new = with_marker(vec![file("a.yaml", "a2"), file("c.yaml", "c")]);
        assert!(write_failing_after(&dir, &new, false, Some(1)).is_err());
        assert_eq!(differences(&dir, &old).unwrap(), Vec::<String>::new());
        assert_eq!(beside(root.path()), ["out"]);
    }

    #[test]
    fn foreign_directories_are_refused_unless_forced() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        let files = with_marker(vec![file("a.yaml", "a")]);
        let e = write(&dir, &files, false).unwrap_err();
        assert!(e.message.contains("did not write this directory"), "{e}");
        assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
        // Ours, with a file added by hand.
        let other = root.path().join("ours");
        write(&other, &files, false).unwrap();
        fs::write(other.join("extra.yaml"), "x").unwrap();
        let e = write(&other, &files, false).unwrap_err();
        assert!(e.message.contains("extra.yaml"), "{e}");
        write(&dir, &files, true).unwrap();
        assert_eq!(entries(&dir).unwrap(), [MARKER, "a.yaml"]);
    }

    #[cfg(unix)]
    #[test]
    fn secrets_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let mut secret = file("s-secret.yaml", "s");
        secret.secret = true;
        write(&dir, &with_marker(vec![secret, file("a.yaml", "a")]), false).unwrap();
        let mode = |n: &str| fs::metadata(dir.join(n)).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode("s-secret.yaml"), mode("a.yaml")), (0o600, 0o644));
    }

    #[test]
    fn drift_is_listed_per_file() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let files = with_marker(vec![file("a.yaml", "a"), file("b.yaml", "b")]);
        write(&dir, &files, false).unwrap();
        assert!(differences(&dir, &files).unwrap().is_empty());
        let changed = with_marker(vec![file("a.yaml", "a2"), file("c.yaml", "c")]);
        assert_eq!(
            differences(&dir, &changed).unwrap(),
            [
                "changed: a.yaml",
                "missing: c.yaml",
                "changed: .compose2kube",
                "extra: b.yaml"
            ]
        );
    }
}
