//! What every fuzz target runs, shared with the stable replay test (`tests/fuzz_replay.rs`)
//! through `#[path]`: a compose text through every command the binary has, as the binary
//! runs them. An `Err` is a clean refusal; only a panic (or a hang) is a finding.

use compose2kube::compose::render::{Format, config};
use compose2kube::compose::{LoadOptions, load};
use compose2kube::convert::convert;
use compose2kube::files::Disk;
use compose2kube::options::{Controller, Options, Provenance, SecretsMode, VolumeType};
use compose2kube::output::{chart, directory, explain, report, stream};

/// The project directory the texts load in: empty, so that whatever a text names on disk
/// is missing or outside the project.
fn project_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("compose2kube-fuzz-project");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

pub fn run(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    for for_conversion in [false, true] {
        let options = LoadOptions {
            working_dir: project_dir(),
            files: vec!["-".into()],
            stdin: Some(text.to_owned()),
            interpolate: true,
            missing_required_is_warning: for_conversion,
            allow_outside_project: !for_conversion,
            ..LoadOptions::default()
        };
        let Ok(loaded) = load(&options) else {
            return;
        };
        if !for_conversion {
            let _ = config(&loaded, Format::Yaml);
            let _ = config(&loaded, Format::Json);
            continue;
        }
        // The default translation, then Secrets by reference with kompose's flags on
        // (--controller, --replicas, provenance, -n, --volumes, --service-group-mode volume).
        for kompose_flags in [false, true] {
            let options = if kompose_flags {
                Options {
                    secrets: SecretsMode::Reference,
                    controller: Some(Controller::StatefulSet),
                    replicas: Some(2),
                    provenance: Some(Provenance::default()),
                    namespace: Some("fuzz".into()),
                    volumes: VolumeType::ConfigMap,
                    group_by_volumes: true,
                    ..Options::default()
                }
            } else {
                Options::default()
            };
            let Ok(conversion) = convert(&loaded, &Disk, &options) else {
                return;
            };
            let _ = stream::to_yaml_stream(&conversion.objects);
            let _ = stream::to_json_list(&conversion.objects);
            let _ = directory::files(&conversion.objects);
            let _ = chart::files(&loaded, &conversion, None);
            let reports = explain::explain(&conversion);
            let _ = explain::explain_table(&reports);
            let _ = report::render(&loaded, &conversion, &conversion.diagnostics, None, None);
        }
    }
}
