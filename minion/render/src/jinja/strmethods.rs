//! Python `str` methods formulas use that minijinja's pycompat lacks
//! (`zfill`, `ljust`/`rjust`/`center`, `partition`/`rpartition`, `rsplit`,
//! `removeprefix`/`removesuffix`, `swapcase`, `index`/`rindex`); everything
//! else goes on to pycompat.

use minijinja::{Error, ErrorKind, State, Value};

use super::tuple::PyTuple;

fn arg_str(args: &[Value], i: usize, method: &str) -> Result<String, Error> {
    args.get(i)
        .and_then(|v| v.as_str().map(str::to_string))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("{method}() argument {} must be str", i + 1),
            )
        })
}

fn arg_usize(args: &[Value], i: usize, method: &str) -> Result<usize, Error> {
    args.get(i)
        .and_then(|v| i64::try_from(v.clone()).ok())
        .map(|n| n.max(0) as usize)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("{method}() argument {} must be int", i + 1),
            )
        })
}

fn fill_char(args: &[Value], method: &str) -> Result<String, Error> {
    match args.get(1) {
        None => Ok(" ".into()),
        Some(_) => arg_str(args, 1, method),
    }
}

/// The environment's unknown-method callback.
pub fn callback(
    state: &mut State,
    value: &Value,
    method: &str,
    args: &[Value],
) -> Result<Value, Error> {
    if let Some(s) = value.as_str() {
        if let Some(v) = string_method(s, method, args)? {
            return Ok(v);
        }
    }
    minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)
}

fn string_method(s: &str, method: &str, args: &[Value]) -> Result<Option<Value>, Error> {
    let len = s.chars().count();
    let v = match method {
        "zfill" => {
            let width = arg_usize(args, 0, method)?;
            let (sign, digits) = match s.chars().next() {
                Some(c @ ('+' | '-')) => (c.to_string(), &s[1..]),
                _ => (String::new(), s),
            };
            Value::from(format!(
                "{sign}{}{digits}",
                "0".repeat(width.saturating_sub(len))
            ))
        }
        "ljust" | "rjust" | "center" => {
            let width = arg_usize(args, 0, method)?;
            let fill = fill_char(args, method)?;
            let pad = width.saturating_sub(len);
            let (left, right) = match method {
                "ljust" => (0, pad),
                "rjust" => (pad, 0),
                // CPython puts the odd extra space on the left when the
                // string length is odd
                _ => {
                    let left = pad / 2 + (pad & width & 1);
                    (left, pad - left)
                }
            };
            Value::from(format!("{}{s}{}", fill.repeat(left), fill.repeat(right)))
        }
        "partition" | "rpartition" => {
            let sep = arg_str(args, 0, method)?;
            let found = if method == "partition" {
                s.find(&sep)
            } else {
                s.rfind(&sep)
            };
            let parts = match found {
                Some(i) => [&s[..i], sep.as_str(), &s[i + sep.len()..]],
                None if method == "partition" => [s, "", ""],
                None => ["", "", s],
            };
            PyTuple::new_value(parts.iter().map(|p| Value::from(*p)).collect())
        }
        "rsplit" => {
            let max = args
                .get(1)
                .and_then(|v| i64::try_from(v.clone()).ok())
                .unwrap_or(-1);
            let mut parts: Vec<String> = match args.first().and_then(|v| v.as_str()) {
                Some(sep) if max >= 0 => s
                    .rsplitn(max as usize + 1, sep)
                    .map(str::to_string)
                    .collect(),
                Some(sep) => s.rsplit(sep).map(str::to_string).collect(),
                None => s.split_whitespace().rev().map(str::to_string).collect(),
            };
            parts.reverse();
            Value::from(parts)
        }
        "removeprefix" => {
            let p = arg_str(args, 0, method)?;
            Value::from(s.strip_prefix(p.as_str()).unwrap_or(s))
        }
        "removesuffix" => {
            let p = arg_str(args, 0, method)?;
            Value::from(s.strip_suffix(p.as_str()).unwrap_or(s))
        }
        "swapcase" => Value::from(
            s.chars()
                .flat_map(|c| {
                    if c.is_uppercase() {
                        c.to_lowercase().collect::<Vec<_>>()
                    } else {
                        c.to_uppercase().collect()
                    }
                })
                .collect::<String>(),
        ),
        "index" | "rindex" => {
            let sub = arg_str(args, 0, method)?;
            let found = if method == "index" {
                s.find(&sub)
            } else {
                s.rfind(&sub)
            };
            match found {
                Some(i) => Value::from(s[..i].chars().count()),
                None => {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "substring not found",
                    ))
                }
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(s: &str, m: &str, args: &[Value]) -> String {
        string_method(s, m, args).unwrap().unwrap().to_string()
    }

    #[test]
    fn python_string_methods() {
        assert_eq!(call("5", "zfill", &[Value::from(3)]), "005");
        assert_eq!(call("-5", "zfill", &[Value::from(4)]), "-005");
        assert_eq!(call("ab", "ljust", &[Value::from(4)]), "ab  ");
        assert_eq!(
            call("ab", "rjust", &[Value::from(4), Value::from("*")]),
            "**ab"
        );
        assert_eq!(call("abc", "center", &[Value::from(6)]), " abc  ");
        assert_eq!(call("ab", "center", &[Value::from(5)]), "  ab ");
        assert_eq!(
            call("a,b,c", "rsplit", &[Value::from(","), Value::from(1)]),
            "['a,b', 'c']"
        );
        assert_eq!(call("v1.2", "removeprefix", &[Value::from("v")]), "1.2");
        assert_eq!(call("aB", "swapcase", &[]), "Ab");
        assert_eq!(call("abcb", "rindex", &[Value::from("b")]), "3");
    }
}
