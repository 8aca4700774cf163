//! The README's example is the real thing: its compose file, diagnostics and explanation are
//! the wordpress example's files byte for byte, and every excerpt of a golden file it shows
//! is a part of that file as it is (`# …` lines mark what the excerpt leaves out).

use std::path::Path;

const EXCERPT: &str = "<!-- excerpt of ";

#[test]
fn readme_example_matches_the_wordpress_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for file in ["compose.yaml", "convert.stderr", "explain.golden.txt"] {
        let text = std::fs::read_to_string(root.join("examples/wordpress").join(file)).unwrap();
        assert!(
            readme.contains(text.trim_end()),
            "README.md does not show examples/wordpress/{file} as it is"
        );
    }
}

#[test]
fn readme_excerpts_are_parts_of_their_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut excerpts = 0;
    for (at, _) in readme.match_indices(EXCERPT) {
        let rest = &readme[at + EXCERPT.len()..];
        let file = rest
            .split_once(" -->")
            .expect("an excerpt marker ends with -->")
            .0;
        let whole = std::fs::read_to_string(root.join(file))
            .unwrap_or_else(|e| panic!("README.md excerpts {file}, which cannot be read: {e}"));
        let block = rest
            .split_once("```yaml\n")
            .and_then(|(_, b)| b.split_once("\n```"))
            .expect("an excerpt marker is followed by a yaml block")
            .0;
        for piece in block.split("# …") {
            let piece = piece.trim_matches('\n');
            assert!(
                piece.is_empty() || whole.contains(piece),
                "README.md shows lines that are not in {file}:\n{piece}"
            );
        }
        excerpts += 1;
    }
    assert!(excerpts > 0, "README.md shows no excerpt of a golden file");
}

/// "Coming from kompose" names every label compose2kube reads or reports.
#[test]
fn readme_lists_every_known_label() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("## Coming from kompose")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a Coming from kompose section");
    let missing: Vec<&str> = compose2kube::classify::labels::LABELS
        .iter()
        .map(|l| l.name)
        .filter(|name| !section.contains(&format!("`{name}`")))
        .collect();
    assert!(missing.is_empty(), "not in the README's table: {missing:?}");
}
