//! The `json` outputter: Python's `json.dumps(data, indent=4, ensure_ascii=False)`
//! as Salt calls it (key order as in the data, Python float repr).

use halite_api::Value;

use super::py;
use super::{Indent, OutputOptions};

/// Render `data` as Salt's json outputter does for the given options.
pub fn render(data: &Value, opts: &OutputOptions) -> String {
    let (indent, sort_keys) = match opts.output_indent {
        Indent::Default => (Some(4), false),
        Indent::Null => (None, false),
        Indent::Pretty => (Some(4), true),
        Indent::Spaces(n) if n < 0 => (None, false),
        Indent::Spaces(n) => (Some(n as usize), false),
    };
    let mut out = String::new();
    Writer { indent, sort_keys }.value(data, 0, &mut out);
    out
}

struct Writer {
    indent: Option<usize>,
    sort_keys: bool,
}

impl Writer {
    fn value(&self, v: &Value, level: usize, out: &mut String) {
        match v {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(&json_number(n)),
            Value::String(s) => write_string(s, out),
            Value::Array(items) => {
                if items.is_empty() {
                    return out.push_str("[]");
                }
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    self.separator(i, level + 1, out);
                    self.value(item, level + 1, out);
                }
                self.close(level, out);
                out.push(']');
            }
            Value::Object(map) => {
                if map.is_empty() {
                    return out.push_str("{}");
                }
                let mut entries: Vec<_> = map.iter().collect();
                if self.sort_keys {
                    entries.sort_by(|a, b| a.0.cmp(b.0));
                }
                out.push('{');
                for (i, (k, val)) in entries.into_iter().enumerate() {
                    self.separator(i, level + 1, out);
                    write_string(k, out);
                    out.push_str(": ");
                    self.value(val, level + 1, out);
                }
                self.close(level, out);
                out.push('}');
            }
        }
    }

    fn separator(&self, index: usize, level: usize, out: &mut String) {
        match self.indent {
            Some(width) => {
                if index > 0 {
                    out.push(',');
                }
                out.push('\n');
                out.push_str(&" ".repeat(width * level));
            }
            None if index > 0 => out.push_str(", "),
            None => {}
        }
    }

    fn close(&self, level: usize, out: &mut String) {
        if let Some(width) = self.indent {
            out.push('\n');
            out.push_str(&" ".repeat(width * level));
        }
    }
}

fn json_number(n: &serde_json::Number) -> String {
    if n.is_f64() {
        let f = n.as_f64().unwrap_or(0.0);
        if f.is_nan() {
            return "NaN".into();
        }
        if f.is_infinite() {
            return if f > 0.0 {
                "Infinity".into()
            } else {
                "-Infinity".into()
            };
        }
        py::float_repr(f)
    } else {
        n.to_string()
    }
}

/// A JSON string with Python's escapes (`ensure_ascii=False`).
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts(indent: Indent) -> OutputOptions {
        OutputOptions {
            output_indent: indent,
            ..OutputOptions::default()
        }
    }

    #[test]
    fn four_space_indent_and_empty_containers() {
        let v = json!({"local": {"a": [], "b": {}, "c": [1, 2.0]}});
        let want = "{\n    \"local\": {\n        \"a\": [],\n        \"b\": {},\n        \"c\": [\n            1,\n            2.0\n        ]\n    }\n}";
        assert_eq!(render(&v, &opts(Indent::Default)), want);
    }

    #[test]
    fn negative_indent_is_one_line() {
        let v = json!({"local": {"b": 1, "a": [true, null]}});
        assert_eq!(
            render(&v, &opts(Indent::Spaces(-1))),
            "{\"local\": {\"b\": 1, \"a\": [true, null]}}"
        );
        assert_eq!(render(&v, &opts(Indent::Pretty)), "{\n    \"local\": {\n        \"a\": [\n            true,\n            null\n        ],\n        \"b\": 1\n    }\n}");
    }

    #[test]
    fn strings_escape_controls_not_unicode() {
        let v = json!("é\u{1}\"\\\n");
        assert_eq!(
            render(&v, &opts(Indent::Default)),
            "\"é\\u0001\\\"\\\\\\n\""
        );
    }
}
