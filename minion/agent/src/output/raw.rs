//! The `raw` outputter: Python's `str()` of the whole return.

use halite_api::Value;

use super::py;

/// Render `data` as Salt's raw outputter does.
pub fn render(data: &Value) -> String {
    py::str_of(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_repr_of_return() {
        assert_eq!(
            render(&json!({"local": {"a": [1, null]}})),
            "{'local': {'a': [1, None]}}"
        );
        assert_eq!(render(&json!("plain")), "plain");
    }
}
