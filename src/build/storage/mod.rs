//! Volumes (DESIGN.md §4 "Storage"): what every mount of every service becomes, and the
//! claims and ConfigMaps that back them.
//!
//! Named volumes:
//! - used only inside one pod by more than one container (a service and its sidecars or
//!   one-shot initContainers), or declared tmpfs by their driver options → an `emptyDir`
//!   (`medium: Memory` for tmpfs): it exists to share data, not to keep it — unless the
//!   pod is a StatefulSet's, whose volumes hold its state (a claim template, as below), or
//!   its containers are services put together by a group (`kompose.service.group`,
//!   `--service-group-mode volume`), whose volumes keep data as in compose (a claim);
//! - used only by one StatefulSet → a `volumeClaimTemplate` (ReadWriteOnce) per replica;
//! - otherwise one PVC named after the volume, shared by every user: ReadWriteOnce when one
//!   single-replica pod writes it (that Deployment then uses `Recreate`), ReadWriteMany when
//!   several pods or replicas write it or other pods read it too (a ReadWriteOnce volume
//!   attaches to one node), ReadOnlyMany when every mount is read-only. A
//!   StatefulSet sharing a written volume with others gets that PVC, with a warning;
//! - `external: true` → the existing claim of that name, not emitted, with a note; the
//!   local driver's bind form (`o: bind`, `device: /path`) → hostPath; other drivers and
//!   their options → a warning.
//!
//! Size and class, first found: the volume's `x-kubernetes.size`/`storage_class`, its labels
//! `compose2kube.volume.size`/`compose2kube.volume.storage-class` or kompose's
//! `kompose.volume.size`/`kompose.volume.storage-class-name`, the same on a service using
//! it, `--default-volume-size` / `--storage-class`.
//!
//! Bind mounts (`--bind-mounts auto`):
//! - outside the project directory — a host system path (`/var/run/docker.sock`, `/proc`,
//!   `/etc/localtime`, `/srv/data`…) → `hostPath` with the type of what is there (`Socket`, `File`,
//!   `Directory`; `DirectoryOrCreate`/`FileOrCreate` when missing), and a warning that the
//!   pod is tied to what one node holds — none for DaemonSets, whose job is their node;
//! - an existing file of the project → a ConfigMap `<service>-<file>` mounted read-only with
//!   `subPath` (binary content in `binaryData`; over 1 MiB is an error);
//! - a read-only directory of at most 1 MiB of plain files, or one whose files the
//!   entrypoint or command names → a ConfigMap `<service>-<dir>`;
//! - a missing path that looks like a file (`./nginx.conf`), or a missing read-only mount →
//!   a reference to the ConfigMap `<service>-<name>`, not emitted, and a warning with the
//!   `kubectl create configmap` command: never a PVC for a config file;
//! - any other directory → a PVC `<service>-<dir>`, like a named volume, and a note that its
//!   current content is not copied.
//!
//! `--bind-mounts hostpath` (or `x-kubernetes: {bind_mounts: hostpath}` on one service) makes
//! bind mounts hostPaths, as asked. kompose's volume types (`--volumes`, and over it a
//! service's `volume_type` or `kompose.volume.type`): `persistentVolumeClaim` is the rules
//! above; `hostPath` is `--bind-mounts hostpath`; `configMap` makes every project directory
//! a ConfigMap whatever its mode (one that cannot be, being too large or nested, stays data,
//! with a warning); `emptyDir` makes every named volume and bind mount of the service an
//! emptyDir, and says what is lost. A named volume has no host path, so it keeps its claim
//! under `hostPath` and `configMap`. `tmpfs` entries and
//! `shm_size` → memory `emptyDir`s (at `/dev/shm` for the latter); anonymous volumes →
//! `emptyDir`, with a note; `volumes_from` repeats the other service's mounts (`:ro` makes
//! them read-only).

mod bind;
mod claim;
mod tmpfs;

use std::collections::BTreeMap;
use std::path::Path;

use indexmap::IndexMap;
use k8s_openapi::api::core::v1::{
    ConfigMap, EmptyDirVolumeSource, PersistentVolumeClaim, Volume, VolumeMount,
};

use crate::build::names::{labels, sanitize_name};
use crate::classify::{Classification, Role};
use crate::classify::{extension, images};
use crate::compose::Error;
use crate::compose::model::{Project, Service, ServiceVolume};
use crate::diagnostic::Diagnostic;
use crate::files::ProjectFiles;
use crate::options::{Options, VolumeType};

use tmpfs::memory_quantity;

