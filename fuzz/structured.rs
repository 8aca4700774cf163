//! Compose documents built from structure, shared by the `compose_structured` target and the
//! stable replay test: services that name each other, real images, ports, volumes,
//! healthchecks, dependencies and extension keys, so that the fuzzer spends its time in
//! classification and translation rather than in the YAML parser.

use arbitrary::Arbitrary;
use compose2kube::classify::labels::LABELS;
use serde_json::{Map, Value, json};

const NAMES: [&str; 6] = ["db", "cache", "web", "worker", "init", "agent"];
const IMAGES: [&str; 12] = [
    "postgres:16",
    "mysql:8",
    "redis:7",
    "bitnami/kafka:3",
    "nginx:1.27",
    "busybox",
    "example/app:1",
    "prom/node-exporter",
    "fluent/fluent-bit",
    "minio/minio",
    "elasticsearch:8.15.0",
    "",
];
const WORDS: [&str; 12] = [
    "postgres://u:pw@db:5432/x",
    "redis://cache:6379",
    "http://web:8080/health",
    "db:5432",
    "${UNSET:-fallback}",
    "${DB_PASSWORD}",
    "$$HOME",
    "0 3 * * *",
    "statefulset",
    "sidecar:web",
    "true",
    "-----BEGIN PRIVATE KEY-----",
];
const KEYS: [&str; 12] = [
    "DB_PASSWORD",
    "DATABASE_URL",
    "REDIS_HOST",
    "compose2kube.kind",
    "kompose.service.type",
    "kompose.volume.size",
    "compose2kube.schedule",
    "kompose.service.expose",
    "API_KEY",
    "PORT",
    "x",
    "",
];
const LABEL_VALUES: [&str; 20] = [
    "nodeport",
    "headless",
    "loadbalancer",
    "30080",
    "3",
    "1Gi",
    "true",
    "a.example.com/api, b.example.com",
    "Forbid",
    "IfNotPresent",
    "local",
    "statefulset",
    "0 3 * * *",
    "my-account",
    "",
    "-1",
    "configMap",
    "emptyDir",
    "hostPath",
    "db",
];
const PORTS: [&str; 10] = [
    "80",
    "8080:80",
    "127.0.0.1:5432:5432",
    "9000-9002:9000-9002",
    "53/udp",
    "443:443/tcp",
    "0",
    "65536",
    "3000",
    "1-3:1-3",
];
const VOLUMES: [&str; 8] = [
    "data:/var/lib/postgresql/data",
    "./conf:/etc/conf:ro",
    "/var/run/docker.sock:/var/run/docker.sock",
    "logs:/logs",
    "/tmp",
    "shared:/shared:ro",
    "../outside:/o",
    "data:/data",
];
const TESTS: [&str; 6] = [
    "pg_isready -U postgres",
    "curl -f http://localhost:8080/health || exit 1",
    "redis-cli ping",
    "mysqladmin ping -p${DB_PASSWORD}",
    "",
    "wget -q -O- localhost",
];

#[derive(Arbitrary, Debug)]
pub struct Doc {
    services: Vec<Svc>,
    named_volumes: u8,
}

#[derive(Arbitrary, Debug)]
pub struct Svc {
    name: u8,
    image: u8,
    build: bool,
    ports: Vec<u8>,
    expose: Vec<u16>,
    volumes: Vec<u8>,
    environment: Vec<(u8, u8)>,
    labels: Vec<(u8, u8)>,
    depends_on: Vec<(u8, u8)>,
    healthcheck: Option<(u8, u8)>,
    command: Option<u8>,
    network_mode: Option<u8>,
    restart: Option<u8>,
    replicas: Option<i8>,
    global: bool,
    x_kind: Option<u8>,
}

fn pick<'a>(list: &[&'a str], i: u8) -> &'a str {
    list[usize::from(i) % list.len()]
}

