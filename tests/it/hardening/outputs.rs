//! Items 5 and 6: the atomic writer writes through symlinks and streams to
//! FIFOs instead of replacing them; an output folder holds one run's files
//! and a second concurrent run into it is refused.

use super::ONE_SERVICE;
use crate::support::{capsim, run_cli, write};
use std::path::Path;

const SC: &str =
    "duration = \"20s\"\nseed = 5\ninterval = \"5s\"\n[workload]\ntype = \"open\"\nrate = 50\n";

fn check_markdown(dir: &Path, md: &Path) -> std::process::Output {
    let m = write(dir, "m.toml", ONE_SERVICE);
    let s = write(dir, "s.toml", SC);
    capsim()
        .arg("check")
        .arg(&m)
        .arg("--scenario")
        .arg(&s)
        .arg("--out")
        .arg(dir.join("out"))
        .arg("--markdown")
        .arg(md)
        .args(["--slo", "p95<10s", "--quiet"])
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn markdown_through_a_symlink_updates_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("comments");
    std::fs::create_dir(&real).unwrap();
    std::fs::write(real.join("pr.md"), "old").unwrap();
    let link = dir.path().join("pr.md");
    std::os::unix::fs::symlink("comments/pr.md", &link).unwrap();
    let o = check_markdown(dir.path(), &link);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    let text = std::fs::read_to_string(real.join("pr.md")).unwrap();
    assert!(text.contains("p95"), "{text}");
    // No temporary file left beside the target.
    assert_eq!(std::fs::read_dir(&real).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn markdown_to_a_fifo_is_streamed_and_the_fifo_survives() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("md.fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = super::within(std::time::Duration::from_secs(60), {
        let (d, f) = (dir.path().to_path_buf(), fifo.clone());
        move || check_markdown(&d, &f)
    });
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = reader.join().unwrap();
    assert!(text.contains("p95"), "{text}");
    let ft = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(ft.is_fifo(), "the FIFO was replaced by a regular file");
}

/// An autoscaled, billed run and then a plain one into the same folder:
/// the second leaves no autoscale.csv or cost files of the first.
#[test]
fn stale_files_of_an_earlier_run_never_survive() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = format!(
        "{}\n[components.api.autoscale]\nkind = \"hpa\"\nmin_replicas = 1\nmax_replicas = 4\nsync_period = \"1s\"\nmetrics = [{{ type = \"cpu\", target_utilization = 10 }}]\n",
        ONE_SERVICE.replace("cores = 1\n", "cores = 1\nsku = \"aws.fargate.x86.vcpu\"\n")
    );
    let s = write(dir.path(), "s.toml", SC);
    let m1 = write(dir.path(), "m1.toml", &first);
    let o = run_cli(&m1, &s, &out, &["--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["autoscale.csv", "cost.csv", "summary.json"] {
        assert!(out.join(f).exists(), "{f} missing after the first run");
    }
    let m2 = write(dir.path(), "m2.toml", ONE_SERVICE);
    let o = run_cli(&m2, &s, &out, &["--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["autoscale.csv", "cost.csv", "cost.png", "cost.svg"] {
        assert!(!out.join(f).exists(), "stale {f} survived");
    }
    assert!(out.join("summary.json").exists());
    // Only the folder and its lock beside it: no staging or old folders.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out"))
        .collect();
    names.sort();
    assert_eq!(names, vec![".out.lock".to_string()]);
}

#[test]
fn a_second_concurrent_run_into_one_folder_gets_a_clear_error() {
    use fs4::fs_std::FileExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // Another run holds the folder's lock.
    let lock = std::fs::File::create(dir.path().join(".out.lock")).unwrap();
    assert!(lock.try_lock_exclusive().unwrap());
    let m = write(dir.path(), "m.toml", ONE_SERVICE);
    let s = write(dir.path(), "s.toml", SC);
    let o = run_cli(&m, &s, &out, &["--quiet"]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("another capsim run is writing this output folder"),
        "{e}"
    );
    assert!(!out.exists());
    drop(lock);
    let o = run_cli(&m, &s, &out, &["--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A run that stops before its commit (killed, or a write error) leaves
/// the previous set untouched and no staging folder.
#[test]
fn an_unfinished_run_leaves_the_previous_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("summary.json"), "previous").unwrap();
    {
        let staged = capsim::report::outdir::begin(&out).unwrap();
        std::fs::write(staged.dir.join("summary.json"), "half").unwrap();
        // Dropped without commit.
    }
    assert_eq!(
        std::fs::read_to_string(out.join("summary.json")).unwrap(),
        "previous"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".new."))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_folder_capsim_did_not_write_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep me").unwrap();
    let m = write(dir.path(), "m.toml", ONE_SERVICE);
    let s = write(dir.path(), "s.toml", SC);
    let o = run_cli(&m, &s, &out, &["--quiet"]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("not a capsim output folder"), "{e}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me"
    );
}
