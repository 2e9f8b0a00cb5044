//! JSON that is safe to print: serde_json's pretty output, with the characters it leaves raw
//! that can act on a terminal or hide text written as `\u` escapes.
//!
//! serde_json escapes only C0 controls (U+0000 to U+001F). A report's text comes from the
//! account (stop reasons, descriptions, tags), and `jq` or `cat` of the JSON would hand a C1
//! control (U+009B is CSI, a whole escape sequence in one character), DEL, a bidi override or
//! a zero-width character to the terminal as is (issue 16). The same characters as
//! [`super::terminal_safe`] shows as visible escapes are `\uXXXX` here; the JSON decodes to
//! the very same strings, and JSON without them is byte for byte serde_json's.

use std::io;

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use super::text::is_deceptive_format;

/// Whether serde_json leaves `c` raw although a terminal would act on it or hide it: DEL and
/// the C1 controls (C0 is escaped by serde_json itself), and [`is_deceptive_format`].
fn needs_escape(c: char) -> bool {
    (c.is_control() && c as u32 >= 0x7f) || is_deceptive_format(c)
}

/// [`PrettyFormatter`] with [`needs_escape`] characters written as `\u` escapes.
struct SafeFormatter(PrettyFormatter<'static>);

impl Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if needs_escape(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                // Every such character is in the Basic Multilingual Plane: one \u escape.
                write!(w, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    // The layout is PrettyFormatter's, delegated method by method (these are the ones it
    // overrides; the rest are the trait's defaults for both).
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `value` as pretty JSON with a final newline, with DEL, the C1 controls and the bidi,
/// zero-width and other invisible format characters as `\u` escapes: the one writer of the
/// JSON this tool prints or saves (reports, sweep summaries, snapshots), so that none of them
/// can carry a raw terminal control or invisible character.
///
/// Panics if `value` cannot be serialised, which for this crate's types (no maps with
/// non-string keys) cannot happen.
pub fn json_pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::with_capacity(4096);
    let mut ser =
        serde_json::Serializer::with_formatter(&mut out, SafeFormatter(PrettyFormatter::new()));
    value
        .serialize(&mut ser)
        .expect("this crate's types always serialise");
    out.push(b'\n');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_without_such_characters_is_serde_jsons() {
        let v = json!({
            "a": [1, 2.5, null, true, {"b": "c\"d\\e\n\t\u{1}"}],
            "empty": {}, "none": [], "é": "ünïcode ✓ 日本 😀",
            "nested": {"x": {"y": [[], [{}]]}}
        });
        let mut expected = serde_json::to_string_pretty(&v).unwrap();
        expected.push('\n');
        assert_eq!(json_pretty(&v), expected);
    }

    #[test]
    fn c1_del_bidi_and_zero_width_are_escaped_and_decode_back() {
        let mut hostile = String::from("a\u{1b}[2Jb\u{7f}");
        hostile.extend('\u{80}'..='\u{9f}');
        hostile.extend('\u{202a}'..='\u{202e}');
        hostile.extend('\u{2066}'..='\u{2069}');
        hostile.extend(['\u{200e}', '\u{200f}', '\u{061c}', '\u{2060}', '\u{feff}']);
        hostile.extend('\u{200b}'..='\u{200d}');
        hostile.push_str("end");
        let v = json!({ hostile.clone(): [hostile.clone()] });
        let out = json_pretty(&v);
        assert!(
            out.chars()
                .all(|c| c == '\n' || !needs_escape(c) && !c.is_control()),
            "{}",
            out.escape_debug()
        );
        for esc in [
            "a\\u001b[2Jb\\u007f\\u0080",
            "\\u009b",
            "\\u009f\\u202a",
            "\\u202e\\u2066",
            "\\u200e\\u200f\\u061c\\u2060\\ufeff\\u200b\\u200c\\u200dend",
        ] {
            assert!(out.contains(esc), "{esc} missing: {out}");
        }
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn ordinary_non_ascii_text_is_left_as_is() {
        let out = json_pretty(&json!("café – naïve ‘quotes’ — 日本語 👍"));
        assert_eq!(out, "\"café – naïve ‘quotes’ — 日本語 👍\"\n");
    }
}
