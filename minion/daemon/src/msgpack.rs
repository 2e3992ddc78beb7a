//! JSON-like [`Value`] ⇄ msgpack, for the proc files Salt keeps as msgpack maps.

use halite_api::{Map, Value};
use rmpv::Value as Mp;

/// Encode a value as msgpack bytes.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = rmpv::encode::write_value(&mut out, &to_mp(value));
    out
}

/// Decode msgpack bytes; `None` when they are not one complete msgpack value.
pub fn decode(bytes: &[u8]) -> Option<Value> {
    let mut cursor = bytes;
    let mp = rmpv::decode::read_value(&mut cursor).ok()?;
    cursor.is_empty().then(|| from_mp(&mp))
}

fn to_mp(value: &Value) -> Mp {
    match value {
        Value::Null => Mp::Nil,
        Value::Bool(b) => Mp::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Mp::from(i),
            (None, Some(u)) => Mp::from(u),
            _ => Mp::F64(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => Mp::from(s.as_str()),
        Value::Array(items) => Mp::Array(items.iter().map(to_mp).collect()),
        Value::Object(map) => Mp::Map(
            map.iter()
                .map(|(k, v)| (Mp::from(k.as_str()), to_mp(v)))
                .collect(),
        ),
    }
}

fn from_mp(mp: &Mp) -> Value {
    match mp {
        Mp::Nil => Value::Null,
        Mp::Boolean(b) => Value::Bool(*b),
        Mp::Integer(i) => i
            .as_i64()
            .map(Value::from)
            .or_else(|| i.as_u64().map(Value::from))
            .unwrap_or(Value::Null),
        Mp::F32(f) => Value::from(f64::from(*f)),
        Mp::F64(f) => Value::from(*f),
        Mp::String(s) => Value::String(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        Mp::Binary(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
        Mp::Array(items) => Value::Array(items.iter().map(from_mp).collect()),
        Mp::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (key_text(k), from_mp(v)))
                .collect::<Map>(),
        ),
        Mp::Ext(_, data) => Value::String(String::from_utf8_lossy(data).into_owned()),
    }
}

fn key_text(key: &Mp) -> String {
    match key {
        Mp::String(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        other => from_mp(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_keeps_order_and_types() {
        let v = json!({"pid": 12, "jid": "2024", "arg": [1, -2, 2.5, null, true, {"__kwarg__": true}], "z": {}, "a": "x"});
        let back = decode(&encode(&v)).unwrap();
        assert_eq!(back, v);
        let keys: Vec<_> = back.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["pid", "jid", "arg", "z", "a"]);
    }

    #[test]
    fn truncated_or_trailing_bytes_are_rejected() {
        let bytes = encode(&json!({"a": [1, 2, 3]}));
        assert!(decode(&bytes[..bytes.len() - 1]).is_none());
        let mut extra = bytes.clone();
        extra.push(0xc0);
        assert!(decode(&extra).is_none());
    }
}
