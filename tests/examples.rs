//! Every project under `examples/` loads, and its resolved form matches the reviewed
//! `config.golden.yaml` next to it (paths inside the example print as `<dir>`).

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
