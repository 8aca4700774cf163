//! The typed compose model, in the canonical long form the loader produces.
//!
//! Nothing here parses compose's short syntaxes. Before a tree is deserialized, the loader has
//! merged the files, interpolated, applied `extends` and `include`, and turned every spelling
//! into one canonical shape. The types below are that shape and nothing more:
//!
//! - **Long syntax only.** Ports, volumes, `secrets`/`configs`, `devices`, `env_file` and
//!   `depends_on` arrive as mappings. `environment`, `labels` and other key/value attributes
//!   arrive as mappings, never as `KEY=VAL` lists. `networks`, `models`, `tmpfs`, `dns` and
//!   similar string-or-list attributes arrive as their collection form.
//! - **Units are already resolved.** Durations are integer nanoseconds ([`Duration`]), byte
//!   sizes are integer bytes ([`ByteSize`]), and file modes are integers ([`FileMode`]). Each
//!   one prints the way `docker compose config` prints it: `1m30s`, `"52428800"`, `"0440"`.
//! - **Absent versus empty.** A scalar the file may omit is an `Option`. A collection is
//!   empty when absent and is not printed, because compose gives empty and absent the same
//!   meaning. `command` and `entrypoint` are the exception: `[]` clears the image's value and
//!   absence keeps it, so they are `Option<Vec<String>>`. A boolean that defaults to false is
//!   a plain `bool` and is not printed when false. A boolean whose unset state differs from
//!   `false` (`init`, `attach`, `enable_ipv6`, ...) stays an `Option<bool>`.
//! - **Extensions.** An object whose schema allows `x-*` keys has an `extensions` field under
//!   the synthetic key `x-*`. The deserializer gathers the mapping's `x-` keys there, and the
//!   writer splices them back into the mapping.
//! - **Unknown and missing keys.** The deserializer rejects keys that are not in a struct's
//!   field list, so these types use neither `deny_unknown_fields`, `flatten` nor untagged
//!   enums, which would hide that list. A key the schema requires has no serde default, so
//!   its absence is reported too. A value with two shapes ([`Ulimit`], [`DeviceCount`]), or
//!   one that compose prints differently from how it is held (`extra_hosts`, `build.ssh`),
//!   has a small hand-written visitor that reads both the loader's form and the printed one.
//! - **Field order.** Fields are declared in the order `docker compose config` prints them,
//!   which is the field order of compose-go's `types` package (mostly alphabetical, with a
//!   few quirks such as `profiles` coming first in a service).

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::syntax::format_duration;

/// `x-*` entries of one mapping, in file order.
pub type Extensions = IndexMap<String, serde_json::Value>;

// ---------------------------------------------------------------------------------------------
// Project and top-level resources
// ---------------------------------------------------------------------------------------------

/// A loaded project. `include` and `version` are consumed by the loader and have no field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Project {
    pub name: String,
    /// Printed even when empty: compose always writes `services:`.
    #[serde(deserialize_with = "services_map")]
    pub services: IndexMap<String, Service>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub networks: IndexMap<String, Network>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub volumes: IndexMap<String, Volume>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub secrets: IndexMap<String, Secret>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub configs: IndexMap<String, Config>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub models: IndexMap<String, Model>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A top-level network. The loader turns `networks: {foo: null}` into an empty mapping, so
