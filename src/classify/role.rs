//! What each service *is*: the Kubernetes role it gets, and the evidence for it.
//!
//! A pure function of the loaded project, applying DESIGN.md §3 in its order of precedence
//! (the first rule that applies wins, and its reason is recorded for `explain`):
//! explicit choice, node agent, batch (scheduled, completion-gated or run-once), sidecar,
//! stateful server by image, and otherwise a stateless Deployment.
//!
//! Explicit choices come from `x-kubernetes.kind`, the label `compose2kube.kind`, or
//! kompose's `kompose.controller.type`; schedules from `x-kubernetes.schedule`,
//! `compose2kube.schedule` or `kompose.cronjob.schedule`.
//!
//! Groups (`x-kubernetes.group`, kompose's `kompose.service.group`, and with
//! `--service-group-mode volume` services with exactly the same mounts) apply over those
//! rules: the group's main service keeps its role (never another's container), every other
//! member becomes a container of its pod, or an initContainer when it runs once.

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::classify::extension::{self, XKubernetes};
use crate::classify::images;
use crate::compose::model::{Project, Service};

/// The Kubernetes shape of one compose service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob {
        schedule: String,
    },
    /// An extra container in the named service's pod.
    Sidecar {
        of: String,
    },
    /// An initContainer of the named service.
    Init {
        of: String,
    },
}

impl Role {
    pub fn name(&self) -> String {
        match self {
            Role::Deployment => "Deployment".into(),
            Role::StatefulSet => "StatefulSet".into(),
            Role::DaemonSet => "DaemonSet".into(),
            Role::Job => "Job".into(),
            Role::CronJob { .. } => "CronJob".into(),
            Role::Sidecar { of } => format!("sidecar of {of}"),
            Role::Init { of } => format!("initContainer of {of}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub role: Role,
    /// Why, in words a user can check against the compose file.
    pub reason: String,
    /// In its pod because of a group: a whole service in compose, not a helper, so its
    /// volumes keep their data and its name answers as a Service.
    pub grouped: bool,
}

/// A problem with an explicit hint (an unknown kind, a sidecar of a missing service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassifyError {
    pub service: String,
    pub message: String,
}

impl std::fmt::Display for ClassifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "services.{}: {}", self.service, self.message)
    }
}

/// Classifies every service of the project, in the project's order.
pub fn classify(project: &Project) -> Result<IndexMap<String, Classification>, ClassifyError> {
    classify_grouped(project, &Grouping::default())
}

/// Groups of services asked for by the command line rather than the compose file.
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    /// Services with exactly the same mounts share a pod (`--service-group-mode volume`).
    pub by_volumes: bool,
    /// The name of that group (`--service-group-name`); else its members' names.
    pub name: Option<String>,
}

/// [`classify`], with groups the command line asks for.
pub fn classify_grouped(
    project: &Project,
    grouping: &Grouping,
) -> Result<IndexMap<String, Classification>, ClassifyError> {
    let waiting = completion_dependants(project);
    let groups = groups(project, grouping)?;
    let mut out = IndexMap::new();
    for (name, service) in &project.services {
        let dependants = waiting.get(name.as_str()).map_or(&[][..], Vec::as_slice);
        let class = match groups.get(name.as_str()) {
            Some(group) => grouped(project, name, service, dependants, group)?,
            None => classify_one(project, name, service, dependants)?,
        };
        out.insert(name.clone(), class);
    }
    // A container another rule put beside a group member is beside the group's pod.
    for class in out.values_mut() {
        if let Role::Sidecar { of } | Role::Init { of } = &mut class.role
            && let Some(group) = groups.get(of.as_str())
            && group.owner != of
        {
            *of = group.owner.to_owned();
        }
    }
    Ok(out)
}

/// The main service of the group `--service-group-name` names, if services share mounts.
pub fn named_group_owner(
    project: &Project,
    grouping: &Grouping,
) -> Result<Option<String>, ClassifyError> {
    let Some(name) = &grouping.name else {
        return Ok(None);
    };
    Ok(groups(project, grouping)?
        .values()
        .find(|g| &g.name == name)
        .map(|g| g.owner.to_owned()))
}

