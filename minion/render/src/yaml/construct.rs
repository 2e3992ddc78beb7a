//! Node tree → [`Value`] as Salt's `SaltYamlSafeLoader` constructs it: explicit
//! tags, merge keys (`<<`), duplicate keys as errors, ordered mappings.

use std::collections::HashSet;

use halite_api::{Map, Value};

use super::errors::{Mark, YamlError};
use super::resolve::{self, Implicit, Scalar};
use super::tree::Node;

const CORE: &str = "tag:yaml.org,2002:";
const MAPPING_CONTEXT: &str = "while constructing a mapping";

/// Construct the value of one node, consuming it: scalar strings move into
/// the data and each subtree is freed as soon as it is constructed.
pub fn construct(node: Node) -> Result<Value, YamlError> {
    match node {
        Node::Scalar { .. } => Ok(scalar_to_value(construct_scalar(node)?)),
        Node::Seq { items, tag, mark } => match core_suffix(tag.as_deref()) {
            Some("default" | "seq") => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(construct(item)?);
                }
                Ok(Value::Array(values))
            }
            _ => Err(no_constructor(tag.as_deref().unwrap_or_default(), mark)),
        },
        Node::Map { ref tag, mark, .. } => match core_suffix(tag.as_deref()) {
            Some("default" | "map" | "omap") => construct_mapping(node).map(Value::Object),
            Some("set") => construct_set(node),
            _ => Err(no_constructor(tag.as_deref().unwrap_or_default(), mark)),
        },
    }
}

/// The core-schema suffix of a collection tag; untagged/`!` give `default`.
fn core_suffix(tag: Option<&str>) -> Option<&str> {
    match tag {
        None | Some("!") => Some("default"),
        Some(t) => t.strip_prefix(CORE),
    }
}

fn no_constructor(tag: &str, mark: Mark) -> YamlError {
    YamlError::marked(
        None,
        &format!("could not determine a constructor for the tag '{tag}'"),
        mark,
    )
}

/// Construct a scalar node into a Python-like scalar.
fn construct_scalar(node: Node) -> Result<Scalar, YamlError> {
    let Node::Scalar {
        value,
        plain,
        tag,
        mark,
    } = node
    else {
        return Err(YamlError::marked(
            None,
            &format!("expected a scalar node, but found {}", node.kind()),
            node.mark(),
        ));
    };
    let suffix = match tag.as_deref() {
        None if plain => return plain_or_value(value, mark),
        None | Some("!") => return Ok(Scalar::Str(value)),
        Some("tag:yaml.org,2002:python/unicode") => "str",
        Some(t) => t
            .strip_prefix(CORE)
            .ok_or_else(|| no_constructor(t, mark))?,
    };
    let bad = || {
        YamlError::marked(
            None,
            &format!("invalid value for !!{suffix}: '{value}'"),
            mark,
        )
    };
    match suffix {
        "str" | "timestamp" => Ok(Scalar::Str(value)),
        "int" => resolve::construct_int(&value).ok_or_else(bad),
        "float" => resolve::construct_float(&value).ok_or_else(bad),
        "bool" => resolve::construct_bool(&value).ok_or_else(bad),
        "null" => Ok(Scalar::Null),
        "binary" => decode_binary(&value, mark),
        _ => Err(no_constructor(tag.as_deref().unwrap_or_default(), mark)),
    }
}

/// A plain scalar resolved by its implicit tag; strings keep their buffer.
fn plain_or_value(value: String, mark: Mark) -> Result<Scalar, YamlError> {
    if value == "=" {
        return Err(no_constructor("tag:yaml.org,2002:value", mark));
    }
    Ok(match resolve::implicit_tag(&value) {
        Implicit::Str | Implicit::Merge => Scalar::Str(value),
        _ => resolve::plain_scalar(&value),
    })
}

