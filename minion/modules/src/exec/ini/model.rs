//! Salt's `ini_manage` file model (`_Section` / `_Ini`): an ordered tree of
//! options, comments (`#commentN`), unparsed lines (`#unknownN`) and
//! sections, parsed and written back exactly as Salt 3008.4 does, quirks
//! included (indented lines continue the previous entry, a new option takes
//! the place of a commented-out `#key = value` line, top-level options are
//! written before every section, the separator is re-spaced on write).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use halite_api::{Map, Value};
use regex::Regex;

/// Errors of the ini model, worded as Salt's exceptions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IniError {
    /// `CommandExecutionError` of `_Ini.refresh`.
    #[error("Unable to open file '{path}'. Exception: {reason}")]
    Open { path: String, reason: String },
    /// `CommandExecutionError` of `_Ini.flush`.
    #[error("Unable to write file '{path}'. Exception: {reason}")]
    Write { path: String, reason: String },
    /// A Python `AttributeError`/`TypeError` Salt's code raises on odd data.
    #[error("{0}")]
    Python(String),
}

/// One entry of a section: a string value (options, comments, unknown
/// lines) or a nested section.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Text(String),
    Section(Section),
}

/// Salt's `_Section`: an ordered map plus its separator settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub name: String,
    pub entries: Vec<(String, Entry)>,
    sep: String,
    no_spaces: bool,
}

fn com_regx() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^\s*(#|;)\s*(.*)").expect("static regex"))
}

fn indented_regx() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^(\s+)(.*)").expect("static regex"))
}

fn ini_regx() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?m)^\s*\[(.+?)\]\s*$").expect("static regex"))
}

/// Salt's option regex for a separator: `(\s*)(.+?)\s*(\SEP)\s*(.*)\s*`.
fn opt_regx(sep: &str) -> Regex {
    Regex::new(&format!(r"^(\s*)(.+?)\s*({})\s*(.*)", regex::escape(sep)))
        .unwrap_or_else(|_| Regex::new(r"^\b\B").expect("never-matching regex"))
}

pub use halite_api::py::splitlines;

