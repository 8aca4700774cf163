//! Helpers for the unit tests of every stage.

use crate::compose::model::Project;

/// The project of a compose file given as text, loaded from a temporary directory.
pub fn project(yaml: &str) -> Project {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("compose.yaml"), yaml).expect("write compose.yaml");
    crate::compose::load(&crate::compose::LoadOptions {
        working_dir: dir.path().to_path_buf(),
        ..Default::default()
    })
    .expect("the test project loads")
    .project
}