/// Salt's `construct_yaml_binary`: base64 with missing padding added.
fn decode_binary(value: &str, mark: Mark) -> Result<Scalar, YamlError> {
    use base64::Engine as _;
    let mut compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    while !compact.len().is_multiple_of(4) {
        compact.push('=');
    }
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map(Scalar::Bytes)
        .map_err(|e| YamlError::marked(None, &format!("failed to decode base64 data: {e}"), mark))
}

/// Python value → Salt data. Non-finite floats become the strings Python prints
/// (`inf`, `-inf`, `nan`) since JSON numbers cannot hold them; bytes are decoded.
pub fn scalar_to_value(s: Scalar) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Int(i) => int_value(i),
        Scalar::Float(f) => float_value(f),
        Scalar::Str(s) => Value::String(s),
        Scalar::Bytes(b) => Value::String(String::from_utf8_lossy(&b).into_owned()),
    }
}

fn int_value(i: i128) -> Value {
    if let Ok(v) = i64::try_from(i) {
        Value::from(v)
    } else if let Ok(v) = u64::try_from(i) {
        Value::from(v)
    } else {
        float_value(i as f64)
    }
}

fn float_value(f: f64) -> Value {
    match serde_json::Number::from_f64(f) {
        Some(n) => Value::Number(n),
        None if f.is_nan() => Value::String("nan".into()),
        None if f > 0.0 => Value::String("inf".into()),
        None => Value::String("-inf".into()),
    }
}

/// `!!set {a, b}` → the list of its keys (sets have no JSON form).
fn construct_set(node: Node) -> Result<Value, YamlError> {
    let Node::Map { pairs, .. } = node else {
        return Ok(Value::Null);
    };
    let mut keys = Vec::with_capacity(pairs.len());
    for (k, _) in pairs {
        keys.push(construct(k)?);
    }
    Ok(Value::Array(keys))
}

/// Salt's `construct_mapping`: flatten merges, reject unhashable and duplicate keys.
pub fn construct_mapping(node: Node) -> Result<Map, YamlError> {
    let mark = node.mark();
    let pairs = flatten_mapping(node)?;
    let mut seen: HashSet<KeyIdentity> = HashSet::with_capacity(pairs.len());
    let mut map = Map::with_capacity(pairs.len());
    for (key_node, value_node) in pairs {
        if !matches!(key_node, Node::Scalar { .. }) {
            return Err(YamlError::marked(
                Some((MAPPING_CONTEXT, mark)),
                &format!("found unacceptable key {}", node_repr(&key_node)),
                key_node.mark(),
            ));
        }
        let key_mark = key_node.mark();
        let key = construct_key(key_node)?;
        let value = construct(value_node)?;
        if !seen.insert(KeyIdentity::of(&key)) {
            return Err(YamlError::marked(
                Some((MAPPING_CONTEXT, mark)),
                &format!("found conflicting ID '{}'", python_str(&key)),
                key_mark,
            ));
        }
        map.insert(key_string(key), value);
    }
    Ok(map)
}

/// Keys: `=` is a string key (Salt maps the `value` tag to `str` for keys).
fn construct_key(key_node: Node) -> Result<Value, YamlError> {
    match key_node {
        Node::Scalar {
            ref value,
            plain: true,
            tag: None,
            ..
        } if value == "=" => Ok(Value::String("=".into())),
        other => construct(other),
    }
}

