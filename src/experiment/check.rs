//! `capsim check`: a run (or replications) held to SLOs, for CI. The SLOs are the
//! model's `[slo]` plus `--slo` expressions ([`crate::experiment::slo_expr`]). Writes the run's
//! usual outputs, and optionally a JUnit XML file (one test case per SLO) and a
//! Markdown summary fit for a pull-request comment.
//!
//! Verdicts: a single run compares the value with the threshold. With
//! replications, the 95% confidence interval of the mean decides: pass when all
//! of it is on the good side, fail when all of it is on the bad side, and "too
//! close to call" when it straddles the threshold — a failure only with
//! `--strict`.

use crate::experiment::run::{run_files_with_progress, Progress, RunError, RunOptions};
use crate::experiment::slo_expr::{from_model, judge, SloExpr, Status, Verdict};
use std::path::{Path, PathBuf};

/// What `capsim check` was asked.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// `--slo` expressions, already parsed.
    pub slos: Vec<SloExpr>,
    /// Seed, replications, output folder, pricing: as for `capsim run`.
    pub run: RunOptions,
    /// Too close to call counts as a failure.
    pub strict: bool,
}

/// The result of `capsim check`.
pub struct CheckOutcome {
    pub verdicts: Vec<Verdict>,
    pub model: String,
    pub scenario: String,
    pub seed: u64,
    pub replications: usize,
    pub out_dir: PathBuf,
    /// The `capsim check` command that reproduces this one.
    pub reproduce: String,
    pub strict: bool,
    pub warnings: Vec<String>,
}

impl CheckOutcome {
    /// Whether the check fails (exit 1).
    pub fn failed(&self) -> bool {
        self.verdicts
            .iter()
            .any(|v| v.status == Status::Fail || (self.strict && v.status == Status::TooClose))
    }

    pub fn count(&self, s: Status) -> usize {
        self.verdicts.iter().filter(|v| v.status == s).count()
    }
}

/// Runs `model` under `scenario` (writing the usual outputs) and judges every SLO.
pub fn check(
    model: &Path,
    scenario: &Path,
    opts: &CheckOptions,
    progress: Option<Progress>,
) -> Result<CheckOutcome, RunError> {
    let outcome = run_files_with_progress(model, scenario, &opts.run, progress)?;
    let mut slos = from_model(&outcome.system.slo);
    slos.extend(opts.slos.iter().cloned());
    if slos.is_empty() {
        return Err(RunError::Options(format!(
            "no SLO to check: the model {} has no [slo] table and no --slo was given (e.g. --slo 'p95<200ms')",
            model.display()
        )));
    }
    let verdicts = slos.iter().map(|s| judge(s, &outcome.runs)).collect();
    let seed = outcome.runs.first().map_or(0, |r| r.seed);
    Ok(CheckOutcome {
        verdicts,
        model: outcome.result.model.clone(),
        scenario: outcome.result.scenario.clone(),
        seed,
        replications: outcome.runs.len(),
        out_dir: outcome.out_dir.clone(),
        reproduce: reproduce(model, scenario, seed, opts),
        strict: opts.strict,
        warnings: outcome.result.warnings.clone(),
    })
}

/// Quotes an argument for a POSIX shell when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,%+@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn reproduce(model: &Path, scenario: &Path, seed: u64, opts: &CheckOptions) -> String {
    let mut s = format!(
        "capsim check {} --scenario {} --seed {seed}",
        shell_quote(&model.display().to_string()),
        shell_quote(&scenario.display().to_string())
    );
    if opts.run.replications > 1 {
        s.push_str(&format!(" --replications {}", opts.run.replications));
    }
    for slo in &opts.slos {
        s.push_str(&format!(" --slo {}", shell_quote(&slo.flag())));
    }
    if opts.strict {
        s.push_str(" --strict");
    }
    if let Some(p) = &opts.run.pricing {
        s.push_str(&format!(
            " --pricing {}",
            shell_quote(&p.display().to_string())
        ));
    }
    s
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 forbids.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML report: one `testsuite`, one `testcase` per SLO, a `failure` on
/// a breach (and on too close to call with `--strict`; without it, a note in
/// `system-out`). Deterministic: no timestamps.
pub fn junit_xml(o: &CheckOutcome) -> String {
    let failures = o
        .verdicts
        .iter()
        .filter(|v| v.status == Status::Fail || (o.strict && v.status == Status::TooClose))
        .count();
    let suite = format!("capsim check {} x {}", o.model, o.scenario);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!(
        "<testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        xml_escape(&suite),
        o.verdicts.len()
    ));
    s.push_str("  <properties>\n");
    for (k, v) in [
        ("model", o.model.clone()),
        ("scenario", o.scenario.clone()),
        ("seed", o.seed.to_string()),
        ("replications", o.replications.to_string()),
        ("reproduce", o.reproduce.clone()),
    ] {
        s.push_str(&format!(
            "    <property name=\"{k}\" value=\"{}\"/>\n",
            xml_escape(&v)
        ));
    }
    s.push_str("  </properties>\n");
    let class = format!("capsim.{}.{}", o.model, o.scenario);
    for v in &o.verdicts {
        s.push_str(&format!(
            "  <testcase classname=\"{}\" name=\"{}\"",
            xml_escape(&class),
            xml_escape(&v.slo.label())
        ));
        let message = format!(
            "{}: actual {}, target {} ({})",
            v.slo.label(),
            v.actual_text(),
            v.slo.target(),
            v.slo.source
        );
        let detail = v.note.clone().unwrap_or_default();
        let fails = v.status == Status::Fail || (o.strict && v.status == Status::TooClose);
        if fails {
            let kind = if v.status == Status::TooClose {
                "too close to call"
            } else {
                "SLO breached"
            };
            s.push_str(">\n");
            s.push_str(&format!(
                "    <failure message=\"{}\" type=\"{kind}\">{}</failure>\n",
                xml_escape(&message),
                xml_escape(&detail)
            ));
            s.push_str("  </testcase>\n");
        } else if v.status == Status::TooClose || v.note.is_some() {
            s.push_str(">\n");
            s.push_str(&format!(
                "    <system-out>{}</system-out>\n",
                xml_escape(&format!("{}; {message}. {detail}", v.status.word()))
            ));
            s.push_str("  </testcase>\n");
        } else {
            s.push_str("/>\n");
        }
    }
    s.push_str("</testsuite>\n");
    s
}

