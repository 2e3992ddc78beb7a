//! YAML output like PyYAML's `safe_dump` as Salt calls it (`allow_unicode=True`):
//! block style ([`dump`]), one-line flow style ([`dump_flow`]) and single scalars
//! ([`dump_scalar`]).

use halite_api::{Map, Value};

use super::resolve::{implicit_tag, Implicit};

/// PyYAML's default preferred line width.
const BEST_WIDTH: usize = 80;

/// Block-style YAML (`safe_dump(default_flow_style=False)`), insertion order kept.
pub fn dump(value: &Value) -> String {
    let mut out = Emitter::default();
    match value {
        Value::Object(m) if !m.is_empty() => out.block_map(m, 0),
        Value::Array(a) if !a.is_empty() => out.block_seq(a, 0),
        other => {
            out.text.push_str(&flow(other, 0));
            out.text.push('\n');
        }
    }
    out.text
}

/// One-line flow-style YAML (`safe_dump(default_flow_style=True)`) without the
/// trailing newline or `...` marker.
pub fn dump_flow(value: &Value) -> String {
    flow(value, 0)
}

/// A scalar as a YAML literal (Salt's `yaml_encode`): quoted only when needed.
pub fn dump_scalar(value: &Value) -> String {
    flow(value, 0)
}

#[derive(Default)]
struct Emitter {
    text: String,
}

impl Emitter {
    fn indent(&mut self, n: usize) {
        self.text.extend(std::iter::repeat_n(' ', n));
    }

    fn block_map(&mut self, map: &Map, indent: usize) {
        let mut first = true;
        for (k, v) in map {
            if !first {
                self.indent(indent);
            }
            first = false;
            if is_simple_key(k) {
                self.text.push_str(&scalar_text(k, true, indent));
                self.text.push(':');
                self.block_value(v, indent, true);
            } else {
                // PyYAML's explicit key: `? key`, then `: value` laid out
                // like a sequence item's
                self.text.push_str("? ");
                self.text.push_str(&scalar_text(k, true, indent));
                self.text.push('\n');
                self.indent(indent);
                self.text.push(':');
                self.block_value(v, indent, false);
            }
        }
    }

    fn block_seq(&mut self, items: &[Value], indent: usize) {
        let mut first = true;
        for v in items {
            if !first {
                self.indent(indent);
            }
            first = false;
            self.text.push('-');
            self.block_value(v, indent, false);
        }
    }

    /// The value after `key:` or `-`: nested collections go on their own lines
    /// (sequences inside mappings are not indented, as PyYAML does).
    fn block_value(&mut self, v: &Value, indent: usize, in_map: bool) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                if in_map {
                    self.text.push('\n');
                    self.indent(indent + 2);
                } else {
                    self.text.push(' ');
                }
                self.block_map(m, indent + 2);
            }
            Value::Array(a) if !a.is_empty() => {
                if in_map {
                    self.text.push('\n');
                    self.indent(indent);
                    self.block_seq(a, indent);
                } else {
                    self.text.push(' ');
                    self.block_seq(a, indent + 2);
                }
            }
            other => {
                self.text.push(' ');
                self.text.push_str(&flow(other, indent + 2));
                self.text.push('\n');
            }
        }
    }
}

/// PyYAML's `check_simple_key` for a string key: shorter than 128
/// characters and on one line; other keys are written as `? key`.
fn is_simple_key(k: &str) -> bool {
    k.chars().count() < 128 && !k.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
}

/// Flow-style text of any value; `indent` is used for folded continuation lines.
fn flow(value: &Value, indent: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_text(n),
        Value::String(s) => scalar_text(s, false, indent),
        Value::Array(a) => format!(
            "[{}]",
            a.iter()
                .map(|v| flow(v, indent))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", scalar_text(k, true, indent), flow(v, indent)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// PyYAML `represent_float` / `represent_int` text.
fn number_text(n: &serde_json::Number) -> String {
    if n.is_f64() {
        let f = n.as_f64().unwrap_or_default();
        let repr = crate::pyfmt::float_repr(f);
        if !repr.contains('.') && repr.contains('e') {
            // PyYAML turns `1e+20` into `1.0e+20` so it reads back as a float.
            repr.replacen('e', ".0e", 1)
        } else {
            repr
        }
    } else {
        n.to_string()
    }
}

/// How a string scalar is written.
#[derive(Debug, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
}

fn scalar_text(s: &str, key: bool, indent: usize) -> String {
    match choose_style(s, key) {
        Style::Plain => fold_plain(s, indent),
        Style::Single => single_quoted(s, indent),
        Style::Double => double_quoted(s),
    }
}

fn is_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        && c != '\u{FEFF}'
}

