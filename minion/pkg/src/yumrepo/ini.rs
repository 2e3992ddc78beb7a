//! `.repo` files as Salt's yumpkg reads and writes them: Python's
//! `configparser` (keys lowercased, `=`/`:`, indented continuation lines,
//! `#`/`;` comment lines, strict duplicates) plus yumpkg's own comment
//! scan (`_parse_repo_file`: leading `#` lines are the header, later ones
//! the `comments` of the section above), and the two writers of
//! `mod_repo` and `del_repo`, which differ in layout.

use std::path::Path;

use halite_api::{Map, Value};

use super::RepoError;

/// A parsed `.repo` file: header comment lines and `{section: {key: value}}`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RepoFile {
    pub header: String,
    pub sections: Map,
}

/// One option while reading: its value lines (`None`: no delimiter).
type Pending = Vec<(String, Vec<String>)>;

/// Salt's `_parse_repo_file`: a file without a section header reads as
/// empty (Salt logs and returns `("", {})`); a missing file as empty.
pub fn parse(path: &Path, strict: bool) -> Result<RepoFile, RepoError> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(RepoFile::default());
    };
    let shown = path.display().to_string();
    let Some(sections) = configparser(&text, &shown, strict)? else {
        return Ok(RepoFile::default());
    };
    let mut file = RepoFile {
        header: String::new(),
        sections,
    };
    scan_comments(&text, &mut file);
    Ok(file)
}

/// Python's `ConfigParser.read` into `_sections`; `None` on
/// `MissingSectionHeaderError`.
fn configparser(text: &str, source: &str, strict: bool) -> Result<Option<Map>, RepoError> {
    let mut sections: Vec<(String, Pending)> = Vec::new();
    let mut cur: Option<usize> = None;
    let mut opt: Option<usize> = None;
    let mut indent = 0usize;
    let mut errors: Vec<String> = Vec::new();
    let mut added: Vec<String> = Vec::new();
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let lineno = n + 1;
        let stripped = line.trim();
        let comment = stripped.starts_with('#') || stripped.starts_with(';');
        if comment || stripped.is_empty() {
            // empty lines belong to a multi-line value (trimmed at the end)
            if !comment {
                if let (Some(s), Some(o)) = (cur, opt) {
                    sections[s].1[o].1.push(String::new());
                }
            }
            continue;
        }
        let level = line.len() - line.trim_start().len();
        if let (Some(s), Some(o)) = (cur, opt) {
            if level > indent {
                sections[s].1[o].1.push(stripped.to_string());
                continue;
            }
        }
        indent = level;
        if let Some(header) = section_header(stripped) {
            let key = format!("[{header}]");
            if strict && added.contains(&key) {
                return Err(RepoError::Failed(format!(
                    "While reading from '{source}' [line {lineno:2}]: section '{header}' already exists"
                )));
            }
            added.push(key);
            cur = Some(match sections.iter().position(|(h, _)| *h == header) {
                Some(i) => i,
                None => {
                    sections.push((header.to_string(), Vec::new()));
                    sections.len() - 1
                }
            });
            opt = None;
            continue;
        }
        let Some(s) = cur else {
            return Ok(None);
        };
        match split_option(stripped) {
            Some((name, value)) if !name.is_empty() => {
                let name = name.to_lowercase();
                let key = format!("[{}]{name}", sections[s].0);
                if strict && added.contains(&key) {
                    return Err(RepoError::Failed(format!(
                        "While reading from '{source}' [line {lineno:2}]: option '{name}' in section '{}' already exists",
                        sections[s].0
                    )));
                }
                added.push(key);
                let opts = &mut sections[s].1;
                let value = vec![value.to_string()];
                opt = Some(match opts.iter().position(|(k, _)| *k == name) {
                    Some(i) => {
                        opts[i].1 = value;
                        i
                    }
                    None => {
                        opts.push((name, value));
                        opts.len() - 1
                    }
                });
            }
            _ => errors.push(format!("\n\t[line {lineno:2}]: {}", py_repr_line(line))),
        }
    }
    if !errors.is_empty() {
        return Err(RepoError::Failed(format!(
            "Source contains parsing errors: '{source}'{}",
            errors.concat()
        )));
    }
    Ok(Some(
        sections
            .into_iter()
            // configparser keeps [DEFAULT] out of `_sections`, which is
            // all yumpkg reads (and writes back)
            .filter(|(name, _)| name != "DEFAULT")
            .map(|(name, opts)| {
                let body: Map = opts
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v.join("\n").trim_end().to_string())))
                    .collect();
                (name, Value::Object(body))
            })
            .collect(),
    ))
}

/// configparser's `SECTCRE` (`\[(?P<header>.+)\]`, matched at the start).
fn section_header(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    (end > 0).then(|| &rest[..end])
}

/// configparser's `OPTCRE`: the first `=` or `:` splits name and value.
fn split_option(line: &str) -> Option<(&str, &str)> {
    let at = line.find(['=', ':'])?;
    Some((line[..at].trim_end(), line[at + 1..].trim()))
}

/// Python's `repr()` of a raw line, as a `ParsingError` shows it.
fn py_repr_line(line: &str) -> String {
    format!(
        "'{}'",
        line.replace('\\', "\\\\")
            .replace('\'', "\\'")
            .replace('\n', "\\n")
            .replace('\t', "\\t")
    )
}