/// A pod asked for by `x-kubernetes.group` (`kompose.service.group`), as seen by one of its
/// members.
struct Group<'a> {
    name: String,
    /// Where the group came from, for `explain`.
    source: String,
    /// The service whose pod it is.
    owner: &'a str,
    /// Why that one.
    why: &'static str,
}

/// Every service of a group of at least two, with its group. The pod belongs to its main
/// service: one asked to be a long-running workload, else one publishing ports, else one
/// depending on another member (the application, not its helper), else the first.
fn groups<'a>(
    project: &'a Project,
    grouping: &Grouping,
) -> Result<HashMap<&'a str, Group<'a>>, ClassifyError> {
    // Per group, its members in project order: (name, source of the group, long-running kind)
    let mut by_name: IndexMap<String, Vec<(&str, String, bool)>> = IndexMap::new();
    let mut by_mounts: IndexMap<String, Vec<(&str, bool)>> = IndexMap::new();
    for (name, service) in &project.services {
        let Ok(x) = extension::of(service) else {
            continue;
        };
        let long_running = x.kind.as_deref().is_some_and(|k| {
            [
                "deployment",
                "statefulset",
                "daemonset",
                "replicationcontroller",
            ]
            .contains(&k.to_ascii_lowercase().as_str())
        });
        match x.group.clone() {
            Some(group) => by_name.entry(group).or_default().push((
                name.as_str(),
                x.source("group"),
                long_running,
            )),
            None if grouping.by_volumes && !service.volumes.is_empty() => {
                let key: Vec<String> = service
                    .volumes
                    .iter()
                    .map(|v| {
                        format!(
                            "{}\0{}\0{}\0{}",
                            v.r#type,
                            v.source.as_deref().unwrap_or_default(),
                            v.target,
                            v.read_only
                        )
                    })
                    .collect();
                by_mounts
                    .entry(key.join("\0\0"))
                    .or_default()
                    .push((name.as_str(), long_running));
            }
            None => {}
        }
    }
    let shared: Vec<Vec<(&str, bool)>> = by_mounts.into_values().filter(|m| m.len() > 1).collect();
    if let Some(name) = &grouping.name
        && shared.len() > 1
    {
        let sets: Vec<String> = shared
            .iter()
            .map(|m| m.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))
            .collect();
        return Err(ClassifyError {
            service: shared[1][0].0.to_owned(),
            message: format!(
                "--service-group-name {name} names one group, but {} sets of services have the same mounts ({}); leave it out, and each group's pod is named after its main service",
                shared.len(),
                sets.join("; ")
            ),
        });
    }
    for members in shared {
        let group = grouping.name.clone().unwrap_or_else(|| {
            members
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join("-")
        });
        let entry = by_name.entry(group).or_default();
        for (member, long_running) in members {
            entry.push((member, "--service-group-mode volume".into(), long_running));
        }
    }
    let mut out = HashMap::new();
    for (group, members) in by_name {
        if members.len() < 2 {
            continue;
        }
        let rank = |(n, _, long_running): &(&str, String, bool)| {
            let service = &project.services[*n];
            if *long_running {
                3
            } else if publishes(service) {
                2
            } else if service
                .depends_on
                .keys()
                .any(|d| members.iter().any(|(m, ..)| m == d))
            {
                1
            } else {
                0
            }
        };
        let best = members.iter().map(rank).max().unwrap_or_default();
        // The first of the highest rank: max_by_key would take the last.
        let owner = members
            .iter()
            .find(|m| rank(m) == best)
            .map_or(members[0].0, |m| m.0);
        let why = match best {
            3 => "is asked to be a long-running workload",
            2 => "publishes ports",
            1 => "depends on other members",
            _ => "comes first",
        };
        for (member, source, _) in &members {
            out.insert(
                *member,
                Group {
                    name: group.clone(),
                    source: source.clone(),
                    owner,
                    why,
                },
            );
        }
    }
    Ok(out)
}

