//! Salt's `xml` filter (`SerializerExtension.format_xml`,
//! salt/utils/jinja.py): a port of its `normalize_iter`/`recurse_tree` over
//! Python values, quirks included (a dict's last top-level key wins, scalar
//! values become text, a dict's scalar values its attributes, lists repeat
//! the tag), then ElementTree's `tostring` and minidom's
//! `toprettyxml(indent=" ")` in [`super::xml_out`]. Python's errors keep
//! their words (`'NoneType' object has no attribute 'iter'`, `list index
//! out of range`, ...); `Value is not a dict or list` is Jinja2's
//! TemplateRuntimeError, which Salt reports as a `Jinja syntax error`.

use minijinja::value::ValueKind;
use minijinja::{Error, Value};

use super::errors::RuntimeFailure;
use super::filters_data::{error, py_type};
use super::tuple::PyTuple;
use super::xml_out::{self, Tree};

/// `value|xml`.
pub fn xml(value: Value) -> Result<Value, Error> {
    let mut tree = Tree::default();
    let items = normalize_iter(&value)?;
    let root = recurse_tree(&mut tree, &items, None)?
        .ok_or_else(|| error("'NoneType' object has no attribute 'iter'"))?;
    Ok(Value::from_safe_string(xml_out::pretty(&tree, root)?))
}

fn not_xml() -> Error {
    let msg = "Value is not a dict or list. Cannot render as XML";
    error(msg).with_source(RuntimeFailure(msg.into()))
}

fn is_tuple(v: &Value) -> bool {
    v.downcast_object_ref::<PyTuple>().is_some()
}

/// Python's `isinstance(v, list)` (a tuple is not one).
fn is_list(v: &Value) -> bool {
    matches!(v.kind(), ValueKind::Seq | ValueKind::Iterable) && !is_tuple(v)
}

fn is_dict(v: &Value) -> bool {
    v.kind() == ValueKind::Map
}

/// `isinstance(v, (str, int, bool, float))`.
fn is_scalar(v: &Value) -> bool {
    matches!(
        v.kind(),
        ValueKind::String | ValueKind::Number | ValueKind::Bool
    )
}

fn items_of(v: &Value) -> Result<Vec<Value>, Error> {
    Ok(v.try_iter()?.collect())
}

/// `normalize_iter`: a str-first list as it is, another list as `[]`, a
/// dict's `items()`.
fn normalize_iter(v: &Value) -> Result<Vec<Value>, Error> {
    if is_list(v) || is_tuple(v) {
        let items = items_of(v)?;
        let Some(first) = items.first() else {
            return Err(error(format!("{} index out of range", py_type(v))));
        };
        return Ok(if first.kind() == ValueKind::String {
            items
        } else {
            Vec::new()
        });
    }
    if is_dict(v) {
        return v
            .try_iter()?
            .map(|k| Ok(PyTuple::new_value(vec![k.clone(), v.get_item(&k)?])))
            .collect();
    }
    Err(not_xml())
}

/// Python's `a, b = item`.
fn unpack2(item: &Value) -> Result<(Value, Value), Error> {
    let parts: Vec<Value> = match item.kind() {
        ValueKind::String => item
            .as_str()
            .unwrap_or_default()
            .chars()
            .map(|c| Value::from(c.to_string()))
            .collect(),
        ValueKind::Seq | ValueKind::Iterable | ValueKind::Map => items_of(item)?,
        _ => {
            let t = py_type(item);
            return Err(error(format!("cannot unpack non-iterable {t} object")));
        }
    };
    match parts.as_slice() {
        [a, b] => Ok((a.clone(), b.clone())),
        [] | [_] => Err(error(format!(
            "not enough values to unpack (expected 2, got {})",
            parts.len()
        ))),
        _ => Err(error("too many values to unpack (expected 2)")),
    }
}

/// Python's `item[1]`.
fn second(item: &Value) -> Result<Value, Error> {
    match item.kind() {
        ValueKind::String => {
            let c = item.as_str().unwrap_or_default().chars().nth(1);
            c.map(|c| Value::from(c.to_string()))
                .ok_or_else(|| error("string index out of range"))
        }
        ValueKind::Seq | ValueKind::Iterable => items_of(item)?
            .get(1)
            .cloned()
            .ok_or_else(|| error(format!("{} index out of range", py_type(item)))),
        ValueKind::Map => item
            .get_item(&Value::from(1))
            .ok()
            .filter(|v| !v.is_undefined())
            .ok_or_else(|| error("1")),
        _ => Err(error(format!(
            "'{}' object is not subscriptable",
            py_type(item)
        ))),
    }
}

/// `recurse_tree(xmliter, element)`: the last element it made (or `None`).
fn recurse_tree(
    tree: &mut Tree,
    xmliter: &[Value],
    element: Option<usize>,
) -> Result<Option<usize>, Error> {
    let mut sub = None;
    for item in xmliter {
        let (tag, attrs) = unpack2(item)?;
        if is_list(&attrs) {
            for attr in items_of(&attrs)? {
                let pair = PyTuple::new_value(vec![tag.clone(), attr]);
                recurse_tree(tree, &[pair], element)?;
            }
        } else {
            sub = Some(tree.element(tag.clone(), element));
        }
        if is_scalar(&attrs) {
            if let Some(id) = sub {
                tree.set_text(id, py_str(&attrs));
            }
            continue;
        }
        if is_dict(&attrs) {
            if let Some(id) = sub {
                tree.set_attrib(id, attributes(&attrs)?);
            }
        }
        let nested: Vec<Value> = normalize_iter(&attrs)?
            .into_iter()
            .map(|item| Ok((second(&item)?, item)))
            .collect::<Result<Vec<_>, Error>>()?
            .into_iter()
            .filter(|(val, _)| is_dict(val) || is_list(val))
            .map(|(_, item)| item)
            .collect();
        for item in nested {
            let (tag, val) = unpack2(&item)?;
            recurse_tree(tree, &[PyTuple::new_value(vec![tag, val])], sub)?;
        }
    }
    Ok(sub)
}

/// `{attr: str(val) for attr, val in attrs.items() if not isinstance(val, (dict, list))}`.
fn attributes(attrs: &Value) -> Result<Vec<(Value, String)>, Error> {
    let mut out = Vec::new();
    for key in attrs.try_iter()? {
        let val = attrs.get_item(&key)?;
        if !(is_dict(&val) || is_list(&val)) {
            out.push((key, py_str(&val)));
        }
    }
    Ok(out)
}

/// Python's `str(v)`.
fn py_str(v: &Value) -> String {
    if let (Some(s), ValueKind::String) = (v.as_str(), v.kind()) {
        return s.to_string();
    }
    super::tuple::py_str(v).unwrap_or_else(|| crate::pyfmt::str(&super::mutable::from_jinja(v)))
}

#[cfg(test)]
#[path = "tests_xml.rs"]
mod tests;