impl Section {
    pub fn new(name: &str, sep: &str, no_spaces: bool) -> Self {
        Section {
            name: name.to_string(),
            entries: Vec::new(),
            sep: sep.to_string(),
            no_spaces,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, e)| e)
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k == key)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// `dict.pop(key, None)`.
    pub fn pop(&mut self, key: &str) -> Option<Entry> {
        self.position(key).map(|i| self.entries.remove(i).1)
    }

    /// `_Section.refresh`: parse the lines of a section body.
    fn refresh(&mut self, text: &str) -> Result<(), IniError> {
        let text = text.trim_matches('\n');
        if text.is_empty() {
            return Ok(());
        }
        self.entries.clear();
        let opt = opt_regx(&self.sep);
        let (mut comments, mut unknowns) = (1, 1);
        let mut curr_indent = String::new();
        for line in text.split('\n') {
            if com_regx().is_match(line) {
                self.set(&format!("#comment{comments}"), line)?;
                comments += 1;
                continue;
            }
            if let Some(c) = indented_regx().captures(line) {
                let indent = c[1].replace('\t', "    ");
                if indent.as_str() > curr_indent.as_str() {
                    if let Some((prev, Entry::Text(v))) = self.entries.last() {
                        let (prev, joined) = (prev.clone(), format!("{v}\n{line}"));
                        self.set(&prev, &joined)?;
                        continue;
                    }
                }
            }
            if let Some(c) = opt.captures(line) {
                curr_indent = c[1].replace('\t', "    ");
                self.set(&c[2], &c[4])?;
                continue;
            }
            self.set(&format!("#unknown{unknowns}"), line)?;
            unknowns += 1;
        }
        Ok(())
    }

    fn set(&mut self, key: &str, value: &str) -> Result<Map, IniError> {
        let mut m = Map::new();
        m.insert(key.to_string(), Value::String(value.to_string()));
        self.update(&m)
    }

    /// `_Section._uncomment_if_commented`: a new option takes the place of
    /// the first `#key = value` comment of this section (else goes last).
    fn uncomment_if_commented(&mut self, key: &str, entry: Entry) {
        let opt = opt_regx(&self.sep);
        let slot = self.entries.iter().position(|(k, e)| match e {
            Entry::Text(v) if k.contains("#comment") => opt
                .captures(v.trim_start_matches('#'))
                .is_some_and(|c| &c[2] == key),
            _ => false,
        });
        match slot {
            Some(i) => self.entries[i] = (key.to_string(), entry),
            None => self.entries.push((key.to_string(), entry)),
        }
    }

    /// A section built from a mapping (`_Section.update` on a fresh section).
    fn child(&self, name: &str, map: &Map) -> Result<Section, IniError> {
        let mut s = Section::new(name, &self.sep, self.no_spaces);
        s.update(map)?;
        Ok(s)
    }

    /// `_Section.update`: merge `upd` in, returning Salt's changes
    /// (`{key: {before, after}}`, nested for sections).
    pub fn update(&mut self, upd: &Map) -> Result<Map, IniError> {
        let mut changes = Map::new();
        for (key, value) in upd {
            let new = match value {
                Value::Object(m) => Entry::Section(self.child(key, m)?),
                other => Entry::Text(halite_api::py::str_of(other)),
            };
            let plain = new.to_value();
            let Some(i) = self.position(key) else {
                changes.insert(key.clone(), before_after(Value::Null, plain));
                match new {
                    Entry::Text(_) => self.uncomment_if_commented(key, new),
                    Entry::Section(_) => self.entries.push((key.clone(), new)),
                }
                continue;
            };
            match (&mut self.entries[i].1, value) {
                (Entry::Section(cur), Value::Object(m)) => {
                    let sub = cur.update(m)?;
                    if !sub.is_empty() {
                        changes.insert(key.clone(), Value::Object(sub));
                    }
                }
                (Entry::Section(_), other) => {
                    return Err(IniError::Python(format!(
                        "'{}' object has no attribute 'items'",
                        py_type(other)
                    )))
                }
                (cur @ Entry::Text(_), _) => {
                    if *cur != new {
                        changes.insert(key.clone(), before_after(cur.to_value(), plain));
                        *cur = new;
                    }
                }
            }
        }
        Ok(changes)
    }

    /// `_Section.gen_ini`: the header line, the comments and options, then
    /// the subsections.
    fn gen_ini(&mut self, out: &mut Vec<String>) {
        out.push(format!("\n[{}]\n", self.name));
        self.respace_sep();
        let sep = self.sep.clone();
        let mut subs = Vec::new();
        for (name, value) in &mut self.entries {
            match value {
                Entry::Text(v) if com_regx().is_match(name) => out.push(format!("{v}\n")),
                Entry::Section(s) => subs.push(s),
                Entry::Text(v) => out.push(format!("{name}{sep}{v}\n")),
            }
        }
        for s in subs {
            s.gen_ini(out);
        }
    }

    /// The separator as written: one space, bare with `no_spaces`, else
    /// wrapped in single spaces.
    fn respace_sep(&mut self) {
        if self.sep.chars().all(|c| c == ' ') {
            self.sep = " ".into();
        }
        if self.sep != " " {
            let bare = self.sep.trim();
            self.sep = if self.no_spaces {
                bare.to_string()
            } else {
                format!(" {bare} ")
            };
        }
    }

    /// The section as Salt's JSON of its OrderedDict (every entry).
    pub fn to_value(&self) -> Value {
        Value::Object(
            self.entries
                .iter()
                .map(|(k, e)| (k.clone(), e.to_value()))
                .collect(),
        )
    }

    /// The entries not starting with `#` (`get_section`'s view); with
    /// `deep`, subsections filtered the same way (`get_ini`'s view).
    pub fn visible(&self, deep: bool) -> Map {
        self.entries
            .iter()
            .filter(|(k, _)| !k.starts_with('#'))
            .map(|(k, e)| {
                let v = match e {
                    Entry::Section(s) if deep => Value::Object(s.visible(true)),
                    other => other.to_value(),
                };
                (k.clone(), v)
            })
            .collect()
    }
}