/// A member of a group: the main service is classified as usual, but it holds the pod, so
/// it cannot be another's container; every other member is a container of its pod.
fn grouped(
    project: &Project,
    name: &str,
    service: &Service,
    dependants: &[&str],
    group: &Group,
) -> Result<Classification, ClassifyError> {
    let Group {
        name: g,
        source,
        owner,
        why,
    } = group;
    let class = classify_one(project, name, service, dependants)?;
    let explicit = class.reason.starts_with("explicit");
    if name == *owner {
        if explicit && matches!(class.role, Role::Sidecar { .. } | Role::Init { .. }) {
            return Err(ClassifyError {
                service: name.to_owned(),
                message: format!(
                    "{source} \"{g}\" makes it the main service of the group's pod (it {why}), but {}: remove one of the two",
                    class.reason.trim_start_matches("explicit: ")
                ),
            });
        }
        return Ok(match class.role {
            Role::Sidecar { .. } | Role::Init { .. } => Classification {
                role: Role::Deployment,
                reason: format!(
                    "{source} \"{g}\": the main service of the group's pod (it {why}), not {} ({})",
                    class.role.name(),
                    class.reason
                ),
                grouped: true,
            },
            _ => Classification {
                grouped: true,
                ..class
            },
        });
    }
    if explicit
        && class.role
            != (Role::Sidecar {
                of: (*owner).to_owned(),
            })
    {
        return Err(ClassifyError {
            service: name.to_owned(),
            message: format!(
                "{source} \"{g}\" puts it in {owner}'s pod (which {why}), but {}: remove one of the two",
                class.reason.trim_start_matches("explicit: ")
            ),
        });
    }
    match class.role {
        // A container that runs once would be restarted for ever beside long-running ones:
        // it runs to completion before them instead.
        Role::Job | Role::Init { .. } => Ok(Classification {
            role: Role::Init {
                of: (*owner).to_owned(),
            },
            reason: format!(
                "{source} \"{g}\": an initContainer of {owner}'s pod, the group's main service (it {why}), since {}",
                class.reason
            ),
            grouped: true,
        }),
        Role::CronJob { .. } => Err(ClassifyError {
            service: name.to_owned(),
            message: format!(
                "{source} \"{g}\" puts it in {owner}'s pod, but it runs on a schedule ({}): a container of a pod cannot; remove one of the two",
                class.reason
            ),
        }),
        _ => Ok(Classification {
            role: Role::Sidecar {
                of: (*owner).to_owned(),
            },
            reason: format!(
                "{source} \"{g}\": a container of {owner}'s pod, the group's main service (it {why})"
            ),
            grouped: true,
        }),
    }
}

/// The kind asked for, with where it came from (`x-kubernetes.kind` or a label).
fn explicit_kind(x: &XKubernetes) -> Option<(String, String)> {
    x.kind.clone().map(|k| (k, x.source("kind")))
}

fn schedule(x: &XKubernetes) -> Option<(String, String)> {
    x.schedule.clone().map(|s| (s, x.source("schedule")))
}

fn parse_kind(
    project: &Project,
    name: &str,
    x: &XKubernetes,
    kind: &str,
    source: &str,
) -> Result<Role, ClassifyError> {
    let err = |message: String| ClassifyError {
        service: name.to_owned(),
        message,
    };
    let target = |of: &str| -> Result<String, ClassifyError> {
        if project.services.contains_key(of) && of != name {
            Ok(of.to_owned())
        } else {
            Err(err(format!(
                "{source}: \"{kind}\" names no other service of the project"
            )))
        }
    };
    Ok(match kind.to_ascii_lowercase().as_str() {
        // kompose's replicationcontroller: the Deployment superseded it.
        "deployment" | "replicationcontroller" => Role::Deployment,
        "statefulset" => Role::StatefulSet,
        "daemonset" => Role::DaemonSet,
        "job" => Role::Job,
        "cronjob" => match schedule(x) {
            Some((s, _)) => Role::CronJob { schedule: s },
            None => {
                return Err(err(format!(
                    "{source}: cronjob needs a schedule (x-kubernetes.schedule or label compose2kube.schedule)"
                )));
            }
        },
        k => {
            if let Some(of) = kind.strip_prefix("sidecar:") {
                Role::Sidecar { of: target(of)? }
            } else if let Some(of) = kind.strip_prefix("init:") {
                Role::Init { of: target(of)? }
            } else {
                return Err(err(format!(
                    "{source}: unknown kind \"{k}\": expected deployment, statefulset, daemonset, job, cronjob, sidecar:<service> or init:<service>"
                )));
            }
        }
    })
}

