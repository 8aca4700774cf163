//! `convert -o`: the directory of every example matches its reviewed golden tree file by
//! file (`out.golden/`), its kustomization lists every manifest once, a second run writes the
//! same bytes, `--check` passes right after and fails after a compose change, a directory
//! compose2kube did not write is refused, and `-o FILE` writes the stream.

mod support;

use std::fs;
use std::path::Path;

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    support::run_in(dir, &args, &[], None)
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_example_writes_its_golden_tree() {
    let mut failures = Vec::new();
    for dir in support::case_dirs("examples") {
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("manifests");
        let target_arg = target.to_string_lossy().into_owned();
        let result = run(&dir, &["convert", "-o", &target_arg]);
        if !result.status.success() {
            failures.push(format!(
                "{}: {}",
                dir.display(),
                String::from_utf8_lossy(&result.stderr)
            ));
            continue;
        }
        assert!(result.stdout.is_empty(), "-o prints nothing on stdout");
        failures.extend(support::check_tree(
            &dir.join("out.golden"),
            &support::tree(&target),
        ));
        // The kustomization lists every manifest exactly once.
        let kustomization = fs::read_to_string(target.join("kustomization.yaml")).unwrap();
        let listed: Vec<&str> = kustomization
            .lines()
            .filter_map(|l| l.strip_prefix("- "))
            .collect();
        let manifests: Vec<String> = listing(&target)
            .into_iter()
            .filter(|n| n != "kustomization.yaml" && n != ".compose2kube")
            .collect();
        let mut sorted = listed.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != listed.len() || sorted != manifests {
            failures.push(format!("{}: kustomization lists {listed:?}", dir.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rewriting_gives_the_same_bytes_and_check_sees_drift() {
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("app");
    fs::create_dir(&project).unwrap();
    fs::write(
        project.join("compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n",
    )
    .unwrap();
    let first = run(&project, &["convert", "-o", "out"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = support::tree(&project.join("out"));
    assert!(run(&project, &["convert", "-o", "out"]).status.success());
    let after = support::tree(&project.join("out"));
    assert_eq!(before, after);
    let check = run(&project, &["convert", "-o", "out", "--check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    fs::write(
        project.join("compose.yaml"),
        "services:\n  web:\n    image: nginx:1.28\n    ports: ['8080:80']\n",
    )
    .unwrap();
    let check = run(&project, &["convert", "-o", "out", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(stderr.contains("changed: web-deployment.yaml"), "{stderr}");
    // --check wrote nothing.
    assert!(
        fs::read_to_string(project.join("out/web-deployment.yaml"))
            .unwrap()
            .contains("nginx:1.27")
    );
}

#[test]
fn a_directory_compose2kube_did_not_write_is_refused() {
    let work = tempfile::tempdir().unwrap();
    fs::write(
        work.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx\n",
    )
    .unwrap();
    fs::create_dir(work.path().join("out")).unwrap();
    fs::write(work.path().join("out/README.md"), "my notes").unwrap();
    let refused = run(work.path(), &["convert", "-o", "out"]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("did not write this directory"), "{stderr}");
    assert_eq!(listing(&work.path().join("out")), ["README.md"]);
    assert!(
        run(work.path(), &["convert", "-o", "out", "--force"])
            .status
            .success()
    );
    assert!(listing(&work.path().join("out")).contains(&"web-deployment.yaml".to_owned()));
}

#[test]
fn one_file_takes_the_stream() {
    let work = tempfile::tempdir().unwrap();
    fs::write(
        work.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx\n",
    )
    .unwrap();
    assert!(
        run(work.path(), &["convert", "-o", "all.yaml"])
            .status
            .success()
    );
    let stream = run(work.path(), &["convert"]);
    assert_eq!(
        fs::read(work.path().join("all.yaml")).unwrap(),
        stream.stdout
    );
    assert!(
        run(work.path(), &["convert", "-o", "all.json"])
            .status
            .success()
    );
    let json = fs::read_to_string(work.path().join("all.json")).unwrap();
    assert!(json.contains("\"kind\": \"List\""));
    let check = run(work.path(), &["convert", "-o", "all.yaml", "--check"]);
    assert_eq!(check.status.code(), Some(0));
}

#[test]
fn the_report_file_is_the_markdown_explanation() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/wordpress");
    let work = tempfile::tempdir().unwrap();
    let report = work.path().join("report.md");
    let report_arg = report.to_string_lossy().into_owned();
    let out = run(&dir, &["convert", "compose.yaml", "--report", &report_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.is_empty(), "the manifests still go to stdout");
    let explained = run(&dir, &["explain", "compose.yaml", "--format", "markdown"]);
    assert_eq!(fs::read(&report).unwrap(), explained.stdout);
}

#[test]
fn a_template_directory_replaces_the_report_template() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/wordpress");
    let templates = tempfile::tempdir().unwrap();
    fs::write(
        templates.path().join("report.md.hbs"),
        "{{project}}:{{#each services}} {{service}}={{role}}{{/each}}\n",
    )
    .unwrap();
    let templates_arg = templates.path().to_string_lossy().into_owned();
    let out = run(
        &dir,
        &[
            "explain",
            "compose.yaml",
            "--format",
            "markdown",
            "--templates",
            &templates_arg,
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "blog: wordpress=Deployment db=StatefulSet\n"
    );
}
