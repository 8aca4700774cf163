//! `convert --chart DIR`: every example writes its golden chart (`chart.golden/`), and for
//! every example and every corpus project the chart rendered with its default values gives
//! exactly the objects `convert` prints (Jobs also carry the two Helm hook annotations).
//! The chart is rendered by `support/helm.rs`, a renderer of the Go-template subset the
//! chart writer emits.

#[path = "support/helm.rs"]
mod helm;
mod support;

use std::fs;
use std::path::Path;

use serde_json::Value;

fn documents(text: &str) -> Vec<Value> {
    serde_saphyr::from_multiple::<Value>(text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .into_iter()
        .filter(|v| !v.is_null())
        .collect()
}

/// The chart's objects rendered with its default values, hook annotations removed.
fn rendered(files: &[(String, String)]) -> Vec<Value> {
    let text = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
            .unwrap_or_else(|| panic!("the chart has no {name}"))
    };
    let values = documents(text("values.yaml")).remove(0);
    let renderer = helm::Renderer::new(values, text("templates/_helpers.tpl"));
    let mut objects = Vec::new();
    for (name, template) in files {
        if !name.starts_with("templates/") || !name.ends_with(".yaml") {
            continue;
        }
        let out = renderer.render(template);
        for mut object in documents(&out) {
            let is_job = object.get("kind").and_then(Value::as_str) == Some("Job");
            assert!(
                !is_job
                    || object
                        .pointer("/metadata/annotations/helm.sh~1hook")
                        .is_some(),
                "{name}: a Job must be a Helm hook"
            );
            if let Some(annotations) = object
                .pointer_mut("/metadata/annotations")
                .and_then(Value::as_object_mut)
            {
                for (key, value) in compose2kube::output::chart::HOOK_ANNOTATIONS {
                    let removed = annotations.remove(key);
                    assert_eq!(
                        removed.is_some(),
                        is_job,
                        "{name}: hook annotations belong on Jobs only"
                    );
                    if let Some(v) = removed {
                        assert_eq!(v, value, "{name}");
                    }
                }
                if annotations.is_empty()
                    && let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut)
                {
                    meta.remove("annotations");
                }
            }
            objects.push(object);
        }
    }
    objects
}

