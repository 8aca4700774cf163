//! Shared helpers for the integration tests: run the real binary in a fixture directory and
//! compare with golden files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test; `COMPOSE2KUBE_BIN` points the checks at another build (to
/// measure an older release with the same checks).
pub fn bin() -> String {
    std::env::var("COMPOSE2KUBE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_compose2kube").to_owned())
}

/// Runs compose2kube in `dir` with a clean, fixed environment so results do not depend on
/// the machine (only PATH and HOME, plus what the case asks for).
pub fn run_in(
    dir: &Path,
    args: &[String],
    env: &[(String, String)],
    stdin: Option<&[u8]>,
) -> Output {
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", "/home/user")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn compose2kube");
    if let Some(input) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin");
        // A large input may be refused before it is read whole; a broken pipe is fine then.
        let _ = pipe.write_all(input);
    }
    child.wait_with_output().expect("wait for compose2kube")
}

/// Reads `args` (one argument per line) and `env` (KEY=VALUE lines) files of a case.
pub fn case_args(dir: &Path, default: &[&str]) -> (Vec<String>, Vec<(String, String)>) {
    let args = match std::fs::read_to_string(dir.join("args")) {
        Ok(text) => text
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        Err(_) => default.iter().map(|s| (*s).to_owned()).collect(),
    };
    let env = std::fs::read_to_string(dir.join("env"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    (args, env)
}

pub fn case_dirs(root: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("read {}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Golden comparison. `UPDATE_GOLDEN=1` rewrites the file instead, except under CI, where a
/// golden must never be overwritten.
pub fn check_golden(path: &Path, actual: &str) -> Result<(), String> {
    if updating() {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create the golden's directory");
        }
        std::fs::write(path, actual).expect("write golden");
        return Ok(());
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        Ok(())
    } else {
        Err(format!(
            "{} differs (UPDATE_GOLDEN=1 cargo test to accept, then review the diff)\n{}",
            path.display(),
            diff(&expected, actual)
        ))
    }
}

fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => {}
            (x, y) => {
                out.push_str(&format!(
                    "line {}:\n- {}\n+ {}\n",
                    i + 1,
                    x.unwrap_or(&"<none>"),
                    y.unwrap_or(&"<none>")
                ));
                if out.len() > 4000 {
                    break;
                }
            }
        }
    }
    out
}

/// The projects of `../shared/corpus` with a `compose.yaml`, sorted; None when the corpus is
/// not there (a clone without `shared/`).
pub fn corpus_dirs() -> Option<Vec<PathBuf>> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipping the corpus: {} not found", corpus.display());
        return None;
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("compose.yaml").is_file())
        .collect();
    dirs.sort();
    Some(dirs)
}

/// `convert` and the arguments a corpus project needs: its `args` file, else its
/// `compose.yaml`.
pub fn corpus_args(dir: &Path) -> Vec<String> {
    match std::fs::read_to_string(dir.join("args")) {
        Ok(text) => std::iter::once("convert".to_owned())
            .chain(text.split_whitespace().map(str::to_owned))
            .collect(),
        Err(_) => vec![
            "convert".to_owned(),
            "-f".to_owned(),
            "compose.yaml".to_owned(),
        ],
    }
}

/// `UPDATE_GOLDEN=1`, and not under CI, which never rewrites goldens.
fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some() && std::env::var_os("CI").is_none()
}

/// Every file under `dir`, by its path relative to it (`templates/a.yaml`), with its text,
/// sorted.
pub fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = pending.pop() {
        for entry in std::fs::read_dir(&path).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                pending.push((entry.path(), format!("{name}/")));
            } else {
                out.push((name, std::fs::read_to_string(entry.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Compares written files (a [`tree`]) with a golden directory, file by file and by the
/// list of names; `UPDATE_GOLDEN=1` replaces the golden directory.
pub fn check_tree(golden: &Path, written: &[(String, String)]) -> Vec<String> {
    if updating() {
        let _ = std::fs::remove_dir_all(golden);
    }
    let mut failures: Vec<String> = written
        .iter()
        .filter_map(|(name, text)| check_golden(&golden.join(name), text).err())
        .collect();
    let names = |t: &[(String, String)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    if golden.is_dir() && names(&tree(golden)) != names(written) {
        failures.push(format!(
            "{}: the golden tree has {:?}, the output {:?}",
            golden.display(),
            names(&tree(golden)),
            names(written)
        ));
    }
    failures
}
