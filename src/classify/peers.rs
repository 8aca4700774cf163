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
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find(name) {
        let start = from + found;
        let end = start + name.len();
        // Past the first character of the match, whatever its width.
        from = start + name.chars().next().map_or(1, char::len_utf8);
        if start > 0 && !before_ok(bytes[start - 1]) {
            continue;
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
            continue;
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
        out.push(Occurrence {
            start,
            end,
            port: if with_port && written.is_none() {
                None
            } else {
                port
            },
            host_use,
        });
    }
    out
}

/// The names compose's DNS answers for a service, its own name first, without repeats:
/// `container_name`, `hostname`, network aliases and the aliases of `links` to it.
pub fn names_of(project: &Project, name: &str) -> Vec<String> {
    let mut names = vec![name.to_owned()];
    let Some(service) = project.services.get(name) else {
        return names;
    };
    let mut push = |n: &str| {
        if !n.is_empty() && !names.iter().any(|have| have == n) {
            names.push(n.to_owned());
        }
    };
    service.container_name.as_deref().map(&mut push);
    service.hostname.as_deref().map(&mut push);
    for settings in service.networks.values().flatten() {
        settings.aliases.iter().for_each(|a| push(a));
    }
    for other in project.services.values() {
        for link in &other.links {
            if let Some((target, alias)) = link.split_once(':')
                && target == name
            {
                push(alias);
            }
        }
    }
    names
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

/// Every reference to every service, by target, in the order of the services.
pub fn references(
    project: &Project,
    env_files: &IndexMap<String, IndexMap<String, String>>,
) -> IndexMap<String, Vec<Reference>> {
    let names: IndexMap<&str, Vec<String>> = project
        .services
        .keys()
        .map(|n| (n.as_str(), names_of(project, n)))
        .collect();
    let mut out: IndexMap<String, Vec<Reference>> = project
        .services
        .keys()
        .map(|n| (n.clone(), Vec::new()))
        .collect();
    for (client, client_service) in &project.services {
        let texts = texts(client_service, env_files);
        for (target, target_names) in &names {
            if *target == client {
                continue;
            }
            for name in target_names {
                for text in &texts {
                    for o in occurrences(text, name) {
                        if let Some(refs) = out.get_mut(*target) {
                            refs.push(Reference {
                                by: client.clone(),
                                name: name.clone(),
                                port: o.port,
                                host_use: o.host_use,
                            });
                        }
                    }
                }
            }
        }
    }
    out
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
}
