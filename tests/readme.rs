//! The README's example is the real thing: its compose file and manifests are the
//! wordpress example's files, byte for byte.

#[test]
fn readme_example_matches_the_wordpress_example() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for file in [
        "compose.yaml",
        "manifests.golden.k8s.yaml",
        "convert.stderr",
    ] {
        let text = std::fs::read_to_string(root.join("examples/wordpress").join(file)).unwrap();
        assert!(
            readme.contains(text.trim_end()),
            "README.md does not show examples/wordpress/{file} as it is"
        );
    }
}
