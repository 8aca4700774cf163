//! Configuration and secrets: `environment`, `env_file`, and the top-level `configs` and
//! `secrets` (DESIGN.md §4 "Container" and "configs / secrets").
//!
//! - `environment` → `env`, in compose order; a key without a value is left out, as compose
//!   leaves unset variables out.
//! - Keys that look secret ([`looks_secret`]), values that hold a password
//!   ([`holds_credentials`]: `postgres://app:s3cret@db/app`) or a PEM private key, and any
//!   value equal to one of those elsewhere in the project (when [`distinctive`]: not a short
//!   lower-case word like `postgres`) have their values in one Secret `<service>-env`, read
//!   through `secretKeyRef`: values never appear in a diagnostic.
//! - `env_file` → one ConfigMap `<service>-env` with the files' values (later files win) and
//!   `envFrom`; secret-looking keys of the files go to the Secret `<service>-env`, also
//!   through `envFrom`. Keys set in `environment` are left out of both: compose gives
//!   `environment` precedence, and one value per key is clearer to read. Keys that are not
//!   valid ConfigMap keys become plain `env` entries.
//! - A top-level config or secret used by a service → a ConfigMap or Secret named after it
//!   (emitted once), one key: the file's name for `file`, the config's name for `content`
//!   and `environment`. UTF-8 file content goes to `data`, anything else to `binaryData`
//!   (Secrets always `data`, base64). `external: true` → referenced by name, not emitted, a
//!   note. Unused ones are not emitted, with a warning.
//! - Mounted read-only at the compose target (configs default `/<source>`, secrets
//!   `/run/secrets/<source>`, a relative secret target under `/run/secrets/`) with `subPath`,
//!   so only that file appears there; `mode` → the item's mode. `uid`/`gid` → a warning.
//! - `--secrets reference`: no Secret objects, only the references, and a note per Secret
//!   with the `kubectl create secret` command (placeholders, never values).
//! - Files outside the project directory are refused unless `--allow-outside-project`; a
//!   missing file and a ConfigMap or Secret over 1 MiB are errors.

use std::collections::{BTreeMap, HashSet};

use indexmap::IndexMap;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, EnvFromSource, EnvVar, Secret, Volume, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::build::names::labels;
use crate::compose::model::Project;
use crate::compose::{Error, Loaded};
use crate::diagnostic::Diagnostic;
use crate::files::ProjectFiles;
use crate::options::{Options, SecretsMode};

/// The API server refuses ConfigMaps and Secrets larger than this.
pub const MAX_OBJECT_BYTES: usize = 1024 * 1024;

mod env;
mod mounted;

pub use env::{distinctive, holds_credentials, is_secret, looks_secret};

#[derive(Debug, Clone, Default)]
pub struct Configuration {
    pub config_maps: Vec<ConfigMap>,
    pub secrets: Vec<Secret>,
    /// Every compose service of the project, in order.
    pub containers: IndexMap<String, ContainerConfig>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerConfig {
    /// The container's whole `env`.
    pub env: Vec<EnvVar>,
    pub env_from: Vec<EnvFromSource>,
    pub volumes: Vec<Volume>,
    pub mounts: Vec<VolumeMount>,
}

fn object_meta(project: &Project, name: &str) -> ObjectMeta {
    let mut l = labels(project, name);
    l.remove("app.kubernetes.io/name");
    ObjectMeta {
        name: Some(name.to_owned()),
        labels: Some(l),
        ..ObjectMeta::default()
    }
}

/// One ConfigMap or Secret on its way out, with its keys and whether it holds secrets.
#[derive(Default)]
struct Pending {
    text: BTreeMap<String, String>,
    binary: BTreeMap<String, Vec<u8>>,
    /// Referenced but left for the user to create.
    missing: bool,
}

impl Pending {
    fn size(&self) -> usize {
        self.text
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
            + self
                .binary
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
    }
}

/// The environment, ConfigMaps and Secrets of every service.
pub fn configuration(
    loaded: &Loaded,
    files: &dyn ProjectFiles,
    options: &Options,
) -> Result<Configuration, Error> {
    let project = &loaded.project;
    let mut b = Builder {
        loaded,
        files,
        options,
        secret_values: secret_values(loaded),
        config_maps: IndexMap::new(),
        secrets: IndexMap::new(),
        diagnostics: Vec::new(),
    };
    let mut containers = IndexMap::new();
    for (name, service) in &project.services {
        let mut container = ContainerConfig::default();
        b.environment(name, service, &mut container);
        for (i, reference) in service.configs.iter().enumerate() {
            let path = format!("services.{name}.configs[{i}]");
            b.mount(&path, reference, false, &mut container)?;
        }
        for (i, reference) in service.secrets.iter().enumerate() {
            let path = format!("services.{name}.secrets[{i}]");
            b.mount(&path, reference, true, &mut container)?;
        }
        containers.insert(name.clone(), container);
    }
    warn_unused(project, &mut b.diagnostics);
    let config_maps = config_maps(loaded, b.config_maps)?;
    let secrets = if options.secrets == SecretsMode::Embed {
        secrets(loaded, b.secrets)?
    } else {
        Vec::new()
    };
    Ok(Configuration {
        config_maps,
        secrets,
        containers,
        diagnostics: b.diagnostics,
    })
}

/// The objects being gathered while the services are read.
struct Builder<'a> {
    loaded: &'a Loaded,
    files: &'a dyn ProjectFiles,
    options: &'a Options,
    /// Every distinctive value some service keeps in a Secret: the same value under a plain
    /// key elsewhere goes to the Secret too, or the manifests would print it anyway.
    secret_values: HashSet<&'a str>,
    config_maps: IndexMap<String, Pending>,
    secrets: IndexMap<String, Pending>,
    diagnostics: Vec<Diagnostic>,
}

