//! Salt's string filters of `salt/utils/stringutils.py`: `to_camelcase`,
//! `to_snake_case`, `is_hex`, `contains_whitespace`,
//! `check_whitelist_blacklist`; and the registration of the other text
//! filters (hashes, Jinja2's text built-ins, dates).

use minijinja::value::Kwargs;
use minijinja::{Environment, Error, Value};
use regex::Regex;

use super::filters_hash::{invalid, py_type, PyBytes};

/// Register the string, hash, Jinja2 text and date filters.
pub fn register(env: &mut Environment<'static>) {
    env.add_filter("to_camelcase", to_camelcase);
    env.add_filter("to_snake_case", to_snake_case);
    env.add_filter("is_hex", is_hex);
    env.add_filter("contains_whitespace", contains_whitespace);
    env.add_filter("check_whitelist_blacklist", check_whitelist_blacklist);
    super::filters_hash::register(env);
    super::filters_jinja2::register(env);
    super::filters_date::register(env);
}

/// Python's `str.capitalize`.
pub(crate) fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

fn str_arg<'a>(v: &'a Value, attr: &str) -> Result<&'a str, Error> {
    v.as_str()
        .ok_or_else(|| invalid(format!("'{}' object has no attribute '{attr}'", py_type(v))))
}

/// `to_camelcase(uppercamel=False)`: `foo_bar` → `fooBar` (`FooBar`).
pub fn to_camelcase(v: Value, uppercamel: Option<bool>, kwargs: Kwargs) -> Result<String, Error> {
    let upper = match uppercamel {
        Some(b) => b,
        None => kwargs.get::<Option<bool>>("uppercamel")?.unwrap_or(false),
    };
    kwargs.assert_all_used()?;
    let words: Vec<&str> = str_arg(&v, "split")?.split('_').collect();
    let first = if upper {
        capitalize(words[0])
    } else {
        words[0].to_string()
    };
    Ok(first + &words[1..].iter().map(|w| capitalize(w)).collect::<String>())
}

/// `to_snake_case`: `fooBar` / `HTTPServer` → `foo_bar` / `http_server`.
pub fn to_snake_case(v: Value) -> Result<String, Error> {
    let Some(s) = v.as_str() else {
        return Err(invalid(format!(
            "'{}' object is not subscriptable",
            py_type(&v)
        )));
    };
    let chars: Vec<char> = s.chars().collect();
    let Some(first) = chars.first() else {
        return Err(invalid("string index out of range"));
    };
    let mut out: String = first.to_lowercase().collect();
    for i in 1..chars.len() {
        let c = chars[i];
        if c.is_uppercase()
            && (chars[i - 1].is_lowercase()
                || (i != chars.len() - 1 && chars[i + 1].is_lowercase()))
        {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    Ok(out)
}

/// `is_hex`: whether Python's `int(value, 16)` accepts the value.
pub fn is_hex(v: Value) -> bool {
    let text = if let Some(b) = v.downcast_object_ref::<PyBytes>() {
        String::from_utf8_lossy(&b.0).into_owned()
    } else if let Some(s) = v.as_str() {
        s.to_string()
    } else {
        return false;
    };
    let t = text.trim();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (digits, prefixed) = match t.get(..2) {
        Some("0x" | "0X") => (&t[2..], true),
        _ => (t, false),
    };
    // single underscores between digits (and after the prefix)
    let digits = match (prefixed, digits.strip_prefix('_')) {
        (true, Some(rest)) => rest,
        _ => digits,
    };
    !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_hexdigit() || c == '_')
}

/// `contains_whitespace`: any item of the text (a char, or a list's strings)
/// is whitespace.
pub fn contains_whitespace(v: Value) -> Result<bool, Error> {
    if let Some(s) = v.as_str() {
        return Ok(s.chars().any(char::is_whitespace));
    }
    let Ok(items) = v.try_iter() else {
        return Err(invalid(format!("'{}' object is not iterable", py_type(&v))));
    };
    for x in items {
        let s = str_arg(&x, "isspace")?;
        if !s.is_empty() && s.chars().all(char::is_whitespace) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Python's `fnmatch.translate` (posix: case-sensitive), anchored.
fn fnmatch_regex(pat: &str) -> String {
    let chars: Vec<char> = pat.chars().collect();
    let mut out = String::from(r"\A(?s:");
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '[' => {
                let mut j = i;
                if j < chars.len() && chars[j] == '!' {
                    j += 1;
                }
                if j < chars.len() && chars[j] == ']' {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                if j >= chars.len() {
                    out.push_str(r"\[");
                    continue;
                }
                let mut set: String = chars[i..j].iter().collect::<String>().replace('\\', r"\\");
                i = j + 1;
                if let Some(rest) = set.strip_prefix('!') {
                    set = format!("^{rest}");
                } else if set.starts_with('^') {
                    set = format!("\\{set}");
                }
                out.push_str(&format!("[{}]", set.replace('[', r"\[")));
            }
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    out.push_str(r")\z");
    out
}

/// Salt's `expr_match`: a glob match, else a full regex match.
fn expr_match(line: &Value, expr: &Value) -> bool {
    let (Some(line), Some(expr)) = (line.as_str(), expr.as_str()) else {
        return false;
    };
    let glob = Regex::new(&fnmatch_regex(expr)).is_ok_and(|re| re.is_match(line));
    glob || Regex::new(&format!(r"\A(?:{expr})\z")).is_ok_and(|re| re.is_match(line))
}

/// A whitelist/blacklist argument as its items (`None`/falsy: none).
fn pattern_list(v: Option<Value>, which: &str) -> Result<Vec<Value>, Error> {
    let Some(v) = v.filter(|v| v.is_true()) else {
        return Ok(Vec::new());
    };
    if v.as_str().is_some() {
        return Ok(vec![v]);
    }
    match v.try_iter() {
        Ok(items) if !matches!(v.kind(), minijinja::value::ValueKind::Number) => {
            Ok(items.collect())
        }
        _ => Err(invalid(format!(
            "Expecting iterable {which}, but got {} ({})",
            py_type(&v),
            crate::pyfmt::str(&super::mutable::from_jinja(&v))
        ))),
    }
}

/// `check_whitelist_blacklist(whitelist=None, blacklist=None)`.
pub fn check_whitelist_blacklist(
    value: Value,
    whitelist: Option<Value>,
    blacklist: Option<Value>,
    kwargs: Kwargs,
) -> Result<bool, Error> {
    let whitelist = whitelist.or(kwargs.get("whitelist")?);
    let blacklist = blacklist.or(kwargs.get("blacklist")?);
    kwargs.assert_all_used()?;
    let black = pattern_list(blacklist, "blacklist")?;
    let white = pattern_list(whitelist, "whitelist")?;
    let black_match = black.iter().any(|e| expr_match(&value, e));
    let white_match = white.iter().any(|e| expr_match(&value, e));
    Ok(match (black.is_empty(), white.is_empty()) {
        (false, true) => !black_match,
        (true, false) => white_match,
        (false, false) => !black_match && white_match,
        (true, true) => true,
    })
}

#[cfg(test)]
#[path = "tests_text.rs"]
mod tests;
