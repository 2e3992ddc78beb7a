//! Python `re` idioms used by `file.replace`/`file.search` and their states:
//! Salt's `_get_flags` (int, name or list of names) and Python replacement
//! strings (`\1`, `\g<name>`) in Rust's syntax.

use halite_api::Value;
use regex::Regex;

/// Python's `re.RegexFlag` bits by name (`getattr(re.RegexFlag, NAME)`).
fn flag_bit(name: &str) -> Option<u32> {
    Some(match name {
        "I" | "IGNORECASE" => 2,
        "L" | "LOCALE" => 4,
        "M" | "MULTILINE" => 8,
        "S" | "DOTALL" => 16,
        "U" | "UNICODE" => 32,
        "X" | "VERBOSE" => 64,
        "DEBUG" => 128,
        "A" | "ASCII" => 256,
        "T" | "TEMPLATE" => 1,
        _ => return None,
    })
}

/// Salt's `_get_flags`: the flag bits of `flags` (default `8`, MULTILINE).
pub fn get_flags(flags: Option<&Value>) -> Result<u32, String> {
    let names: Vec<Value> = match flags {
        None | Some(Value::Null) => return Ok(8),
        Some(Value::Number(n)) => return Ok(n.as_u64().unwrap_or(0) as u32),
        Some(Value::Bool(b)) => return Ok(u32::from(*b)),
        Some(Value::String(s)) => vec![Value::String(s.clone())],
        Some(Value::Array(a)) => a.clone(),
        Some(other) => {
            return Err(format!(
                "Invalid re flags: \"{}\", must be given either as a single flag string, a list of strings, as an integer, or as an re flag",
                crate::exec::python_str(other)
            ))
        }
    };
    let mut bits = 0;
    for n in &names {
        let s = crate::exec::python_str(n);
        match flag_bit(&s.to_uppercase()) {
            Some(b) => bits |= b,
            None => return Err(format!("Invalid re flag given: {s}")),
        }
    }
    Ok(bits)
}

/// The inline Rust flag group for Python flag bits (i, m, s, x).
pub fn inline_flags(bits: u32) -> String {
    let f: String = [(2, 'i'), (8, 'm'), (16, 's'), (64, 'x')]
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, c)| *c)
        .collect();
    if f.is_empty() {
        f
    } else {
        format!("(?{f})")
    }
}

/// `re.compile(pattern, flags)`.
pub fn compile(pattern: &str, bits: u32) -> Result<Regex, String> {
    Regex::new(&format!("{}{pattern}", inline_flags(bits)))
        .map_err(|e| format!("Invalid pattern '{pattern}': {e}"))
}

/// Convert a Python replacement string (`\1`, `\g<name>`) to Rust's syntax;
/// `literal` keeps every backslash (Salt's `backslash_literal`).
pub fn python_repl(repl: &str, literal: bool) -> String {
    let mut out = String::new();
    let mut chars = repl.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' if !literal => match chars.peek().copied() {
                Some(d) if d.is_ascii_digit() => {
                    let mut num = String::new();
                    while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                        num.push(d);
                        chars.next();
                    }
                    out.push_str(&format!("${{{num}}}"));
                }
                Some('g') => {
                    chars.next();
                    let mut group = String::new();
                    if chars.peek() == Some(&'<') {
                        chars.next();
                        for g in chars.by_ref() {
                            if g == '>' {
                                break;
                            }
                            group.push(g);
                        }
                    }
                    out.push_str(&format!("${{{group}}}"));
                }
                Some(e @ ('n' | 't' | 'r' | '\\')) => {
                    chars.next();
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        _ => '\\',
                    });
                }
                _ => out.push('\\'),
            },
            other => out.push(other),
        }
    }
    out
}

pub use halite_api::py::is_binary;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_like_salt() {
        assert_eq!(get_flags(None), Ok(8));
        assert_eq!(get_flags(Some(&json!(10))), Ok(10));
        assert_eq!(get_flags(Some(&json!(["multiline", "IGNORECASE"]))), Ok(10));
        assert_eq!(get_flags(Some(&json!("DOTALL"))), Ok(16));
        assert_eq!(
            get_flags(Some(&json!(["bogus"]))),
            Err("Invalid re flag given: bogus".into())
        );
        assert_eq!(inline_flags(10), "(?im)");
        assert_eq!(inline_flags(0), "");
    }

    #[test]
    fn repl_conversion() {
        assert_eq!(python_repl("\\g<x>$", false), "${x}$$");
        assert_eq!(python_repl("a\\1\\n", false), "a${1}\n");
        assert_eq!(python_repl("a\\1", true), "a\\1");
    }

    #[test]
    fn binary_detection() {
        assert!(is_binary(b"a\0b"));
        assert!(!is_binary(b"plain text\n"));
        assert!(is_binary(&[1, 2, 3, 4, b'a']));
        assert!(!is_binary("héllo".as_bytes()));
    }
}