/// every entry deserializes to this struct.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Network {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub driver_opts: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipam: Option<Ipam>,
    /// The deprecated `external: {name: x}` form has already become `name` plus `true`.
    #[serde(skip_serializing_if = "is_false")]
    pub external: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub internal: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub attachable: bool,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Unset defers to the engine, which differs from an explicit `false`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_ipv4: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_ipv6: Option<bool>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Ipam {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<IpamPool>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub options: IndexMap<String, String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IpamPool {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_range: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub aux_addresses: IndexMap<String, String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A top-level volume; `null` in the file arrives as an empty mapping, as for networks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Volume {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub driver_opts: IndexMap<String, String>,
    #[serde(skip_serializing_if = "is_false")]
    pub external: bool,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A top-level config. Exactly one of `file`, `environment` and `content` is set unless the
/// config is `external`; the loader checks that.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub external: bool,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_driver: Option<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A top-level secret. Unlike [`Config`] it has no `content`: the schema rejects it, so a
/// secret's value never sits in the model.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Secret {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub external: bool,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub driver_opts: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_driver: Option<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A top-level AI model.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Model {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Required by the schema, so it has no serde default.
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_size: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runtime_flags: Vec<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------------------------

/// One service. `extends` is gone by the time a service is deserialized, so it has no field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Service {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
    /// Unset means attach; compose only writes an explicit value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attach: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Box<Build>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub develop: Option<Box<Develop>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blkio_config: Option<Box<BlkioConfig>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_drop: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup_parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_period: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_quota: Option<i64>,
    /// Microseconds. The spec also allows a duration, but compose-go rejects one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_rt_period: Option<i64>,
    /// Microseconds, like `cpu_rt_period`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_rt_runtime: Option<i64>,
    /// Fractional CPUs. The file may spell it as a string; the loader casts it to a number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    /// A cpuset such as `0-3` or `0,1`, kept as text because it is a list, not a number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_shares: Option<i64>,
    /// `Some(vec![])` clears the image's CMD; `None` keeps it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub configs: Vec<FileReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_spec: Option<Box<CredentialSpec>>,
    /// Includes the dependencies implied by `links`, `volumes_from` and `service:` namespaces.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub depends_on: IndexMap<String, DependsOn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Box<Deploy>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_cgroup_rules: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceMapping>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_opt: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_search: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domainname: Option<String>,
    /// `Some(vec![])` clears the image's ENTRYPOINT; `None` keeps it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<Box<Provider>>,
    /// `None` is a variable declared without a value that the environment did not resolve;
    /// it stays unset in the container, which is not the same as empty.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub environment: IndexMap<String, Option<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env_file: Vec<EnvFile>,
    /// `port[/proto]` or `start-end[/proto]`, already checked by the loader.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expose: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_links: Vec<String>,
    /// Host name to addresses. Printed as sorted `host=ip` strings, as compose does.
    #[serde(skip_serializing_if = "IndexMap::is_empty", with = "extra_hosts")]
    pub extra_hosts: IndexMap<String, Vec<String>>,
    /// Group names or ids; numbers have been turned into strings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_add: Vec<String>,
    /// `gpus: all` has become `[{count: all}]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gpus: Vec<DeviceRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Unset defers to the daemon's default, which may be `true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isolation: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub label_file: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging: Option<Box<Logging>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_limit: Option<ByteSize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_reservation: Option<ByteSize>,
    /// `-1` means unlimited swap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memswap_limit: Option<ByteSize>,
    /// A percentage (0-100), but compose-go types it as a byte size and prints it as a
    /// string, so it shares [`ByteSize`] to print the same way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_swappiness: Option<ByteSize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// `None` values come from the list form, which names a model without options.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub models: IndexMap<String, Option<ServiceModel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<String>,
    /// `None` values are kept (and printed as `null`): `default: null` attaches the service
    /// to a network without options, which the list form and the implicit default network
    /// both produce.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub networks: IndexMap<String, Option<ServiceNetwork>>,
    #[serde(skip_serializing_if = "is_false")]
    pub oom_kill_disable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oom_score_adj: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<String>,
    /// `-1` means unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// One entry per container port: short-syntax ranges have been expanded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ServicePort>,
    #[serde(skip_serializing_if = "is_false")]
    pub privileged: bool,
    /// `if_not_present` has become `missing`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<String>,
    /// Accepted by the schema but ignored by compose-go, so it is read (a file using it
    /// loads) but never printed.
    #[serde(skip_serializing)]
    pub pull_refresh_after: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub read_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// Also copied into `deploy.replicas` by the loader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<FileReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_opt: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<ByteSize>,
    #[serde(skip_serializing_if = "is_false")]
    pub stdin_open: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_grace_period: Option<Duration>,
    /// A signal name (`SIGUSR1`) or number, kept as text as compose does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    /// The schema allows any scalar here and the loader does not convert it, so numbers are
    /// read as their text.
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        deserialize_with = "lenient_string_map"
    )]
    pub storage_opt: IndexMap<String, String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub sysctls: IndexMap<String, String>,
    /// `path[:options]` strings, not mount mappings: that is how compose keeps them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tmpfs: Vec<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub tty: bool,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub ulimits: IndexMap<String, Ulimit>,
    #[serde(skip_serializing_if = "is_false")]
    pub use_api_socket: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userns_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uts: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<ServiceVolume>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes_from: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pre_start: Vec<PreStartHook>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub post_start: Vec<ServiceHook>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pre_stop: Vec<ServiceHook>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// `build`; the string form has become `{context: s}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Build {
    /// Always set after loading: an absolute path, or a URL or `service:` reference kept as is.
    pub context: String,
    /// Defaults to `Dockerfile` unless `dockerfile_inline` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile_inline: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<String>,
    /// Arguments the environment could not resolve have been dropped, so a `None` only
    /// survives when a caller builds the value by hand.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub args: IndexMap<String, Option<String>>,
    /// A string (`mode=max`) or a boolean, kept as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<serde_json::Value>,
    /// A string or a boolean, kept as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sbom: Option<serde_json::Value>,
    /// Key id to path; an empty path (only allowed for `default`) means the agent socket.
    /// Printed as compose prints it, a list of `default` or `id=path` strings.
    #[serde(skip_serializing_if = "IndexMap::is_empty", with = "ssh_keys")]
    pub ssh: IndexMap<String, String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cache_from: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cache_to: Vec<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub no_cache: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub no_cache_filter: Vec<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub additional_contexts: IndexMap<String, String>,
    #[serde(skip_serializing_if = "is_false")]
    pub pull: bool,
    #[serde(skip_serializing_if = "IndexMap::is_empty", with = "extra_hosts")]
    pub extra_hosts: IndexMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isolation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<FileReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<ByteSize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub ulimits: IndexMap<String, Ulimit>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub privileged: bool,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// `deploy`, the Swarm-era deployment settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Deploy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_config: Option<UpdateConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback_config: Option<UpdateConfig>,
    /// Not an `Option`: an empty block means the same as none, and compose-go omits both.
    #[serde(skip_serializing_if = "is_default")]
    pub resources: Resources,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<RestartPolicy>,
    /// Not an `Option`, for the same reason as `resources`.
    #[serde(skip_serializing_if = "is_default")]
    pub placement: Placement,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_mode: Option<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// `deploy.update_config` and `deploy.rollback_config`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_failure_ratio: Option<f64>,
    /// `start-first` or `stop-first`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Resources {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceLimits>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservations: Option<ResourceReservations>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// `deploy.resources.limits`. The schema allows fewer keys here than in reservations, so the
/// two are separate types and a misplaced key is rejected.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceLimits {
    /// Fractional CPUs, a number like the service's `cpus`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<ByteSize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pids: Option<i64>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceReservations {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<ByteSize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceRequest>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub generic_resources: Vec<GenericResource>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GenericResource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discrete_resource_spec: Option<DiscreteResourceSpec>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A user-defined countable resource, such as `{kind: gpu, value: 2}`. Both fields are
/// always printed, as compose does.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DiscreteResourceSpec {
    pub kind: String,
    pub value: i64,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A device request, used by `gpus` and by `deploy.resources.reservations.devices`. The
/// loader sets `count: all` when neither `count` nor `device_ids` is given, and rejects both
/// together.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceRequest {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<DeviceCount>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_ids: Vec<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub options: IndexMap<String, String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RestartPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Placement {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preferences: Vec<PlacementPreference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_replicas_per_node: Option<u64>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlacementPreference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spread: Option<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Develop {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub watch: Vec<WatchTrigger>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// One `develop.watch` entry. `path` and `action` are required by the schema, so they have no
/// serde default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WatchTrigger {
    /// An absolute host path.
    pub path: String,
    /// `rebuild`, `sync`, `restart`, `sync+restart` or `sync+exec`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ServiceHook>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub initial_sync: bool,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A `post_start` or `pre_stop` hook, or a watch trigger's `exec`. The schema requires
/// `command`, so it has no serde default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceHook {
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub privileged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub environment: IndexMap<String, Option<String>>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A `pre_start` init container. It is a separate type from [`ServiceHook`] because it has
/// keys the other hooks must reject, and its `command` is optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PreStartHook {
    /// `None` runs the image's own entrypoint and command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// Defaults to the service's `image` after loading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub privileged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub environment: IndexMap<String, Option<String>>,
    #[serde(skip_serializing_if = "is_false")]
    pub per_replica: bool,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// `healthcheck`. A string `test` has become `["CMD-SHELL", s]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Healthcheck {
    /// Empty means inherit the image's check; `["NONE"]` disables it like `disable: true`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub test: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_period: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_interval: Option<Duration>,
    #[serde(skip_serializing_if = "is_false")]
    pub disable: bool,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// One `env_file` entry; a bare path has become `{path}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvFile {
    /// An absolute host path.
    pub path: String,
    /// Compose prints it only when false, since true is the default.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub required: bool,
    /// `raw` is the only value docker compose knows; unset means compose's `.env` syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

impl Default for EnvFile {
    fn default() -> EnvFile {
        EnvFile {
            path: String::new(),
            required: true,
            format: None,
        }
    }
}

/// One `depends_on` entry; the list form has become `{condition: service_started, required:
/// true}` entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DependsOn {
    #[serde(default = "service_started")]
    pub condition: String,
    /// Restart this service when the dependency is updated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub restart: bool,
    /// Printed even when true, as compose does.
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

impl Default for DependsOn {
    fn default() -> DependsOn {
        DependsOn {
            condition: service_started(),
            restart: false,
            required: true,
            extensions: Extensions::new(),
        }
    }
}

/// One published or exposed port, in long syntax.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServicePort {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `ingress` unless the file says `host`.
    pub mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    pub target: u16,
    /// A string because it may be a range (`"8000-9000"`) that the engine picks from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Lower case: `tcp`, `udp` or `sctp`.
    pub protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

impl Default for ServicePort {
    fn default() -> ServicePort {
        ServicePort {
            name: None,
            mode: "ingress".to_owned(),
            host_ip: None,
            target: 0,
            published: None,
            protocol: "tcp".to_owned(),
            app_protocol: None,
            extensions: Extensions::new(),
        }
    }
}

/// One mount, in long syntax. The short form `src:dst:opts` has been parsed, and a bind
/// source has been made absolute.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceVolume {
    /// `bind`, `volume`, `tmpfs`, `cluster`, `npipe` or `image`. Required, so it has no serde
    /// default.
    pub r#type: String,
    /// Absent for an anonymous volume and for tmpfs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<BindOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<VolumeOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmpfs: Option<TmpfsOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageOptions>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BindOptions {
    /// `z` or `Z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selinux: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagation: Option<String>,
    /// `None` means the default, which is to create the host path. Compose prints the field
    /// only when it is false, so `Some(true)` is not printed either.
    #[serde(skip_serializing_if = "is_none_or_true")]
    pub create_host_path: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recursive: Option<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VolumeOptions {
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "is_false")]
    pub nocopy: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subpath: Option<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TmpfsOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<ByteSize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<FileMode>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subpath: Option<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A service's (or a build's) grant of a secret or config; a bare name has become