#[derive(Debug, Clone, Default)]
pub struct Storage {
    pub claims: Vec<PersistentVolumeClaim>,
    pub config_maps: Vec<ConfigMap>,
    /// Every compose service of the project, in order.
    pub containers: IndexMap<String, ContainerStorage>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerStorage {
    pub volumes: Vec<Volume>,
    pub mounts: Vec<VolumeMount>,
    pub claim_templates: Vec<PersistentVolumeClaim>,
    pub writes_read_write_once: bool,
}

/// A pod volume name: an RFC 1123 label, deterministic for its source.
fn volume_name(parts: &[&str]) -> String {
    let joined = parts.join("-");
    let mut name = String::new();
    for c in sanitize_name(&joined.replace('/', "-")).chars() {
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    if name.len() < 63 && joined.len() < 63 {
        return name;
    }
    // Long paths would collide once cut; a short hash of the whole keeps them apart.
    let hash = joined.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let stem: String = name.chars().take(54).collect();
    format!("{}-{:08x}", stem.trim_end_matches('-'), hash as u32)
}

/// What a service asked its volumes to become, and who asked, for diagnostics
/// (`label kompose.volume.type`, `--volumes`).
struct Asked {
    kind: VolumeType,
    why: String,
}

/// How one named volume (or data directory) is used by one container.
#[derive(Debug, Clone)]
struct Use {
    service: String,
    owner: String,
    target: String,
    read_only: bool,
    sub_path: Option<String>,
}

/// A volume that becomes a claim, an emptyDir or a hostPath once all its users are known.
#[derive(Debug, Clone, Default)]
struct Shared {
    uses: Vec<Use>,
    /// Top-level key, for size, class and driver options; None for data directories.
    declared: Option<String>,
    /// For data directories: where the name came from.
    data_dir: Option<String>,
}

struct Builder<'a> {
    project: &'a Project,
    roles: &'a IndexMap<String, Classification>,
    project_dir: &'a Path,
    files: &'a dyn ProjectFiles,
    options: &'a Options,
    out: Storage,
    shared: IndexMap<String, Shared>,
    config_maps: IndexMap<String, ConfigMap>,
    /// ReadWriteMany claims and the services sharing each, for one note.
    read_write_many: Vec<(String, Vec<String>)>,
    /// Named volumes some service asked to be an emptyDir, and those services.
    emptied: IndexMap<String, Vec<String>>,
}

impl Builder<'_> {
    fn owner(&self, service: &str) -> String {
        match self.roles.get(service).map(|c| &c.role) {
            Some(Role::Sidecar { of } | Role::Init { of }) => of.clone(),
            _ => service.to_owned(),
        }
    }

    /// What the service's volumes become: its `volume_type` (or `kompose.volume.type`), else
    /// its `bind_mounts`, else `--volumes`/`--bind-mounts`.
    fn asked(&self, service: &Service) -> Asked {
        let x = extension::of(service).unwrap_or_default();
        let (kind, why) = match (x.volume_type, x.bind_mounts) {
            (Some(kind), _) => (kind, x.source("volume_type")),
            (None, Some(b)) => (
                match b {
                    extension::BindMounts::HostPath => VolumeType::HostPath,
                    extension::BindMounts::Auto => VolumeType::PersistentVolumeClaim,
                },
                x.source("bind_mounts"),
            ),
            (None, None) => (self.options.volumes, "--volumes".to_owned()),
        };
        Asked { kind, why }
    }

    fn role(&self, service: &str) -> Option<&Role> {
        self.roles.get(service).map(|c| &c.role)
    }

    fn container(&mut self, service: &str) -> &mut ContainerStorage {
        self.out.containers.entry(service.to_owned()).or_default()
    }

    fn add(&mut self, service: &str, volume: Option<Volume>, mount: VolumeMount) {
        let c = self.container(service);
        if let Some(v) = volume
            && !c.volumes.iter().any(|have| have.name == v.name)
        {
            c.volumes.push(v);
        }
        c.mounts.push(mount);
    }

    /// An emptyDir of the service's pod, named and mounted as `mount` says.
    fn empty_dir(&mut self, service: &str, source: EmptyDirVolumeSource, mount: VolumeMount) {
        self.add(
            service,
            Some(Volume {
                name: mount.name.clone(),
                empty_dir: Some(source),
                ..Volume::default()
            }),
            mount,
        );
    }

    fn mount(name: &str, target: &str, read_only: bool, sub_path: Option<String>) -> VolumeMount {
        VolumeMount {
            name: name.to_owned(),
            mount_path: target.to_owned(),
            read_only: read_only.then_some(true),
            sub_path,
            ..VolumeMount::default()
        }
    }

