//! Mutable Python-like lists and dicts for templates.
//!
//! minijinja values are immutable, but Salt templates mutate data with
//! `{% do l.append(x) %}` / `{% do d.update(...) %}`. Context data and every list
//! or dict literal (see `rewrite`) become these objects; mutations through one
//! reference are visible through all others, as in Python.

use std::sync::{Arc, Mutex, MutexGuard};

use halite_api::Value as Json;
use indexmap::IndexMap;
use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, State, Value};

/// A Python `list`.
#[derive(Debug, Default)]
pub struct MutList(Mutex<Vec<Value>>);

/// A Python `dict` (insertion ordered).
#[derive(Debug, Default)]
pub struct MutDict(Mutex<IndexMap<Value, Value>>);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn arity(method: &str, args: &[Value], min: usize, max: usize) -> Result<(), Error> {
    if args.len() < min || args.len() > max {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("{method}() takes {min} to {max} arguments"),
        ));
    }
    Ok(())
}

impl MutList {
    pub fn new_value(items: Vec<Value>) -> Value {
        Value::from_object(MutList(Mutex::new(items)))
    }
    pub fn snapshot(&self) -> Vec<Value> {
        lock(&self.0).clone()
    }
}

impl MutDict {
    pub fn new_value(items: IndexMap<Value, Value>) -> Value {
        Value::from_object(MutDict(Mutex::new(items)))
    }
    pub fn snapshot(&self) -> IndexMap<Value, Value> {
        lock(&self.0).clone()
    }
    /// Make this dict hold exactly `data` (Salt functions that update their
    /// argument in place).
    pub fn replace_with(&self, data: &halite_api::Map) {
        *lock(&self.0) = data
            .iter()
            .map(|(k, v)| (Value::from(k.as_str()), to_jinja(v)))
            .collect();
    }
}

fn index(len: usize, idx: &Value) -> Option<usize> {
    let i = i64::try_from(idx.clone()).ok()?;
    let i = if i < 0 { i + len as i64 } else { i };
    (0..len as i64).contains(&i).then_some(i as usize)
}

impl Object for MutList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let items = lock(&self.0);
        index(items.len(), key).map(|i| items[i].clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Iter(Box::new(self.snapshot().into_iter()))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut items = lock(&self.0);
        match method {
            "append" => {
                arity(method, args, 1, 1)?;
                items.push(args[0].clone());
            }
            "extend" => {
                arity(method, args, 1, 1)?;
                items.extend(args[0].try_iter()?);
            }
            "insert" => {
                arity(method, args, 2, 2)?;
                let len = items.len() as i64;
                let at = i64::try_from(args[0].clone())?;
                let at = if at < 0 {
                    (at + len).max(0)
                } else {
                    at.min(len)
                };
                items.insert(at as usize, args[1].clone());
            }
            "pop" => {
                arity(method, args, 0, 1)?;
                let at = match args.first() {
                    Some(i) => index(items.len(), i),
                    None => items.len().checked_sub(1),
                };
                let at = at.ok_or_else(|| {
                    Error::new(ErrorKind::InvalidOperation, "pop index out of range")
                })?;
                return Ok(items.remove(at));
            }
            "remove" => {
                arity(method, args, 1, 1)?;
                let at = items.iter().position(|v| v == &args[0]);
                let at = at.ok_or_else(|| {
                    Error::new(ErrorKind::InvalidOperation, "list.remove(x): x not in list")
                })?;
                items.remove(at);
            }
            "clear" => items.clear(),
            "reverse" => items.reverse(),
            "sort" => items.sort(),
            "index" => {
                arity(method, args, 1, 1)?;
                let at = items.iter().position(|v| v == &args[0]);
                return at.map(Value::from).ok_or_else(|| {
                    Error::new(ErrorKind::InvalidOperation, "value is not in list")
                });
            }
            "count" => {
                arity(method, args, 1, 1)?;
                return Ok(Value::from(items.iter().filter(|v| *v == &args[0]).count()));
            }
            "copy" => return Ok(MutList::new_value(items.clone())),
            _ => {
                drop(items);
                let plain = Value::from(self.snapshot());
                return minijinja_contrib::pycompat::unknown_method_callback(
                    state, &plain, method, args,
                );
            }
        }
        Ok(Value::from(()))
    }
}

