//! Python's `str(value)` for Salt data, as the grain/pillar matchers compare it.

/// `str(v)`: strings as-is, `True`/`False`/`None`, numbers as Python prints them,
/// lists and dicts in their `repr` form.
pub use halite_api::py::str_of as py_str;

#[cfg(test)]
mod tests {
    use super::py_str;
    use serde_json::json;

    #[test]
    fn scalars_print_like_python() {
        assert_eq!(py_str(&json!(true)), "True");
        assert_eq!(py_str(&json!(null)), "None");
        assert_eq!(py_str(&json!(12)), "12");
        assert_eq!(py_str(&json!(1.5)), "1.5");
        assert_eq!(py_str(&json!("x")), "x");
    }

    #[test]
    fn containers_print_as_repr() {
        assert_eq!(py_str(&json!(["a", 1, false])), "['a', 1, False]");
        assert_eq!(py_str(&json!({"k": "it's"})), "{'k': \"it's\"}");
    }
}
