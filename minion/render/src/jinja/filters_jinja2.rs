//! Jinja2 3.1's text built-ins that minijinja lacks or words differently, as
//! `jinja2/filters.py` and markupsafe write them: `center`,
//! `filesizeformat`, `forceescape`, `striptags`, `truncate`, `wordcount`,
//! `wordwrap`, `xmlattr`, `random`, `urlize`, and the `cycler` / `joiner` / `lipsum`
//! globals.

use std::sync::{Arc, Mutex};

use minijinja::value::{from_args, Kwargs, Object, ObjectRepr, Rest, ValueOrKwargs};
use minijinja::{Environment, Error, ErrorKind, State, Value};

use super::filters_hash::{bounded, invalid, py_type};

#[path = "lipsum.rs"]
mod lipsum;
#[path = "urlize.rs"]
mod urlize;

/// Register the filters and globals of this file.
pub fn register(env: &mut Environment<'static>) {
    env.add_filter("center", center);
    env.add_filter("filesizeformat", filesizeformat);
    env.add_filter("forceescape", forceescape);
    env.add_filter("striptags", striptags);
    env.add_filter("truncate", truncate);
    env.add_filter("wordcount", wordcount);
    env.add_filter("wordwrap", super::textwrap::wordwrap);
    env.add_filter("xmlattr", xmlattr);
    env.add_filter("random", random);
    env.add_filter("urlize", urlize::urlize);
    env.add_function("cycler", |items: Rest<Value>| {
        Value::from_object(Cycler {
            items: items.0,
            pos: Mutex::new(0),
        })
    });
    env.add_function("lipsum", lipsum::lipsum);
    env.add_function("joiner", |sep: Option<String>| {
        Value::from_object(Joiner {
            sep: sep.unwrap_or_else(|| ", ".into()),
            used: Mutex::new(false),
        })
    });
}

/// Python's `str()` of a template value.
pub fn py_str(v: &Value) -> String {
    match v.as_str() {
        Some(s) => s.to_string(),
        None if v.kind() == minijinja::value::ValueKind::Plain => v.to_string(),
        None => super::tuple::py_str(v)
            .unwrap_or_else(|| crate::pyfmt::str(&super::mutable::from_jinja(v))),
    }
}

/// `center(width=80)`: Python's `str.center`.
pub fn center(v: Value, args: Rest<ValueOrKwargs>) -> Result<String, Error> {
    let a = bind("do_center", &args, &["width"])?;
    let s = py_str(&v);
    let width = bounded("center", opt_int(&a[0], 80)?.max(0) as usize)?;
    let pad = width.saturating_sub(s.chars().count());
    let left = pad / 2 + (pad & width & 1);
    Ok(format!("{}{s}{}", " ".repeat(left), " ".repeat(pad - left)))
}

/// Python's `float(value)` of a number or numeric string.
fn py_float(v: &Value) -> Result<f64, Error> {
    if let Some(s) = v.as_str() {
        return s
            .trim()
            .parse::<f64>()
            .map_err(|_| invalid(format!("could not convert string to float: '{s}'")));
    }
    f64::try_from(v.clone()).map_err(|_| {
        invalid(format!(
            "float() argument must be a string or a real number, not '{}'",
            py_type(v)
        ))
    })
}

/// `filesizeformat(binary=False)`: `13.0 kB`, `1 Byte`, `512 Bytes`.
pub fn filesizeformat(v: Value, args: Rest<ValueOrKwargs>) -> Result<String, Error> {
    let a = bind("do_filesizeformat", &args, &["binary"])?;
    let bytes = py_float(&v)?;
    let binary = a[0].as_ref().is_some_and(Value::is_true);
    let base: f64 = if binary { 1024.0 } else { 1000.0 };
    let prefixes = if binary {
        ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    } else {
        ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    };
    if bytes == 1.0 {
        return Ok("1 Byte".into());
    }
    if bytes < base {
        return Ok(format!("{} Bytes", bytes.trunc() as i64));
    }
    let mut unit = base;
    for (i, prefix) in prefixes.iter().enumerate() {
        unit = base.powi(i as i32 + 2);
        if bytes < unit {
            return Ok(format!("{:.1} {prefix}", base * bytes / unit));
        }
    }
    Ok(format!("{:.1} {}", base * bytes / unit, prefixes[7]))
}

/// markupsafe's `escape` of text.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `forceescape`: HTML-escape the text, even a safe string.
pub fn forceescape(v: Value) -> String {
    html_escape(&py_str(&v))
}

