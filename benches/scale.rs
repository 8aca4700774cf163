//! How `config`, `convert` and `explain` grow with the size of a project, beside the floor
//! any YAML-to-YAML tool pays: parsing the input into a generic value and emitting as many
//! bytes as `convert` writes.
//!
//! The projects are generated here, shaped like real ones: per group of five services a
//! database with a named volume and a healthcheck, a cache, an app reaching both through
//! URLs in its environment and waiting for the database to be healthy, a worker and a web
//! front end that depend on the app.
//!
//! Run: `cargo bench --bench scale` (about four minutes; the 10,000-service cases take a
//! second or more per iteration). Each case reads the compose text from memory (`-f -`), so
//! the disk plays no part.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use compose2kube::compose::render::{self, Format};
use compose2kube::compose::{LoadOptions, Loaded, load};
use compose2kube::convert::{Conversion, convert};
use compose2kube::files::Disk;
use compose2kube::options::Options;
use compose2kube::output::explain::{explain, explain_table};
use compose2kube::output::stream::to_yaml_stream;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// The allocator the binary uses, so that the figures are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [usize; 3] = [100, 1_000, 10_000];

/// A project of `services` services (a multiple of five).
fn project(services: usize) -> String {
    let mut out = String::from("name: scale\nservices:\n");
    let groups = services / 5;
    for g in 0..groups {
        let _ = write!(
            out,
            r#"  db{g}:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: example
    volumes:
      - db{g}-data:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 10s
  cache{g}:
    image: redis:7
  app{g}:
    image: example/app:1.0
    environment:
      DATABASE_URL: postgres://postgres:example@db{g}:5432/app
      REDIS_URL: redis://cache{g}:6379/0
    ports:
      - "8080"
    depends_on:
      db{g}:
        condition: service_healthy
      cache{g}:
        condition: service_started
  worker{g}:
    image: example/app:1.0
    command: ["worker", "--broker", "redis://cache{g}:6379"]
    depends_on:
      - app{g}
  web{g}:
    image: nginx:1.27
    ports:
      - "80"
    environment:
      UPSTREAM: http://app{g}:8080
    depends_on:
      - app{g}
"#
        );
    }
    out.push_str("volumes:\n");
    for g in 0..groups {
        let _ = writeln!(out, "  db{g}-data: {{}}");
    }
    out
}

fn load_text(text: &str) -> Loaded {
    let options = LoadOptions {
        working_dir: std::env::temp_dir(),
        files: vec!["-".into()],
        stdin: Some(text.to_owned()),
        interpolate: true,
        missing_required_is_warning: true,
        ..LoadOptions::default()
    };
    load(&options).expect("the generated project loads")
}

/// What `convert` makes, returned whole: the command leaves it to the end of the process
/// instead of freeing it (see `leave_to_exit` in src/main.rs), so the benchmarks free it
/// outside the measured time (`iter_with_large_drop`).
fn convert_text(text: &str) -> (Loaded, Conversion, String) {
    let loaded = load_text(text);
    let conversion = convert(&loaded, &Disk, &Options::default()).expect("it converts");
    let output = to_yaml_stream(&conversion.objects).expect("it renders");
    (loaded, conversion, output)
}

/// Parse into a generic value, then emit it as often as it takes to write `bytes` bytes.
/// The value is returned, to be freed outside the measured time as convert's project is.
fn floor(text: &str, bytes: usize) -> (serde_json::Value, usize) {
    let value: serde_json::Value = serde_saphyr::from_str(text).expect("generic parse");
    let mut written = 0;
    while written < bytes {
        written += serde_saphyr::to_string(&value).expect("generic emit").len();
    }
    (value, written)
}

fn bench_scale(c: &mut Criterion) {
    compose2kube::allocator::keep_freed_pages();
    let mut group = c.benchmark_group("scale");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    for services in SIZES {
        let text = project(services);
        let out_bytes = convert_text(&text).2.len();
        group.throughput(Throughput::Elements(services as u64));
        group.bench_with_input(BenchmarkId::new("config", services), &text, |b, t| {
            b.iter_with_large_drop(|| {
                let loaded = load_text(t);
                let output = render::config(&loaded, Format::Yaml).expect("config renders");
                (loaded, output)
            })
        });
        group.bench_with_input(BenchmarkId::new("convert", services), &text, |b, t| {
            b.iter_with_large_drop(|| convert_text(t))
        });
        group.bench_with_input(BenchmarkId::new("explain", services), &text, |b, t| {
            b.iter_with_large_drop(|| {
                let loaded = load_text(t);
                let conversion = convert(&loaded, &Disk, &Options::default()).expect("converts");
                let table = explain_table(&explain(&conversion));
                (loaded, conversion, table)
            })
        });
        group.bench_with_input(
            BenchmarkId::new("parse+emit floor", services),
            &text,
            |b, t| b.iter_with_large_drop(|| floor(black_box(t), out_bytes)),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_scale);
criterion_main!(benches);
