//! What compose2kube knows about well-known images, in one place: which are stateful servers,
//! which are sidecar companions, which ports they listen on when nobody declares one, which
//! run as a non-root user, where databases keep their data, and which start slowly.
//!
//! Images are matched on the last segment of their repository, under any registry, namespace,
//! tag or digest: `docker.io/library/postgres:16`, `bitnami/postgresql`, `ghcr.io/x/postgres`
//! and `postgres@sha256:…` are all `postgres`. Each entry lists its variants explicitly rather
//! than matching prefixes, because the same prefix often names a client or an exporter
//! (`redis-commander`, `postgres-exporter`, `mongo-express`, `kafka-ui` are not servers).

/// What sort of stateful server an image is, for `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Database,
    KeyValue,
    Broker,
    Search,
    ObjectStore,
    Metrics,
}

impl Category {
    pub fn describe(self) -> &'static str {
        match self {
            Category::Database => "database",
            Category::KeyValue => "key-value store",
            Category::Broker => "message broker",
            Category::Search => "search or vector store",
            Category::ObjectStore => "object or analytics store",
            Category::Metrics => "metrics or logs store",
        }
    }
}

/// A port an image listens on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultPort {
    pub port: u16,
    pub udp: bool,
}

const fn tcp(port: u16) -> DefaultPort {
    DefaultPort { port, udp: false }
}

/// One known image family.
#[derive(Debug)]
pub struct KnownImage {
    /// Repository names (last segment) that belong to this family.
    pub names: &'static [&'static str],
    /// Set for stateful servers (StatefulSet material).
    pub stateful: Option<Category>,
    /// A companion that usually runs next to one main container (sidecar material).
    pub companion: bool,
    pub ports: &'static [DefaultPort],
}

const fn stateful(
    names: &'static [&'static str],
    category: Category,
    ports: &'static [DefaultPort],
) -> KnownImage {
    KnownImage {
        names,
        stateful: Some(category),
        companion: false,
        ports,
    }
}

const fn companion(names: &'static [&'static str], ports: &'static [DefaultPort]) -> KnownImage {
    KnownImage {
        names,
        stateful: None,
        companion: true,
        ports,
    }
}

const fn stateless(names: &'static [&'static str], ports: &'static [DefaultPort]) -> KnownImage {
    KnownImage {
        names,
        stateful: None,
        companion: false,
        ports,
    }
}

use Category::{Broker, Database, KeyValue, Metrics, ObjectStore, Search};

