//! Named volumes and data directories once all their users are known: emptyDirs for data
//! shared inside one pod, claim templates for a StatefulSet's own volumes, shared claims with
//! the access mode their writers need, external claims and bind-device hostPaths.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    EmptyDirVolumeSource, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeClaimVolumeSource, Volume, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::build::names::sanitize_name;
use crate::build::workload::replicas;
use crate::classify::Role;
use crate::classify::extension;
use crate::compose::Error;
use crate::compose::model::ServiceVolume;

use super::{Builder, Shared, Use, part_of, volume_name};

impl Builder<'_> {
    /// Every named volume and data directory, once all their users are known.
    pub(super) fn named_volumes(&mut self) -> Result<(), Error> {
        let shared = std::mem::take(&mut self.shared);
        for (key, s) in &shared {
            self.named_volume(key, s)?;
        }
        Ok(())
    }

    fn named_volume(&mut self, key: &str, s: &Shared) -> Result<(), Error> {
        let project = self.project;
        let display = s.data_dir.clone().unwrap_or_else(|| key.to_owned());
        let declared = s.declared.as_ref().and_then(|k| project.volumes.get(k));
        let name = s.data_dir.clone().unwrap_or_else(|| sanitize_name(key));
        let path = format!("volumes.{display}");
        let mut owners: Vec<&str> = s.uses.iter().map(|u| u.owner.as_str()).collect();
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
                let claim = d.name.clone().unwrap_or_else(|| key.to_owned());
                self.note(
                    path.clone(),
                    format!("external: the PersistentVolumeClaim {claim} must exist in the namespace; it is referenced, not emitted"),
                );
                for u in &s.uses {
                    self.claim_mount(u, &sanitize_name(key), &claim);
                }
                return Ok(());
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
            return Ok(());
        }
        let one_pod = owners.len() == 1;
        let several_containers = s.uses.iter().any(|u| u.service != u.owner);
        // A StatefulSet's volume holds its state, whoever else in the pod reads it; a project
        // directory holds the user's files; services put in one pod by a group are whole
        // services, whose volumes keep data as they did in compose.
        let stateful = one_pod && matches!(self.role(owners[0]), Some(Role::StatefulSet));
        let grouped = s
            .uses
            .iter()
            .any(|u| self.roles.get(&u.service).is_some_and(|c| c.grouped));
        let keeps_data = stateful || grouped || s.data_dir.is_some();
        if tmpfs || (one_pod && several_containers && !keeps_data) {
            self.pod_local(s, &name, &path, tmpfs, one_pod);
            return Ok(());
        }
        if stateful {
            return self.claim_template(s, &display, &name, owners[0]);
        }
        self.shared_claim(s, &display, &name, &path, &owners)
    }

    /// A volume that only shares data inside one pod, or a tmpfs: an emptyDir.
    fn pod_local(&mut self, s: &Shared, name: &str, path: &str, tmpfs: bool, one_pod: bool) {
        if tmpfs && !one_pod {
            self.warn(
                path.to_owned(),
                "a tmpfs volume cannot be shared between pods: each pod gets its own memory emptyDir",
            );
        }
        let vol = volume_name(&[name]);
        for u in &s.uses {
            let source = EmptyDirVolumeSource {
                medium: tmpfs.then(|| "Memory".into()),
                size_limit: None,
            };
            let mount = Self::mount(&vol, &u.target, u.read_only, u.sub_path.clone());
            self.empty_dir(&u.service, source, mount);
        }
    }

    /// A volume of one StatefulSet alone: a claim template, one claim per replica.
    fn claim_template(
        &mut self,
        s: &Shared,
        display: &str,
        name: &str,
        owner: &str,
    ) -> Result<(), Error> {
        let spec = self.claim_spec(s, display, "ReadWriteOnce")?;
        let template = PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                ..ObjectMeta::default()
            },
            spec: Some(spec),
            ..PersistentVolumeClaim::default()
        };
        let c = self.container(owner);
        if !c
            .claim_templates
            .iter()
            .any(|t| t.metadata.name == template.metadata.name)
        {
            c.claim_templates.push(template);
        }
        for u in &s.uses {
            self.container(&u.service).mounts.push(Self::mount(
                name,
                &u.target,
                u.read_only,
                u.sub_path.clone(),
            ));
        }
        Ok(())
    }

    /// A volume several pods use, or one Deployment: one claim all of them mount, with the
    /// access mode their writers need.
    fn shared_claim(
        &mut self,
        s: &Shared,
        display: &str,
        name: &str,
        path: &str,
        owners: &[&str],
    ) -> Result<(), Error> {
        let writers: Vec<&Use> = s.uses.iter().filter(|u| !u.read_only).collect();
        let mut writer_pods: Vec<&str> = writers.iter().map(|u| u.owner.as_str()).collect();
        writer_pods.sort_unstable();
        writer_pods.dedup();
        let replicas = |pods: &[&str]| {
            pods.iter()
                .map(|o| self.replicas_of(o))
                .fold(0i64, i64::saturating_add)
        };
        // ReadWriteOnce attaches to one node: only right when one single-replica pod uses
        // the volume at all, since readers elsewhere could not mount it either.
        let mode = if writers.is_empty() {
            "ReadOnlyMany"
        } else if writer_pods.len() == 1 && replicas(&writer_pods) == 1 && replicas(owners) == 1 {
            "ReadWriteOnce"
        } else {
            "ReadWriteMany"
        };
        if writer_pods
            .iter()
            .any(|o| matches!(self.role(o), Some(Role::StatefulSet)))
        {
            self.warn(
                path.to_owned(),
                "a StatefulSet shares this written volume with other workloads: one claim for all its replicas instead of one each",
            );
        }
        let spec = self.claim_spec(s, display, mode)?;
        if mode == "ReadWriteMany" {
            let mut users: Vec<String> = Vec::new();
            for u in &s.uses {
                let user = match self.replicas_of(&u.owner) {
                    1 => u.service.clone(),
                    n if n == i64::MAX => format!("{} on every node", u.service),
                    n => format!("{} ×{n}", u.service),
                };
                if !users.contains(&user) {
                    users.push(user);
                }
            }
            self.read_write_many.push((name.to_owned(), users));
        }
        self.out.claims.push(PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                labels: Some(part_of(self.project)),
                ..ObjectMeta::default()
            },
            spec: Some(spec),
            ..PersistentVolumeClaim::default()
        });
        for u in &s.uses {
            self.claim_mount(u, name, name);
            if mode == "ReadWriteOnce" && !u.read_only {
                self.container(&u.service).writes_read_write_once = true;
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

    /// A setting of a named volume, first found on the volume (its `x-kubernetes` or
    /// `labels`), then on its users (their `x-kubernetes`, which their labels fill).
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
            if from_x.is_some() {
                return from_x;
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
        // kompose's selector: the claim binds only a PersistentVolume labelled
        // `selector: <value>`, as kompose writes it.
        let selector = shared
            .declared
            .as_ref()
            .and_then(|k| self.project.volumes.get(k))
            .and_then(|v| v.labels.get("kompose.volume.selector"))
            .map(|value| {
                let valid = value.len() <= 63
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                    && !value.starts_with(['-', '_', '.'])
                    && !value.ends_with(['-', '_', '.']);
                if valid {
                    Ok(LabelSelector {
                        match_labels: Some(BTreeMap::from([(
                            "selector".to_owned(),
                            value.clone(),
                        )])),
                        ..LabelSelector::default()
                    })
                } else {
                    Err(Error::project(format!(
                        "volumes.{key}.labels.kompose.volume.selector: \"{value}\" is not a Kubernetes label value (at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)"
                    )))
                }
            })
            .transpose()?;
        Ok(PersistentVolumeClaimSpec {
            access_modes: Some(vec![mode.to_owned()]),
            storage_class_name: class,
            selector,
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_owned(), Quantity(size))])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        })
    }
}

pub(super) use crate::options::is_quantity;
