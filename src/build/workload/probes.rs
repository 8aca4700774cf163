//! Kubernetes probes from a compose healthcheck (DESIGN.md §4 "Probes").
//!
//! The three probes answer different questions: startup (has it finished starting),
//! liveness (restart it if not healthy) and readiness (take it out of the Service meanwhile).
//! Liveness and readiness both run the healthcheck's test. Every liveness probe is guarded by
//! a startup probe, so liveness never kills a slow start: its budget is the `start_period`,
//! else [`DEFAULT_START`] ([`SLOW_START`] for images known to start slowly, such as JVM
//! servers). A service without a healthcheck gets only a tcpSocket readiness probe on a port
//! it is known to listen on: never a liveness probe it did not ask for.
//!
//! A simple HTTP or TCP check on the container itself becomes a native probe, also with the
//! `|| exit 1` most healthchecks end in (it changes only the exit code curl fails with).

use k8s_openapi::api::core::v1::{ExecAction, HTTPGetAction, Probe, TCPSocketAction};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::classify::extension::ProbeSpec;
use crate::compose::model::{Duration, Healthcheck};

const SECOND: i64 = 1_000_000_000;

/// The startup budget, in seconds, when compose gives no `start_period`.
pub const DEFAULT_START: i64 = 60;
/// The same for images known to take minutes to start.
pub const SLOW_START: i64 = 300;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Probes {
    pub startup: Option<Probe>,
    pub liveness: Option<Probe>,
    pub readiness: Option<Probe>,
}

/// Rounded up to whole seconds, at least 1.
fn seconds(d: Option<&Duration>, default: i64) -> i32 {
    let ns = d.map_or(default * SECOND, |d| d.0);
    let s = ns.saturating_add(SECOND - 1) / SECOND;
    i32::try_from(s.max(1)).unwrap_or(i32::MAX)
}

/// `curl -f http://localhost:8080/health`, `wget -q --spider http://127.0.0.1:80/` or
/// `nc -z localhost 5432`, with nothing else on the line, become native probes.
fn native(words: &[String]) -> Option<(Option<String>, i32)> {
    let words = match words {
        [check @ .., or, exit, code] if or == "||" && exit == "exit" && code == "1" => check,
        [check @ .., or, exit] if or == "||" && exit == "exit" => check,
        _ => words,
    };
    let joined = words.join(" ");
    if ["|", "&&", "||", ";", ">", "<", "$"]
        .iter()
        .any(|op| joined.contains(op))
    {
        return None;
    }
    let (program, args) = words.split_first()?;
    match program.as_str() {
        "curl" | "wget" => {
            let urls: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
            let [url] = urls.as_slice() else { return None };
            // curl takes a URL without its scheme as http.
            let url = url.strip_prefix("http://").unwrap_or(url);
            let rest = url
                .strip_prefix("localhost")
                .or_else(|| url.strip_prefix("127.0.0.1"))?;
            if !(rest.is_empty() || rest.starts_with([':', '/'])) {
                return None;
            }
            let (port, path) = match rest.strip_prefix(':') {
                Some(r) => {
                    let end = r.find('/').unwrap_or(r.len());
                    (r[..end].parse::<i32>().ok()?, &r[end..])
                }
                None => (80, rest),
            };
            let path = if path.is_empty() { "/" } else { path };
            Some((Some(path.to_owned()), port))
        }
        "nc" => match args {
            [flag, host, port] if flag == "-z" && (host == "localhost" || host == "127.0.0.1") => {
                Some((None, port.parse().ok()?))
            }
            _ => None,
        },
        _ => None,
    }
}

fn handler(test: &[String]) -> Option<Probe> {
    let (kind, rest) = test.split_first()?;
    let command: Vec<String> = match kind.as_str() {
        "CMD" => rest.to_vec(),
        "CMD-SHELL" => vec!["/bin/sh".into(), "-c".into(), rest.join(" ")],
        _ => return None,
    };
    if command.is_empty() {
        return None;
    }
    let words: Vec<String> = match kind.as_str() {
        "CMD" => rest.to_vec(),
        _ => shell_words::split(&rest.join(" ")).unwrap_or_default(),
    };
    Some(match native(&words) {
        Some((Some(path), port)) => Probe {
            http_get: Some(HTTPGetAction {
                path: Some(path),
                port: IntOrString::Int(port),
                ..HTTPGetAction::default()
            }),
            ..Probe::default()
        },
        Some((None, port)) => Probe {
            tcp_socket: Some(TCPSocketAction {
                port: IntOrString::Int(port),
                ..TCPSocketAction::default()
            }),
            ..Probe::default()
        },
        None => Probe {
            exec: Some(ExecAction {
                command: Some(command),
            }),
            ..Probe::default()
        },
    })
}

