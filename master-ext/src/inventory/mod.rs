//! The fleet inventory: load (Salt's YAML dialect, typed, unknown keys
//! refused) and check it whole before anything is generated. Every problem
//! is reported, each naming the file and the entry it is about.

mod check;
mod model;
mod reconnect;

use std::fmt;
use std::path::{Path, PathBuf};

pub use check::check;
pub use model::*;
pub use reconnect::{Reconnect, ReconnectOptions};

/// One problem with the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The entry: `racks[1] (r13) nodes[2] (r13-n03).ip`.
    pub entry: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.entry, self.message)
    }
}

/// Why an inventory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}: {} problem(s):\n{}", .problems.len(), list(.problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Read, parse and check `path`.
pub fn load(path: &Path) -> Result<Inventory, InventoryError> {
    let text = std::fs::read_to_string(path).map_err(|source| InventoryError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let inv = parse(&text).map_err(|message| InventoryError::Syntax {
        path: path.to_path_buf(),
        message,
    })?;
    let problems = check(&inv);
    if problems.is_empty() {
        Ok(inv)
    } else {
        Err(InventoryError::Invalid {
            path: path.to_path_buf(),
            problems,
        })
    }
}

/// Parse the text (no semantic checks); errors name the key path.
pub fn parse(text: &str) -> Result<Inventory, String> {
    let value = halite_render::yaml::load(text).map_err(|e| e.to_string())?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner().to_string();
        if at == "." {
            inner
        } else {
            format!("{at}: {inner}")
        }
    })
}
