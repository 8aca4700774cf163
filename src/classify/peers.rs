//! Who reaches whom, and by which name (DESIGN.md §4b "Every name a peer uses resolves").
//!
//! Under compose, a service is reached by its name, its `container_name`, its `hostname`, its
//! network `aliases` and the aliases other services give it in `links`. This module finds
//! every use of those names in the other services' environment (`environment` and
//! `env_file`), command and entrypoint, with the port it is reached on when the text says
//! one (`db:5432`) or its URL scheme implies one (`http://exc1/v1` is port 80).
//!
//! A name counts only where it stands alone: `db` is found in `postgres://u@db/x`,
//! `db:5432`, `es01,es02` and in a value that is just `db`, not in `mydb`, `db.example.com`
//! or `db_name`. It is *used as a host* after `//` or `@`, before `:<port>`, or as a whole
//! value; elsewhere it is only *mentioned* (`discovery.seed_hosts: es01,es02,es03`), which is
//! enough to tell that two servers know each other, but not that a host name must resolve.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

use indexmap::IndexMap;

use crate::compose::model::{Project, Service};

/// One use of a service's name in another service's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The service whose configuration holds the name.
    pub by: String,
    /// The name as written.
    pub name: String,
    /// The port it is reached on: written, or the default of the URL's scheme.
    pub port: Option<i32>,
    /// Used as a host (`//name`, `@name`, `name:port`, a whole value), not only mentioned.
    pub host_use: bool,
}

/// One place a name stands alone in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub start: usize,
    pub end: usize,
    pub port: Option<i32>,
    pub host_use: bool,
}

/// Ports of URL schemes, for URLs that name no port.
const SCHEME_PORTS: &[(&str, i32)] = &[
    ("http", 80),
    ("ws", 80),
    ("https", 443),
    ("wss", 443),
    ("grpc", 80),
    ("postgres", 5432),
    ("postgresql", 5432),
    ("mysql", 3306),
    ("mariadb", 3306),
    ("mongodb", 27017),
    ("redis", 6379),
    ("rediss", 6379),
    ("amqp", 5672),
    ("amqps", 5671),
    ("nats", 4222),
    ("mqtt", 1883),
    ("memcached", 11211),
    ("ldap", 389),
    ("ldaps", 636),
    ("smtp", 25),
    ("ftp", 21),
];

fn before_ok(byte: u8) -> bool {
    matches!(
        byte,
        b'/' | b'@' | b'=' | b',' | b';' | b' ' | b'"' | b'\'' | b'(' | b'[' | b'\t' | b'\n'
    )
}

fn name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.') || byte >= 0x80
}

/// The scheme of the URL whose authority starts at `host_start`, if any.
fn scheme_before(text: &str, host_start: usize) -> Option<&str> {
    let head = &text[..host_start];
    // The URL starts after the last separator that cannot be inside one.
    let url_start = head
        .rfind([' ', '\t', '\n', '"', '\'', ',', ';', '=', '('])
        .map_or(0, |i| i + 1);
    let url = &head[url_start..];
    let (scheme, rest) = url.split_once("://")?;
    // Only userinfo may stand between `//` and the host.
    if rest.contains('/') {
        return None;
    }
    Some(scheme)
}

/// Every place `name` stands alone in `text`.
pub fn occurrences(text: &str, name: &str) -> Vec<Occurrence> {
    let mut out = Vec::new();
    if name.is_empty() {
        return out;
    }
    let mut from = 0;
    while let Some(found) = text[from..].find(name) {
        let start = from + found;
        // Past the first character of the match, whatever its width.
        from = start + name.chars().next().map_or(1, char::len_utf8);
        out.extend(occurrence_at(text, start, start + name.len()));
    }
    out
}

