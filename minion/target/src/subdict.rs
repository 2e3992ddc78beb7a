//! Salt's `salt.utils.data.subdict_match`: the engine behind grain and pillar targets.
//!
//! `a:b:c` is tried from the deepest key path to the shallowest, so `foo:bar:baz`
//! matches `{"foo": {"bar": "baz"}}` and also `{"foo": "bar:baz"}`. Both sides are
//! compared as lowercased `str()` text.

use halite_api::{Map, Value};

use crate::fnmatch::fnmatch;
use crate::pyregex::re_match;
use crate::pystr::py_str;

/// How a value is compared with the pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchMode {
    Glob,
    Regex,
    Exact,
}

/// Walks data and remembers the first invalid regex met along the way.
struct Matcher {
    mode: MatchMode,
    delimiter: String,
    regex_error: Option<String>,
}

/// Match `expr` (`key<delim>...<delim>pattern`) against `data`.
/// `Err` carries a regex compile error when nothing matched and a regex was invalid.
pub fn subdict_match(
    data: &Value,
    expr: &str,
    delimiter: &str,
    mode: MatchMode,
) -> Result<bool, String> {
    let mut matcher = Matcher {
        mode,
        delimiter: delimiter.to_string(),
        regex_error: None,
    };
    if matcher.subdict(data, expr) {
        return Ok(true);
    }
    match matcher.regex_error {
        Some(err) => Err(err),
        None => Ok(false),
    }
}

impl Matcher {
    fn subdict(&mut self, data: &Value, expr: &str) -> bool {
        if self.delimiter.is_empty() {
            return false;
        }
        let splits: Vec<&str> = expr.split(self.delimiter.as_str()).collect();
        if splits.len() == 1 {
            return false;
        }
        for idx in (1..splits.len()).rev() {
            let key = splits[..idx].join(&self.delimiter);
            let (matchstr, found) = if key == "*" {
                (expr.to_string(), Some(data))
            } else {
                (
                    splits[idx..].join(&self.delimiter),
                    traverse(data, &key, &self.delimiter),
                )
            };
            let Some(found) = found else { continue };
            if self.value_matches(found, &matchstr) {
                return true;
            }
        }
        false
    }

    fn value_matches(&mut self, found: &Value, matchstr: &str) -> bool {
        match found {
            Value::Object(map) if map.is_empty() => false,
            Value::Object(map) => self.dict_match(map, matchstr),
            Value::Array(members) => members.iter().any(|member| {
                let as_dict = match member {
                    Value::Object(m) => self.dict_match(m, matchstr),
                    _ => false,
                };
                as_dict || self.scalar_match(member, matchstr)
            }),
            scalar => self.scalar_match(scalar, matchstr),
        }
    }

    fn dict_match(&mut self, target: &Map, pattern: &str) -> bool {
        let wildcard = pattern.starts_with("*:");
        let pattern = if wildcard { &pattern[2..] } else { pattern };
        if pattern == "*" || target.contains_key(pattern) {
            return true;
        }
        let keys: Vec<Value> = target.keys().map(|k| Value::String(k.clone())).collect();
        if keys.iter().any(|k| self.scalar_match(k, pattern)) {
            return true;
        }
        let as_value = Value::Object(target.clone());
        if self.subdict(&as_value, pattern) {
            return true;
        }
        wildcard && self.any_child_matches(target, pattern)
    }

    fn any_child_matches(&mut self, target: &Map, pattern: &str) -> bool {
        target.values().any(|child| match child {
            Value::Object(m) => self.dict_match(m, pattern),
            Value::Array(items) => items.iter().any(|item| self.scalar_match(item, pattern)),
            scalar => self.scalar_match(scalar, pattern),
        })
    }

    /// Salt's `_match`: lowercased `str()` of both sides, then glob/regex/equality.
    fn scalar_match(&mut self, target: &Value, pattern: &str) -> bool {
        let target = py_str(target).to_lowercase();
        let pattern = pattern.to_lowercase();
        match self.mode {
            MatchMode::Glob => fnmatch(&target, &pattern),
            MatchMode::Exact => target == pattern,
            MatchMode::Regex => match re_match(&pattern, &target) {
                Ok(m) => m,
                Err(e) => {
                    self.regex_error
                        .get_or_insert(format!("invalid regular expression '{pattern}': {e}"));
                    false
                }
            },
        }
    }
}