/// `{source}`. A secret's `target` defaults to `/run/secrets/<source>` after loading; a
/// config's stays unset, meaning `/<source>`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FileReference {
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Text, as the schema types it; a number in the file has become its digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<FileMode>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// `devices` entry. `HOST[:CONT[:perms]]` has become a mapping whose target defaults to the
/// source and whose permissions default to `rwm`. A long-form entry may leave both out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DeviceMapping {
    /// A host path, or a CDI name (`vendor/class=name`). Required by the schema.
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub permissions: String,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A service's attachment options for one network.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceNetwork {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The schema allows numbers and the loader leaves them alone, so they are read as text.
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        deserialize_with = "lenient_string_map"
    )]
    pub driver_opts: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gw_priority: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_address: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub link_local_ips: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// A service's use of one top-level model: the variables that receive its endpoint and name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceModel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_var: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_var: Option<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// `provider`: the service is run by an external tool rather than as a container.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Provider {
    /// Required by the schema.
    pub r#type: String,
    /// Values are scalars or lists of scalars, passed to the provider as written.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub options: IndexMap<String, serde_json::Value>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Logging {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// A `null` option value has become the empty string.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub options: IndexMap<String, String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// Windows gMSA credentials.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CredentialSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    #[serde(rename = "x-*", default, skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: Extensions,
}

/// `blkio_config`. The schema allows no `x-*` keys here or in its entries.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BlkioConfig {
    /// 10 to 1000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u16>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weight_device: Vec<WeightDevice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_read_bps: Vec<ThrottleDevice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_read_iops: Vec<ThrottleDevice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_write_bps: Vec<ThrottleDevice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_write_iops: Vec<ThrottleDevice>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WeightDevice {
    pub path: String,
    pub weight: u16,
}

/// A per-device rate. compose-go parses every rate as a byte size, the `_iops` ones included,
/// so they all print as decimal strings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ThrottleDevice {
    pub path: String,
    pub rate: ByteSize,
}

// ---------------------------------------------------------------------------------------------
// Scalars with units, and the two-shaped values
// ---------------------------------------------------------------------------------------------

/// A length of time in nanoseconds, printed the way Go prints a `time.Duration` (`1m30s`).
///
/// Only integers are read: the loader has already parsed every duration string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Duration(pub i64);

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_duration(self.0))
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        struct DurationVisitor;

        impl Visitor<'_> for DurationVisitor {
            type Value = Duration;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration in nanoseconds")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                Ok(Duration(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                i64::try_from(v)
                    .map(Duration)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
        }

        deserializer.deserialize_i64(DurationVisitor)
    }
}

