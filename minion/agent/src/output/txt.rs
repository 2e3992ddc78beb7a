//! The `txt` outputter: `key: line` for every line of every top-level value.

use halite_api::Value;

use super::py;

/// Render `data` as Salt's txt outputter does.
pub fn render(data: &Value) -> String {
    let mut ret = String::new();
    match data {
        Value::Object(map) => {
            for (key, value) in map {
                match value {
                    Value::String(s) => {
                        for line in py::splitlines(s) {
                            ret.push_str(&format!("{key}: {line}\n"));
                        }
                    }
                    other => ret.push_str(&format!("{key}: {}\n", py::repr(other))),
                }
            }
        }
        Value::String(s) => {
            ret.push_str(s);
            ret.push('\n');
        }
        other => {
            ret.push_str(&py::repr(other));
            ret.push('\n');
        }
    }
    ret
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lines_per_key() {
        let v = json!({"local": "a\nb", "other": {"x": [1, true]}});
        assert_eq!(render(&v), "local: a\nlocal: b\nother: {'x': [1, True]}\n");
    }
}
