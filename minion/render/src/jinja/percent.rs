//! Python's printf-style `str % args` for templates (`'%s:%d' % (host, port)`,
//! `'%(name)s' % d`): the rewrite turns `'lit' % x` into
//! `'lit' | __pyformat(x)`. A tuple gives the arguments, a dict the named
//! ones, anything else is the single argument (a list too, as in Python).

use minijinja::value::ValueKind;
use minijinja::{Error, ErrorKind, Value};

use super::mutable::{from_jinja, MutList};
use super::tuple::PyTuple;

fn type_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

/// The `__pyformat` filter.
pub fn pyformat(fmt: String, args: Value) -> Result<String, Error> {
    let is_tuple = args.downcast_object_ref::<PyTuple>().is_some()
        || (args.kind() == ValueKind::Seq && args.downcast_object_ref::<MutList>().is_none());
    let positional: Vec<Value> = if is_tuple {
        args.try_iter()?.collect()
    } else {
        vec![args.clone()]
    };
    let mapping = (args.kind() == ValueKind::Map).then_some(&args);
    let mut out = String::new();
    let mut next = 0usize;
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        let mut key = None;
        if chars.get(i) == Some(&'(') {
            let close = chars[i..]
                .iter()
                .position(|&c| c == ')')
                .ok_or_else(|| type_error("incomplete format key"))?;
            key = Some(chars[i + 1..i + close].iter().collect::<String>());
            i += close + 1;
        }
        let mut spec = Spec::default();
        while let Some(&c) = chars.get(i) {
            match c {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alt = true,
                '0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        let digits = |i: &mut usize| {
            let start = *i;
            while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                *i += 1;
            }
            (start < *i).then(|| {
                chars[start..*i]
                    .iter()
                    .collect::<String>()
                    .parse::<usize>()
                    .unwrap_or(0)
            })
        };
        spec.width = digits(&mut i);
        if chars.get(i) == Some(&'.') {
            i += 1;
            spec.precision = Some(digits(&mut i).unwrap_or(0));
        }
        while matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let conv = *chars
            .get(i)
            .ok_or_else(|| type_error("incomplete format"))?;
        i += 1;
        if conv == '%' {
            out.push('%');
            continue;
        }
        let value = match (&key, mapping) {
            (Some(k), Some(m)) => m.get_item(&Value::from(k.as_str()))?,
            (Some(_), None) => return Err(type_error("format requires a mapping")),
            (None, _) if mapping.is_some() && !is_tuple => mapping.cloned().unwrap_or_default(),
            (None, _) => {
                let v = positional
                    .get(next)
                    .cloned()
                    .ok_or_else(|| type_error("not enough arguments for format string"))?;
                next += 1;
                v
            }
        };
        if value.is_undefined() {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                format!("{:?}", key.unwrap_or_default()),
            ));
        }
        out.push_str(&spec.apply(conv, &value)?);
    }
    if mapping.is_none() && next < positional.len() {
        return Err(type_error(
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

#[derive(Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

fn py_str(v: &Value) -> String {
    match v.as_str() {
        Some(s) => s.to_string(),
        None => super::tuple::py_str(v).unwrap_or_else(|| crate::pyfmt::str(&from_jinja(v))),
    }
}

fn number(v: &Value) -> Result<f64, Error> {
    match v.kind() {
        ValueKind::Number | ValueKind::Bool => {
            f64::try_from(v.clone()).map_err(|_| type_error("a number is required"))
        }
        _ => Err(type_error(format!(
            "%d format: a real number is required, not {}",
            v.kind()
        ))),
    }
}

impl Spec {
    fn apply(&self, conv: char, v: &Value) -> Result<String, Error> {
        let body = match conv {
            's' => {
                let s = py_str(v);
                return Ok(self.pad(
                    &match self.precision {
                        Some(p) => s.chars().take(p).collect(),
                        None => s,
                    },
                    false,
                ));
            }
            'r' | 'a' => return Ok(self.pad(&crate::pyfmt::repr(&from_jinja(v)), false)),
            'c' => return Ok(self.pad(&py_str(v), false)),
            'd' | 'i' | 'u' => self.sign(number(v)?.trunc(), |x| format!("{}", x.abs() as i128)),
            'x' => self.sign(number(v)?.trunc(), |x| {
                format!("{}{:x}", if self.alt { "0x" } else { "" }, x.abs() as i128)
            }),
            'X' => self.sign(number(v)?.trunc(), |x| {
                format!("{}{:X}", if self.alt { "0X" } else { "" }, x.abs() as i128)
            }),
            'o' => self.sign(number(v)?.trunc(), |x| {
                format!("{}{:o}", if self.alt { "0o" } else { "" }, x.abs() as i128)
            }),
            'f' | 'F' => {
                let p = self.precision.unwrap_or(6);
                self.sign(number(v)?, |x| format!("{:.*}", p, x.abs()))
            }
            'e' | 'E' => {
                let p = self.precision.unwrap_or(6);
                let s = self.sign(number(v)?, |x| exp(x.abs(), p));
                if conv == 'E' {
                    s.to_uppercase()
                } else {
                    s
                }
            }
            'g' | 'G' => {
                let p = self.precision.unwrap_or(6).max(1);
                let s = self.sign(number(v)?, |x| general(x.abs(), p, self.alt));
                if conv == 'G' {
                    s.to_uppercase()
                } else {
                    s
                }
            }
            other => {
                return Err(type_error(format!(
                    "unsupported format character '{other}'"
                )))
            }
        };
        Ok(self.pad(&body, true))
    }

    fn sign(&self, x: f64, digits: impl Fn(f64) -> String) -> String {
        let d = digits(x);
        if x < 0.0 {
            format!("-{d}")
        } else if self.plus {
            format!("+{d}")
        } else if self.space {
            format!(" {d}")
        } else {
            d
        }
    }

    fn pad(&self, s: &str, numeric: bool) -> String {
        let width = self.width.unwrap_or(0);
        let len = s.chars().count();
        if len >= width {
            return s.to_string();
        }
        let fill = width - len;
        if self.left {
            format!("{s}{}", " ".repeat(fill))
        } else if self.zero && numeric {
            let (sign, rest) = match s.chars().next() {
                Some(c @ ('-' | '+' | ' ')) => (c.to_string(), &s[1..]),
                _ => (String::new(), s),
            };
            format!("{sign}{}{rest}", "0".repeat(fill))
        } else {
            format!("{}{s}", " ".repeat(fill))
        }
    }
}

/// `%e`: `d.dddddde+XX`.
fn exp(x: f64, p: usize) -> String {
    let s = format!("{:.*e}", p, x);
    let (mantissa, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    format!("{mantissa}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

/// `%g`: `%e` below 1e-4 or at/above 10^p, else `%f`; trailing zeros dropped.
fn general(x: f64, p: usize, alt: bool) -> String {
    if x == 0.0 {
        return if alt {
            format!("{:.*}", p - 1, 0.0)
        } else {
            "0".into()
        };
    }
    let e = x.log10().floor() as i32;
    let strip = |s: String| {
        if alt || !s.contains('.') {
            s
        } else {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    };
    if e < -4 || e >= p as i32 {
        let s = exp(x, p - 1);
        let (m, rest) = s.split_once('e').unwrap_or((&s, ""));
        format!("{}e{rest}", strip(m.to_string()))
    } else {
        strip(format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(items: Vec<Value>) -> Value {
        Value::from(items)
    }

    #[test]
    fn python_percent_formatting() {
        assert_eq!(
            pyformat(
                "%s-%s".into(),
                tuple(vec![Value::from("a"), Value::from(2)])
            )
            .unwrap(),
            "a-2"
        );
        assert_eq!(
            pyformat(
                "%05.1f|%d|%x".into(),
                tuple(vec![
                    Value::from(3.25159),
                    Value::from(42),
                    Value::from(255)
                ])
            )
            .unwrap(),
            "003.3|42|ff"
        );
        assert_eq!(
            pyformat(
                "%-4s|%4d|%+d|%%".into(),
                tuple(vec![Value::from("ab"), Value::from(7), Value::from(3)])
            )
            .unwrap(),
            "ab  |   7|+3|%"
        );
        assert_eq!(
            pyformat(
                "%e %g %g %g".into(),
                tuple(vec![
                    Value::from(12345.678),
                    Value::from(0.0001),
                    Value::from(1e20),
                    Value::from(2.5)
                ])
            )
            .unwrap(),
            "1.234568e+04 0.0001 1e+20 2.5"
        );
        assert_eq!(pyformat("%s".into(), Value::from("x")).unwrap(), "x");
        assert!(pyformat("%s %s".into(), tuple(vec![Value::from(1)])).is_err());
        assert!(pyformat("%s".into(), tuple(vec![Value::from(1), Value::from(2)])).is_err());
    }
}