pub static KNOWN_IMAGES: &[KnownImage] = &[
    // Databases.
    stateful(
        &[
            "postgres",
            "postgresql",
            "pgvector",
            "postgis",
            "timescaledb",
            "timescaledb-ha",
            "postgresql-repmgr",
        ],
        Database,
        &[tcp(5432)],
    ),
    stateful(
        &["mysql", "mysql-server", "percona", "percona-server"],
        Database,
        &[tcp(3306)],
    ),
    stateful(&["mariadb", "mariadb-galera"], Database, &[tcp(3306)]),
    stateful(
        &["mongo", "mongodb", "mongodb-community-server"],
        Database,
        &[tcp(27017)],
    ),
    stateful(
        &["mssql-server", "mssql", "azure-sql-edge"],
        Database,
        &[tcp(1433)],
    ),
    stateful(
        &["cockroach", "cockroachdb"],
        Database,
        &[tcp(26257), tcp(8080)],
    ),
    stateful(&["yugabyte"], Database, &[tcp(5433), tcp(9042)]),
    stateful(&["cassandra"], Database, &[tcp(9042)]),
    stateful(&["scylla"], Database, &[tcp(9042)]),
    stateful(&["neo4j"], Database, &[tcp(7474), tcp(7687)]),
    stateful(&["couchdb"], Database, &[tcp(5984)]),
    stateful(&["arangodb"], Database, &[tcp(8529)]),
    stateful(&["surrealdb"], Database, &[tcp(8000)]),
    // Key-value stores.
    stateful(
        &["redis", "redis-stack", "redis-stack-server", "redismod"],
        KeyValue,
        &[tcp(6379)],
    ),
    stateful(&["valkey"], KeyValue, &[tcp(6379)]),
    stateful(&["keydb"], KeyValue, &[tcp(6379)]),
    stateful(&["dragonfly"], KeyValue, &[tcp(6379)]),
    stateful(&["etcd"], KeyValue, &[tcp(2379), tcp(2380)]),
    stateful(&["consul"], KeyValue, &[tcp(8500)]),
    // Brokers.
    stateful(&["rabbitmq"], Broker, &[tcp(5672)]),
    stateful(&["kafka", "cp-kafka", "cp-server"], Broker, &[tcp(9092)]),
    stateful(&["redpanda"], Broker, &[tcp(9092)]),
    stateful(&["zookeeper", "cp-zookeeper"], Broker, &[tcp(2181)]),
    stateful(&["nats", "nats-streaming"], Broker, &[tcp(4222)]),
    stateful(&["pulsar", "pulsar-all"], Broker, &[tcp(6650), tcp(8080)]),
    // Search and vector stores.
    stateful(&["elasticsearch"], Search, &[tcp(9200), tcp(9300)]),
    stateful(&["opensearch"], Search, &[tcp(9200), tcp(9300)]),
    stateful(&["solr"], Search, &[tcp(8983)]),
    stateful(&["meilisearch"], Search, &[tcp(7700)]),
    stateful(&["typesense"], Search, &[tcp(8108)]),
    stateful(&["qdrant"], Search, &[tcp(6333), tcp(6334)]),
    stateful(&["weaviate"], Search, &[tcp(8080)]),
    stateful(&["milvus"], Search, &[tcp(19530)]),
    // Object and analytics stores.
    stateful(&["minio"], ObjectStore, &[tcp(9000)]),
    stateful(&["seaweedfs"], ObjectStore, &[tcp(9333), tcp(8888)]),
    stateful(
        &["clickhouse-server", "clickhouse"],
        ObjectStore,
        &[tcp(8123), tcp(9000)],
    ),
    stateful(&["influxdb"], ObjectStore, &[tcp(8086)]),
    // Metrics and logs stores.
    stateful(&["prometheus"], Metrics, &[tcp(9090)]),
    stateful(&["alertmanager"], Metrics, &[tcp(9093)]),
    stateful(&["loki"], Metrics, &[tcp(3100)]),
    stateful(&["tempo"], Metrics, &[tcp(3200)]),
    stateful(&["mimir"], Metrics, &[tcp(8080)]),
    stateful(
        &["victoria-metrics", "victoriametrics", "victoria-logs"],
        Metrics,
        &[tcp(8428)],
    ),
    // Sidecar companions: they live next to one main container.
    companion(&["filebeat"], &[]),
    companion(&["fluent-bit", "fluentbit"], &[tcp(2020)]),
    companion(&["fluentd"], &[tcp(24224)]),
    companion(&["promtail"], &[tcp(9080)]),
    companion(&["vector"], &[tcp(8686)]),
    companion(&["logstash-forwarder"], &[]),
    companion(&["otel-collector-agent"], &[tcp(4317), tcp(4318)]),
    companion(&["cloudflared"], &[]),
    companion(&["oauth2-proxy"], &[tcp(4180)]),
    companion(&["envoy"], &[tcp(10000)]),
    // Stateless servers whose ports are worth knowing.
    stateless(&["memcached"], &[tcp(11211)]),
    stateless(&["nginx", "nginx-unprivileged", "openresty"], &[tcp(80)]),
    stateless(&["httpd"], &[tcp(80)]),
    stateless(&["caddy"], &[tcp(80), tcp(443)]),
    stateless(&["traefik"], &[tcp(80)]),
    stateless(&["haproxy"], &[tcp(80)]),
    stateless(&["grafana"], &[tcp(3000)]),
    stateless(&["kibana"], &[tcp(5601)]),
    stateless(&["opensearch-dashboards"], &[tcp(5601)]),
    stateless(&["logstash"], &[tcp(5044), tcp(9600)]),
    stateless(&["jaeger", "all-in-one"], &[tcp(16686)]),
    stateless(
        &["opentelemetry-collector", "opentelemetry-collector-contrib"],
        &[tcp(4317), tcp(4318)],
    ),
    stateless(&["wordpress"], &[tcp(80)]),
    stateless(&["adminer"], &[tcp(8080)]),
    stateless(&["pgadmin4"], &[tcp(80)]),
    stateless(&["keycloak"], &[tcp(8080)]),
    stateless(&["mailhog", "mailpit"], &[tcp(1025), tcp(8025)]),
    stateless(&["immich-server"], &[tcp(2283)]),
    stateless(&["immich-machine-learning"], &[tcp(3003)]),
];

