//! Errors and warnings of the loader. Both print as one line:
//! `<file>:<line>:<col>: <path>: <message>`, leaving out the parts that are not known.

use std::fmt;

use super::node::Loc;

/// Why a project could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub loc: Loc,
    /// Where in the model, as `services.web.ports[2]`; empty for the whole file or project.
    pub path: String,
    pub message: String,
}

/// Something the user should know that does not stop the load.
pub type Warning = Error;

impl Error {
    pub fn new(loc: &Loc, path: impl Into<String>, message: impl Into<String>) -> Error {
        Error {
            loc: loc.clone(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// An error about the project as a whole, with no place in a file.
    pub fn project(message: impl Into<String>) -> Error {
        Error::new(&Loc::default(), "", message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if self.loc.known() {
            write!(f, "{}", self.loc)?;
            sep = ": ";
        }
        if !self.path.is_empty() {
            write!(f, "{sep}{}", self.path)?;
            sep = ": ";
        }
        write!(f, "{sep}{}", self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Builds model paths the way messages print them: `services.web.ports[2]`.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}
