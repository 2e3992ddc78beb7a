//! The `yaml` outputter: a port of the parts of the libyaml/PyYAML emitter that Salt's
//! `safe_dump(data, default_flow_style=False, allow_unicode=True)` exercises
//! (sorted keys, indentless sequences under keys, quoting and folding at
//! 80 columns as libyaml, which Salt's dumper uses, decides them).

use std::sync::OnceLock;

use halite_api::Value;
use regex::Regex;

use super::{py, Indent, OutputOptions};

/// Render `data` as Salt's yaml outputter does.
pub fn render(data: &Value, opts: &OutputOptions) -> String {
    let (flow, indent) = match opts.output_indent {
        Indent::Spaces(n) if n < 0 => (true, 0),
        Indent::Spaces(n) => (false, n),
        _ => (false, 2),
    };
    let best_indent = if 1 < indent && indent < 10 {
        indent as usize
    } else {
        2
    };
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        whitespace: true,
        indention: true,
        indent: None,
        indents: Vec::new(),
        best_indent,
        best_width: 80,
        flow_level: usize::from(flow),
        flow_root: flow,
    };
    e.node(data, Context::Root);
    if !e.out.ends_with('\n') {
        e.out.push('\n');
    }
    e.out
}

#[derive(Clone, Copy, PartialEq)]
enum Context {
    Root,
    MappingValue,
    SequenceItem,
    Key,
}

struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: Option<usize>,
    indents: Vec<Option<usize>>,
    best_indent: usize,
    best_width: usize,
    flow_level: usize,
    flow_root: bool,
}

/// How a scalar is written.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
}

impl Emitter {
    fn write(&mut self, s: &str) {
        self.column += s.chars().count();
        self.out.push_str(s);
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        whitespace: bool,
        indention: bool,
    ) {
        if !self.whitespace && need_whitespace {
            self.write(" ");
        }
        self.write(indicator);
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
    }

