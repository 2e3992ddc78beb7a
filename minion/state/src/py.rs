//! Python-compatible helpers the state system uses: `str()`/`repr()` of values
//! (halite-api's), `fnmatch` (halite-target's) and Salt's glob test.

pub use halite_api::py::{repr as py_repr, str_of as py_str, str_repr as repr_str};
pub use halite_target::fnmatch::fnmatch;

/// Does the text contain a glob character (Salt's `_is_fnmatch_pattern`)?
pub fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', ']'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fnmatch_globs() {
        assert!(fnmatch("web.app", "web.*"));
        assert!(fnmatch("a1", "a[0-9]"));
        assert!(!fnmatch("ab", "a[!b]"));
        assert!(fnmatch("x", "?"));
        assert!(!fnmatch("web", "db*"));
    }

    #[test]
    fn reprs_like_python() {
        assert_eq!(
            py_repr(&json!({"SLS": "a", "ID": "it's"})),
            "{'SLS': 'a', 'ID': \"it's\"}"
        );
        assert_eq!(py_str(&json!(null)), "None");
    }
}
