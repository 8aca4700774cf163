//! The top-level `configs` and `secrets` a service mounts: one ConfigMap or Secret each
//! (emitted once), mounted read-only as a single file with `subPath`.

use std::path::Path;

use indexmap::IndexMap;
use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, KeyToPath, SecretVolumeSource, Volume, VolumeMount,
};

use super::{Builder, ContainerConfig, MAX_OBJECT_BYTES, Pending};
use crate::build::names::{config_key, sanitize_name};
use crate::compose::Error;
use crate::compose::model::FileReference;
use crate::diagnostic::Diagnostic;
use crate::files::Kind;
use crate::options::SecretsMode;

/// Where a config's or secret's content comes from.
struct Source {
    file: Option<String>,
    content: Option<String>,
    environment: Option<String>,
    external: bool,
    external_name: Option<String>,
}

impl Builder<'_> {
    /// One `configs:` or `secrets:` entry of a service: the object (once), the pod volume
    /// and the mount.
    pub(super) fn mount(
        &mut self,
        path: &str,
        reference: &FileReference,
        secret: bool,
        container: &mut ContainerConfig,
    ) -> Result<(), Error> {
        let kind = if secret { "secrets" } else { "configs" };
        let source = &reference.source;
        let Some(src) = self.source(kind, source, secret) else {
            return Ok(());
        };
        let object = if src.external {
            src.external_name.clone().unwrap_or_else(|| source.clone())
        } else {
            sanitize_name(source)
        };
        let key = match &src.file {
            Some(f) => config_key(
                Path::new(f)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
                    .as_str(),
            ),
            None => config_key(source),
        };
        let target = Target {
            kind,
            source,
            secret,
            object: &object,
            key: &key,
        };
        if src.external {
            self.diagnostics.push(Diagnostic::note(
                format!("{kind}.{source}"),
                format!(
                    "external: the {} {object} must exist in the namespace; it is referenced, not emitted",
                    if secret { "Secret" } else { "ConfigMap" }
                ),
            ));
        } else if !self.objects(secret).contains_key(&object) {
            let pending = match self.content(&target, &src)? {
                Some(bytes) => {
                    self.note_reference(&target, &src);
                    pending(bytes, &key, secret)
                }
                None => Pending {
                    missing: true,
                    ..Pending::default()
                },
            };
            self.objects(secret).insert(object.clone(), pending);
        }
        mount_file(reference, &target, container, &mut self.diagnostics, path);
        Ok(())
    }

    fn objects(&mut self, secret: bool) -> &mut IndexMap<String, Pending> {
        if secret {
            &mut self.secrets
        } else {
            &mut self.config_maps
        }
    }

    /// The top-level definition a service refers to, with a warning for what its drivers
    /// would have done; None when it is not defined.
    fn source(&mut self, kind: &str, source: &str, secret: bool) -> Option<Source> {
        let project = &self.loaded.project;
        if secret {
            let s = project.secrets.get(source)?;
            if s.driver.is_some() || !s.driver_opts.is_empty() || s.template_driver.is_some() {
                self.diagnostics.push(Diagnostic::warning(
                    format!("{kind}.{source}"),
                    "secret drivers and template drivers are not translated; the Secret holds the value as given",
                ));
            }
            return Some(Source {
                file: s.file.clone(),
                content: None,
                environment: s.environment.clone(),
                external: s.external,
                external_name: s.name.clone(),
            });
        }
        let c = project.configs.get(source)?;
        if c.template_driver.is_some() {
            self.diagnostics.push(Diagnostic::warning(
                format!("{kind}.{source}.template_driver"),
                "templates are not rendered; the ConfigMap holds the file as it is",
            ));
        }
        Some(Source {
            file: c.file.clone(),
            content: c.content.clone(),
            environment: c.environment.clone(),
            external: c.external,
            external_name: c.name.clone(),
        })
    }

    /// The bytes of a config or secret; None for a missing config file, left for the user
    /// to create.
    fn content(&mut self, target: &Target, src: &Source) -> Result<Option<Vec<u8>>, Error> {
        Ok(Some(if let Some(f) = &src.file {
            return self.read_file(target, f);
        } else if let Some(c) = &src.content {
            c.clone().into_bytes()
        } else if let Some(var) = &src.environment {
            self.loaded
                .environment
                .get(var)
                .cloned()
                .unwrap_or_default()
                .into_bytes()
        } else {
            Vec::new()
        }))
    }

    fn read_file(&mut self, target: &Target, f: &str) -> Result<Option<Vec<u8>>, Error> {
        let Target {
            kind,
            source,
            object,
            key,
            ..
        } = *target;
        let loaded = self.loaded;
        let path = format!("{kind}.{source}.file");
        let file_path = Path::new(f);
        let inside = file_path.starts_with(&loaded.project_dir)
            && crate::files::is_inside(self.files, file_path, &loaded.project_dir);
        if !inside && !self.options.allow_outside_project {
            let through = if file_path.starts_with(&loaded.project_dir) {
                " through a symbolic link"
            } else {
                ""
            };
            return Err(loaded.error(
                &path,
                format!(
                    "{f} is outside the project directory{through}; pass --allow-outside-project to read it"
                ),
            ));
        }
        match self.files.stat(file_path) {
            Some(entry) if entry.kind == Kind::File => {
                if entry.size as usize > MAX_OBJECT_BYTES {
                    return Err(loaded.error(
                        &path,
                        format!(
                            "{f} is {} bytes; a ConfigMap or Secret holds at most 1 MiB",
                            entry.size
                        ),
                    ));
                }
                self.files
                    .read(file_path)
                    .map(Some)
                    .map_err(|e| loaded.error(&path, format!("cannot read {f}: {e}")))
            }
            Some(_) => Err(loaded.error(&path, format!("{f} is not a file"))),
            // A config is not secret: its ConfigMap can be made from the file later, and
            // the rest of the project still converts. A missing secret stays an error, as a
            // Secret must never be guessed.
            None if !target.secret => {
                self.diagnostics.push(Diagnostic::warning(
                    path,
                    format!("{f} does not exist; the pods refer to ConfigMap {object}, which is not emitted: create it with {} create configmap {object} --from-file={key}={f}", self.options.kubectl()),
                ));
                Ok(None)
            }
            None => Err(loaded.error(&path, format!("{f} does not exist"))),
        }
    }

    /// Under `--secrets reference`, the command that creates the Secret.
    fn note_reference(&mut self, target: &Target, src: &Source) {
        if !target.secret || self.options.secrets != SecretsMode::Reference {
            return;
        }
        let Target {
            kind,
            source,
            object,
            key,
            ..
        } = *target;
        let from = match &src.file {
            Some(f) => format!("--from-file={key}={f}"),
            None => format!("--from-literal={key}=<value>"),
        };
        self.diagnostics.push(Diagnostic::note(
            format!("{kind}.{source}"),
            format!(
                "create the Secret: {} create secret generic {object} {from}",
                self.options.kubectl()
            ),
        ));
    }
}