    fn warn(&mut self, path: String, message: impl Into<String>) {
        self.out
            .diagnostics
            .push(Diagnostic::warning(path, message));
    }

    fn note(&mut self, path: String, message: impl Into<String>) {
        self.out.diagnostics.push(Diagnostic::note(path, message));
    }

    /// A size or class asked of a service's claims when it has none: reported, not lost.
    fn unused_claim_settings(&mut self) {
        // Every service against every claim's users would be quadratic: index them once.
        let with_claims: std::collections::HashSet<&str> = self
            .shared
            .values()
            .flat_map(|s| s.uses.iter().map(|u| u.service.as_str()))
            .collect();
        for (name, service) in &self.project.services {
            if with_claims.contains(name.as_str()) {
                continue;
            }
            let Ok(x) = extension::of(service) else {
                continue;
            };
            for (key, set) in [
                ("size", x.size.is_some()),
                ("storage_class", x.storage_class.is_some()),
                ("volume_subpath", x.volume_subpath.is_some()),
            ] {
                if set {
                    self.out.diagnostics.push(Diagnostic::warning(
                        format!("services.{name}"),
                        format!(
                            "{} applies to the claims of the service's named volumes and data directories, and it has none (an anonymous volume is an emptyDir); not used",
                            x.source(key)
                        ),
                    ));
                }
            }
        }
    }

    /// The subPath of a claim mounted at `target`: the one written on the mount, else the
    /// service's `x-kubernetes.volume_subpath`, else, for a database
    /// that refuses to initialise a volume's root (`lost+found` is there), a directory one
    /// level down, unless its environment already points there.
    fn data_sub_path(
        &mut self,
        name: &str,
        path: &str,
        target: &str,
        written: Option<String>,
    ) -> Option<String> {
        if written.is_some() {
            return written;
        }
        let service = self.project.services.get(name)?;
        if let Some(asked) = extension::of(service).ok().and_then(|x| x.volume_subpath) {
            return Some(asked);
        }
        let recipe = images::data_dir(service.image.as_deref()?)?;
        let moved = service
            .environment
            .get("PGDATA")
            .and_then(Option::as_deref)
            .is_some_and(|d| d.trim_end_matches('/') != target.trim_end_matches('/'));
        if !recipe.holds(target) || moved {
            return None;
        }
        self.note(
            path.to_owned(),
            format!(
                "mounted with subPath {}: {} refuses to initialise its data directory at the root of a fresh volume, which holds lost+found",
                recipe.sub_path,
                images::repository_name(service.image.as_deref().unwrap_or_default())
            ),
        );
        Some(recipe.sub_path.to_owned())
    }

    fn run(mut self) -> Result<Storage, Error> {
        const VOLUME_LABELS: [&str; 5] = [
            "compose2kube.volume.size",
            "kompose.volume.size",
            "compose2kube.volume.storage-class",
            "kompose.volume.storage-class-name",
            "kompose.volume.selector",
        ];
        for (name, service) in &self.project.services {
            self.container(name);
            let asked = self.asked(service);
            for (path, volume) in self.mounts_of(name, service) {
                self.service_volume(name, service, &path, &volume, &asked)?;
            }
            self.tmpfs(name, service);
        }
        for (key, volume) in &self.project.volumes {
            // A top-level volume's labels in our namespaces: size, class and selector of its
            // claim; any other is reported, as on services.
            for label in volume.labels.keys().filter(|k| {
                (k.starts_with("kompose.") || k.starts_with("compose2kube."))
                    && !VOLUME_LABELS.contains(&k.as_str())
            }) {
                self.out.diagnostics.push(Diagnostic::warning(
                    format!("volumes.{key}.labels.{label}"),
                    format!(
                        "not translated: a volume reads {} only",
                        VOLUME_LABELS.join(", ")
                    ),
                ));
            }
            if let Some(users) = self.emptied.get(key)
                && let Some(s) = self.shared.get(key)
            {
                let mut claimed: Vec<&str> = s.uses.iter().map(|u| u.service.as_str()).collect();
                claimed.dedup();
                self.out.diagnostics.push(Diagnostic::warning(
                    format!("volumes.{key}"),
                    format!(
                        "{} {} it as an emptyDir of {}, so no longer sharing its data with {}",
                        users.join(", "),
                        if users.len() == 1 { "mounts" } else { "mount" },
                        if users.len() == 1 {
                            "its own"
                        } else {
                            "their own"
                        },
                        claimed.join(", ")
                    ),
                ));
            }
            if !self.shared.contains_key(key) && !self.emptied.contains_key(key) {
                self.out.diagnostics.push(Diagnostic::warning(
                    format!("volumes.{key}"),
                    "not used by any service; not emitted",
                ));
            }
        }
        self.unused_claim_settings();
        self.named_volumes()?;
        if !self.read_write_many.is_empty() {
            let list: Vec<String> = self
                .read_write_many
                .iter()
                .map(|(claim, users)| format!("{claim} ({})", users.join(", ")))
                .collect();
            self.note(
                "volumes".into(),
                format!(
                    "ReadWriteMany claims need a storage class that supports them (NFS, CephFS, EFS, Azure Files, Longhorn…): {}",
                    list.join("; ")
                ),
            );
        }
        self.out.config_maps = self.config_maps.into_values().collect();
        Ok(self.out)
    }

