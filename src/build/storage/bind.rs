//! Bind mounts: host paths, project files and small directories as ConfigMaps, and
//! project directories holding data as claims.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, EmptyDirVolumeSource, HostPathVolumeSource, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::build::configuration::MAX_OBJECT_BYTES;
use crate::build::names::{config_key, sanitize_name};
use crate::classify::Role;
use crate::compose::Error;
use crate::compose::model::{Service, ServiceVolume};
use crate::files::Kind;
use crate::options::VolumeType;

use super::{Asked, Builder, Use, part_of, volume_name};

/// One bind mount of a project path, and the ConfigMap name it would get.
struct Bind<'a> {
    name: &'a str,
    path: &'a str,
    source: &'a str,
    base: &'a str,
    config_map: String,
}

/// Whether the service's entrypoint or command names a file in the directory mounted at
/// `target` (`entrypoint: /etc/sentry/entrypoint.sh`, `sh -c "cat /certs/cert1.pem"`):
/// then the directory is content shipped with the project, not data, and an empty claim
/// there would leave nothing to run or read.
fn runs_from(service: &Service, target: &str) -> bool {
    let dir = format!("{}/", target.trim_end_matches('/'));
    let separator = |c: char| c.is_whitespace() || "'\";&|=(),<>`".contains(c);
    service
        .entrypoint
        .iter()
        .flatten()
        .chain(service.command.iter().flatten())
        .flat_map(|word| word.split(separator))
        .any(|token| token.starts_with(&dir) && token.len() > dir.len())
}

