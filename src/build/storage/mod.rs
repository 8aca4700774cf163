//! Volumes (DESIGN.md §4 "Storage"): what every mount of every service becomes, and the
//! claims and ConfigMaps that back them.
//!
//! Named volumes:
//! - used only inside one pod by more than one container (a service and its sidecars or
//!   one-shot initContainers), or declared tmpfs by their driver options → an `emptyDir`
//!   (`medium: Memory` for tmpfs): it exists to share data, not to keep it;
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
//! - a read-only directory of at most 1 MiB of plain files → a ConfigMap `<service>-<dir>`;
//! - a missing path that looks like a file (`./nginx.conf`), or a missing read-only mount →
//!   a reference to the ConfigMap `<service>-<name>`, not emitted, and a warning with the
//!   `kubectl create configmap` command: never a PVC for a config file;
//! - any other directory → a PVC `<service>-<dir>`, like a named volume, and a note that its
//!   current content is not copied.
//!
//! `--bind-mounts hostpath` (or `x-kubernetes: {bind_mounts: hostpath}` on one service) makes
//! bind mounts hostPaths, as asked. `tmpfs` entries and
//! `shm_size` → memory `emptyDir`s (at `/dev/shm` for the latter); anonymous volumes →
//! `emptyDir`, with a note; `volumes_from` repeats the other service's mounts (`:ro` makes
//! them read-only).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, EmptyDirVolumeSource, HostPathVolumeSource,
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource, Volume,
    VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::build::configuration::MAX_OBJECT_BYTES;
use crate::build::names::{labels, sanitize_name};
use crate::build::workload::replicas;
use crate::classify::extension;
use crate::classify::{Classification, Role};
use crate::compose::Error;
use crate::compose::model::{Project, Service, ServiceVolume};
use crate::diagnostic::Diagnostic;
use crate::files::{Kind, ProjectFiles};
use crate::options::{BindMounts, Options};

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

fn is_quantity(s: &str) -> bool {
    let digits_end = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(digits_end);
    !number.is_empty()
        && number.parse::<f64>().is_ok()
        && [
            "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E",
        ]
        .contains(&unit)
}

fn memory_quantity(bytes: i64) -> Quantity {
    const MI: i64 = 1024 * 1024;
    if bytes > 0 && bytes % MI == 0 {
        Quantity(format!("{}Mi", bytes / MI))
    } else {
        Quantity(bytes.max(0).to_string())
    }
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
}

