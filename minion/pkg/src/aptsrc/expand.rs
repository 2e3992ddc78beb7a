//! aptpkg's `_expand_repo_def`: the repo dict `pkgrepo.managed` compares
//! with `pkg.get_repo`'s, built from the state's `name` and arguments as
//! `SourcesList.add` would write the entry (a deb822 section when `file`
//! ends in `.sources`).

use std::path::Path;

use halite_api::{Map, Value};

use super::classic::Classic;
use super::deb822::Section;
use super::{default_file, Deb822, Entry};
use crate::yumrepo::ini::py_str;
use crate::yumrepo::RepoError;

fn strs(v: &[String]) -> Value {
    Value::Array(v.iter().cloned().map(Value::from).collect())
}

/// `kwargs[key]` split at commas and stripped, when given.
fn list_arg(kwargs: &Map, key: &str) -> Result<Option<Vec<String>>, RepoError> {
    match kwargs.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.split(',').map(|x| x.trim().to_string()).collect())),
        Some(other) => Err(RepoError::Failed(format!(
            "'{}' object has no attribute 'split'",
            py_type(other)
        ))),
    }
}

fn py_type(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::Null => "NoneType",
        Value::String(_) => "str",
    }
}

/// The entry the state's `name` (`repo`) and arguments describe.
fn described(root: &Path, repo: &str, kwargs: &Map) -> Result<Classic, RepoError> {
    let mut e = Classic::parse(repo, &default_file(root)).map_err(|e| RepoError::Failed(e.0))?;
    if let Some(a) = list_arg(kwargs, "architectures")? {
        e.architectures = a;
    }
    if let Some(c) = list_arg(kwargs, "comps")? {
        e.comps = c;
    }
    let text = |k: &str| kwargs.get(k).map(py_str);
    if let Some(u) = text("uri") {
        e.uri = u;
    }
    if let Some(d) = text("dist") {
        e.dist = d;
    }
    if let Some(s) = text("signedby") {
        e.signedby = s;
    }
    if let Some(f) = text("file") {
        e.file = f;
    }
    if let Some(d) = kwargs.get("disabled") {
        e.disabled = halite_api::value::is_truthy(d);
    }
    Ok(e)
}

/// A list argument as given (`types`, `uris`, `suites` of a deb822 entry).
fn given_list(kwargs: &Map, key: &str) -> Option<Vec<String>> {
    match kwargs.get(key) {
        Some(Value::Array(a)) if !a.is_empty() => Some(a.iter().map(py_str).collect()),
        _ => None,
    }
}

/// `SourcesList.add(...)` of the described entry.
fn added(root: &Path, e: &Classic, kwargs: &Map) -> Result<Entry, RepoError> {
    let file = kwargs
        .get("file")
        .map(py_str)
        .unwrap_or_else(|| default_file(root));
    let trusted = kwargs.get("trusted").cloned().unwrap_or(Value::Bool(false));
    if file.ends_with(".sources") {
        let mut s = Section::default();
        let one = |k: &str, v: &str| given_list(kwargs, k).unwrap_or_else(|| vec![v.to_string()]);
        s.set("Types", one("types", &e.kind).join(" "));
        s.set("URIs", one("uris", &e.uri).join(" "));
        s.set("Suites", one("suites", &e.dist).join(" "));
        s.set("Components", e.comps.join(" "));
        if !e.architectures.is_empty() {
            s.set("Architectures", e.architectures.join(" "));
        }
        s.header = vec![String::new()];
        if !e.signedby.is_empty() {
            s.set("Signed-By", e.signedby.clone());
        }
        if trusted != Value::Bool(false) {
            match trusted {
                Value::Bool(true) => s.set("Trusted", "yes".into()),
                Value::String(t) => {
                    let on =
                        super::classic::string_to_bool(&t).map_err(|x| RepoError::Failed(x.0))?;
                    s.set("Trusted", if on { "yes" } else { "no" }.into());
                }
                _ => {}
            }
        }
        // `_source_entry.disabled = ...` after `add`
        if e.disabled {
            s.set("Enabled", "no".into());
        }
        return Ok(Entry::Deb822(Deb822 { section: s, file }));
    }
    let mut attrs: Vec<String> = Vec::new();
    if !e.architectures.is_empty() {
        attrs.push(format!("arch={}", e.architectures.join(",")));
    }
    if !e.signedby.is_empty() {
        attrs.push(format!("signed-by={}", e.signedby));
    }
    if halite_api::value::is_truthy(&trusted) {
        attrs.push("trusted=yes".into());
    }
    let mut parts = vec![e.kind.clone()];
    if !attrs.is_empty() {
        parts.push(format!("[{}]", attrs.join(" ")));
    }
    parts.extend([e.uri.clone(), e.dist.clone()]);
    parts.extend(e.comps.iter().cloned());
    parts.retain(|p| !p.is_empty());
    let line = parts.join(" ") + "\n";
    let mut c = Classic::parse(&line, &file).map_err(|x| RepoError::Failed(x.0))?;
    c.disabled = e.disabled;
    c.line = c.repo_line();
    Ok(Entry::Classic(c))
}

