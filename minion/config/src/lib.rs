//! halite-config: the salt-minion configuration.
//!
//! Reads `DIR/minion` and `DIR/minion.d/*.conf` (YAML, Salt's dialect), applies
//! Salt's defaults and `root_dir` prefixing, validates the types of known keys and
//! keeps unknown keys (logged at debug level) so `__opts__` is complete.
//! See `docs/config.md`.

pub mod apply;
pub mod defaults;
pub mod files;
pub mod minion_id;
pub mod rootdir;
pub mod unacted;
pub mod validate;

use std::path::{Path, PathBuf};

use halite_api::{Map, Value};

pub use minion_id::{IdSources, SystemIdSources};

/// A configuration problem; names the file and the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Parse { file: PathBuf, message: String },
    #[error("{file}: key '{key}': {message}")]
    BadValue {
        file: PathBuf,
        key: String,
        message: String,
    },
    #[error("cannot read {file}: {source}")]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The loaded minion options.
#[derive(Debug, Clone)]
pub struct MinionConfig {
    /// Every option (defaults, then files), as Salt's `__opts__`.
    pub opts: Map,
    /// The config directory it was read from.
    pub config_dir: PathBuf,
    /// Which file set each key, in reading order.
    pub origin: Vec<(String, PathBuf)>,
}

impl MinionConfig {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.opts.get(key)
    }

    /// The files read, in order.
    pub fn files(&self) -> Vec<&Path> {
        let mut out: Vec<&Path> = Vec::new();
        for (_, f) in &self.origin {
            if !out.contains(&f.as_path()) {
                out.push(f);
            }
        }
        out
    }

    /// Log (once logging is set up) where the options came from and the
    /// options Halite does not act on.
    pub fn log_sources(&self) {
        let mut files = self.files().into_iter();
        if let Some(main) = files.next() {
            tracing::debug!("Reading configuration from {}", main.display());
        }
        for f in files {
            tracing::debug!("Including configuration from '{}'", f.display());
        }
        for w in unacted::warnings(self) {
            tracing::warn!("{w}");
        }
    }
}

/// Load the configuration from `config_dir` (e.g. `/etc/salt`).
pub fn load(config_dir: &Path) -> Result<MinionConfig, ConfigError> {
    load_with(config_dir, &SystemIdSources)
}

/// [`load`] with the sources used to generate a minion id when none is configured.
pub fn load_with(config_dir: &Path, ids: &dyn IdSources) -> Result<MinionConfig, ConfigError> {
    let conf_file = config_dir.join("minion");
    let mut layer = files::load_main(&conf_file)?;
    let defaults = defaults::minion_defaults();
    let default_include = layer
        .opts
        .get("default_include")
        .or(defaults.get("default_include"))
        .cloned()
        .unwrap_or(Value::Null);
    let include = layer.opts.get("include").cloned().unwrap_or(Value::Null);
    layer.update_shallow(files::include_config(&default_include, &conf_file)?);
    layer.update_shallow(files::include_config(&include, &conf_file)?);
    if !layer.opts.contains_key("conf_file") {
        // Salt only sets conf_file when the file was read; the default is /etc/salt/minion.
        tracing::debug!("no {} file; using defaults", conf_file.display());
    }
    let opts = apply::apply_minion_config(layer.opts.clone(), &conf_file, ids)?;
    validate_all(&opts, &layer, &conf_file)?;
    Ok(MinionConfig {
        opts,
        config_dir: config_dir.to_path_buf(),
        origin: layer.origin,
    })
}

/// Type-check every known option; log unknown ones at debug level.
fn validate_all(opts: &Map, layer: &files::Layer, conf_file: &Path) -> Result<(), ConfigError> {
    for (key, value) in opts {
        if key.starts_with("__") {
            continue;
        }
        if !defaults::is_known(key) {
            tracing::debug!("unknown minion option '{key}' kept as given");
            continue;
        }
        if let Some(message) = validate::check(key, value) {
            let file = layer.origin_of(key).unwrap_or(conf_file).to_path_buf();
            return Err(ConfigError::BadValue {
                file,
                key: key.clone(),
                message,
            });
        }
    }
    Ok(())
}

/// Python's `str(value)` for config values.
pub(crate) fn pystr(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => pyrepr(other),
    }
}

/// Python's `repr(value)` (as in Salt's validation messages).
pub(crate) fn pyrepr(v: &Value) -> String {
    halite_target::pystr::py_str(&Value::Array(vec![v.clone()]))
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string()
}

/// Python truthiness.
pub(crate) fn truthy(v: &Value) -> bool {
    halite_api::value::is_truthy(v)
}

#[cfg(test)]
mod tests;