/// The occurrence of a name found at `start..end` of `text`, if it stands alone there.
pub fn occurrence_at(text: &str, start: usize, end: usize) -> Option<Occurrence> {
    let bytes = text.as_bytes();
    if start > 0 && !before_ok(bytes[start - 1]) {
        return None;
    }
    let after = bytes.get(end).copied();
    let port_digits: String = if after == Some(b':') {
        text[end + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    } else {
        String::new()
    };
    let after_port = bytes.get(end + 1 + port_digits.len()).copied();
    let with_port = !port_digits.is_empty() && after_port.is_none_or(|b| !name_byte(b));
    if !with_port && after.is_some_and(|b| b == b':' || name_byte(b)) {
        return None;
    }
    let written = port_digits
        .parse::<i32>()
        .ok()
        .filter(|p| with_port && (1..=65535).contains(p));
    let scheme = scheme_before(text, start);
    let port = written.or_else(|| {
        let scheme = scheme?.to_ascii_lowercase();
        SCHEME_PORTS
            .iter()
            .find(|(s, _)| *s == scheme)
            .map(|(_, p)| *p)
    });
    let host_use = with_port
        || scheme.is_some()
        || text[..start].ends_with('@')
        || (start == 0 && end == text.len());
    Some(Occurrence {
        start,
        end,
        port: if with_port && written.is_none() {
            None
        } else {
            port
        },
        host_use,
    })
}

/// Finds where any of many names stands alone in a text, in one pass over the text.
///
/// A name made only of name characters (letters, digits, `-`, `_`, `.`) can stand alone only
/// as a whole run of such characters that starts after a separator: the character before a
/// name must be a separator and the one after it may not be a name character. So each such
/// run is looked up once in a map, and the work grows with the length of the texts, not
/// with the number of names. The rare name with other characters is searched for alone.
#[derive(Debug)]
pub struct NameFinder<K> {
    runs: HashMap<K, usize>,
    others: Vec<(usize, K)>,
}

impl<K: Borrow<str> + Hash + Eq> NameFinder<K> {
    /// A finder for `names`, which [`NameFinder::find`] reports by their index here.
    pub fn new(names: impl IntoIterator<Item = K>) -> Self {
        let mut runs = HashMap::new();
        let mut others = Vec::new();
        for (i, name) in names.into_iter().enumerate() {
            let text: &str = name.borrow();
            if text.is_empty() {
                continue;
            }
            if text.bytes().all(name_byte) {
                runs.entry(name).or_insert(i);
            } else {
                others.push((i, name));
            }
        }
        NameFinder { runs, others }
    }

    /// The index of `name` among the names the finder was made for.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.runs.get(name).copied().or_else(|| {
            self.others
                .iter()
                .find(|(_, n)| n.borrow() == name)
                .map(|(i, _)| *i)
        })
    }

    /// Every place one of the names stands alone in `text`: (index of the name, where).
    pub fn find(&self, text: &str) -> Vec<(usize, Occurrence)> {
        let mut out = Vec::new();
        if !self.runs.is_empty() {
            let bytes = text.as_bytes();
            let mut at = 0;
            while at < bytes.len() {
                let end = bytes[at..]
                    .iter()
                    .position(|&b| !name_byte(b))
                    .map_or(bytes.len(), |n| at + n);
                if end > at
                    && (at == 0 || before_ok(bytes[at - 1]))
                    && let Some(&i) = self.runs.get(&text[at..end])
                    && let Some(o) = occurrence_at(text, at, end)
                {
                    out.push((i, o));
                }
                at = end + 1;
            }
        }
        for (i, name) in &self.others {
            out.extend(
                occurrences(text, name.borrow())
                    .into_iter()
                    .map(|o| (*i, o)),
            );
        }
        out
    }
}

/// The names compose's DNS answers for a service, its own name first, without repeats:
/// `container_name`, `hostname`, network aliases and the aliases of `links` to it.
pub fn names_of(project: &Project, name: &str) -> Vec<String> {
    all_names(project)
        .shift_remove(name)
        .unwrap_or_else(|| vec![name.to_owned()])
}