impl Entry {
    pub fn to_value(&self) -> Value {
        match self {
            Entry::Text(s) => Value::String(s.clone()),
            Entry::Section(s) => s.to_value(),
        }
    }
}

fn before_after(before: Value, after: Value) -> Value {
    let mut m = Map::new();
    m.insert("before".into(), before);
    m.insert("after".into(), after);
    Value::Object(m)
}

/// Python's type name of a value, for Salt's exception texts.
pub fn py_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Salt's `_Ini`: the file's top-level section plus its path.
#[derive(Debug, Clone)]
pub struct Ini {
    pub path: PathBuf,
    pub root: Section,
}

impl Ini {
    /// `_Ini.get_ini_file`: read and parse `path` (a missing file is empty;
    /// an unreadable one is an error unless `test`).
    pub fn load(path: &str, sep: &str, no_spaces: bool, test: bool) -> Result<Ini, IniError> {
        let mut ini = Ini {
            path: PathBuf::from(path),
            root: Section::new(path, sep, no_spaces),
        };
        if !Path::new(path).exists() {
            return Ok(ini);
        }
        let text = match std::fs::read(path) {
            Ok(b) => String::from_utf8(b).map_err(|e| IniError::Python(e.to_string()))?,
            Err(_) if test => return Ok(ini),
            Err(e) => {
                return Err(IniError::Open {
                    path: path.into(),
                    reason: crate::util::pyerr::os_error(&e, path),
                })
            }
        };
        ini.parse(&splitlines(&text).join("\n"))?;
        Ok(ini)
    }

    fn parse(&mut self, text: &str) -> Result<(), IniError> {
        if text.is_empty() {
            return Ok(());
        }
        let mut pieces = Vec::new();
        let mut last = 0;
        for c in ini_regx().captures_iter(text) {
            let whole = c.get(0).expect("group 0");
            pieces.push((c[1].to_string(), whole.end()));
            if pieces.len() == 1 {
                self.root.refresh(&text[last..whole.start()])?;
            } else {
                let (name, body_start) = pieces[pieces.len() - 2].clone();
                self.add_parsed(&name, &text[body_start..whole.start()])?;
            }
            last = whole.end();
        }
        match pieces.last() {
            None => self.root.refresh(text),
            Some((name, start)) => {
                let name = name.clone();
                self.add_parsed(&name, &text[*start..])
            }
        }
    }

    /// A parsed section merged in as `_Ini.refresh` does (`self.update`).
    fn add_parsed(&mut self, name: &str, body: &str) -> Result<(), IniError> {
        let mut s = Section::new(name, &self.root.sep, false);
        s.refresh(body)?;
        let mut m = Map::new();
        m.insert(name.to_string(), s.to_value());
        self.root.update(&m).map(|_| ())
    }

    /// The text `flush` writes.
    pub fn render(&mut self) -> String {
        let mut out = Vec::new();
        self.root.gen_ini(&mut out);
        let mut body: Vec<String> = out.into_iter().skip(1).collect();
        if let Some(first) = body.first_mut() {
            *first = first.trim_start_matches('\n').to_string();
        }
        body.concat()
    }

    /// `_Ini.flush`: write the file back (atomically; an existing file keeps
    /// its mode and owner).
    pub fn flush(&mut self) -> Result<(), IniError> {
        let text = self.render();
        crate::util::atomic::write_atomic(&self.path, text.as_bytes(), 0o644).map_err(|e| {
            IniError::Write {
                path: self.path.display().to_string(),
                reason: crate::util::pyerr::os_error(&e, &self.path.display().to_string()),
            }
        })
    }
}
