//! Salt's data filters (`salt/utils/data.py`, `salt/utils/dictupdate.py`):
//! `to_entries`, `from_entries`, `compare_dicts`, `compare_lists`, `is_iter`,
//! `is_list`, `json_{en,de}code_{dict,list}`, the `*_dict_key_value` family
//! (in place, as Salt), `random_sample`, `random_shuffle`, `mysql_to_dict`,
//! `json_query` (JMESPath, the `jmespath` crate).
//! The itertools and file filters register from here too.

use indexmap::IndexMap;
use minijinja::value::{Kwargs, Rest, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State, Value};

use super::errors::FunctionFailed;
use super::mutable::{MutDict, MutList};
use super::pyrandom::PyRandom;
use super::tuple::PyTuple;

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("to_entries", to_entries);
    env.add_filter("from_entries", from_entries);
    env.add_filter("compare_dicts", compare_dicts);
    env.add_filter("compare_lists", compare_lists);
    env.add_filter("is_iter", is_iter);
    env.add_filter("is_list", is_list);
    env.add_filter("json_encode_dict", encode_dict);
    env.add_filter("json_decode_dict", encode_dict);
    env.add_filter("json_encode_list", encode_list);
    env.add_filter("json_decode_list", encode_list);
    env.add_filter("set_dict_key_value", set_dict_key_value);
    env.add_filter("update_dict_key_value", update_dict_key_value);
    env.add_filter("append_dict_key_value", append_dict_key_value);
    env.add_filter("extend_dict_key_value", extend_dict_key_value);
    env.add_filter("random_sample", random_sample);
    env.add_filter("random_shuffle", random_shuffle);
    env.add_filter("mysql_to_dict", mysql_to_dict);
    env.add_filter("json_query", json_query);
    super::filters_iter::register(env);
    super::filters_files::register(env);
}

pub(crate) fn error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

/// Salt's SaltInvocationError: `Problem running salt function ...` as Salt words it.
fn invocation_error(msg: String) -> Error {
    error(msg.clone()).with_source(FunctionFailed(msg))
}

/// Python's type name of a template value.
pub(crate) fn py_type(v: &Value) -> &'static str {
    if v.downcast_object_ref::<PyTuple>().is_some() {
        return "tuple";
    }
    match v.kind() {
        ValueKind::Bool => "bool",
        ValueKind::Number if v.is_integer() => "int",
        ValueKind::Number => "float",
        ValueKind::Seq | ValueKind::Iterable => "list",
        ValueKind::Map => "dict",
        ValueKind::String => "str",
        ValueKind::Bytes => "bytes",
        ValueKind::None => "NoneType",
        _ => "object",
    }
}

/// Python's binding of the parameters `names` from the positional `rest`,
/// then keywords; an explicit `none` stays `Some(none)`.
pub(crate) fn bind(
    fun: &str,
    rest: &[Value],
    kwargs: &Kwargs,
    names: &[&str],
) -> Result<Vec<Option<Value>>, Error> {
    if rest.len() > names.len() {
        return Err(error(format!(
            "{fun}() takes at most {} arguments after the value ({} given)",
            names.len(),
            rest.len()
        )));
    }
    let mut out = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let kw = if kwargs.has(name) {
            Some(kwargs.get::<Value>(name)?)
        } else {
            None
        };
        out.push(match (rest.get(i), kw) {
            (Some(_), Some(_)) => {
                return Err(error(format!(
                    "{fun}() got multiple values for argument '{name}'"
                )))
            }
            (Some(v), None) => Some(v.clone()),
            (None, kw) => kw,
        });
    }
    kwargs.assert_all_used()?;
    Ok(out)
}

/// A bound optional argument, None when absent or `none`.
pub(crate) fn some(v: &Option<Value>) -> Option<Value> {
    v.clone().filter(|v| !v.is_none() && !v.is_undefined())
}

