//! Jinja2's `indent` filter (`do_indent`), which keeps a trailing newline
//! (minijinja's drops it, so `{{ text|indent(4) }}` on a text ending in a
//! newline would lose a blank line Salt writes). `width` may be a string.

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Error, Value};

use super::filters_data::{bind, error, py_type};
use super::textwrap::splitlines;

/// `s|indent(width=4, first=False, blank=False)`.
pub fn indent(
    s: Value,
    rest: minijinja::value::Rest<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let args = bind("do_indent", &rest, &kwargs, &["width", "first", "blank"])?;
    let indention = match &args[0] {
        None => "    ".to_string(),
        Some(w) if w.kind() == ValueKind::String => w.as_str().unwrap_or_default().to_string(),
        Some(w) => {
            let n = i64::try_from(w.clone()).map_err(|_| {
                error(format!(
                    "can't multiply sequence by non-int of type '{}'",
                    py_type(w)
                ))
            })?;
            " ".repeat(usize::try_from(n).unwrap_or(0))
        }
    };
    let first = args[1].as_ref().is_some_and(Value::is_true);
    let blank = args[2].as_ref().is_some_and(Value::is_true);
    let Some(text) = s.as_str().filter(|_| s.kind() == ValueKind::String) else {
        return Err(error(format!(
            "unsupported operand type(s) for +=: '{}' and 'str'",
            py_type(&s)
        )));
    };
    let text = format!("{text}\n");
    let lines = splitlines(&text);
    let mut rv = if blank {
        lines.join(&format!("\n{indention}"))
    } else {
        let mut rest = lines.iter();
        let mut rv = rest.next().copied().unwrap_or_default().to_string();
        let tail: Vec<String> = rest
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{indention}{l}")
                }
            })
            .collect();
        if !tail.is_empty() {
            rv.push('\n');
            rv.push_str(&tail.join("\n"));
        }
        rv
    };
    if first {
        rv = format!("{indention}{rv}");
    }
    Ok(if s.is_safe() {
        Value::from_safe_string(rv)
    } else {
        Value::from(rv)
    })
}
