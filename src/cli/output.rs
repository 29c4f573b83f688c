//! What a command prints: text for a person or one JSON document (`--json`),
//! nothing with `--quiet`; Markdown tables set as aligned columns with thousands
//! separators on a terminal; verdict words in colour when colour is on.

use std::io::{IsTerminal, Write};

/// `--color`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    Always,
    Never,
}

/// The output settings every command gets.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub json: bool,
    pub quiet: bool,
    color: bool,
    terminal: bool,
}

impl Ctx {
    pub fn new(json: bool, quiet: bool, color: ColorChoice) -> Self {
        let terminal = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        Self {
            json,
            quiet,
            color,
            terminal,
        }
    }

    /// Human text on stdout, unless `--quiet` or `--json`.
    pub fn text(&self, text: &str) {
        if !self.quiet && !self.json {
            emit(&self.paint(text));
        }
    }

    /// Markdown on stdout (unless `--quiet`/`--json`): tables aligned for a
    /// terminal, the Markdown itself when stdout is a file or a pipe.
    pub fn markdown(&self, md: &str) {
        if self.quiet || self.json {
            return;
        }
        if self.terminal {
            emit(&self.paint(&terminal_tables(md)));
        } else {
            emit(md);
        }
    }

    /// The JSON document on stdout, with `--json` (even with `--quiet`: the
    /// caller asked for data).
    pub fn json(&self, value: &serde_json::Value) {
        if self.json {
            let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
            s.push('\n');
            emit(&s);
        }
    }

    /// Verdict words in colour: pass green, fail and regression red, too close
    /// to call yellow.
    fn paint(&self, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + 64);
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            let word = [
                ("pass", "32"),
                ("fail", "31"),
                ("too close to call", "33"),
                ("✅", "32"),
                ("❌", "31"),
                ("⚠️", "33"),
            ]
            .into_iter()
            .find(|(w, _)| trimmed.starts_with(w));
            match word {
                Some((w, code)) => {
                    out.push_str(indent);
                    out.push_str(&format!("\x1b[{code}m{w}\x1b[0m"));
                    out.push_str(&trimmed[w.len()..]);
                }
                None => out.push_str(line),
            }
        }
        out
    }
}

/// Writes to stdout; a closed pipe (`capsim run ... | head`) is not an error
/// worth a panic, so write failures are ignored.
pub fn emit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Markdown with its tables set as aligned columns (numbers right-aligned, with
/// thousands separators), `**bold**` and backticks dropped, `|---|` rules as a
/// line of dashes.
pub fn terminal_tables(md: &str) -> String {
    let mut out = String::new();
    let mut table: Vec<Vec<String>> = Vec::new();
    let flush = |table: &mut Vec<Vec<String>>, out: &mut String| {
        if table.is_empty() {
            return;
        }
        let cols = table.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0; cols];
        for row in table.iter() {
            for (i, c) in row.iter().enumerate() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        for (r, row) in table.iter().enumerate() {
            let mut line = String::new();
            for (i, w) in widths.iter().enumerate() {
                let c = row.get(i).map_or("", String::as_str);
                let pad = w - c.chars().count();
                if i > 0 {
                    line.push_str("  ");
                }
                if r > 0 && is_number(c) {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(c);
                } else {
                    line.push_str(c);
                    line.push_str(&" ".repeat(pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
            if r == 0 {
                let total = widths.iter().sum::<usize>() + 2 * cols.saturating_sub(1);
                out.push_str(&"-".repeat(total));
                out.push('\n');
            }
        }
        table.clear();
    };
    for line in md.lines() {
        let t = line.trim();
        if t.starts_with('|') && t.ends_with('|') && t.len() >= 2 {
            let cells: Vec<String> = t[1..t.len() - 1]
                .split('|')
                .map(|c| plain(c.trim()))
                .collect();
            if cells
                .iter()
                .all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
            {
                continue; // the header rule
            }
            table.push(cells.into_iter().map(|c| group_thousands(&c)).collect());
        } else {
            flush(&mut table, &mut out);
            out.push_str(&plain(line));
            out.push('\n');
        }
    }
    flush(&mut table, &mut out);
    out
}

fn plain(s: &str) -> String {
    s.replace("**", "").replace('`', "")
}

/// Whether a cell reads as a number (possibly signed, with a unit or `%`).
fn is_number(c: &str) -> bool {
    let c = c.trim_start_matches(['+', '-', '−', '$']);
    c.chars().next().is_some_and(|ch| ch.is_ascii_digit())
}

/// Runs of five or more digits (not after a decimal point) get `,` separators:
/// `345299` → `345,299`; `12.34567` and `2026` are left alone.
pub fn group_thousands(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 4);
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit()
            && (i == 0
                || !(chars[i - 1].is_ascii_digit() || chars[i - 1] == '.' || chars[i - 1] == ','))
        {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            if run.len() >= 5 {
                for (k, ch) in run.chars().enumerate() {
                    if k > 0 && (run.len() - k) % 3 == 0 {
                        out.push(',');
                    }
                    out.push(ch);
                }
            } else {
                out.push_str(&run);
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_only_in_long_integer_runs() {
        assert_eq!(group_thousands("345299 req"), "345,299 req");
        assert_eq!(group_thousands("12.345678"), "12.345678");
        assert_eq!(group_thousands("2026"), "2026");
        assert_eq!(group_thousands("$1234567.89"), "$1,234,567.89");
    }

    #[test]
    fn tables_are_aligned() {
        let md = "# t\n| figure | base |\n|---|---:|\n| **p95** | 35.1 |\n| completed | 345299 |\n";
        let t = terminal_tables(md);
        let expected = format!(
            "# t\nfigure     base\n{}\np95{}35.1\ncompleted  345,299\n",
            "-".repeat(18),
            " ".repeat(11)
        );
        assert_eq!(t, expected);
    }

    #[test]
    fn colour_marks_verdict_words_only() {
        let mut c = Ctx::new(false, false, ColorChoice::Never);
        assert_eq!(c.paint("  pass x\n"), "  pass x\n");
        c.color = true;
        assert_eq!(c.paint("  fail x\nno\n"), "  \x1b[31mfail\x1b[0m x\nno\n");
    }
}
