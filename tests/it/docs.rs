//! Docs that cannot go stale: every `capsim ...` command line in README.md and
//! docs/*.md code blocks must parse with today's command line (no removed
//! command or flag survives in the docs), and the quick examples whose output
//! the docs quote are run and their printed lines compared.

use crate::support::{capsim, repo};
use clap::Parser;

/// The command lines in fenced code blocks — in `console` blocks the `$ capsim`
/// lines (the rest is output), elsewhere every `capsim` line — with `\`
/// continuations joined, cut at a pipe, redirection or `&&`. A command with
/// ` ... ` elides arguments on purpose (a template in a job script) and is
/// left out.
fn documented_commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut console = false;
    let mut pending = String::new();
    for line in text.lines() {
        if let Some(fence) = line.trim_start().strip_prefix("```") {
            in_block = !in_block;
            console = in_block && fence.trim() == "console";
            pending.clear();
            continue;
        }
        if !in_block {
            continue;
        }
        let l = line.trim();
        let prompted = l.strip_prefix("$ ");
        if pending.is_empty() && console && prompted.is_none() {
            continue;
        }
        let l = prompted.unwrap_or(l);
        if pending.is_empty() && !l.starts_with("capsim ") {
            continue;
        }
        pending.push_str(l.trim_end_matches('\\'));
        pending.push(' ');
        if !l.ends_with('\\') {
            let mut cmd = pending.trim().to_string();
            for cut in [" | ", " > ", " && ", " # ", " 2>"] {
                if let Some(i) = cmd.find(cut) {
                    cmd.truncate(i);
                }
            }
            if !cmd.contains(" ... ") {
                out.push(cmd);
            }
            pending.clear();
        }
    }
    out
}

/// Splits on spaces, honouring single and double quotes.
fn shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, ' ') => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn doc_files() -> Vec<std::path::PathBuf> {
    let mut files = vec![repo("README.md")];
    let mut docs: Vec<_> = std::fs::read_dir(repo("docs"))
        .expect("docs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

#[test]
fn every_documented_command_line_parses() {
    let mut bad = Vec::new();
    let mut seen = 0;
    for file in doc_files() {
        let text = std::fs::read_to_string(&file).expect("doc");
        for cmd in documented_commands(&text) {
            seen += 1;
            if let Err(e) = capsim::cli::Cli::try_parse_from(shell_words(&cmd)) {
                let first = e.to_string().lines().next().unwrap_or("").to_string();
                bad.push(format!("{}: `{cmd}`: {first}", file.display()));
            }
        }
    }
    assert!(seen >= 15, "found only {seen} command lines in the docs");
    assert!(bad.is_empty(), "{bad:#?}");
}

/// Runs a documented `console` example and compares each printed line the doc
/// quotes (lines of `...` stand for output left out).
fn check_console(doc: &str, command: &str) {
    let text = std::fs::read_to_string(repo(doc)).expect("doc");
    let start = text
        .find(&format!("$ {command}\n"))
        .unwrap_or_else(|| panic!("{doc} has no `$ {command}` example"));
    let block = &text[start..];
    let end = block.find("```").expect("block ends");
    let quoted: Vec<&str> = block[..end]
        .lines()
        .skip(1)
        .filter(|l| *l != "...")
        .collect();
    let words = shell_words(command);
    let res = capsim()
        .current_dir(repo(""))
        .args(&words[1..])
        .output()
        .expect("runs");
    assert!(
        res.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    let printed = String::from_utf8_lossy(&res.stdout);
    for line in quoted {
        assert!(
            printed.lines().any(|p| p == line),
            "{doc}: `{command}` no longer prints\n{line}\nit prints:\n{printed}"
        );
    }
}

#[test]
fn quoted_outputs_match_the_binary() {
    check_console(
        "docs/cli.md",
        "capsim validate models/examples/web-stack.toml scenarios/examples/web-day.toml",
    );
}

#[test]
fn init_example_prints_what_the_doc_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let res = capsim()
        .current_dir(dir.path())
        .args(["init", "my-system"])
        .output()
        .expect("runs");
    assert!(res.status.success());
    let text = std::fs::read_to_string(repo("docs/cli.md")).expect("doc");
    for line in String::from_utf8_lossy(&res.stdout).lines() {
        assert!(text.contains(line), "docs/cli.md lacks `{line}`");
    }
}
