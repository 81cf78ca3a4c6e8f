//! Errors and warnings, each naming the file (and line, where known) it comes from.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a problem is: a file, and a line or paragraph in it when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: Option<usize>,
}

impl Location {
    pub fn file(path: &Path) -> Self {
        Location {
            path: path.to_path_buf(),
            line: None,
        }
    }

    pub fn line(path: &Path, line: usize) -> Self {
        Location {
            path: path.to_path_buf(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        Ok(())
    }
}

/// Everything that stops a build.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is wrong: the message says what, and how to fix it.
    #[error("{location}: {message}")]
    Input { location: Location, message: String },

    /// A seed has no translation and none could be made; `--skip-untranslated` turns this into
    /// a warning.
    #[error("{location}: {message}")]
    Untranslated { location: Location, message: String },

    /// The file system refused: reading a seed, writing the output.
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },

    /// A template failed to parse or render.
    #[error("template {name}: {message}")]
    Template { name: String, message: String },

    /// Several independent problems, all reported at once.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Many(Vec<Error>),
}

impl Error {
    pub fn input(location: Location, message: impl Into<String>) -> Self {
        Error::Input {
            location,
            message: message.into(),
        }
    }

    /// One error for a list of them: the only one, or all together.
    pub fn all(mut errors: Vec<Error>) -> Self {
        if errors.len() == 1 {
            errors.remove(0)
        } else {
            Error::Many(errors)
        }
    }

    pub fn io(path: &Path, action: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A problem that does not stop the build but that the author should fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub path: PathBuf,
    /// "paragraph 3", "line 2": where in the file.
    pub place: Option<String>,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(place) = &self.place {
            write!(f, " ({place})")?;
        }
        write!(f, ": {}", self.message)
    }
}