/// A required bound argument.
pub(crate) fn required(fun: &str, v: &Option<Value>, name: &str) -> Result<Value, Error> {
    v.clone().ok_or_else(|| {
        error(format!(
            "{fun}() missing 1 required positional argument: '{name}'"
        ))
    })
}

fn new_dict(map: IndexMap<Value, Value>) -> Value {
    MutDict::new_value(map)
}

fn pairs(v: &Value) -> Result<Vec<(Value, Value)>, Error> {
    v.try_iter()?
        .map(|k| Ok((k.clone(), v.get_item(&k)?)))
        .collect()
}

/// `to_entries`: `[{'key': k, 'value': v}]` for a dict, indices for a list.
pub fn to_entries(data: Value) -> Result<Value, Error> {
    let entries: Vec<(Value, Value)> = match data.kind() {
        ValueKind::Map => pairs(&data)?,
        ValueKind::Seq if data.downcast_object_ref::<PyTuple>().is_none() => data
            .try_iter()?
            .enumerate()
            .map(|(i, v)| (Value::from(i), v))
            .collect(),
        _ => return Err(error("Input data must be a dict or list")),
    };
    Ok(MutList::new_value(
        entries
            .into_iter()
            .map(|(k, v)| new_dict(IndexMap::from([("key".into(), k), ("value".into(), v)])))
            .collect(),
    ))
}

/// `from_entries`: each entry's `key` (else `name`, case-insensitive, when
/// truthy) maps to its `value` (None when missing).
pub fn from_entries(entries: Value) -> Result<Value, Error> {
    let mut out = IndexMap::new();
    for entry in entries.try_iter()? {
        let mut lower: IndexMap<String, Value> = IndexMap::new();
        for (k, v) in pairs(&entry)? {
            let name = k.as_str().map_or_else(|| k.to_string(), str::to_string);
            lower.insert(name.to_lowercase(), v);
        }
        for key in ["key", "name"] {
            match lower.get(key) {
                Some(keyval) if keyval.is_true() => {
                    let value = lower.get("value").cloned().unwrap_or(Value::from(()));
                    out.insert(keyval.clone(), value);
                    break;
                }
                _ => {}
            }
        }
    }
    Ok(new_dict(out))
}

fn get(v: &Value, k: &Value) -> Option<Value> {
    v.get_item(k).ok().filter(|x| !x.is_undefined())
}