/// A size in bytes, printed as a decimal string (`"52428800"`) as compose prints it.
///
/// Reads an integer (what the loader delivers) or a decimal string (what this type prints),
/// so printed output reads back. `-1` is meaningful for `memswap_limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ByteSize(pub i64);

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ByteSize, D::Error> {
        struct ByteSizeVisitor;

        impl Visitor<'_> for ByteSizeVisitor {
            type Value = ByteSize;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size in bytes")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ByteSize, E> {
                Ok(ByteSize(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ByteSize, E> {
                i64::try_from(v)
                    .map(ByteSize)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<ByteSize, E> {
                v.parse()
                    .map(ByteSize)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }

        deserializer.deserialize_any(ByteSizeVisitor)
    }
}

/// Unix permission bits, printed in octal with a leading zero (`"0440"`) as compose does.
///
/// Reads an integer (what the loader delivers, already converted from octal text) or an octal
/// string (what this type prints).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileMode(pub u32);

impl Serialize for FileMode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("0{:o}", self.0))
    }
}

impl<'de> Deserialize<'de> for FileMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<FileMode, D::Error> {
        struct FileModeVisitor;

        impl Visitor<'_> for FileModeVisitor {
            type Value = FileMode;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a file mode")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FileMode, E> {
                u32::try_from(v)
                    .map(FileMode)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FileMode, E> {
                u32::try_from(v)
                    .map(FileMode)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<FileMode, E> {
                u32::from_str_radix(v, 8)
                    .map(FileMode)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }

        deserializer.deserialize_any(FileModeVisitor)
    }
}

/// One `ulimits` entry: a single number for both limits, or separate soft and hard limits.
///
/// The written shape is kept, so a single value prints as a bare number as compose prints
/// it. `x-*` keys in the mapping form are accepted and dropped, since compose drops them on
/// output as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ulimit {
    Single(i64),
    Range { soft: i64, hard: i64 },
}

impl Ulimit {
    pub fn soft(self) -> i64 {
        match self {
            Ulimit::Single(v) | Ulimit::Range { soft: v, .. } => v,
        }
    }

    pub fn hard(self) -> i64 {
        match self {
            Ulimit::Single(v) | Ulimit::Range { hard: v, .. } => v,
        }
    }
}

impl Serialize for Ulimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Ulimit::Single(v) => serializer.serialize_i64(v),
            Ulimit::Range { soft, hard } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("soft", &soft)?;
                map.serialize_entry("hard", &hard)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Ulimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Ulimit, D::Error> {
        struct UlimitVisitor;

        impl<'de> Visitor<'de> for UlimitVisitor {
            type Value = Ulimit;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a mapping with soft and hard")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Ulimit, E> {
                Ok(Ulimit::Single(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Ulimit, E> {
                i64::try_from(v)
                    .map(Ulimit::Single)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ulimit, A::Error> {
                let (mut soft, mut hard) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "soft" => &mut soft,
                        "hard" => &mut hard,
                        k if k.starts_with("x-") => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                        // Worded like the loader's own unknown-key errors.
                        k => {
                            return Err(de::Error::custom(format_args!(
                                "unknown key \"{k}\": expected one of soft, hard \
                                 (custom keys must start with x-)"
                            )));
                        }
                    };
                    if slot.is_some() {
                        return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
                    }
                    *slot = Some(map.next_value::<i64>()?);
                }
                Ok(Ulimit::Range {
                    soft: soft.ok_or_else(|| de::Error::missing_field("soft"))?,
                    hard: hard.ok_or_else(|| de::Error::missing_field("hard"))?,
                })
            }
        }

        deserializer.deserialize_any(UlimitVisitor)
    }
}

/// A device request's `count`.
///
/// Printed as `all` or a number. compose-go stores `all` as `-1` and prints that, which
/// means the same thing when read back, so `-1` is read as `All` too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceCount {
    #[default]
    All,
    Count(i64),
}

impl DeviceCount {
    fn from_int(n: i64) -> DeviceCount {
        if n == -1 {
            DeviceCount::All
        } else {
            DeviceCount::Count(n)
        }
    }
}

impl Serialize for DeviceCount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            DeviceCount::All => serializer.serialize_str("all"),
            DeviceCount::Count(n) => serializer.serialize_i64(n),
        }
    }
}

impl<'de> Deserialize<'de> for DeviceCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<DeviceCount, D::Error> {
        struct DeviceCountVisitor;

