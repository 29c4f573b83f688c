//! Atomic file writes: write a uniquely named temporary file beside the
//! target, flush it, then rename it over the target, so a crash never
//! leaves a half-written file that looks whole.
//!
//! What is at the target decides how: a symlink is written through (the
//! temporary file goes to the link target's directory, and the link stays
//! a link); a FIFO or a character device (`/dev/stdout`) is streamed to,
//! since renaming over it would destroy it; anything else that is not a
//! regular file (a directory, a block device, a socket) is refused. The
//! temporary file is removed on every error path.

use std::io::Write;
use std::path::{Path, PathBuf};

/// How many symlinks are followed before giving up (a loop).
const MAX_LINKS: usize = 40;

pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = resolve_links(path)?;
    match std::fs::metadata(&target) {
        Ok(meta) if meta.is_file() => {}
        Ok(meta) => return stream(&target, &meta, bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    // A unique name (random suffix, created exclusively), so two writers
    // into one folder never share a temporary file; dropped on error.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// The path a write to `path` lands on: symlinks followed (relative link
/// targets are relative to the link's directory); a dangling link gives
/// the file it names, which the write then creates.
fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// Writes to a FIFO or a character device in place; refuses other
/// non-regular files.
fn stream(target: &Path, meta: &std::fs::Metadata, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let ft = meta.file_type();
        if ft.is_fifo() || ft.is_char_device() {
            let mut f = std::fs::OpenOptions::new().write(true).open(target)?;
            return f.write_all(bytes).and_then(|()| f.flush());
        }
    }
    let what = if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    };
    Err(std::io::Error::other(format!(
        "{} is {what}: refusing to replace it",
        target.display()
    )))
}

#[cfg(test)]
mod tests {
    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        super::write(&p, b"one").unwrap();
        super::write(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_symlinks_and_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let real_dir = dir.path().join("real");
        std::fs::create_dir(&real_dir).unwrap();
        let real = real_dir.join("report.md");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink("real/report.md", &link).unwrap();
        super::write(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        // No temporary file left in either directory.
        assert_eq!(std::fs::read_dir(&real_dir).unwrap().count(), 1);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn refuses_a_directory_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let e = super::write(&sub, b"x").unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        assert!(sub.is_dir());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn cleans_up_when_the_rename_fails() {
        let dir = tempfile::tempdir().unwrap();
        // A non-empty directory cannot be renamed over, but it is found as
        // a directory first; use a missing parent for the error instead.
        let p = dir.path().join("missing").join("a.txt");
        assert!(super::write(&p, b"x").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn streams_to_a_character_device() {
        super::write(std::path::Path::new("/dev/null"), b"discarded").unwrap();
        assert!(std::fs::metadata("/dev/null")
            .map(|m| !m.is_file())
            .unwrap());
    }
}
