//! `convert` on the largest corpus project (sentry, 57 services), end to end as the command
//! runs it: load, classify, build every object, render the YAML stream.
//! Run: `cargo bench --bench convert`. Skipped when `../shared/corpus` is absent.

use std::path::Path;

use compose2kube::compose::{LoadOptions, load};
use compose2kube::convert::convert;
use compose2kube::files::Disk;
use compose2kube::options::Options;
use compose2kube::output::stream::to_yaml_stream;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench_convert(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sentry");
    if !dir.join("compose.yaml").is_file() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let opts = LoadOptions {
        working_dir: dir.clone(),
        files: vec!["compose.yaml".into()],
        environment: std::env::vars().collect(),
        interpolate: true,
        ..LoadOptions::default()
    };
    let options = Options::default();
    let run = || {
        let loaded = load(&opts).expect("sentry loads");
        let conversion = convert(&loaded, &Disk, &options).expect("sentry converts");
        to_yaml_stream(&conversion.objects).expect("sentry renders")
    };
    run();
    c.bench_function("convert sentry (57 services)", |b| b.iter(run));
}

criterion_group!(benches, bench_convert);
criterion_main!(benches);
