//! Configuration and secrets: `environment`, `env_file`, and the top-level `configs` and
//! `secrets` (DESIGN.md §4 "Container" and "configs / secrets").
//!
//! - `environment` → `env`, in compose order; a key without a value is left out, as compose
//!   leaves unset variables out.
//! - Keys that look secret ([`looks_secret`]), and values that hold a password
//!   ([`holds_credentials`]: `postgres://app:s3cret@db/app`), have their values in one Secret
//!   `<service>-env`, read through `secretKeyRef`: values never appear in a diagnostic.
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

use std::collections::BTreeMap;
use std::path::Path;

use indexmap::IndexMap;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapEnvSource, ConfigMapVolumeSource, EnvFromSource, EnvVar, EnvVarSource,
    KeyToPath, Secret, SecretEnvSource, SecretKeySelector, SecretVolumeSource, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::build::names::{escape, labels, sanitize_name};
use crate::compose::model::{FileReference, Project};
use crate::compose::{Error, Loaded};
use crate::diagnostic::Diagnostic;
use crate::files::ProjectFiles;
use crate::options::{Options, SecretsMode};

/// The API server refuses ConfigMaps and Secrets larger than this.
pub const MAX_OBJECT_BYTES: usize = 1024 * 1024;

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

/// Environment keys whose values belong in a Secret: containing PASSWORD, SECRET, TOKEN or
/// CREDENTIALS, or ending in `_KEY` or `PASS` (case-insensitive). Keys ending in `_FILE`
/// name a file that holds the secret, not the secret, and stay plain.
pub fn looks_secret(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    if k.ends_with("_FILE") {
        return false;
    }
    ["PASSWORD", "SECRET", "TOKEN", "CREDENTIALS"]
        .iter()
        .any(|w| k.contains(w))
        || k.ends_with("_KEY")
        || k.ends_with("PASS")
}

/// Values that carry a password whatever their key: URLs with `user:password@`
/// (`postgres://app:s3cret@db:5432/app`).
pub fn holds_credentials(value: &str) -> bool {
    value.split("://").skip(1).any(|rest| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        authority.rsplit_once('@').is_some_and(|(userinfo, _)| {
            userinfo.split_once(':').is_some_and(|(_, p)| !p.is_empty())
        })
    })
}

