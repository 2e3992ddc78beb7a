//! The element tree the `xml` filter builds, and its text as Salt makes it:
//! ElementTree's `tostring` (us-ascii, so other characters become `&#N;`),
//! re-parsed by expat through minidom (its `not well-formed (invalid
//! token): line L, column C` for a bad tag or attribute name or a control
//! character, `unbound prefix` for an undeclared `p:` name; text `\r\n`
//! and `\r` read as `\n`), printed by `toprettyxml(indent=" ")`.
//! Not covered: a `None` tag (ElementTree writes only its content; here it
//! is a `cannot serialize` error) and expat's finer errors on names that
//! hold `=`, quotes or `>`.

use minijinja::value::ValueKind;
use minijinja::{Error, Value};

use super::filters_data::{error, py_type};

#[derive(Debug)]
struct Node {
    tag: Value,
    attrib: Vec<(Value, String)>,
    text: Option<String>,
    children: Vec<usize>,
}

/// ElementTree elements in an arena (detached ones simply stay unreached).
#[derive(Debug, Default)]
pub struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// `Element(tag)`, or `SubElement(parent, tag)`.
    pub fn element(&mut self, tag: Value, parent: Option<usize>) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node {
            tag,
            attrib: Vec::new(),
            text: None,
            children: Vec::new(),
        });
        if let Some(p) = parent {
            self.nodes[p].children.push(id);
        }
        id
    }

    pub fn set_text(&mut self, id: usize, text: String) {
        self.nodes[id].text = Some(text);
    }

    pub fn set_attrib(&mut self, id: usize, attrib: Vec<(Value, String)>) {
        self.nodes[id].attrib = attrib;
    }
}

/// Salt's output for the tree under `root`.
pub fn pretty(tree: &Tree, root: usize) -> Result<String, Error> {
    serializable(tree, root)?;
    let mut ser = Serializer::default();
    ser.element(tree, root, &[]);
    if let Some((at, msg)) = ser.error {
        let (line, col) = line_col(&ser.out, at);
        return Err(error(format!("{msg}: line {line}, column {col}")));
    }
    let mut out = String::from("<?xml version=\"1.0\" ?>\n");
    write_pretty(tree, root, "", &mut out);
    Ok(out)
}

/// ElementTree's `_namespaces` walk: a tag or attribute name that is not a
/// string is `cannot serialize 1 (type int)`.
fn serializable(tree: &Tree, id: usize) -> Result<(), Error> {
    let node = &tree.nodes[id];
    let keys = std::iter::once(&node.tag).chain(node.attrib.iter().map(|(k, _)| k));
    for key in keys {
        if key.kind() != ValueKind::String {
            let repr = super::tuple::py_str(key)
                .unwrap_or_else(|| crate::pyfmt::repr(&super::mutable::from_jinja(key)));
            return Err(error(format!(
                "cannot serialize {repr} (type {})",
                py_type(key)
            )));
        }
    }
    node.children
        .iter()
        .try_for_each(|&c| serializable(tree, c))
}