/// `_expand_repo_def(os_name, os_codename, repo=..., **kwargs)`.
pub fn expand_repo_def(root: &Path, repo: &str, kwargs: &Map) -> Result<Map, RepoError> {
    let e = described(root, repo, kwargs)?;
    let entry = added(root, &e, kwargs)?;
    let raw = |k: &str| match &entry {
        Entry::Deb822(d) => d.section.get(k).map_or(Value::Null, Value::from),
        Entry::Classic(_) => Value::Null,
    };
    let (dist, kind, uri) = match &entry {
        Entry::Classic(c) => (
            c.dist.clone().into(),
            c.kind.clone().into(),
            c.uri.clone().into(),
        ),
        Entry::Deb822(_) => (raw("Suites"), raw("Types"), raw("URIs")),
    };
    let mut m = Map::new();
    m.insert("file".into(), entry.file().into());
    m.insert("comps".into(), strs(&entry.comps()));
    m.insert("disabled".into(), entry.disabled().unwrap_or(false).into());
    m.insert("dist".into(), dist);
    m.insert("suites".into(), strs(&entry.suites()));
    m.insert("type".into(), kind);
    m.insert("types".into(), strs(&entry.types()));
    m.insert("uri".into(), uri);
    m.insert("uris".into(), strs(&entry.uris()));
    m.insert("line".into(), entry.render().into());
    m.insert("architectures".into(), strs(&entry.architectures()));
    m.insert("signedby".into(), e.signedby.clone().into());
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expand(repo: &str, kwargs: Value) -> Value {
        Value::Object(
            expand_repo_def(Path::new("/etc/apt"), repo, kwargs.as_object().unwrap()).unwrap(),
        )
    }

    /// Expected values: Salt 3008.4's `aptpkg._expand_repo_def('Debian',
    /// 'bookworm', repo=..., **kwargs)` from the venv.
    #[test]
    fn expands_as_salt() {
        assert_eq!(
            expand(
                "deb [arch=amd64 signed-by=/k.gpg] http://x/debian bookworm main contrib",
                json!({"disabled": true, "file": "/tmp/x.list"})
            ),
            json!({"file": "/tmp/x.list", "comps": ["main", "contrib"], "disabled": true, "dist": "bookworm", "suites": ["bookworm"], "type": "deb", "types": ["deb"], "uri": "http://x/debian", "uris": ["http://x/debian"], "line": "# deb [arch=amd64 signed-by=/k.gpg] http://x/debian bookworm main contrib", "architectures": ["amd64"], "signedby": "/k.gpg"})
        );
        assert_eq!(
            expand(
                "deb http://x/debian bookworm main",
                json!({"disabled": false, "file": "/tmp/x.sources", "comps": "main, extra", "trusted": true})
            ),
            json!({"file": "/tmp/x.sources", "comps": ["main", "extra"], "disabled": false, "dist": "bookworm", "suites": ["bookworm"], "type": "deb", "types": ["deb"], "uri": "http://x/debian", "uris": ["http://x/debian"], "line": "Types: deb\nURIs: http://x/debian\nSuites: bookworm\nComponents: main extra\nTrusted: yes", "architectures": [], "signedby": ""})
        );
        assert_eq!(
            expand(
                "deb http://x/debian bookworm main",
                json!({"disabled": true, "file": "/tmp/y.sources", "architectures": "amd64,arm64"})
            ),
            json!({"file": "/tmp/y.sources", "comps": ["main"], "disabled": true, "dist": "bookworm", "suites": ["bookworm"], "type": "deb", "types": ["deb"], "uri": "http://x/debian", "uris": ["http://x/debian"], "line": "Types: deb\nURIs: http://x/debian\nSuites: bookworm\nComponents: main\nArchitectures: amd64 arm64\nEnabled: no", "architectures": ["amd64", "arm64"], "signedby": ""})
        );
    }
}