/// yumpkg's comment scan: `#` lines before the first `[...]` line are the
/// header; later ones go to that section's `comments` (without the `#`).
fn scan_comments(text: &str, file: &mut RepoFile) {
    let mut section: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(body) = line.strip_prefix('#') {
            match &section {
                None => {
                    file.header.push_str(line);
                    file.header.push('\n');
                }
                Some(name) => {
                    if let Some(Value::Object(s)) = file.sections.get_mut(name) {
                        let entry = s
                            .entry("comments")
                            .or_insert_with(|| Value::Array(Vec::new()));
                        if let Value::Array(list) = entry {
                            list.push(body.trim_start().into());
                        }
                    }
                }
            }
        } else if line.starts_with('[') && line.ends_with(']') && line.len() >= 2 {
            section = Some(line[1..line.len() - 1].to_string());
        }
    }
}

/// `salt.utils.pkg.rpm.combine_comments`: `# text\n` per comment.
pub fn combine_comments(comments: &Value) -> String {
    let list = match comments {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    };
    list.iter()
        .map(|c| format!("# {}\n", py_str(c).trim_start_matches('#').trim_start()))
        .collect()
}

/// Python's `str()` of a value.
pub fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

fn py_repr(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, x)| format!("'{k}': {}", py_repr(x)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => halite_api::module::value_to_arg_string(other),
    }
}

/// One `key=value` value as the writers put it: continuation lines
/// indented by one space; `mod_repo` writes bools as `1`/`0`.
fn value_text(v: &Value, bools_as_digits: bool) -> String {
    match v {
        Value::Bool(b) if bools_as_digits => if *b { "1" } else { "0" }.to_string(),
        Value::String(s) => s.split('\n').collect::<Vec<_>>().join("\n "),
        other => py_str(other),
    }
}

/// The text `mod_repo` writes: header, then per section `[name]`, its
/// options, its comments and an empty line. Comments are taken out of
/// `sections` (Salt pops them, so they are missing from its return).
pub fn render_mod(header: &str, sections: &mut Map) -> String {
    let mut out = header.to_string();
    for (name, body) in sections.iter_mut() {
        let Value::Object(body) = body else { continue };
        let comments = body.shift_remove("comments").unwrap_or(Value::Null);
        out.push_str(&format!("[{name}]\n"));
        for (k, v) in body.iter() {
            out.push_str(&format!("{k}={}\n", value_text(v, true)));
        }
        out.push_str(&combine_comments(&comments));
        out.push('\n');
    }
    out
}

/// The text `del_repo` writes for the sections other than `skip`:
/// header, then `\n[name]`, `\nkey=value`..., `\n` + comments + `\n`.
pub fn render_del(header: &str, sections: &Map, skip: &str) -> String {
    let mut out = header.to_string();
    for (name, body) in sections {
        let Value::Object(body) = body else { continue };
        if name == skip {
            continue;
        }
        out.push_str(&format!("\n[{name}]"));
        for (k, v) in body.iter().filter(|(k, _)| *k != "comments") {
            out.push_str(&format!("\n{k}={}", value_text(v, false)));
        }
        let comments = body
            .get("comments")
            .map(combine_comments)
            .unwrap_or_default();
        out.push_str(&format!("\n{comments}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(text: &str, strict: bool) -> Result<RepoFile, RepoError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.repo");
        std::fs::write(&p, text).unwrap();
        parse(&p, strict)
    }

    #[test]
    fn default_section_is_not_a_repo() {
        // Python: ConfigParser().read_string(...)._sections == {'base': {'name': 'B'}}
        let f = parsed("[DEFAULT]\nx=1\n[base]\nname=B\n", true).unwrap();
        assert_eq!(Value::Object(f.sections), json!({"base": {"name": "B"}}));
    }

    #[test]
    fn configparser_rules_keys_values_and_comments() {
        let f = parsed(
            "# head 1\n#head 2\n[base]\nName = Base\nbaseurl=http://a/\n  http://b/\n\ngpgcheck: 1\n; semi\n# about base\n[b2]\nx=\n",
            true,
        )
        .unwrap();
        assert_eq!(f.header, "# head 1\n#head 2\n");
        assert_eq!(
            Value::Object(f.sections),
            json!({"base": {"name": "Base", "baseurl": "http://a/\nhttp://b/", "gpgcheck": "1", "comments": ["about base"]},
                   "b2": {"x": ""}})
        );
    }

    #[test]
    fn duplicates_and_garbage_are_errors_unless_lenient() {
        let dup = "[a]\nx=1\nx=2\n";
        let err = parsed(dup, true).unwrap_err().to_string();
        assert!(
            err.contains("option 'x' in section 'a' already exists"),
            "{err}"
        );
        assert_eq!(parsed(dup, false).unwrap().sections["a"]["x"], json!("2"));
        let bad = parsed("[a]\njunk\n", true).unwrap_err().to_string();
        assert!(
            bad.starts_with("Source contains parsing errors: '"),
            "{bad}"
        );
        assert!(bad.ends_with("t.repo'\n\t[line  2]: 'junk\\n'"), "{bad}");
        assert_eq!(parsed("x=1\n[a]\n", true).unwrap(), RepoFile::default());
    }

    #[test]
    fn writers_match_yumpkg_layouts() {
        let mut s: Map = json!({"r": {"name": "R", "enabled": true, "baseurl": "a\nb", "comments": ["c1", "#c2"]}})
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(
            render_del("# h\n", &s, "x"),
            "# h\n\n[r]\nname=R\nenabled=True\nbaseurl=a\n b\n# c1\n# c2\n\n"
        );
        assert_eq!(
            render_mod("# h\n", &mut s),
            "# h\n[r]\nname=R\nenabled=1\nbaseurl=a\n b\n# c1\n# c2\n\n"
        );
        assert!(s["r"].get("comments").is_none());
    }
}
