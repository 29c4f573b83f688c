//! An output folder is one run's consistent set of files.
//!
//! A run writes into a fresh hidden folder beside the target and, once every
//! file is written, swaps it in for the previous output folder, which is
//! then deleted. So no stale file of an earlier run (an `autoscale.csv`, a
//! `cost.csv`) survives, and a run killed mid-write leaves the previous
//! complete set (or, killed between the two renames of the swap, no folder,
//! the previous set being kept as a hidden `.<name>.old.*` beside it) —
//! never a mix. An exclusive lock on `.<name>.lock` beside the folder stops
//! a second concurrent run into the same folder with a clear error; the
//! operating system releases it when the process ends, however it ends.

use fs4::fs_std::FileExt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// A run's output folder while it is being written.
pub struct Staged {
    /// Where the files go now.
    pub dir: PathBuf,
    target: PathBuf,
    /// `None` when writing in place (a target such as `.` has no name, so
    /// it cannot be swapped).
    staging: Option<tempfile::TempDir>,
    _lock: File,
}

type WriteError = (PathBuf, io::Error);

/// Locks `target` and prepares a staging folder for it. Refuses a target
/// that is not a folder, or a non-empty folder that is not a capsim output
/// folder (it has no `summary.json`), since the swap replaces it whole.
pub fn begin(target: &Path) -> Result<Staged, WriteError> {
    let e = |p: &Path| {
        let p = p.to_path_buf();
        move |err: io::Error| (p, err)
    };
    let target = match std::fs::canonicalize(target) {
        Ok(t) => t,
        Err(_) => target.to_path_buf(),
    };
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    std::fs::create_dir_all(&parent).map_err(e(&parent))?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned());
    let lock_path = match &name {
        Some(n) => parent.join(format!(".{n}.lock")),
        None => target.join(".capsim.lock"),
    };
    if name.is_none() {
        std::fs::create_dir_all(&target).map_err(e(&target))?;
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(e(&lock_path))?;
    if !lock.try_lock_exclusive().map_err(e(&lock_path))? {
        return Err((
            target.clone(),
            io::Error::new(
                io::ErrorKind::WouldBlock,
                format!(
                    "another capsim run is writing this output folder (it holds {}); wait for it or choose another --out",
                    lock_path.display()
                ),
            ),
        ));
    }
    check_replaceable(&target)?;
    let Some(name) = name else {
        return Ok(Staged {
            dir: target.clone(),
            target,
            staging: None,
            _lock: lock,
        });
    };
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.new."))
        .tempdir_in(&parent)
        .map_err(e(&parent))?;
    Ok(Staged {
        dir: staging.path().to_path_buf(),
        target,
        staging: Some(staging),
        _lock: lock,
    })
}

fn check_replaceable(target: &Path) -> Result<(), WriteError> {
    let meta = match std::fs::metadata(target) {
        Ok(m) => m,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err((target.to_path_buf(), err)),
    };
    if !meta.is_dir() {
        return Err((
            target.to_path_buf(),
            io::Error::other("exists and is not a folder"),
        ));
    }
    let empty = std::fs::read_dir(target)
        .map_err(|err| (target.to_path_buf(), err))?
        .next()
        .is_none();
    if empty || target.join("summary.json").is_file() {
        return Ok(());
    }
    Err((
        target.to_path_buf(),
        io::Error::other(
            "is not empty and is not a capsim output folder (no summary.json); capsim replaces its output folder as a whole, so choose a new or empty folder",
        ),
    ))
}

impl Staged {
    /// Swaps the finished set in for the previous one. Dropping a `Staged`
    /// without committing deletes the staging folder and keeps the old set.
    pub fn commit(self) -> Result<PathBuf, WriteError> {
        let Some(staging) = self.staging else {
            return Ok(self.target);
        };
        let new = staging.keep();
        let target = &self.target;
        let old = if target.exists() {
            let parent = new.parent().unwrap_or(Path::new("."));
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let old = tempfile::Builder::new()
                .prefix(&format!(".{name}.old."))
                .tempdir_in(parent)
                .map_err(|err| (parent.to_path_buf(), err))?
                .keep();
            // rename(2) replaces an empty directory: the reserved name.
            std::fs::rename(target, &old).map_err(|err| (target.clone(), err))?;
            Some(old)
        } else {
            None
        };
        if let Err(err) = std::fs::rename(&new, target) {
            if let Some(old) = &old {
                let _ = std::fs::rename(old, target);
            }
            let _ = std::fs::remove_dir_all(&new);
            return Err((target.clone(), err));
        }
        if let Some(old) = old {
            // The new set is in place; a leftover old folder is only litter.
            let _ = std::fs::remove_dir_all(old);
        }
        Ok(self.target)
    }
}
