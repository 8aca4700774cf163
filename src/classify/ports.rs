//! The ports each service listens on (DESIGN.md §4 "Ports nobody declared").
//!
//! Compose services reach each other on ports the image listens on without the compose file
//! saying so: `postgres` answers on 5432 with no `ports:` at all. Without those ports there
//! would be no Service, `db:5432` would not resolve in the cluster and no `wait-for` could
//! work. So a service's ports are, in this order and without repeats:
//! 1. its `ports` targets, `expose` entries and `x-kubernetes.ports`;
//! 2. the default ports of its known image ([`images`]), declared ports or not: a server
//!    listens on them whatever it publishes;
//! 3. the ports its own healthcheck reaches it on (`curl -f http://localhost:9999/health`);
//! 4. every port another service reaches it on ([`peers`]): `postgres://u@db:5432/x`,
//!    `--broker=kafka:9092`, or a URL's scheme default (`http://api/v1` is 80).
//!
//! Each port keeps its source, which `explain` shows as evidence.

use indexmap::IndexMap;

use crate::classify::{extension, images, peers};
use crate::compose::model::{Project, Service};
use crate::diagnostic::Diagnostic;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSource {
    /// A `ports` entry's target.
    Declared,
    /// An `expose` entry.
    Exposed,
    /// `x-kubernetes.ports`.
    Extension,
    /// A reverse proxy's label naming the port it forwards to
    /// (`traefik.http.services.<name>.loadbalancer.server.port`).
    ProxyLabel,
    /// The default port of a known image.
    KnownImage,
    /// Its own healthcheck reaches it on this port.
    Healthcheck,
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

    /// Whether the process is known to listen here (declared, its image's default, or its
    /// own healthcheck's), not only believed to because a peer connects to it.
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
            PortSource::ProxyLabel => format!("{what}: the port its traefik label forwards to"),
            PortSource::KnownImage => format!(
                "{what}: default port of the {} image",
                images::repository_name(service.image.as_deref().unwrap_or_default())
            ),
            PortSource::Healthcheck => format!("{what}: its healthcheck connects to it"),
            PortSource::Referenced { by } => format!("{what}: {by} connects to it"),
        }
    }
}