/// Named entities `striptags` unescapes (html.unescape knows all of HTML5's).
const ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{a0}"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("hellip", "…"),
    ("mdash", "—"),
    ("ndash", "–"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("euro", "€"),
];

/// `html.unescape` for numeric references and the common named ones.
fn html_unescape(s: &str) -> String {
    let re = regex::Regex::new(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;)")
        .expect("valid regex");
    re.replace_all(s, |c: &regex::Captures<'_>| {
        let body = c[1].trim_end_matches(';');
        let code = if let Some(hex) = body.strip_prefix("#x").or(body.strip_prefix("#X")) {
            u32::from_str_radix(hex, 16).ok()
        } else if let Some(dec) = body.strip_prefix('#') {
            dec.parse::<u32>().ok()
        } else {
            return ENTITIES
                .iter()
                .find(|(n, _)| *n == body)
                .map_or_else(|| c[0].to_string(), |(_, t)| t.to_string());
        };
        code.and_then(char::from_u32)
            .filter(|&ch| ch != '\0')
            .unwrap_or('\u{fffd}')
            .to_string()
    })
    .into_owned()
}

/// `striptags`: drop tags and comments, collapse whitespace, unescape.
pub fn striptags(v: Value) -> String {
    let value = py_str(&v);
    let mut parts = String::new();
    let mut pos = 0;
    while let Some(start) = value[pos..].find('<').map(|i| i + pos) {
        let end = if value[start..].starts_with("<!--") {
            match value[start + 4..].find("-->") {
                Some(e) => start + 4 + e + 3,
                None => break,
            }
        } else {
            match value[start..].find('>') {
                Some(e) => start + e + 1,
                None => break,
            }
        };
        parts.push_str(&value[pos..start]);
        pos = end;
    }
    let value = if pos > 0 {
        parts.push_str(&value[pos..]);
        parts
    } else {
        value
    };
    html_unescape(&value.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Python's binding of positional and keyword arguments to `names`
/// (`do_<filter>() got an unexpected keyword argument 'x'`).
pub fn bind(
    fname: &str,
    args: &[ValueOrKwargs],
    names: &[&str],
) -> Result<Vec<Option<Value>>, Error> {
    let (pos, kw) = match args.last() {
        Some(last) if last.is_kwargs() => (&args[..args.len() - 1], Some(last)),
        _ => (args, None),
    };
    if pos.len() > names.len() {
        return Err(invalid(format!(
            "{fname}() takes from 1 to {} positional arguments but {} were given",
            names.len() + 1,
            pos.len() + 1
        )));
    }
    let mut out: Vec<Option<Value>> = vec![None; names.len()];
    for (slot, v) in out.iter_mut().zip(pos) {
        *slot = Some(Value::from(v.clone()));
    }
    if let Some(kw) = kw {
        let kw = Kwargs::try_from(Value::from(kw.clone()))?;
        let keys: Vec<String> = kw.args().map(str::to_string).collect();
        for name in keys {
            let Some(i) = names.iter().position(|n| *n == name) else {
                return Err(invalid(format!(
                    "{fname}() got an unexpected keyword argument '{name}'"
                )));
            };
            if out[i].is_some() {
                return Err(invalid(format!(
                    "{fname}() got multiple values for argument '{name}'"
                )));
            }
            out[i] = Some(kw.get::<Value>(&name)?);
        }
        kw.assert_all_used()?;
    }
    Ok(out)
}

/// An optional int argument.
pub fn opt_int(v: &Option<Value>, default: i64) -> Result<i64, Error> {
    match v {
        None => Ok(default),
        Some(v) if v.is_integer() => v
            .as_i64()
            .ok_or_else(|| invalid("int argument out of range")),
        Some(v) => Err(invalid(format!(
            "'{}' object cannot be interpreted as an integer",
            py_type(v)
        ))),
    }
}

/// `truncate(length=255, killwords=False, end='...', leeway=5)`.
pub fn truncate(s: Value, args: Rest<ValueOrKwargs>) -> Result<String, Error> {
    let a = bind(
        "do_truncate",
        &args,
        &["length", "killwords", "end", "leeway"],
    )?;
    let Some(s) = s.as_str() else {
        return Err(invalid(format!(
            "object of type '{}' has no len()",
            py_type(&s)
        )));
    };
    let length = opt_int(&a[0], 255)?;
    let killwords = a[1].as_ref().is_some_and(Value::is_true);
    let end = a[2].as_ref().map_or_else(|| "...".to_string(), py_str);
    let leeway = opt_int(&a[3], 5)?;
    let end_len = end.chars().count() as i64;
    if length < end_len {
        return Err(invalid(format!(
            "expected length >= {end_len}, got {length}"
        )));
    }
    if leeway < 0 {
        return Err(invalid(format!("expected leeway >= 0, got {leeway}")));
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() as i64 <= length.saturating_add(leeway) {
        return Ok(s.to_string());
    }
    let head: String = chars[..(length - end_len) as usize].iter().collect();
    if killwords {
        return Ok(head + &end);
    }
    let kept = match head.rfind(' ') {
        Some(i) => head[..i].to_string(),
        None => head,
    };
    Ok(kept + &end)
}

/// `wordcount`: the number of `\w+` runs.
pub fn wordcount(v: Value) -> usize {
    let s = py_str(&v);
    let mut count = 0;
    let mut in_word = false;
    for c in s.chars() {
        let w = c.is_alphanumeric() || c == '_';
        if w && !in_word {
            count += 1;
        }
        in_word = w;
    }
    count
}

/// `xmlattr(autospace=True)`: `key="value"` pairs, escaped; `None` values skipped.
pub fn xmlattr(d: Value, args: Rest<ValueOrKwargs>) -> Result<String, Error> {
    let a = bind("do_xmlattr", &args, &["autospace"])?;
    let autospace = a[0].as_ref().is_none_or(Value::is_true);
    let mut items = Vec::new();
    for key in d.try_iter()? {
        let value = d.get_item(&key)?;
        if value.is_none() || value.is_undefined() {
            continue;
        }
        let k = py_str(&key);
        if k.chars()
            .any(|c| c.is_ascii_whitespace() || "/>=".contains(c))
        {
            return Err(invalid(format!(
                "Invalid character in attribute name: {}",
                crate::pyfmt::repr(&serde_json::Value::String(k))
            )));
        }
        items.push(format!(
            "{}=\"{}\"",
            html_escape(&k),
            html_escape(&py_str(&value))
        ));
    }
    let rv = items.join(" ");
    Ok(if autospace && !rv.is_empty() {
        format!(" {rv}")
    } else {
        rv
    })
}

/// A random index below `n` (`random.choice`).
fn random_index(n: usize) -> Result<usize, Error> {
    use std::io::Read as _;
    let mut buf = [0u8; 8];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| invalid(e.to_string()))?;
    Ok((u64::from_le_bytes(buf) % n as u64) as usize)
}

/// `random`: one item of a sequence or string; undefined when it is empty.
pub fn random(v: Value) -> Result<Value, Error> {
    if let Some(s) = v.as_str() {
        let chars: Vec<char> = s.chars().collect();
        if chars.is_empty() {
            return Ok(Value::UNDEFINED);
        }
        return Ok(Value::from(chars[random_index(chars.len())?].to_string()));
    }
    if v.kind() != minijinja::value::ValueKind::Seq {
        return Err(invalid(format!(
            "object of type '{}' has no len()",
            py_type(&v)
        )));
    }
    let items: Vec<Value> = v.try_iter()?.collect();
    if items.is_empty() {
        return Ok(Value::UNDEFINED);
    }
    Ok(items[random_index(items.len())?].clone())
}

/// Jinja2's `cycler(*items)`: `next()`, `reset()`, `current`.
#[derive(Debug)]
pub(super) struct Cycler {
    items: Vec<Value>,
    pos: Mutex<usize>,
}

impl Object for Cycler {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "current" => {
                let pos = *self.pos.lock().ok()?;
                Some(self.items.get(pos).cloned().unwrap_or(Value::UNDEFINED))
            }
            "items" => Some(Value::from(self.items.clone())),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let () = from_args(args)?;
        let mut pos = self
            .pos
            .lock()
            .map_err(|e| invalid(format!("cycler: {e}")))?;
        match method {
            "next" | "__next__" => {
                if self.items.is_empty() {
                    return Err(invalid("integer division or modulo by zero"));
                }
                let current = self.items[*pos].clone();
                *pos = (*pos + 1) % self.items.len();
                Ok(current)
            }
            "reset" => {
                *pos = 0;
                Ok(Value::from(()))
            }
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// Jinja2's `joiner(sep=', ')`: `''` on the first call, `sep` after.
#[derive(Debug)]
struct Joiner {
    sep: String,
    used: Mutex<bool>,
}

impl Object for Joiner {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        let () = from_args(args)?;
        let mut used = self
            .used
            .lock()
            .map_err(|e| invalid(format!("joiner: {e}")))?;
        if *used {
            Ok(Value::from(self.sep.clone()))
        } else {
            *used = true;
            Ok(Value::from(""))
        }
    }
}
