//! Loading the largest corpus project (sentry, 57 services) through the whole pipeline:
//! read, parse, interpolate, merge, normalise, check, typed model.
//! Run: `cargo bench --bench load`. Skipped when `../shared/corpus` is absent.

use std::path::Path;

use compose2kube::compose::{LoadOptions, load};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench_load(c: &mut Criterion) {
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
    load(&opts).expect("sentry loads");
    c.bench_function("load sentry (57 services)", |b| {
        b.iter(|| load(&opts).expect("sentry loads"))
    });
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
