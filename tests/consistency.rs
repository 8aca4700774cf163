//! The consistency check (see `support/consistency.rs`) over the output of every example,
//! every convert golden case, and every corpus project when `../shared/corpus` exists.

mod support;

#[path = "support/consistency.rs"]
mod consistency;

use std::path::Path;

fn check_dir(
    dir: &Path,
    args: &[String],
    env: &[(String, String)],
    must_convert: bool,
    failures: &mut Vec<String>,
) {
    let mut args = args.to_vec();
    args.extend(["--format".to_owned(), "json".to_owned()]);
    let out = support::run_in(dir, &args, env, None);
    let name = dir.display().to_string();
    if !out.status.success() {
        // Golden cases that are meant to fail are checked by their own tests.
        if must_convert {
            failures.push(format!("{name}: {}", String::from_utf8_lossy(&out.stderr)));
        }
        return;
    }
    let list: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(e) => {
            failures.push(format!("{name}: output is not JSON: {e}"));
            return;
        }
    };
    for e in consistency::check(&list, &String::from_utf8_lossy(&out.stderr)) {
        failures.push(format!("{name}: {e}"));
    }
}

#[test]
fn examples_and_golden_cases_are_consistent() {
    let mut failures = Vec::new();
    for dir in support::case_dirs("examples") {
        check_dir(&dir, &["convert".into()], &[], true, &mut failures);
    }
    for dir in support::case_dirs("tests/convert") {
        let (args, env) = support::case_args(&dir, &["convert"]);
        if args.first().is_some_and(|a| a == "convert") && !args.iter().any(|a| a == "--format") {
            check_dir(&dir, &args, &env, false, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn corpus_conversions_are_consistent() {
    let Some(dirs) = support::corpus_dirs() else {
        return;
    };
    let mut failures = Vec::new();
    for dir in dirs {
        let args = support::corpus_args(&dir);
        check_dir(&dir, &args, &[], true, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