fn service(s: &Svc) -> Value {
    let mut m = Map::new();
    if !pick(&IMAGES, s.image).is_empty() {
        m.insert("image".into(), json!(pick(&IMAGES, s.image)));
    }
    if s.build {
        m.insert("build".into(), json!("."));
    }
    let ports: Vec<&str> = s.ports.iter().map(|&i| pick(&PORTS, i)).collect();
    if !ports.is_empty() {
        m.insert("ports".into(), json!(ports));
    }
    if !s.expose.is_empty() {
        m.insert("expose".into(), json!(s.expose));
    }
    let volumes: Vec<&str> = s.volumes.iter().map(|&i| pick(&VOLUMES, i)).collect();
    if !volumes.is_empty() {
        m.insert("volumes".into(), json!(volumes));
    }
    let pairs = |list: &[(u8, u8)]| -> Value {
        list.iter()
            .map(|&(k, v)| (pick(&KEYS, k).to_owned(), json!(pick(&WORDS, v))))
            .collect::<Map<_, _>>()
            .into()
    };
    if !s.environment.is_empty() {
        m.insert("environment".into(), pairs(&s.environment));
    }
    if !s.labels.is_empty() {
        // Every label compose2kube knows, and a misspelt one, with values each may take.
        let labels: Map<String, Value> = s
            .labels
            .iter()
            .map(|&(k, v)| {
                let name = LABELS
                    .get(usize::from(k))
                    .map_or("kompose.service.typ", |l| l.name);
                (name.to_owned(), json!(pick(&LABEL_VALUES, v)))
            })
            .collect();
        m.insert("labels".into(), labels.into());
    }
    if !s.depends_on.is_empty() {
        let conditions = [
            "service_started",
            "service_healthy",
            "service_completed_successfully",
        ];
        let deps: Map<String, Value> = s
            .depends_on
            .iter()
            .map(|&(n, c)| {
                (
                    pick(&NAMES, n).to_owned(),
                    json!({"condition": pick(&conditions, c)}),
                )
            })
            .collect();
        m.insert("depends_on".into(), deps.into());
    }
    if let Some((test, interval)) = s.healthcheck {
        m.insert(
            "healthcheck".into(),
            json!({"test": pick(&TESTS, test), "interval": format!("{}s", interval % 90), "retries": interval % 7}),
        );
    }
    if let Some(c) = s.command {
        m.insert("command".into(), json!(pick(&WORDS, c)));
    }
    if let Some(n) = s.network_mode {
        let modes = ["host", "service:web", "service:db", "none", "bridge"];
        m.insert("network_mode".into(), json!(pick(&modes, n)));
    }
    if let Some(r) = s.restart {
        let policies = [
            "no",
            "always",
            "on-failure",
            "unless-stopped",
            "on-failure:3",
        ];
        m.insert("restart".into(), json!(pick(&policies, r)));
    }
    let mut deploy = Map::new();
    if let Some(r) = s.replicas {
        deploy.insert("replicas".into(), json!(r));
    }
    if s.global {
        deploy.insert("mode".into(), json!("global"));
    }
    if !deploy.is_empty() {
        m.insert("deploy".into(), deploy.into());
    }
    if let Some(k) = s.x_kind {
        let kinds = [
            "deployment",
            "statefulset",
            "daemonset",
            "job",
            "cronjob",
            "sidecar:web",
            "init:web",
        ];
        m.insert(
            "x-kubernetes".into(),
            json!({"kind": pick(&kinds, k), "schedule": "@daily"}),
        );
    }
    m.into()
}

fn document(doc: &Doc) -> Value {
    let services: Map<String, Value> = doc
        .services
        .iter()
        .map(|s| (pick(&NAMES, s.name).to_owned(), service(s)))
        .collect();
    let volumes: Map<String, Value> = ["data", "logs", "shared"]
        .iter()
        .take(usize::from(doc.named_volumes % 4))
        .map(|v| ((*v).to_owned(), json!({})))
        .collect();
    json!({"services": services, "volumes": volumes})
}

/// The compose text a fuzz input stands for, or None when the bytes do not make a `Doc`.
pub fn text(bytes: &[u8]) -> Option<String> {
    let doc = Doc::arbitrary_take_rest(arbitrary::Unstructured::new(bytes)).ok()?;
    compose2kube::compose::render::to_yaml(&document(&doc)).ok()
}