/// compose's default restart policy is `no`, so only a policy that is *written* counts.
///
/// Deliberately narrower than DESIGN.md §3, which also counts `on-failure`: in real projects
/// (posthog's web and capture services, frappe's queue workers) `on-failure` is how
/// long-running servers ask to be restarted after a crash, and making them Jobs would stop
/// them after one successful exit. Only `restart: "no"` and `condition: none` say "run once".
fn runs_once(service: &Service) -> Option<String> {
    if service.restart.as_deref() == Some("no") {
        return Some("restart: \"no\"".into());
    }
    let condition = service
        .deploy
        .as_ref()
        .and_then(|d| d.restart_policy.as_ref())
        .and_then(|p| p.condition.as_deref());
    match condition {
        Some("none") => Some("deploy.restart_policy.condition: none".into()),
        _ => None,
    }
}

/// Names of setup steps: a service or command named so runs once.
const SETUP_WORDS: &[&str] = &[
    "setup",
    "init",
    "migrate",
    "migration",
    "migrations",
    "seed",
    "bootstrap",
    "createbuckets",
];

fn is_setup_word(word: &str) -> bool {
    let word = word.rsplit('/').next().unwrap_or(word).to_ascii_lowercase();
    SETUP_WORDS.contains(&word.as_str())
        || ["-init", "_init", "-setup", "_setup"]
            .iter()
            .any(|suffix| word.ends_with(suffix))
}

/// Signs that a service runs once even though its restart policy does not say so (DESIGN
/// §4b): its command ends in an explicit `exit`; or it has no port and no healthcheck and its
/// name or first command word is a setup step, unless the command goes on to something
/// else (`migrate && exec server` serves); or it sits only in profiles named like one.
fn one_shot_signs(name: &str, service: &Service) -> Option<String> {
    let words: Vec<&str> = service
        .entrypoint
        .iter()
        .flatten()
        .chain(service.command.iter().flatten())
        .map(String::as_str)
        .collect();
    let script = words.join(" ");
    let last_step = script
        .rsplit(['&', ';', '\n'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let last_step = last_step.trim_end_matches(['"', '\'']).trim();
    if last_step == "exit" || last_step == "exit 0" {
        return Some(format!("its command ends in `{last_step}`"));
    }
    let chained = script.contains("&&") || script.contains(';');
    let quiet = service.ports.is_empty()
        && service.expose.is_empty()
        && service
            .healthcheck
            .as_ref()
            .is_none_or(|h| h.disable || h.test.is_empty());
    if quiet && !chained {
        if is_setup_word(name) {
            return Some(format!(
                "its name {name} is a setup step, and it has no port and no healthcheck"
            ));
        }
        if let Some(first) = words.first().filter(|w| is_setup_word(w)) {
            return Some(format!(
                "its command {first} is a setup step, and it has no port and no healthcheck"
            ));
        }
    }
    if !service.profiles.is_empty() && service.profiles.iter().all(|p| is_setup_word(p)) {
        return Some(format!(
            "it runs only in the profile {}",
            service.profiles.join(", ")
        ));
    }
    None
}

fn publishes(service: &Service) -> bool {
    service.ports.iter().any(|p| p.published.is_some())
}

fn is_known_server(service: &Service) -> bool {
    service
        .image
        .as_deref()
        .and_then(images::lookup)
        .is_some_and(|k| k.stateful.is_some() || !k.ports.is_empty() && !k.companion)
}

/// The services that run in another's pod (its sidecars and initContainers), by the
/// service whose pod holds them, in project order: builders look a pod's members up here
/// instead of scanning every role for each pod.
pub fn pod_members(roles: &IndexMap<String, Classification>) -> HashMap<&str, Vec<&str>> {
    let mut members: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, class) in roles {
        if let Role::Sidecar { of } | Role::Init { of } = &class.role {
            members.entry(of).or_default().push(name);
        }
    }
    members
}

/// For each service, those that wait for it to complete successfully, in project order:
/// one pass over every dependency, so that classifying stays linear in the project.
fn completion_dependants(project: &Project) -> HashMap<&str, Vec<&str>> {
    let mut waiting: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, service) in &project.services {
        for (dependency, d) in &service.depends_on {
            if d.condition == "service_completed_successfully" {
                waiting.entry(dependency).or_default().push(name);
            }
        }
    }
    waiting
}

