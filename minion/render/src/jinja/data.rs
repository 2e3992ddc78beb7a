//! Salt's data-helper filters, tests and globals (`unique`, `union`, `to_bool`,
//! `regex_*`, `sequence`, `traverse`, hashes, `raise` ...).

use halite_api::Value as Json;
use minijinja::value::Kwargs;
use minijinja::{Error, ErrorKind, Value};
use regex::{Regex, RegexBuilder};

use super::mutable::{from_jinja, to_jinja, MutList};

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

fn items(v: &Value) -> Result<Vec<Value>, Error> {
    Ok(v.try_iter()?.collect())
}

fn list(values: Vec<Value>) -> Value {
    MutList::new_value(values)
}

/// `unique`: order-preserving de-duplication.
pub fn unique(v: Value) -> Result<Value, Error> {
    let mut out: Vec<Value> = Vec::new();
    for x in items(&v)? {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    Ok(list(out))
}

/// `union`: items of both, no duplicates, order kept.
pub fn union(a: Value, b: Value) -> Result<Value, Error> {
    let mut all = items(&a)?;
    all.extend(items(&b)?);
    unique(Value::from(all))
}

/// `intersect`: items of `a` also in `b`.
pub fn intersect(a: Value, b: Value) -> Result<Value, Error> {
    let other = items(&b)?;
    unique(Value::from(
        items(&a)?
            .into_iter()
            .filter(|x| other.contains(x))
            .collect::<Vec<_>>(),
    ))
}

/// `difference`: items of `a` not in `b`.
pub fn difference(a: Value, b: Value) -> Result<Value, Error> {
    let other = items(&b)?;
    unique(Value::from(
        items(&a)?
            .into_iter()
            .filter(|x| !other.contains(x))
            .collect::<Vec<_>>(),
    ))
}

/// `symmetric_difference`: items in exactly one of `a` and `b`.
pub fn symmetric_difference(a: Value, b: Value) -> Result<Value, Error> {
    let (xs, ys) = (items(&a)?, items(&b)?);
    let mut out: Vec<Value> = xs.iter().filter(|x| !ys.contains(x)).cloned().collect();
    out.extend(ys.iter().filter(|y| !xs.contains(y)).cloned());
    unique(Value::from(out))
}

/// `sequence`: a scalar wrapped in a one-item list; lists as they are.
pub fn sequence(v: Value) -> Value {
    match from_jinja(&v) {
        Json::Array(_) => v,
        _ => list(vec![v]),
    }
}

/// `to_bool`: Salt's rules (`'on'` is False, ints `> 0`).
pub fn to_bool(v: Value) -> bool {
    match from_jinja(&v) {
        Json::Null => false,
        Json::Bool(b) => b,
        Json::String(s) => matches!(s.to_lowercase().as_str(), "yes" | "1" | "true"),
        Json::Number(n) => n.as_f64().is_some_and(|f| f > 0.0),
        Json::Array(a) => !a.is_empty(),
        Json::Object(m) => !m.is_empty(),
    }
}

fn compile(pattern: &str, ignorecase: bool, multiline: bool) -> Result<Regex, Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(ignorecase)
        .multi_line(multiline)
        .build()
        .map_err(|e| invalid(format!("invalid regex '{pattern}': {e}")))
}

fn groups(caps: Option<regex::Captures<'_>>) -> Value {
    match caps {
        None => Value::from(()),
        // a pattern without groups gives the whole match (Salt's filters)
        Some(c) if c.len() == 1 => super::tuple::PyTuple::new_value(vec![Value::from(&c[0])]),
        Some(c) => super::tuple::PyTuple::new_value(
            c.iter()
                .skip(1)
                .map(|m| m.map_or(Value::from(()), |m| Value::from(m.as_str())))
                .collect::<Vec<_>>(),
        ),
    }
}