/// The last segment of an image's repository, lower-cased: registry, namespace, tag and
/// digest removed.
pub fn repository_name(image: &str) -> String {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    // A ':' in the last segment is the tag (a registry port sits in an earlier segment).
    let name = last.split(':').next().unwrap_or(last);
    name.to_ascii_lowercase()
}

/// Words that make an image a tool around a server rather than the server: `mongo-express`,
/// `redis-exporter`, `kafka-ui`, `postgres-backup` hold no data of their own.
const TOOL_WORDS: &[&str] = &[
    "admin",
    "backup",
    "cli",
    "client",
    "commander",
    "console",
    "dashboard",
    "dashboards",
    "exporter",
    "express",
    "gui",
    "insight",
    "manager",
    "operator",
    "proxy",
    "rest",
    "tools",
    "ui",
    "web",
];

/// The known family of an image, if any: its repository name is a family name.
pub fn lookup(image: &str) -> Option<&'static KnownImage> {
    let name = repository_name(image);
    KNOWN_IMAGES
        .iter()
        .find(|k| k.names.contains(&name.as_str()))
}

/// The stateful family a variant's name points at: one of its words is a family name
/// (`kafka-container`, `swarmprom-prometheus`, `zulip-postgresql`) and no other word makes
/// it a tool. Weaker evidence than [`lookup`] (`etl-kafka` is a Kafka client), so the
/// classifier also asks for a named volume before it believes it.
pub fn lookup_variant(image: &str) -> Option<&'static KnownImage> {
    let name = repository_name(image);
    let words: Vec<&str> = name.split(['-', '_', '.']).collect();
    if words.len() < 2 || words.iter().any(|w| TOOL_WORDS.contains(w)) {
        return None;
    }
    KNOWN_IMAGES
        .iter()
        .filter(|k| k.stateful.is_some())
        .find(|k| words.iter().any(|w| k.names.contains(w)))
}

/// Images whose process runs as a fixed non-root user: (repository names, uid, gid). A fresh
/// claim is root-owned, so such a pod needs `fsGroup` to write it; Docker hid this by copying
/// the image's directory, with its owner, into a new named volume.
const NON_ROOT: &[(&[&str], i64)] = &[
    (&["elasticsearch", "kibana", "logstash", "opensearch"], 1000),
    (&["opensearch-dashboards"], 1000),
    (&["airflow"], 50000),
    (&["mastodon"], 991),
    (&["grafana"], 472),
    (&["prometheus", "alertmanager"], 65534),
    (&["loki", "tempo", "mimir"], 10001),
    (&["n8n", "jenkins", "sonarqube"], 1000),
    (&["nginx-unprivileged"], 101),
];

/// The group a known non-root image runs as, when the compose file does not say `user:`.
pub fn non_root_group(image: &str) -> Option<i64> {
    let name = repository_name(image);
    let without_digest = image.split('@').next().unwrap_or(image);
    let (path, tag) = match without_digest.rsplit_once(':') {
        Some((p, t)) if !t.contains('/') => (p, t),
        _ => (without_digest, ""),
    };
    let namespace = path.rsplit('/').nth(1).unwrap_or_default();
    if namespace == "bitnami" {
        return Some(1001);
    }
    if name.starts_with("cp-") && namespace == "confluentinc" {
        return Some(1000);
    }
    if name == "gitea" && tag.contains("rootless") {
        return Some(1000);
    }
    NON_ROOT
        .iter()
        .find(|(names, _)| names.contains(&name.as_str()))
        .map(|(_, gid)| *gid)
}

