//! Golden tests for `compose2kube config`: every directory under `tests/config/` is a compose
//! project; its `args` file (one argument per line, default `config`) and `env` file set up the
//! run, and `expected.yaml` (or `expected.json`) is the reviewed output. Paths inside the
//! project print as `<dir>` so goldens do not depend on where the repository lives.

mod support;

#[test]
fn config_goldens() {
    let mut failures = Vec::new();
    let dirs = support::case_dirs("tests/config");
    assert!(dirs.len() >= 10, "expected the config golden cases");
    for dir in dirs {
        let (args, env) = support::case_args(&dir, &["config"]);
        // A `workdir` file runs the case from a subdirectory (file discovery goes upwards).
        let workdir = match std::fs::read_to_string(dir.join("workdir")) {
            Ok(sub) => dir.join(sub.trim()),
            Err(_) => dir.clone(),
        };
        let out = support::run_in(&workdir, &args, &env, None);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !out.status.success() {
            failures.push(format!("{name}: exit {:?}\n{stderr}", out.status.code()));
            continue;
        }
        let root = dir.display().to_string();
        let shown = stdout.replace(&root, "<dir>");
        let golden = if args.iter().any(|a| a == "json") {
            "expected.json"
        } else {
            "expected.yaml"
        };
        if let Err(e) = support::check_golden(&dir.join(golden), &shown) {
            failures.push(e);
        }
        let warnings = stderr.replace(&root, "<dir>");
        if let Err(e) = support::check_golden(&dir.join("expected.stderr"), &warnings) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
