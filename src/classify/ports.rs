//! The ports each service listens on (DESIGN.md §4 "Ports nobody declared").
//!
//! Compose services reach each other on ports the image listens on without the compose file
//! saying so: `postgres` answers on 5432 with no `ports:` at all. Without those ports there
//! would be no Service, `db:5432` would not resolve in the cluster and no `wait-for` could
//! work. So a service's ports are, in this order and without repeats:
//! 1. its `ports` targets, `expose` entries and `x-kubernetes.ports`;
//! 2. when none of those exist, the default ports of its known image (`src/images.rs`);
//! 3. every `<service>:<port>` another service uses to reach it, found in that service's
//!    environment values, command and entrypoint (`postgres://u@db:5432/x`,
//!    `http://api:8000`, `--broker=kafka:9092`). The host must stand alone: `db:5432` is not
//!    found in `mydb:5432` nor in `db.example.com:5432`.
//!
//! Each port keeps its source, which `explain` shows as evidence.

use indexmap::IndexMap;

use crate::classify::extension;
use crate::classify::images;
use crate::compose::model::{Project, Service};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSource {
    /// A `ports` entry's target.
    Declared,
    /// An `expose` entry.
    Exposed,
    /// `x-kubernetes.ports`.
    Extension,
    /// The default port of a known image.
    KnownImage,
    /// Another service reaches it on this port.
    Referenced { by: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListeningPort {
    pub port: i32,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
    /// The long syntax's `name`.
    pub name: Option<String>,
    pub source: PortSource,
}

impl ListeningPort {
    fn new(port: i32, protocol: &str, source: PortSource) -> ListeningPort {
        ListeningPort {
            port,
            protocol: protocol.to_ascii_uppercase(),
            name: None,
            source,
        }
    }

    /// Whether the process is known to listen here (declared, or its image's default), not
    /// only believed to because a peer connects to it.
    pub fn known(&self) -> bool {
        !matches!(self.source, PortSource::Referenced { .. })
    }

    /// Why the service listens on this port, in words for `explain`.
    pub fn evidence(&self, service: &Service) -> String {
        let what = format!("{}/{}", self.port, self.protocol);
        match &self.source {
            PortSource::Declared => format!("{what}: declared in ports"),
            PortSource::Exposed => format!("{what}: declared in expose"),
            PortSource::Extension => format!("{what}: declared in x-kubernetes.ports"),
            PortSource::KnownImage => format!(
                "{what}: default port of the {} image",
                images::repository_name(service.image.as_deref().unwrap_or_default())
            ),
            PortSource::Referenced { by } => format!("{what}: {by} connects to it"),
        }
    }
}

/// At most this many ports from one `expose` range: a typo such as `1-65535` must not turn
/// into sixty thousand container ports.
const MAX_RANGE: i32 = 1000;

fn declared(service: &Service) -> Vec<ListeningPort> {
    let mut out: Vec<ListeningPort> = Vec::new();
    for p in &service.ports {
        let mut port = ListeningPort::new(i32::from(p.target), &p.protocol, PortSource::Declared);
        port.name = p.name.clone();
        out.push(port);
    }
    for e in &service.expose {
        let (range, proto) = e.split_once('/').unwrap_or((e.as_str(), "tcp"));
        let (a, b) = range.split_once('-').unwrap_or((range, range));
        if let (Ok(a), Ok(b)) = (a.trim().parse::<i32>(), b.trim().parse::<i32>()) {
            for port in a.max(1)..=b.min(a.saturating_add(MAX_RANGE - 1)).min(65535) {
                out.push(ListeningPort::new(port, proto, PortSource::Exposed));
            }
        }
    }
    if let Ok(x) = extension::of(service) {
        for port in x.ports {
            out.push(ListeningPort::new(
                i32::from(port),
                "TCP",
                PortSource::Extension,
            ));
        }
    }
    out
}

fn push_unique(out: &mut Vec<ListeningPort>, port: ListeningPort) {
    if port.port >= 1
        && !out
            .iter()
            .any(|p| p.port == port.port && p.protocol == port.protocol)
    {
        out.push(port);
    }
}

/// The names other services may use for `name`: the service name, its `hostname`,
/// `container_name` and network aliases.
fn host_names<'a>(name: &'a str, service: &'a Service) -> Vec<&'a str> {
    let mut names = vec![name];
    names.extend(service.hostname.as_deref());
    names.extend(service.container_name.as_deref());
    for settings in service.networks.values().flatten() {
        names.extend(settings.aliases.iter().map(String::as_str));
    }
    names
}

/// The ports `host` is reached on in `text`: `host:<digits>` with `host` delimited before and
/// a non-digit (or the end) after.
pub fn referenced_ports(text: &str, host: &str) -> Vec<i32> {
    let mut out = Vec::new();
    if host.is_empty() {
        return out;
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find(host) {
        let start = from + found;
        let end = start + host.len();
        // Past the first character of the match, whatever its width.
        from = start + host.chars().next().map_or(1, char::len_utf8);
        let delimited = start == 0
            || matches!(
                bytes[start - 1],
                b'/' | b'@' | b'=' | b',' | b';' | b' ' | b'"' | b'\'' | b'(' | b'\t' | b'\n'
            );
        if !delimited || bytes.get(end) != Some(&b':') {
            continue;
        }
        let digits: String = text[end + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(port) = digits.parse::<i32>()
            && (1..=65535).contains(&port)
        {
            out.push(port);
        }
    }
    out
}

/// Every service of the project, in order, with its ports.
pub fn listening_ports(project: &Project) -> IndexMap<String, Vec<ListeningPort>> {
    let mut all: IndexMap<String, Vec<ListeningPort>> = IndexMap::new();
    for (name, service) in &project.services {
        let mut ports = Vec::new();
        for p in declared(service) {
            push_unique(&mut ports, p);
        }
        if ports.is_empty()
            && let Some(known) = service.image.as_deref().and_then(images::lookup)
        {
            for p in known.ports {
                let proto = if p.udp { "UDP" } else { "TCP" };
                push_unique(
                    &mut ports,
                    ListeningPort::new(i32::from(p.port), proto, PortSource::KnownImage),
                );
            }
        }
        all.insert(name.clone(), ports);
    }
    for (client, client_service) in &project.services {
        let texts: Vec<&str> = client_service
            .environment
            .values()
            .flatten()
            .map(String::as_str)
            .chain(client_service.command.iter().flatten().map(String::as_str))
            .chain(
                client_service
                    .entrypoint
                    .iter()
                    .flatten()
                    .map(String::as_str),
            )
            .collect();
        for (name, service) in &project.services {
            if name == client {
                continue;
            }
            for host in host_names(name, service) {
                for text in &texts {
                    for port in referenced_ports(text, host) {
                        if let Some(ports) = all.get_mut(name) {
                            push_unique(
                                ports,
                                ListeningPort::new(
                                    port,
                                    "TCP",
                                    PortSource::Referenced { by: client.clone() },
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_must_stand_alone() {
        assert_eq!(referenced_ports("postgres://u:p@db:5432/x", "db"), [5432]);
        assert_eq!(referenced_ports("redis://cache:6379/0", "cache"), [6379]);
        assert_eq!(referenced_ports("http://api:8000/v1", "api"), [8000]);
        assert_eq!(referenced_ports("db:5432", "db"), [5432]);
        assert_eq!(referenced_ports("--broker=kafka:9092", "kafka"), [9092]);
        assert_eq!(referenced_ports("a,kafka:9092,b", "kafka"), [9092]);
        assert!(referenced_ports("mydb:5432", "db").is_empty());
        assert!(referenced_ports("db.example.com:5432", "db").is_empty());
        assert!(referenced_ports("db:port", "db").is_empty());
        assert!(referenced_ports("db:99999", "db").is_empty());
        assert!(referenced_ports("db:0", "db").is_empty());
        assert_eq!(referenced_ports("db:1 db:2", "db"), [1, 2]);
        assert_eq!(referenced_ports("ébase ébase:80", "ébase"), [80]);
    }

    fn project(yaml: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), yaml).unwrap();
        crate::compose::load(&crate::compose::LoadOptions {
            working_dir: dir.path().to_path_buf(),
            ..Default::default()
        })
        .unwrap()
        .project
    }

    #[test]
    fn declared_known_and_referenced_ports() {
        let p = project(
            "services:\n  web:\n    image: app\n    ports: ['8080:80', '53:53/udp']\n    expose: ['9000-9001']\n    environment:\n      DB: postgres://u@db:5432/x\n      CACHE: redis://cache:6380\n  db:\n    image: postgres:16\n  cache:\n    image: redis\n  api:\n    image: app\n    x-kubernetes: {ports: [7000]}\n",
        );
        let ports = listening_ports(&p);
        let list = |s: &str| -> Vec<(i32, String)> {
            ports[s]
                .iter()
                .map(|p| (p.port, p.protocol.clone()))
                .collect()
        };
        assert_eq!(
            list("web"),
            [
                (80, "TCP".into()),
                (53, "UDP".into()),
                (9000, "TCP".into()),
                (9001, "TCP".into())
            ]
        );
        assert_eq!(list("db"), [(5432, "TCP".into())]);
        assert_eq!(ports["db"][0].source, PortSource::KnownImage);
        // The referenced port joins the known one.
        assert_eq!(list("cache"), [(6379, "TCP".into()), (6380, "TCP".into())]);
        assert_eq!(
            ports["cache"][1].source,
            PortSource::Referenced { by: "web".into() }
        );
        assert_eq!(list("api"), [(7000, "TCP".into())]);
        assert_eq!(
            ports["cache"][1].evidence(&p.services["cache"]),
            "6380/TCP: web connects to it"
        );
    }

    #[test]
    fn expose_ranges_are_capped() {
        let p = project("services:\n  x:\n    image: app\n    expose: ['1-65535']\n");
        assert_eq!(listening_ports(&p)["x"].len(), MAX_RANGE as usize);
    }
}