/// Where an image keeps the data directory it refuses to initialise when it is not empty,
/// and the directory of the claim to put it in. A fresh block volume's root holds
/// `lost+found`: postgres' initdb and mysqld --initialize stop there.
pub struct DataDir {
    pub path: &'static str,
    pub sub_path: &'static str,
}

impl DataDir {
    /// Whether a mount at `target` is the data directory: the recipe's path, or for
    /// postgres the versioned layouts (`/var/lib/postgresql/18/data`, `…/18/docker`).
    pub fn holds(&self, target: &str) -> bool {
        let target = target.trim_end_matches('/');
        if target == self.path {
            return true;
        }
        if self.sub_path != "pgdata" {
            return false;
        }
        let Some(rest) = target.strip_prefix("/var/lib/postgresql/") else {
            return false;
        };
        match rest.split_once('/') {
            Some((version, dir)) => {
                !version.is_empty()
                    && version.bytes().all(|b| b.is_ascii_digit())
                    && (dir == "data" || dir == "docker")
            }
            None => false,
        }
    }
}

const DATA_DIRS: &[(&[&str], DataDir)] = &[
    (
        &["postgres", "pgvector", "postgis", "timescaledb"],
        DataDir {
            path: "/var/lib/postgresql/data",
            sub_path: "pgdata",
        },
    ),
    (
        &[
            "mysql",
            "mysql-server",
            "percona",
            "percona-server",
            "mariadb",
        ],
        DataDir {
            path: "/var/lib/mysql",
            sub_path: "mysql",
        },
    ),
];

/// The data directory recipe of a database image, if it has one.
pub fn data_dir(image: &str) -> Option<&'static DataDir> {
    let name = repository_name(image);
    DATA_DIRS
        .iter()
        .find(|(names, _)| names.contains(&name.as_str()))
        .map(|(_, d)| d)
}

/// JVM servers and others that take minutes to start: their startup probes get a longer
/// budget when compose gives no `start_period`.
const SLOW_STARTERS: &[&str] = &[
    "elasticsearch",
    "opensearch",
    "logstash",
    "kafka",
    "cp-kafka",
    "cp-server",
    "zookeeper",
    "cp-zookeeper",
    "cassandra",
    "scylla",
    "solr",
    "neo4j",
    "keycloak",
    "sonarqube",
    "jenkins",
    "nexus3",
    "pulsar",
    "pulsar-all",
    "kibana",
    "clickhouse-server",
    "clickhouse",
];

pub fn starts_slowly(image: &str) -> bool {
    SLOW_STARTERS.contains(&repository_name(image).as_str())
}

