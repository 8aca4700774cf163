//! Compose lifecycle hooks as Kubernetes ones: `post_start` → `lifecycle.postStart`,
//! `pre_stop` → `lifecycle.preStop`, `pre_start` → initContainers.
//!
//! Kubernetes runs one handler per hook, in the container, as the container's user; compose
//! allows a list, each with its own user, privileges, directory and environment. Several
//! hooks run in order as one `/bin/sh -c` line joined by `&&` (each command quoted as a shell
//! would need), and the per-hook settings that have no place in an exec handler are reported.
//! A `pre_start` hook runs in a container of its own, so all its settings translate; its
//! image is the hook's or, as in compose, the service's.

use k8s_openapi::api::core::v1::{
    Container, EnvVar, ExecAction, Lifecycle, LifecycleHandler, SecurityContext,
};

use crate::build::names::{escape, sanitize_name};
use crate::compose::model::{PreStartHook, Service, ServiceHook};
use crate::diagnostic::Diagnostic;

fn handler(
    hooks: &[ServiceHook],
    path: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<LifecycleHandler> {
    for (i, hook) in hooks.iter().enumerate() {
        let mut lost = Vec::new();
        if hook.user.is_some() {
            lost.push("user");
        }
        if hook.privileged {
            lost.push("privileged");
        }
        if hook.working_dir.is_some() {
            lost.push("working_dir");
        }
        if !hook.environment.is_empty() {
            lost.push("environment");
        }
        if !lost.is_empty() {
            out.push(Diagnostic::warning(
                format!("{path}[{i}]"),
                format!(
                    "{} not translated: a Kubernetes hook runs in the container with its settings",
                    lost.join(", ")
                ),
            ));
        }
    }
    let command: Vec<String> = match hooks {
        [] => return None,
        [one] => one.command.iter().map(|s| escape(s)).collect(),
        many => {
            let line = many
                .iter()
                .map(|h| shell_words::join(&h.command))
                .collect::<Vec<_>>()
                .join(" && ");
            vec!["/bin/sh".into(), "-c".into(), escape(&line)]
        }
    };
    Some(LifecycleHandler {
        exec: Some(ExecAction {
            command: Some(command),
        }),
        ..LifecycleHandler::default()
    })
}

/// The container's `lifecycle`, with warnings for what could not follow.
pub fn lifecycle(name: &str, service: &Service) -> (Option<Lifecycle>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let lifecycle = Lifecycle {
        post_start: handler(
            &service.post_start,
            &format!("services.{name}.post_start"),
            &mut diagnostics,
        ),
        pre_stop: handler(
            &service.pre_stop,
            &format!("services.{name}.pre_stop"),
            &mut diagnostics,
        ),
        ..Lifecycle::default()
    };
    let set = lifecycle.post_start.is_some() || lifecycle.pre_stop.is_some();
    (set.then_some(lifecycle), diagnostics)
}

/// One initContainer per `pre_start` hook, named `<service>-pre-start[-N]`.
pub fn pre_start(name: &str, service: &Service, default_image: &str) -> Vec<Container> {
    service
        .pre_start
        .iter()
        .enumerate()
        .map(|(i, hook)| pre_start_container(name, i, hook, default_image))
        .collect()
}

fn pre_start_container(
    name: &str,
    index: usize,
    hook: &PreStartHook,
    default_image: &str,
) -> Container {
    let suffix = if index == 0 {
        "pre-start".to_owned()
    } else {
        format!("pre-start-{}", index + 1)
    };
    // Keeps the suffix whole when the service name is long.
    let base: String = sanitize_name(name)
        .chars()
        .take(63 - suffix.len() - 1)
        .collect();
    let user = hook
        .user
        .as_deref()
        .map(|u| u.split_once(':').unwrap_or((u, "")));
    let security = SecurityContext {
        privileged: hook.privileged.then_some(true),
        run_as_user: user.and_then(|(u, _)| u.parse().ok()),
        run_as_group: user.and_then(|(_, g)| g.parse().ok()),
        ..SecurityContext::default()
    };
    let env: Vec<EnvVar> = hook
        .environment
        .iter()
        .filter_map(|(k, v)| {
            Some(EnvVar {
                name: k.clone(),
                value: Some(escape(v.as_ref()?)),
                ..EnvVar::default()
            })
        })
        .collect();
    Container {
        name: format!("{}-{suffix}", base.trim_end_matches('-')),
        image: Some(
            hook.image
                .clone()
                .unwrap_or_else(|| default_image.to_owned()),
        ),
        command: hook
            .command
            .as_ref()
            .map(|c| c.iter().map(|s| escape(s)).collect()),
        working_dir: hook.working_dir.clone(),
        env: (!env.is_empty()).then_some(env),
        security_context: (security != SecurityContext::default()).then_some(security),
        ..Container::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(command: &[&str]) -> ServiceHook {
        ServiceHook {
            command: command.iter().map(|s| s.to_string()).collect(),
            ..ServiceHook::default()
        }
    }

    #[test]
    fn one_hook_is_an_exec_handler() {
        let service = Service {
            post_start: vec![hook(&["touch", "/tmp/ready"])],
            ..Service::default()
        };
        let (lifecycle, diagnostics) = lifecycle("web", &service);
        let exec = lifecycle.unwrap().post_start.unwrap().exec.unwrap();
        assert_eq!(exec.command.unwrap(), ["touch", "/tmp/ready"]);
        assert!(diagnostics.is_empty());
    }

    #[test]
    fn several_hooks_run_in_order_in_one_shell() {
        let mut second = hook(&["echo", "it's done"]);
        second.user = Some("root".into());
        let service = Service {
            pre_stop: vec![hook(&["nginx", "-s", "quit"]), second],
            ..Service::default()
        };
        let (lifecycle, diagnostics) = lifecycle("web", &service);
        let exec = lifecycle.unwrap().pre_stop.unwrap().exec.unwrap();
        assert_eq!(
            exec.command.unwrap(),
            ["/bin/sh", "-c", "nginx -s quit && echo 'it'\\''s done'"]
        );
        assert_eq!(diagnostics[0].path, "services.web.pre_stop[1]");
    }

    #[test]
    fn pre_start_hooks_are_init_containers() {
        let service = Service {
            pre_start: vec![
                PreStartHook {
                    command: Some(vec![
                        "chown".into(),
                        "-R".into(),
                        "1000".into(),
                        "/data".into(),
                    ]),
                    user: Some("0".into()),
                    ..PreStartHook::default()
                },
                PreStartHook {
                    image: Some("alpine:3".into()),
                    ..PreStartHook::default()
                },
            ],
            ..Service::default()
        };
        let inits = pre_start("My_App", &service, "app:1");
        assert_eq!(inits[0].name, "my-app-pre-start");
        assert_eq!(inits[0].image.as_deref(), Some("app:1"));
        assert_eq!(
            inits[0].security_context.as_ref().unwrap().run_as_user,
            Some(0)
        );
        assert_eq!(inits[1].name, "my-app-pre-start-2");
        assert_eq!(inits[1].image.as_deref(), Some("alpine:3"));
    }
}