/// `old|compare_dicts(new)`: `{key: {'old': .., 'new': ..}}` for changed keys
/// (`''` for the missing side). Keys come in `new`'s order, then `old`'s
/// (Salt iterates a Python set, whose order varies between runs).
pub fn compare_dicts(old: Value, new: Value) -> Result<Value, Error> {
    let mut keys: Vec<Value> = new.try_iter()?.collect();
    for k in old.try_iter()? {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let mut out = IndexMap::new();
    let empty = || Value::from("");
    for key in keys {
        let change = match (get(&old, &key), get(&new, &key)) {
            (None, Some(n)) => [("old", empty()), ("new", n)],
            (Some(o), None) => [("new", empty()), ("old", o)],
            (Some(o), Some(n)) if o != n => [("old", o), ("new", n)],
            _ => continue,
        };
        let change = change
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect();
        out.insert(key, new_dict(change));
    }
    Ok(new_dict(out))
}

/// `old|compare_lists(new)`: `{'new': [added], 'old': [removed]}`.
pub fn compare_lists(old: Value, new: Value) -> Result<Value, Error> {
    let (o, n): (Vec<Value>, Vec<Value>) = (old.try_iter()?.collect(), new.try_iter()?.collect());
    let mut out = IndexMap::new();
    let added: Vec<Value> = n.iter().filter(|x| !o.contains(x)).cloned().collect();
    let removed: Vec<Value> = o.iter().filter(|x| !n.contains(x)).cloned().collect();
    if !added.is_empty() {
        out.insert(Value::from("new"), MutList::new_value(added));
    }
    if !removed.is_empty() {
        out.insert(Value::from("old"), MutList::new_value(removed));
    }
    Ok(new_dict(out))
}

/// `is_iter(ignore=(str,))`: iterable and not a string; a falsy `ignore`
/// counts strings too.
pub fn is_iter(thing: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<bool, Error> {
    let args = bind("is_iter", &rest, &kwargs, &["ignore"])?;
    let skip_strings = args[0].as_ref().is_none_or(Value::is_true);
    Ok(match thing.kind() {
        ValueKind::String => !skip_strings,
        ValueKind::Seq | ValueKind::Map | ValueKind::Iterable | ValueKind::Bytes => true,
        _ => false,
    })
}

/// `is_list`: a Python list (not a tuple, string or dict).
pub fn is_list(v: Value) -> bool {
    v.kind() == ValueKind::Seq && v.downcast_object_ref::<PyTuple>().is_none()
}

fn encode(v: Value) -> Result<Value, Error> {
    match v.kind() {
        ValueKind::String => Ok(Value::from_bytes(
            v.as_str().unwrap_or_default().as_bytes().to_vec(),
        )),
        ValueKind::Map => encode_dict(v),
        ValueKind::Seq | ValueKind::Iterable => encode_list(v),
        _ => Ok(v),
    }
}

/// `json_encode_dict` / `json_decode_dict` (Salt's `encode_dict`): every
/// string key and value as UTF-8 bytes, recursively.
pub fn encode_dict(data: Value) -> Result<Value, Error> {
    if data.kind() != ValueKind::Map {
        return Err(error(format!(
            "'{}' object has no attribute 'items'",
            py_type(&data)
        )));
    }
    let mut out = IndexMap::new();
    for (k, v) in pairs(&data)? {
        let key = if k.kind() == ValueKind::String {
            encode(k)?
        } else {
            k
        };
        out.insert(key, encode(v)?);
    }
    Ok(new_dict(out))
}

/// `json_encode_list` / `json_decode_list` (Salt's `encode_list`).
pub fn encode_list(data: Value) -> Result<Value, Error> {
    let items: Vec<Value> = data
        .try_iter()
        .map_err(|_| error(format!("'{}' object is not iterable", py_type(&data))))?
        .map(encode)
        .collect::<Result<_, _>>()?;
    Ok(MutList::new_value(items))
}

/// Salt's `_dict_rpartition`: every key but the last made a dict (replacing
/// non-dicts), that dict and the last key.
fn dict_rpartition(
    state: &mut State,
    in_dict: &Value,
    keys: &str,
    delimiter: &str,
) -> Result<(Value, Value), Error> {
    let Some((head, last)) = keys.rsplit_once(delimiter) else {
        return Ok((in_dict.clone(), Value::from(keys)));
    };
    let mut pointer = in_dict.clone();
    for key in head.split(delimiter) {
        let key = Value::from(key);
        let next = match get(&pointer, &key) {
            Some(d) if d.kind() == ValueKind::Map => d,
            _ => {
                let d = new_dict(IndexMap::new());
                set_item(state, &pointer, key, d.clone())?;
                d
            }
        };
        pointer = next;
    }
    Ok((pointer, Value::from(last)))
}

fn set_item(state: &mut State, dict: &Value, key: Value, value: Value) -> Result<(), Error> {
    let one = new_dict(IndexMap::from([(key, value)]));
    dict.call_method(state, "update", &[one])
        .map(|_| ())
        .map_err(|_| {
            error(format!(
                "'{}' object does not support item assignment",
                py_type(dict)
            ))
        })
}

/// The value at the last key; `empty` put there first when missing or None.
fn last_value(
    state: &mut State,
    in_dict: &Value,
    keys: &str,
    delimiter: Option<String>,
    empty: fn() -> Value,
) -> Result<Value, Error> {
    let (pointer, last) =
        dict_rpartition(state, in_dict, keys, delimiter.as_deref().unwrap_or(":"))?;
    match get(&pointer, &last) {
        Some(v) if !v.is_none() => Ok(v),
        _ => {
            let v = empty();
            set_item(state, &pointer, last, v.clone())?;
            Ok(v)
        }
    }
}

/// `value, delimiter=':', ordered_dict=False` (dicts keep their order anyway).
fn value_delimiter(
    fun: &str,
    rest: &[Value],
    kwargs: &Kwargs,
) -> Result<(Value, Option<String>), Error> {
    let args = bind(fun, rest, kwargs, &["value", "delimiter", "ordered_dict"])?;
    let value = required(fun, &args[0], "value")?;
    let delimiter =
        some(&args[1]).map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_string));
    Ok((value, delimiter))
}

