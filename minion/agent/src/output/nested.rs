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
    let mut lines = Vec::new();
    nest.display(data, base_indent, "", &mut lines);
    lines.join("\n")
}

struct Nest {
    colors: Colors,
    strip_colors: bool,
    /// A non-zero retcode paints containers red.
    failed: bool,
}

impl Nest {
    fn line(&self, indent: usize, color: &str, msg: &str, prefix: &str, suffix: &str) -> String {
        format!(
            "{}{color}{prefix}{msg}{}{suffix}",
            " ".repeat(indent),
            self.colors.endc
        )
    }

    fn container_color(&self, normal: &'static str) -> &'static str {
        if self.failed {
            self.colors.red
        } else {
            normal
        }
    }

    fn display(&self, v: &Value, indent: usize, prefix: &str, out: &mut Vec<String>) {
        match v {
            Value::Null | Value::Bool(_) | Value::Number(_) => {
                out.push(self.line(indent, self.colors.light_yellow, &py::repr(v), prefix, ""));
            }
            Value::String(s) => self.display_str(s, indent, prefix, out),
            Value::Array(items) => {
                let color = self.container_color(self.colors.green);
                for item in items {
                    if item.is_array() || item.is_object() {
                        out.push(self.line(indent, color, "|_", "", ""));
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
                    out.push(self.line(indent, color, "----------", "", ""));
                }
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                for key in keys {
                    out.push(self.line(indent, color, key, prefix, ":"));
                    self.display(&map[key], indent + 4, "", out);
                }
            }
        }
    }

    fn display_str(&self, s: &str, indent: usize, prefix: &str, out: &mut Vec<String>) {
        let continuation = " ".repeat(prefix.chars().count());
        for (i, line) in py::splitlines(s).into_iter().enumerate() {
            let line_prefix = if i == 0 {
                prefix
            } else {
                continuation.as_str()
            };
            let text = if self.strip_colors {
                strip_esc(line)
            } else {
                line.to_string()
            };
            out.push(self.line(indent, self.colors.green, &text, line_prefix, ""));
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