/// [`names_of`] for every service, in one pass over the project.
pub fn all_names(project: &Project) -> IndexMap<String, Vec<String>> {
    let mut all: IndexMap<String, Vec<String>> = IndexMap::new();
    let push = |names: &mut Vec<String>, n: &str| {
        if !n.is_empty() && !names.iter().any(|have| have == n) {
            names.push(n.to_owned());
        }
    };
    for (name, service) in &project.services {
        let mut names = vec![name.clone()];
        service
            .container_name
            .iter()
            .for_each(|n| push(&mut names, n));
        service.hostname.iter().for_each(|n| push(&mut names, n));
        for settings in service.networks.values().flatten() {
            settings.aliases.iter().for_each(|a| push(&mut names, a));
        }
        all.insert(name.clone(), names);
    }
    for other in project.services.values() {
        for link in &other.links {
            if let Some((target, alias)) = link.split_once(':')
                && let Some(names) = all.get_mut(target)
            {
                push(names, alias);
            }
        }
    }
    all
}

/// The texts of a service that may name its peers: environment values (with env files'),
/// command and entrypoint.
pub fn texts<'a>(
    service: &'a Service,
    env_files: &'a IndexMap<String, IndexMap<String, String>>,
) -> Vec<&'a str> {
    let files = service
        .env_file
        .iter()
        .filter_map(|f| env_files.get(&f.path))
        .flat_map(|values| values.values().map(String::as_str));
    service
        .environment
        .values()
        .flatten()
        .map(String::as_str)
        .chain(files)
        .chain(service.command.iter().flatten().map(String::as_str))
        .chain(service.entrypoint.iter().flatten().map(String::as_str))
        .collect()
}

/// Who reaches whom: every service's names, and every use of them by its peers.
#[derive(Debug, Clone, Default)]
pub struct Peers {
    /// By service, the names compose's DNS answered for it, its own first.
    pub names: IndexMap<String, Vec<String>>,
    /// By service, in the order of the services, every use of its names by another.
    pub references: IndexMap<String, Vec<Reference>>,
}

impl Peers {
    /// The names of a service, its own first.
    pub fn names(&self, service: &str) -> &[String] {
        self.names.get(service).map_or(&[], Vec::as_slice)
    }
}

/// Every service's names and every reference to them. One [`NameFinder`] over all names
/// scans each text once, so the work grows with the size of the project, not its square.
pub fn peers(project: &Project, env_files: &IndexMap<String, IndexMap<String, String>>) -> Peers {
    let names = all_names(project);
    // Each distinct name once, with the (target, rank of the name) pairs it stands for.
    let mut patterns: IndexMap<&str, Vec<(usize, usize)>> = IndexMap::new();
    for (t, target_names) in names.values().enumerate() {
        for (rank, name) in target_names.iter().enumerate() {
            patterns.entry(name.as_str()).or_default().push((t, rank));
        }
    }
    let finder = NameFinder::new(patterns.keys().copied());
    // (target, client, rank, text, position) keeps the order a per-pair search gave.
    let mut found: Vec<(usize, usize, usize, usize, usize, Reference)> = Vec::new();
    for (c, (client, service)) in project.services.iter().enumerate() {
        for (x, text) in texts(service, env_files).into_iter().enumerate() {
            for (pattern, o) in finder.find(text) {
                let (name, targets) = patterns
                    .get_index(pattern)
                    .expect("a pattern of the finder");
                for &(t, rank) in targets {
                    if t == c {
                        continue;
                    }
                    found.push((
                        t,
                        c,
                        rank,
                        x,
                        o.start,
                        Reference {
                            by: client.clone(),
                            name: (*name).to_owned(),
                            port: o.port,
                            host_use: o.host_use,
                        },
                    ));
                }
            }
        }
    }
    found.sort_by_key(|f| (f.0, f.1, f.2, f.3, f.4));
    let mut references: IndexMap<String, Vec<Reference>> = project
        .services
        .keys()
        .map(|n| (n.clone(), Vec::new()))
        .collect();
    for (t, _, _, _, _, reference) in found {
        if let Some((_, refs)) = references.get_index_mut(t) {
            refs.push(reference);
        }
    }
    Peers { names, references }
}

