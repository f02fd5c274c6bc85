//! Progress of long work (sealing large files, verifying large bundles, batch captures),
//! reported as events so that the library never prints: the command layer turns them into
//! a progress bar on a terminal, and into nothing elsewhere.

use std::io::Read;
use std::sync::Arc;

/// What is being done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Hashing and writing the files of a new item (bytes).
    Sealing,
    /// Reading and hashing every member of a bundle (bytes).
    Verifying,
    /// Capturing web pages (pages).
    Capturing,
}

/// Receives progress events. Implementations must be cheap: `advance` is called per chunk.
pub trait Observer: Send + Sync {
    /// A task starts; `total` is in bytes (or pages for [`Task::Capturing`]).
    fn begin(&self, task: Task, total: u64);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// Say what is being worked on now (a URL, a file name); never evidence content.
    fn note(&self, _what: &str) {}
    /// The task is over.
    fn end(&self);
}

/// A handle to an optional [`Observer`]; the default reports nothing.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<dyn Observer>>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(observed)"
        } else {
            "Progress(none)"
        })
    }
}

impl Progress {
    /// Report to `observer`.
    pub fn to(observer: Arc<dyn Observer>) -> Progress {
        Progress(Some(observer))
    }

    /// See [`Observer::begin`].
    pub fn begin(&self, task: Task, total: u64) {
        if let Some(o) = &self.0 {
            o.begin(task, total);
        }
    }

    /// See [`Observer::advance`].
    pub fn advance(&self, n: u64) {
        if let Some(o) = &self.0 {
            o.advance(n);
        }
    }

    /// See [`Observer::note`].
    pub fn note(&self, what: &str) {
        if let Some(o) = &self.0 {
            o.note(what);
        }
    }

    /// See [`Observer::end`].
    pub fn end(&self) {
        if let Some(o) = &self.0 {
            o.end();
        }
    }

    /// Wrap a reader so that every byte read advances the progress.
    pub fn reader<R: Read>(&self, inner: R) -> ProgressReader<'_, R> {
        ProgressReader {
            inner,
            progress: self,
        }
    }
}

/// A reader that reports the bytes it reads (see [`Progress::reader`]).
pub struct ProgressReader<'a, R> {
    inner: R,
    progress: &'a Progress,
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    struct Count(AtomicU64);
    impl Observer for Count {
        fn begin(&self, _: Task, _: u64) {}
        fn advance(&self, n: u64) {
            self.0.fetch_add(n, Ordering::Relaxed);
        }
        fn end(&self) {}
    }

    #[test]
    fn reader_reports_every_byte() {
        let c = Arc::new(Count(AtomicU64::new(0)));
        let p = Progress::to(c.clone());
        let mut out = Vec::new();
        p.reader(&[7u8; 10_000][..]).read_to_end(&mut out).unwrap();
        assert_eq!(c.0.load(Ordering::Relaxed), 10_000);
        Progress::default().advance(5); // nothing observes: no effect, no panic
    }
}
