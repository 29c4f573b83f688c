//! The model's `[[assumptions]]` as a table (key, value, why, source), shared
//! by `report.md` / `report.html` and `stages.md` so both read the same.

use super::document::Block;
use crate::model::Assumption;

/// The value as the model's author wrote it: a TOML string shows its text
/// (`"0.40"` reads `0.40`), any other value its TOML form.
pub fn shown_value(value: &str) -> String {
    match toml::from_str::<toml::Table>(&format!("v = {value}")) {
        Ok(t) => match t.get("v") {
            Some(toml::Value::String(s)) => s.clone(),
            _ => value.to_string(),
        },
        Err(_) => value.to_string(),
    }
}

/// A heading, a sentence saying what the list is, and the table; nothing
/// when the model assumes nothing (no empty section).
pub fn blocks(list: &[Assumption], level: u8, title: &str, lead: &str) -> Vec<Block> {
    if list.is_empty() {
        return Vec::new();
    }
    let rows = list
        .iter()
        .map(|a| {
            vec![
                a.key.clone(),
                shown_value(&a.value),
                a.why.clone(),
                a.source.clone().unwrap_or_default(),
            ]
        })
        .collect();
    vec![
        Block::Heading(level, title.to_string()),
        Block::Paragraph(lead.to_string()),
        Block::Table {
            head: ["key", "value", "why", "source"].map(String::from).to_vec(),
            rows,
        },
    ]
}

/// The lead sentence of the report's table.
pub const REPORT_LEAD: &str = "Values the model assumes rather than takes from a source, as its [[assumptions]] list them. The run uses the value at each key in the model; this table records why it was chosen.";

/// The lead sentence of the table in `stages.md`.
pub const STAGES_LEAD: &str = "Values the base model assumes, as its [[assumptions]] list them. A stage whose `set` replaces an assumed key runs with the stage's value; this list still shows the base model's.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_show_their_text_other_values_their_toml() {
        assert_eq!(shown_value("\"0.40\""), "0.40");
        assert_eq!(shown_value("0.4"), "0.4");
        assert_eq!(
            shown_value("{ dist = \"exponential\", mean = \"1ms\" }"),
            "{ dist = \"exponential\", mean = \"1ms\" }"
        );
        assert_eq!(shown_value("not toml ="), "not toml =");
    }

    #[test]
    fn no_assumptions_no_section() {
        assert!(blocks(&[], 2, "Assumptions", STAGES_LEAD).is_empty());
        let a = Assumption {
            key: "components.api.cpu".into(),
            value: "\"10ms\"".into(),
            why: "no profile".into(),
            source: None,
        };
        let b = blocks(&[a], 3, "Assumed values", REPORT_LEAD);
        let Some(Block::Table { rows, .. }) = b.get(2) else {
            panic!("the third block is the table: {b:?}");
        };
        assert_eq!(rows[0], ["components.api.cpu", "10ms", "no profile", ""]);
    }
}