    /// The service's own mounts and those `volumes_from` repeats (`:ro` makes them
    /// read-only), each with the path that names it in diagnostics. As with docker, a
    /// service's mounts include those it got from its own `volumes_from`, however deep.
    fn mounts_of(&mut self, name: &str, service: &Service) -> Vec<(String, ServiceVolume)> {
        let mut mounts: Vec<(String, ServiceVolume)> = service
            .volumes
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("services.{name}.volumes[{i}]"), v.clone()))
            .collect();
        let mut seen = vec![name];
        // (service whose volumes_from is read, read-only because of an earlier link)
        let mut queue = vec![(name, service, false)];
        let mut next = 0;
        while let Some(&(user, s, ro)) = queue.get(next) {
            next += 1;
            for (i, from) in s.volumes_from.iter().enumerate() {
                let (source, mode) = from.split_once(':').unwrap_or((from.as_str(), "rw"));
                if source == "container" {
                    if user == name {
                        self.warn(
                            format!("services.{name}.volumes_from[{i}]"),
                            "volumes of a container outside the project cannot be shared; not translated",
                        );
                    }
                    continue;
                }
                let Some((source, other)) = self.project.services.get_key_value(source) else {
                    continue;
                };
                if seen.contains(&source.as_str()) {
                    continue;
                }
                seen.push(source);
                let read_only = ro || mode == "ro";
                for (j, v) in other.volumes.iter().enumerate() {
                    // As with docker, a path the service mounts itself (or got first) keeps
                    // that mount: a pod refuses two mounts at one path.
                    if mounts.iter().any(|(_, m)| m.target == v.target) {
                        let at = if user == name {
                            format!("services.{name}.volumes_from[{i}]")
                        } else {
                            format!("services.{name}.volumes_from")
                        };
                        self.note(
                            at,
                            format!(
                                "{} of {source} is not mounted: {name} already mounts something there",
                                v.target
                            ),
                        );
                        continue;
                    }
                    let mut v = v.clone();
                    v.read_only |= read_only;
                    mounts.push((format!("services.{source}.volumes[{j}]"), v));
                }
                queue.push((source, other, read_only));
            }
        }
        mounts
    }

    /// Mount options Kubernetes has no counterpart for.
    fn mount_option_warnings(&mut self, path: &str, v: &ServiceVolume) {
        if v.consistency.is_some() {
            self.warn(
                format!("{path}.consistency"),
                "mount consistency is a Docker Desktop setting; not translated",
            );
        }
        if let Some(bind) = &v.bind {
            if bind.propagation.as_deref().is_some_and(|p| p != "rprivate") {
                self.warn(
                    format!("{path}.bind.propagation"),
                    "mount propagation is not translated (mountPropagation needs a privileged container)",
                );
            }
            if bind.selinux.is_some() {
                self.warn(
                    format!("{path}.bind.selinux"),
                    "SELinux relabelling is not translated; use the pod's seLinuxOptions",
                );
            }
        }
        if v.volume.as_ref().is_some_and(|o| o.nocopy) {
            self.warn(
                format!("{path}.volume.nocopy"),
                "a new claim starts empty; the image's content is never copied into it",
            );
        }
    }

    /// One mount of a service: named volumes are gathered (they become objects once all
    /// their users are known), the others become pod volumes at once.
    fn service_volume(
        &mut self,
        name: &str,
        service: &Service,
        path: &str,
        v: &ServiceVolume,
        asked: &Asked,
    ) -> Result<(), Error> {
        self.mount_option_warnings(path, v);
        match (v.r#type.as_str(), &v.source) {
            ("volume", Some(source)) if asked.kind == VolumeType::EmptyDir => {
                self.emptied_volume(name, path, source, v, asked)
            }
            ("volume", Some(source)) => {
                let owner = self.owner(name);
                let written = v.volume.as_ref().and_then(|o| o.subpath.clone());
                let sub_path = self.data_sub_path(name, path, &v.target, written);
                let shared = self.shared.entry(source.clone()).or_insert_with(|| Shared {
                    declared: Some(source.clone()),
                    ..Shared::default()
                });
                shared.uses.push(Use {
                    service: name.to_owned(),
                    owner,
                    target: v.target.clone(),
                    read_only: v.read_only,
                    sub_path,
                });
            }
            ("volume", None) => self.anonymous(name, path, v),
            ("tmpfs", _) => {
                if v.tmpfs.as_ref().is_some_and(|t| t.mode.is_some()) {
                    self.warn(
                        format!("{path}.tmpfs.mode"),
                        "an emptyDir takes only a size; the mode is not translated",
                    );
                }
                let size = v
                    .tmpfs
                    .as_ref()
                    .and_then(|t| t.size.as_ref())
                    .map(|s| memory_quantity(s.0));
                self.memory(name, &v.target, size);
            }
            ("bind", source) => {
                let source = source.clone().unwrap_or_default();
                self.bind(name, service, path, &source, v, asked)?;
            }
            (other, _) => self.warn(
                path.to_owned(),
                format!("{other} mounts have no Kubernetes counterpart; not translated"),
            ),
        }
        Ok(())
    }

    /// A named volume the service asked to be an emptyDir: its data lasts as long as the pod.
    fn emptied_volume(
        &mut self,
        name: &str,
        path: &str,
        source: &str,
        v: &ServiceVolume,
        asked: &Asked,
    ) {
        let sub_path = v.volume.as_ref().and_then(|o| o.subpath.clone());
        let vol = volume_name(&[source]);
        let mount = Self::mount(&vol, &v.target, v.read_only, sub_path);
        self.empty_dir(name, EmptyDirVolumeSource::default(), mount);
        let users = self.emptied.entry(source.to_owned()).or_default();
        if !users.iter().any(|u| u == name) {
            users.push(name.to_owned());
        }
        let message = format!(
            "volume {source} is an emptyDir ({} emptyDir): its data is lost whenever the pod is replaced",
            asked.why
        );
        // A database's data is what a StatefulSet exists to keep.
        if matches!(self.role(&self.owner(name)), Some(Role::StatefulSet)) {
            self.warn(path.to_owned(), message);
        } else {
            self.note(path.to_owned(), message);
        }
    }

    /// An anonymous volume lives as long as its container: an emptyDir.
    fn anonymous(&mut self, name: &str, path: &str, v: &ServiceVolume) {
        let vol = volume_name(&[name, "anon", &v.target]);
        let mount = Self::mount(&vol, &v.target, v.read_only, None);
        self.empty_dir(name, EmptyDirVolumeSource::default(), mount);
        self.note(
            path.to_owned(),
            format!(
                "anonymous volume at {}: an emptyDir, emptied when the pod goes",
                v.target
            ),
        );
    }
}

