//! The bits of Python's `urllib.parse` that `http.query` uses on its URL
//! and form data: `urlencode` (`quote_plus`, no `doseq`), `parse_qsl`
//! (`keep_blank_values=True`) and tornado's `url_concat`.

use halite_api::py::str_of;
use halite_api::Value;

/// `quote_plus(s)`: letters, digits and `_.-~` stay, space is `+`, every
/// other UTF-8 byte `%XX`.
pub fn quote_plus(s: &str) -> String {
    let mut out = String::new();
    for byte in s.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `urlencode(pairs)`: `k=v` joined with `&`, each side `str()` then
/// `quote_plus` (a list value is its `str()`, as without `doseq`).
pub fn urlencode<'a>(pairs: impl IntoIterator<Item = (String, &'a Value)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", quote_plus(&k), quote_plus(&str_of(v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// `unquote_plus`: `%XX` decoded (invalid UTF-8 replaced), `+` a space.
fn unquote_plus(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (other, _) => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `parse_qsl(query, keep_blank_values=True)`.
fn parse_qsl(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            (unquote_plus(k), unquote_plus(v))
        })
        .collect()
}

/// tornado's `url_concat(url, params)`: the URL's own query, then
/// `params` (a dict, or a list of pairs), re-encoded.
pub fn url_concat(url: &str, params: &Value) -> String {
    let (rest, fragment) = match url.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (url, None),
    };
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut pairs: Vec<(String, Value)> = parse_qsl(query)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    match params {
        Value::Object(map) => pairs.extend(map.iter().map(|(k, v)| (k.clone(), v.clone()))),
        Value::Array(items) => pairs.extend(items.iter().filter_map(pair)),
        _ => {}
    }
    let query = urlencode(pairs.iter().map(|(k, v)| (k.clone(), v)));
    let mut out = base.to_string();
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

fn pair(item: &Value) -> Option<(String, Value)> {
    match item.as_array()?.as_slice() {
        [k, v] => Some((str_of(k), v.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quote_plus_as_python() {
        assert_eq!(quote_plus("x y/z&é~"), "x+y%2Fz%26%C3%A9~");
    }

    #[test]
    fn url_concat_as_tornado() {
        // tornado: url_concat('http://h/p?q=1#f', {'a': 1, 'b': 'x y'})
        assert_eq!(
            url_concat("http://h/p?q=1#f", &json!({"a": 1, "b": "x y"})),
            "http://h/p?q=1&a=1&b=x+y#f"
        );
        assert_eq!(
            url_concat("http://h/p?e=&x=%41", &json!([["c", true], ["c", null]])),
            "http://h/p?e=&x=A&c=True&c=None"
        );
    }

    #[test]
    fn urlencode_without_doseq() {
        let data = json!({"k": "v", "n": 2, "l": [1, "a"]});
        let pairs = data
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v));
        assert_eq!(urlencode(pairs), "k=v&n=2&l=%5B1%2C+%27a%27%5D");
    }
}
