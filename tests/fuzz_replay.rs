//! Replays the saved fuzz corpus and every finding (`fuzz/corpus/*`, `fuzz/artifacts/*`)
//! through the fuzz targets' own harness on stable Rust, so that CI guards what fuzzing
//! found without nightly: each input must be refused or converted, never panic.

#[path = "../fuzz/harness.rs"]
mod harness;
#[path = "../fuzz/structured.rs"]
mod structured;

use std::path::Path;

fn inputs(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(target: &str, run: impl Fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["corpus", "artifacts"] {
        for file in inputs(&root.join(dir).join(target)) {
            let bytes = std::fs::read(&file).unwrap();
            eprintln!("{}", file.display());
            run(&bytes);
            n += 1;
        }
    }
    n
}

#[test]
fn text_corpus_and_findings_replay_cleanly() {
    let n = replay("compose_text", harness::run);
    assert!(
        n >= 100,
        "the saved corpus of compose_text has only {n} inputs"
    );
}

#[test]
fn structured_corpus_and_findings_replay_cleanly() {
    let n = replay("compose_structured", |bytes| {
        if let Some(text) = structured::text(bytes) {
            harness::run(text.as_bytes());
        }
    });
    assert!(
        n >= 100,
        "the saved corpus of compose_structured has only {n} inputs"
    );
}
