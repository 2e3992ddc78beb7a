//! Salt's YAML dialect (see docs/compat.md and shared state-engine.md §2.2).

use halite_api::Value;

/// A YAML load failure; `Display` matches what Salt shows (with line/column).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub message: String,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
}

/// Load one YAML document with Salt's scalar resolution.
pub fn load(text: &str) -> Result<Value, YamlError> {
    let _ = text;
    Err(YamlError { message: "yaml::load is not implemented yet".into(), line: None })
}

/// Dump a value as block-style YAML the way Salt's `yaml` outputter/filters do.
pub fn dump(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