    fn write_line_break(&mut self) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push('\n');
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.write_line_break();
        }
        if self.column < indent {
            self.whitespace = true;
            let pad = " ".repeat(indent - self.column);
            self.write(&pad);
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        self.indent = match self.indent {
            None if flow => Some(self.best_indent),
            None => Some(0),
            Some(i) if !indentless => Some(i + self.best_indent),
            Some(i) => Some(i),
        };
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().flatten();
    }

    fn node(&mut self, v: &Value, ctx: Context) {
        match v {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                if self.flow_level > 0 || entries.is_empty() {
                    self.flow_mapping(&entries);
                } else {
                    self.block_mapping(&entries);
                }
            }
            Value::Array(items) => {
                if self.flow_level > 0 || items.is_empty() {
                    self.flow_sequence(items);
                } else {
                    self.block_sequence(items, ctx == Context::MappingValue);
                }
            }
            scalar => {
                let (text, is_str) = scalar_text(scalar);
                self.scalar(&text, is_str, ctx == Context::Key);
            }
        }
    }

    fn block_mapping(&mut self, entries: &[(&String, &Value)]) {
        self.increase_indent(false, false);
        for (key, value) in entries {
            self.write_indent();
            self.scalar(key, true, true);
            self.write_indicator(":", false, false, false);
            self.node(value, Context::MappingValue);
        }
        self.pop_indent();
    }

    fn block_sequence(&mut self, items: &[Value], mapping_context: bool) {
        let indentless = mapping_context && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Context::SequenceItem);
        }
        self.pop_indent();
    }

    fn flow_mapping(&mut self, entries: &[(&String, &Value)]) {
        self.write_indicator("{", true, true, false);
        self.flow_level += 1;
        self.increase_indent(true, false);
        for (i, (key, value)) in entries.iter().enumerate() {
            if i > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > self.best_width {
                self.write_indent();
            }
            self.scalar(key, true, true);
            self.write_indicator(":", false, false, false);
            self.node(value, Context::MappingValue);
        }
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator("}", false, false, false);
    }

    fn flow_sequence(&mut self, items: &[Value]) {
        self.write_indicator("[", true, true, false);
        self.flow_level += 1;
        self.increase_indent(true, false);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > self.best_width {
                self.write_indent();
            }
            self.node(item, Context::SequenceItem);
        }
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator("]", false, false, false);
    }

    fn scalar(&mut self, text: &str, is_str: bool, simple_key: bool) {
        let style = self.choose_style(text, is_str, simple_key);
        let split = !simple_key;
        self.increase_indent(true, false);
        match style {
            Style::Plain => self.write_plain(text, split),
            Style::Single => self.write_single_quoted(text, split),
            Style::Double => self.write_double_quoted(text, split),
        }
        self.pop_indent();
        let _ = self.flow_root;
    }

    fn choose_style(&self, text: &str, is_str: bool, simple_key: bool) -> Style {
        let a = analyze(text);
        let implicit = !is_str || !resolves_to_non_str(text);
        if implicit && !(simple_key && (a.empty || a.multiline)) {
            let plain_ok = if self.flow_level > 0 {
                a.allow_flow_plain
            } else {
                a.allow_block_plain
            };
            if plain_ok {
                return Style::Plain;
            }
        }
        if a.allow_single_quoted && !(simple_key && a.multiline) {
            return Style::Single;
        }
        Style::Double
    }

    fn write_plain(&mut self, text: &str, split: bool) {
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.write(" ");
        }
        self.whitespace = false;
        self.indention = false;
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        let (mut start, mut end) = (0usize, 0usize);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > self.best_width && split {
                        self.write_indent();
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        let data: String = chars[start..end].iter().collect();
                        self.write(&data);
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    self.write_breaks(&chars[start..end]);
                    self.write_indent();
                    self.whitespace = false;
                    self.indention = false;
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c)) {
                let data: String = chars[start..end].iter().collect();
                self.write(&data);
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
    }

    fn write_breaks(&mut self, brs: &[char]) {
        if brs.first() == Some(&'\n') {
            self.write_line_break();
        }
        for br in brs {
            if *br == '\n' {
                self.write_line_break();
            } else {
                self.out.push(*br);
                self.whitespace = true;
                self.indention = true;
                self.column = 0;
            }
        }
    }

    fn write_single_quoted(&mut self, text: &str, split: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        let (mut start, mut end) = (0usize, 0usize);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end
                        && self.column > self.best_width
                        && split
                        && start != 0
                        && end != chars.len()
                    {
                        self.write_indent();
                    } else {
                        let data: String = chars[start..end].iter().collect();
                        self.write(&data);
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    self.write_breaks(&chars[start..end]);
                    self.write_indent();
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || c == '\'' || is_break(c)) && start < end {
                let data: String = chars[start..end].iter().collect();
                self.write(&data);
                start = end;
            }
            if ch == Some('\'') {
                self.write("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
        self.write_indicator("'", false, false, false);
    }

    /// libyaml's double-quoted writer (Salt dumps with the C emitter): folds
    /// only at a single space past the width, escaping a following space.
    fn write_double_quoted(&mut self, text: &str, split: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        for (i, &ch) in chars.iter().enumerate() {
            if needs_escape(ch) {
                self.write(&escape(ch));
                spaces = false;
            } else if ch == ' ' {
                if split
                    && !spaces
                    && self.column > self.best_width
                    && i != 0
                    && i != chars.len() - 1
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.write("\\");
                    }
                } else {
                    self.write(" ");
                }
                spaces = true;
            } else {
                self.write(&ch.to_string());
                spaces = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
        self.write_indicator("\"", false, false, false);
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// libyaml's `IS_PRINTABLE` (BMP only; `\n` counts as printable).
fn is_printable(c: char) -> bool {
    c == '\n'
        || ('\x20'..='\x7e').contains(&c)
        || ('\u{a0}'..='\u{d7ff}').contains(&c)
        || (('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}')
}

fn needs_escape(c: char) -> bool {
    !is_printable(c) || is_break(c) || c == '\r' || c == '"' || c == '\\'
}

fn escape(c: char) -> String {
    halite_render::yaml::escape_char(c)
}

/// The text of a scalar as PyYAML's SafeRepresenter writes it, and whether it is a str.
fn scalar_text(v: &Value) -> (String, bool) {
    match v {
        Value::Null => ("null".into(), false),
        Value::Bool(b) => ((if *b { "true" } else { "false" }).into(), false),
        Value::Number(n) if n.is_f64() => (float_text(n.as_f64().unwrap_or(0.0)), false),
        Value::Number(n) => (n.to_string(), false),
        Value::String(s) => (s.clone(), true),
        _ => (String::new(), false),
    }
}

fn float_text(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let repr = py::float_repr(f).to_lowercase();
    if !repr.contains('.') && repr.contains('e') {
        let (m, e) = repr.split_once('e').unwrap_or((&repr, ""));
        return format!("{m}.0e{e}");
    }
    repr
}

/// Would PyYAML's implicit resolver read this plain text as a non-string?
fn resolves_to_non_str(text: &str) -> bool {
    static RES: OnceLock<Vec<Regex>> = OnceLock::new();
    let res = RES.get_or_init(|| {
        [
            r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
            r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
            r"^(?:<<)$",
            r"^(?:~|null|Null|NULL|)$",
            r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
            r"^(?:=)$",
        ]
        .iter()
        .map(|p| Regex::new(p).expect("static regex"))
        .collect()
    });
    res.iter().any(|r| r.is_match(text))
}

/// PyYAML's `ScalarAnalysis` (only the fields the style choice reads).
struct Analysis {
    empty: bool,
    multiline: bool,
    allow_flow_plain: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

fn is_ws(c: char) -> bool {
    matches!(
        c,
        '\0' | ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

fn analyze(text: &str) -> Analysis {
    if text.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_flow_plain: false,
            allow_block_plain: true,
            allow_single_quoted: true,
        };
    }
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut block_ind = text.starts_with("---") || text.starts_with("...");
    let mut flow_ind = block_ind;
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let mut preceded_ws = true;
    let mut followed_ws = n == 1 || is_ws(chars[1]);
    let (mut prev_space, mut prev_break) = (false, false);
    for (i, &ch) in chars.iter().enumerate() {
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                flow_ind = true;
                block_ind = true;
            }
            if "?:".contains(ch) {
                flow_ind = true;
                block_ind |= followed_ws;
            }
            if ch == '-' && followed_ws {
                flow_ind = true;
                block_ind = true;
            }
        } else {
            if ",?[]{}".contains(ch) {
                flow_ind = true;
            }
            if ch == ':' {
                flow_ind = true;
                block_ind |= followed_ws;
            }
            if ch == '#' && preceded_ws {
                flow_ind = true;
                block_ind = true;
            }
        }
        if is_break(ch) {
            line_breaks = true;
        }
        if !(ch == '\n' || ('\x20'..='\x7e').contains(&ch)) {
            special |= !is_printable(ch);
        }
        if ch == ' ' {
            leading_space |= i == 0;
            trailing_space |= i == n - 1;
            break_space |= prev_break;
            prev_space = true;
            prev_break = false;
        } else if is_break(ch) {
            leading_break |= i == 0;
            trailing_break |= i == n - 1;
            space_break |= prev_space;
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_ws = is_ws(ch);
        followed_ws = i + 2 >= n || is_ws(chars[i + 2]);
    }
    let mut flow_plain = true;
    let mut block_plain = true;
    let mut single = true;
    if leading_space || leading_break || trailing_space || trailing_break {
        flow_plain = false;
        block_plain = false;
    }
    if break_space {
        flow_plain = false;
        block_plain = false;
        single = false;
    }
    if space_break || special {
        flow_plain = false;
        block_plain = false;
        single = false;
    }
    if line_breaks {
        flow_plain = false;
        block_plain = false;
    }
    if flow_ind {
        flow_plain = false;
    }
    if block_ind {
        block_plain = false;
    }
    Analysis {
        empty: false,
        multiline: line_breaks,
        allow_flow_plain: flow_plain,
        allow_block_plain: block_plain,
        allow_single_quoted: single,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dump(v: &Value) -> String {
        render(v, &OutputOptions::default())
    }

    #[test]
    fn block_layout() {
        let v =
            json!({"local": {"b": [1, {"y": 2, "x": [true]}, []], "a": {}, "c": null, "d": 1.5}});
        assert_eq!(dump(&v), "local:\n  a: {}\n  b:\n  - 1\n  - x:\n    - true\n    y: 2\n  - []\n  c: null\n  d: 1.5\n");
    }

    #[test]
    fn quoting_rules() {
        let v = json!({"s": ["20261124211746604162", "yes", "", "a: b", "- x", "plain text", "it's", "a\nb", "\tx", "é"]});
        assert_eq!(
            dump(&v),
            "s:\n- '20261124211746604162'\n- 'yes'\n- ''\n- 'a: b'\n- '- x'\n- plain text\n- it's\n- 'a\n\n  b'\n- \"\\tx\"\n- é\n"
        );
    }

    #[test]
    fn long_plain_scalars_fold_at_80() {
        let words = vec!["word"; 30].join(" ");
        let got = dump(&json!({"k": words}));
        let first = got.lines().next().unwrap();
        assert!(first.len() <= 84 && first.len() > 70, "{got}");
        assert!(got.lines().nth(1).unwrap().starts_with("  word"), "{got}");
    }

    #[test]
    fn negative_indent_is_flow() {
        let v = json!({"local": {"a": [1, "x y"], "b": {}}});
        let opts = OutputOptions {
            output_indent: Indent::Spaces(-1),
            ..OutputOptions::default()
        };
        assert_eq!(render(&v, &opts), "{local: {a: [1, x y], b: {}}}\n");
    }
}
