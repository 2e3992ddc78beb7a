//! halite-config: the salt-minion configuration.
//!
//! Reads `DIR/minion` and `DIR/minion.d/*.conf` (YAML, Salt's dialect), applies
//! Salt's defaults and `root_dir` prefixing, validates the types of known keys and
//! keeps unknown keys (logged at debug level) so `__opts__` is complete.

use std::path::{Path, PathBuf};

use halite_api::{Map, Value};

/// A configuration problem; names the file and the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Parse { file: PathBuf, message: String },
    #[error("{file}: key '{key}': {message}")]
    BadValue { file: PathBuf, key: String, message: String },
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
}

impl MinionConfig {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.opts.get(key)
    }
}

/// Load the configuration from `config_dir` (e.g. `/etc/salt`).
pub fn load(config_dir: &Path) -> Result<MinionConfig, ConfigError> {
    let _ = config_dir;
    unimplemented!("halite_config::load")
}