impl Builder<'_> {
    /// A bind mount: a hostPath when asked or outside the project; inside it, a ConfigMap
    /// for files and small read-only directories, a claim for data directories.
    pub(super) fn bind(
        &mut self,
        name: &str,
        service: &Service,
        path: &str,
        source: &str,
        v: &ServiceVolume,
        asked: &Asked,
    ) -> Result<(), Error> {
        match asked.kind {
            VolumeType::HostPath => {
                self.host_path(name, path, source, v, false);
                return Ok(());
            }
            VolumeType::EmptyDir => {
                self.empty_bind(name, path, source, v, asked);
                return Ok(());
            }
            VolumeType::PersistentVolumeClaim | VolumeType::ConfigMap => {}
        }
        // Checked on the resolved path too: a link inside the project to /etc is a path on
        // the node, never a ConfigMap of the node's files.
        let inside = self.project_dir != Path::new("/")
            && Path::new(source).starts_with(self.project_dir)
            && Path::new(source) != self.project_dir
            && crate::files::is_inside(self.files, Path::new(source), self.project_dir);
        if !inside {
            self.host_path(name, path, source, v, true);
            return Ok(());
        }
        let base = Path::new(source)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "data".into());
        let bind = Bind {
            name,
            path,
            source,
            base: &base,
            config_map: self.config_map_name(source),
        };
        let config = asked.kind == VolumeType::ConfigMap;
        match self.files.stat(Path::new(source)).map(|e| e.kind) {
            Some(Kind::File) => {
                let content = self.read(path, Path::new(source))?;
                let key = config_key(&base);
                self.config_map(&bind.config_map, BTreeMap::from([(key.clone(), content)]));
                self.add(
                    name,
                    Some(config_volume(&bind.config_map)),
                    Self::mount(&bind.config_map, &v.target, true, Some(key)),
                );
            }
            Some(Kind::Dir) => {
                self.bind_dir(&bind, v, config || runs_from(service, &v.target), asked)?
            }
            Some(_) => self.host_path(name, path, source, v, true),
            None if config
                || looks_like_file(source)
                || v.read_only
                || runs_from(service, &v.target) =>
            {
                self.missing_config(&bind, v)
            }
            None => self.data_dir(name, path, source, v),
        }
        Ok(())
    }

    /// A bind mount asked to be an emptyDir: the pod starts with nothing at the target.
    fn empty_bind(
        &mut self,
        name: &str,
        path: &str,
        source: &str,
        v: &ServiceVolume,
        asked: &Asked,
    ) {
        let vol = volume_name(&[name, "empty", &v.target]);
        let mount = Self::mount(&vol, &v.target, v.read_only, None);
        self.empty_dir(name, EmptyDirVolumeSource::default(), mount);
        if self.files.stat(Path::new(source)).is_some() {
            self.warn(
                path.to_owned(),
                format!(
                    "an emptyDir at {} ({} emptyDir): what {source} holds is not in the pod",
                    v.target, asked.why
                ),
            );
        }
    }

    /// A directory of the project: a ConfigMap when it is read-only and small, else data.
    fn bind_dir(
        &mut self,
        bind: &Bind,
        v: &ServiceVolume,
        program: bool,
        asked: &Asked,
    ) -> Result<(), Error> {
        let entries = (v.read_only || program)
            .then(|| self.small_text_dir(Path::new(bind.source)))
            .flatten();
        if entries.is_none() && asked.kind == VolumeType::ConfigMap {
            self.warn(
                bind.path.to_owned(),
                format!(
                    "{} configMap: {} holds more than 1 MiB, subdirectories or file names a ConfigMap key cannot take; it stays a data directory",
                    asked.why, bind.source
                ),
            );
        }
        if let Some(entries) = entries {
            let mut data = BTreeMap::new();
            for (key, file) in entries {
                data.insert(key, self.read(bind.path, &file)?);
            }
            self.config_map(&bind.config_map, data);
            self.add(
                bind.name,
                Some(config_volume(&bind.config_map)),
                Self::mount(&bind.config_map, &v.target, true, None),
            );
        } else {
            self.data_dir(bind.name, bind.path, bind.source, v);
        }
        Ok(())
    }

    /// A missing file or read-only mount is configuration the user has not shipped: the pod
    /// mounts the ConfigMap they are told to create, never a claim.
    fn missing_config(&mut self, bind: &Bind, v: &ServiceVolume) {
        let Bind {
            source,
            base,
            config_map,
            ..
        } = bind;
        let from = if looks_like_file(source) {
            format!("--from-file={}={source}", config_key(base))
        } else {
            format!("--from-file={source}")
        };
        self.warn(
            bind.path.to_owned(),
            format!("{source} does not exist; the pod mounts ConfigMap {config_map}, which is not emitted: create it with {} create configmap {config_map} {from}", self.options.kubectl()),
        );
        let sub_path = looks_like_file(source).then(|| config_key(base));
        self.add(
            bind.name,
            Some(config_volume(config_map)),
            Self::mount(config_map, &v.target, true, sub_path),
        );
    }

    pub(super) fn host_path(
        &mut self,
        name: &str,
        path: &str,
        source: &str,
        v: &ServiceVolume,
        warn: bool,
    ) {
        let kind = match self.files.stat(Path::new(source)).map(|e| e.kind) {
            Some(Kind::Socket) => "Socket",
            Some(Kind::File) => "File",
            Some(Kind::Dir) => "Directory",
            Some(Kind::Other) => "",
            // The Docker or containerd socket is a socket on the node, wherever this runs.
            None if source.ends_with(".sock") => "Socket",
            None if looks_like_file(source) => "FileOrCreate",
            None => "DirectoryOrCreate",
        };
        // Named after the path within the project when it is one: the output must not
        // depend on where the project was checked out.
        let within = Path::new(source)
            .strip_prefix(self.project_dir)
            .ok()
            .filter(|_| self.project_dir != Path::new("/"))
            .map(|r| r.to_string_lossy().into_owned());
        let vol = volume_name(&["host", within.as_deref().unwrap_or(source)]);
        self.add(
            name,
            Some(Volume {
                name: vol.clone(),
                host_path: Some(HostPathVolumeSource {
                    path: source.to_owned(),
                    type_: (!kind.is_empty()).then(|| kind.to_owned()),
                }),
                ..Volume::default()
            }),
            Self::mount(&vol, &v.target, v.read_only, None),
        );
        let daemon = matches!(self.role(&self.owner(name)), Some(Role::DaemonSet));
        if warn && !daemon {
            self.warn(
                path.to_owned(),
                format!("{source} is a path on the node: a hostPath volume ties the pod to what that one node holds"),
            );
        }
    }

    /// The ConfigMap of a project file or directory, named after its path in the project
    /// (`./nginx/nginx.conf` is `nginx-nginx-conf`), so that every service mounting it
    /// shares one, as they shared the file. A top-level config of the same name keeps it.
    fn config_map_name(&self, source: &str) -> String {
        let relative = Path::new(source)
            .strip_prefix(self.project_dir)
            .map(|r| r.to_string_lossy().into_owned())
            .unwrap_or_else(|_| source.to_owned());
        let name = volume_name(&[&relative]);
        if self
            .project
            .configs
            .keys()
            .any(|k| sanitize_name(k) == name)
        {
            volume_name(&[&relative, "file"])
        } else {
            name
        }
    }

    /// A project directory holding data: a claim named after the directory (`./volumes/db`
    /// is `volumes-db`), like a named volume, so that every service that mounts the
    /// directory shares the claim as it shared the directory.
    fn data_dir(&mut self, name: &str, path: &str, source: &str, v: &ServiceVolume) {
        let relative = Path::new(source)
            .strip_prefix(self.project_dir)
            .map(|r| r.to_string_lossy().into_owned())
            .unwrap_or_else(|_| source.to_owned());
        let mut claim = volume_name(&[&relative]);
        // A named volume of the same name keeps it: the two hold different data.
        if self
            .project
            .volumes
            .keys()
            .any(|k| sanitize_name(k) == claim)
        {
            claim = volume_name(&[&relative, "dir"]);
        }
        let exists = self.files.stat(Path::new(source)).is_some();
        self.note(
            path.to_owned(),
            if exists {
                format!(
                    "{source} becomes the claim {claim}; its current content is not copied into it"
                )
            } else {
                format!("{source} does not exist here: the claim {claim} starts empty")
            },
        );
        let owner = self.owner(name);
        let sub_path = self.data_sub_path(name, path, &v.target, None);
        let shared = self.shared.entry(format!("\0{claim}")).or_default();
        shared.data_dir = Some(claim);
        shared.uses.push(Use {
            service: name.to_owned(),
            owner,
            target: v.target.clone(),
            read_only: v.read_only,
            sub_path,
        });
    }

    fn read(&self, path: &str, file: &Path) -> Result<Vec<u8>, Error> {
        let size = self.files.stat(file).map_or(0, |e| e.size);
        if size as usize > MAX_OBJECT_BYTES {
            return Err(Error::project(format!(
                "{path}: {} is {size} bytes; a ConfigMap holds at most 1 MiB (mount it from a claim instead)",
                file.display()
            )));
        }
        self.files
            .read(file)
            .map_err(|e| Error::project(format!("{path}: cannot read {}: {e}", file.display())))
    }

    /// The files of a directory as ConfigMap keys, when it holds only plain files with valid
    /// names, at most 1 MiB in all.
    fn small_text_dir(&self, dir: &Path) -> Option<Vec<(String, PathBuf)>> {
        let entries = self.files.list(dir).ok()?;
        let mut total = 0u64;
        let mut out = Vec::new();
        for entry in entries {
            let stat = self.files.stat(&entry)?;
            let key = entry.file_name()?.to_string_lossy().into_owned();
            if stat.kind != Kind::File || config_key(&key) != key {
                return None;
            }
            total += stat.size;
            out.push((key, entry));
        }
        (total as usize <= MAX_OBJECT_BYTES && !out.is_empty()).then_some(out)
    }

    fn config_map(&mut self, name: &str, files: BTreeMap<String, Vec<u8>>) {
        let mut data = BTreeMap::new();
        let mut binary = BTreeMap::new();
        for (k, v) in files {
            match String::from_utf8(v) {
                Ok(text) => {
                    data.insert(k, text);
                }
                Err(e) => {
                    binary.insert(k, ByteString(e.into_bytes()));
                }
            }
        }
        self.config_maps.insert(
            name.to_owned(),
            ConfigMap {
                metadata: ObjectMeta {
                    name: Some(name.to_owned()),
                    labels: Some(part_of(self.project)),
                    ..ObjectMeta::default()
                },
                data: (!data.is_empty()).then_some(data),
                binary_data: (!binary.is_empty()).then_some(binary),
                ..ConfigMap::default()
            },
        );
    }
}