impl Object for MutDict {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        lock(&self.0).get(key).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let keys: Vec<Value> = lock(&self.0).keys().cloned().collect();
        Enumerator::Iter(Box::new(keys.into_iter()))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let (args, kwargs) = split_kwargs(args)?;
        let mut map = lock(&self.0);
        match method {
            "get" => {
                arity(method, &args, 1, 2)?;
                Ok(map
                    .get(&args[0])
                    .cloned()
                    .unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::from(()))))
            }
            "items" => Ok(Value::from(
                map.iter()
                    .map(|(k, v)| super::tuple::PyTuple::new_value(vec![k.clone(), v.clone()]))
                    .collect::<Vec<_>>(),
            )),
            "keys" => Ok(Value::from(map.keys().cloned().collect::<Vec<_>>())),
            "values" => Ok(Value::from(map.values().cloned().collect::<Vec<_>>())),
            "update" => {
                for other in &args {
                    for (k, v) in pairs_of(other)? {
                        map.insert(k, v);
                    }
                }
                for (k, v) in kwargs {
                    map.insert(Value::from(k), v);
                }
                Ok(Value::from(()))
            }
            "setdefault" => {
                arity(method, &args, 1, 2)?;
                let default = args.get(1).cloned().unwrap_or(Value::from(()));
                Ok(map.entry(args[0].clone()).or_insert(default).clone())
            }
            "pop" => {
                arity(method, &args, 1, 2)?;
                match (map.shift_remove(&args[0]), args.get(1)) {
                    (Some(v), _) => Ok(v),
                    (None, Some(d)) => Ok(d.clone()),
                    (None, None) => Err(Error::new(
                        ErrorKind::InvalidOperation,
                        format!("KeyError: {}", args[0]),
                    )),
                }
            }
            "clear" => {
                map.clear();
                Ok(Value::from(()))
            }
            "copy" => Ok(MutDict::new_value(map.clone())),
            "has_key" => Ok(Value::from(map.contains_key(&args[0]))),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// Keyword arguments in call order.
pub type KeywordArgs = Vec<(String, Value)>;

/// Positional arguments and keyword arguments (in call order).
pub fn split_kwargs(args: &[Value]) -> Result<(Vec<Value>, KeywordArgs), Error> {
    match args.split_last() {
        Some((last, rest)) if last.is_kwargs() => {
            let kwargs: minijinja::value::Kwargs = last.clone().try_into()?;
            let mut pairs = Vec::new();
            for key in kwargs.args() {
                pairs.push((key.to_string(), kwargs.peek::<Value>(key)?));
            }
            Ok((rest.to_vec(), pairs))
        }
        _ => Ok((args.to_vec(), Vec::new())),
    }
}

/// Key/value pairs of a mapping value (or a list of pairs, as `dict.update` takes).
fn pairs_of(v: &Value) -> Result<Vec<(Value, Value)>, Error> {
    if let Some(d) = v.downcast_object_ref::<MutDict>() {
        return Ok(d.snapshot().into_iter().collect());
    }
    let mut out = Vec::new();
    if v.kind() == minijinja::value::ValueKind::Map {
        for k in v.try_iter()? {
            let val = v.get_item(&k)?;
            out.push((k, val));
        }
    } else {
        for pair in v.try_iter()? {
            out.push((pair.get_item_by_index(0)?, pair.get_item_by_index(1)?));
        }
    }
    Ok(out)
}

/// Salt data → template value (lists and dicts become mutable objects).
pub fn to_jinja(v: &Json) -> Value {
    match v {
        Json::Array(a) => MutList::new_value(a.iter().map(to_jinja).collect()),
        Json::Object(m) => MutDict::new_value(
            m.iter()
                .map(|(k, v)| (Value::from(k.as_str()), to_jinja(v)))
                .collect(),
        ),
        Json::Null => Value::from(()),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(u)) => Value::from(u),
            _ => Value::from(n.as_f64().unwrap_or_default()),
        },
        Json::String(s) => Value::from(s.as_str()),
    }
}

/// Template value → Salt data (undefined/none → null; non-string keys as JSON).
pub fn from_jinja(v: &Value) -> Json {
    if let Some(l) = v.downcast_object_ref::<MutList>() {
        return Json::Array(l.snapshot().iter().map(from_jinja).collect());
    }
    if let Some(d) = v.downcast_object_ref::<MutDict>() {
        return Json::Object(
            d.snapshot()
                .iter()
                .map(|(k, v)| (key_string(k), from_jinja(v)))
                .collect(),
        );
    }
    match v.kind() {
        minijinja::value::ValueKind::Seq | minijinja::value::ValueKind::Iterable => Json::Array(
            v.try_iter()
                .map(|it| it.map(|x| from_jinja(&x)).collect())
                .unwrap_or_default(),
        ),
        minijinja::value::ValueKind::Map => {
            let mut m = halite_api::Map::new();
            if let Ok(keys) = v.try_iter() {
                for k in keys {
                    let val = v.get_item(&k).unwrap_or_default();
                    m.insert(key_string(&k), from_jinja(&val));
                }
            }
            Json::Object(m)
        }
        minijinja::value::ValueKind::Undefined | minijinja::value::ValueKind::None => Json::Null,
        _ => serde_json::to_value(v).unwrap_or(Json::Null),
    }
}

fn key_string(k: &Value) -> String {
    match k.as_str() {
        Some(s) => s.to_string(),
        None => from_jinja(k).to_string(),
    }
}
