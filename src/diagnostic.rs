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

#[cfg(test)]
mod tests {
    use super::*;

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