        impl Visitor<'_> for DeviceCountVisitor {
            type Value = DeviceCount;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("'all' or a number")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DeviceCount, E> {
                Ok(DeviceCount::from_int(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DeviceCount, E> {
                i64::try_from(v)
                    .map(DeviceCount::Count)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<DeviceCount, E> {
                if v.eq_ignore_ascii_case("all") {
                    return Ok(DeviceCount::All);
                }
                v.parse().map(DeviceCount::from_int).map_err(|_| {
                    E::custom(format_args!(
                        "invalid value \"{v}\", the only value allowed is 'all' or a number"
                    ))
                })
            }
        }

        deserializer.deserialize_any(DeviceCountVisitor)
    }
}

/// `extra_hosts` as a host-to-addresses map, printed as compose prints it: sorted `host=ip`
/// strings.
///
/// Reads the loader's map form (a host maps to one address or a list) and, so that printed
/// output reads back, the list form too, where `host=ip` may be `host:ip` and one entry may
/// carry several comma-separated addresses.
mod extra_hosts {
    use super::*;

    type Hosts = IndexMap<String, Vec<String>>;

    pub fn serialize<S: Serializer>(hosts: &Hosts, serializer: S) -> Result<S::Ok, S::Error> {
        let mut lines: Vec<String> = hosts
            .iter()
            .flat_map(|(host, ips)| ips.iter().map(move |ip| format!("{host}={ip}")))
            .collect();
        lines.sort();
        serializer.collect_seq(lines)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Hosts, D::Error> {
        deserializer.deserialize_any(HostsVisitor)
    }

    struct HostsVisitor;

    impl<'de> Visitor<'de> for HostsVisitor {
        type Value = Hosts;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping of host names to addresses, or a list of host=ip strings")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Hosts, E> {
            Ok(Hosts::new())
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Hosts, A::Error> {
            let mut hosts = Hosts::new();
            while let Some((host, ips)) = map.next_entry::<String, Addresses>()? {
                hosts.entry(host).or_default().extend(ips.0);
            }
            Ok(hosts)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Hosts, A::Error> {
            let mut hosts = Hosts::new();
            while let Some(entry) = seq.next_element::<String>()? {
                let (host, ips) = entry
                    .split_once('=')
                    .or_else(|| entry.split_once(':'))
                    .ok_or_else(|| {
                        de::Error::custom(format_args!(
                            "invalid additional host, missing IP: {entry}"
                        ))
                    })?;
                hosts
                    .entry(host.to_owned())
                    .or_default()
                    .extend(ips.split(',').map(str::to_owned));
            }
            Ok(hosts)
        }
    }

    /// One host's addresses: a single string or a list.
    struct Addresses(Vec<String>);

    impl<'de> Deserialize<'de> for Addresses {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Addresses, D::Error> {
            struct AddressesVisitor;

            impl<'de> Visitor<'de> for AddressesVisitor {
                type Value = Addresses;

                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an address or a list of addresses")
                }

                fn visit_str<E: de::Error>(self, v: &str) -> Result<Addresses, E> {
                    Ok(Addresses(vec![v.to_owned()]))
                }

                fn visit_unit<E: de::Error>(self) -> Result<Addresses, E> {
                    Ok(Addresses(Vec::new()))
                }

                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Addresses, A::Error> {
                    let mut ips = Vec::new();
                    while let Some(ip) = seq.next_element::<String>()? {
                        ips.push(ip);
                    }
                    Ok(Addresses(ips))
                }
            }

            deserializer.deserialize_any(AddressesVisitor)
        }
    }
}

/// `build.ssh` as an id-to-path map, printed as compose prints it: a list with `default` for
/// the agent socket and an entry per key. compose-go writes a key as `id: path`, which its own
/// loader rejects; this writes `id=path`, the spelling the list form accepts.
///
/// Reads the loader's map form and, so that printed output reads back, the list form.
mod ssh_keys {
    use super::*;

    type Keys = IndexMap<String, String>;

    pub fn serialize<S: Serializer>(keys: &Keys, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(keys.iter().map(|(id, path)| {
            if path.is_empty() {
                id.clone()
            } else {
                format!("{id}={path}")
            }
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Keys, D::Error> {
        deserializer.deserialize_any(KeysVisitor)
    }

    struct KeysVisitor;

    impl<'de> Visitor<'de> for KeysVisitor {
        type Value = Keys;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping of ssh key ids to paths, or a list of id=path strings")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Keys, E> {
            Ok(Keys::new())
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
            let mut keys = Keys::new();
            while let Some((id, path)) = map.next_entry::<String, Option<String>>()? {
                keys.insert(id, path.unwrap_or_default());
            }
            Ok(keys)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Keys, A::Error> {
            let mut keys = Keys::new();
            while let Some(entry) = seq.next_element::<String>()? {
                let (id, path) = entry.split_once('=').unwrap_or((&entry, ""));
                keys.insert(id.to_owned(), path.to_owned());
            }
            Ok(keys)
        }
    }
}

/// Reads `services` into a map sized once. serde's own map reading reserves at most 1 MiB up
/// front, a few hundred services, and growing a map of values this large copies all of them
/// at each doubling: a tenth of the loading time at 10,000 services.
fn services_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<IndexMap<String, Service>, D::Error> {
    struct ServicesVisitor;

    impl<'de> Visitor<'de> for ServicesVisitor {
        type Value = IndexMap<String, Service>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping of services")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            // The hint comes from the already parsed document; the cap keeps a deserializer
            // that makes hints up from reserving without bound.
            let capacity = map.size_hint().unwrap_or(0).min(1 << 20);
            let mut services = IndexMap::with_capacity(capacity);
            while let Some((name, service)) = map.next_entry()? {
                services.insert(name, service);
            }
            Ok(services)
        }
    }

    deserializer.deserialize_map(ServicesVisitor)
}

/// Reads a mapping whose values may be strings, numbers or booleans as strings, for the few
/// option maps the schema lets hold numbers but the loader does not convert.
fn lenient_string_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<IndexMap<String, String>, D::Error> {
    struct Text(String);

    impl<'de> Deserialize<'de> for Text {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
            struct TextVisitor;

            impl Visitor<'_> for TextVisitor {
                type Value = Text;

                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a string, a number or a boolean")
                }

                fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                    Ok(Text(v.to_owned()))
                }

                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                    Ok(Text(v.to_string()))
                }

                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                    Ok(Text(v.to_string()))
                }

                fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                    Ok(Text(v.to_string()))
                }

                fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                    Ok(Text(v.to_string()))
                }
            }

            deserializer.deserialize_any(TextVisitor)
        }
    }

    let map = IndexMap::<String, Text>::deserialize(deserializer)?;
    Ok(map.into_iter().map(|(k, v)| (k, v.0)).collect())
}