/// `ignorecase` / `multiline`, positional or keyword (Salt's filters take both).
fn regex_flags(
    ignorecase: Option<bool>,
    multiline: Option<bool>,
    kwargs: &Kwargs,
) -> Result<(bool, bool), Error> {
    let i = match ignorecase {
        Some(v) => v,
        None => kwargs.get::<Option<bool>>("ignorecase")?.unwrap_or(false),
    };
    let m = match multiline {
        Some(v) => v,
        None => kwargs.get::<Option<bool>>("multiline")?.unwrap_or(false),
    };
    kwargs.assert_all_used()?;
    Ok((i, m))
}

/// `regex_match(pattern, ignorecase=False, multiline=False)`: anchored at the
/// start; the groups as a tuple (Python's `match.groups()`).
pub fn regex_match(
    s: String,
    pattern: String,
    ignorecase: Option<bool>,
    multiline: Option<bool>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let (i, m) = regex_flags(ignorecase, multiline, &kwargs)?;
    let re = compile(&format!(r"\A(?:{pattern})"), i, m)?;
    Ok(groups(re.captures(&s)))
}

/// `regex_search(pattern, ignorecase=False, multiline=False)`.
pub fn regex_search(
    s: String,
    pattern: String,
    ignorecase: Option<bool>,
    multiline: Option<bool>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let (i, m) = regex_flags(ignorecase, multiline, &kwargs)?;
    Ok(groups(compile(&pattern, i, m)?.captures(&s)))
}

/// `regex_replace(pattern, repl, ignorecase=False, multiline=False)`; `\1` in `repl`
/// refers to groups as in Python. (`multiline` by keyword only: minijinja
/// filters take at most five arguments.)
pub fn regex_replace(
    s: String,
    pattern: String,
    repl: String,
    ignorecase: Option<bool>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let (i, m) = regex_flags(ignorecase, None, &kwargs)?;
    let re = compile(&pattern, i, m)?;
    let backref = Regex::new(r"\\(\d+)").map_err(|e| invalid(e.to_string()))?;
    let repl = backref
        .replace_all(&repl.replace('$', "$$"), "$${${1}}")
        .into_owned();
    Ok(re.replace_all(&s, repl.as_str()).into_owned())
}

/// Jinja2's `default(value, default_value='', boolean=False)` (also `d`):
/// the default when the value is undefined, or falsy with `boolean`.
pub fn default(
    value: Value,
    default_value: Option<Value>,
    boolean: Option<bool>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let boolean = match boolean {
        Some(b) => b,
        None => kwargs.get::<Option<bool>>("boolean")?.unwrap_or(false),
    };
    let default_value = match default_value {
        Some(v) => v,
        None => kwargs
            .get::<Option<Value>>("default_value")?
            .unwrap_or(Value::from("")),
    };
    kwargs.assert_all_used()?;
    if value.is_undefined() || (boolean && !value.is_true()) {
        Ok(default_value)
    } else {
        Ok(value)
    }
}

/// `regex_escape`: Python `re.escape`.
pub fn regex_escape(s: String) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_alphanumeric() || c == '_' {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}

/// `match(regex)` test: Python `re.match`.
pub fn test_match(s: String, pattern: String) -> Result<bool, Error> {
    let re = compile(&format!(r"\A(?:{pattern})"), false, false)?;
    Ok(re.is_match(&s))
}

/// `list` test: a sequence (not a string or mapping).
pub fn test_list(v: Value) -> bool {
    matches!(from_jinja(&v), Json::Array(_))
}

/// `flatten(levels=None)`.
pub fn flatten(v: Value, levels: Option<usize>) -> Result<Value, Error> {
    fn walk(v: &Json, depth: Option<usize>, out: &mut Vec<Json>) {
        match v {
            Json::Array(a) if depth != Some(0) => {
                a.iter().for_each(|x| walk(x, depth.map(|d| d - 1), out))
            }
            other => out.push(other.clone()),
        }
    }
    let mut out = Vec::new();
    if let Json::Array(a) = from_jinja(&v) {
        a.iter().for_each(|x| walk(x, levels, &mut out));
    }
    Ok(to_jinja(&Json::Array(out)))
}

