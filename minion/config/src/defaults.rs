//! Salt 3008.4's `DEFAULT_MINION_OPTS` and `VALID_OPTS`, generated from Salt by
//! `tools/gen_defaults.py` into `data/*.json` and embedded at build time.

use std::sync::OnceLock;

use halite_api::{Map, Value};

const DEFAULTS_JSON: &str = include_str!("../data/minion_defaults.json");
const VALID_OPTS_JSON: &str = include_str!("../data/valid_opts.json");

/// A fresh copy of the minion defaults, in Salt's key order.
pub fn minion_defaults() -> Map {
    static DEFAULTS: OnceLock<Map> = OnceLock::new();
    DEFAULTS
        .get_or_init(|| {
            serde_json::from_str(DEFAULTS_JSON)
                .expect("embedded minion_defaults.json is valid JSON")
        })
        .clone()
}

/// The Python type names Salt accepts for `key` (`["str", "int"]`), if Salt knows it.
pub fn valid_types(key: &str) -> Option<Vec<&'static str>> {
    static VALID: OnceLock<Map> = OnceLock::new();
    let table = VALID.get_or_init(|| {
        serde_json::from_str(VALID_OPTS_JSON).expect("embedded valid_opts.json is valid JSON")
    });
    match table.get(key)? {
        Value::Array(names) => Some(
            names
                .iter()
                .filter_map(|n| n.as_str())
                .map(intern)
                .collect(),
        ),
        _ => Some(Vec::new()),
    }
}

fn intern(name: &str) -> &'static str {
    match name {
        "str" => "str",
        "int" => "int",
        "float" => "float",
        "bool" => "bool",
        "list" => "list",
        "tuple" => "tuple",
        "dict" => "dict",
        "NoneType" => "NoneType",
        _ => "object",
    }
}

/// Is `key` one of Salt's known options?
pub fn is_known(key: &str) -> bool {
    valid_types(key).is_some() || minion_defaults().contains_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_salt_3008() {
        let d = minion_defaults();
        assert_eq!(d["master"], "salt");
        assert_eq!(d["master_port"], 4506);
        assert_eq!(d["cachedir"], "/var/cache/salt/minion");
        assert_eq!(d["pki_dir"], "/etc/salt/pki/minion");
        assert_eq!(d["acceptance_wait_time"], 10);
        assert_eq!(d["auth_tries"], 7);
        assert_eq!(d["hash_type"], "sha256");
        assert_eq!(d["default_include"], "minion.d/*.conf");
        assert_eq!(d["file_roots"]["base"][0], "/srv/salt");
    }

    #[test]
    fn valid_types_come_from_salt() {
        assert_eq!(valid_types("master").unwrap(), ["str", "list"]);
        assert_eq!(valid_types("auth_tries").unwrap(), ["int"]);
        assert_eq!(valid_types("ipv6").unwrap(), ["NoneType", "bool"]);
        assert!(valid_types("no_such_option").is_none());
    }
}
