//! Short syntax to long syntax, on one document, before it is merged (compose-go's
//! `transform.Canonical` plus the interpolation type casts and path resolution).
//!
//! Everything that has two spellings leaves here in one: ports and volumes as long-syntax
//! mappings, `environment`/`labels` as mappings, durations as nanoseconds, byte sizes as bytes,
//! file modes as integers, relative host paths as absolute paths against the document's base
//! directory. Defaults that must not clobber a later file's values (a `depends_on` condition,
//! a build's `dockerfile`) are left to `normalize`, after the merge.
//!
//! Attributes it does not know are left alone: the typed model rejects them with their place.

use std::path::Path;

use super::error::{Error, Result, Warning, index, join};
use super::node::{Loc, Map, Node, Value};
use super::syntax;

pub struct Canonicalizer<'a> {
    /// Relative host paths resolve against this directory.
    pub base_dir: &'a Path,
    /// `~` in host paths.
    pub home: Option<&'a str>,
    pub warnings: &'a mut Vec<Warning>,
}

impl Canonicalizer<'_> {
    /// Canonicalizes a whole document (its `services`, top-level resources and `include`).
    pub fn document(&mut self, doc: &mut Node) -> Result<()> {
        let Some(map) = doc.as_map_mut() else {
            return Ok(());
        };
        if let Some(services) = map.get_mut("services")
            && let Some(services) = services.as_map_mut()
        {
            for (name, service) in services.iter_mut() {
                self.service(service, &join("services", name))?;
            }
        }
        for kind in ["networks", "volumes", "configs", "secrets"] {
            let Some(resources) = map.get_mut(kind).and_then(Node::as_map_mut) else {
                continue;
            };
            for (name, resource) in resources.iter_mut() {
                let path = format!("{kind}.{name}");
                if resource.is_null() {
                    resource.value = Value::Map(Map::new());
                }
                self.resource(kind, resource, &path)?;
            }
        }
        if let Some(include) = map.get_mut("include") {
            self.include(include)?;
        }
        Ok(())
    }

    fn resource(&mut self, kind: &str, node: &mut Node, path: &str) -> Result<()> {
        let Some(map) = node.as_map_mut() else {
            return Ok(());
        };
        for (key, value) in map.iter_mut() {
            let p = join(path, key);
            match key.as_str() {
                "labels" => string_map(value, &p, "")?,
                "driver_opts" => string_map(value, &p, "")?,
                "external" | "internal" | "attachable" | "enable_ipv4" | "enable_ipv6"
                    if !matches!(value.value, Value::Map(_)) =>
                {
                    self.cast_bool(value, &p)?;
                }
                "file" if kind == "configs" || kind == "secrets" => self.host_path(value, &p)?,
                _ => {}
            }
        }
        // Deprecated `external: {name: x}`: the name moves up, with a warning.
        let legacy_name = match map.get("external") {
            Some(ext) if matches!(ext.value, Value::Map(_)) => {
                Some((ext.get("name").cloned(), ext.loc.clone()))
            }
            _ => None,
        };
        if let Some((name, loc)) = legacy_name {
            if let Some(name) = name {
                if let Some(existing) = map.get("name")
                    && existing.scalar_text() != name.scalar_text()
                {
                    return Err(Error::new(
                        &loc,
                        join(path, "external"),
                        "name and external.name conflict; only use name",
                    ));
                }
                self.warnings.push(Warning::new(
                    &loc,
                    join(path, "external.name"),
                    "external.name is deprecated, use name with external: true",
                ));
                map.insert("name".into(), name);
            }
            map.insert("external".into(), Node::new(Value::Bool(true), loc.clone()));
        }
        if kind == "volumes" {
            // A local bind volume's device is a host path.
            let is_bind = map
                .get("driver_opts")
                .and_then(|o| o.get("o"))
                .and_then(Node::as_str)
                .is_some_and(|o| o.split(',').any(|x| x == "bind"));
            let local = map
                .get("driver")
                .and_then(Node::as_str)
                .is_none_or(|d| d == "local");
            if is_bind
                && local
                && let Some(device) = map.get_mut("driver_opts").and_then(|o| o.get_mut("device"))
            {
                self.host_path(device, &join(path, "driver_opts.device"))?;
            }
        }
        Ok(())
    }

    fn include(&mut self, node: &mut Node) -> Result<()> {
        let Value::Seq(items) = &mut node.value else {
            return Err(Error::new(
                &node.loc,
                "include",
                format!("must be a list, got {}", node.kind()),
            ));
        };
        for (i, item) in items.iter_mut().enumerate() {
            let p = index("include", i);
            if let Value::Str(s) = &item.value {
                let loc = item.loc.clone();
                let mut m = Map::new();
                m.insert("path".into(), Node::str(s.clone(), &loc));
                *item = Node::map(m, &loc);
            }
            if let Some(m) = item.as_map_mut() {
                for key in ["path", "env_file"] {
                    if let Some(v) = m.get_mut(key) {
                        string_list(v, &join(&p, key))?;
                    }
                }
            }
        }
        Ok(())
    }

    pub fn service(&mut self, node: &mut Node, path: &str) -> Result<()> {
        if node.is_null() {
            node.value = Value::Map(Map::new());
        }
        let Some(map) = node.as_map_mut() else {
            return Err(Error::new(
                &node.loc,
                path,
                format!("a service must be a mapping, found {}", node.kind()),
            ));
        };
        for (key, value) in map.iter_mut() {
            let p = join(path, key);
            self.service_key(key, value, &p)?;
        }
        Ok(())
    }

    fn service_key(&mut self, key: &str, value: &mut Node, p: &str) -> Result<()> {
        match key {
            "build" => self.build(value, p)?,
            "command" | "entrypoint" => command(value, p)?,
            "healthcheck" => self.healthcheck(value, p)?,
            "environment" => env_map(value, p)?,
            "labels" | "annotations" | "sysctls" => string_map(value, p, "")?,
            "env_file" => self.env_file(value, p)?,
            "label_file" => {
                string_list(value, p)?;
                self.host_paths(value, p)?;
            }
            "ports" => ports(value, p)?,
            "expose" => {
                string_list(value, p)?;
                for (i, item) in seq_mut(value).iter_mut().enumerate() {
                    if let Some(s) = item.as_str() {
                        syntax::parse_expose(s)
                            .map_err(|m| Error::new(&item.loc, index(p, i), m))?;
                    }
                }
            }
            "volumes" => self.volumes(value, p)?,
            "tmpfs"
            | "dns"
            | "dns_search"
            | "dns_opt"
            | "cap_add"
            | "cap_drop"
            | "security_opt"
            | "links"
            | "external_links"
            | "profiles"
            | "volumes_from"
            | "group_add"
            | "device_cgroup_rules" => string_list(value, p)?,
            "extra_hosts" => extra_hosts(value, p)?,
            "depends_on" => depends_on(value, p)?,
            "networks" | "models" => list_to_null_map(value, p)?,
            "secrets" | "configs" => file_references(value, p)?,
            "devices" => devices(value, p)?,
            "ulimits" => ulimits(value, p)?,
            "gpus" => gpus(value, p)?,
            "deploy" => self.deploy(value, p)?,
            "develop" => self.develop(value, p)?,
            "extends" => {
                if let Value::Str(s) = &value.value {
                    let loc = value.loc.clone();
                    let mut m = Map::new();
                    m.insert("service".into(), Node::str(s.clone(), &loc));
                    *value = Node::map(m, &loc);
                }
            }
            "logging" => {
                if let Some(opts) = value.get_mut("options") {
                    string_map(opts, &join(p, "options"), "")?;
                }
            }
            "post_start" | "pre_stop" | "pre_start" => hooks(value, p)?,
            "stop_grace_period" => duration(value, p)?,
            "mem_limit" | "mem_reservation" | "memswap_limit" | "shm_size" => bytes(value, p)?,
            "cpus" | "cpu_percent" => float(value, p)?,
            "scale" | "cpu_count" | "cpu_period" | "cpu_quota" | "cpu_rt_period"
            | "cpu_rt_runtime" | "cpu_shares" | "oom_score_adj" | "pids_limit"
            | "mem_swappiness" => int(value, p)?,
            "init" | "oom_kill_disable" | "privileged" | "read_only" | "stdin_open" | "tty"
            | "attach" | "use_api_socket" => self.cast_bool(value, p)?,
            "pull_policy" if value.as_str() == Some("if_not_present") => {
                value.value = Value::Str("missing".into());
            }
            "blkio_config" => blkio(value, p)?,
            _ => {}
        }
        Ok(())
    }

    fn build(&mut self, node: &mut Node, p: &str) -> Result<()> {
        if let Value::Str(s) = &node.value {
            let loc = node.loc.clone();
            let mut m = Map::new();
            m.insert("context".into(), Node::str(s.clone(), &loc));
            *node = Node::map(m, &loc);
        }
        let Some(map) = node.as_map_mut() else {
            return Ok(());
        };
        for (key, value) in map.iter_mut() {
            let kp = join(p, key);
            match key.as_str() {
                "context" => {
                    if let Some(s) = value.as_str()
                        && !is_remote_context(s)
                    {
                        self.host_path(value, &kp)?;
                    }
                }
                "args" => env_map(value, &kp)?,
                "labels" => string_map(value, &kp, "")?,
                "additional_contexts" => {
                    strict_kv_map(value, &kp)?;
                    if let Some(m) = value.as_map_mut() {
                        for (k, v) in m.iter_mut() {
                            if v.as_str().is_some_and(|s| !is_remote_context(s)) {
                                self.host_path(v, &join(&kp, k))?;
                            }
                        }
                    }
                }
                "ssh" => ssh(value, &kp)?,
                "cache_from" | "cache_to" | "tags" | "platforms" | "entitlements"
                | "no_cache_filter" => string_list(value, &kp)?,
                "extra_hosts" => extra_hosts(value, &kp)?,
                "secrets" => file_references(value, &kp)?,
                "shm_size" => bytes(value, &kp)?,
                "ulimits" => ulimits(value, &kp)?,
                "no_cache" | "pull" | "privileged" => self.cast_bool(value, &kp)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn healthcheck(&mut self, node: &mut Node, p: &str) -> Result<()> {
        let Some(map) = node.as_map_mut() else {
            return Ok(());
        };
        for (key, value) in map.iter_mut() {
            let kp = join(p, key);
            match key.as_str() {
                "test" => {
                    if let Value::Str(s) = &value.value {
                        let loc = value.loc.clone();
                        let items = vec![Node::str("CMD-SHELL", &loc), Node::str(s.clone(), &loc)];
                        *value = Node::seq(items, &loc);
                    }
                }
                "interval" | "timeout" | "start_period" | "start_interval" => duration(value, &kp)?,
                "retries" => int(value, &kp)?,
                "disable" => self.cast_bool(value, &kp)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn env_file(&mut self, node: &mut Node, p: &str) -> Result<()> {
        string_or_list(node);
        let Value::Seq(items) = &mut node.value else {
            return Err(type_error(node, p, "a string or a list"));
        };
        for (i, item) in items.iter_mut().enumerate() {
            let ip = index(p, i);
            if let Value::Str(s) = &item.value {
                let loc = item.loc.clone();
                let mut m = Map::new();
                m.insert("path".into(), Node::str(s.clone(), &loc));
                *item = Node::map(m, &loc);
            }
            if let Some(m) = item.as_map_mut() {
                if let Some(path) = m.get_mut("path") {
                    self.host_path(path, &join(&ip, "path"))?;
                }
                if let Some(required) = m.get_mut("required") {
                    self.cast_bool(required, &join(&ip, "required"))?;
                }
            }
        }
        Ok(())
    }

    fn volumes(&mut self, node: &mut Node, p: &str) -> Result<()> {
        let Value::Seq(items) = &mut node.value else {
            return Err(type_error(node, p, "a list"));
        };
        for (i, item) in items.iter_mut().enumerate() {
            let ip = index(p, i);
            if let Value::Str(spec) = &item.value {
                let v = syntax::parse_volume(spec).map_err(|m| Error::new(&item.loc, &ip, m))?;
                *item = volume_node(&v, &item.loc);
            }
            let Some(m) = item.as_map_mut() else {
                continue;
            };
            let is_bind = m.get("type").and_then(Node::as_str) == Some("bind");
            if is_bind && let Some(source) = m.get_mut("source") {
                self.host_path(source, &join(&ip, "source"))?;
            }
            if let Some(target) = m.get_mut("target")
                && let Some(t) = target.as_str()
            {
                target.value = Value::Str(syntax::clean_path(t));
            }
            if let Some(ro) = m.get_mut("read_only") {
                self.cast_bool(ro, &join(&ip, "read_only"))?;
            }
            if let Some(tmpfs) = m.get_mut("tmpfs").and_then(Node::as_map_mut) {
                if let Some(size) = tmpfs.get_mut("size") {
                    bytes(size, &join(&ip, "tmpfs.size"))?;
                }
                if let Some(mode) = tmpfs.get_mut("mode") {
                    file_mode(mode, &join(&ip, "tmpfs.mode"))?;
                }
            }
            if let Some(volume) = m.get_mut("volume").and_then(Node::as_map_mut) {
                if let Some(labels) = volume.get_mut("labels") {
                    string_map(labels, &join(&ip, "volume.labels"), "")?;
                }
                if let Some(nocopy) = volume.get_mut("nocopy") {
                    self.cast_bool(nocopy, &join(&ip, "volume.nocopy"))?;
                }
            }
        }
        Ok(())
    }

    fn deploy(&mut self, node: &mut Node, p: &str) -> Result<()> {
        let Some(map) = node.as_map_mut() else {
            return Ok(());
        };
        for (key, value) in map.iter_mut() {
            let kp = join(p, key);
            match key.as_str() {
                "replicas" => int(value, &kp)?,
                "labels" => string_map(value, &kp, "")?,
                "update_config" | "rollback_config" => {
                    if let Some(m) = value.as_map_mut() {
                        for (k, v) in m.iter_mut() {
                            match k.as_str() {
                                "parallelism" => int(v, &join(&kp, k))?,
                                "delay" | "monitor" => duration(v, &join(&kp, k))?,
                                "max_failure_ratio" => float(v, &join(&kp, k))?,
                                _ => {}
                            }
                        }
                    }
                }
                "restart_policy" => {
                    if let Some(m) = value.as_map_mut() {
                        for (k, v) in m.iter_mut() {
                            match k.as_str() {
                                "max_attempts" => int(v, &join(&kp, k))?,
                                "delay" | "window" => duration(v, &join(&kp, k))?,
                                _ => {}
                            }
                        }
                    }
                }
                "placement" => {
                    if let Some(m) = value.as_map_mut()
                        && let Some(v) = m.get_mut("max_replicas_per_node")
                    {
                        int(v, &join(&kp, "max_replicas_per_node"))?;
                    }
                }
                "resources" => {
                    if let Some(m) = value.as_map_mut() {
                        for (k, v) in m.iter_mut() {
                            let rp = join(&kp, k);
                            let Some(r) = v.as_map_mut() else { continue };
                            for (rk, rv) in r.iter_mut() {
                                let rkp = join(&rp, rk);
                                match rk.as_str() {
                                    "cpus" => float(rv, &rkp)?,
                                    "memory" => bytes(rv, &rkp)?,
                                    "pids" => int(rv, &rkp)?,
                                    "devices" => device_requests(rv, &rkp)?,
                                    _ => {}
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn develop(&mut self, node: &mut Node, p: &str) -> Result<()> {
        let Some(watch) = node.get_mut("watch") else {
            return Ok(());
        };
        let Value::Seq(items) = &mut watch.value else {
            return Ok(());
        };
        for (i, item) in items.iter_mut().enumerate() {
            let ip = format!("{p}.watch[{i}]");
            let Some(m) = item.as_map_mut() else { continue };
            if let Some(path) = m.get_mut("path") {
                self.host_path(path, &join(&ip, "path"))?;
            }
            for key in ["ignore", "include"] {
                if let Some(v) = m.get_mut(key) {
                    string_list(v, &join(&ip, key))?;
                }
            }
            if let Some(exec) = m.get_mut("exec") {
                hook(exec, &join(&ip, "exec"))?;
            }
            if let Some(v) = m.get_mut("initial_sync") {
                self.cast_bool(v, &join(&ip, "initial_sync"))?;
            }
        }
        Ok(())
    }

    fn host_paths(&mut self, node: &mut Node, p: &str) -> Result<()> {
        if let Value::Seq(items) = &mut node.value {
            for (i, item) in items.iter_mut().enumerate() {
                self.host_path(item, &index(p, i))?;
            }
        }
        Ok(())
    }

    /// Makes a host path absolute against the base directory, with `~` expanded.
    fn host_path(&mut self, node: &mut Node, p: &str) -> Result<()> {
        let Some(s) = node.as_str() else {
            return Err(type_error(node, p, "a string"));
        };
        node.value = Value::Str(resolve_host_path(s, self.base_dir, self.home));
        Ok(())
    }

    fn cast_bool(&mut self, node: &mut Node, p: &str) -> Result<()> {
        if let Value::Str(s) = &node.value {
            let (b, legacy) = syntax::parse_bool(s).map_err(|m| Error::new(&node.loc, p, m))?;
            if legacy {
                self.warnings.push(Warning::new(
                    &node.loc,
                    p,
                    format!("\"{s}\" for a boolean is a YAML 1.1 spelling; write {b}"),
                ));
            }
            node.value = Value::Bool(b);
        }
        Ok(())
    }
}

/// `~`, `~/x`, relative and absolute host paths, the way compose-go resolves them.
pub fn resolve_host_path(s: &str, base: &Path, home: Option<&str>) -> String {
    let expanded = match (s.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            format!("{home}{rest}")
        }
        _ => s.to_owned(),
    };
    if expanded.starts_with('/') {
        syntax::clean_path(&expanded)
    } else {
        syntax::clean_path(&format!("{}/{}", base.display(), expanded))
    }
}

fn is_remote_context(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("service:")
        || s.starts_with("git@")
        || s.starts_with("github.com/")
        || s.ends_with(".git")
        || s.starts_with("docker-image://")
        || s.starts_with("oci-layout://")
}

fn type_error(node: &Node, p: &str, expected: &str) -> Error {
    Error::new(
        &node.loc,
        p,
        format!("must be {expected}, found {}", node.kind()),
    )
}

fn seq_mut(node: &mut Node) -> &mut [Node] {
    match &mut node.value {
        Value::Seq(items) => items,
        _ => &mut [],
    }
}

/// A string becomes a one-item list.
fn string_or_list(node: &mut Node) {
    if let Value::Str(s) = &node.value {
        let item = Node::str(s.clone(), &node.loc);
        node.value = Value::Seq(vec![item]);
    }
}

/// A string or a list of scalars, as a list of strings.
fn string_list(node: &mut Node, p: &str) -> Result<()> {
    if node.is_null() {
        node.value = Value::Seq(Vec::new());
        return Ok(());
    }
    string_or_list(node);
    let Value::Seq(items) = &mut node.value else {
        return Err(type_error(node, p, "a string or a list of strings"));
    };
    for (i, item) in items.iter_mut().enumerate() {
        match &item.value {
            Value::Str(_) => {}
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                item.value = Value::Str(item.scalar_text().unwrap_or_default());
            }
            _ => return Err(type_error(item, &index(p, i), "a string")),
        }
    }
    Ok(())
}

/// `environment` and `build.args`: a list of `K=V` / `K` or a mapping, as a mapping whose
/// values are strings, or null for a key declared without a value.
fn env_map(node: &mut Node, p: &str) -> Result<()> {
    key_value_map(node, p, None)
}

/// `labels`, `annotations`, `sysctls`, `driver_opts`: like `env_map` but a key without a
/// value means the empty string.
fn string_map(node: &mut Node, p: &str, empty: &str) -> Result<()> {
    key_value_map(node, p, Some(empty))
}

fn key_value_map(node: &mut Node, p: &str, empty: Option<&str>) -> Result<()> {
    let loc = node.loc.clone();
    let missing = |l: &Loc| match empty {
        Some(e) => Node::str(e, l),
        None => Node::null(l),
    };
    match &mut node.value {
        Value::Null => node.value = Value::Map(Map::new()),
        Value::Seq(items) => {
            let mut m = Map::new();
            for (i, item) in items.iter().enumerate() {
                let Some(s) = item.scalar_text() else {
                    return Err(type_error(item, &index(p, i), "a KEY=VALUE string"));
                };
                let (k, v) = match s.split_once('=') {
                    Some((k, v)) => (k.to_owned(), Node::str(v, &item.loc)),
                    None => (s.clone(), missing(&item.loc)),
                };
                if k.ends_with(' ') {
                    return Err(Error::new(
                        &item.loc,
                        index(p, i),
                        format!(
                            "variable {} is declared with a trailing space: write {}=…",
                            k.trim_end(),
                            k.trim_end()
                        ),
                    ));
                }
                let mut v = v;
                v.key_loc = item.loc.clone();
                m.insert(k, v);
            }
            node.value = Value::Map(m);
        }
        Value::Map(m) => {
            for (k, v) in m.iter_mut() {
                match &v.value {
                    Value::Null => {
                        let key_loc = v.key_loc.clone();
                        *v = missing(&v.loc);
                        v.key_loc = key_loc;
                    }
                    Value::Str(_) => {}
                    Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                        v.value = Value::Str(v.scalar_text().unwrap_or_default());
                    }
                    _ => {
                        return Err(type_error(
                            v,
                            &join(p, k),
                            "a string, a number, a boolean or null",
                        ));
                    }
                }
            }
        }
        _ => {
            return Err(Error::new(
                &loc,
                p,
                format!(
                    "must be a mapping or a list of KEY=VALUE strings, found {}",
                    node.kind()
                ),
            ));
        }
    }
    Ok(())
}

/// `build.additional_contexts` in list form requires `K=V`.
fn strict_kv_map(node: &mut Node, p: &str) -> Result<()> {
    if let Value::Seq(items) = &node.value {
        for (i, item) in items.iter().enumerate() {
            if item.as_str().is_some_and(|s| !s.contains('=')) {
                return Err(Error::new(
                    &item.loc,
                    index(p, i),
                    format!(
                        "invalid value {}, expected key=value",
                        item.as_str().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    string_map(node, p, "")
}

fn ssh(node: &mut Node, p: &str) -> Result<()> {
    if let Value::Seq(items) = &node.value {
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = item.as_str()
                && !s.contains('=')
                && s != "default"
            {
                return Err(Error::new(
                    &item.loc,
                    index(p, i),
                    format!("invalid ssh key \"{s}\": write id=path, or default"),
                ));
            }
        }
    }
    string_map(node, p, "")
}

fn command(node: &mut Node, p: &str) -> Result<()> {
    match &node.value {
        Value::Str(s) => {
            let words = shell_words::split(s).map_err(|e| {
                Error::new(
                    &node.loc,
                    p,
                    format!("cannot split the command like a shell would: {e}"),
                )
            })?;
            let loc = node.loc.clone();
            node.value = Value::Seq(words.into_iter().map(|w| Node::str(w, &loc)).collect());
            Ok(())
        }
        Value::Null => Ok(()),
        Value::Seq(_) => string_list(node, p),
        _ => Err(type_error(node, p, "a string or a list of strings")),
    }
}

fn hook(node: &mut Node, p: &str) -> Result<()> {
    let Some(m) = node.as_map_mut() else {
        return Ok(());
    };
    for (k, v) in m.iter_mut() {
        match k.as_str() {
            "command" => command(v, &join(p, k))?,
            "environment" => env_map(v, &join(p, k))?,
            _ => {}
        }
    }
    Ok(())
}

fn hooks(node: &mut Node, p: &str) -> Result<()> {
    for (i, item) in seq_mut(node).iter_mut().enumerate() {
        hook(item, &index(p, i))?;
    }
    Ok(())
}

fn ports(node: &mut Node, p: &str) -> Result<()> {
    let Value::Seq(items) = &mut node.value else {
        return Err(type_error(node, p, "a list"));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.drain(..).enumerate() {
        let ip = index(p, i);
        match &item.value {
            Value::Str(_) | Value::Int(_) => {
                let spec = item.scalar_text().unwrap_or_default();
                let parsed =
                    syntax::parse_ports(&spec).map_err(|m| Error::new(&item.loc, &ip, m))?;
                for port in parsed {
                    out.push(port_node(&port, &item.loc));
                }
            }
            Value::Map(_) => {
                let mut item = item;
                let loc = item.loc.clone();
                let m = item.as_map_mut().unwrap_or_else(|| unreachable!());
                if !m.contains_key("target") {
                    return Err(Error::new(
                        &loc,
                        &ip,
                        "target is required: the container port, e.g. target: 80",
                    ));
                }
                if let Some(t) = m.get_mut("target") {
                    int(t, &join(&ip, "target"))?;
                    if let Value::Int(n) = t.value
                        && !(0..=65535).contains(&n)
                    {
                        return Err(Error::new(
                            &t.loc,
                            join(&ip, "target"),
                            format!("port {n} is out of range: expected 0-65535"),
                        ));
                    }
                }
                if let Some(pb) = m.get_mut("published")
                    && let Value::Int(n) = pb.value
                {
                    pb.value = Value::Str(n.to_string());
                }
                if !m.contains_key("mode") {
                    m.insert("mode".into(), Node::str("ingress", &loc));
                }
                match m.get_mut("protocol") {
                    Some(proto) => {
                        if let Some(s) = proto.as_str() {
                            proto.value = Value::Str(s.to_lowercase());
                        }
                    }
                    None => {
                        m.insert("protocol".into(), Node::str("tcp", &loc));
                    }
                }
                out.push(item);
            }
            _ => {
                return Err(type_error(
                    &item,
                    &ip,
                    "a port string, a number or a mapping",
                ));
            }
        }
    }
    *items = out;
    Ok(())
}

fn port_node(port: &syntax::PortSpec, loc: &Loc) -> Node {
    let mut m = Map::new();
    m.insert("mode".into(), Node::str("ingress", loc));
    if let Some(ip) = &port.host_ip {
        m.insert("host_ip".into(), Node::str(ip.clone(), loc));
    }
    m.insert(
        "target".into(),
        Node::new(Value::Int(i64::from(port.target)), loc.clone()),
    );
    if let Some(published) = &port.published {
        m.insert("published".into(), Node::str(published.clone(), loc));
    }
    m.insert("protocol".into(), Node::str(port.protocol.clone(), loc));
    Node::map(m, loc)
}

fn volume_node(v: &syntax::VolumeSpec, loc: &Loc) -> Node {
    let mut m = Map::new();
    let kind = match v.kind {
        syntax::VolumeKind::Bind => "bind",
        syntax::VolumeKind::Volume => "volume",
    };
    m.insert("type".into(), Node::str(kind, loc));
    if let Some(source) = &v.source {
        m.insert("source".into(), Node::str(source.clone(), loc));
    }
    m.insert("target".into(), Node::str(v.target.clone(), loc));
    if v.read_only {
        m.insert(
            "read_only".into(),
            Node::new(Value::Bool(true), loc.clone()),
        );
    }
    match v.kind {
        syntax::VolumeKind::Bind => {
            let mut b = Map::new();
            if let Some(prop) = &v.propagation {
                b.insert("propagation".into(), Node::str(prop.clone(), loc));
            }
            b.insert(
                "create_host_path".into(),
                Node::new(Value::Bool(true), loc.clone()),
            );
            if let Some(se) = &v.selinux {
                b.insert("selinux".into(), Node::str(se.clone(), loc));
            }
            m.insert("bind".into(), Node::map(b, loc));
        }
        syntax::VolumeKind::Volume => {
            let mut vol = Map::new();
            if v.nocopy {
                vol.insert("nocopy".into(), Node::new(Value::Bool(true), loc.clone()));
            }
            m.insert("volume".into(), Node::map(vol, loc));
        }
    }
    Node::map(m, loc)
}

fn extra_hosts(node: &mut Node, p: &str) -> Result<()> {
    let loc = node.loc.clone();
    let mut out = Map::new();
    match &node.value {
        Value::Null => {}
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                let Some(s) = item.as_str() else {
                    return Err(type_error(item, &index(p, i), "a host=ip string"));
                };
                let (host, ips) = syntax::parse_extra_host(s)
                    .map_err(|m| Error::new(&item.loc, index(p, i), m))?;
                let entry = out
                    .entry(host)
                    .or_insert_with(|| Node::seq(Vec::new(), &item.loc));
                if let Value::Seq(list) = &mut entry.value {
                    for ip in ips {
                        if !list.iter().any(|n| n.as_str() == Some(ip.as_str())) {
                            list.push(Node::str(ip, &item.loc));
                        }
                    }
                }
            }
        }
        Value::Map(m) => {
            for (host, v) in m {
                let mut v = v.clone();
                string_list(&mut v, &join(p, host))?;
                for ip in seq_mut(&mut v) {
                    if let Some(s) = ip.as_str() {
                        let unbracketed = s
                            .strip_prefix('[')
                            .and_then(|x| x.strip_suffix(']'))
                            .unwrap_or(s)
                            .to_owned();
                        ip.value = Value::Str(unbracketed);
                    }
                }
                out.insert(host.clone(), v);
            }
        }
        _ => return Err(type_error(node, p, "a list or a mapping")),
    }
    *node = Node::map(out, &loc);
    Ok(())
}

fn depends_on(node: &mut Node, p: &str) -> Result<()> {
    if let Value::Seq(items) = &node.value {
        let mut m = Map::new();
        for (i, item) in items.iter().enumerate() {
            let Some(name) = item.as_str() else {
                return Err(type_error(item, &index(p, i), "a service name"));
            };
            let mut entry = Map::new();
            entry.insert("condition".into(), Node::str("service_started", &item.loc));
            entry.insert(
                "required".into(),
                Node::new(Value::Bool(true), item.loc.clone()),
            );
            let mut n = Node::map(entry, &item.loc);
            n.key_loc = item.loc.clone();
            m.insert(name.to_owned(), n);
        }
        node.value = Value::Map(m);
    }
    if let Some(m) = node.as_map_mut() {
        for (name, entry) in m.iter_mut() {
            let ep = join(p, name);
            if entry.is_null() {
                entry.value = Value::Map(Map::new());
            }
            if let Some(em) = entry.as_map_mut() {
                for key in ["required", "restart"] {
                    if let Some(v) = em.get_mut(key)
                        && let Value::Str(s) = &v.value
                    {
                        let (b, _) = syntax::parse_bool(s)
                            .map_err(|msg| Error::new(&v.loc, join(&ep, key), msg))?;
                        v.value = Value::Bool(b);
                    }
                }
            }
        }
    }
    Ok(())
}

fn list_to_null_map(node: &mut Node, p: &str) -> Result<()> {
    if let Value::Seq(items) = &node.value {
        let mut m = Map::new();
        for (i, item) in items.iter().enumerate() {
            let Some(name) = item.as_str() else {
                return Err(type_error(item, &index(p, i), "a name"));
            };
            let mut n = Node::null(&item.loc);
            n.key_loc = item.loc.clone();
            m.insert(name.to_owned(), n);
        }
        node.value = Value::Map(m);
    }
    if let Some(m) = node.as_map_mut() {
        for (name, entry) in m.iter_mut() {
            if let Some(aliases) = entry.get_mut("aliases") {
                string_list(aliases, &format!("{p}.{name}.aliases"))?;
            }
        }
    }
    Ok(())
}

fn file_references(node: &mut Node, p: &str) -> Result<()> {
    let Value::Seq(items) = &mut node.value else {
        return Err(type_error(node, p, "a list"));
    };
    for (i, item) in items.iter_mut().enumerate() {
        if let Value::Str(s) = &item.value {
            let loc = item.loc.clone();
            let mut m = Map::new();
            m.insert("source".into(), Node::str(s.clone(), &loc));
            *item = Node::map(m, &loc);
        }
        if let Some(m) = item.as_map_mut() {
            if let Some(mode) = m.get_mut("mode") {
                file_mode(mode, &format!("{}.mode", index(p, i)))?;
            }
            for key in ["uid", "gid"] {
                if let Some(v) = m.get_mut(key)
                    && let Value::Int(n) = v.value
                {
                    v.value = Value::Str(n.to_string());
                }
            }
        }
    }
    Ok(())
}

fn devices(node: &mut Node, p: &str) -> Result<()> {
    for (i, item) in seq_mut(node).iter_mut().enumerate() {
        if let Value::Str(s) = &item.value {
            let d = syntax::parse_device(s).map_err(|m| Error::new(&item.loc, index(p, i), m))?;
            let loc = item.loc.clone();
            let mut m = Map::new();
            m.insert("source".into(), Node::str(d.source, &loc));
            m.insert("target".into(), Node::str(d.target, &loc));
            m.insert("permissions".into(), Node::str(d.permissions, &loc));
            *item = Node::map(m, &loc);
        }
    }
    Ok(())
}

fn ulimits(node: &mut Node, p: &str) -> Result<()> {
    if let Some(m) = node.as_map_mut() {
        for (name, v) in m.iter_mut() {
            let lp = join(p, name);
            match &mut v.value {
                Value::Map(limits) => {
                    for (k, limit) in limits.iter_mut() {
                        int(limit, &join(&lp, k))?;
                    }
                }
                _ => int(v, &lp)?,
            }
        }
    }
    Ok(())
}

fn device_requests(node: &mut Node, p: &str) -> Result<()> {
    for (i, item) in seq_mut(node).iter_mut().enumerate() {
        let ip = index(p, i);
        let Some(m) = item.as_map_mut() else { continue };
        if let Some(count) = m.get_mut("count") {
            match &count.value {
                Value::Str(s) if s == "all" => {}
                Value::Str(s) => match syntax::parse_int(s) {
                    Ok(n) => count.value = Value::Int(n),
                    Err(_) => {
                        return Err(Error::new(
                            &count.loc,
                            join(&ip, "count"),
                            format!(
                                "invalid value \"{s}\", the only value allowed is 'all' or a number"
                            ),
                        ));
                    }
                },
                _ => {}
            }
        }
        for key in ["capabilities", "device_ids"] {
            if let Some(v) = m.get_mut(key) {
                string_list(v, &join(&ip, key))?;
            }
        }
        if let Some(opts) = m.get_mut("options") {
            string_map(opts, &join(&ip, "options"), "")?;
        }
    }
    Ok(())
}

fn gpus(node: &mut Node, p: &str) -> Result<()> {
    if node.as_str() == Some("all") {
        let loc = node.loc.clone();
        let mut m = Map::new();
        m.insert("count".into(), Node::str("all", &loc));
        node.value = Value::Seq(vec![Node::map(m, &loc)]);
    }
    device_requests(node, p)
}

fn blkio(node: &mut Node, p: &str) -> Result<()> {
    let Some(m) = node.as_map_mut() else {
        return Ok(());
    };
    for (k, v) in m.iter_mut() {
        let kp = join(p, k);
        match k.as_str() {
            "weight" => int(v, &kp)?,
            "weight_device" => {
                for (i, item) in seq_mut(v).iter_mut().enumerate() {
                    if let Some(w) = item.get_mut("weight") {
                        int(w, &format!("{}.weight", index(&kp, i)))?;
                    }
                }
            }
            "device_read_bps" | "device_write_bps" | "device_read_iops" | "device_write_iops" => {
                for (i, item) in seq_mut(v).iter_mut().enumerate() {
                    if let Some(r) = item.get_mut("rate") {
                        bytes(r, &format!("{}.rate", index(&kp, i)))?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn duration(node: &mut Node, p: &str) -> Result<()> {
    match &node.value {
        Value::Str(s) => {
            let ns = syntax::parse_duration(s).map_err(|m| Error::new(&node.loc, p, m))?;
            node.value = Value::Int(ns);
            Ok(())
        }
        Value::Int(0) => Ok(()),
        Value::Null => Ok(()),
        _ => Err(Error::new(
            &node.loc,
            p,
            format!(
                "must be a duration string such as 30s, 1m30s or 500ms, found {}",
                node.kind()
            ),
        )),
    }
}

fn bytes(node: &mut Node, p: &str) -> Result<()> {
    match &node.value {
        Value::Str(s) => {
            let n = syntax::parse_bytes(s).map_err(|m| Error::new(&node.loc, p, m))?;
            node.value = Value::Int(n);
            Ok(())
        }
        Value::Int(_) | Value::Null => Ok(()),
        Value::Float(f) => {
            node.value = Value::Int(*f as i64);
            Ok(())
        }
        _ => Err(type_error(node, p, "a byte size such as 512m or 1gb")),
    }
}

fn file_mode(node: &mut Node, p: &str) -> Result<()> {
    if let Value::Str(s) = &node.value {
        let m = syntax::parse_mode(s).map_err(|m| Error::new(&node.loc, p, m))?;
        node.value = Value::Int(i64::from(m));
    }
    Ok(())
}

fn int(node: &mut Node, p: &str) -> Result<()> {
    match &node.value {
        Value::Str(s) => {
            let n = syntax::parse_int(s.trim()).map_err(|m| Error::new(&node.loc, p, m))?;
            node.value = Value::Int(n);
            Ok(())
        }
        Value::Float(f) if f.fract() == 0.0 => {
            node.value = Value::Int(*f as i64);
            Ok(())
        }
        Value::Int(_) | Value::Null => Ok(()),
        _ => Err(type_error(node, p, "an integer")),
    }
}

fn float(node: &mut Node, p: &str) -> Result<()> {
    match &node.value {
        Value::Str(s) => {
            let f: f64 = s.trim().parse().map_err(|_| {
                Error::new(
                    &node.loc,
                    p,
                    format!("invalid number \"{s}\": expected a number such as 0.5"),
                )
            })?;
            node.value = Value::Float(f);
            Ok(())
        }
        Value::Int(i) => {
            node.value = Value::Float(*i as f64);
            Ok(())
        }
        Value::Float(_) | Value::Null => Ok(()),
        _ => Err(type_error(node, p, "a number")),
    }
}