fn secret_values(loaded: &Loaded) -> HashSet<&str> {
    let environment = loaded.project.services.values().flat_map(|s| {
        s.environment
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.as_deref()?)))
    });
    let env_files = loaded
        .env_files
        .values()
        .flat_map(|values| values.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    environment
        .chain(env_files)
        .filter(|(k, v)| is_secret(k, v) && distinctive(v))
        .map(|(_, v)| v)
        .collect()
}

/// Top-level configs and secrets no service uses are not emitted.
fn warn_unused(project: &Project, diagnostics: &mut Vec<Diagnostic>) {
    for (kind, defined, used) in [
        ("configs", project.configs.keys().collect::<Vec<_>>(), false),
        ("secrets", project.secrets.keys().collect::<Vec<_>>(), true),
    ] {
        for key in defined {
            let in_use = project.services.values().any(|s| {
                let refs = if used { &s.secrets } else { &s.configs };
                refs.iter().any(|r| &r.source == key)
            });
            if !in_use {
                diagnostics.push(Diagnostic::warning(
                    format!("{kind}.{key}"),
                    "not used by any service; not emitted",
                ));
            }
        }
    }
}

/// The API server's size limit, checked before anything is written.
fn check_size(loaded: &Loaded, kind: &str, name: &str, pending: &Pending) -> Result<(), Error> {
    if pending.size() > MAX_OBJECT_BYTES {
        return Err(loaded.error(
            "",
            format!(
                "{kind} {name} would hold {} bytes; Kubernetes accepts at most 1 MiB",
                pending.size()
            ),
        ));
    }
    Ok(())
}

fn config_maps(
    loaded: &Loaded,
    pending: IndexMap<String, Pending>,
) -> Result<Vec<ConfigMap>, Error> {
    let mut out = Vec::new();
    for (name, pending) in pending {
        if pending.missing {
            continue;
        }
        check_size(loaded, "ConfigMap", &name, &pending)?;
        out.push(ConfigMap {
            metadata: object_meta(&loaded.project, &name),
            data: (!pending.text.is_empty()).then_some(pending.text),
            binary_data: (!pending.binary.is_empty()).then(|| {
                pending
                    .binary
                    .into_iter()
                    .map(|(k, v)| (k, ByteString(v)))
                    .collect()
            }),
            ..ConfigMap::default()
        });
    }
    Ok(out)
}