fn is_config_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A file name as a ConfigMap key.
fn key_of(name: &str) -> String {
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

pub fn configuration(
    loaded: &Loaded,
    files: &dyn ProjectFiles,
    options: &Options,
) -> Result<Configuration, Error> {
    let project = &loaded.project;
    let mut out = Configuration::default();
    let mut config_maps: IndexMap<String, Pending> = IndexMap::new();
    let mut secrets: IndexMap<String, Pending> = IndexMap::new();
    for (name, service) in &project.services {
        let k8s = sanitize_name(name);
        let env_name = format!(
            "{}-env",
            k8s.chars()
                .take(59)
                .collect::<String>()
                .trim_end_matches('-')
        );
        let mut container = ContainerConfig::default();
        let mut secret_env: BTreeMap<String, String> = BTreeMap::new();
        for (key, value) in &service.environment {
            let Some(value) = value else { continue };
            if looks_secret(key) || holds_credentials(value) {
                secret_env.insert(key.clone(), value.clone());
                container.env.push(EnvVar {
                    name: key.clone(),
                    value_from: Some(EnvVarSource {
                        secret_key_ref: Some(SecretKeySelector {
                            name: env_name.clone(),
                            key: key.clone(),
                            optional: None,
                        }),
                        ..EnvVarSource::default()
                    }),
                    ..EnvVar::default()
                });
            } else {
                container.env.push(EnvVar {
                    name: key.clone(),
                    value: Some(escape(value)),
                    ..EnvVar::default()
                });
            }
        }
        // env_file values, later files winning, environment keys left out.
        let mut from_files: IndexMap<String, String> = IndexMap::new();
        for file in &service.env_file {
            if let Some(values) = loaded.env_files.get(&file.path) {
                for (k, v) in values {
                    from_files.insert(k.clone(), v.clone());
                }
            }
        }
        let mut file_plain: BTreeMap<String, String> = BTreeMap::new();
        let mut file_secret = false;
        for (key, value) in from_files {
            if service.environment.contains_key(&key) {
                continue;
            }
            if !is_config_key(&key) {
                container.env.push(EnvVar {
                    name: key,
                    value: Some(escape(&value)),
                    ..EnvVar::default()
                });
            } else if looks_secret(&key) || holds_credentials(&value) {
                secret_env.insert(key, value);
                file_secret = true;
            } else {
                file_plain.insert(key, value);
            }
        }
        if !file_plain.is_empty() {
            container.env_from.push(EnvFromSource {
                config_map_ref: Some(ConfigMapEnvSource {
                    name: env_name.clone(),
                    optional: None,
                }),
                ..EnvFromSource::default()
            });
            config_maps.insert(
                env_name.clone(),
                Pending {
                    text: file_plain,
                    ..Pending::default()
                },
            );
        }
        if file_secret {
            container.env_from.push(EnvFromSource {
                secret_ref: Some(SecretEnvSource {
                    name: env_name.clone(),
                    optional: None,
                }),
                ..EnvFromSource::default()
            });
        }
        if !secret_env.is_empty() {
            if options.secrets == SecretsMode::Reference {
                let keys: Vec<String> = secret_env
                    .keys()
                    .map(|k| format!("--from-literal={k}=<value>"))
                    .collect();
                out.diagnostics.push(Diagnostic::note(
                    format!("services.{name}.environment"),
                    format!(
                        "create the Secret it reads: kubectl create secret generic {env_name} {}",
                        keys.join(" ")
                    ),
                ));
            }
            secrets.insert(
                env_name.clone(),
                Pending {
                    text: secret_env,
                    ..Pending::default()
                },
            );
        }
        for (i, reference) in service.configs.iter().enumerate() {
            mount(
                loaded,
                files,
                options,
                &format!("services.{name}.configs[{i}]"),
                reference,
                false,
                &mut container,
                &mut config_maps,
                &mut out.diagnostics,
            )?;
        }
        for (i, reference) in service.secrets.iter().enumerate() {
            mount(
                loaded,
                files,
                options,
                &format!("services.{name}.secrets[{i}]"),
                reference,
                true,
                &mut container,
                &mut secrets,
                &mut out.diagnostics,
            )?;
        }
        out.containers.insert(name.clone(), container);
    }
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
                out.diagnostics.push(Diagnostic::warning(
                    format!("{kind}.{key}"),
                    "not used by any service; not emitted",
                ));
            }
        }
    }
    for (name, pending) in config_maps {
        if pending.missing {
            continue;
        }
        if pending.size() > MAX_OBJECT_BYTES {
            return Err(loaded.error(
                "",
                format!(
                    "ConfigMap {name} would hold {} bytes; Kubernetes accepts at most 1 MiB",
                    pending.size()
                ),
            ));
        }
        out.config_maps.push(ConfigMap {
            metadata: object_meta(project, &name),
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
    if options.secrets == SecretsMode::Embed {
        for (name, pending) in secrets {
            if pending.size() > MAX_OBJECT_BYTES {
                return Err(loaded.error(
                    "",
                    format!(
                        "Secret {name} would hold {} bytes; Kubernetes accepts at most 1 MiB",
                        pending.size()
                    ),
                ));
            }
            let mut data: BTreeMap<String, ByteString> = pending
                .text
                .into_iter()
                .map(|(k, v)| (k, ByteString(v.into_bytes())))
                .collect();
            data.extend(pending.binary.into_iter().map(|(k, v)| (k, ByteString(v))));
            out.secrets.push(Secret {
                metadata: object_meta(project, &name),
                type_: Some("Opaque".into()),
                data: Some(data),
                ..Secret::default()
            });
        }
    }
    Ok(out)
}

/// One `configs:` or `secrets:` entry of a service: the object (once), the pod volume and the
/// mount.
#[allow(clippy::too_many_arguments)]
fn mount(
    loaded: &Loaded,
    files: &dyn ProjectFiles,
    options: &Options,
    path: &str,
    reference: &FileReference,
    secret: bool,
    container: &mut ContainerConfig,
    objects: &mut IndexMap<String, Pending>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Error> {
    let project = &loaded.project;
    let kind = if secret { "secrets" } else { "configs" };
    let source = &reference.source;
    let (file, content, environment, external, external_name) = if secret {
        let Some(s) = project.secrets.get(source) else {
            return Ok(());
        };
        if s.driver.is_some() || !s.driver_opts.is_empty() || s.template_driver.is_some() {
            diagnostics.push(Diagnostic::warning(
                format!("{kind}.{source}"),
                "secret drivers and template drivers are not translated; the Secret holds the value as given",
            ));
        }
        (
            s.file.clone(),
            None,
            s.environment.clone(),
            s.external,
            s.name.clone(),
        )
    } else {
        let Some(c) = project.configs.get(source) else {
            return Ok(());
        };
        if c.template_driver.is_some() {
            diagnostics.push(Diagnostic::warning(
                format!("{kind}.{source}.template_driver"),
                "templates are not rendered; the ConfigMap holds the file as it is",
            ));
        }
        (
            c.file.clone(),
            c.content.clone(),
            c.environment.clone(),
            c.external,
            c.name.clone(),
        )
    };
    let object = if external {
        external_name.clone().unwrap_or_else(|| source.clone())
    } else {
        sanitize_name(source)
    };
    let key = match &file {
        Some(f) => key_of(
            Path::new(f)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
                .as_str(),
        ),
        None => key_of(source),
    };
    if external {
        diagnostics.push(Diagnostic::note(
            format!("{kind}.{source}"),
            format!(
                "external: the {} {object} must exist in the namespace; it is referenced, not emitted",
                if secret { "Secret" } else { "ConfigMap" }
            ),
        ));
    } else if !objects.contains_key(&object) {
        let bytes: Vec<u8> = if let Some(f) = &file {
            let file_path = Path::new(f);
            if !file_path.starts_with(&loaded.project_dir) && !options.allow_outside_project {
                return Err(loaded.error(&format!("{kind}.{source}.file"),
                    format!(
                        "{f} is outside the project directory; pass --allow-outside-project to read it"
                    ),
                ));
            }
            match files.stat(file_path) {
                Some(entry) if entry.kind == crate::files::Kind::File => {
                    if entry.size as usize > MAX_OBJECT_BYTES {
                        return Err(loaded.error(
                            &format!("{kind}.{source}.file"),
                            format!(
                                "{f} is {} bytes; a ConfigMap or Secret holds at most 1 MiB",
                                entry.size
                            ),
                        ));
                    }
                    files.read(file_path).map_err(|e| {
                        loaded.error(
                            &format!("{kind}.{source}.file"),
                            format!("cannot read {f}: {e}"),
                        )
                    })?
                }
                Some(_) => {
                    return Err(loaded.error(
                        &format!("{kind}.{source}.file"),
                        format!("{f} is not a file"),
                    ));
                }
                // A config is not secret: its ConfigMap can be made from the file later,
                // and the rest of the project still converts. A missing secret stays an
                // error, as a Secret must never be guessed.
                None if !secret => {
                    diagnostics.push(Diagnostic::warning(
                        format!("{kind}.{source}.file"),
                        format!("{f} does not exist; the pods refer to ConfigMap {object}, which is not emitted: create it with kubectl create configmap {object} --from-file={key}={f}"),
                    ));
                    objects.insert(
                        object.clone(),
                        Pending {
                            missing: true,
                            ..Pending::default()
                        },
                    );
                    return finish_mount(
                        reference,
                        secret,
                        &object,
                        &key,
                        container,
                        diagnostics,
                        path,
                    );
                }
                None => {
                    return Err(loaded.error(
                        &format!("{kind}.{source}.file"),
                        format!("{f} does not exist"),
                    ));
                }
            }
        } else if let Some(c) = &content {
            c.clone().into_bytes()
        } else if let Some(var) = &environment {
            loaded
                .environment
                .get(var)
                .cloned()
                .unwrap_or_default()
                .into_bytes()
        } else {
            Vec::new()
        };
        let mut pending = Pending::default();
        match String::from_utf8(bytes) {
            Ok(text) if !secret => {
                pending.text.insert(key.clone(), text);
            }
            Ok(text) => {
                pending.binary.insert(key.clone(), text.into_bytes());
            }
            Err(e) => {
                pending.binary.insert(key.clone(), e.into_bytes());
            }
        }
        objects.insert(object.clone(), pending);
        if secret && options.secrets == SecretsMode::Reference {
            let from = match &file {
                Some(f) => format!("--from-file={key}={f}"),
                None => format!("--from-literal={key}=<value>"),
            };
            diagnostics.push(Diagnostic::note(
                format!("{kind}.{source}"),
                format!("create the Secret: kubectl create secret generic {object} {from}"),
            ));
        }
    }
    finish_mount(
        reference,
        secret,
        &object,
        &key,
        container,
        diagnostics,
        path,
    )
}

/// The pod volume and the mount of one config or secret.
fn finish_mount(
    reference: &FileReference,
    secret: bool,
    object: &str,
    key: &str,
    container: &mut ContainerConfig,
    diagnostics: &mut Vec<Diagnostic>,
    path: &str,
) -> Result<(), Error> {
    let source = &reference.source;
    let (object, key) = (object.to_owned(), key.to_owned());
    if reference.uid.is_some() || reference.gid.is_some() {
        diagnostics.push(Diagnostic::warning(
            path,
            "uid and gid are not translated: mounted files belong to root, or to the pod's fsGroup",
        ));
    }
    let target = match (&reference.target, secret) {
        (Some(t), _) if t.starts_with('/') => t.clone(),
        (Some(t), true) => format!("/run/secrets/{t}"),
        (Some(t), false) => format!("/{t}"),
        (None, true) => format!("/run/secrets/{source}"),
        (None, false) => format!("/{source}"),
    };
    let volume_name = sanitize_name(&format!(
        "{}-{}",
        if secret { "secret" } else { "config" },
        object
    ));
    let mode = reference.mode.as_ref().map(|m| m.0 as i32);
    let items = Some(vec![KeyToPath {
        key: key.clone(),
        path: key.clone(),
        mode,
    }]);
    let volume = if secret {
        Volume {
            name: volume_name.clone(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(object.clone()),
                items,
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        }
    } else {
        Volume {
            name: volume_name.clone(),
            config_map: Some(ConfigMapVolumeSource {
                name: object.clone(),
                items,
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        }
    };
    if !container.volumes.iter().any(|v| v.name == volume_name) {
        container.volumes.push(volume);
    }
    container.mounts.push(VolumeMount {
        name: volume_name,
        mount_path: target,
        sub_path: Some(key),
        read_only: Some(true),
        ..VolumeMount::default()
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::Disk;

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
        ] {
            assert!(looks_secret(key), "{key}");
        }
        for key in [
            "DB_HOST",
            "POSTGRES_PASSWORD_FILE",
            "KEYCLOAK_URL",
            "PASSAGE",
        ] {
            assert!(!looks_secret(key), "{key}");
        }
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
