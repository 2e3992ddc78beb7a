//! Python tuples in templates: what `re.match(...).groups()` and
//! `dict.items()` give. They iterate and index like lists but print as
//! Python prints tuples: `('a', 1)`, `('x',)`.

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

fn contains_tuple(v: &Value) -> bool {
    if v.downcast_object_ref::<PyTuple>().is_some() {
        return true;
    }
    match v.kind() {
        minijinja::value::ValueKind::Seq => v
            .try_iter()
            .is_ok_and(|mut it| it.any(|x| contains_tuple(&x))),
        minijinja::value::ValueKind::Map => v.try_iter().is_ok_and(|mut keys| {
            keys.any(|k| contains_tuple(&v.get_item(&k).unwrap_or_default()))
        }),
        _ => false,
    }
}

fn py_repr(v: &Value) -> String {
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