/// The probes for a container. `first_tcp_port` is used only without a healthcheck;
/// `slow_start` lengthens the startup budget when compose gives none.
pub fn probes(
    healthcheck: Option<&Healthcheck>,
    first_tcp_port: Option<i32>,
    slow_start: bool,
) -> Probes {
    let Some(hc) = healthcheck.filter(|h| !h.test.is_empty() || h.disable) else {
        return Probes {
            readiness: first_tcp_port.map(|port| Probe {
                tcp_socket: Some(TCPSocketAction {
                    port: IntOrString::Int(port),
                    ..TCPSocketAction::default()
                }),
                ..Probe::default()
            }),
            ..Probes::default()
        };
    };
    if hc.disable || hc.test.first().is_some_and(|t| t == "NONE") {
        return Probes::default();
    }
    let Some(base) = handler(&hc.test) else {
        return Probes::default();
    };
    let period = seconds(hc.interval.as_ref(), 30);
    let retries = i32::try_from(hc.retries.unwrap_or(3))
        .unwrap_or(i32::MAX)
        .max(1);
    let probe = Probe {
        period_seconds: Some(period),
        timeout_seconds: Some(seconds(hc.timeout.as_ref(), 30)),
        failure_threshold: Some(retries),
        ..base.clone()
    };
    let every = seconds(hc.start_interval.as_ref(), 5);
    let start_s = match hc.start_period.as_ref().filter(|d| d.0 > 0) {
        Some(start) => i64::from(seconds(Some(start), 0)),
        None if slow_start => SLOW_START,
        None => DEFAULT_START,
    };
    let attempts = (start_s + i64::from(every) - 1) / i64::from(every);
    let startup = Some(Probe {
        period_seconds: Some(every),
        failure_threshold: Some(
            i32::try_from(attempts)
                .unwrap_or(i32::MAX)
                .saturating_add(retries),
        ),
        ..probe.clone()
    });
    Probes {
        startup,
        liveness: Some(probe.clone()),
        readiness: Some(probe),
    }
}

/// Which probe an `x-kubernetes` probe setting replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    Liveness,
    Readiness,
}

