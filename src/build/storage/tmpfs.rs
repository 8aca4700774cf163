//! Memory-backed mounts: `tmpfs` entries, `type: tmpfs` mounts and `shm_size`, as
//! `emptyDir {medium: Memory}` with Docker's sizes read as bytes.

use k8s_openapi::api::core::v1::EmptyDirVolumeSource;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::compose::model::Service;

use super::{Builder, volume_name};

impl Builder<'_> {
    /// The service's `tmpfs` entries and its `shm_size` at `/dev/shm`.
    pub(super) fn tmpfs(&mut self, name: &str, service: &Service) {
        for (i, entry) in service.tmpfs.iter().enumerate() {
            let path = format!("services.{name}.tmpfs[{i}]");
            let (target, opts) = entry.split_once(':').unwrap_or((entry.as_str(), ""));
            // Docker's `64m` is 64 MiB; Kubernetes would read it as 64 millibytes.
            let size = match opts.split(',').find_map(|o| o.strip_prefix("size=")) {
                Some(text) => match crate::compose::syntax::parse_bytes(text) {
                    Ok(bytes) => Some(memory_quantity(bytes)),
                    Err(e) => {
                        self.warn(path.clone(), format!("size {text}: {e}; no size limit"));
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
                    path,
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

    pub(super) fn memory(&mut self, service: &str, target: &str, size: Option<Quantity>) {
        let name = volume_name(&[service, "tmpfs", target]);
        let source = EmptyDirVolumeSource {
            medium: Some("Memory".into()),
            size_limit: size,
        };
        self.empty_dir(service, source, Self::mount(&name, target, false, None));
    }
}

pub(super) fn memory_quantity(bytes: i64) -> Quantity {
    const MI: i64 = 1024 * 1024;
    if bytes > 0 && bytes % MI == 0 {
        Quantity(format!("{}Mi", bytes / MI))
    } else {
        Quantity(bytes.max(0).to_string())
    }
}
