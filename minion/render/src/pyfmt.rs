//! Python `repr()`/`str()` of Salt data, as Jinja templates print it
//! (`{'a': [1, 'x'], 'n': None, 't': True}`).

pub use halite_api::py::{float_repr, repr, str_of as str, str_repr};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_print_like_python() {
        assert_eq!(float_repr(3.1), "3.1");
        assert_eq!(float_repr(1.0), "1.0");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1.5e-5), "1.5e-05");
        assert_eq!(float_repr(0.0001), "0.0001");
    }

    #[test]
    fn containers_print_like_python() {
        let v = json!({"b": 2, "a": [1, "x"], "c": {"n": null, "t": true}, "q": "it's"});
        assert_eq!(
            str(&v),
            r#"{'b': 2, 'a': [1, 'x'], 'c': {'n': None, 't': True}, 'q': "it's"}"#
        );
    }
}
