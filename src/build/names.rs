//! Names and labels every builder shares: compose names made Kubernetes names, the
//! recommended labels and the immutable selector, and the escaping of `$(`.
//!
//! Kept apart from the builders so that none of them has to import another for a name.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use crate::classify::extension;
use crate::classify::peers::NameFinder;
use crate::compose::model::{Project, Service};

/// The host names compose's DNS answered that have a Service under another name in the
/// cluster (`api_gateway` → `api-gateway`), each with that Service's name, and one finder
/// over all of them: every text is scanned once, however many names there are.
#[derive(Debug)]
pub struct Renames {
    pairs: Vec<(String, String)>,
    finder: NameFinder<String>,
}

impl Renames {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        let finder = NameFinder::new(pairs.iter().map(|(from, _)| from.clone()));
        Renames { pairs, finder }
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The Service name `from` is reached by.
    pub fn to(&self, from: &str) -> Option<&str> {
        self.finder.index_of(from).map(|i| self.pairs[i].1.as_str())
    }

    /// Every place a renamed name stands alone as a host: (start, end, rename).
    fn host_uses(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let mut out: Vec<(usize, usize, usize)> = self
            .finder
            .find(text)
            .into_iter()
            .filter(|(_, o)| o.host_use)
            .map(|(i, o)| (o.start, o.end, i))
            .collect();
        // By place, then in the order of the names, as one search per name gave them.
        out.sort_unstable_by_key(|&(start, _, i)| (start, i));
        out
    }
}

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
    // Most names already are labels, and names are asked for many times per object.
    let label = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
    if (1..=63).contains(&name.len())
        && name.bytes().all(label)
        && !name.starts_with('-')
        && !name.ends_with('-')
    {
        return name.to_owned();
    }
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

/// A compose name as a Service name: a DNS-1035 label, which must also start with a letter
/// (`2fa` becomes `svc-2fa`). Peers reach a Service by this name.
pub fn service_name(name: &str) -> String {
    let label = sanitize_name(name);
    if label.starts_with(|c: char| c.is_ascii_lowercase()) {
        return label;
    }
    let prefixed: String = format!("svc-{label}").chars().take(63).collect();
    prefixed.trim_end_matches('-').to_owned()
}

/// The name of a service's workload, its Service and the objects named after it: the
/// name `x-kubernetes.name` (kompose's `kompose.service.name_override`) gives, else its
/// compose name, as a Kubernetes name.
pub fn k8s_name(project: &Project, service: &str) -> String {
    project
        .services
        .get(service)
        .and_then(name_override)
        .unwrap_or_else(|| sanitize_name(service))
}

/// The Service name of a service's pod: [`k8s_name`] as a DNS-1035 label.
pub fn service_name_of(project: &Project, service: &str) -> String {
    service_name(&k8s_name(project, service))
}

/// The name a service asks its objects to have, as a Kubernetes name.
pub fn name_override(service: &Service) -> Option<String> {
    // Asked for by few services and looked up for every object: check for the keys
    // before reading the whole extension.
    let label = |labels: &IndexMap<String, String>| labels.contains_key(NAME_OVERRIDE_LABEL);
    let asks = label(&service.labels)
        || service.deploy.as_ref().is_some_and(|d| label(&d.labels))
        || service
            .extensions
            .get("x-kubernetes")
            .is_some_and(|x| x.get("name").is_some());
    if !asks {
        return None;
    }
    let name = extension::of(service).ok()?.name?;
    Some(sanitize_name(&name))
}

const NAME_OVERRIDE_LABEL: &str = "kompose.service.name_override";

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
        let k8s = k8s_name(project, service);
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

/// `text` with every host use of a renamed name (`//name`, `@name`, `name:port`, or the whole
/// text) written as its Service name, and the names it rewrote; None when nothing changed.
/// Other uses stay: in `postgres://u@plausible_db:5432/plausible_db` the database name is
/// not a host.
pub fn rewrite_hosts<'a>(text: &str, renames: &'a Renames) -> Option<(String, Vec<&'a str>)> {
    let edits = renames.host_uses(text);
    if edits.is_empty() {
        return None;
    }
    let mut used: Vec<usize> = edits.iter().map(|e| e.2).collect();
    used.sort_unstable();
    used.dedup();
    let names = used.iter().map(|&i| renames.pairs[i].0.as_str()).collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, i) in edits {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&renames.pairs[i].1);
        at = end;
    }
    out.push_str(&text[at..]);
    Some((out, names))
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
        assert_eq!(service_name("api_gateway"), "api-gateway");
        assert_eq!(service_name("2fa"), "svc-2fa");
        assert_eq!(service_name(&"9".repeat(70)).len(), 63);
    }

    #[test]
    fn host_uses_are_rewritten_and_nothing_else() {
        let renames = Renames::new(vec![
            ("plausible_db".to_owned(), "plausible-db".to_owned()),
            ("2fa".to_owned(), "svc-2fa".to_owned()),
        ]);
        assert_eq!(
            rewrite_hosts("postgres://u@plausible_db:5432/plausible_db", &renames),
            Some((
                "postgres://u@plausible-db:5432/plausible_db".to_owned(),
                vec!["plausible_db"]
            ))
        );
        assert_eq!(
            rewrite_hosts("http://2fa/verify", &renames).map(|r| r.0),
            Some("http://svc-2fa/verify".to_owned())
        );
        assert_eq!(
            rewrite_hosts("2fa", &renames).map(|r| r.0),
            Some("svc-2fa".to_owned())
        );
        assert_eq!(rewrite_hosts("my_plausible_db_name", &renames), None);
    }

    #[test]
    fn dollar_parens_are_escaped() {
        assert_eq!(escape("echo $(date) $HOME"), "echo $$(date) $HOME");
    }

    #[test]
    fn overlapping_names_are_rewritten_as_the_longest_at_each_place() {
        let renames = Renames::new(vec![
            ("db".to_owned(), "database".to_owned()),
            ("db_replica".to_owned(), "db-replica".to_owned()),
        ]);
        let (text, names) =
            rewrite_hosts("postgres://db_replica:5432,db:5432/app", &renames).unwrap();
        assert_eq!(text, "postgres://db-replica:5432,database:5432/app");
        assert_eq!(names, ["db", "db_replica"]);
        assert_eq!(renames.to("db"), Some("database"));
        assert_eq!(renames.to("web"), None);
    }
}