/// Escapes a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown summary: a table of SLO, target, actual and verdict, the run's
/// identity and the command that reproduces it.
pub fn markdown(o: &CheckOutcome) -> String {
    let (pass, fail, close) = (
        o.count(Status::Pass),
        o.count(Status::Fail),
        o.count(Status::TooClose),
    );
    let head = if o.failed() {
        "❌ capsim check failed"
    } else if close > 0 {
        "⚠️ capsim check passed with warnings"
    } else {
        "✅ capsim check passed"
    };
    let mut s = format!("### {head}\n\n");
    s.push_str(&format!(
        "Model `{}` × scenario `{}`, seed {}, {} — {pass} passed, {fail} failed, {close} too close to call{}.\n\n",
        o.model,
        o.scenario,
        o.seed,
        if o.replications > 1 {
            format!("{} replications (95% CI)", o.replications)
        } else {
            "single run".to_string()
        },
        if o.strict { " (strict)" } else { "" }
    ));
    s.push_str("| SLO | target | actual | verdict |\n|---|---|---|---|\n");
    for v in &o.verdicts {
        let mut verdict = format!("{} {}", v.status.emoji(), v.status.word());
        if let Some(n) = &v.note {
            verdict.push_str(&format!(" — {n}"));
        }
        s.push_str(&format!(
            "| {} ({}) | {} | {} | {} |\n",
            cell(v.slo.metric.name()),
            cell(v.slo.source),
            cell(&v.slo.target()),
            cell(&v.actual_text()),
            cell(&verdict)
        ));
    }
    if close > 0 && !o.strict {
        s.push_str("\n⚠️ *Too close to call* passes with a warning; `--strict` makes it fail.\n");
    }
    if !o.warnings.is_empty() {
        s.push_str("\n<details><summary>Warnings</summary>\n\n");
        for w in &o.warnings {
            s.push_str(&format!("- {w}\n"));
        }
        s.push_str("\n</details>\n");
    }
    s.push_str(&format!(
        "\nReproduce:\n\n```sh\n{}\n```\n\nOutputs: `{}`\n",
        o.reproduce,
        o.out_dir.display()
    ));
    s
}

/// The text printed on stdout: one line per SLO.
pub fn text(o: &CheckOutcome) -> String {
    let mut s = format!(
        "capsim check: model {} x scenario {} (seed {}, {} run{})\n",
        o.model,
        o.scenario,
        o.seed,
        o.replications,
        if o.replications == 1 { "" } else { "s" }
    );
    for v in &o.verdicts {
        s.push_str(&format!(
            "  {:<18} {:<28} {:<18} actual {}{}\n",
            v.status.word(),
            v.slo.label(),
            format!("({})", v.slo.source),
            v.actual_text(),
            v.note
                .as_ref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default()
        ));
    }
    s.push_str(&format!("reproduce: {}\n", o.reproduce));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml() {
        assert_eq!(
            xml_escape("a<b & \"c\"\n"),
            "a&lt;b &amp; &quot;c&quot;&#10;"
        );
        assert_eq!(xml_escape("x\u{1}y"), "xy");
    }

    #[test]
    fn quotes_for_shell() {
        assert_eq!(shell_quote("p95<200ms"), "'p95<200ms'");
        assert_eq!(shell_quote("models/a.toml"), "models/a.toml");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