/// `traverse('a:b', default=None, delimiter=':')`.
pub fn traverse(
    v: Value,
    path: String,
    default: Option<Value>,
    delimiter: Option<String>,
) -> Value {
    let data = from_jinja(&v);
    match halite_api::value::traverse(&data, &path, delimiter.as_deref().unwrap_or(":")) {
        Some(found) => to_jinja(found),
        None => default.unwrap_or(Value::from(())),
    }
}

/// `quote`: POSIX shell quoting (Python `shlex.quote`).
pub fn quote(s: String) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c));
    if safe {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\"'\"'"))
    }
}

/// `base64_encode` / `base64_decode`.
pub fn base64_encode(s: String) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

pub fn base64_decode(s: String) -> Result<String, Error> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| invalid(e.to_string()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `sha256` / `sha512` hex digests.
pub fn sha256(s: String) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

pub fn sha512(s: String) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha512::digest(s.as_bytes()))
}

/// `to_num` / `str_to_num`: int, else float, else the input unchanged.
pub fn to_num(v: Value) -> Value {
    let Some(s) = v.as_str() else { return v };
    if let Ok(i) = s.trim().parse::<i64>() {
        Value::from(i)
    } else if let Ok(f) = s.trim().parse::<f64>() {
        Value::from(f)
    } else {
        v
    }
}

/// `human_to_bytes`: `'1K'` → 1024, `'2 MB'` → 2097152.
pub fn human_to_bytes(s: String) -> Result<i64, Error> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let number: f64 = t[..split]
        .parse()
        .map_err(|_| invalid(format!("cannot convert '{s}' to bytes")))?;
    let unit = t[split..].trim().to_uppercase();
    let power = match unit.trim_end_matches('B').trim_end_matches('I') {
        "" => 0,
        "K" => 1,
        "M" => 2,
        "G" => 3,
        "T" => 4,
        "P" => 5,
        _ => return Err(invalid(format!("cannot convert '{s}' to bytes"))),
    };
    Ok((number * 1024f64.powi(power)) as i64)
}

/// `path_join(*parts)`: Python `os.path.join`.
pub fn path_join(first: String, rest: minijinja::value::Rest<String>) -> String {
    let mut out = first;
    for part in rest.iter() {
        if part.starts_with('/') {
            out = part.clone();
        } else if out.is_empty() || out.ends_with('/') {
            out.push_str(part);
        } else {
            out.push('/');
            out.push_str(part);
        }
    }
    out
}

/// `sorted_ignorecase`.
pub fn sorted_ignorecase(v: Value) -> Result<Value, Error> {
    let mut all: Vec<String> = items(&v)?
        .iter()
        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
        .collect();
    all.sort_by_key(|s| s.to_lowercase());
    Ok(list(all.into_iter().map(Value::from).collect()))
}

/// `exactly_one_true` / `exactly_n_true(n)`.
pub fn exactly_n_true(v: Value, n: usize) -> Result<bool, Error> {
    Ok(items(&v)?.iter().filter(|x| x.is_true()).count() == n)
}
pub fn exactly_one_true(v: Value) -> Result<bool, Error> {
    exactly_n_true(v, 1)
}

/// `substring_in_list(substring, list)`.
pub fn substring_in_list(sub: String, v: Value) -> Result<bool, Error> {
    Ok(items(&v)?
        .iter()
        .any(|x| x.as_str().is_some_and(|s| s.contains(&sub))))
}

/// `avg`.
pub fn avg(v: Value) -> Result<f64, Error> {
    let nums: Vec<f64> = items(&v)?
        .iter()
        .filter_map(|x| f64::try_from(x.clone()).ok())
        .collect();
    if nums.is_empty() {
        return Ok(0.0);
    }
    Ok(nums.iter().sum::<f64>() / nums.len() as f64)
}

/// `raise('msg')`: abort rendering with the message.
pub fn raise(msg: String) -> Result<Value, Error> {
    Err(invalid(msg))
}