/// Whether `image` is a valid image reference, by the grammar of the reference Go library
/// (`[domain/]path[:tag][@digest]`); the error says which part is wrong. A node cannot pull
/// an invalid reference: `apache/airflow:|version|` is a template left unfilled.
pub fn check_reference(image: &str) -> Result<(), &'static str> {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    if let Some(digest) = digest {
        let (algorithm, hex) = digest.split_once(':').ok_or("a digest is algorithm:hex")?;
        let algorithm_ok = !algorithm.is_empty()
            && algorithm.split(['+', '.', '_', '-']).all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if !algorithm_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("the digest is not algorithm:hex");
        }
    }
    // A ':' after the last '/' starts the tag; one before it is a registry's port.
    let (name, tag) = match rest.rfind(':') {
        Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    if let Some(tag) = tag {
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let ok = tag.len() <= 128
            && tag.bytes().next().is_some_and(word)
            && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-');
        if !ok {
            return Err("the tag may hold only letters, digits, '_', '.' and '-'");
        }
    }
    let mut components: Vec<&str> = name.split('/').collect();
    let first = components[0];
    if components.len() > 1
        && (first.contains(['.', ':'])
            || first == "localhost"
            || first.bytes().any(|b| b.is_ascii_uppercase()))
    {
        let (host, port) = first.split_once(':').unwrap_or((first, ""));
        let host_ok = host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
        if !host_ok
            || (first.contains(':')
                && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit())))
        {
            return Err("the registry is not a host name with an optional port");
        }
        components.remove(0);
    }
    let path_ok = components.iter().all(|c| {
        let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let bytes = c.as_bytes();
        !bytes.is_empty()
            && alnum(bytes[0])
            && alnum(bytes[bytes.len() - 1])
            && bytes
                .iter()
                .all(|&b| alnum(b) || matches!(b, b'.' | b'_' | b'-'))
            && !c.contains("..")
            && !c.contains("___")
            && !c.contains("._")
            && !c.contains("_.")
    });
    if !path_ok {
        return Err("the repository may hold only lower-case letters, digits and separators");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_match_on_a_word_of_their_name_unless_they_are_tools() {
        for (image, family) in [
            ("ghcr.io/posthog/kafka-container:v2.8.2", "kafka"),
            ("stefanprodan/swarmprom-prometheus:v2.5.0", "prometheus"),
            ("zulip/zulip-postgresql:14", "postgres"),
            ("clickhouse-self-hosted-local", "clickhouse"),
        ] {
            let known = lookup_variant(image).unwrap_or_else(|| panic!("{image}"));
            assert!(known.names.contains(&family), "{image}");
            assert!(known.stateful.is_some(), "{image}");
        }
        for image in [
            "mongo-express",
            "oliver006/redis_exporter",
            "provectuslabs/kafka-ui",
            "postgres-backup-local",
            "postgrest/postgrest",
            "redis",
        ] {
            assert!(lookup_variant(image).is_none(), "{image}");
        }
    }

    #[test]
    fn repository_name_ignores_registry_namespace_tag_and_digest() {
        for (image, name) in [
            ("postgres", "postgres"),
            ("postgres:16-alpine", "postgres"),
            ("docker.io/library/postgres:16", "postgres"),
            ("localhost:5000/team/postgres:16", "postgres"),
            ("postgres@sha256:0123abcd", "postgres"),
            ("ghcr.io/x/Postgres:1@sha256:00", "postgres"),
            ("registry:5000/redis", "redis"),
        ] {
            assert_eq!(repository_name(image), name, "{image}");
        }
    }

    #[test]
    fn every_entry_is_found_under_any_registry_and_tag() {
        for known in KNOWN_IMAGES {
            for name in known.names {
                for image in [
                    name.to_string(),
                    format!("{name}:1.2.3"),
                    format!("docker.io/library/{name}:latest"),
                    format!("registry.example.com:5000/team/{name}@sha256:abc"),
                ] {
                    let found = lookup(&image).unwrap_or_else(|| panic!("{image} not found"));
                    assert!(std::ptr::eq(found, known), "{image} matched another entry");
                }
            }
        }
    }

    #[test]
    fn names_are_unique_across_entries() {
        let mut seen = std::collections::HashSet::new();
        for known in KNOWN_IMAGES {
            for name in known.names {
                assert!(seen.insert(*name), "{name} listed twice");
            }
        }
    }

    #[test]
    fn clients_and_exporters_are_not_servers() {
        for image in [
            "redis-commander",
            "postgres-exporter",
            "prometheuscommunity/postgres-exporter",
            "mongo-express",
            "provectuslabs/kafka-ui",
            "redis/redisinsight",
            "busybox",
        ] {
            assert!(lookup(image).is_none(), "{image}");
        }
    }

    #[test]
    fn design_table_ports() {
        let ports = |image: &str| -> Vec<u16> {
            lookup(image)
                .map(|k| k.ports.iter().map(|p| p.port).collect())
                .unwrap_or_default()
        };
        assert_eq!(ports("postgres:16"), [5432]);
        assert_eq!(ports("mysql"), [3306]);
        assert_eq!(ports("mariadb"), [3306]);
        assert_eq!(ports("redis"), [6379]);
        assert_eq!(ports("valkey/valkey"), [6379]);
        assert_eq!(ports("mongo"), [27017]);
        assert_eq!(
            ports("docker.elastic.co/elasticsearch/elasticsearch:8"),
            [9200, 9300]
        );
        assert_eq!(ports("rabbitmq:3-management"), [5672]);
        assert_eq!(ports("confluentinc/cp-kafka"), [9092]);
        assert_eq!(ports("zookeeper"), [2181]);
        assert_eq!(ports("memcached"), [11211]);
        assert_eq!(ports("minio/minio"), [9000]);
        assert_eq!(ports("nats"), [4222]);
    }

    #[test]
    fn categories_and_companions() {
        assert_eq!(
            lookup("pgvector/pgvector:pg16").and_then(|k| k.stateful),
            Some(Category::Database)
        );
        assert_eq!(
            lookup("timescale/timescaledb").and_then(|k| k.stateful),
            Some(Category::Database)
        );
        assert_eq!(
            lookup("grafana/loki").and_then(|k| k.stateful),
            Some(Category::Metrics)
        );
        assert!(lookup("docker.elastic.co/beats/filebeat:8").is_some_and(|k| k.companion));
        assert!(lookup("fluent/fluent-bit").is_some_and(|k| k.companion));
        assert!(lookup("memcached").is_some_and(|k| k.stateful.is_none() && !k.companion));
        assert_eq!(Category::Broker.describe(), "message broker");
    }

    #[test]
    fn non_root_images_and_their_groups() {
        for (image, gid) in [
            (
                "docker.elastic.co/elasticsearch/elasticsearch:8.15.0",
                Some(1000),
            ),
            ("apache/airflow:2.10.3", Some(50000)),
            ("grafana/grafana:11.0.0", Some(472)),
            ("bitnami/postgresql:16", Some(1001)),
            ("confluentinc/cp-kafka:7.6.0", Some(1000)),
            ("gitea/gitea:1.22-rootless", Some(1000)),
            ("gitea/gitea:1.22", None),
            ("nginxinc/nginx-unprivileged:1.27", Some(101)),
            ("postgres:16", None),
            ("cp-kafka", None),
        ] {
            assert_eq!(non_root_group(image), gid, "{image}");
        }
    }

    #[test]
    fn database_data_directories() {
        assert_eq!(
            data_dir("postgres:16-alpine").map(|d| (d.path, d.sub_path)),
            Some(("/var/lib/postgresql/data", "pgdata"))
        );
        assert_eq!(data_dir("mariadb:11").map(|d| d.sub_path), Some("mysql"));
        assert!(data_dir("mongo:7").is_none() && data_dir("redis").is_none());
        let pg = data_dir("appwrite/postgres:17").unwrap();
        assert!(pg.holds("/var/lib/postgresql/data/") && pg.holds("/var/lib/postgresql/18/data"));
        assert!(pg.holds("/var/lib/postgresql/18/docker") && !pg.holds("/var/lib/postgresql"));
        assert!(starts_slowly("confluentinc/cp-kafka:7.6.0") && !starts_slowly("nginx"));
    }

    #[test]
    fn image_references_follow_the_grammar() {
        for good in [
            "postgres",
            "postgres:16-alpine",
            "docker.io/library/postgres:16",
            "localhost:5000/team/app:1.0",
            "ghcr.io/x/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "registry.example.com/a/b_c/d-e:v1_2.3",
            "myapp-web",
        ] {
            assert_eq!(check_reference(good), Ok(()), "{good}");
        }
        for bad in [
            "apache/airflow:|version|",
            "App/Web",
            "nginx:",
            "nginx@sha256:xyz",
            "-nginx",
            "a//b",
            "reg:port/app",
            "",
        ] {
            assert!(check_reference(bad).is_err(), "{bad}");
        }
    }
}