fn part_of(project: &Project) -> BTreeMap<String, String> {
    let mut l = labels(project, "x");
    l.remove("app.kubernetes.io/name");
    l
}

pub fn storage(
    project: &Project,
    roles: &IndexMap<String, Classification>,
    project_dir: &Path,
    files: &dyn ProjectFiles,
    options: &Options,
) -> Result<Storage, Error> {
    Builder {
        project,
        roles,
        project_dir,
        files,
        options,
        out: Storage::default(),
        shared: IndexMap::new(),
        config_maps: IndexMap::new(),
        read_write_many: Vec::new(),
        emptied: IndexMap::new(),
    }
    .run()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    use super::bind::looks_like_file;
    use super::claim::is_quantity;
    use crate::build::configuration::MAX_OBJECT_BYTES;
    use crate::files::InMemory;
    use crate::options::VolumeType;

    fn run(yaml: &str, fs: InMemory, options: &Options) -> Result<Storage, Error> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), yaml).unwrap();
        let loaded = crate::compose::load(&crate::compose::LoadOptions {
            working_dir: dir.path().to_path_buf(),
            project_directory: Some(PathBuf::from("/p")),
            files: vec![dir.path().join("compose.yaml").display().to_string()],
            ..Default::default()
        })
        .unwrap();
        let roles = crate::classify::classify(&loaded.project).unwrap();
        storage(&loaded.project, &roles, Path::new("/p"), &fs, options)
    }

    fn mode(s: &Storage, i: usize) -> String {
        s.claims[i]
            .spec
            .as_ref()
            .unwrap()
            .access_modes
            .as_ref()
            .unwrap()[0]
            .clone()
    }

    #[test]
    fn access_modes_follow_writers_and_replicas() {
        let s = run(
            "services:\n  one:\n    image: app\n    volumes: ['solo:/data']\n  many:\n    image: app\n    deploy: {replicas: 3}\n    volumes: ['uploads:/u']\n  reader:\n    image: app\n    volumes: ['static:/s:ro']\n  reader2:\n    image: app\n    volumes: ['static:/s:ro']\nvolumes: {solo: {}, uploads: {}, static: {}}\n",
            InMemory::new(),
            &Options::default(),
        )
        .unwrap();
        let names: Vec<&str> = s
            .claims
            .iter()
            .map(|c| c.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(names, ["solo", "uploads", "static"]);
        assert_eq!(mode(&s, 0), "ReadWriteOnce");
        assert_eq!(mode(&s, 1), "ReadWriteMany");
        assert_eq!(mode(&s, 2), "ReadOnlyMany");
        // One note says which claims need a class that supports ReadWriteMany.
        assert_eq!(s.diagnostics.len(), 1, "{:?}", s.diagnostics);
        assert!(
            s.diagnostics[0].message.ends_with(": uploads (many ×3)"),
            "{:?}",
            s.diagnostics
        );
        assert!(s.containers["one"].writes_read_write_once);
        assert!(!s.containers["many"].writes_read_write_once);
        let size = &s.claims[0]
            .spec
            .as_ref()
            .unwrap()
            .resources
            .as_ref()
            .unwrap()
            .requests
            .as_ref()
            .unwrap()["storage"];
        assert_eq!(size.0, "1Gi");
    }

    #[test]
    fn stateful_sets_get_claim_templates() {
        let s = run(
            "services:\n  db:\n    image: postgres:16\n    volumes: ['pgdata:/var/lib/postgresql/data']\n    x-kubernetes: {size: 20Gi, storage_class: fast}\nvolumes: {pgdata: {}}\n",
            InMemory::new(),
            &Options::default(),
        )
        .unwrap();
        assert!(s.claims.is_empty());
        let db = &s.containers["db"];
        assert_eq!(
            db.claim_templates[0].metadata.name.as_deref(),
            Some("pgdata")
        );
        let spec = db.claim_templates[0].spec.as_ref().unwrap();
        assert_eq!(spec.storage_class_name.as_deref(), Some("fast"));
        assert_eq!(
            spec.resources.as_ref().unwrap().requests.as_ref().unwrap()["storage"].0,
            "20Gi"
        );
        assert!(db.volumes.is_empty());
        assert_eq!(db.mounts[0].name, "pgdata");
    }

    #[test]
    fn sidecar_volumes_are_memory_empty_dirs() {
        let s = run(
            "services:\n  web:\n    image: httpd\n    volumes: ['logs:/usr/local/apache2/logs']\n  shipper:\n    image: fluent/fluent-bit\n    volumes: ['logs:/logs:ro']\nvolumes:\n  logs:\n    driver_opts: {type: tmpfs, device: tmpfs}\n",
            InMemory::new(),
            &Options::default(),
        )
        .unwrap();
        assert!(s.claims.is_empty());
        let v = &s.containers["web"].volumes[0];
        assert_eq!(
            v.empty_dir.as_ref().unwrap().medium.as_deref(),
            Some("Memory")
        );
        assert_eq!(s.containers["shipper"].mounts[0].read_only, Some(true));
    }

    #[test]
    fn external_and_sizes_from_labels() {
        let s = run(
            "services:\n  a:\n    image: app\n    volumes: ['ext:/e', 'big:/b']\nvolumes:\n  ext: {external: true, name: prod-data}\n  big:\n    labels: {kompose.volume.size: 5Gi}\n",
            InMemory::new(),
            &Options::default(),
        )
        .unwrap();
        let a = &s.containers["a"];
        assert_eq!(
            a.volumes[0]
                .persistent_volume_claim
                .as_ref()
                .unwrap()
                .claim_name,
            "prod-data"
        );
        assert_eq!(s.claims.len(), 1);
        assert_eq!(
            s.claims[0]
                .spec
                .as_ref()
                .unwrap()
                .resources
                .as_ref()
                .unwrap()
                .requests
                .as_ref()
                .unwrap()["storage"]
                .0,
            "5Gi"
        );
        assert!(
            s.diagnostics
                .iter()
                .any(|d| d.message.contains("prod-data must exist"))
        );
    }

    #[test]
    fn bad_sizes_are_errors() {
        let e = run(
            "services:\n  a:\n    image: app\n    volumes: ['data:/d']\n    x-kubernetes: {size: banana}\nvolumes: {data: {}}\n",
            InMemory::new(),
            &Options::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("not a Kubernetes quantity"), "{e}");
    }

    #[test]
    fn bind_mounts_of_the_project() {
        let fs = InMemory::new()
            .file("/p/nginx.conf", "events {}")
            .file("/p/conf.d/a.conf", "a")
            .file("/p/conf.d/b.conf", "b")
            .file("/p/logo.bin", vec![0xff, 0xfe])
            .dir("/p/data");
        let s = run(
            "services:\n  web:\n    image: nginx\n    volumes: ['./nginx.conf:/etc/nginx/nginx.conf:ro', './conf.d:/etc/nginx/conf.d:ro', './logo.bin:/logo', './data:/data', './missing.conf:/etc/m.conf', './state:/state']\n",
            fs,
            &Options::default(),
        )
        .unwrap();
        let cms: Vec<&str> = s
            .config_maps
            .iter()
            .map(|c| c.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(cms, ["nginx-conf", "conf-d", "logo-bin"]);
        assert!(s.config_maps[2].binary_data.is_some());
        let web = &s.containers["web"];
        assert_eq!(web.mounts[0].sub_path.as_deref(), Some("nginx.conf"));
        assert_eq!(web.mounts[1].sub_path, None);
        let claims: Vec<&str> = s
            .claims
            .iter()
            .map(|c| c.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(claims, ["data", "state"]);
        assert!(
            s.diagnostics
                .iter()
                .any(|d| { d.message.contains("kubectl create configmap missing-conf") })
        );
    }

    #[test]
    fn a_shared_project_directory_is_one_claim() {
        let fs = InMemory::new().dir("/p/dags").dir("/p/volumes/db");
        let s = run(
            "services:\n  scheduler:\n    image: app\n    volumes: ['./dags:/opt/dags']\n  worker:\n    image: app\n    volumes: ['./dags:/opt/dags']\n  db:\n    image: postgres:16\n    volumes: ['./volumes/db:/var/lib/postgresql/data']\n  cache:\n    image: app\n    volumes: ['dags:/cache']\nvolumes:\n  dags:\n",
            fs,
            &Options::default(),
        )
        .unwrap();
        let claims: Vec<(&str, String)> = s
            .claims
            .iter()
            .enumerate()
            .map(|(i, c)| (c.metadata.name.as_deref().unwrap(), mode(&s, i)))
            .collect();
        // The named volume `dags` keeps its name; the directory becomes `dags-dir`.
        assert_eq!(
            claims,
            [
                ("dags-dir", "ReadWriteMany".to_owned()),
                ("dags", "ReadWriteOnce".to_owned())
            ]
        );
        let db = &s.containers["db"];
        assert_eq!(
            db.claim_templates[0].metadata.name.as_deref(),
            Some("volumes-db")
        );
        assert_eq!(s.containers["worker"].mounts[0].name, "dags-dir");
        // postgres refuses a volume's root: its data goes one level down.
        assert_eq!(
            s.containers["db"].mounts[0].sub_path.as_deref(),
            Some("pgdata")
        );
    }

    #[test]
    fn shared_files_are_one_config_map_and_programs_are_configuration() {
        let fs = InMemory::new()
            .file("/p/conf/app.ini", "[app]")
            .file("/p/bin/entrypoint.sh", "#!/bin/sh");
        let s = run(
            "services:\n  a:\n    image: app\n    volumes: ['./conf/app.ini:/etc/app.ini:ro']\n  b:\n    image: app\n    volumes: ['./conf/app.ini:/etc/app.ini:ro']\n  c:\n    image: app\n    entrypoint: /opt/bin/entrypoint.sh\n    volumes: ['./bin:/opt/bin', './missing:/opt/tools']\n    command: [/opt/tools/run]\n",
            fs,
            &Options::default(),
        )
        .unwrap();
        let cms: Vec<&str> = s
            .config_maps
            .iter()
            .map(|c| c.metadata.name.as_deref().unwrap())
            .collect();
        // One ConfigMap for the file both mount; the directory c runs a program from is
        // configuration, not an empty claim, and so is the missing one.
        assert_eq!(cms, ["conf-app-ini", "bin"]);
        assert!(s.claims.is_empty(), "{:?}", s.claims);
        assert!(
            s.diagnostics
                .iter()
                .any(|d| d.message.contains("kubectl create configmap missing"))
        );
    }

    #[test]
    fn database_data_goes_below_the_volume_root() {
        let s = run(
            "services:\n  db:\n    image: mariadb:11\n    volumes: ['data:/var/lib/mysql']\n  pg:\n    image: postgres:16\n    environment: {PGDATA: /var/lib/postgresql/data/pgdata}\n    volumes: ['pg:/var/lib/postgresql/data']\n  other:\n    image: postgres:16\n    volumes: ['logs:/var/log/postgresql']\nvolumes:\n  data:\n  pg:\n  logs:\n",
            InMemory::new(),
            &Options::default(),
        )
        .unwrap();
        let sub = |svc: &str| s.containers[svc].mounts[0].sub_path.clone();
        assert_eq!(sub("db").as_deref(), Some("mysql"));
        assert_eq!(sub("pg"), None, "PGDATA already points one level down");
        assert_eq!(sub("other"), None, "not the data directory");
    }

    #[test]
    fn big_files_are_errors() {
        let fs = InMemory::new().file("/p/big.sql", vec![b'x'; MAX_OBJECT_BYTES + 1]);
        let e = run(
            "services:\n  db:\n    image: app\n    volumes: ['./big.sql:/init.sql:ro']\n",
            fs,
            &Options::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("at most 1 MiB"), "{e}");
    }

    #[test]
    fn host_paths_with_types_and_warnings() {
        let fs = InMemory::new().socket("/var/run/docker.sock").dir("/proc");
        let s = run(
            "services:\n  agent:\n    image: app\n    volumes: ['/var/run/docker.sock:/var/run/docker.sock', '/proc:/host/proc:ro', '/srv/new:/new']\n  node:\n    image: app\n    deploy: {mode: global}\n    volumes: ['/proc:/host/proc:ro']\n",
            fs,
            &Options::default(),
        )
        .unwrap();
        let types: Vec<&str> = s.containers["agent"]
            .volumes
            .iter()
            .map(|v| v.host_path.as_ref().unwrap().type_.as_deref().unwrap())
            .collect();
        assert_eq!(types, ["Socket", "Directory", "DirectoryOrCreate"]);
        let warned: Vec<&str> = s.diagnostics.iter().filter_map(|d| d.service()).collect();
        assert_eq!(warned, ["agent", "agent", "agent"]);
    }

    #[test]
    fn hostpath_mode_and_memory_mounts_and_volumes_from() {
        let options = Options {
            volumes: VolumeType::HostPath,
            ..Options::default()
        };
        let fs = InMemory::new().file("/p/app.conf", "x");
        let s = run(
            "services:\n  a:\n    image: app\n    volumes: ['./app.conf:/etc/app.conf']\n    tmpfs: ['/run:size=64m,mode=1777']\n    shm_size: 256m\n  b:\n    image: app\n    volumes_from: ['a:ro']\n",
            fs,
            &options,
        )
        .unwrap();
        let a = &s.containers["a"];
        assert_eq!(
            a.volumes[0].host_path.as_ref().unwrap().type_.as_deref(),
            Some("File")
        );
        let memory: Vec<&str> = a
            .mounts
            .iter()
            .skip(1)
            .map(|m| m.mount_path.as_str())
            .collect();
        assert_eq!(memory, ["/run", "/dev/shm"]);
        assert_eq!(
            a.volumes[2]
                .empty_dir
                .as_ref()
                .unwrap()
                .size_limit
                .as_ref()
                .unwrap()
                .0,
            "256Mi"
        );
        assert_eq!(s.containers["b"].mounts[0].read_only, Some(true));
        assert_eq!(
            a.volumes[1]
                .empty_dir
                .as_ref()
                .unwrap()
                .size_limit
                .as_ref()
                .unwrap()
                .0,
            "64Mi"
        );
        assert_eq!(s.diagnostics[0].path, "services.a.tmpfs[0]");
    }

    #[test]
    fn a_service_can_ask_for_host_paths() {
        let fs = InMemory::new().file("/p/app.conf", "x");
        let s = run(
            "services:\n  a:\n    image: app\n    volumes: ['./app.conf:/etc/app.conf']\n    x-kubernetes: {bind_mounts: hostpath}\n  b:\n    image: app\n    volumes: ['./app.conf:/etc/app.conf']\n",
            fs,
            &Options::default(),
        )
        .unwrap();
        assert!(s.containers["a"].volumes[0].host_path.is_some());
        assert!(s.containers["b"].volumes[0].config_map.is_some());
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
    }

    #[test]
    fn names_and_quantities() {
        assert!(is_quantity("10Gi") && is_quantity("1.5G") && is_quantity("500"));
        assert!(!is_quantity("banana") && !is_quantity("Gi") && !is_quantity("10 Gi"));
        assert!(
            looks_like_file("./nginx.conf")
                && !looks_like_file("./data")
                && !looks_like_file("./.env.")
        );
        let long = volume_name(&["host", &"/very/long/path".repeat(10)]);
        assert!(long.len() <= 63, "{long}");
        assert_ne!(long, volume_name(&["host", &"/very/long/path".repeat(11)]));
    }
}
