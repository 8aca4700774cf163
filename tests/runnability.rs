//! The runnability check (see `support/runnability.rs`) over the output of every example,
//! every convert golden case, and every corpus project when `../shared/corpus` exists. Each
//! finding is reported as `project: object: what`; the count is printed (`.ci/run` shows it).

mod support;

#[path = "support/runnability.rs"]
mod runnability;

use std::path::{Path, PathBuf};

use compose2kube::compose::{LoadOptions, load};

/// The project as `convert` loads it with these arguments: its files, profiles and name.
fn load_like(
    dir: &Path,
    args: &[String],
    env: &[(String, String)],
) -> Option<compose2kube::compose::Loaded> {
    let mut options = LoadOptions {
        working_dir: dir.to_path_buf(),
        interpolate: true,
        missing_required_is_warning: true,
        environment: env.iter().cloned().collect(),
        ..LoadOptions::default()
    };
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "-f" | "--file" => options.files.extend(rest.next().cloned()),
            "--profile" => options.profiles.extend(rest.next().cloned()),
            "-p" | "--project-name" => options.project_name = rest.next().cloned(),
            "-n"
            | "--namespace"
            | "--expose-published"
            | "--secrets"
            | "--format"
            | "--ingress-host"
            | "--ingress-class"
            | "--default-volume-size"
            | "--storage-class"
            | "--bind-mounts"
            | "--wait-image" => {
                rest.next();
            }
            a if a.ends_with(".yaml") || a.ends_with(".yml") => options.files.push(a.to_owned()),
            _ => {}
        }
    }
    load(&options).ok()
}

/// Findings for one project, each as `project: object: what`.
fn check_dir(label: &str, dir: &Path, args: &[String], env: &[(String, String)]) -> Vec<String> {
    let mut run = args.to_vec();
    run.extend(["--format".to_owned(), "json".to_owned()]);
    let out = support::run_in(dir, &run, env, None);
    if !out.status.success() {
        // Conversions meant to fail are checked by their own tests.
        return Vec::new();
    }
    let Ok(list) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
        return vec![format!("{label}: output is not JSON")];
    };
    let Some(loaded) = load_like(dir, args, env) else {
        return vec![format!(
            "{label}: the project does not load as convert loaded it"
        )];
    };
    runnability::check(&loaded, &list, &String::from_utf8_lossy(&out.stderr))
        .into_iter()
        .map(|f| format!("{label}: {f}"))
        .collect()
}

/// A project to check: its label, directory, `convert` arguments and environment.
type Case = (String, PathBuf, Vec<String>, Vec<(String, String)>);

fn projects() -> Vec<Case> {
    let mut out = Vec::new();
    for dir in support::case_dirs("examples") {
        let label = format!("examples/{}", dir.file_name().unwrap().to_string_lossy());
        out.push((label, dir, vec!["convert".to_owned()], Vec::new()));
    }
    for dir in support::case_dirs("tests/convert") {
        let (args, env) = support::case_args(&dir, &["convert"]);
        if args.first().is_some_and(|a| a == "convert") && !args.iter().any(|a| a == "--format") {
            let label = format!(
                "tests/convert/{}",
                dir.file_name().unwrap().to_string_lossy()
            );
            out.push((label, dir, args, env));
        }
    }
    for dir in support::corpus_dirs().unwrap_or_default() {
        let label = format!("corpus/{}", dir.file_name().unwrap().to_string_lossy());
        let args = support::corpus_args(&dir);
        out.push((label, dir, args, Vec::new()));
    }
    out
}

#[test]
fn converted_projects_can_come_up() {
    let projects = projects();
    let mut findings = Vec::new();
    for (label, dir, args, env) in &projects {
        findings.extend(check_dir(label, dir, args, env));
    }
    println!(
        "runnability: {} findings over {} projects",
        findings.len(),
        projects.len()
    );
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}