/// Converts `dir` to a stream and to a chart; the chart rendered must equal the stream.
/// Gives the chart's files.
fn check_project(
    dir: &Path,
    args: &[String],
    env: &[(String, String)],
    options: &[&str],
) -> Result<Vec<(String, String)>, String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let target = tempfile::tempdir().unwrap();
    let chart = target.path().join("chart");
    let mut stream_args = args.to_vec();
    stream_args.push("convert".into());
    stream_args.extend(options.iter().map(|o| (*o).to_owned()));
    let stream = support::run_in(dir, &stream_args, env, None);
    if !stream.status.success() {
        return Err(format!(
            "{name}: convert failed: {}",
            String::from_utf8_lossy(&stream.stderr)
        ));
    }
    let mut chart_args = stream_args.clone();
    chart_args.extend(["--chart".into(), chart.display().to_string()]);
    let out = support::run_in(dir, &chart_args, env, None);
    if !out.status.success() || !out.stdout.is_empty() {
        return Err(format!(
            "{name}: --chart failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let expected = documents(&String::from_utf8_lossy(&stream.stdout));
    let files = support::tree(&chart);
    let actual = rendered(&files);
    if expected.len() != actual.len() {
        return Err(format!(
            "{name}: convert gives {} objects, the chart {}",
            expected.len(),
            actual.len()
        ));
    }
    // Helm orders objects by kind itself; the chart's files are in name order.
    let key = |v: &Value| format!("{}/{}", v["kind"], v["metadata"]["name"]);
    let mut actual = actual;
    actual.sort_by_key(key);
    let mut expected = expected;
    expected.sort_by_key(key);
    for (e, a) in expected.iter().zip(&actual) {
        if e != a {
            return Err(format!(
                "{name}: {} {} differs:\n  convert: {e}\n  chart:   {a}",
                e["kind"], e["metadata"]["name"]
            ));
        }
    }
    Ok(files)
}

#[test]
fn every_example_writes_its_golden_chart_which_renders_convert_s_objects() {
    let mut failures = Vec::new();
    for dir in support::case_dirs("examples") {
        match check_project(&dir, &[], &[], &[]) {
            Ok(chart) => failures.extend(support::check_tree(&dir.join("chart.golden"), &chart)),
            Err(e) => failures.push(e),
        }
        if let Err(e) = check_project(&dir, &[], &[], &["--secrets", "reference"]) {
            failures.push(format!("--secrets reference: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn wordpress() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/wordpress")
}

/// The wordpress example's chart, written with `options` into a temporary directory.
fn wordpress_chart(options: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = wordpress();
    let target = tempfile::tempdir().unwrap();
    let chart = target.path().join("chart");
    let mut args = vec!["convert".to_owned()];
    args.extend(options.iter().map(|o| (*o).to_owned()));
    args.extend(["--chart".into(), chart.display().to_string()]);
    let out = support::run_in(&dir, &args, &[], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (target, chart)
}

#[test]
fn every_corpus_chart_renders_convert_s_objects() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipping: {} not found", corpus.display());
        return;
    }
    let mut dirs: Vec<_> = fs::read_dir(&corpus)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    for dir in &dirs {
        let args: Vec<String> = match fs::read_to_string(dir.join("args")) {
            Ok(text) => text.split_whitespace().map(str::to_owned).collect(),
            Err(_) => vec!["-f".into(), "compose.yaml".into()],
        };
        let env = match dir.file_name().and_then(|n| n.to_str()) {
            Some("authentik") => vec![
                ("PG_PASS".to_owned(), "corpus-test".to_owned()),
                ("AUTHENTIK_SECRET_KEY".to_owned(), "corpus-test".to_owned()),
            ],
            _ => Vec::new(),
        };
        if let Err(e) = check_project(dir, &args, &env, &[]) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus charts differ:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

#[test]
fn check_sees_a_chart_drift_and_a_foreign_directory_is_refused() {
    let dir = wordpress();
    let target = tempfile::tempdir().unwrap();
    let chart = target.path().join("chart");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "convert".to_owned(),
            "--chart".into(),
            chart.display().to_string(),
        ];
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    };
    assert!(
        support::run_in(&dir, &args(&[]), &[], None)
            .status
            .success()
    );
    // compose2kube's own chart directory is rewritten without --force.
    let again = support::run_in(&dir, &args(&[]), &[], None);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let check = support::run_in(&dir, &args(&["--check"]), &[], None);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    fs::write(chart.join("values.yaml"), "services: {}\n").unwrap();
    let check = support::run_in(&dir, &args(&["--check"]), &[], None);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&check.stderr).contains("changed: values.yaml"),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let foreign = target.path().join("foreign");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("mine.txt"), "x").unwrap();
    let mut a = vec![
        "convert".to_owned(),
        "--chart".into(),
        foreign.display().to_string(),
    ];
    let refused = support::run_in(&dir, &a, &[], None);
    assert_eq!(refused.status.code(), Some(1));
    a.push("--force".into());
    assert!(support::run_in(&dir, &a, &[], None).status.success());
}

/// Under `--secrets reference` the chart renders no Secret by default, as convert prints
/// none; with `existingSecret: false` and values it creates the Secret the pods read.
#[test]
fn a_referenced_secret_is_created_on_request() {
    let (_target, chart) = wordpress_chart(&["--secrets", "reference"]);
    let mut values = documents(&fs::read_to_string(chart.join("values.yaml")).unwrap()).remove(0);
    let secret = &mut values["secrets"]["db-env"];
    assert_eq!(secret["existingSecret"], Value::Bool(true));
    assert_eq!(
        secret["values"]["MARIADB_PASSWORD"],
        Value::String(String::new())
    );
    secret["existingSecret"] = Value::Bool(false);
    secret["values"]["MARIADB_PASSWORD"] = Value::String("pw".into());
    let helpers = fs::read_to_string(chart.join("templates/_helpers.tpl")).unwrap();
    let template = fs::read_to_string(chart.join("templates/db-env-secret.yaml")).unwrap();
    let rendered = documents(&helm::Renderer::new(values, &helpers).render(&template));
    assert_eq!(rendered.len(), 1);
    assert_eq!(rendered[0]["kind"], "Secret");
    assert_eq!(rendered[0]["data"]["MARIADB_PASSWORD"], "cHc=");
    assert_eq!(
        rendered[0]["metadata"]["labels"]["app.kubernetes.io/part-of"],
        "blog"
    );
}

/// A `chart/*.hbs` in `--templates DIR` replaces the shipped one; the others stay; `-n`
/// does not reach the chart, whose namespace is the release's.
#[test]
fn a_template_directory_replaces_a_chart_template() {
    let templates = tempfile::tempdir().unwrap();
    fs::create_dir_all(templates.path().join("chart")).unwrap();
    fs::write(
        templates.path().join("chart/Chart.yaml.hbs"),
        "apiVersion: v2\nname: {{chart}}-custom\nversion: 1.2.3\nappVersion: \"{{appVersion}}\"\n",
    )
    .unwrap();
    let templates_dir = templates.path().display().to_string();
    let (_target, chart) = wordpress_chart(&["-n", "blog", "--templates", &templates_dir]);
    assert_eq!(
        fs::read_to_string(chart.join("Chart.yaml")).unwrap(),
        "apiVersion: v2\nname: blog-custom\nversion: 1.2.3\nappVersion: \"6.6-apache\"\n"
    );
    let files = support::tree(&chart);
    assert!(files.iter().any(|(n, _)| n == "values.yaml"));
    assert!(!files.iter().any(|(n, _)| n.contains("namespace")));
    assert!(
        files.iter().all(|(_, t)| !t.contains("namespace: blog")),
        "the chart must not pin a namespace"
    );
}