/// Salt's `flatten_mapping`: merged pairs first (minus keys given explicitly),
/// then the mapping's own pairs.
fn flatten_mapping(node: Node) -> Result<Vec<(Node, Node)>, YamlError> {
    let mark = node.mark();
    let Node::Map { pairs, .. } = node else {
        return Ok(Vec::new());
    };
    if !pairs.iter().any(|(k, _)| is_merge_key(k)) {
        return Ok(pairs);
    }
    let mut merged: Vec<(Node, Node)> = Vec::new();
    let mut own: Vec<(Node, Node)> = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        if !is_merge_key(&key) {
            own.push((key, value));
            continue;
        }
        match value {
            Node::Map { .. } => merged.extend(flatten_mapping(value)?),
            Node::Seq { items, .. } => {
                let mut groups = Vec::new();
                for sub in items {
                    if !matches!(sub, Node::Map { .. }) {
                        return Err(merge_error(
                            mark,
                            "expected a mapping for merging, but found",
                            &sub,
                        ));
                    }
                    groups.push(flatten_mapping(sub)?);
                }
                groups.reverse();
                merged.extend(groups.into_iter().flatten());
            }
            Node::Scalar { .. } => {
                return Err(merge_error(
                    mark,
                    "expected a mapping or list of mappings for merging, but found",
                    &value,
                ))
            }
        }
    }
    if merged.is_empty() {
        return Ok(own);
    }
    let own_keys: Vec<&str> = own.iter().filter_map(|(k, _)| scalar_text(k)).collect();
    merged.retain(|(k, _)| scalar_text(k).is_none_or(|t| !own_keys.contains(&t)));
    merged.extend(own);
    Ok(merged)
}

fn merge_error(mark: Mark, problem: &str, culprit: &Node) -> YamlError {
    YamlError::marked(
        Some((MAPPING_CONTEXT, mark)),
        &format!("{problem} {}", culprit.kind()),
        culprit.mark(),
    )
}

fn is_merge_key(key: &Node) -> bool {
    match key {
        Node::Scalar {
            value,
            plain: true,
            tag: None,
            ..
        } => resolve::implicit_tag(value) == Implicit::Merge,
        Node::Scalar { tag: Some(t), .. } => t == "tag:yaml.org,2002:merge",
        _ => false,
    }
}

fn scalar_text(node: &Node) -> Option<&str> {
    match node {
        Node::Scalar { value, .. } => Some(value),
        _ => None,
    }
}

/// A scalar key as Python's `==`/`hash` see it (`1 == True == 1.0`, but
/// `"1" != 1`), so duplicate keys are found with one hash lookup each.
#[derive(Debug, PartialEq, Eq, Hash)]
enum KeyIdentity {
    /// Bools and numbers, compared as floats (`-0.0 == 0.0`).
    Number(u64),
    /// Anything else, compared as the value itself.
    Other(String),
}

impl KeyIdentity {
    fn of(key: &Value) -> Self {
        let numeric = match key {
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Number(n) => n.as_f64(),
            _ => None,
        };
        match numeric {
            // `+ 0.0` turns -0.0 into 0.0.
            Some(f) => KeyIdentity::Number((f + 0.0).to_bits()),
            None => KeyIdentity::Other(match key {
                Value::String(s) => format!("s{s}"),
                other => format!("v{other}"),
            }),
        }
    }
}

/// Python `str()` of a key, for messages.
pub fn python_str(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The map key a non-string YAML key becomes (as JSON would write it).
fn key_string(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// PyYAML's repr of a node, used in the "unacceptable key" message.
fn node_repr(node: &Node) -> String {
    match node {
        Node::Scalar {
            value, plain, tag, ..
        } => {
            let tag = match tag {
                Some(t) if t != "!" => t.clone(),
                _ if *plain => implicit_tag_name(value),
                _ => format!("{CORE}str"),
            };
            format!("ScalarNode(tag='{tag}', value='{value}')")
        }
        Node::Seq { items, .. } => format!(
            "[{}]",
            items.iter().map(node_repr).collect::<Vec<_>>().join(", ")
        ),
        Node::Map { pairs, .. } => format!(
            "[{}]",
            pairs
                .iter()
                .map(|(k, v)| format!("({}, {})", node_repr(k), node_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn implicit_tag_name(value: &str) -> String {
    let suffix = match resolve::implicit_tag(value) {
        Implicit::Null => "null",
        Implicit::Bool => "bool",
        Implicit::Int => "int",
        Implicit::Float => "float",
        Implicit::Merge => "merge",
        Implicit::Str => "str",
    };
    format!("{CORE}{suffix}")
}