/// One config or secret as the pod sees it: which object, under which key.
#[derive(Clone, Copy)]
struct Target<'a> {
    kind: &'a str,
    source: &'a str,
    secret: bool,
    object: &'a str,
    key: &'a str,
}

/// The content under its key: text in a ConfigMap's `data`, anything else (and every
/// Secret value) as bytes.
fn pending(bytes: Vec<u8>, key: &str, secret: bool) -> Pending {
    let mut pending = Pending::default();
    match String::from_utf8(bytes) {
        Ok(text) if !secret => {
            pending.text.insert(key.to_owned(), text);
        }
        Ok(text) => {
            pending.binary.insert(key.to_owned(), text.into_bytes());
        }
        Err(e) => {
            pending.binary.insert(key.to_owned(), e.into_bytes());
        }
    }
    pending
}

/// The pod volume and the mount of one config or secret.
fn mount_file(
    reference: &FileReference,
    target: &Target,
    container: &mut ContainerConfig,
    diagnostics: &mut Vec<Diagnostic>,
    path: &str,
) {
    let Target {
        source,
        secret,
        object,
        key,
        ..
    } = *target;
    if reference.uid.is_some() || reference.gid.is_some() {
        diagnostics.push(Diagnostic::warning(
            path,
            "uid and gid are not translated: mounted files belong to root, or to the pod's fsGroup",
        ));
    }
    let mount_path = match (&reference.target, secret) {
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
    let items = Some(vec![KeyToPath {
        key: key.to_owned(),
        path: key.to_owned(),
        mode: reference.mode.as_ref().map(|m| m.0 as i32),
    }]);
    let volume = if secret {
        Volume {
            name: volume_name.clone(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(object.to_owned()),
                items,
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        }
    } else {
        Volume {
            name: volume_name.clone(),
            config_map: Some(ConfigMapVolumeSource {
                name: object.to_owned(),
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
        mount_path,
        sub_path: Some(key.to_owned()),
        read_only: Some(true),
        ..VolumeMount::default()
    });
}
