//! Salt's msgpack dialect (§3.1 of the spec) and conversion to JSON-like values.
//!
//! * Encoding mirrors Python msgpack with `use_bin_type=False`: text *and* bytes
//!   are written in the str family (fixstr, str16, str32; never str8 or bin), so
//!   frames are byte-identical to a Python minion's.
//! * Decoding accepts str objects holding arbitrary bytes (ciphertexts travel as
//!   str) and requires the whole input to be consumed.
//! * [`to_value`] applies Salt's `loads` rule (valid UTF-8 → text); binary that is
//!   not UTF-8 is converted lossily, so binary fields are read from the
//!   [`rmpv::Value`] directly ([`bytes_of`]) — the lossless path.

use rmpv::Value as Mp;
use serde_json::{Map, Number, Value};

use crate::error::ProtoError;

/// msgpack ext type Salt uses for `datetime` values (`%Y%m%dT%H:%M:%S.%f`).
pub const EXT_DATETIME: i8 = 78;

/// Largest nesting accepted when decoding untrusted frames.
const MAX_DEPTH: usize = 256;

/// Encode a value the way Salt's `payload.dumps` does.
pub fn encode(value: &Mp) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    write_value(&mut out, value);
    out
}

fn write_raw_str(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len();
    if len < 32 {
        out.push(0xa0 | len as u8);
    } else if len <= 0xffff {
        out.push(0xda);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    out.extend_from_slice(bytes);
}

fn write_value(out: &mut Vec<u8>, value: &Mp) {
    // Writing into a Vec cannot fail; the results of rmp's writers are ignored.
    match value {
        Mp::Nil => out.push(0xc0),
        Mp::Boolean(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Mp::Integer(i) => {
            if let Some(u) = i.as_u64() {
                let _ = rmp::encode::write_uint(out, u);
            } else if let Some(s) = i.as_i64() {
                let _ = rmp::encode::write_sint(out, s);
            }
        }
        Mp::F32(f) => {
            let _ = rmp::encode::write_f64(out, f64::from(*f));
        }
        Mp::F64(f) => {
            let _ = rmp::encode::write_f64(out, *f);
        }
        Mp::String(s) => write_raw_str(out, s.as_bytes()),
        Mp::Binary(b) => write_raw_str(out, b),
        Mp::Array(items) => {
            let _ = rmp::encode::write_array_len(out, items.len() as u32);
            items.iter().for_each(|v| write_value(out, v));
        }
        Mp::Map(entries) => {
            let _ = rmp::encode::write_map_len(out, entries.len() as u32);
            for (k, v) in entries {
                write_value(out, k);
                write_value(out, v);
            }
        }
        Mp::Ext(kind, data) => {
            let _ = rmp::encode::write_ext_meta(out, data.len() as u32, *kind);
            out.extend_from_slice(data);
        }
    }
}

/// Decode one msgpack object that must span all of `bytes`.
pub fn decode(bytes: &[u8], what: &'static str) -> Result<Mp, ProtoError> {
    let mut cursor = bytes;
    let value = rmpv::decode::read_value_with_max_depth(&mut cursor, MAX_DEPTH).map_err(|e| {
        ProtoError::Msgpack {
            what,
            reason: e.to_string(),
        }
    })?;
    if !cursor.is_empty() {
        return Err(ProtoError::Msgpack {
            what,
            reason: format!("{} trailing bytes after the object", cursor.len()),
        });
    }
    Ok(value)
}

/// The bytes of a str or bin object (the lossless path for binary fields).
pub fn bytes_of(value: &Mp) -> Option<&[u8]> {
    match value {
        Mp::String(s) => Some(s.as_bytes()),
        Mp::Binary(b) => Some(b),
        _ => None,
    }
}

/// The text of a str/bin object when it is valid UTF-8.
pub fn str_of(value: &Mp) -> Option<&str> {
    bytes_of(value).and_then(|b| std::str::from_utf8(b).ok())
}

/// Look up a string key in a msgpack map (keys compared as bytes).
pub fn map_get<'a>(value: &'a Mp, key: &str) -> Option<&'a Mp> {
    match value {
        Mp::Map(entries) => entries
            .iter()
            .find(|(k, _)| bytes_of(k) == Some(key.as_bytes()))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Set `key` in a msgpack map in place (keeping its position) or append it.
pub fn map_set(entries: &mut Vec<(Mp, Mp)>, key: &str, value: Mp) {
    match entries
        .iter_mut()
        .find(|(k, _)| bytes_of(k) == Some(key.as_bytes()))
    {
        Some(slot) => slot.1 = value,
        None => entries.push((Mp::from(key), value)),
    }
}

/// Remove `key` from a msgpack map, returning its value.
pub fn map_remove(entries: &mut Vec<(Mp, Mp)>, key: &str) -> Option<Mp> {
    let pos = entries
        .iter()
        .position(|(k, _)| bytes_of(k) == Some(key.as_bytes()))?;
    Some(entries.remove(pos).1)
}

/// Convert a decoded msgpack value to Salt data (Salt's `loads` semantics).
pub fn to_value(value: &Mp) -> Value {
    match value {
        Mp::Nil => Value::Null,
        Mp::Boolean(b) => Value::Bool(*b),
        Mp::Integer(i) => match (i.as_i64(), i.as_u64()) {
            (Some(s), _) => Value::from(s),
            (None, Some(u)) => Value::from(u),
            _ => Value::Null,
        },
        Mp::F32(f) => float(f64::from(*f)),
        Mp::F64(f) => float(*f),
        Mp::String(s) => Value::String(text(s.as_bytes())),
        Mp::Binary(b) => Value::String(text(b)),
        Mp::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        Mp::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                map.insert(key_text(k), to_value(v));
            }
            Value::Object(map)
        }
        Mp::Ext(_, data) => Value::String(text(data)),
    }
}