/// Applies `x-kubernetes.liveness_probe` or `readiness_probe` (or kompose's healthcheck
/// labels) over the probes derived from the healthcheck: its check replaces the derived
/// one, its timing the derived timing. A liveness probe made from nothing gets a startup
/// probe with the default budget, so that it never kills a slow start. `default_port` is
/// the port of an HTTP check that names none. Returns what could not be done.
pub fn apply_asked(
    probes: &mut Probes,
    which: Asked,
    spec: &ProbeSpec,
    default_port: Option<i32>,
) -> Result<(), String> {
    let slot = match which {
        Asked::Liveness => &mut probes.liveness,
        Asked::Readiness => &mut probes.readiness,
    };
    if spec.disable == Some(true) {
        *slot = None;
        if which == Asked::Liveness {
            probes.startup = None;
        }
        return Ok(());
    }
    let check = if let Some(test) = &spec.test {
        Some(handler(test).ok_or_else(|| format!("test {test:?} is not a command"))?)
    } else if spec.http_get_path.is_some() || spec.http_get_port.is_some() {
        let port =
            spec.http_get_port.map(i32::from).or(default_port).ok_or(
                "an HTTP check needs a port (http_get_port), and the service declares none",
            )?;
        Some(Probe {
            http_get: Some(HTTPGetAction {
                path: Some(spec.http_get_path.clone().unwrap_or_else(|| "/".into())),
                port: IntOrString::Int(port),
                ..HTTPGetAction::default()
            }),
            ..Probe::default()
        })
    } else {
        spec.tcp_port.map(|port| Probe {
            tcp_socket: Some(TCPSocketAction {
                port: IntOrString::Int(i32::from(port)),
                ..TCPSocketAction::default()
            }),
            ..Probe::default()
        })
    };
    let created = slot.is_none();
    let mut probe = match (slot.take(), &check) {
        (Some(derived), _) => derived,
        (None, Some(_)) => Probe {
            period_seconds: Some(30),
            timeout_seconds: Some(30),
            failure_threshold: Some(3),
            ..Probe::default()
        },
        (None, None) => {
            return Err(
                "sets the timing of a probe there is none of: give a test, an HTTP or a TCP check"
                    .into(),
            );
        }
    };
    let duration = |d: &Option<String>| {
        d.as_deref()
            .and_then(|v| crate::compose::syntax::parse_duration(v).ok())
            .map(|ns| seconds(Some(&Duration(ns)), 0))
    };
    if let Some(check) = &check {
        probe.exec = check.exec.clone();
        probe.http_get = check.http_get.clone();
        probe.tcp_socket = check.tcp_socket.clone();
    }
    if let Some(s) = duration(&spec.interval) {
        probe.period_seconds = Some(s);
    }
    if let Some(s) = duration(&spec.timeout) {
        probe.timeout_seconds = Some(s);
    }
    if let Some(r) = spec.retries {
        probe.failure_threshold = Some(r.max(1));
    }
    if let Some(s) = duration(&spec.start_period) {
        probe.initial_delay_seconds = Some(s);
    }
    if which == Asked::Liveness
        && let Some(check) = &check
    {
        match &mut probes.startup {
            Some(startup) => {
                startup.exec = check.exec.clone();
                startup.http_get = check.http_get.clone();
                startup.tcp_socket = check.tcp_socket.clone();
            }
            None if created => {
                let every = 5;
                probes.startup = Some(Probe {
                    period_seconds: Some(every),
                    failure_threshold: Some(
                        (DEFAULT_START as i32) / every + probe.failure_threshold.unwrap_or(3),
                    ),
                    initial_delay_seconds: None,
                    ..probe.clone()
                });
            }
            None => {}
        }
    }
    *match which {
        Asked::Liveness => &mut probes.liveness,
        Asked::Readiness => &mut probes.readiness,
    } = Some(probe);
    Ok(())
}

/// A secret a probe command may carry: the variable of the container that holds it (from
/// its Secret) and its value.
pub struct SecretValue<'a> {
    pub variable: &'a str,
    pub value: &'a str,
}

/// Puts each secret value a probe command carries in plain text behind the variable that
/// holds it: compose interpolated `-p${MYSQL_ROOT_PASSWORD}` into the healthcheck, which
/// would print the password into the manifests. Kubernetes does not expand `$(VAR)` in
/// probe commands, so the command is run through `/bin/sh -c`, which reads the variable
/// from the container's environment: the probe checks exactly what it checked before.
///
/// Returns the variables used, and whether a value stayed in plain text because it sits
/// inside single quotes of a shell command (where no variable expands).
pub fn hide_secrets(probes: &mut Probes, secrets: &[SecretValue]) -> (Vec<String>, bool) {
    let mut used = Vec::new();
    let mut stuck = false;
    for probe in [
        &mut probes.startup,
        &mut probes.liveness,
        &mut probes.readiness,
    ]
    .into_iter()
    .flatten()
    {
        let Some(command) = probe.exec.as_mut().and_then(|e| e.command.as_mut()) else {
            continue;
        };
        let found: Vec<&SecretValue> = secrets
            .iter()
            .filter(|s| command.iter().any(|arg| arg.contains(s.value)))
            .collect();
        if found.is_empty() {
            continue;
        }
        let script = match command.as_slice() {
            [sh, c, script] if matches!(sh.as_str(), "sh" | "/bin/sh") && c == "-c" => {
                match in_script(script, &found) {
                    Some(s) => s,
                    None => {
                        stuck = true;
                        continue;
                    }
                }
            }
            words => words
                .iter()
                .map(|w| in_word(w, &found))
                .collect::<Vec<_>>()
                .join(" "),
        };
        *command = vec!["/bin/sh".into(), "-c".into(), script];
        for s in found {
            if !used.iter().any(|u| u == s.variable) {
                used.push(s.variable.to_owned());
            }
        }
    }
    (used, stuck)
}