fn secrets(loaded: &Loaded, pending: IndexMap<String, Pending>) -> Result<Vec<Secret>, Error> {
    let mut out = Vec::new();
    for (name, pending) in pending {
        check_size(loaded, "Secret", &name, &pending)?;
        let mut data: BTreeMap<String, ByteString> = pending
            .text
            .into_iter()
            .map(|(k, v)| (k, ByteString(v.into_bytes())))
            .collect();
        data.extend(pending.binary.into_iter().map(|(k, v)| (k, ByteString(v))));
        out.push(Secret {
            metadata: object_meta(&loaded.project, &name),
            type_: Some("Opaque".into()),
            data: Some(data),
            ..Secret::default()
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::Disk;
    use std::path::Path;

    fn load(dir: &Path, yaml: &str) -> Loaded {
        std::fs::write(dir.join("compose.yaml"), yaml).unwrap();
        crate::compose::load(&crate::compose::LoadOptions {
            working_dir: dir.to_path_buf(),
            interpolate: true,
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn secret_looking_keys() {
        for key in [
            "DB_PASSWORD",
            "api_token",
            "SECRET_KEY_BASE",
            "AWS_SECRET_ACCESS_KEY",
            "STRIPE_KEY",
            "PGPASS",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "DB_PASSWD",
            "_APP_OPENSSL_KEY_V1",
            "API_KEY_READ_ONLY",
            "OPENAI_APIKEY",
            "JWT_PRIVATE_KEY",
            "key",
        ] {
            assert!(looks_secret(key), "{key}");
        }
        for key in [
            "DB_HOST",
            "POSTGRES_PASSWORD_FILE",
            "TLS_KEY_PATH",
            "KEYCLOAK_URL",
            "MONKEY_MODE",
            "PASSAGE",
        ] {
            assert!(!looks_secret(key), "{key}");
        }
    }

    #[test]
    fn pem_values_are_secret() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----";
        let cert = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----";
        assert!(is_secret("SIGNING", key));
        assert!(is_secret("TLS_CERT", cert));
        assert!(!is_secret("CA_BUNDLE", cert));
        assert!(!is_secret("GREETING", "hello"));
    }

    #[test]
    fn a_secret_value_under_a_plain_key_goes_to_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(
            dir.path(),
            "services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: Xk9-long-pass\n      POSTGRES_USER: postgres\n  app:\n    image: app\n    environment:\n      DB_AUTH: Xk9-long-pass\n      DB_USER: postgres\n      DB_PASS: postgres\n",
        );
        let c = configuration(&loaded, &Disk, &Options::default()).unwrap();
        let env = &c.containers["app"].env;
        assert!(env[0].value.is_none(), "{:?}", env[0]);
        assert_eq!(env[1].value.as_deref(), Some("postgres"));
        assert!(env[2].value.is_none());
        let app = c
            .secrets
            .iter()
            .find(|s| s.metadata.name.as_deref() == Some("app-env"));
        let keys: Vec<&String> = app.unwrap().data.as_ref().unwrap().keys().collect();
        assert_eq!(keys, ["DB_AUTH", "DB_PASS"]);
    }

    #[test]
    fn urls_with_passwords_are_credentials() {
        assert!(holds_credentials("postgres://app:s3cret@db:5432/app"));
        assert!(holds_credentials("redis://:pw@cache:6379/0"));
        assert!(!holds_credentials("postgres://app@db:5432/app"));
        assert!(!holds_credentials("http://api:8000/v1?next=a@b"));
        assert!(!holds_credentials("user:pass@host"));
    }

    #[test]
    fn environment_in_order_with_secret_refs() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(
            dir.path(),
            "services:\n  web:\n    image: app\n    environment:\n      A: one\n      DB_PASSWORD: hunter2\n      CMD: echo $$(date)\n      UNSET:\n",
        );
        let c = configuration(&loaded, &Disk, &Options::default()).unwrap();
        let env = &c.containers["web"].env;
        let names: Vec<&str> = env.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["A", "DB_PASSWORD", "CMD"]);
        assert_eq!(env[2].value.as_deref(), Some("echo $$(date)"));
        let r = env[1]
            .value_from
            .as_ref()
            .unwrap()
            .secret_key_ref
            .as_ref()
            .unwrap();
        assert_eq!(
            (r.name.as_str(), r.key.as_str()),
            ("web-env", "DB_PASSWORD")
        );
        assert_eq!(
            c.secrets[0].data.as_ref().unwrap()["DB_PASSWORD"].0,
            b"hunter2"
        );
    }

    #[test]
    fn env_files_become_a_config_map_and_environment_wins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("app.env"),
            "A=from-file\nB=two\nAPI_TOKEN=t0k\n",
        )
        .unwrap();
        let loaded = load(
            dir.path(),
            "services:\n  web:\n    image: app\n    env_file: app.env\n    environment:\n      A: mine\n",
        );
        let c = configuration(&loaded, &Disk, &Options::default()).unwrap();
        let cm = &c.config_maps[0];
        assert_eq!(cm.metadata.name.as_deref(), Some("web-env"));
        assert_eq!(cm.data.as_ref().unwrap().keys().collect::<Vec<_>>(), ["B"]);
        assert_eq!(
            c.secrets[0]
                .data
                .as_ref()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["API_TOKEN"]
        );
        let from = &c.containers["web"].env_from;
        assert!(from[0].config_map_ref.is_some() && from[1].secret_ref.is_some());
    }

    #[test]
    fn configs_and_secrets_are_mounted_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("nginx.conf"), "events {}\n").unwrap();
        std::fs::write(dir.path().join("logo.png"), [0x89, b'P', b'N', b'G', 0xff]).unwrap();
        std::fs::write(dir.path().join("db_password.txt"), "s3cret\n").unwrap();
        let loaded = load(
            dir.path(),
            "services:\n  web:\n    image: nginx\n    configs:\n      - source: nginx\n        target: /etc/nginx/nginx.conf\n        mode: 0440\n      - logo\n    secrets: [db_password]\nconfigs:\n  nginx:\n    file: ./nginx.conf\n  logo:\n    file: ./logo.png\n  unused:\n    content: x\nsecrets:\n  db_password:\n    file: ./db_password.txt\n",
        );
        let c = configuration(&loaded, &Disk, &Options::default()).unwrap();
        let web = &c.containers["web"];
        let mounts: Vec<(&str, &str)> = web
            .mounts
            .iter()
            .map(|m| (m.mount_path.as_str(), m.sub_path.as_deref().unwrap()))
            .collect();
        assert_eq!(
            mounts,
            [
                ("/etc/nginx/nginx.conf", "nginx.conf"),
                ("/logo", "logo.png"),
                ("/run/secrets/db_password", "db_password.txt")
            ]
        );
        let nginx = web.volumes[0].config_map.as_ref().unwrap();
        assert_eq!(nginx.items.as_ref().unwrap()[0].mode, Some(0o440));
        assert!(
            c.config_maps[1]
                .binary_data
                .as_ref()
                .unwrap()
                .contains_key("logo.png")
        );
        assert_eq!(c.diagnostics[0].path, "configs.unused");
    }

    #[test]
    fn reference_mode_emits_no_secret_and_no_value() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(
            dir.path(),
            "services:\n  web:\n    image: app\n    environment:\n      DB_PASSWORD: hunter2\n",
        );
        let options = Options {
            secrets: SecretsMode::Reference,
            ..Options::default()
        };
        let c = configuration(&loaded, &Disk, &options).unwrap();
        assert!(c.secrets.is_empty());
        let text = format!("{:?}", c.diagnostics);
        assert!(
            text.contains(
                "kubectl create secret generic web-env --from-literal=DB_PASSWORD=<value>"
            )
        );
        assert!(!text.contains("hunter2"));
        assert!(!format!("{:?}", c.containers).contains("hunter2"));
    }

    #[test]
    fn bad_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("key"), "k").unwrap();
        let yaml = format!(
            "services:\n  web:\n    image: app\n    secrets: [key]\nsecrets:\n  key:\n    file: {}\n",
            outside.path().join("key").display()
        );
        let loaded = load(dir.path(), &yaml);
        let e = configuration(&loaded, &Disk, &Options::default()).unwrap_err();
        assert!(e.message.contains("outside the project directory"), "{e}");
        let allowed = Options {
            allow_outside_project: true,
            ..Options::default()
        };
        assert!(configuration(&loaded, &Disk, &allowed).is_ok());

        let loaded = load(
            dir.path(),
            "services:\n  web:\n    image: app\n    secrets: [key]\nsecrets:\n  key:\n    file: ./missing.txt\n",
        );
        let e = configuration(&loaded, &Disk, &Options::default()).unwrap_err();
        assert!(e.message.contains("does not exist"), "{e}");
        assert_eq!(e.path, "secrets.key.file");

        std::fs::write(dir.path().join("big.bin"), vec![b'x'; MAX_OBJECT_BYTES + 1]).unwrap();
        let loaded = load(
            dir.path(),
            "services:\n  web:\n    image: app\n    configs: [big]\nconfigs:\n  big:\n    file: ./big.bin\n",
        );
        let e = configuration(&loaded, &Disk, &Options::default()).unwrap_err();
        assert!(e.message.contains("at most 1 MiB"), "{e}");
    }

    #[test]
    fn a_missing_config_file_is_referenced_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(
            dir.path(),
            "services:\n  web:\n    image: app\n    configs: [site]\nconfigs:\n  site:\n    file: ./Caddyfile\n",
        );
        let c = configuration(&loaded, &Disk, &Options::default()).unwrap();
        assert!(c.config_maps.is_empty());
        assert_eq!(c.containers["web"].mounts[0].mount_path, "/site");
        assert!(
            c.diagnostics[0]
                .message
                .contains("kubectl create configmap site --from-file=Caddyfile=")
        );
    }

    #[test]
    fn external_configs_are_referenced_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(
            dir.path(),
            "services:\n  web:\n    image: app\n    configs: [site]\nconfigs:\n  site:\n    external: true\n    name: shared-site\n",
        );
        let c = configuration(&loaded, &Disk, &Options::default()).unwrap();
        assert!(c.config_maps.is_empty());
        assert_eq!(
            c.containers["web"].volumes[0]
                .config_map
                .as_ref()
                .unwrap()
                .name,
            "shared-site"
        );
        assert_eq!(c.diagnostics[0].level, crate::diagnostic::Level::Note);
    }
}
