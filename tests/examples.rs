//! Every project under `examples/` loads, converts and is explained, and each result matches
//! the reviewed goldens next to it: `config.golden.yaml` (the resolved project),
//! `manifests.golden.k8s.yaml` + `convert.stderr` (the manifests and the diagnostics) and
//! `explain.golden.txt` (what each service became) and `report.golden.md` (the migration
//! report).
//! Paths inside the example print as `<dir>`. `.ci/run` validates every `*.k8s.yaml`.

mod support;

#[test]
fn examples_load_and_match_their_goldens() {
    let dirs = support::case_dirs("examples");
    assert!(dirs.len() >= 6, "expected the six examples");
    let mut failures = Vec::new();
    for dir in dirs {
        let out = support::run_in(&dir, &["config".into()], &[], None);
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !out.status.success() {
            failures.push(format!("{name}: {}", String::from_utf8_lossy(&out.stderr)));
            continue;
        }
        let shown =
            String::from_utf8_lossy(&out.stdout).replace(&dir.display().to_string(), "<dir>");
        if let Err(e) = support::check_golden(&dir.join("config.golden.yaml"), &shown) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn examples_convert_to_their_golden_manifests() {
    let mut failures = Vec::new();
    for dir in support::case_dirs("examples") {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let out = support::run_in(&dir, &["convert".into()], &[], None);
        if !out.status.success() {
            failures.push(format!("{name}: {}", String::from_utf8_lossy(&out.stderr)));
            continue;
        }
        let root = dir.display().to_string();
        let manifests = String::from_utf8_lossy(&out.stdout).replace(&root, "<dir>");
        let stderr = String::from_utf8_lossy(&out.stderr).replace(&root, "<dir>");
        for (file, text) in [
            ("manifests.golden.k8s.yaml", manifests),
            ("convert.stderr", stderr),
        ] {
            if let Err(e) = support::check_golden(&dir.join(file), &text) {
                failures.push(e);
            }
        }
        // The same input gives the same bytes.
        let again = support::run_in(&dir, &["convert".into()], &[], None);
        if again.stdout != out.stdout {
            failures.push(format!("{name}: a second run gave different output"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn examples_explain_to_their_goldens() {
    let mut failures = Vec::new();
    for dir in support::case_dirs("examples") {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let out = support::run_in(&dir, &["explain".into(), "compose.yaml".into()], &[], None);
        if !out.status.success() {
            failures.push(format!("{name}: {}", String::from_utf8_lossy(&out.stderr)));
            continue;
        }
        let shown =
            String::from_utf8_lossy(&out.stdout).replace(&dir.display().to_string(), "<dir>");
        if let Err(e) = support::check_golden(&dir.join("explain.golden.txt"), &shown) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn examples_report_to_their_goldens() {
    let mut failures = Vec::new();
    for dir in support::case_dirs("examples") {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let args: Vec<String> = ["explain", "compose.yaml", "--format", "markdown"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let out = support::run_in(&dir, &args, &[], None);
        if !out.status.success() {
            failures.push(format!("{name}: {}", String::from_utf8_lossy(&out.stderr)));
            continue;
        }
        let shown =
            String::from_utf8_lossy(&out.stdout).replace(&dir.display().to_string(), "<dir>");
        if let Err(e) = support::check_golden(&dir.join("report.golden.md"), &shown) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
