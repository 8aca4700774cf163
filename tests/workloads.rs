//! Workloads built for every example (`examples/*/compose.yaml`), as multi-document YAML in
//! `tests/workloads/<example>.k8s.yaml`. These goldens are reviewed like the others, and
//! `.ci/run` passes every `*.k8s.yaml` through `../shared/tools/validate-manifests`.

mod support;

use std::path::Path;

use compose2kube::compose::{LoadOptions, load, render};
use compose2kube::{classify, workload};

#[test]
fn example_workloads_match_their_goldens() {
    let mut failures = Vec::new();
    for dir in support::case_dirs("examples") {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let loaded = load(&LoadOptions {
            working_dir: dir.clone(),
            interpolate: true,
            ..LoadOptions::default()
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let roles = classify::classify(&loaded.project).unwrap_or_else(|e| panic!("{name}: {e}"));
        let objects = workload::workloads(&loaded.project, &roles).unwrap();
        let mut text = String::new();
        for o in &objects {
            text.push_str("---\n");
            text.push_str(&render::to_yaml(&o.to_json()).unwrap());
        }
        for pdb in workload::disruption_budgets(&loaded.project, &objects) {
            text.push_str("---\n");
            text.push_str(&render::to_yaml(&pdb).unwrap());
        }
        let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/workloads")
            .join(format!("{name}.k8s.yaml"));
        if let Err(e) = support::check_golden(&golden, &text) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