/// PyYAML's `analyze_scalar` + `choose_scalar_style` for block context.
fn choose_style(s: &str, key: bool) -> Style {
    if s.chars().any(|c| !is_printable(c)) {
        return Style::Double;
    }
    let multiline = s.contains(['\n', '\u{85}', '\u{2028}', '\u{2029}']);
    if key && multiline {
        return Style::Double;
    }
    // `=` resolves to PyYAML's `value` tag, which the loader refuses: quoted
    if plain_allowed(s) && !multiline && implicit_tag(s) == Implicit::Str && s != "=" {
        Style::Plain
    } else {
        Style::Single
    }
}

fn plain_allowed(s: &str) -> bool {
    if s.is_empty() || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if s.starts_with([' ', '\t']) || s.ends_with([' ', '\t']) {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next_blank = chars.get(i + 1).is_none_or(|n| *n == ' ' || *n == '\n');
        let prev_blank = i > 0 && chars[i - 1] == ' ';
        let bad = if i == 0 {
            "#,[]{}&*!|>'\"%@`".contains(c) || (matches!(c, '?' | ':' | '-') && next_blank)
        } else {
            (c == ':' && next_blank) || (c == '#' && prev_blank)
        };
        if bad {
            return false;
        }
    }
    true
}

/// Plain scalar, folding at a single space once past the line width.
fn fold_plain(s: &str, indent: usize) -> String {
    let mut out = String::new();
    let mut column = indent;
    let words: Vec<&str> = s.split(' ').collect();
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            let single_space = !word.is_empty() && !words[i - 1].is_empty();
            if single_space && column > BEST_WIDTH {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent));
                column = indent;
            } else {
                out.push(' ');
                column += 1;
            }
        }
        out.push_str(word);
        column += word.chars().count();
    }
    out
}

/// Single-quoted scalar: `'` doubled; line breaks written as blank lines.
fn single_quoted(s: &str, indent: usize) -> String {
    let mut out = String::from("'");
    let pad: String = std::iter::repeat_n(' ', indent).collect();
    let lines: Vec<&str> = s.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            // A run of N line breaks becomes N+1 newlines (the first is folded).
            out.push('\n');
            if !lines[i - 1].is_empty() || i == 1 {
                out.push('\n');
            }
            if !line.is_empty() {
                out.push_str(&pad);
            }
        }
        out.push_str(&line.replace('\'', "''"));
    }
    out.push('\'');
    out
}

fn double_quoted(s: &str) -> String {
    double_quoted_text(s, true)
}

/// A PyYAML double-quoted scalar (`Emitter.write_double_quoted`, no line
/// folding): its named escapes; other characters outside printable ASCII
/// (outside PyYAML's printable set with `allow_unicode`) as `\xXX`,
/// `\uXXXX` or `\UXXXXXXXX`.
pub fn double_quoted_text(s: &str, allow_unicode: bool) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        let plain = if allow_unicode {
            is_printable(c)
        } else {
            (' '..='~').contains(&c)
        };
        if plain && named_escape(c).is_none() {
            out.push(c);
        } else {
            out.push_str(&escape_char(c));
        }
    }
    out.push('"');
    out
}

fn named_escape(c: char) -> Option<char> {
    Some(match c {
        '\0' => '0',
        '\x07' => 'a',
        '\x08' => 'b',
        '\t' => 't',
        '\n' => 'n',
        '\x0B' => 'v',
        '\x0C' => 'f',
        '\r' => 'r',
        '\x1B' => 'e',
        '"' => '"',
        '\\' => '\\',
        '\u{85}' => 'N',
        '\u{A0}' => '_',
        '\u{2028}' => 'L',
        '\u{2029}' => 'P',
        _ => return None,
    })
}

/// PyYAML's escape of one character inside a double-quoted scalar.
pub fn escape_char(c: char) -> String {
    match named_escape(c) {
        Some(n) => format!("\\{n}"),
        None if (c as u32) <= 0xFF => format!("\\x{:02X}", c as u32),
        None if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
        None => format!("\\U{:08X}", c as u32),
    }
}
