//! The command line behaves the same on every command: `--json`, `--quiet` and
//! `--color` everywhere, a help line on every option, examples in `--help`,
//! progress lines on stderr without a terminal (silenced by `--quiet`), shell
//! completions, a man page, and a starter model from `capsim init` that
//! validates and runs.

use crate::support::{capsim, repo, write};

#[test]
fn every_option_has_help_and_every_command_has_examples() {
    let mut cmd = capsim::cli::command();
    cmd.build(); // propagates the global flags to every subcommand
    let mut missing = Vec::new();
    // clap's generated `help` subcommand is not ours to document.
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub.get_name().to_string();
        if sub.get_about().is_none() {
            missing.push(format!("{name}: no about"));
        }
        let examples = sub
            .get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        if !examples.contains("capsim ") {
            missing.push(format!("{name}: no example in --help"));
        }
        for arg in sub.get_arguments() {
            if arg.get_help().is_none() && arg.get_id() != "help" && arg.get_id() != "version" {
                missing.push(format!("{name} --{}: no help line", arg.get_id()));
            }
        }
        let ids: Vec<&str> = sub.get_arguments().map(|a| a.get_id().as_str()).collect();
        for global in ["json", "quiet", "color"] {
            if !ids.contains(&global) {
                missing.push(format!("{name}: no --{global}"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn init_writes_a_starter_that_validates_and_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().join("starter");
    let res = capsim().arg("init").arg(&d).output().expect("runs");
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let model = d.join("model.toml");
    let scenario = d.join("scenario.toml");
    assert!(std::fs::read_to_string(&model)
        .expect("model")
        .starts_with('#'));
    let res = capsim()
        .arg("validate")
        .arg(&model)
        .arg(&scenario)
        .output()
        .expect("runs");
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let res = capsim()
        .arg("run")
        .arg(&model)
        .arg("--scenario")
        .arg(&scenario)
        .arg("--out")
        .arg(d.join("out"))
        .arg("--json")
        .output()
        .expect("runs");
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).expect("JSON on stdout");
    assert!(v["requests"]["completed"].as_u64().unwrap_or(0) > 10_000);
    // A second init does not overwrite: bad input, exit 2.
    let res = capsim().arg("init").arg(&d).output().expect("runs");
    assert_eq!(res.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&res.stderr).contains("--force"));
}

#[test]
fn json_is_one_document_on_stdout_for_every_data_command() {
    let model = repo("models/examples/web-stack.toml");
    let scenario = repo("scenarios/examples/web-day.toml");
    let res = capsim()
        .arg("validate")
        .arg(&model)
        .arg(&scenario)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(res.status.success());
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).expect("validate --json");
    // As many components as the file has `[components.NAME]` tables.
    let text = std::fs::read_to_string(&model).expect("model");
    let tables = text
        .lines()
        .filter(|l| l.starts_with("[components.") && l.matches('.').count() == 1)
        .count();
    assert_eq!(v["components"], tables);
    assert_eq!(v["scenarios"][0]["duration_s"], 3600.0);
    // --quiet prints nothing on stdout.
    let res = capsim()
        .arg("validate")
        .arg(&model)
        .arg("-q")
        .output()
        .expect("runs");
    assert!(res.status.success() && res.stdout.is_empty());
}

const SHORT: &str = r#"
name = "short"
duration = "1m"
warmup = "10s"
seed = 2
interval = "10s"
[workload]
type = "open"
rate = 300
"#;

#[test]
fn progress_is_a_line_per_run_without_a_terminal_and_quiet_silences_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sc = write(dir.path(), "short.toml", SHORT);
    let sweep = |extra: &[&str]| {
        capsim()
            .arg("sweep")
            .arg(repo("models/examples/mmc.toml"))
            .arg("--scenario")
            .arg(&sc)
            .args(["--set", "server.cores=6..8", "--out"])
            .arg(dir.path().join("sweep"))
            .args(extra)
            .output()
            .expect("runs")
    };
    let res = sweep(&[]);
    assert!(res.status.success());
    let err = String::from_utf8_lossy(&res.stderr);
    for k in 1..=3 {
        assert!(err.contains(&format!("runs {k}/3 done")), "{err}");
    }
    let res = sweep(&["--quiet"]);
    assert!(res.status.success());
    assert!(res.stderr.is_empty() && res.stdout.is_empty());
    let res = sweep(&["--json"]);
    assert!(res.stderr.is_empty(), "--json keeps stderr for errors");
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).expect("sweep --json");
    assert_eq!(v["points"], 3);
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let res = capsim()
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert!(res.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&res.stdout);
        assert!(text.contains("optimize"), "{shell} completes subcommands");
    }
    let res = capsim().arg("man").output().expect("runs");
    assert!(res.status.success());
    let text = String::from_utf8_lossy(&res.stdout);
    assert!(text.contains(".TH capsim 1"));
    let res = capsim()
        .args(["completions", "tcsh"])
        .output()
        .expect("runs");
    assert_eq!(
        res.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn typos_get_a_did_you_mean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(repo("models/examples/mmc.toml"))
        .expect("model")
        .replace("replicas = 1", "replcas = 1");
    let model = write(dir.path(), "typo.toml", &text);
    let res = capsim().arg("validate").arg(&model).output().expect("runs");
    assert_eq!(res.status.code(), Some(2));
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(err.contains("did you mean `replicas`?"), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "reported once: {err}");

    let res = capsim()
        .arg("validate")
        .arg(repo("models/examples/mmc.tom"))
        .output()
        .expect("runs");
    assert_eq!(res.status.code(), Some(2));
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(
        err.contains("did you mean") && err.contains("mmc.toml"),
        "{err}"
    );
}
