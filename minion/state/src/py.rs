//! Small Python-compatible helpers: `str()`/`repr()` of values and `fnmatch`.

use halite_api::Value;

/// Python `str()` of a value (strings verbatim, `True`/`False`/`None`).
pub fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        Value::Number(n) => n.to_string(),
        other => py_repr(other),
    }
}

/// Python `repr()` of a value (single-quoted strings, dicts as `{'k': v}`).
pub fn py_repr(v: &Value) -> String {
    match v {
        Value::String(s) => repr_str(s),
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", repr_str(k), py_repr(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        other => py_str(other),
    }
}

/// Python `repr()` of a string.
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Does the text contain a glob character (Salt's `_is_fnmatch_pattern`)?
pub fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', ']'])
}

/// Python's `fnmatch.fnmatch` on POSIX (case-sensitive): `*`, `?`, `[seq]`, `[!seq]`.
pub fn fnmatch(name: &str, pat: &str) -> bool {
    let n: Vec<char> = name.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    match_from(&n, &p)
}

fn match_from(n: &[char], p: &[char]) -> bool {
    match p.first() {
        None => n.is_empty(),
        Some('*') => (0..=n.len()).any(|i| match_from(&n[i..], &p[1..])),
        Some('?') => !n.is_empty() && match_from(&n[1..], &p[1..]),
        Some('[') => match parse_class(&p[1..]) {
            Some((set, negate, used)) => {
                let Some(c) = n.first() else { return false };
                (class_contains(&set, *c) != negate) && match_from(&n[1..], &p[1 + used..])
            }
            None => n.first() == Some(&'[') && match_from(&n[1..], &p[1..]),
        },
        Some(c) => n.first() == Some(c) && match_from(&n[1..], &p[1..]),
    }
}

/// Parse a `[...]` class body; returns (items, negated, chars consumed incl. `]`).
fn parse_class(p: &[char]) -> Option<(Vec<char>, bool, usize)> {
    let mut i = 0;
    let negate = p.first() == Some(&'!');
    if negate {
        i += 1;
    }
    let start = i;
    while i < p.len() {
        if p[i] == ']' && i > start {
            return Some((p[start..i].to_vec(), negate, i + 1));
        }
        i += 1;
    }
    None
}

fn class_contains(set: &[char], c: char) -> bool {
    let mut i = 0;
    while i < set.len() {
        if i + 2 < set.len() && set[i + 1] == '-' {
            if set[i] <= c && c <= set[i + 2] {
                return true;
            }
            i += 3;
        } else {
            if set[i] == c {
                return true;
            }
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fnmatch_globs() {
        assert!(fnmatch("web.app", "web.*"));
        assert!(fnmatch("a1", "a[0-9]"));
        assert!(!fnmatch("ab", "a[!b]"));
        assert!(fnmatch("x", "?"));
        assert!(!fnmatch("web", "db*"));
    }

    #[test]
    fn reprs_like_python() {
        assert_eq!(
            py_repr(&json!({"SLS": "a", "ID": "it's"})),
            "{'SLS': 'a', 'ID': \"it's\"}"
        );
        assert_eq!(py_str(&json!(null)), "None");
    }
}