/// One word of an exec command, quoted for the shell, each secret value replaced by its
/// variable inside double quotes.
fn in_word(word: &str, secrets: &[&SecretValue]) -> String {
    let Some(s) = secrets.iter().find(|s| word.contains(s.value)) else {
        return shell_words::quote(word).into_owned();
    };
    let escape = |t: &str| {
        t.chars()
            .flat_map(|c| match c {
                '"' | '\\' | '$' | '`' => vec!['\\', c],
                c => vec![c],
            })
            .collect::<String>()
    };
    let parts: Vec<String> = word.split(s.value).map(escape).collect();
    format!("\"{}\"", parts.join(&format!("${{{}}}", s.variable)))
}

/// A shell command with each secret value replaced by its variable; None when a value sits
/// inside single quotes, where the shell expands nothing.
fn in_script(script: &str, secrets: &[&SecretValue]) -> Option<String> {
    let mut out = String::with_capacity(script.len());
    let (mut single, mut double, mut escaped) = (false, false, false);
    let mut i = 0;
    while i < script.len() {
        let rest = &script[i..];
        if !escaped && let Some(s) = secrets.iter().find(|s| rest.starts_with(s.value)) {
            if single {
                return None;
            }
            if double {
                out.push_str(&format!("${{{}}}", s.variable));
            } else {
                out.push_str(&format!("\"${{{}}}\"", s.variable));
            }
            i += s.value.len();
            continue;
        }
        let c = rest.chars().next()?;
        match c {
            '\\' if !single && !escaped => escaped = true,
            '\'' if !double && !escaped => {
                single = !single;
                escaped = false;
            }
            '"' if !single && !escaped => {
                double = !double;
                escaped = false;
            }
            _ => escaped = false,
        }
        out.push(c);
        i += c.len_utf8();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hc(test: &[&str]) -> Healthcheck {
        Healthcheck {
            test: test.iter().map(|s| (*s).to_owned()).collect(),
            ..Healthcheck::default()
        }
    }

    #[test]
    fn secret_values_in_probe_commands_become_variables() {
        let secrets = [SecretValue {
            variable: "MYSQL_ROOT_PASSWORD",
            value: "s3cr$t",
        }];
        let mut p = probes(
            Some(&hc(&["CMD", "mysqladmin", "ping", "-uroot", "-ps3cr$t"])),
            None,
            false,
        );
        let (used, stuck) = hide_secrets(&mut p, &secrets);
        assert_eq!(used, ["MYSQL_ROOT_PASSWORD"]);
        assert!(!stuck);
        let command = p.readiness.unwrap().exec.unwrap().command.unwrap();
        assert_eq!(
            command,
            [
                "/bin/sh",
                "-c",
                "mysqladmin ping -uroot \"-p${MYSQL_ROOT_PASSWORD}\""
            ]
        );
        // In a shell command: bare and in double quotes; in single quotes it cannot be done.
        let mut p = probes(
            Some(&hc(&[
                "CMD-SHELL",
                "redis-cli -a s3cr$t ping && echo \"s3cr$t\"",
            ])),
            None,
            false,
        );
        hide_secrets(&mut p, &secrets);
        let command = p.readiness.unwrap().exec.unwrap().command.unwrap();
        assert_eq!(
            command[2],
            "redis-cli -a \"${MYSQL_ROOT_PASSWORD}\" ping && echo \"${MYSQL_ROOT_PASSWORD}\""
        );
        let mut p = probes(Some(&hc(&["CMD-SHELL", "check 's3cr$t'"])), None, false);
        assert!(hide_secrets(&mut p, &secrets).1);
        // Nothing to hide: the probe is left as it was.
        let mut p = probes(Some(&hc(&["CMD", "pg_isready"])), None, false);
        let before = p.readiness.clone();
        assert!(hide_secrets(&mut p, &secrets).0.is_empty());
        assert_eq!(p.readiness, before);
    }

    #[test]
    fn exec_forms() {
        let p = probes(Some(&hc(&["CMD", "pg_isready", "-U", "x"])), None, false);
        let exec = p.liveness.unwrap().exec.unwrap().command.unwrap();
        assert_eq!(exec, ["pg_isready", "-U", "x"]);
        let p = probes(
            Some(&hc(&["CMD-SHELL", "redis-cli ping | grep PONG"])),
            None,
            false,
        );
        let exec = p.readiness.unwrap().exec.unwrap().command.unwrap();
        assert_eq!(exec, ["/bin/sh", "-c", "redis-cli ping | grep PONG"]);
    }

    #[test]
    fn simple_http_and_tcp_checks_become_native() {
        let p = probes(
            Some(&hc(&["CMD", "curl", "-f", "http://localhost:8000/healthz"])),
            None,
            false,
        );
        let get = p.liveness.unwrap().http_get.unwrap();
        assert_eq!(
            (get.path.as_deref(), get.port),
            (Some("/healthz"), IntOrString::Int(8000))
        );
        let p = probes(
            Some(&hc(&["CMD-SHELL", "wget -q --spider http://127.0.0.1/"])),
            None,
            false,
        );
        assert_eq!(
            p.readiness.unwrap().http_get.unwrap().port,
            IntOrString::Int(80)
        );
        let p = probes(
            Some(&hc(&["CMD-SHELL", "nc -z localhost 5432"])),
            None,
            false,
        );
        assert!(p.liveness.unwrap().tcp_socket.is_some());
        // The most common healthcheck form: `|| exit 1` only changes curl's exit code.
        let p = probes(
            Some(&hc(&[
                "CMD-SHELL",
                "curl -fs http://localhost:9200/_cluster/health || exit 1",
            ])),
            None,
            false,
        );
        let get = p.liveness.unwrap().http_get.unwrap();
        assert_eq!(get.path.as_deref(), Some("/_cluster/health"));
        let p = probes(
            Some(&hc(&[
                "CMD-SHELL",
                "curl --silent --fail localhost:8000/up || exit 1",
            ])),
            None,
            false,
        );
        assert_eq!(
            p.liveness.unwrap().http_get.unwrap().port,
            IntOrString::Int(8000)
        );
        let p = probes(
            Some(&hc(&["CMD", "curl", "-f", "https://localhost/"])),
            None,
            false,
        );
        assert!(p.liveness.unwrap().exec.is_some());
        let p = probes(
            Some(&hc(&["CMD", "curl", "-f", "localhostx:80/"])),
            None,
            false,
        );
        assert!(p.liveness.unwrap().exec.is_some());
        let p = probes(
            Some(&hc(&[
                "CMD-SHELL",
                "curl -f http://localhost/ || echo down",
            ])),
            None,
            false,
        );
        assert!(p.liveness.unwrap().exec.is_some());
    }

    #[test]
    fn timing_and_startup() {
        let mut h = hc(&["CMD", "true"]);
        h.interval = Some(Duration(1_500_000_000));
        h.retries = Some(5);
        h.start_period = Some(Duration(60 * SECOND));
        let p = probes(Some(&h), None, false);
        let live = p.liveness.unwrap();
        assert_eq!(live.period_seconds, Some(2));
        assert_eq!(live.timeout_seconds, Some(30));
        assert_eq!(live.failure_threshold, Some(5));
        let startup = p.startup.unwrap();
        assert_eq!(startup.period_seconds, Some(5));
        assert_eq!(startup.failure_threshold, Some(12 + 5));
    }

    #[test]
    fn every_liveness_probe_has_a_startup_budget() {
        let h = hc(&["CMD", "true"]);
        let startup = probes(Some(&h), None, false).startup.unwrap();
        assert_eq!(
            (startup.period_seconds, startup.failure_threshold),
            (Some(5), Some(12 + 3))
        );
        let slow = probes(Some(&h), None, true).startup.unwrap();
        assert_eq!(slow.failure_threshold, Some(60 + 3));
    }

    #[test]
    fn disabled_and_default() {
        assert_eq!(
            probes(Some(&hc(&["NONE"])), Some(80), false),
            Probes::default()
        );
        let mut h = hc(&["CMD", "true"]);
        h.disable = true;
        assert_eq!(probes(Some(&h), Some(80), false), Probes::default());
        let p = probes(None, Some(5432), false);
        assert!(p.liveness.is_none() && p.startup.is_none());
        assert_eq!(
            p.readiness.unwrap().tcp_socket.unwrap().port,
            IntOrString::Int(5432)
        );
        assert_eq!(probes(None, None, false), Probes::default());
    }
}