/// The rules of DESIGN §3 in their order of precedence: the first that applies wins.
fn classify_one(
    project: &Project,
    name: &str,
    service: &Service,
    dependants: &[&str],
) -> Result<Classification, ClassifyError> {
    let x = extension::of(service).map_err(|message| ClassifyError {
        service: name.to_owned(),
        message,
    })?;
    if let Some((kind, source)) = explicit_kind(&x) {
        let role = parse_kind(project, name, &x, &kind, &source)?;
        return Ok(Classification {
            role,
            reason: format!("explicit: {source} is \"{kind}\""),
            grouped: false,
        });
    }
    Ok(daemon(service)
        .or_else(|| scheduled(&x))
        .or_else(|| batch(name, service, dependants))
        .or_else(|| sidecar(project, name, service))
        .or_else(|| stateful(name, service))
        .unwrap_or_else(|| Classification {
            role: Role::Deployment,
            reason: "a long-running service with no sign of state, schedule or node affinity"
                .into(),
            grouped: false,
        }))
}

fn daemon(service: &Service) -> Option<Classification> {
    service
        .deploy
        .as_ref()
        .and_then(|d| d.mode.as_deref())
        .is_some_and(|m| m == "global")
        .then(|| Classification {
            role: Role::DaemonSet,
            reason: "deploy.mode: global runs one copy per node".into(),
            grouped: false,
        })
}

fn scheduled(x: &XKubernetes) -> Option<Classification> {
    let (s, source) = schedule(x)?;
    Some(Classification {
        reason: format!("scheduled by {source} (\"{s}\")"),
        role: Role::CronJob { schedule: s },
        grouped: false,
    })
}

/// Runs to completion: others wait for it to finish (the only one: an initContainer of
/// it), or it restarts never or on failure and serves nothing.
fn batch(name: &str, service: &Service, dependants: &[&str]) -> Option<Classification> {
    let serves = publishes(service) || is_known_server(service);
    let once = match runs_once(service) {
        Some(policy) => Some(format!(
            "{policy} and it publishes no port and is not a known server: it runs to completion"
        )),
        None => one_shot_signs(name, service).map(|sign| format!("{sign}: it runs to completion")),
    }
    .filter(|_| !serves);
    if dependants.is_empty() && once.is_none() {
        return None;
    }
    let why = if dependants.is_empty() {
        once.unwrap_or_default()
    } else {
        format!(
            "{} {} for it with condition service_completed_successfully",
            dependants.join(", "),
            if dependants.len() == 1 {
                "waits"
            } else {
                "wait"
            }
        )
    };
    let role = match dependants {
        [only] => Role::Init {
            of: (*only).to_owned(),
        },
        _ => Role::Job,
    };
    Some(Classification {
        role,
        reason: why,
        grouped: false,
    })
}

/// In another service's pod: it shares that service's network namespace, or it is a known
/// companion sharing a volume with that service alone.
fn sidecar(project: &Project, name: &str, service: &Service) -> Option<Classification> {
    if let Some(of) = service
        .network_mode
        .as_deref()
        .and_then(|m| m.strip_prefix("service:"))
    {
        return Some(Classification {
            role: Role::Sidecar { of: of.to_owned() },
            reason: format!("network_mode: service:{of} puts it in {of}'s network namespace"),
            grouped: false,
        });
    }
    let of = companion_of(project, name, service)?;
    Some(Classification {
        role: Role::Sidecar { of: of.clone() },
        reason: format!(
            "known companion image sharing a volume only with {of}, publishing no port"
        ),
        grouped: false,
    })
}

