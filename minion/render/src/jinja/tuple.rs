//! Python tuples in templates: what `re.match(...).groups()` and
//! `dict.items()` give. They iterate and index like lists but print as
//! Python prints tuples: `('a', 1)`, `('x',)`. Bytes (`b'..'`), ints past
//! 64 bits and dicts with non-string keys print the Python way through the
//! same path.

use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::Value;

/// An immutable Python `tuple`.
#[derive(Debug)]
pub struct PyTuple(Vec<Value>);

impl PyTuple {
    pub fn new_value(items: Vec<Value>) -> Value {
        Value::from_object(PyTuple(items))
    }
}

impl Object for PyTuple {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let i = i64::try_from(key.clone()).ok()?;
        let len = self.0.len() as i64;
        let i = if i < 0 { i + len } else { i };
        (0..len).contains(&i).then(|| self.0[i as usize].clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Iter(Box::new(self.0.clone().into_iter()))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.0.len())
    }
}

/// Python `str()` of a template value, tuples included (the formatter's
/// path when a value holds one; everything else goes through Salt data).
pub fn py_str(v: &Value) -> Option<String> {
    contains_tuple(v).then(|| py_repr(v))
}

/// Ints serde's data model cannot hold (past `u64`/`i64`).
fn is_big_int(v: &Value) -> bool {
    v.kind() == minijinja::value::ValueKind::Number
        && i128::try_from(v.clone())
            .is_ok_and(|n| i64::try_from(n).is_err() && u64::try_from(n).is_err())
}

/// Python's `repr(bytes)`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = format!("b{quote}");
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
    out
}

fn contains_tuple(v: &Value) -> bool {
    if v.downcast_object_ref::<PyTuple>().is_some()
        || v.kind() == minijinja::value::ValueKind::Bytes
        || is_big_int(v)
    {
        return true;
    }
    match v.kind() {
        minijinja::value::ValueKind::Seq => v
            .try_iter()
            .is_ok_and(|mut it| it.any(|x| contains_tuple(&x))),
        // non-string keys print as Python prints them (`{1: 'a'}`)
        minijinja::value::ValueKind::Map => v.try_iter().is_ok_and(|mut keys| {
            keys.any(|k| {
                k.kind() != minijinja::value::ValueKind::String
                    || contains_tuple(&v.get_item(&k).unwrap_or_default())
            })
        }),
        _ => false,
    }
}

fn py_repr(v: &Value) -> String {
    if v.kind() == minijinja::value::ValueKind::Bytes {
        return bytes_repr(v.as_bytes().unwrap_or_default());
    }
    if is_big_int(v) {
        return v.to_string();
    }
    if let Some(t) = v.downcast_object_ref::<PyTuple>() {
        let items: Vec<String> = t.0.iter().map(py_repr).collect();
        return match items.len() {
            1 => format!("({},)", items[0]),
            _ => format!("({})", items.join(", ")),
        };
    }
    match v.kind() {
        minijinja::value::ValueKind::Seq => {
            let items: Vec<String> = v
                .try_iter()
                .map(|it| it.map(|x| py_repr(&x)).collect())
                .unwrap_or_default();
            format!("[{}]", items.join(", "))
        }
        minijinja::value::ValueKind::Map => {
            let items: Vec<String> = v
                .try_iter()
                .map(|keys| {
                    keys.map(|k| {
                        format!(
                            "{}: {}",
                            py_repr(&k),
                            py_repr(&v.get_item(&k).unwrap_or_default())
                        )
                    })
                    .collect()
                })
                .unwrap_or_default();
            format!("{{{}}}", items.join(", "))
        }
        _ => crate::pyfmt::repr(&super::mutable::from_jinja(v)),
    }
}
