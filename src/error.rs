//! The one error type of sigillo: what went wrong, and what the user can do about it.
//!
//! Every error a user can meet carries a *problem* (a fact, naming the file, URL or
//! field involved) and, where there is one, a *fix* (the next step). The binary prints
//! both and maps the [`ErrorKind`] to an exit code (see `docs/exit-codes.md`).

use std::fmt;
use std::path::Path;

/// What kind of failure this is; decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad arguments, missing or unreadable input, wrong key or passphrase: exit 2.
    Input,
    /// Evidence did not verify, or a bundle that does not verify was refused: exit 1.
    NotVerified,
    /// Some of several acquisitions failed (the others were sealed): exit 1.
    Partial,
    /// A bug or an environment failure sigillo did not expect: exit 2.
    Internal,
}

impl ErrorKind {
    /// The process exit code for this kind of failure.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::NotVerified | ErrorKind::Partial => 1,
            ErrorKind::Input | ErrorKind::Internal => 2,
        }
    }
}

/// A failure with a user-facing problem statement and an optional fix.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    problem: String,
    fix: Option<String>,
}

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An input problem (exit 2): bad argument, unreadable file, wrong key.
    pub fn input(problem: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Input,
            problem: problem.into(),
            fix: None,
        }
    }

    /// A verification failure (exit 1).
    pub fn not_verified(problem: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::NotVerified,
            problem: problem.into(),
            fix: None,
        }
    }

    /// Some acquisitions of a run failed (exit 1).
    pub fn partial(problem: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Partial,
            problem: problem.into(),
            fix: None,
        }
    }

    /// Something sigillo did not expect (exit 2).
    pub fn internal(problem: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Internal,
            problem: problem.into(),
            fix: None,
        }
    }

    /// An I/O failure on `path` while doing `doing` ("reading", "creating" …).
    pub fn io(doing: &str, path: &Path, err: std::io::Error) -> Self {
        let fix = match err.kind() {
            std::io::ErrorKind::NotFound => "check the path; it does not exist".to_string(),
            std::io::ErrorKind::PermissionDenied => {
                "check the file's permissions, or run as a user who may access it".to_string()
            }
            std::io::ErrorKind::AlreadyExists => {
                "choose another path, or move the existing file away first".to_string()
            }
            _ => "check that the path is correct and the disk is healthy and not full".to_string(),
        };
        Error::input(format!("could not {doing} '{}': {err}", path.display())).with_fix(fix)
    }

    /// Attach the next step the user should take.
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// Prefix the problem with context ("while adding item 2: …").
    pub fn context(mut self, ctx: impl fmt::Display) -> Self {
        self.problem = format!("{ctx}: {}", self.problem);
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The problem statement.
    pub fn problem(&self) -> &str {
        &self.problem
    }

    /// The suggested fix, if any.
    pub fn fix(&self) -> Option<&str> {
        self.fix.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.problem)?;
        if let Some(fix) = &self.fix {
            write!(f, "\n  fix: {fix}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Shorthand for attaching an I/O path to `std::io::Result`s.
pub trait IoContext<T> {
    /// Map an I/O error to [`Error::io`].
    fn at(self, doing: &str, path: &Path) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, doing: &str, path: &Path) -> Result<T> {
        self.map_err(|e| Error::io(doing, path, e))
    }
}
