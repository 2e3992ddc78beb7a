//! The `nested` outputter (Salt's default): an indented tree, keys sorted,
//! `----------` above nested mappings, `|_` for containers inside lists.

use halite_api::Value;

use super::colors::{strip_esc, Colors};
use super::py;
use super::OutputOptions;

/// Render `data` starting at `base_indent` columns.
pub fn render(data: &Value, opts: &OutputOptions, base_indent: usize) -> String {
    let nest = Nest {
        colors: Colors::new(opts.color),
        strip_colors: opts.strip_colors,
        failed: opts.retcode != 0,
    };
    let mut out = Lines::default();
    nest.display(data, base_indent, "", &mut out);
    out.text
}

/// Output lines joined with `\n` as they are produced (no line list).
#[derive(Default)]
struct Lines {
    text: String,
    started: bool,
}

impl Lines {
    /// Start a new line and return the buffer to write it into.
    fn next(&mut self) -> &mut String {
        if self.started {
            self.text.push('\n');
        }
        self.started = true;
        &mut self.text
    }
}

struct Nest {
    colors: Colors,
    strip_colors: bool,
    /// A non-zero retcode paints containers red.
    failed: bool,
}

impl Nest {
    fn line(
        &self,
        out: &mut Lines,
        indent: usize,
        color: &str,
        msg: &str,
        prefix: &str,
        suffix: &str,
    ) {
        let text = out.next();
        text.extend(std::iter::repeat_n(' ', indent));
        for part in [color, prefix, msg, self.colors.endc, suffix] {
            text.push_str(part);
        }
    }

    fn container_color(&self, normal: &'static str) -> &'static str {
        if self.failed {
            self.colors.red
        } else {
            normal
        }
    }

    fn display(&self, v: &Value, indent: usize, prefix: &str, out: &mut Lines) {
        match v {
            Value::Null | Value::Bool(_) | Value::Number(_) => {
                self.line(
                    out,
                    indent,
                    self.colors.light_yellow,
                    &py::repr(v),
                    prefix,
                    "",
                );
            }
            Value::String(s) => self.display_str(s, indent, prefix, out),
            Value::Array(items) => {
                let color = self.container_color(self.colors.green);
                for item in items {
                    if item.is_array() || item.is_object() {
                        self.line(out, indent, color, "|_", "", "");
                        let inner = if item.is_object() { "" } else { "- " };
                        self.display(item, indent + 2, inner, out);
                    } else {
                        self.display(item, indent, "- ", out);
                    }
                }
            }
            Value::Object(map) => {
                let color = self.container_color(self.colors.cyan);
                if indent > 0 {
                    self.line(out, indent, color, "----------", "", "");
                }
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                for (key, value) in entries {
                    self.line(out, indent, color, key, prefix, ":");
                    self.display(value, indent + 4, "", out);
                }
            }
        }
    }

    fn display_str(&self, s: &str, indent: usize, prefix: &str, out: &mut Lines) {
        let continuation = " ".repeat(prefix.chars().count());
        for (i, line) in py::splitlines(s).into_iter().enumerate() {
            let line_prefix = if i == 0 {
                prefix
            } else {
                continuation.as_str()
            };
            if self.strip_colors {
                let text = strip_esc(line);
                self.line(out, indent, self.colors.green, &text, line_prefix, "");
            } else {
                self.line(out, indent, self.colors.green, line, line_prefix, "");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tree_layout() {
        let v = json!({"local": {"b": [1, {"x": null}, [2]], "a": "l1\nl2", "c": {}}});
        let want = "local:\n    ----------\n    a:\n        l1\n        l2\n    b:\n        - 1\n        |_\n          ----------\n          x:\n              None\n        |_\n          - 2\n    c:\n        ----------";
        assert_eq!(render(&v, &OutputOptions::default(), 0), want);
    }

    #[test]
    fn colours_when_enabled() {
        let opts = OutputOptions {
            color: true,
            ..OutputOptions::default()
        };
        let got = render(&json!({"k": true}), &opts, 0);
        assert_eq!(got, "\x1b[0;36mk\x1b[0;0m:\n    \x1b[0;1;33mTrue\x1b[0;0m");
    }
}