fn empty_dict() -> Value {
    new_dict(IndexMap::new())
}

fn empty_list() -> Value {
    MutList::new_value(Vec::new())
}

/// `set_dict_key_value(keys, value, delimiter=':')`: in place, returns the dict.
pub fn set_dict_key_value(
    state: &mut State,
    in_dict: Value,
    keys: String,
    rest: Rest<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let (value, delimiter) = value_delimiter("set_dict_key_value", &rest, &kwargs)?;
    let (pointer, last) =
        dict_rpartition(state, &in_dict, &keys, delimiter.as_deref().unwrap_or(":"))?;
    set_item(state, &pointer, last, value)?;
    Ok(in_dict)
}

/// `update_dict_key_value(keys, value, delimiter=':')`.
pub fn update_dict_key_value(
    state: &mut State,
    in_dict: Value,
    keys: String,
    rest: Rest<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let (value, delimiter) = value_delimiter("update_dict_key_value", &rest, &kwargs)?;
    let target = last_value(state, &in_dict, &keys, delimiter, empty_dict)?;
    if target.kind() != ValueKind::Map {
        return Err(invocation_error(format!(
            "The last key contains a <class '{}'>, which cannot update.",
            py_type(&target)
        )));
    }
    if value.kind() != ValueKind::Map {
        return Err(invocation_error(format!(
            "Cannot update <class 'dict'> with a <class '{}'>.",
            py_type(&value)
        )));
    }
    target.call_method(state, "update", &[value])?;
    Ok(in_dict)
}

fn list_target(
    state: &mut State,
    in_dict: &Value,
    keys: &str,
    delimiter: Option<String>,
    verb: &str,
) -> Result<Value, Error> {
    let target = last_value(state, in_dict, keys, delimiter, empty_list)?;
    if !is_list(target.clone()) {
        return Err(invocation_error(format!(
            "The last key contains a <class '{}'>, which cannot {verb}.",
            py_type(&target)
        )));
    }
    Ok(target)
}

/// `append_dict_key_value(keys, value, delimiter=':')`.
pub fn append_dict_key_value(
    state: &mut State,
    in_dict: Value,
    keys: String,
    rest: Rest<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let (value, delimiter) = value_delimiter("append_dict_key_value", &rest, &kwargs)?;
    let target = list_target(state, &in_dict, &keys, delimiter, "append")?;
    target.call_method(state, "append", &[value])?;
    Ok(in_dict)
}

/// `extend_dict_key_value(keys, value, delimiter=':')`: any iterable value.
pub fn extend_dict_key_value(
    state: &mut State,
    in_dict: Value,
    keys: String,
    rest: Rest<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let (value, delimiter) = value_delimiter("extend_dict_key_value", &rest, &kwargs)?;
    let target = list_target(state, &in_dict, &keys, delimiter, "extend")?;
    let items: Vec<Value> = match value.try_iter() {
        Ok(it) if value.kind() != ValueKind::Undefined => it.collect(),
        _ => {
            return Err(invocation_error(format!(
                "Cannot extend <class 'list'> with a <class '{}'>.",
                py_type(&value)
            )))
        }
    };
    target.call_method(state, "extend", &[Value::from(items)])?;
    Ok(in_dict)
}