fn tag_of(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// `tostring`'s text, checked as expat reads it (first error kept).
#[derive(Default)]
struct Serializer {
    out: String,
    error: Option<(usize, &'static str)>,
}

const INVALID: &str = "not well-formed (invalid token)";

impl Serializer {
    fn fail(&mut self, at: usize, msg: &'static str) {
        self.error.get_or_insert((at, msg));
    }

    fn element(&mut self, tree: &Tree, id: usize, bound: &[String]) {
        let node = &tree.nodes[id];
        let open = self.out.len();
        let tag = tag_of(&node.tag);
        self.out.push('<');
        let tag_at = self.out.len();
        push_ascii(&mut self.out, tag);
        let mut spans = vec![(tag_at, self.out.len(), true)];
        let mut values = Vec::new();
        for (k, v) in &node.attrib {
            self.out.push(' ');
            let at = self.out.len();
            push_ascii(&mut self.out, tag_of(k));
            spans.push((at, self.out.len(), false));
            self.out.push_str("=\"");
            let vat = self.out.len();
            push_ascii(&mut self.out, &escape_attrib(v));
            values.push((vat, self.out.len()));
            self.out.push('"');
        }
        let text = node.text.as_deref().filter(|t| !t.is_empty());
        let empty = text.is_none() && node.children.is_empty();
        self.out.push_str(if empty { " />" } else { ">" });
        for (s, e, is_tag) in spans {
            if let Some(at) = name_error(&self.out, s, e, is_tag) {
                self.fail(at, INVALID);
            }
        }
        values.into_iter().for_each(|(s, e)| self.check_chars(s, e));
        let scope = declared(node, bound);
        if self.error.is_none() && !prefixes_bound(node, &scope) {
            self.fail(open, "unbound prefix");
        }
        if let Some(t) = text {
            let at = self.out.len();
            push_ascii(&mut self.out, &escape_cdata(t));
            self.check_chars(at, self.out.len());
        }
        for &c in &node.children {
            self.element(tree, c, &scope);
        }
        if !empty {
            self.out.push_str("</");
            push_ascii(&mut self.out, tag);
            self.out.push('>');
        }
    }

    /// Expat refuses control characters other than tab, CR and LF.
    fn check_chars(&mut self, start: usize, end: usize) {
        let bad = self.out[start..end]
            .char_indices()
            .find(|(_, c)| (*c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'));
        if let Some((i, _)) = bad {
            self.fail(start + i, INVALID);
        }
    }
}

/// The prefixes in scope: the parent's plus this element's `xmlns:p`.
fn declared(node: &Node, bound: &[String]) -> Vec<String> {
    let mut scope = bound.to_vec();
    for (k, _) in &node.attrib {
        if let Some(p) = tag_of(k).strip_prefix("xmlns:") {
            scope.push(p.to_string());
        }
    }
    scope
}

fn prefixes_bound(node: &Node, scope: &[String]) -> bool {
    let names = std::iter::once(tag_of(&node.tag))
        .chain(node.attrib.iter().map(|(k, _)| tag_of(k)))
        .filter(|n| !n.starts_with("xmlns:"));
    names
        .filter_map(|n| n.split_once(':').map(|(p, _)| p))
        .all(|p| p == "xml" || scope.iter().any(|s| s == p))
}

/// ElementTree's us-ascii output: other characters as `&#N;`.
fn push_ascii(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("&#{};", c as u32));
        }
    }
}

fn escape_cdata(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn escape_attrib(t: &str) -> String {
    escape_cdata(t)
        .replace('"', "&quot;")
        .replace('\r', "&#13;")
        .replace('\n', "&#10;")
        .replace('\t', "&#09;")
}

fn name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b':'
}

fn name_char(c: u8) -> bool {
    name_start(c) || c.is_ascii_digit() || c == b'.' || c == b'-'
}

/// Where expat stops on the name written at `start..end` of `out`: a bad
/// first character, a character names do not hold, or (a name with a
/// blank) the token after the word it then takes for an attribute name.
fn name_error(out: &str, start: usize, end: usize, is_tag: bool) -> Option<usize> {
    let b = out.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(b'>');
    if !name_start(at(start)) {
        return Some(start);
    }
    let mut i = start;
    while i < end && name_char(at(i)) {
        i += 1;
    }
    if i >= end {
        return None;
    }
    if !at(i).is_ascii_whitespace() {
        return Some(i);
    }
    let skip = |mut j: usize| {
        while at(j).is_ascii_whitespace() {
            j += 1;
        }
        j
    };
    let j = skip(i);
    if !is_tag || !name_start(at(j)) {
        return Some(j);
    }
    let mut k = j;
    while name_char(at(k)) {
        k += 1;
    }
    Some(skip(k))
}

/// Expat's 1-based line and 0-based column of byte `at` (CR, LF, CRLF end lines).
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let (mut line, mut col) = (1, 0);
    let mut chars = text[..at].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => {
                line += 1;
                col = 0;
            }
            _ => col += 1,
        }
    }
    (line, col)
}

/// minidom's `_write_data`.
fn write_data(out: &mut String, data: &str) {
    out.push_str(
        &data
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;")
            .replace('>', "&gt;"),
    );
}

/// minidom's `Element.writexml(writer, indent, " ", "\n")` on the parsed
/// tree (expat turns the text's CRLF and CR into LF).
fn write_pretty(tree: &Tree, id: usize, indent: &str, out: &mut String) {
    let node = &tree.nodes[id];
    let tag = tag_of(&node.tag);
    out.push_str(indent);
    out.push('<');
    out.push_str(tag);
    for (k, v) in &node.attrib {
        out.push_str(&format!(" {}=\"", tag_of(k)));
        write_data(out, v);
        out.push('"');
    }
    let text = node
        .text
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| t.replace("\r\n", "\n").replace('\r', "\n"));
    if text.is_none() && node.children.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push('>');
    match (&text, node.children.is_empty()) {
        (Some(t), true) => write_data(out, t),
        _ => {
            out.push('\n');
            let inner = format!("{indent} ");
            if let Some(t) = &text {
                write_data(out, &format!("{inner}{t}\n"));
            }
            for &c in &node.children {
                write_pretty(tree, c, &inner, out);
            }
            out.push_str(indent);
        }
    }
    out.push_str(&format!("</{tag}>\n"));
}
