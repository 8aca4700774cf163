//! `environment` and `env_file`: plain values in `env`, secret-looking ones through the
//! Secret `<service>-env`, env files through the ConfigMap `<service>-env` and `envFrom`.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use k8s_openapi::api::core::v1::{
    ConfigMapEnvSource, EnvFromSource, EnvVar, EnvVarSource, SecretEnvSource, SecretKeySelector,
};

use super::{Builder, ContainerConfig, Pending};
use crate::build::names::{escape, k8s_name};
use crate::compose::model::Service;
use crate::diagnostic::Diagnostic;
use crate::options::SecretsMode;

/// Environment keys whose values belong in a Secret (case-insensitive): containing
/// PASSWORD, PASSWD, SECRET, TOKEN, CREDENTIALS, PRIVATE_KEY or APIKEY; a `KEY` word
/// (`STRIPE_KEY`, `_APP_OPENSSL_KEY_V1`, `API_KEY_READ_ONLY`, `KEY`); or ending in `PASS`.
/// Keys ending in `_FILE` or `_PATH` name a file that holds the secret, not the secret, and
/// stay plain.
pub fn looks_secret(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    if k.ends_with("_FILE") || k.ends_with("_PATH") {
        return false;
    }
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "CREDENTIALS",
        "PRIVATE_KEY",
        "APIKEY",
    ]
    .iter()
    .any(|w| k.contains(w))
        || k.split(['_', '-', '.']).any(|word| word == "KEY")
        || k.ends_with("PASS")
}

/// Whether `value` belongs in a Secret under `key`: a secret-looking key, a URL carrying a
/// password, or PEM text holding a private key or, under a key naming a certificate or a
/// private part, any PEM block.
pub fn is_secret(key: &str, value: &str) -> bool {
    looks_secret(key) || holds_credentials(value) || holds_pem(key, value)
}

fn holds_pem(key: &str, value: &str) -> bool {
    if !value.contains("-----BEGIN ") {
        return false;
    }
    let k = key.to_ascii_uppercase();
    value.contains("PRIVATE KEY-----") || k.contains("CERT") || k.contains("PRIVATE")
}

/// Whether a value is distinctive enough to be recognised as a secret wherever else it
/// appears: a short value, or a short lower-case word (`postgres`, the default password and
/// the default user alike), is as likely a plain word that happens to be equal.
pub fn distinctive(value: &str) -> bool {
    let word = value.len() < 12 && value.bytes().all(|b| b.is_ascii_lowercase());
    value.len() >= 4 && !word
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

impl Builder<'_> {
    /// The container's `env` and `envFrom`, and the `<service>-env` objects behind them.
    pub(super) fn environment(
        &mut self,
        name: &str,
        service: &Service,
        container: &mut ContainerConfig,
    ) {
        let k8s = k8s_name(&self.loaded.project, name);
        let env_name = format!(
            "{}-env",
            k8s.chars()
                .take(59)
                .collect::<String>()
                .trim_end_matches('-')
        );
        let mut secret_env: BTreeMap<String, String> = BTreeMap::new();
        for (key, value) in &service.environment {
            let Some(value) = value else { continue };
            if is_secret(key, value) || self.secret_values.contains(value.as_str()) {
                secret_env.insert(key.clone(), value.clone());
                container.env.push(secret_ref(key, &env_name));
            } else {
                container.env.push(EnvVar {
                    name: key.clone(),
                    value: Some(escape(value)),
                    ..EnvVar::default()
                });
            }
        }
        self.env_files(service, &env_name, container, &mut secret_env);
        if secret_env.is_empty() {
            return;
        }
        if self.options.secrets == SecretsMode::Reference {
            let keys: Vec<String> = secret_env
                .keys()
                .map(|k| format!("--from-literal={k}=<value>"))
                .collect();
            self.diagnostics.push(Diagnostic::note(
                format!("services.{name}.environment"),
                format!(
                    "create the Secret it reads: {} create secret generic {env_name} {}",
                    self.options.kubectl(),
                    keys.join(" ")
                ),
            ));
        }
        self.secrets.insert(
            env_name,
            Pending {
                text: secret_env,
                ..Pending::default()
            },
        );
    }

    /// env_file values, later files winning, environment keys left out: plain ones in the
    /// ConfigMap, secret ones added to `secret_env`, invalid keys as plain `env`.
    fn env_files(
        &mut self,
        service: &Service,
        env_name: &str,
        container: &mut ContainerConfig,
        secret_env: &mut BTreeMap<String, String>,
    ) {
        let mut from_files: IndexMap<String, String> = IndexMap::new();
        for file in &service.env_file {
            if let Some(values) = self.loaded.env_files.get(&file.path) {
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
            } else if is_secret(&key, &value) || self.secret_values.contains(value.as_str()) {
                secret_env.insert(key, value);
                file_secret = true;
            } else {
                file_plain.insert(key, value);
            }
        }
        if !file_plain.is_empty() {
            container.env_from.push(EnvFromSource {
                config_map_ref: Some(ConfigMapEnvSource {
                    name: env_name.to_owned(),
                    optional: None,
                }),
                ..EnvFromSource::default()
            });
            self.config_maps.insert(
                env_name.to_owned(),
                Pending {
                    text: file_plain,
                    ..Pending::default()
                },
            );
        }
        if file_secret {
            container.env_from.push(EnvFromSource {
                secret_ref: Some(SecretEnvSource {
                    name: env_name.to_owned(),
                    optional: None,
                }),
                ..EnvFromSource::default()
            });
        }
    }
}

/// An env entry read from the Secret `env_name`.
fn secret_ref(key: &str, env_name: &str) -> EnvVar {
    EnvVar {
        name: key.to_owned(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: env_name.to_owned(),
                key: key.to_owned(),
                optional: None,
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}
