//! The one error type of sigillo: what went wrong, and what the user can do about it.
//!
//! [`Error`] is an enum with one variant per failure family (usage/input, I/O, keys,
//! bundles that do not verify, partial runs, timestamp authorities, capture, internal).
//! Every variant carries a *problem* (a fact, naming the file, URL or field involved) and,
//! where there is one, a *fix* (the next step); the binary prints both. Variants that wrap
//! a lower-level failure expose it through [`std::error::Error::source`]. The exit code of
//! every variant is decided in one place, [`Error::exit_code`] (see `docs/exit-codes.md`).

use std::fmt;
use std::path::{Path, PathBuf};

/// A boxed lower-level error kept as the `source()` of an [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The exit class of a failure (what the process exit code says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad arguments, missing or unreadable input, wrong key or passphrase, a TSA or
    /// capture that failed: sigillo could not run (exit 2).
    Input,
    /// Evidence did not verify, or a bundle that does not verify was refused: exit 1.
    NotVerified,
    /// Some of several acquisitions failed (the others were sealed): exit 1.
    Partial,
    /// A bug or an environment failure sigillo did not expect: exit 2.
    Internal,
}

impl ErrorKind {
    /// The process exit code of this class: the one table of exit codes.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::NotVerified | ErrorKind::Partial => 1,
            ErrorKind::Input | ErrorKind::Internal => 2,
        }
    }
}

/// The user-facing text of an error: a problem statement and an optional fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    problem: String,
    fix: Option<String>,
}

impl Message {
    fn new(problem: impl Into<String>) -> Self {
        Message {
            problem: problem.into(),
            fix: None,
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.problem)?;
        if let Some(fix) = &self.fix {
            write!(f, "\n  fix: {fix}")?;
        }
        Ok(())
    }
}