fn float(f: f64) -> Value {
    Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn key_text(key: &Mp) -> String {
    match to_value(key) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Convert Salt data to msgpack (strings as str, integers exact, floats as float64).
pub fn from_value(value: &Value) -> Mp {
    match value {
        Value::Null => Mp::Nil,
        Value::Bool(b) => Mp::Boolean(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Mp::from(i)
            } else if let Some(u) = n.as_u64() {
                Mp::from(u)
            } else {
                Mp::F64(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::String(s) => Mp::from(s.as_str()),
        Value::Array(items) => Mp::Array(items.iter().map(from_value).collect()),
        Value::Object(map) => Mp::Map(
            map.iter()
                .map(|(k, v)| (Mp::from(k.as_str()), from_value(v)))
                .collect(),
        ),
    }
}

/// Build a msgpack map from string keys.
pub fn mp_map<const N: usize>(entries: [(&str, Mp); N]) -> Mp {
    Mp::Map(entries.into_iter().map(|(k, v)| (Mp::from(k), v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_use_python_str_family_only() {
        assert_eq!(encode(&Mp::from("abc"))[0], 0xa3);
        let s32 = "x".repeat(32);
        assert_eq!(&encode(&Mp::from(s32.as_str()))[..3], &[0xda, 0x00, 0x20]);
        let bin = Mp::Binary(vec![0xff; 40]);
        assert_eq!(&encode(&bin)[..3], &[0xda, 0x00, 40]);
        let big = Mp::Binary(vec![1; 70000]);
        assert_eq!(encode(&big)[0], 0xdb);
    }

    #[test]
    fn integers_and_floats_like_python() {
        assert_eq!(
            encode(&Mp::from(1795551198u64)),
            vec![0xce, 0x6b, 0x05, 0xef, 0xde]
        );
        assert_eq!(encode(&Mp::from(-1)), vec![0xff]);
        assert_eq!(encode(&Mp::from(200)), vec![0xcc, 200]);
        assert_eq!(encode(&Mp::F64(3.5))[0], 0xcb);
    }

    #[test]
    fn decode_keeps_non_utf8_str_bytes() {
        let frame = [0xa3, 0xff, 0xfe, 0x00];
        let v = decode(&frame, "test").unwrap();
        assert_eq!(bytes_of(&v), Some(&[0xff, 0xfe, 0x00][..]));
        assert_eq!(str_of(&v), None);
    }

    #[test]
    fn decode_rejects_trailing_and_truncated() {
        assert!(decode(&[0xc0, 0xc0], "t").is_err());
        assert!(decode(&[0xda, 0x00, 0x20, b'a'], "t").is_err());
        assert!(decode(&[], "t").is_err());
    }

    #[test]
    fn json_round_trip_keeps_order_and_types() {
        let v = json!({"z": 1, "a": [true, null, 2.5, "s", -7], "m": {"k": u64::MAX}});
        let back = to_value(&decode(&encode(&from_value(&v)), "t").unwrap());
        assert_eq!(back, v);
        let keys: Vec<_> = back.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn datetime_ext_and_int_keys_become_text() {
        let v = Mp::Map(vec![(
            Mp::from(1),
            Mp::Ext(EXT_DATETIME, b"20240101T00:00:00.000000".to_vec()),
        )]);
        assert_eq!(to_value(&v), json!({"1": "20240101T00:00:00.000000"}));
    }

    #[test]
    fn map_helpers_set_in_place() {
        let mut m = vec![
            (Mp::from("a"), Mp::from(1)),
            (Mp::from("id"), Mp::from("x")),
        ];
        map_set(&mut m, "id", Mp::from("y"));
        map_set(&mut m, "b", Mp::from(2));
        assert_eq!(m[1].1, Mp::from("y"));
        assert_eq!(m.len(), 3);
        assert_eq!(map_remove(&mut m, "a"), Some(Mp::from(1)));
        assert_eq!(map_get(&Mp::Map(m), "b"), Some(&Mp::from(2)));
    }
}