// Serde attribute helpers.

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_none_or_true(b: &Option<bool>) -> bool {
    b.is_none_or(|b| b)
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn yes() -> bool {
    true
}

fn service_started() -> String {
    "service_started".to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn round_trip<T>(value: &T) -> T
    where
        T: Serialize + for<'de> Deserialize<'de>,
    {
        let json = serde_json::to_value(value).unwrap();
        serde_json::from_value(json).unwrap()
    }

    /// Collects the field list a derived `Deserialize` hands to `deserialize_struct`, which is
    /// exactly the key list the loader's deserializer accepts.
    fn field_names<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
        struct Probe<'a>(&'a mut Vec<&'static str>);

        impl<'de> Deserializer<'de> for Probe<'_> {
            type Error = de::value::Error;

            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
                Err(de::Error::custom("only structs are probed"))
            }

            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Self::Error> {
                self.0.extend_from_slice(fields);
                Err(de::Error::custom("probed"))
            }

            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
                enum identifier ignored_any
            }
        }

        let mut fields = Vec::new();
        let _ = T::deserialize(Probe(&mut fields));
        fields
    }

    /// `$defs.service.properties` of compose-go's schema, minus `extends` (consumed by the
    /// loader), plus the extension slot.
    const SCHEMA_SERVICE_KEYS: &[&str] = &[
        "develop",
        "deploy",
        "annotations",
        "attach",
        "build",
        "blkio_config",
        "cap_add",
        "cap_drop",
        "cgroup",
        "cgroup_parent",
        "command",
        "configs",
        "container_name",
        "cpu_count",
        "cpu_percent",
        "cpu_shares",
        "cpu_quota",
        "cpu_period",
        "cpu_rt_period",
        "cpu_rt_runtime",
        "cpus",
        "cpuset",
        "credential_spec",
        "depends_on",
        "device_cgroup_rules",
        "devices",
        "dns",
        "dns_opt",
        "dns_search",
        "domainname",
        "entrypoint",
        "env_file",
        "label_file",
        "environment",
        "expose",
        "provider",
        "external_links",
        "extra_hosts",
        "gpus",
        "group_add",
        "healthcheck",
        "hostname",
        "image",
        "init",
        "ipc",
        "isolation",
        "labels",
        "links",
        "logging",
        "mac_address",
        "mem_limit",
        "mem_reservation",
        "mem_swappiness",
        "memswap_limit",
        "network_mode",
        "models",
        "networks",
        "oom_kill_disable",
        "oom_score_adj",
        "pid",
        "pids_limit",
        "platform",
        "ports",
        "pre_start",
        "post_start",
        "pre_stop",
        "privileged",
        "profiles",
        "pull_policy",
        "pull_refresh_after",
        "read_only",
        "restart",
        "runtime",
        "scale",
        "security_opt",
        "shm_size",
        "secrets",
        "sysctls",
        "stdin_open",
        "stop_grace_period",
        "stop_signal",
        "storage_opt",
        "tmpfs",
        "tty",
        "ulimits",
        "use_api_socket",
        "user",
        "uts",
        "userns_mode",
        "volumes",
        "volumes_from",
        "working_dir",
        "x-*",
    ];

    #[test]
    fn service_keys_are_the_schema_keys() {
        let mut expected = SCHEMA_SERVICE_KEYS.to_vec();
        let mut actual = field_names::<Service>();
        expected.sort_unstable();
        actual.sort_unstable();
        assert_eq!(actual, expected);
    }

    #[test]
    fn hook_types_accept_only_their_own_keys() {
        assert_eq!(
            field_names::<ServiceHook>(),
            [
                "command",
                "user",
                "privileged",
                "working_dir",
                "environment",
                "x-*"
            ]
        );
        assert_eq!(
            field_names::<PreStartHook>(),
            [
                "command",
                "image",
                "user",
                "privileged",
                "working_dir",
                "environment",
                "per_replica",
                "x-*"
            ]
        );
    }

    #[test]
    fn a_service_with_only_an_image_prints_only_the_image() {
        // compose-go's JSON writer also prints `command: null` and `entrypoint: null`; its
        // YAML writer does not, and neither does this model. The implicit `default` network
        // is added by the loader, not by the model.
        let service = Service {
            image: Some("nginx".into()),
            ..Service::default()
        };
        assert_eq!(
            serde_json::to_value(&service).unwrap(),
            json!({"image": "nginx"})
        );
    }

    #[test]
    fn explicitly_empty_command_is_printed_and_absent_is_not() {
        let cleared = Service {
            command: Some(Vec::new()),
            ..Service::default()
        };
        assert_eq!(
            serde_json::to_value(&cleared).unwrap(),
            json!({"command": []})
        );
        assert_eq!(round_trip(&cleared), cleared);
        assert_eq!(round_trip(&Service::default()).command, None);
    }

    #[test]
    fn project_prints_name_and_services_even_when_empty() {
        let project = Project {
            name: "demo".into(),
            ..Project::default()
        };
        assert_eq!(
            serde_json::to_value(&project).unwrap(),
            json!({"name": "demo", "services": {}})
        );
    }

    #[test]
    fn extensions_travel_under_the_synthetic_key() {
        let json = json!({"image": "x", "x-*": {"x-a": {"b": 1}}});
        let service: Service = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(service.extensions["x-a"], json!({"b": 1}));
        assert_eq!(serde_json::to_value(&service).unwrap(), json);
    }

    #[test]
    fn units_print_as_compose_prints_them() {
        assert_eq!(
            serde_json::to_value(Duration(90_000_000_000)).unwrap(),
            json!(format_duration(90_000_000_000))
        );
        assert_eq!(
            serde_json::to_value(ByteSize(52_428_800)).unwrap(),
            json!("52428800")
        );
        assert_eq!(serde_json::to_value(ByteSize(-1)).unwrap(), json!("-1"));
        assert_eq!(
            serde_json::to_value(FileMode(0o440)).unwrap(),
            json!("0440")
        );
        assert_eq!(
            serde_json::to_value(FileMode(0o1777)).unwrap(),
            json!("01777")
        );
    }

    #[test]
    fn units_read_the_loader_form_and_their_printed_form() {
        let d: Duration = serde_json::from_value(json!(1_500_000_000)).unwrap();
        assert_eq!(d, Duration(1_500_000_000));
        assert!(serde_json::from_value::<Duration>(json!("1s")).is_err());

        for size in [ByteSize(0), ByteSize(536_870_912), ByteSize(-1)] {
            assert_eq!(round_trip(&size), size);
        }
        let size: ByteSize = serde_json::from_value(json!(1024)).unwrap();
        assert_eq!(size, ByteSize(1024));

        for mode in [FileMode(0o440), FileMode(0o755), FileMode(0)] {
            assert_eq!(round_trip(&mode), mode);
        }
        let mode: FileMode = serde_json::from_value(json!(288)).unwrap();
        assert_eq!(mode, FileMode(0o440));
        assert!(serde_json::from_value::<FileMode>(json!(-1)).is_err());
    }

    #[test]
    fn ulimits_keep_their_shape() {
        let ulimits: IndexMap<String, Ulimit> = IndexMap::from([
            (
                "nofile".to_owned(),
                Ulimit::Range {
                    soft: 20000,
                    hard: 40000,
                },
            ),
            ("nproc".to_owned(), Ulimit::Single(65535)),
        ]);
        let json = serde_json::to_value(&ulimits).unwrap();
        assert_eq!(
            json,
            json!({"nofile": {"soft": 20000, "hard": 40000}, "nproc": 65535})
        );
        assert_eq!(round_trip(&ulimits), ulimits);
        assert_eq!(ulimits["nproc"].soft(), 65535);
        assert_eq!(ulimits["nofile"].hard(), 40000);
    }

    #[test]
    fn ulimit_mapping_needs_both_limits_and_no_other_key() {
        let with_extension: Ulimit =
            serde_json::from_value(json!({"hard": 2, "soft": 1, "x-note": "kept out"})).unwrap();
        assert_eq!(with_extension, Ulimit::Range { soft: 1, hard: 2 });

        let missing = serde_json::from_value::<Ulimit>(json!({"soft": 1})).unwrap_err();
        assert!(
            missing.to_string().contains("missing field `hard`"),
            "{missing}"
        );
        let unknown =
            serde_json::from_value::<Ulimit>(json!({"soft": 1, "hard": 2, "max": 3})).unwrap_err();
        assert!(
            unknown.to_string().contains("unknown key \"max\""),
            "{unknown}"
        );
    }

    #[test]
    fn device_count_is_all_or_a_number() {
        assert_eq!(
            serde_json::to_value(DeviceCount::All).unwrap(),
            json!("all")
        );
        assert_eq!(
            serde_json::to_value(DeviceCount::Count(2)).unwrap(),
            json!(2)
        );
        for count in [
            DeviceCount::All,
            DeviceCount::Count(0),
            DeviceCount::Count(2),
        ] {
            assert_eq!(round_trip(&count), count);
        }
        let read = |v: Value| serde_json::from_value::<DeviceCount>(v);
        assert_eq!(read(json!("ALL")).unwrap(), DeviceCount::All);
        assert_eq!(read(json!(-1)).unwrap(), DeviceCount::All);
        assert_eq!(read(json!("3")).unwrap(), DeviceCount::Count(3));
        let err = read(json!("some")).unwrap_err();
        assert!(
            err.to_string()
                .contains("invalid value \"some\", the only value allowed is 'all' or a number"),
            "{err}"
        );
    }

    #[test]
    fn extra_hosts_print_sorted_host_ip_lines_and_read_back() {
        let service = Service {
            extra_hosts: IndexMap::from([
                ("somehost".to_owned(), vec!["162.242.195.82".to_owned()]),
                (
                    "otherhost".to_owned(),
                    vec!["50.31.209.229".to_owned(), "::1".to_owned()],
                ),
            ]),
            ..Service::default()
        };
        assert_eq!(
            serde_json::to_value(&service).unwrap(),
            json!({"extra_hosts": [
                "otherhost=50.31.209.229",
                "otherhost=::1",
                "somehost=162.242.195.82",
            ]})
        );
        assert_eq!(round_trip(&service), service);

        let from_map: Service = serde_json::from_value(json!({"extra_hosts": {
            "a": "10.0.0.1",
            "b": ["10.0.0.2", "10.0.0.3"],
        }}))
        .unwrap();
        assert_eq!(from_map.extra_hosts["a"], ["10.0.0.1"]);
        assert_eq!(from_map.extra_hosts["b"], ["10.0.0.2", "10.0.0.3"]);

        let from_list: Service =
            serde_json::from_value(json!({"extra_hosts": ["a:10.0.0.1", "b=10.0.0.2,10.0.0.3"]}))
                .unwrap();
        assert_eq!(from_list.extra_hosts, from_map.extra_hosts);
        assert!(serde_json::from_value::<Service>(json!({"extra_hosts": ["nohost"]})).is_err());
    }

    #[test]
    fn build_ssh_prints_as_a_list_and_reads_back() {
        let build: Build = serde_json::from_value(json!({
            "context": "/src",
            "ssh": {"default": null, "deploy": "/p/key"},
        }))
        .unwrap();
        assert_eq!(build.ssh["default"], "");
        assert_eq!(
            serde_json::to_value(&build).unwrap(),
            json!({"context": "/src", "ssh": ["default", "deploy=/p/key"]})
        );
        assert_eq!(round_trip(&build), build);
    }

    #[test]
    fn defaults_that_compose_leaves_out_are_left_out() {
        assert_eq!(
            serde_json::to_value(DependsOn::default()).unwrap(),
            json!({"condition": "service_started", "required": true})
        );
        let env_file = EnvFile {
            path: "/p/.env".into(),
            ..EnvFile::default()
        };
        assert_eq!(
            serde_json::to_value(&env_file).unwrap(),
            json!({"path": "/p/.env"})
        );
        let optional = EnvFile {
            required: false,
            ..env_file
        };
        assert_eq!(
            serde_json::to_value(&optional).unwrap(),
            json!({"path": "/p/.env", "required": false})
        );

        let bind = |create_host_path| BindOptions {
            create_host_path,
            ..BindOptions::default()
        };
        assert_eq!(serde_json::to_value(bind(None)).unwrap(), json!({}));
        assert_eq!(serde_json::to_value(bind(Some(true))).unwrap(), json!({}));
        assert_eq!(
            serde_json::to_value(bind(Some(false))).unwrap(),
            json!({"create_host_path": false})
        );

        assert_eq!(
            serde_json::to_value(Deploy::default()).unwrap(),
            json!({}),
            "empty resources and placement are not printed"
        );
    }

    #[test]
    fn minimal_entries_get_compose_defaults_when_read() {
        let dep: DependsOn = serde_json::from_value(json!({})).unwrap();
        assert_eq!(dep, DependsOn::default());
        let port: ServicePort = serde_json::from_value(json!({"target": 80})).unwrap();
        assert_eq!(
            serde_json::to_value(&port).unwrap(),
            json!({"mode": "ingress", "target": 80, "protocol": "tcp"})
        );
        let env: EnvFile = serde_json::from_value(json!({"path": "/e"})).unwrap();
        assert!(env.required);
    }

    #[test]
    fn required_keys_are_required() {
        assert!(serde_json::from_value::<Model>(json!({"name": "m"})).is_err());
        assert!(serde_json::from_value::<ServiceHook>(json!({"user": "root"})).is_err());
        assert!(serde_json::from_value::<WatchTrigger>(json!({"path": "/src"})).is_err());
        assert!(serde_json::from_value::<ServiceVolume>(json!({"target": "/data"})).is_err());
        assert!(serde_json::from_value::<EnvFile>(json!({"required": false})).is_err());
    }

    #[test]
    fn lenient_option_maps_read_numbers_as_text() {
        let network: ServiceNetwork =
            serde_json::from_value(json!({"driver_opts": {"mtu": 1450, "flag": true, "r": 0.5}}))
                .unwrap();
        assert_eq!(network.driver_opts["mtu"], "1450");
        assert_eq!(network.driver_opts["flag"], "true");
        assert_eq!(network.driver_opts["r"], "0.5");
    }

    #[test]
    fn pull_refresh_after_is_read_but_not_printed() {
        let service: Service =
            serde_json::from_value(json!({"image": "x", "pull_refresh_after": "1h"})).unwrap();
        assert_eq!(service.pull_refresh_after.as_deref(), Some("1h"));
        assert_eq!(
            serde_json::to_value(&service).unwrap(),
            json!({"image": "x"})
        );
    }

    #[test]
    fn a_rich_service_round_trips_in_print_order() {
        // Durations are left out: they print in Go's notation, which only the loader parses.
        let json = json!({
            "build": {
                "context": "/src",
                "dockerfile": "Dockerfile",
                "args": {"A": "1", "UNSET": null},
                "provenance": true,
                "ssh": ["default", "deploy=/p/.ssh/id_ed25519"],
                "secrets": [{"source": "token", "target": "/run/secrets/token"}],
                "shm_size": "67108864",
            },
            "command": ["bundle", "exec", "thin", "-p", "3000"],
            "configs": [{"source": "c", "uid": "103", "mode": "0440"}],
            "depends_on": {
                "db": {"condition": "service_healthy", "restart": true, "required": true},
            },
            "deploy": {
                "replicas": 2,
                "resources": {
                    "limits": {"cpus": 0.5, "memory": "52428800", "pids": 100},
                    "reservations": {
                        "devices": [{"capabilities": ["gpu"], "count": "all"}],
                        "generic_resources": [
                            {"discrete_resource_spec": {"kind": "ssd", "value": 1}},
                        ],
                    },
                },
                "placement": {"constraints": ["node.role==manager"]},
            },
            "devices": [{"source": "/dev/ttyUSB0", "target": "/dev/ttyUSB0", "permissions": "rwm"}],
            "environment": {"A": "1", "B": null},
            "env_file": [{"path": "/p/a.env"}, {"path": "/p/b.env", "required": false}],
            "gpus": [{"count": 1}],
            "image": "app",
            "init": false,
            "networks": {"default": null, "back": {"aliases": ["api"], "priority": 10}},
            "ports": [
                {"mode": "ingress", "host_ip": "127.0.0.1", "target": 80, "published": "8080",
                 "protocol": "tcp"},
            ],
            "tmpfs": ["/run"],
            "ulimits": {"nofile": {"soft": 1, "hard": 2}, "nproc": 3},
            "volumes": [
                {"type": "bind", "source": "/p/data", "target": "/data", "read_only": true,
                 "bind": {"selinux": "z"}},
                {"type": "volume", "source": "db", "target": "/var/lib/db",
                 "volume": {"nocopy": true}},
                {"type": "tmpfs", "target": "/tmp", "tmpfs": {"size": "1000", "mode": "01777"}},
            ],
            "pre_start": [{"command": ["migrate"], "image": "app", "per_replica": true}],
            "post_start": [{"command": ["touch", "/ready"], "user": "root"}],
            "x-*": {"x-team": "web"},
        });
        let service: Service = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(service.networks["default"], None);
        assert_eq!(service.environment["B"], None);
        assert_eq!(
            service.volumes[2].tmpfs.as_ref().unwrap().mode,
            Some(FileMode(0o1777))
        );
        assert_eq!(service.gpus[0].count, Some(DeviceCount::Count(1)));
        let printed = serde_json::to_value(&service).unwrap();
        assert_eq!(printed, json);
        let keys: Vec<&String> = printed.as_object().unwrap().keys().collect();
        let want: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys, want, "fields print in compose's order");
    }

    #[test]
    fn top_level_resources_round_trip() {
        let json = json!({
            "name": "demo",
            "services": {"web": {"image": "nginx"}},
            "networks": {
                "front": {
                    "driver": "overlay",
                    "driver_opts": {"foo": "bar"},
                    "ipam": {
                        "driver": "default",
                        "config": [{
                            "subnet": "172.28.0.0/16",
                            "gateway": "172.28.5.254",
                            "ip_range": "172.28.5.0/24",
                            "aux_addresses": {"host1": "172.28.1.5"},
                        }],
                    },
                    "internal": true,
                    "enable_ipv6": false,
                },
                "outside": {"name": "shared", "external": true},
            },
            "volumes": {"data": {"name": "demo_data", "labels": {"k": "v"}}},
            "secrets": {"token": {"name": "demo_token", "environment": "TOKEN"}},
            "configs": {"conf": {"name": "demo_conf", "content": "x=1\n"}},
            "models": {"llm": {"model": "ai/smollm2", "context_size": 4096}},
            "x-*": {"x-owner": "me"},
        });
        let project: Project = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&project).unwrap(), json);
    }
}