/// A known stateful server; or, believed only with a named volume to keep, an image whose
/// name contains a server's (`kafka-container`), or a server built from the project's own
/// Dockerfile named like one (`elasticsearch`).
fn stateful(name: &str, service: &Service) -> Option<Classification> {
    if let Some(category) = service
        .image
        .as_deref()
        .and_then(images::lookup)
        .and_then(|k| k.stateful)
    {
        return Some(Classification {
            role: Role::StatefulSet,
            reason: format!(
                "image {} is a known {}",
                images::repository_name(service.image.as_deref().unwrap_or_default()),
                category.describe()
            ),
            grouped: false,
        });
    }
    let keeps_volume = service
        .volumes
        .iter()
        .any(|v| v.r#type == "volume" && v.source.is_some());
    if !keeps_volume {
        return None;
    }
    let why = match service.image.as_deref() {
        Some(image) => images::lookup_variant(image)
            .and_then(|k| k.stateful)
            .map(|c| {
                format!(
                    "image {} is named like a known {}",
                    images::repository_name(image),
                    c.describe()
                )
            }),
        None => images::lookup(name)
            .or_else(|| images::lookup_variant(name))
            .and_then(|k| k.stateful)
            .map(|c| format!("built from source, named like a known {}", c.describe())),
    }?;
    Some(Classification {
        role: Role::StatefulSet,
        reason: format!("{why} and keeping a named volume"),
        grouped: false,
    })
}

/// The one service a companion image shares a named volume with.
fn companion_of(project: &Project, name: &str, service: &Service) -> Option<String> {
    let image = service.image.as_deref()?;
    if !images::lookup(image).is_some_and(|k| k.companion) || publishes(service) {
        return None;
    }
    let named: Vec<&str> = service
        .volumes
        .iter()
        .filter(|v| v.r#type == "volume")
        .filter_map(|v| v.source.as_deref())
        .collect();
    let mut partners: Vec<&str> = project
        .services
        .iter()
        .filter(|(n, _)| n.as_str() != name)
        .filter(|(_, s)| {
            s.volumes.iter().any(|v| {
                v.r#type == "volume" && v.source.as_deref().is_some_and(|src| named.contains(&src))
            })
        })
        .map(|(n, _)| n.as_str())
        .collect();
    partners.dedup();
    match partners.as_slice() {
        [only] => Some((*only).to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{LoadOptions, load};

    fn roles(yaml: &str) -> IndexMap<String, Classification> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), yaml).unwrap();
        let loaded = load(&LoadOptions {
            working_dir: dir.path().to_path_buf(),
            interpolate: true,
            ..LoadOptions::default()
        })
        .unwrap();
        classify(&loaded.project).unwrap()
    }

    fn role(yaml: &str, service: &str) -> Role {
        roles(yaml)[service].role.clone()
    }

    #[test]
    fn variants_and_built_servers_need_a_named_volume() {
        let yaml = "services:\n  kafka:\n    image: ghcr.io/posthog/kafka-container:v2\n    volumes: [kafka-data:/data]\n  etl:\n    image: example/etl-kafka\n  elasticsearch:\n    build: ./es\n    volumes: [es:/usr/share/elasticsearch/data]\n  search:\n    build: ./search\nvolumes: {kafka-data: {}, es: {}}\n";
        let r = roles(yaml);
        assert_eq!(r["kafka"].role, Role::StatefulSet);
        assert!(
            r["kafka"]
                .reason
                .contains("named like a known message broker")
        );
        assert_eq!(r["etl"].role, Role::Deployment);
        assert_eq!(r["elasticsearch"].role, Role::StatefulSet);
        assert_eq!(r["search"].role, Role::Deployment);
    }

    #[test]
    fn one_shots_without_restart_no() {
        let r = roles(
            "services:\n  setup:\n    image: app\n  db-init:\n    image: app\n  migrator:\n    image: app\n    command: [migrate, up]\n  cleanup:\n    image: app\n    command: [sh, -c, 'rm -rf /tmp/x; exit 0']\n  web:\n    image: app\n    command: [sh, -c, 'migrate && exec server']\n  seed:\n    image: app\n    expose: ['80']\n  init:\n    image: postgres\n",
        );
        for once in ["setup", "db-init", "migrator", "cleanup"] {
            assert_eq!(r[once].role, Role::Job, "{once}: {}", r[once].reason);
        }
        assert!(r["cleanup"].reason.contains("ends in `exit 0`"));
        let keys = Service {
            profiles: vec!["bootstrap".into()],
            ..Service::default()
        };
        assert_eq!(
            one_shot_signs("keys", &keys).as_deref(),
            Some("it runs only in the profile bootstrap")
        );
        // It migrates and then serves; a port says it serves; a known server serves.
        assert_eq!(r["web"].role, Role::Deployment);
        assert_eq!(r["seed"].role, Role::Deployment);
        assert_eq!(r["init"].role, Role::StatefulSet);
    }

    #[test]
    fn explicit_kinds_win() {
        let y = "services:\n  a:\n    image: postgres\n    x-kubernetes: {kind: deployment}\n  b:\n    image: nginx\n    labels: {compose2kube.kind: statefulset}\n  c:\n    image: nginx\n    labels: {kompose.controller.type: daemonset}\n  d:\n    image: busybox\n    labels: {compose2kube.kind: 'sidecar:b'}\n";
        assert_eq!(role(y, "a"), Role::Deployment);
        assert_eq!(role(y, "b"), Role::StatefulSet);
        assert_eq!(role(y, "c"), Role::DaemonSet);
        assert_eq!(role(y, "d"), Role::Sidecar { of: "b".into() });
    }

    #[test]
    fn global_mode_is_a_daemonset() {
        let y = "services:\n  agent:\n    image: prom/node-exporter\n    deploy: {mode: global}\n";
        assert_eq!(role(y, "agent"), Role::DaemonSet);
    }

    #[test]
    fn schedules_make_cronjobs() {
        let y = "services:\n  backup:\n    image: postgres\n    labels: {compose2kube.schedule: '0 3 * * *'}\n  b2:\n    image: alpine\n    labels: {kompose.cronjob.schedule: '@daily'}\n";
        assert_eq!(
            role(y, "backup"),
            Role::CronJob {
                schedule: "0 3 * * *".into()
            }
        );
        assert_eq!(
            role(y, "b2"),
            Role::CronJob {
                schedule: "@daily".into()
            }
        );
    }

    #[test]
    fn completion_gates_make_init_containers_or_jobs() {
        let y = "services:\n  migrate:\n    image: app\n  app:\n    image: app\n    depends_on: {migrate: {condition: service_completed_successfully}}\n  setup:\n    image: app\n  w1:\n    image: app\n    depends_on: {setup: {condition: service_completed_successfully}}\n  w2:\n    image: app\n    depends_on: {setup: {condition: service_completed_successfully}}\n";
        assert_eq!(role(y, "migrate"), Role::Init { of: "app".into() });
        assert_eq!(role(y, "setup"), Role::Job);
        assert_eq!(role(y, "app"), Role::Deployment);
    }

    #[test]
    fn run_once_needs_a_written_policy_no_ports_and_no_server_image() {
        let y = "services:\n  task:\n    image: alpine\n    restart: 'no'\n  api:\n    image: alpine\n    restart: 'no'\n    ports: ['80:80']\n  db:\n    image: postgres\n    restart: 'no'\n  plain:\n    image: alpine\n  crashy:\n    image: alpine\n    restart: on-failure\n  swarm:\n    image: alpine\n    deploy: {restart_policy: {condition: none}}\n";
        assert_eq!(role(y, "task"), Role::Job);
        assert_eq!(role(y, "api"), Role::Deployment);
        assert_eq!(role(y, "db"), Role::StatefulSet);
        assert_eq!(role(y, "plain"), Role::Deployment);
        assert_eq!(role(y, "crashy"), Role::Deployment);
        assert_eq!(role(y, "swarm"), Role::Job);
    }

    #[test]
    fn sidecars_by_network_namespace_or_companion_volume() {
        let y = "services:\n  web:\n    image: httpd\n    volumes: [logs:/logs]\n  shipper:\n    image: docker.elastic.co/beats/filebeat:8\n    volumes: [logs:/var/log/x:ro]\n  vpn:\n    image: alpine\n  app:\n    image: alpine\n    network_mode: service:vpn\nvolumes:\n  logs:\n";
        assert_eq!(role(y, "shipper"), Role::Sidecar { of: "web".into() });
        assert_eq!(role(y, "app"), Role::Sidecar { of: "vpn".into() });
        assert_eq!(role(y, "web"), Role::Deployment);
    }

    #[test]
    fn known_stateful_images_and_evidence() {
        let r = roles(
            "services:\n  cache:\n    image: bitnami/redis:7\n  q:\n    image: rabbitmq:3-management\n",
        );
        assert_eq!(r["cache"].role, Role::StatefulSet);
        assert_eq!(r["cache"].reason, "image redis is a known key-value store");
        assert_eq!(r["q"].role, Role::StatefulSet);
    }

    #[test]
    fn bad_explicit_kinds_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("compose.yaml"),
            "services:\n  a:\n    image: x\n    labels: {compose2kube.kind: pod}\n",
        )
        .unwrap();
        let loaded = load(&LoadOptions {
            working_dir: dir.path().to_path_buf(),
            ..LoadOptions::default()
        })
        .unwrap();
        let e = classify(&loaded.project).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("services.a: label compose2kube.kind: unknown kind \"pod\""),
            "{e}"
        );
    }

    #[test]
    fn a_group_belongs_to_its_main_service() {
        // Publishing ports outranks coming first; depending on the others outranks neither.
        let y = "services:\n  shipper:\n    image: fluent/fluent-bit:3\n    labels: {kompose.service.group: g}\n  web:\n    image: nginx\n    ports: ['80:80']\n    labels: {kompose.service.group: g}\n  app:\n    image: example/app\n    depends_on: [shipper]\n    labels: {kompose.service.group: g}\n";
        assert_eq!(role(y, "web"), Role::Deployment);
        assert_eq!(role(y, "shipper"), Role::Sidecar { of: "web".into() });
        assert_eq!(role(y, "app"), Role::Sidecar { of: "web".into() });
        // Without ports, the member that depends on another holds the pod.
        let y = "services:\n  logs:\n    image: busybox\n    x-kubernetes: {group: g}\n  nginx:\n    image: example/site\n    depends_on: [logs]\n    x-kubernetes: {group: g}\n";
        assert_eq!(role(y, "logs"), Role::Sidecar { of: "nginx".into() });
        // A kind asked for outranks everything, and a lone member is no group.
        let y = "services:\n  a:\n    image: nginx\n    ports: ['80:80']\n    x-kubernetes: {group: g}\n  b:\n    image: example/b\n    x-kubernetes: {group: g, kind: statefulset}\n  c:\n    image: example/c\n    x-kubernetes: {group: alone}\n";
        assert_eq!(role(y, "a"), Role::Sidecar { of: "b".into() });
        assert_eq!(role(y, "c"), Role::Deployment);
    }

    #[test]
    fn volume_groups_join_services_with_the_same_mounts() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("compose.yaml"),
            "services:\n  a:\n    image: example/a\n    ports: ['80:80']\n    volumes: [v:/data]\n  b:\n    image: example/b\n    volumes: [v:/data]\n  c:\n    image: example/c\n    volumes: ['v:/data:ro']\nvolumes: {v: {}}\n",
        )
        .unwrap();
        let loaded = load(&LoadOptions {
            working_dir: dir.path().to_path_buf(),
            ..LoadOptions::default()
        })
        .unwrap();
        let grouping = Grouping {
            by_volumes: true,
            name: None,
        };
        let r = classify_grouped(&loaded.project, &grouping).unwrap();
        assert_eq!(r["b"].role, Role::Sidecar { of: "a".into() });
        assert!(
            r["b"]
                .reason
                .contains("--service-group-mode volume \"a-b\"")
        );
        // A read-only mount is another mount.
        assert_eq!(r["c"].role, Role::Deployment);
    }
}
