//! What the conversion stages tell the user without stopping: a compose key that is not
//! translated and why, a guess worth checking, a step left to a human.
//!
//! Stages collect diagnostics and return them; only the binary prints them, one per line, as
//! `warning: <path>: <message>` or `note: <path>: <message>`. `--strict` fails on warnings,
//! never on notes: a note says what was done, a warning says what was not.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Information the user needs to act on the output (how to expose a port, which
    /// Secret to create); nothing of the compose file was lost.
    Note,
    /// Something in the compose file is not translated, or translated only in part.
    Warning,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    pub level: Level,
    /// Where in the compose model, as `services.web.pids_limit`; empty for the project.
    pub path: String,
    pub message: String,
}

impl Diagnostic {
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Warning,
            path: path.into(),
            message: message.into(),
        }
    }

    pub fn note(path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Note,
            path: path.into(),
            message: message.into(),
        }
    }

    /// The compose service this diagnostic is about, when its path starts with
    /// `services.<name>`.
    pub fn service(&self) -> Option<&str> {
        let rest = self.path.strip_prefix("services.")?;
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        Some(&rest[..end])
    }
}

/// `path: message`, without the level (the binary prefixes it).
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// The diagnostics as the lines a person reads, in order: diagnostics that differ only in
/// their service are one line at the place of the first, the services in braces
/// (`services.{web,worker}.restart: …`), so that a project of twenty workers does not print
/// the same sentence twenty times.
pub fn grouped(diagnostics: &[Diagnostic]) -> Vec<(Level, String)> {
    // (level, path with the service taken out, message) → index of its line.
    let mut groups: indexmap::IndexMap<(Level, String, &str), Vec<&Diagnostic>> =
        indexmap::IndexMap::new();
    for d in diagnostics {
        let shape = match d.service() {
            Some(service) => format!("services.\u{0}{}", &d.path[9 + service.len()..]),
            None => d.path.clone(),
        };
        groups
            .entry((d.level, shape, d.message.as_str()))
            .or_default()
            .push(d);
    }
    groups
        .into_iter()
        .map(|((level, shape, message), members)| {
            let line = if members.len() == 1 {
                members[0].to_string()
            } else {
                let services: Vec<&str> = members.iter().filter_map(|d| d.service()).collect();
                let path = shape.replace('\u{0}', &format!("{{{}}}", services.join(",")));
                format!("{path}: {message}")
            };
            (level, line)
        })
        .collect()
}

/// The closing line under a list of diagnostics (`2 warnings, 5 notes`), None when there
/// are none.
pub fn summary(diagnostics: &[Diagnostic]) -> Option<String> {
    let count = |level| diagnostics.iter().filter(|d| d.level == level).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let parts: Vec<String> = [
        (count(Level::Warning), "warning"),
        (count(Level::Note), "note"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| plural(n, word))
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_sentence_on_several_services_is_one_line() {
        let d = [
            Diagnostic::warning("services.a.restart", "not translated"),
            Diagnostic::note("project", "x"),
            Diagnostic::warning("services.bb.restart", "not translated"),
            Diagnostic::warning("services.c.restart", "other"),
            Diagnostic::warning("services.d.ports[0]", "not translated"),
        ];
        let lines: Vec<String> = grouped(&d).into_iter().map(|(_, l)| l).collect();
        assert_eq!(
            lines,
            [
                "services.{a,bb}.restart: not translated",
                "project: x",
                "services.c.restart: other",
                "services.d.ports[0]: not translated",
            ]
        );
        assert_eq!(summary(&d).as_deref(), Some("4 warnings, 1 note"));
        assert_eq!(summary(&d[1..2]).as_deref(), Some("1 note"));
        assert_eq!(summary(&[]), None);
    }

    #[test]
    fn service_of_a_path() {
        assert_eq!(
            Diagnostic::warning("services.web.pids_limit", "x").service(),
            Some("web")
        );
        assert_eq!(
            Diagnostic::warning("services.web[0]", "x").service(),
            Some("web")
        );
        assert_eq!(Diagnostic::warning("volumes.data", "x").service(), None);
    }

    #[test]
    fn display() {
        assert_eq!(
            Diagnostic::note("services.web", "hello").to_string(),
            "services.web: hello"
        );
        assert_eq!(Diagnostic::note("", "hello").to_string(), "hello");
    }
}
