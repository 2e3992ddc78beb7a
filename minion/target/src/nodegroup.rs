//! Nodegroup expansion, as `salt.utils.minions.nodegroup_comp` does it.
//!
//! A nodegroup is a compound expression (string or list of words). Nested `N@`
//! groups are expanded in parentheses; a group with no operators, wildcards or
//! `X@` words is read as a list of ids (`L@a,b`) or, when a word holds regex
//! characters, as one regex (`E@a,b`). Cycles and unknown groups expand to nothing.

use std::collections::HashSet;

use halite_api::{Map, Value};

use crate::pystr::py_str;

const OPERATORS: [&str; 5] = ["and", "or", "not", "(", ")"];

/// Expand nodegroup `name` into compound words; empty when it cannot be expanded.
pub fn nodegroup_comp(name: &str, nodegroups: &Map) -> Vec<String> {
    let mut skip = HashSet::new();
    expand(name, nodegroups, &mut skip, true)
}

fn definition_words(definition: &Value) -> Option<Vec<String>> {
    match definition {
        Value::String(s) => Some(s.split_whitespace().map(str::to_string).collect()),
        Value::Array(items) => Some(items.iter().map(py_str).collect()),
        _ => None,
    }
}

fn expand(
    name: &str,
    nodegroups: &Map,
    skip: &mut HashSet<String>,
    first_call: bool,
) -> Vec<String> {
    if skip.contains(name) {
        return Vec::new();
    }
    let Some(words) = nodegroups.get(name).and_then(definition_words) else {
        return Vec::new();
    };
    skip.insert(name.to_string());
    let mut expanded_nested = false;
    let mut ret = Vec::new();
    for word in &words {
        if word.len() >= 3 && word.starts_with("N@") {
            expanded_nested = true;
            ret.extend(expand(&word[2..], nodegroups, skip, false));
        } else {
            ret.push(word.clone());
        }
    }
    if !ret.is_empty() {
        ret.insert(0, "(".into());
        ret.push(")".into());
    }
    skip.remove(name);
    if let Some(joined) = implicit_list_or_regex(&words) {
        if !first_call || !expanded_nested {
            return vec![joined];
        }
    }
    if expanded_nested || !first_call {
        ret
    } else {
        words
    }
}

/// `_nodegroup_regex`: words without operators, `*` or `X@` are a list or a regex.
fn implicit_list_or_regex(words: &[String]) -> Option<String> {
    if words.iter().any(|w| OPERATORS.contains(&w.as_str())) {
        return None;
    }
    let has_engine = |w: &String| {
        let b = w.as_bytes();
        b.len() >= 2 && b[0].is_ascii_uppercase() && b[1] == b'@'
    };
    if words.iter().any(|w| w.contains('*') || has_engine(w)) {
        return None;
    }
    let regex_chars = ['(', '[', '{', '\\', '?', '}', ']', ')'];
    let joined = words.join(",");
    if words.iter().any(|w| w.contains(regex_chars)) {
        Some(format!("E@{joined}"))
    } else {
        Some(format!("L@{joined}"))
    }
}

#[cfg(test)]
mod tests {
    use super::nodegroup_comp;
    use serde_json::json;

    fn groups() -> halite_api::Map {
        json!({
            "web": "G@role:web and not L@web9",
            "ids": "web1 web2",
            "re": "web(1|2)",
            "listform": ["L@a,b", "or", "c*"],
            "nested": "N@ids or db*",
            "loop1": "N@loop2",
            "loop2": "N@loop1",
            "bad": 12
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn plain_compound_is_returned_as_words() {
        assert_eq!(
            nodegroup_comp("web", &groups()),
            ["G@role:web", "and", "not", "L@web9"]
        );
        assert_eq!(nodegroup_comp("listform", &groups()), ["L@a,b", "or", "c*"]);
    }

    #[test]
    fn bare_ids_become_list_and_regex_chars_become_pcre() {
        assert_eq!(nodegroup_comp("ids", &groups()), ["L@web1,web2"]);
        assert_eq!(nodegroup_comp("re", &groups()), ["E@web(1|2)"]);
    }

    #[test]
    fn nested_groups_expand_in_place() {
        assert_eq!(
            nodegroup_comp("nested", &groups()),
            ["(", "L@web1,web2", "or", "db*", ")"]
        );
    }

    #[test]
    fn unknown_cyclic_and_bad_groups_expand_to_nothing() {
        assert!(nodegroup_comp("nope", &groups()).is_empty());
        assert!(nodegroup_comp("bad", &groups()).is_empty());
        assert!(nodegroup_comp("loop1", &groups()).is_empty());
    }
}
