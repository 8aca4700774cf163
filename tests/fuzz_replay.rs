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

/// Runs every input on a thread with the 8 MiB stack of a main thread, where the binary and
/// libFuzzer run them: a test thread has 2 MiB, which a debug build's parser frames exhaust
/// on inputs nested a few dozen levels deep that the release binary handles.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let files: Vec<_> = ["corpus", "artifacts"]
        .iter()
        .flat_map(|dir| inputs(&root.join(dir).join(target)))
        .collect();
    let n = files.len();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            for file in files {
                let bytes = std::fs::read(&file).unwrap();
                eprintln!("{}", file.display());
                run(&bytes);
            }
        })
        .unwrap()
        .join()
        .expect("an input panicked (its path is the last one printed)");
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