/// The generator for `seed`: Salt's `random.Random(salt.utils.data.hash(seed))`,
/// the SHA-512 hex digest of the text as a Python str seed (the same order
/// as Salt). Salt's `hash` takes only text, so other seeds fail as there.
/// No seed draws from the clock.
fn generator(seed: Option<Value>) -> Result<PyRandom, Error> {
    use sha2::Digest as _;
    let Some(seed) = seed else {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        return Ok(PyRandom::from_int(now as i128));
    };
    let bytes = match seed.kind() {
        ValueKind::String | ValueKind::Bytes => seed.as_bytes().unwrap_or_default(),
        _ => return Err(error("object supporting the buffer API required")),
    };
    Ok(PyRandom::from_str_seed(&hex::encode(sha2::Sha512::digest(
        bytes,
    ))))
}

/// `random_sample(size, seed=None)`: Python's `Random.sample`.
pub fn random_sample(value: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = bind("sample", &rest, &kwargs, &["size", "seed"])?;
    let size = required("sample", &args[0], "size")?;
    let size =
        usize::try_from(size).map_err(|_| error("Sample larger than population or is negative"))?;
    sample(value, size, some(&args[1]))
}

fn sample(value: Value, size: usize, seed: Option<Value>) -> Result<Value, Error> {
    if !matches!(value.kind(), ValueKind::Seq | ValueKind::String) {
        return Err(error(
            "Population must be a sequence.  For dicts or sets, use sorted(d).",
        ));
    }
    let items: Vec<Value> = value.try_iter()?.collect();
    if size > items.len() {
        return Err(error("Sample larger than population or is negative"));
    }
    let picked = generator(seed)?.sample_indices(items.len(), size);
    Ok(MutList::new_value(
        picked.into_iter().map(|i| items[i].clone()).collect(),
    ))
}

/// `random_shuffle(seed=None)`: a shuffled copy (`sample` of the whole list).
pub fn random_shuffle(value: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let args = bind("shuffle", &rest, &kwargs, &["seed"])?;
    let len = value.len().unwrap_or_default();
    sample(value, len, some(&args[0]))
}

/// `mysql_to_dict(key)`: MySQL table output lines to `{row[key]: row}`,
/// values through `to_num`.
pub fn mysql_to_dict(data: Value, key: String) -> Result<Value, Error> {
    let mut out = IndexMap::new();
    let mut headers: Vec<String> = vec![String::new()];
    for line in data.try_iter()? {
        let line = line
            .as_str()
            .map_or_else(|| line.to_string(), str::to_string);
        if line.is_empty() || line.starts_with('+') {
            continue;
        }
        let comps: Vec<String> = line.split('|').map(|c| c.trim().to_string()).collect();
        if headers.len() <= 1 {
            headers = comps;
            continue;
        }
        let mut row = IndexMap::new();
        let fields = headers.iter().enumerate().take(headers.len() - 1).skip(1);
        for (field, header) in fields {
            let comp = comps
                .get(field)
                .ok_or_else(|| error("list index out of range"))?;
            row.insert(
                Value::from(header.as_str()),
                super::data::to_num(Value::from(comp.as_str())),
            );
        }
        let id = row
            .get(&Value::from(key.as_str()))
            .cloned()
            .ok_or_else(|| error(format!("'{key}'")))?;
        out.insert(id, new_dict(row));
    }
    Ok(new_dict(out))
}

/// `json_query(expr)`: JMESPath `search(expr, data)`. Objects in the result
/// come with their keys sorted (the crate's maps are ordered by key).
pub fn json_query(data: Value, expr: String) -> Result<Value, Error> {
    let compiled = super::jmespath_py::runtime()
        .compile(&expr)
        .map_err(|e| error(e.to_string()))?;
    let found = compiled
        .search(super::mutable::from_jinja(&data))
        .map_err(|e| error(e.to_string()))?;
    let json = serde_json::to_value(&*found).map_err(|e| error(e.to_string()))?;
    Ok(super::mutable::to_jinja(&json))
}

#[cfg(test)]
mod tests;