/// Every reference to every service, by target, in the order of the services.
pub fn references(
    project: &Project,
    env_files: &IndexMap<String, IndexMap<String, String>>,
) -> IndexMap<String, Vec<Reference>> {
    peers(project, env_files).references
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::project;

    fn found(text: &str, name: &str) -> Vec<(Option<i32>, bool)> {
        occurrences(text, name)
            .iter()
            .map(|o| (o.port, o.host_use))
            .collect()
    }

    #[test]
    fn names_stand_alone_with_their_ports() {
        assert_eq!(
            found("postgres://u:p@db:5432/x", "db"),
            [(Some(5432), true)]
        );
        assert_eq!(
            found("postgres://u@db/db", "db"),
            [(Some(5432), true), (None, false)]
        );
        assert_eq!(found("http://exc1/v1", "exc1"), [(Some(80), true)]);
        assert_eq!(found("https://api", "api"), [(Some(443), true)]);
        assert_eq!(found("--broker=kafka:9092", "kafka"), [(Some(9092), true)]);
        assert_eq!(found("es01,es02,es03", "es02"), [(None, false)]);
        assert_eq!(found("db", "db"), [(None, true)]);
        assert!(found("mydb:5432", "db").is_empty());
        assert!(found("db.example.com:5432", "db").is_empty());
        assert!(found("db_name", "db").is_empty());
        assert!(found("db:port", "db").is_empty());
        assert_eq!(found("db:99999", "db"), [(None, true)]);
        assert_eq!(found("db:1 db:2", "db"), [(Some(1), true), (Some(2), true)]);
        assert_eq!(
            found("ébase ébase:80", "ébase"),
            [(None, false), (Some(80), true)]
        );
        assert_eq!(found("unknown://x", "x"), [(None, true)]);
    }

    #[test]
    fn every_name_compose_answers() {
        let p = project(
            "services:\n  web:\n    image: app\n    links: ['db:database']\n    environment:\n      A: http://search/x\n      B: database:5432\n  db:\n    image: postgres\n    container_name: main-db\n    hostname: pg\n  es:\n    image: elasticsearch\n    networks:\n      default:\n        aliases: [search]\n",
        );
        assert_eq!(names_of(&p, "db"), ["db", "main-db", "pg", "database"]);
        assert_eq!(names_of(&p, "es"), ["es", "search"]);
        let refs = references(&p, &IndexMap::new());
        assert_eq!(
            refs["es"],
            [Reference {
                by: "web".into(),
                name: "search".into(),
                port: Some(80),
                host_use: true
            }]
        );
        assert_eq!(refs["db"][0].port, Some(5432));
        assert!(refs["web"].is_empty());
    }

    /// The finder must report exactly what one search per name reports, for names that are
    /// plain runs and for names with other characters.
    #[test]
    fn finder_finds_what_one_search_per_name_finds() {
        let names = [
            "db",
            "db-1",
            "api_gw",
            "web.local",
            "x",
            "ünï",
            "a b",
            "host:8",
            "/odd",
            "es0",
        ];
        let texts = [
            "postgres://u:p@db:5432/db",
            "db",
            "db-1,db,es0;es01 x",
            "http://api_gw/v1 @web.local:99x web.local:8080",
            "--to=ünï:80 (x) [db-1]",
            "connect a b now, a b",
            "host:8 and host:80 and /odd:1/odd",
            "mydb db_name db.example.com db:",
            "",
        ];
        let finder = NameFinder::new(names);
        for text in texts {
            let mut expected: Vec<(usize, Occurrence)> = names
                .iter()
                .enumerate()
                .flat_map(|(i, n)| occurrences(text, n).into_iter().map(move |o| (i, o)))
                .collect();
            let mut got = finder.find(text);
            let key = |f: &(usize, Occurrence)| (f.1.start, f.0);
            expected.sort_by_key(key);
            got.sort_by_key(key);
            assert_eq!(got, expected, "in {text:?}");
        }
        assert!(!finder.find("db-1,db,es0").is_empty());
        assert_eq!(finder.index_of("api_gw"), Some(2));
        assert_eq!(finder.index_of("host:8"), Some(7));
        assert_eq!(finder.index_of("nobody"), None);
    }
}