/// A failure, by family, with a problem statement and an optional fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad arguments or input that cannot be used (exit 2).
    #[error("{0}")]
    Input(Message),
    /// A file could not be read or written (exit 2).
    #[error("{msg}")]
    Io {
        /// Problem and fix.
        msg: Message,
        /// What sigillo was doing ("read", "create the directory" …).
        doing: String,
        /// The file or folder involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A signing key that cannot be used: not a key, wrong passphrase (exit 2).
    #[error("{0}")]
    Key(Message),
    /// Evidence did not verify, or a bundle that does not verify was refused (exit 1).
    #[error("{0}")]
    NotVerified(Message),
    /// Some of several acquisitions failed; the others were sealed (exit 1).
    #[error("{0}")]
    Partial(Message),
    /// A timestamp authority failed: unreachable, refused, or a bad token (exit 2).
    #[error("{msg}")]
    Tsa {
        /// Problem and fix.
        msg: Message,
        /// The TSA's URL.
        url: String,
        /// The lower-level failure (HTTP, parsing), if any.
        #[source]
        source: Option<BoxError>,
    },
    /// Capturing a source failed: browser, page, network (exit 2).
    #[error("{msg}")]
    Capture {
        /// Problem and fix.
        msg: Message,
        /// The lower-level failure, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// Something sigillo did not expect (exit 2).
    #[error("{0}")]
    Internal(Message),
}

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An input problem (exit 2): bad argument, unusable file.
    pub fn input(problem: impl Into<String>) -> Self {
        Error::Input(Message::new(problem))
    }

    /// A key that cannot be used (exit 2): not a key, wrong passphrase.
    pub fn key(problem: impl Into<String>) -> Self {
        Error::Key(Message::new(problem))
    }

    /// A verification failure (exit 1).
    pub fn not_verified(problem: impl Into<String>) -> Self {
        Error::NotVerified(Message::new(problem))
    }

    /// Some acquisitions of a run failed (exit 1).
    pub fn partial(problem: impl Into<String>) -> Self {
        Error::Partial(Message::new(problem))
    }

    /// Something sigillo did not expect (exit 2).
    pub fn internal(problem: impl Into<String>) -> Self {
        Error::Internal(Message::new(problem))
    }

    /// The timestamp authority at `url` failed because of `reason` (exit 2). The problem
    /// reads "timestamp authority <url>: <reason>"; the default fix points at the URL
    /// and the network.
    pub fn tsa(url: &str, reason: impl fmt::Display) -> Self {
        Error::Tsa {
            msg: Message {
                problem: format!("timestamp authority {url}: {reason}"),
                fix: Some(
                    "check the TSA URL (it must accept RFC 3161 requests over HTTP POST) and the network"
                        .into(),
                ),
            },
            url: url.to_string(),
            source: None,
        }
    }

    /// Capturing a source failed (exit 2).
    pub fn capture(problem: impl Into<String>) -> Self {
        Error::Capture {
            msg: Message::new(problem),
            source: None,
        }
    }

    /// An I/O failure on `path` while doing `doing` ("reading", "creating" …).
    pub fn io(doing: &str, path: &Path, err: std::io::Error) -> Self {
        let fix = match err.kind() {
            std::io::ErrorKind::NotFound => "check the path; it does not exist",
            std::io::ErrorKind::PermissionDenied => {
                "check the file's permissions, or run as a user who may access it"
            }
            std::io::ErrorKind::AlreadyExists => {
                "choose another path, or move the existing file away first"
            }
            _ => "check that the path is correct and the disk is healthy and not full",
        };
        Error::Io {
            msg: Message {
                problem: format!("could not {doing} '{}': {err}", path.display()),
                fix: Some(fix.into()),
            },
            doing: doing.to_string(),
            path: path.to_path_buf(),
            source: err,
        }
    }

    /// Keep `source` as the lower-level cause (for the variants that hold one: TSA and
    /// capture; others are returned unchanged).
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        if let Error::Tsa { source: s, .. } | Error::Capture { source: s, .. } = &mut self {
            *s = Some(source.into());
        }
        self
    }

    /// Attach the next step the user should take (replaces any default fix).
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.message_mut().fix = Some(fix.into());
        self
    }

    fn message(&self) -> &Message {
        match self {
            Error::Input(m)
            | Error::Key(m)
            | Error::NotVerified(m)
            | Error::Partial(m)
            | Error::Internal(m) => m,
            Error::Io { msg, .. } | Error::Tsa { msg, .. } | Error::Capture { msg, .. } => msg,
        }
    }

    fn message_mut(&mut self) -> &mut Message {
        match self {
            Error::Input(m)
            | Error::Key(m)
            | Error::NotVerified(m)
            | Error::Partial(m)
            | Error::Internal(m) => m,
            Error::Io { msg, .. } | Error::Tsa { msg, .. } | Error::Capture { msg, .. } => msg,
        }
    }

    /// The exit class of this failure; decides the exit code.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Input(_)
            | Error::Io { .. }
            | Error::Key(_)
            | Error::Tsa { .. }
            | Error::Capture { .. } => ErrorKind::Input,
            Error::NotVerified(_) => ErrorKind::NotVerified,
            Error::Partial(_) => ErrorKind::Partial,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The process exit code: 1 = evidence not verified / partial run, 2 = could not run.
    pub fn exit_code(&self) -> i32 {
        self.kind().exit_code()
    }

    /// Whether a timestamp authority failed.
    pub fn is_tsa(&self) -> bool {
        matches!(self, Error::Tsa { .. })
    }

    /// The problem statement.
    pub fn problem(&self) -> &str {
        &self.message().problem
    }

    /// The suggested fix, if any.
    pub fn fix(&self) -> Option<&str> {
        self.message().fix.as_deref()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn exit_codes_by_family() {
        let io = Error::io(
            "read",
            Path::new("/nope"),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        let cases = [
            (Error::input("x"), 2),
            (io, 2),
            (Error::key("x"), 2),
            (Error::not_verified("x"), 1),
            (Error::partial("x"), 1),
            (Error::tsa("http://127.0.0.1:9/", "unreachable"), 2),
            (Error::capture("x"), 2),
            (Error::internal("x"), 2),
        ];
        for (e, code) in cases {
            assert_eq!(e.exit_code(), code, "{e:?}");
            assert_eq!(e.kind().exit_code(), code, "{e:?}");
        }
    }

    #[test]
    fn problem_fix_display_and_source() {
        let e = Error::input("bad thing").with_fix("do this");
        assert_eq!(e.to_string(), "bad thing\n  fix: do this");
        assert_eq!((e.problem(), e.fix()), ("bad thing", Some("do this")));
        assert!(e.source().is_none());

        let io = Error::io(
            "read",
            Path::new("/nope"),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert!(io.problem().starts_with("could not read '/nope'"));
        assert_eq!(io.fix(), Some("check the path; it does not exist"));
        assert!(io.source().is_some());
        assert!(io.to_string().contains("\n  fix: check the path"));

        let t = Error::tsa("http://tsa.example/", "HTTP status 500")
            .with_source(std::io::Error::other("inner"));
        assert!(t.is_tsa());
        assert_eq!(
            t.problem(),
            "timestamp authority http://tsa.example/: HTTP status 500"
        );
        assert!(t.fix().is_some());
        assert_eq!(t.source().map(|s| s.to_string()).as_deref(), Some("inner"));
    }
}