impl Builder<'_> {
    fn owner(&self, service: &str) -> String {
        match self.roles.get(service).map(|c| &c.role) {
            Some(Role::Sidecar { of } | Role::Init { of }) => of.clone(),
            _ => service.to_owned(),
        }
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

    fn run(mut self) -> Result<Storage, Error> {
        for (name, service) in &self.project.services {
            self.container(name);
            let mut mounts: Vec<(String, ServiceVolume)> = service
                .volumes
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("services.{name}.volumes[{i}]"), v.clone()))
                .collect();
            for (i, from) in service.volumes_from.iter().enumerate() {
                let (source, mode) = from.split_once(':').unwrap_or((from.as_str(), "rw"));
                if source == "container" {
                    self.warn(
                        format!("services.{name}.volumes_from[{i}]"),
                        "volumes of a container outside the project cannot be shared; not translated",
                    );
                    continue;
                }
                if let Some(other) = self.project.services.get(source) {
                    for (j, v) in other.volumes.iter().enumerate() {
                        let mut v = v.clone();
                        v.read_only |= mode == "ro";
                        mounts.push((format!("services.{source}.volumes[{j}]"), v));
                    }
                }
            }
            for (path, volume) in mounts {
                self.service_volume(name, service, &path, &volume)?;
            }
            for (i, entry) in service.tmpfs.iter().enumerate() {
                let (target, opts) = entry.split_once(':').unwrap_or((entry.as_str(), ""));
                // Docker's `64m` is 64 MiB; Kubernetes would read it as 64 millibytes.
                let size = match opts.split(',').find_map(|o| o.strip_prefix("size=")) {
                    Some(text) => match crate::compose::syntax::parse_bytes(text) {
                        Ok(bytes) => Some(memory_quantity(bytes)),
                        Err(e) => {
                            self.warn(
                                format!("services.{name}.tmpfs[{i}]"),
                                format!("size {text}: {e}; no size limit"),
                            );
                            None
                        }
                    },
                    None => None,
                };
                let others: Vec<&str> = opts
                    .split(',')
                    .filter(|o| !o.is_empty() && !o.starts_with("size="))
                    .collect();
                if !others.is_empty() {
                    self.warn(
                        format!("services.{name}.tmpfs[{i}]"),
                        format!(
                            "{}: an emptyDir takes only a size; not translated",
                            others.join(",")
                        ),
                    );
                }
                self.memory(name, target, size);
            }
            if let Some(shm) = &service.shm_size {
                self.memory(name, "/dev/shm", Some(memory_quantity(shm.0)));
            }
        }
        for key in self.project.volumes.keys() {
            if !self.shared.contains_key(key) {
                self.out.diagnostics.push(Diagnostic::warning(
                    format!("volumes.{key}"),
                    "not used by any service; not emitted",
                ));
            }
        }
        self.named_volumes()?;
        self.out.config_maps = self.config_maps.into_values().collect();
        Ok(self.out)
    }

    fn memory(&mut self, service: &str, target: &str, size: Option<Quantity>) {
        let name = volume_name(&[service, "tmpfs", target]);
        let volume = Volume {
            name: name.clone(),
            empty_dir: Some(EmptyDirVolumeSource {
                medium: Some("Memory".into()),
                size_limit: size,
            }),
            ..Volume::default()
        };
        self.add(
            service,
            Some(volume),
            Self::mount(&name, target, false, None),
        );
    }

    fn service_volume(
        &mut self,
        name: &str,
        service: &Service,
        path: &str,
        v: &ServiceVolume,
    ) -> Result<(), Error> {
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
        let sub_path = v.volume.as_ref().and_then(|o| o.subpath.clone());
        match v.r#type.as_str() {
            "volume" => match &v.source {
                Some(source) => {
                    let owner = self.owner(name);
                    self.shared.entry(source.clone()).or_insert_with(|| Shared {
                        declared: Some(source.clone()),
                        ..Shared::default()
                    });
                    if let Some(s) = self.shared.get_mut(source) {
                        s.uses.push(Use {
                            service: name.to_owned(),
                            owner,
                            target: v.target.clone(),
                            read_only: v.read_only,
                            sub_path,
                        });
                    }
                }
                None => {
                    let vol = volume_name(&[name, "anon", &v.target]);
                    self.add(
                        name,
                        Some(Volume {
                            name: vol.clone(),
                            empty_dir: Some(EmptyDirVolumeSource::default()),
                            ..Volume::default()
                        }),
                        Self::mount(&vol, &v.target, v.read_only, None),
                    );
                    self.note(
                        path.to_owned(),
                        format!(
                            "anonymous volume at {}: an emptyDir, emptied when the pod goes",
                            v.target
                        ),
                    );
                }
            },
            "tmpfs" => {
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
            "bind" => {
                let source = v.source.clone().unwrap_or_default();
                self.bind(name, service, path, &source, v)?;
            }
            other => self.warn(
                path.to_owned(),
                format!("{other} mounts have no Kubernetes counterpart; not translated"),
            ),
        }
        Ok(())
    }

    fn host_path(&mut self, name: &str, path: &str, source: &str, v: &ServiceVolume, warn: bool) {
        let kind = match self.files.stat(Path::new(source)).map(|e| e.kind) {
            Some(Kind::Socket) => "Socket",
            Some(Kind::File) => "File",
            Some(Kind::Dir) => "Directory",
            Some(Kind::Other) => "",
            None if looks_like_file(source) => "FileOrCreate",
            None => "DirectoryOrCreate",
        };
        let vol = volume_name(&["host", source]);
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

    fn bind(
        &mut self,
        name: &str,
        service: &Service,
        path: &str,
        source: &str,
        v: &ServiceVolume,
    ) -> Result<(), Error> {
        let asked = match extension::of(service).ok().and_then(|x| x.bind_mounts) {
            Some(extension::BindMounts::HostPath) => true,
            Some(extension::BindMounts::Auto) => false,
            None => self.options.bind_mounts == BindMounts::HostPath,
        };
        if asked {
            self.host_path(name, path, source, v, false);
            return Ok(());
        }
        let inside = self.project_dir != Path::new("/")
            && Path::new(source).starts_with(self.project_dir)
            && Path::new(source) != self.project_dir;
        if !inside {
            self.host_path(name, path, source, v, true);
            return Ok(());
        }
        let base = Path::new(source)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "data".into());
        let cm_name = volume_name(&[name, &base]);
        let entry = self.files.stat(Path::new(source));
        match entry.map(|e| e.kind) {
            Some(Kind::File) => {
                let content = self.read(path, Path::new(source))?;
                let key = config_key(&base);
                self.config_map(&cm_name, BTreeMap::from([(key.clone(), content)]));
                self.add(
                    name,
                    Some(config_volume(&cm_name)),
                    Self::mount(&cm_name, &v.target, true, Some(key)),
                );
            }
            Some(Kind::Dir) => {
                if v.read_only
                    && let Some(entries) = self.small_text_dir(Path::new(source))
                {
                    let mut data = BTreeMap::new();
                    for (key, file) in entries {
                        data.insert(key, self.read(path, &file)?);
                    }
                    self.config_map(&cm_name, data);
                    self.add(
                        name,
                        Some(config_volume(&cm_name)),
                        Self::mount(&cm_name, &v.target, true, None),
                    );
                } else {
                    self.data_dir(name, path, &base, source, v);
                }
            }
            Some(_) => self.host_path(name, path, source, v, true),
            None if looks_like_file(source) || v.read_only => {
                let from = if looks_like_file(source) {
                    format!("--from-file={}={source}", config_key(&base))
                } else {
                    format!("--from-file={source}")
                };
                self.warn(
                    path.to_owned(),
                    format!("{source} does not exist; the pod mounts ConfigMap {cm_name}, which is not emitted: create it with kubectl create configmap {cm_name} {from}"),
                );
                let sub_path = looks_like_file(source).then(|| config_key(&base));
                self.add(
                    name,
                    Some(config_volume(&cm_name)),
                    Self::mount(&cm_name, &v.target, true, sub_path),
                );
            }
            None => self.data_dir(name, path, &base, source, v),
        }
        Ok(())
    }

    /// A project directory holding data: a claim `<service>-<dir>`, like a named volume.
    fn data_dir(&mut self, name: &str, path: &str, base: &str, source: &str, v: &ServiceVolume) {
        let claim = volume_name(&[name, base]);
        self.note(
            path.to_owned(),
            format!(
                "{source} becomes the claim {claim}; its current content is not copied into it"
            ),
        );
        let owner = self.owner(name);
        let shared = self.shared.entry(format!("\0{claim}")).or_default();
        shared.data_dir = Some(claim);
        shared.uses.push(Use {
            service: name.to_owned(),
            owner,
            target: v.target.clone(),
            read_only: v.read_only,
            sub_path: None,
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

    fn replicas_of(&self, owner: &str) -> i64 {
        if matches!(self.role(owner), Some(Role::DaemonSet)) {
            return i64::MAX;
        }
        self.project
            .services
            .get(owner)
            .and_then(|s| replicas(s, &extension::of(s).unwrap_or_default()))
            .map_or(1, i64::from)
            .max(1)
    }

    /// A setting of a named volume, first found on the volume, then on its users.
    fn setting(&self, shared: &Shared, x_key: &str, labels: &[&str]) -> Option<String> {
        if let Some(volume) = shared
            .declared
            .as_ref()
            .and_then(|k| self.project.volumes.get(k))
        {
            if let Some(v) = volume
                .extensions
                .get("x-kubernetes")
                .and_then(|x| x.get(x_key))
                .and_then(|v| v.as_str())
            {
                return Some(v.to_owned());
            }
            if let Some(v) = labels.iter().find_map(|l| volume.labels.get(*l)) {
                return Some(v.clone());
            }
        }
        for u in &shared.uses {
            let Some(service) = self.project.services.get(&u.service) else {
                continue;
            };
            let x = extension::of(service).unwrap_or_default();
            let from_x = match x_key {
                "size" => x.size.clone(),
                _ => x.storage_class.clone(),
            };
            if let Some(v) =
                from_x.or_else(|| labels.iter().find_map(|l| service.labels.get(*l).cloned()))
            {
                return Some(v);
            }
        }
        None
    }

    fn claim_spec(
        &self,
        shared: &Shared,
        key: &str,
        mode: &str,
    ) -> Result<PersistentVolumeClaimSpec, Error> {
        let size = self
            .setting(
                shared,
                "size",
                &["compose2kube.volume.size", "kompose.volume.size"],
            )
            .unwrap_or_else(|| self.options.default_volume_size.clone());
        if !is_quantity(&size) {
            return Err(Error::project(format!(
                "volumes.{key}: size \"{size}\" is not a Kubernetes quantity (such as 10Gi or 500Mi)"
            )));
        }
        let class = self
            .setting(
                shared,
                "storage_class",
                &[
                    "compose2kube.volume.storage-class",
                    "kompose.volume.storage-class-name",
                ],
            )
            .or_else(|| self.options.storage_class.clone());
        Ok(PersistentVolumeClaimSpec {
            access_modes: Some(vec![mode.to_owned()]),
            storage_class_name: class,
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_owned(), Quantity(size))])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        })
    }

    fn named_volumes(&mut self) -> Result<(), Error> {
        let shared = std::mem::take(&mut self.shared);
        for (key, s) in &shared {
            let display = s.data_dir.clone().unwrap_or_else(|| key.clone());
            let declared = s
                .declared
                .as_ref()
                .and_then(|k| self.project.volumes.get(k));
            let name = s.data_dir.clone().unwrap_or_else(|| sanitize_name(key));
            let path = format!("volumes.{display}");
            let mut owners: Vec<&str> = s.uses.iter().map(|u| u.owner.as_str()).collect();
            owners.dedup();
            owners.sort_unstable();
            owners.dedup();
            let tmpfs = declared.is_some_and(|d| {
                d.driver_opts.get("type").is_some_and(|t| t == "tmpfs")
                    || d.driver_opts.get("o").is_some_and(|o| o.contains("tmpfs"))
            });
            let bind_device = declared.and_then(|d| {
                (d.driver_opts
                    .get("o")
                    .is_some_and(|o| o.split(',').any(|p| p == "bind")))
                .then(|| d.driver_opts.get("device").cloned())
                .flatten()
            });
            if let Some(d) = declared {
                if d.external {
                    let claim = d.name.clone().unwrap_or_else(|| key.clone());
                    self.note(
                        path.clone(),
                        format!("external: the PersistentVolumeClaim {claim} must exist in the namespace; it is referenced, not emitted"),
                    );
                    for u in &s.uses {
                        self.claim_mount(u, &sanitize_name(key), &claim);
                    }
                    continue;
                }
                let known_driver = d.driver.as_deref().is_none_or(|drv| drv == "local");
                if !known_driver || (!tmpfs && bind_device.is_none() && !d.driver_opts.is_empty()) {
                    self.warn(
                        path.clone(),
                        "volume driver and driver options are not translated; the claim uses the storage class",
                    );
                }
            }
            if let Some(device) = bind_device {
                for u in &s.uses {
                    let v = ServiceVolume {
                        target: u.target.clone(),
                        read_only: u.read_only,
                        ..ServiceVolume::default()
                    };
                    self.host_path(&u.service, &path, &device, &v, true);
                }
                continue;
            }
            let one_pod = owners.len() == 1;
            let several_containers = s.uses.iter().any(|u| u.service != u.owner);
            if tmpfs || (one_pod && several_containers) {
                if tmpfs && !one_pod {
                    self.warn(
                        path.clone(),
                        "a tmpfs volume cannot be shared between pods: each pod gets its own memory emptyDir",
                    );
                }
                let vol = volume_name(&[&name]);
                for u in &s.uses {
                    let volume = Volume {
                        name: vol.clone(),
                        empty_dir: Some(EmptyDirVolumeSource {
                            medium: tmpfs.then(|| "Memory".into()),
                            size_limit: None,
                        }),
                        ..Volume::default()
                    };
                    self.add(
                        &u.service,
                        Some(volume),
                        Self::mount(&vol, &u.target, u.read_only, u.sub_path.clone()),
                    );
                }
                continue;
            }
            let writers: Vec<&Use> = s.uses.iter().filter(|u| !u.read_only).collect();
            let stateful_owner = |o: &str| matches!(self.role(o), Some(Role::StatefulSet));
            if one_pod && stateful_owner(owners[0]) {
                let spec = self.claim_spec(s, &display, "ReadWriteOnce")?;
                let template = PersistentVolumeClaim {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        ..ObjectMeta::default()
                    },
                    spec: Some(spec),
                    ..PersistentVolumeClaim::default()
                };
                let owner = owners[0].to_owned();
                let c = self.container(&owner);
                if !c
                    .claim_templates
                    .iter()
                    .any(|t| t.metadata.name == template.metadata.name)
                {
                    c.claim_templates.push(template);
                }
                for u in &s.uses {
                    self.container(&u.service).mounts.push(Self::mount(
                        &name,
                        &u.target,
                        u.read_only,
                        u.sub_path.clone(),
                    ));
                }
                continue;
            }
            let mut writer_pods: Vec<&str> = writers.iter().map(|u| u.owner.as_str()).collect();
            writer_pods.sort_unstable();
            writer_pods.dedup();
            let writer_replicas: i64 = writer_pods
                .iter()
                .map(|o| self.replicas_of(o))
                .fold(0i64, i64::saturating_add);
            // ReadWriteOnce attaches to one node: only right when one single-replica pod uses
            // the volume at all, since readers elsewhere could not mount it either.
            let all_replicas: i64 = owners
                .iter()
                .map(|o| self.replicas_of(o))
                .fold(0i64, i64::saturating_add);
            let mode = if writers.is_empty() {
                "ReadOnlyMany"
            } else if writer_pods.len() == 1 && writer_replicas == 1 && all_replicas == 1 {
                "ReadWriteOnce"
            } else {
                "ReadWriteMany"
            };
            if writer_pods.iter().any(|o| stateful_owner(o)) {
                self.warn(
                    path.clone(),
                    "a StatefulSet shares this written volume with other workloads: one claim for all its replicas instead of one each",
                );
            }
            let spec = self.claim_spec(s, &display, mode)?;
            self.out.claims.push(PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    labels: Some(part_of(self.project)),
                    ..ObjectMeta::default()
                },
                spec: Some(spec),
                ..PersistentVolumeClaim::default()
            });
            for u in &s.uses {
                self.claim_mount(u, &name, &name);
                if mode == "ReadWriteOnce" && !u.read_only {
                    self.container(&u.service).writes_read_write_once = true;
                }
            }
        }
        Ok(())
    }

    fn claim_mount(&mut self, u: &Use, volume: &str, claim: &str) {
        let v = Volume {
            name: volume.to_owned(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim.to_owned(),
                read_only: None,
            }),
            ..Volume::default()
        };
        self.add(
            &u.service,
            Some(v),
            Self::mount(volume, &u.target, u.read_only, u.sub_path.clone()),
        );
    }
}

fn part_of(project: &Project) -> BTreeMap<String, String> {
    let mut l = labels(project, "x");
    l.remove("app.kubernetes.io/name");
    l
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

/// A file name as a ConfigMap key.
fn config_key(name: &str) -> String {
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

/// `nginx.conf`, `init.sql`, `Caddyfile.json`: a name with an extension after a stem.
fn looks_like_file(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.rfind('.')
        .is_some_and(|dot| dot > 0 && dot + 1 < base.len())
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
    }
    .run()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::InMemory;

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
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
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
        assert_eq!(cms, ["web-nginx-conf", "web-conf-d", "web-logo-bin"]);
        assert!(s.config_maps[2].binary_data.is_some());
        let web = &s.containers["web"];
        assert_eq!(web.mounts[0].sub_path.as_deref(), Some("nginx.conf"));
        assert_eq!(web.mounts[1].sub_path, None);
        let claims: Vec<&str> = s
            .claims
            .iter()
            .map(|c| c.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(claims, ["web-data", "web-state"]);
        assert!(s.diagnostics.iter().any(|d| {
            d.message
                .contains("kubectl create configmap web-missing-conf")
        }));
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
            bind_mounts: BindMounts::HostPath,
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
