//! A small YAML reader/writer for the minion `grains` file (block maps and
//! lists of scalars, the shape `yaml.safe_dump(default_flow_style=False)` writes).

use halite_api::{Map, Value};

/// Serialize like `yaml.safe_dump(data, default_flow_style=False)`.
pub fn dump(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if m.is_empty() => out.push_str("{}\n"),
        Value::Array(a) if a.is_empty() => out.push_str("[]\n"),
        Value::Object(m) => dump_map(m, 0, &mut out),
        Value::Array(a) => dump_list(a, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn dump_map(m: &Map, indent: usize, out: &mut String) {
    for (k, v) in m {
        out.push_str(&" ".repeat(indent));
        out.push_str(&quote_str(k));
        out.push(':');
        dump_child(v, indent, out, true);
    }
}

fn dump_list(a: &[Value], indent: usize, out: &mut String) {
    for v in a {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                let mut inner = String::new();
                dump_map(m, indent + 2, &mut inner);
                out.push(' ');
                out.push_str(inner.trim_start());
            }
            _ => dump_child(v, indent, out, false),
        }
    }
}

fn dump_child(v: &Value, indent: usize, out: &mut String, in_map: bool) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            dump_map(m, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            dump_list(a, if in_map { indent } else { indent + 2 }, out);
        }
        Value::Object(_) => out.push_str(" {}\n"),
        Value::Array(_) => out.push_str(" []\n"),
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote_str(s),
        _ => String::new(),
    }
}

fn quote_str(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && !matches!(
            parse_plain(s),
            Value::Number(_) | Value::Bool(_) | Value::Null
        )
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.contains('\n');
    if plain_ok {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

fn parse_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "on" | "On" => return Value::Bool(true),
        "false" | "False" | "FALSE" | "no" | "No" | "off" | "Off" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = s.parse::<i64>() {
        return Value::from(i);
    }
    if s.contains('.') {
        if let Ok(f) = s.parse::<f64>() {
            return Value::from(f);
        }
    }
    Value::String(s.to_string())
}

fn parse_scalar(s: &str) -> Value {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return Value::String(inner.replace("''", "'"));
    }
    if s.starts_with('"') || s.starts_with('{') || s.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Value>(s) {
            return v;
        }
    }
    parse_plain(s)
}

struct Line<'a> {
    indent: usize,
    text: &'a str,
}

/// Parse the block-style subset written by [`dump`] (a JSON document also works).
pub fn load(text: &str) -> Result<Value, String> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok(v);
    }
    let lines: Vec<Line> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#') && l.trim() != "---")
        .map(|l| Line {
            indent: l.len() - l.trim_start().len(),
            text: l.trim(),
        })
        .collect();
    if lines.is_empty() {
        return Ok(Value::Null);
    }
    let mut pos = 0;
    let v = parse_block(&lines, &mut pos, lines[0].indent)?;
    if pos < lines.len() {
        return Err(format!("unexpected content: '{}'", lines[pos].text));
    }
    Ok(v)
}

fn parse_block(lines: &[Line], pos: &mut usize, indent: usize) -> Result<Value, String> {
    if lines[*pos].text.starts_with("- ") || lines[*pos].text == "-" {
        let mut items = Vec::new();
        while *pos < lines.len()
            && lines[*pos].indent == indent
            && lines[*pos].text.starts_with('-')
        {
            let rest = lines[*pos].text[1..].trim();
            *pos += 1;
            if rest.is_empty() {
                items.push(child_or_null(lines, pos, indent)?);
            } else {
                items.push(parse_scalar(rest));
            }
        }
        return Ok(Value::Array(items));
    }
    let mut map = Map::new();
    while *pos < lines.len() && lines[*pos].indent == indent {
        let line = lines[*pos].text;
        let (k, rest) =
            split_key(line).ok_or_else(|| format!("expected 'key: value', got '{line}'"))?;
        *pos += 1;
        let v = if rest.is_empty() {
            child_or_null(lines, pos, indent)?
        } else {
            parse_scalar(rest)
        };
        map.insert(k, v);
    }
    Ok(Value::Object(map))
}

fn child_or_null(lines: &[Line], pos: &mut usize, indent: usize) -> Result<Value, String> {
    match lines.get(*pos) {
        Some(l) if l.indent > indent || (l.indent == indent && l.text.starts_with('-')) => {
            let ind = l.indent;
            parse_block(lines, pos, ind)
        }
        _ => Ok(Value::Null),
    }
}

fn split_key(line: &str) -> Option<(String, &str)> {
    if let Some(rest) = line.strip_prefix('\'') {
        let end = rest.find("':")?;
        return Some((rest[..end].replace("''", "'"), rest[end + 2..].trim()));
    }
    let idx = line
        .find(": ")
        .or_else(|| line.ends_with(':').then(|| line.len() - 1))?;
    Some((line[..idx].to_string(), line[idx + 1..].trim()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip() {
        let v = json!({"role": "web", "port": 80, "n": "80", "list": ["a", "yes"], "nested": {"k": true}, "e": {}});
        let text = dump(&v);
        assert_eq!(
            text,
            "role: web\nport: 80\nn: '80'\nlist:\n- a\n- 'yes'\nnested:\n  k: true\ne: {}\n"
        );
        assert_eq!(load(&text).unwrap(), v);
    }

    #[test]
    fn loads_json_and_rejects_garbage() {
        assert_eq!(load("{\"a\": 1}").unwrap(), json!({"a": 1}));
        assert!(load("just text").is_err());
    }
}
