//! Golden tests for `compose2kube convert` and `explain`, one rule per case: every directory
//! under `tests/convert/` is a compose project; its `args` file (one argument per line,
//! default `convert`) and `env` file set up the run. A successful run is compared with
//! `expected.k8s.yaml` (or `expected.txt` for `explain` and other non-manifest output) and
//! `expected.stderr`; a failing one with `expected.error` (exit 1, nothing on stdout).
//! `.ci/run` validates every `*.k8s.yaml` against the Kubernetes schemas.

mod support;

#[test]
fn convert_goldens() {
    let mut failures = Vec::new();
    let dirs = support::case_dirs("tests/convert");
    assert!(dirs.len() >= 5, "expected the convert golden cases");
    for dir in dirs {
        let (args, env) = support::case_args(&dir, &["convert"]);
        let out = support::run_in(&dir, &args, &env, None);
        let root = dir.display().to_string();
        let stdout = String::from_utf8_lossy(&out.stdout).replace(&root, "<dir>");
        let stderr = String::from_utf8_lossy(&out.stderr).replace(&root, "<dir>");
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let checks: Vec<(&str, String)> = if dir.join("expected.error").exists() {
            if out.status.code() != Some(1) || !stdout.is_empty() {
                failures.push(format!(
                    "{name}: expected exit 1 and no output, got {:?}",
                    out.status.code()
                ));
            }
            vec![("expected.error", stderr)]
        } else {
            if !out.status.success() {
                failures.push(format!("{name}: exit {:?}\n{stderr}", out.status.code()));
                continue;
            }
            let golden = if args.first().is_some_and(|a| a == "convert")
                && !args
                    .iter()
                    .any(|a| ["json", "-j", "--json"].contains(&a.as_str()))
            {
                "expected.k8s.yaml"
            } else {
                "expected.txt"
            };
            vec![(golden, stdout), ("expected.stderr", stderr)]
        };
        for (file, text) in checks {
            if let Err(e) = support::check_golden(&dir.join(file), &text) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A project file over 1 MiB cannot become a ConfigMap: an error naming the mount, generated
/// here rather than stored in the repository.
#[test]
fn a_config_file_over_one_mebibyte_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  db:\n    image: postgres:16\n    volumes: ['./dump.sql:/docker-entrypoint-initdb.d/dump.sql:ro']\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("dump.sql"), vec![b'-'; 1024 * 1024 + 1]).unwrap();
    let out = support::run_in(dir.path(), &["convert".into()], &[], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: ")
            && stderr.contains("services.db.volumes[0]")
            && stderr.contains("at most 1 MiB"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
