//! Salt's serialisation filters and the helpers templates call through them
//! (`yaml`, `json`, `load_yaml`, `yaml_encode`, `python`, `dict_to_sls_yaml_params`,
//! plus the `__list`/`__dict`/`__load_*` helpers the source rewrite inserts).

use halite_api::Value as Json;
use minijinja::value::Kwargs;
use minijinja::{Error, ErrorKind, Value};

use super::mutable::{from_jinja, to_jinja, MutDict, MutList};
use crate::{pyfmt, yaml};

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

/// `__list([...])`: a mutable list from a literal.
pub fn make_list(v: Value) -> Result<Value, Error> {
    Ok(MutList::new_value(v.try_iter()?.collect()))
}

/// `__dict({...})`: a mutable dict from a literal.
pub fn make_dict(v: Value) -> Result<Value, Error> {
    let mut map = indexmap::IndexMap::new();
    for k in v.try_iter()? {
        let val = v.get_item(&k)?;
        map.insert(k, val);
    }
    Ok(MutDict::new_value(map))
}

/// `yaml(flow_style=True)`: PyYAML dump; flow style on one line by default.
pub fn yaml_filter(v: Value, flow_style: Option<bool>) -> Result<Value, Error> {
    // `safe_dump` sorts mapping keys (PyYAML's sort_keys=True)
    let mut data = from_jinja(&v);
    sort_maps(&mut data);
    let text = if flow_style.unwrap_or(true) {
        yaml::dump_flow(&data)
    } else {
        let t = yaml::dump(&data);
        t.trim().trim_end_matches("\n...").to_string()
    };
    Ok(Value::from_safe_string(text))
}

/// `json(sort_keys=True, indent=None)`: Python `json.dumps` spacing.
pub fn json_filter(v: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let sort_keys: bool = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(true);
    let indent: Option<usize> = kwargs.get("indent")?;
    kwargs.assert_all_used()?;
    let mut data = from_jinja(&v);
    if sort_keys {
        sort_maps(&mut data);
    }
    Ok(Value::from_safe_string(python_json(&data, indent, 0)))
}

/// Sort every mapping's keys, recursively (Python's `sort_keys=True`).
pub fn sort_maps(v: &mut Json) {
    match v {
        Json::Object(m) => {
            m.sort_keys();
            m.values_mut().for_each(sort_maps);
        }
        Json::Array(a) => a.iter_mut().for_each(sort_maps),
        _ => {}
    }
}

/// `json.dumps(ensure_ascii=True)` with Python's `, ` / `: ` separators.
pub fn python_json(v: &Json, indent: Option<usize>, level: usize) -> String {
    let (open_sep, item_sep, close_sep) = match indent {
        Some(n) => {
            let inner = format!("\n{}", " ".repeat(n * (level + 1)));
            let outer = format!("\n{}", " ".repeat(n * level));
            (inner.clone(), format!(",{inner}"), outer)
        }
        None => (String::new(), ", ".into(), String::new()),
    };
    match v {
        Json::Array(a) if !a.is_empty() => {
            let items: Vec<String> = a
                .iter()
                .map(|x| python_json(x, indent, level + 1))
                .collect();
            format!("[{open_sep}{}{close_sep}]", items.join(&item_sep))
        }
        Json::Object(m) if !m.is_empty() => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, x)| {
                    format!(
                        "{}: {}",
                        ascii_json_string(k),
                        python_json(x, indent, level + 1)
                    )
                })
                .collect();
            format!("{{{open_sep}{}{close_sep}}}", items.join(&item_sep))
        }
        Json::String(s) => ascii_json_string(s),
        Json::Number(n) if n.is_f64() => pyfmt::float_repr(n.as_f64().unwrap_or_default()),
        other => other.to_string(),
    }
}

fn ascii_json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `load_yaml`: parse text with Salt's YAML dialect.
pub fn load_yaml(v: Value) -> Result<Value, Error> {
    let text = text_of(&v);
    yaml::load(&text)
        .map(|d| to_jinja(&d))
        .map_err(|e| invalid(format!("Could not parse YAML: {e}")))
}

/// `load_json`: parse JSON text.
pub fn load_json(v: Value) -> Result<Value, Error> {
    let text = text_of(&v);
    serde_json::from_str::<Json>(&text)
        .map(|d| to_jinja(&d))
        .map_err(|e| invalid(format!("Could not parse JSON: {e}")))
}

/// `load_text`: the text itself.
pub fn load_text(v: Value) -> Value {
    Value::from(text_of(&v))
}

fn text_of(v: &Value) -> String {
    match v.as_str() {
        Some(s) => s.to_string(),
        None => v.to_string(),
    }
}

/// `yaml_encode`: a scalar as a YAML literal.
pub fn yaml_encode(v: Value) -> Result<Value, Error> {
    let data = from_jinja(&v);
    if data.is_array() || data.is_object() {
        return Err(invalid("yaml_encode may only be used on scalars"));
    }
    if let Json::String(text) = &data {
        // Salt: strings are always double-quoted (`yaml_dquote`)
        return Ok(Value::from_safe_string(pyyaml_double_quoted(text)));
    }
    Ok(Value::from_safe_string(yaml::dump_scalar(&data)))
}

/// PyYAML's `Emitter.write_double_quoted` without `allow_unicode`.
pub fn pyyaml_double_quoted(text: &str) -> String {
    yaml::double_quoted_text(text, false)
}

/// `yaml_dquote`: a double-quoted YAML string.
pub fn yaml_dquote(v: Value) -> Value {
    Value::from_safe_string(pyyaml_double_quoted(&text_of(&v)))
}

/// `yaml_squote`: a single-quoted YAML string.
pub fn yaml_squote(v: Value) -> Value {
    Value::from_safe_string(format!("'{}'", text_of(&v).replace('\'', "''")))
}

/// `python`: the Python repr of the data.
pub fn python(v: Value) -> Value {
    Value::from_safe_string(pyfmt::repr(&from_jinja(&v)))
}

/// `dict_to_sls_yaml_params`: block YAML list of one-key dicts.
pub fn dict_to_sls_yaml_params(v: Value, flow_style: Option<bool>) -> Result<Value, Error> {
    let Json::Object(map) = from_jinja(&v) else {
        return Err(invalid("dict_to_sls_yaml_params requires a dict"));
    };
    let list = Json::Array(
        map.into_iter()
            .map(|(k, v)| Json::Object([(k, v)].into_iter().collect()))
            .collect(),
    );
    yaml_filter(to_jinja(&list), flow_style)
}
