//! Nothing left behind: a process-wide registry of temporary paths (Chromium profiles,
//! temp bundles) that are removed when their [`Guard`] drops, and also when the process
//! is interrupted (SIGINT, SIGTERM, SIGHUP), where no destructor runs.
//!
//! ```no_run
//! let dir = tempfile::tempdir().unwrap();
//! let _guard = sigillo::cleanup::register(dir.path());
//! // … work; on Ctrl-C the folder is removed and the process exits with 130.
//! ```
//!
//! A registered folder may be in use by child processes (Chromium writes its profile until
//! it dies): on interruption every process whose command line names the folder is killed
//! first, so nothing recreates files after they were removed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

/// Exit status after an interruption (128 + SIGINT, as shells report it).
pub const INTERRUPTED_EXIT: i32 = 130;

#[derive(Default)]
struct Registry {
    next: u64,
    paths: BTreeMap<u64, PathBuf>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: 0,
    paths: BTreeMap::new(),
});
static HANDLER: Once = Once::new();

fn registry() -> MutexGuard<'static, Registry> {
    // A panic while holding the lock must not stop the cleanup.
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// Removes its path (file or folder) when dropped; see [`register`].
#[must_use = "the path is removed when the guard drops"]
#[derive(Debug)]
pub struct Guard {
    id: u64,
    path: PathBuf,
    /// The removal started early ([`Guard::clear_ahead`]), joined on drop.
    ahead: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Guard {
    /// The registered path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Start removing the path now, on a thread of its own, when nothing will use it again
    /// (Chromium was ended): the processes still naming it are killed first. The guard
    /// stays registered; its drop waits for this, then removes whatever is left.
    pub fn clear_ahead(&self) {
        let path = self.path.clone();
        let started = std::thread::Builder::new()
            .name("sigillo-cleanup".into())
            .spawn(move || {
                kill_users(&path);
                remove(&path);
            })
            .ok();
        if let Ok(mut a) = self.ahead.lock() {
            *a = started;
        }
    }

    /// Stop watching the path without removing it (it was renamed into place, say).
    pub fn keep(self) {
        registry().paths.remove(&self.id);
        std::mem::forget(self);
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        registry().paths.remove(&self.id);
        let ahead = self.ahead.get_mut().ok().and_then(Option::take);
        if let Some(h) = ahead {
            let _ = h.join();
        }
        kill_users(&self.path);
        crate::trace::step("cleanup: no process uses the temp folder");
        remove(&self.path);
        crate::trace::step("cleanup: temp folder removed");
    }
}

/// Register `path` for removal: when the returned guard drops, on normal exit, and when
/// the process is interrupted (the signal handler is installed on first use).
pub fn register(path: impl Into<PathBuf>) -> Guard {
    install_handler();
    let path = path.into();
    let mut r = registry();
    r.next += 1;
    let id = r.next;
    r.paths.insert(id, path.clone());
    Guard {
        id,
        path,
        ahead: Mutex::new(None),
    }
}

/// Remove everything registered now (used by the signal handler; also safe to call
/// before a deliberate `std::process::exit`, which runs no destructors).
pub fn run_all() {
    let paths: Vec<PathBuf> = std::mem::take(&mut registry().paths)
        .into_values()
        .collect();
    for p in &paths {
        kill_users(p);
    }
    for p in &paths {
        remove(p);
    }
}

/// How many [`Deferred`] guards are alive.
static DEFERRING: AtomicUsize = AtomicUsize::new(0);
/// An interruption arrived while it was deferred.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// While alive, the first interruption (Ctrl-C) does not stop the process: it is only
/// noted ([`interrupted`]), so a loop can stop cleanly after the work in hand (`recheck
/// --every`). A second interruption stops at once, as without the guard.
#[must_use = "interruptions are deferred only while the guard lives"]
#[derive(Debug)]
pub struct Deferred(());

impl Drop for Deferred {
    fn drop(&mut self) {
        DEFERRING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Defer interruptions until the returned guard drops; see [`Deferred`].
pub fn defer_interrupts() -> Deferred {
    install_handler();
    DEFERRING.fetch_add(1, Ordering::SeqCst);
    Deferred(())
}

/// Whether an interruption arrived while interruptions were deferred.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn install_handler() {
    HANDLER.call_once(|| {
        // If another handler is already installed (an embedding program), keep it: the
        // guards still clean up on drop.
        let _ = ctrlc::set_handler(|| {
            if DEFERRING.load(Ordering::SeqCst) > 0 && !INTERRUPTED.swap(true, Ordering::SeqCst) {
                return;
            }
            run_all();
            std::process::exit(INTERRUPTED_EXIT);
        });
    });
}

/// Remove a file or a folder tree; retried briefly because a process that was just
/// killed may still be releasing files in it.
fn remove(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let r = if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        match r {
            Ok(()) if !path.exists() => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            _ if Instant::now() >= deadline => return,
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Kill (SIGKILL) every process whose command line names `path` (Chromium passes its
/// profile as `--user-data-dir=…` to each of its processes) and wait until they are gone.
/// Linux `/proc` only; elsewhere nothing is killed.
fn kill_users(path: &Path) {
    let needle = path.to_string_lossy().into_owned();
    if needle.len() < 8 {
        return; // never match on something as broad as "/tmp"
    }
    let me = std::process::id();
    let users = |needle: &str| -> Vec<i32> {
        let Ok(rd) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        rd.flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| *pid as u32 != me)
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline"))
                    .map(|c| String::from_utf8_lossy(&c).contains(needle))
                    .unwrap_or(false)
            })
            .filter(|pid| !is_zombie(*pid))
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let pids = users(&needle);
        if pids.is_empty() || Instant::now() >= deadline {
            return;
        }
        for pid in pids {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next().map(|st| st == "Z"))
        })
        .unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_removes_a_folder_and_keep_does_not() {
        let base = tempfile::tempdir().unwrap();
        let d = base.path().join("a-registered-folder");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/f"), b"x").unwrap();
        drop(register(&d));
        assert!(!d.exists());
        let f = base.path().join("kept-file.bin");
        std::fs::write(&f, b"x").unwrap();
        register(&f).keep();
        run_all();
        assert!(f.exists());
    }
}
