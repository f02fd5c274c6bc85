//! Files and folders given on the command line, stored byte for byte.
//!
//! Folders are walked recursively in sorted order (so the same tree always gives the
//! same item); symbolic links are recorded as skipped, never followed, so a link
//! cannot pull in files from outside what the user named.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::acquire::{Acquisition, Artifact, Content};
use crate::error::{Error, IoContext, Result};
use crate::time::Stamp;

/// Collect `inputs` (files or folders) as one acquisition of kind `files`.
///
/// `exclude` names files never to collect (the bundle being written, when it lies
/// inside a folder being added).
pub fn acquire(inputs: &[PathBuf], exclude: &[PathBuf]) -> Result<Acquisition> {
    let exclude: Vec<PathBuf> = exclude
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    if inputs.is_empty() {
        return Err(
            Error::input("no files given").with_fix("name at least one file or folder to add")
        );
    }
    let first = own_name(&inputs[0]).unwrap_or_else(|| "files".into());
    let mut acq = Acquisition::start(crate::acquire::ItemKind::Files, &first);
    acq.input.insert(
        "paths".into(),
        json!(
            inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
        ),
    );
    let mut used = HashSet::new();
    for input in inputs {
        let md = std::fs::symlink_metadata(input).map_err(|e| {
            Error::io("read", input, e).with_fix("check the path; quote names with spaces")
        })?;
        let name = || {
            input
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| "file".into())
        };
        if md.is_dir() {
            add_folder(&mut acq, &mut used, input, &exclude)?;
        } else if md.is_file() {
            add_file(&mut acq, &mut used, input, &name())?;
        } else if md.file_type().is_symlink() {
            let target = std::fs::canonicalize(input).at("follow the link", input)?;
            acq.transformations.push(format!(
                "followed the symbolic link '{}' named on the command line",
                input.display()
            ));
            add_file(&mut acq, &mut used, &target, &name())?;
        } else {
            return Err(Error::input(format!(
                "'{}' is not a regular file or folder",
                input.display()
            ))
            .with_fix("copy the evidence into a regular file first"));
        }
    }
    if acq.artifacts.is_empty() {
        return Err(Error::input("there are no files to add")
            .with_fix("the folders given are empty; name the files to add"));
    }
    acq.finished = Stamp::now();
    Ok(acq)
}

/// The last component of the canonical path (so `.` is named after the folder).
fn own_name(p: &Path) -> Option<String> {
    std::fs::canonicalize(p)
        .ok()
        .and_then(|c| c.file_name().map(|n| n.to_string_lossy().to_string()))
}

/// Every regular file under `input`, sorted by name; links are not followed (a warning
/// says which were skipped), and the bundle being written and the signing key are left out.
fn add_folder(
    acq: &mut Acquisition,
    used: &mut HashSet<String>,
    input: &Path,
    exclude: &[PathBuf],
) -> Result<()> {
    let base = own_name(input).unwrap_or_else(|| "folder".into());
    let mut n = 0;
    for entry in walkdir::WalkDir::new(input)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| {
            let p = e
                .path()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| input.to_path_buf());
            Error::input(format!(
                "could not read '{}' inside the folder: {e}",
                p.display()
            ))
            .with_fix(
                "check the folder's permissions (sigillo must read every file it is asked to seal)",
            )
        })?;
        let ft = entry.file_type();
        if ft.is_symlink() {
            acq.warnings.push(format!(
                "skipped symbolic link '{}' (links are not followed)",
                entry.path().display()
            ));
            continue;
        }
        if !ft.is_file() {
            continue;
        }
        if let Ok(c) = std::fs::canonicalize(entry.path())
            && exclude.contains(&c)
        {
            acq.warnings.push(format!(
                "skipped '{}': it is the bundle being written or the signing key",
                entry.path().display()
            ));
            continue;
        }
        let rel = entry.path().strip_prefix(input).unwrap_or(entry.path());
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect::<Vec<_>>()
            .join("/");
        add_file(acq, used, entry.path(), &format!("{base}/{rel}"))?;
        n += 1;
    }
    if n == 0 {
        acq.warnings
            .push(format!("the folder '{}' holds no files", input.display()));
    }
    Ok(())
}

fn add_file(
    acq: &mut Acquisition,
    used: &mut HashSet<String>,
    path: &Path,
    rel: &str,
) -> Result<()> {
    // Readable now (fail early with a clear message, not halfway through sealing).
    std::fs::File::open(path).at("open", path)?;
    std::fs::metadata(path).at("read", path)?;
    let safe = safe_rel(rel);
    let mut p = format!("original/{safe}");
    let mut i = 2;
    while !used.insert(p.clone()) {
        p = format!("original/{safe}.{i}");
        i += 1;
    }
    let a = Artifact::original(p, Content::File(path.to_path_buf())).from_file(path);
    acq.artifacts.push(a);
    Ok(())
}

/// Make a relative path safe for the bundle: drop empty/`.`/`..` parts, replace
/// backslashes and control characters. The original name stays in `source.name`.
fn safe_rel(rel: &str) -> String {
    let parts: Vec<String> = rel
        .split('/')
        .filter(|c| !c.is_empty() && *c != "." && *c != "..")
        .map(|c| {
            c.chars()
                .map(|ch| {
                    if ch.is_control() || ch == '\\' {
                        '_'
                    } else {
                        ch
                    }
                })
                .collect()
        })
        .collect();
    if parts.is_empty() {
        "file".into()
    } else {
        parts.join("/")
    }
}
