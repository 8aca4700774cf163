//! Names and labels every builder shares: compose names made Kubernetes names, the
//! recommended labels and the immutable selector, and the escaping of `$(`.
//!
//! Kept apart from the builders so that none of them has to import another for a name.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use crate::compose::model::Project;

/// Two compose names that sanitise to one Kubernetes name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCollision {
    pub first: String,
    pub second: String,
    pub name: String,
}

impl std::fmt::Display for NameCollision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "services {} and {} both become the Kubernetes name \"{}\": rename one of them",
            self.first, self.second, self.name
        )
    }
}

/// A compose name as an RFC 1123 label: lower case, `_` and `.` as `-`, other characters
/// dropped, no leading or trailing `-`, at most 63 characters.
pub fn sanitize_name(name: &str) -> String {
    let mapped: String = name
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '-' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            '_' | '.' => Some('-'),
            _ => None,
        })
        .collect();
    let mut out: String = mapped.trim_matches('-').chars().take(63).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "service".into()
    } else {
        out
    }
}

/// Selector labels: name and part-of only, because selectors are immutable.
pub fn selector(project: &Project, name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_owned(), name.to_owned()),
        (
            "app.kubernetes.io/part-of".to_owned(),
            sanitize_name(&project.name),
        ),
    ])
}

pub fn labels(project: &Project, name: &str) -> BTreeMap<String, String> {
    let mut l = selector(project, name);
    l.insert("app.kubernetes.io/managed-by".into(), "compose2kube".into());
    l
}

/// Kubernetes expands `$(VAR)` in command, args and env values; compose already consumed its
/// own `$`, so what is left is meant literally.
pub fn escape(s: &str) -> String {
    s.replace("$(", "$$(")
}

/// Checks that no two compose services become one Kubernetes name.
pub fn check_names(project: &Project) -> Result<(), NameCollision> {
    let mut names: IndexMap<String, String> = IndexMap::new();
    for service in project.services.keys() {
        let k8s = sanitize_name(service);
        if let Some(first) = names.insert(k8s.clone(), service.clone()) {
            return Err(NameCollision {
                first,
                second: service.clone(),
                name: k8s,
            });
        }
    }
    Ok(())
}

/// A file name as a ConfigMap key: characters a key cannot hold become `_`.
pub fn config_key(name: &str) -> String {
    let key: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if key.is_empty() || key == "." || key == ".." {
        "file".into()
    } else {
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_rfc1123_labels() {
        assert_eq!(sanitize_name("My_Service.v2"), "my-service-v2");
        assert_eq!(sanitize_name("_x_"), "x");
        assert_eq!(sanitize_name("ünï"), "n");
        assert_eq!(sanitize_name(&"a".repeat(70)).len(), 63);
        assert_eq!(sanitize_name("!!!"), "service");
    }

    #[test]
    fn dollar_parens_are_escaped() {
        assert_eq!(escape("echo $(date) $HOME"), "echo $$(date) $HOME");
    }
}