fn config_volume(name: &str) -> Volume {
    Volume {
        name: name.to_owned(),
        config_map: Some(ConfigMapVolumeSource {
            name: name.to_owned(),
            ..ConfigMapVolumeSource::default()
        }),
        ..Volume::default()
    }
}

/// `nginx.conf`, `init.sql`, `Caddyfile.json`: a name with an extension after a stem.
pub(super) fn looks_like_file(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.rfind('.')
        .is_some_and(|dot| dot > 0 && dot + 1 < base.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(entrypoint: &[&str], command: &[&str]) -> Service {
        let words = |w: &[&str]| (!w.is_empty()).then(|| w.iter().map(|s| s.to_string()).collect());
        Service {
            entrypoint: words(entrypoint),
            command: words(command),
            ..Service::default()
        }
    }

    #[test]
    fn a_directory_the_command_names_a_file_in_is_content() {
        let s = service(&[], &["/bin/sh", "-c", "cat /auth.txt /certs/cert1.pem"]);
        assert!(runs_from(&s, "/certs"));
        assert!(runs_from(&s, "/certs/"));
        assert!(!runs_from(&s, "/cert"));
        let s = service(&["/etc/sentry/entrypoint.sh"], &[]);
        assert!(runs_from(&s, "/etc/sentry"));
        // The directory itself is where data goes, not a file shipped in it.
        let s = service(&[], &["server", "--data-dir=/data/"]);
        assert!(!runs_from(&s, "/data"));
        let s = service(&[], &["server", "--config=/etc/app/app.yaml"]);
        assert!(runs_from(&s, "/etc/app"));
    }
}
