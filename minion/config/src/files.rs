//! Reading `minion`, `minion.d/*.conf` and `include:` files (Salt's
//! `_read_conf_file` and `include_config`), remembering which file set each key.

use std::path::{Path, PathBuf};

use halite_api::{Map, Value};

use crate::ConfigError;

/// Options read from files, with the file that last set each top-level key.
#[derive(Debug, Default, Clone)]
pub struct Layer {
    pub opts: Map,
    pub origin: Vec<(String, PathBuf)>,
}

impl Layer {
    /// The file that set `key`, if any.
    pub fn origin_of(&self, key: &str) -> Option<&Path> {
        self.origin
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, p)| p.as_path())
    }

    fn record(&mut self, keys: impl Iterator<Item = String>, file: &Path) {
        for key in keys {
            self.origin.push((key, file.to_path_buf()));
        }
    }

    /// Python `dict.update`: top-level replace.
    pub fn update_shallow(&mut self, other: Layer) {
        for (k, v) in other.opts {
            self.opts.insert(k, v);
        }
        self.origin.extend(other.origin);
    }
}

/// Read one YAML config file: it must be a mapping (empty → `{}`); a non-string
/// `id` becomes a string.
pub fn read_conf_file(path: &Path) -> Result<Map, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let parsed = halite_render::yaml::load(&text).map_err(|e| ConfigError::Parse {
        file: path.to_path_buf(),
        message: format!(
            "Error parsing configuration file: {} - {}",
            path.display(),
            e
        ),
    })?;
    let mut opts = match parsed {
        Value::Null => Map::new(),
        Value::Object(map) => map,
        other => {
            return Err(ConfigError::Parse {
                file: path.to_path_buf(),
                message: format!(
                    "Error parsing configuration file: {} - conf should be a document, not <class '{}'>.",
                    path.display(),
                    crate::validate::python_type(&other)
                ),
            })
        }
    };
    if let Some(id) = opts.get("id").filter(|v| !v.is_string()) {
        let text = crate::pystr(id);
        opts.insert("id".into(), Value::String(text));
    }
    Ok(opts)
}

/// The main file, if present: its options plus `conf_file`.
pub fn load_main(path: &Path) -> Result<Layer, ConfigError> {
    let mut layer = Layer::default();
    if !path.is_file() {
        tracing::debug!("Missing configuration file: {}", path.display());
        return Ok(layer);
    }
    let mut opts = read_conf_file(path)?;
    opts.insert(
        "conf_file".into(),
        Value::String(path.display().to_string()),
    );
    layer.record(opts.keys().cloned(), path);
    layer.opts = opts;
    Ok(layer)
}

/// Salt's `include_config`: each pattern (relative to the including file's
/// directory) is globbed, matches are read in sorted order and deep-merged
/// (maps recursively, lists concatenated without duplicates).
pub fn include_config(include: &Value, orig_path: &Path) -> Result<Layer, ConfigError> {
    let patterns: Vec<String> = match include {
        Value::String(s) if !s.is_empty() => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => return Ok(Layer::default()),
    };
    let base = orig_path.parent().unwrap_or_else(|| Path::new("/"));
    let mut configuration = Layer::default();
    for pattern in patterns {
        let full = if Path::new(&pattern).is_absolute() {
            PathBuf::from(&pattern)
        } else {
            base.join(&pattern)
        };
        for file in glob_files(&full) {
            tracing::debug!("Including configuration from '{}'", file.display());
            let mut opts = read_conf_file(&file)?;
            if let Some(nested) = opts.get("include").cloned() {
                let inner = include_config(&nested, &file)?;
                for (k, v) in inner.opts {
                    opts.insert(k, v);
                }
            }
            configuration.record(opts.keys().cloned(), &file);
            let mut merged = Value::Object(std::mem::take(&mut configuration.opts));
            merge_lists_update(&mut merged, Value::Object(opts));
            configuration.opts = match merged {
                Value::Object(m) => m,
                _ => Map::new(),
            };
        }
    }
    Ok(configuration)
}

/// `salt.utils.dictupdate.update(dest, upd, True, merge_lists=True)`.
pub fn merge_lists_update(dest: &mut Value, upd: Value) {
    let (Value::Object(d), Value::Object(u)) = (dest, upd) else {
        return;
    };
    for (key, val) in u {
        match (d.get_mut(&key), val) {
            (Some(slot @ Value::Object(_)), val @ Value::Object(_)) => {
                merge_lists_update(slot, val)
            }
            (Some(Value::Array(existing)), Value::Array(new)) => {
                for item in new {
                    if !existing.contains(&item) {
                        existing.push(item);
                    }
                }
            }
            (_, val) => {
                d.insert(key, val);
            }
        }
    }
}

/// Files matching a glob whose wildcards are in the last path component
/// (`minion.d/*.conf`), sorted by name; a path without wildcards matches itself.
pub fn glob_files(pattern: &Path) -> Vec<PathBuf> {
    let text = pattern.display().to_string();
    if !text.contains(['*', '?', '[']) {
        return if pattern.exists() {
            vec![pattern.to_path_buf()]
        } else {
            Vec::new()
        };
    }
    let (Some(dir), Some(name_pattern)) = (
        pattern.parent(),
        pattern.file_name().and_then(|n| n.to_str()),
    ) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| !name.starts_with('.') || name_pattern.starts_with('.'))
        .filter(|name| halite_target::fnmatch::fnmatch(name, name_pattern))
        .map(|name| dir.join(name))
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::merge_lists_update;
    use serde_json::json;

    #[test]
    fn deep_merge_concatenates_lists_without_duplicates() {
        let mut dest = json!({"a": {"x": 1, "l": [1, 2]}, "s": "old"});
        merge_lists_update(&mut dest, json!({"a": {"y": 2, "l": [2, 3]}, "s": "new"}));
        assert_eq!(
            dest,
            json!({"a": {"x": 1, "l": [1, 2, 3], "y": 2}, "s": "new"})
        );
    }
}