/// At most this many ports from one `expose` range; the loader refuses larger ranges, this
/// keeps the bound where the ports are made.
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
    for (key, value) in &service.labels {
        if key.starts_with("traefik.")
            && key.ends_with(".loadbalancer.server.port")
            && let Ok(port) = value.trim().parse::<i32>()
            && (1..=65535).contains(&port)
        {
            out.push(ListeningPort::new(port, "TCP", PortSource::ProxyLabel));
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

/// The ports a service's own healthcheck reaches it on: `localhost:9999`,
/// `http://127.0.0.1/`, `nc -z localhost 5432`, or one of its own names.
fn healthcheck_ports(own_names: &[String], service: &Service) -> Vec<i32> {
    let Some(hc) = &service.healthcheck else {
        return Vec::new();
    };
    let text = hc
        .test
        .iter()
        .skip(1)
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for host in ["localhost", "127.0.0.1"]
        .into_iter()
        .chain(own_names.iter().map(String::as_str))
    {
        out.extend(
            peers::occurrences(&text, host)
                .iter()
                .filter_map(|o| o.port),
        );
        // `nc -z localhost 5432`: the port is the next word.
        for w in words.windows(4) {
            if w[0] == "nc" && w[1].starts_with('-') && w[2] == host {
                out.extend(w[3].parse::<i32>().ok().filter(|p| (1..=65535).contains(p)));
            }
        }
    }
    out.extend(client_port(&words, own_names));
    out
}

/// A database client checking its own server: `psql -p 5432 -h 127.0.0.1`,
/// `pg_isready -p 6432`, `redis-cli -p 6380 ping`, `mysqladmin -P 3307 ping`. A client
/// pointed at another host checks that host, not this service.
fn client_port(words: &[&str], own_names: &[String]) -> Option<i32> {
    let program = words.iter().position(|w| {
        matches!(
            w.rsplit('/').next().unwrap_or(w),
            "psql"
                | "pg_isready"
                | "redis-cli"
                | "valkey-cli"
                | "mysqladmin"
                | "mysql"
                | "mariadb-admin"
                | "mariadb"
        )
    })?;
    let name = words[program].rsplit('/').next().unwrap_or(words[program]);
    let port_flag = if name.starts_with("mysql") || name.starts_with("mariadb") {
        "-P"
    } else {
        "-p"
    };
    let args = &words[program + 1..];
    let value = |flags: &[&str]| {
        args.windows(2)
            .find(|w| flags.contains(&w[0]))
            .map(|w| w[1])
            .or_else(|| args.iter().find_map(|a| a.strip_prefix("--port=")))
    };
    if let Some(host) = value(&["-h", "--host"]) {
        let local =
            ["localhost", "127.0.0.1"].contains(&host) || own_names.iter().any(|n| n == host);
        if !local {
            return None;
        }
    }
    value(&[port_flag, "--port"])
        .and_then(|p| p.parse::<i32>().ok())
        .filter(|p| (1..=65535).contains(p))
}

/// Every service of the project, in order, with its ports: declared ones first, then its
/// image's defaults (a server listens on them whatever it publishes: Elasticsearch's
/// transport port 9300 next to a published 9200), then those its own healthcheck and its
/// peers reach it on.
pub fn listening_ports(
    project: &Project,
    peers: &peers::Peers,
) -> IndexMap<String, Vec<ListeningPort>> {
    let mut all: IndexMap<String, Vec<ListeningPort>> = IndexMap::new();
    for (name, service) in &project.services {
        let mut ports = Vec::new();
        for p in declared(service) {
            push_unique(&mut ports, p);
        }
        if let Some(known) = service.image.as_deref().and_then(images::lookup) {
            for p in known.ports {
                let proto = if p.udp { "UDP" } else { "TCP" };
                push_unique(
                    &mut ports,
                    ListeningPort::new(i32::from(p.port), proto, PortSource::KnownImage),
                );
            }
        }
        for port in healthcheck_ports(peers.names(name), service) {
            push_unique(
                &mut ports,
                ListeningPort::new(port, "TCP", PortSource::Healthcheck),
            );
        }
        for r in peers.references.get(name).into_iter().flatten() {
            if let Some(port) = r.port.filter(|_| r.host_use) {
                push_unique(
                    &mut ports,
                    ListeningPort::new(port, "TCP", PortSource::Referenced { by: r.by.clone() }),
                );
            }
        }
        all.insert(name.clone(), ports);
    }
    all
}

/// Peers that reach a service on no port anyone can find: `DB_HOST=db` when `db` declares no
/// port and its image is unknown. Their connection would fail in the cluster as it is.
pub fn unreachable(
    listening: &IndexMap<String, Vec<ListeningPort>>,
    references: &IndexMap<String, Vec<peers::Reference>>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (target, refs) in references {
        if listening.get(target).is_some_and(|p| !p.is_empty()) {
            continue;
        }
        let mut clients: Vec<&str> = refs
            .iter()
            .filter(|r| r.host_use)
            .map(|r| r.by.as_str())
            .collect();
        clients.dedup();
        for client in clients {
            out.push(Diagnostic::warning(
                format!("services.{client}"),
                format!(
                    "{client} reaches {target}, but no port of {target} is known, so it gets no Service; declare it with expose or x-kubernetes.ports on {target}"
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::project;

    #[test]
    fn declared_known_and_referenced_ports() {
        let p = project(
            "services:\n  web:\n    image: app\n    ports: ['8080:80', '53:53/udp']\n    expose: ['9000-9001']\n    environment:\n      DB: postgres://u@db:5432/x\n      CACHE: redis://cache:6380\n  db:\n    image: postgres:16\n  cache:\n    image: redis\n  api:\n    image: app\n    x-kubernetes: {ports: [7000]}\n",
        );
        let ports = listening_ports(&p, &peers::peers(&p, &IndexMap::new()));
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
    fn image_defaults_join_declared_ports_and_healthchecks_count() {
        let p = project(
            "services:\n  es:\n    image: elasticsearch:8.15.0\n    ports: ['9200:9200']\n  m:\n    image: app\n    healthcheck:\n      test: [CMD-SHELL, 'nc -z localhost 7000 && curl -f http://m:9999/x']\n",
        );
        let ports = listening_ports(&p, &peers::peers(&p, &IndexMap::new()));
        let list = |s: &str| ports[s].iter().map(|p| p.port).collect::<Vec<_>>();
        assert_eq!(list("es"), [9200, 9300]);
        assert_eq!(ports["es"][1].source, PortSource::KnownImage);
        assert_eq!(list("m"), [7000, 9999]);
        let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let port = |s: &str| {
            let w = words(s);
            client_port(&w.iter().map(String::as_str).collect::<Vec<_>>(), &[])
        };
        assert_eq!(
            port("psql -U postgres -p 5432 -h 127.0.0.1 -c 'select 1'"),
            Some(5432)
        );
        assert_eq!(port("mysqladmin ping -P 3307 -pSECRET"), Some(3307));
        assert_eq!(port("mysqladmin ping -p secret"), None);
        assert_eq!(port("pg_isready -h db -p 5432"), None);
        assert!(ports["m"].iter().all(ListeningPort::known));
    }

    #[test]
    fn the_largest_expose_range_is_every_port() {
        // Larger ranges are refused by the loader (compose::syntax::MAX_PORT_RANGE).
        let p = project("services:\n  x:\n    image: app\n    expose: ['1-1000']\n");
        assert_eq!(
            listening_ports(&p, &peers::Peers::default())["x"].len(),
            MAX_RANGE as usize
        );
    }
}