/// Salt's `traverse_dict_and_list`: maps by key, lists by (possibly negative)
/// index or through the first embedded map that has the key.
pub fn traverse<'a>(data: &'a Value, key: &str, delimiter: &str) -> Option<&'a Value> {
    let mut ptr = data;
    for part in key.split(delimiter) {
        ptr = match ptr {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => list_step(items, part)?,
            _ => return None,
        };
    }
    Some(ptr)
}

fn list_step<'a>(items: &'a [Value], part: &str) -> Option<&'a Value> {
    match part.trim().parse::<i64>() {
        Ok(idx) => {
            let len = items.len() as i64;
            let real = if idx < 0 { len + idx } else { idx };
            if real < 0 || real >= len {
                return None;
            }
            items.get(real as usize)
        }
        Err(_) => items
            .iter()
            .filter_map(Value::as_object)
            .find_map(|m| m.get(part)),
    }
}

#[cfg(test)]
mod tests {
    use super::{subdict_match, traverse, MatchMode};
    use serde_json::json;

    fn glob(data: &serde_json::Value, expr: &str) -> bool {
        subdict_match(data, expr, ":", MatchMode::Glob).unwrap()
    }

    #[test]
    fn deepest_key_first_then_value_with_delimiter() {
        let d = json!({"foo": {"bar": "baz"}, "url": "http://x"});
        assert!(glob(&d, "foo:bar:baz"));
        assert!(glob(&d, "url:http://x"));
        assert!(glob(&d, "url:http:*"));
        assert!(!glob(&d, "foo:bar:qux"));
    }

    #[test]
    fn values_compare_lowercased() {
        let d = json!({"os": "Debian", "flag": true, "n": 12});
        assert!(glob(&d, "os:debian"));
        assert!(glob(&d, "os:DEB*"));
        assert!(glob(&d, "flag:True"));
        assert!(glob(&d, "flag:true"));
        assert!(glob(&d, "n:12"));
        assert!(glob(&d, "n:1*"));
    }

    #[test]
    fn lists_match_any_member_and_dict_members() {
        let d = json!({"roles": ["web", "db"], "ifs": [{"eth0": "up"}]});
        assert!(glob(&d, "roles:db"));
        assert!(!glob(&d, "roles:cache"));
        assert!(glob(&d, "ifs:eth0"));
        assert!(glob(&d, "ifs:eth0:up"));
        assert!(glob(&d, "roles:0:web"));
        assert!(glob(&d, "roles:-1:db"));
    }

    #[test]
    fn dict_values_match_keys_star_or_nested() {
        let d = json!({"ip4_interfaces": {"eth0": ["10.0.0.1"]}, "empty": {}});
        assert!(glob(&d, "ip4_interfaces:eth0"));
        assert!(glob(&d, "ip4_interfaces:eth*"));
        assert!(glob(&d, "ip4_interfaces:*"));
        assert!(glob(&d, "ip4_interfaces:eth0:10.0.0.*"));
        assert!(!glob(&d, "empty:*"));
    }

    #[test]
    fn top_level_star_searches_everything() {
        let d = json!({"a": {"x": "needle"}, "b": ["hay", "pin"]});
        assert!(!glob(&d, "*:needle"));
        assert!(glob(&d, "*:x"));
        assert!(glob(&d, "*:a"));
        assert!(glob(&d, "*:pin"));
        assert!(!glob(&d, "*:absent"));
    }

    #[test]
    fn missing_delimiter_never_matches() {
        assert!(!glob(&json!({"os": "Debian"}), "Debian"));
    }

    #[test]
    fn regex_and_exact_modes() {
        let d = json!({"os": "Debian"});
        assert!(subdict_match(&d, "os:deb.*", ":", MatchMode::Regex).unwrap());
        assert!(!subdict_match(&d, "os:ebian", ":", MatchMode::Regex).unwrap());
        assert!(subdict_match(&d, "os:DEBIAN", ":", MatchMode::Exact).unwrap());
        assert!(!subdict_match(&d, "os:Deb*", ":", MatchMode::Exact).unwrap());
        assert!(subdict_match(&d, "os:(", ":", MatchMode::Regex).is_err());
    }

    #[test]
    fn traverse_scalars_and_embedded_dicts() {
        let d = json!({"os": "Debian", "l": [{"k": 1}, {"j": 2}]});
        assert_eq!(traverse(&d, "os:foo", ":"), None);
        assert_eq!(traverse(&d, "l:j", ":"), Some(&json!(2)));
        assert_eq!(traverse(&d, "l:5", ":"), None);
    }
}
