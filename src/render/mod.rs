//! render: a [`Report`] as JSON (the contract), plain text, or Markdown.
//!
//! Text and Markdown are views of the JSON, never sources of extra facts.

mod markdown;
mod sweep;
mod text;

use std::str::FromStr;

use crate::report::Report;

pub use markdown::markdown;
pub use sweep::sweep_text;
pub use text::text;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// DESIGN §4 JSON.
    Json,
    /// Plain text for a terminal.
    #[default]
    Text,
    /// Markdown for tickets and chat.
    Markdown,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!(
                "unknown format '{other}': expected json, text or markdown"
            )),
        }
    }
}

/// The report as pretty JSON with a final newline.
pub fn json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("reports always serialise");
    s.push('\n');
    s
}

/// Renders in the chosen format.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => json(report),
        Format::Text => text(report),
        Format::Markdown => markdown(report),
    }
}
