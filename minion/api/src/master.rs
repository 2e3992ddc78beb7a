//! The master seam: the request channel a module uses to talk to the
//! minion's master (the mine's `_mine`/`_mine_get`, events on the master bus).
//!
//! A masterless run (`file_client: local`) has none; `halite minion` hands
//! modules its live connection and `halite call` without `--local` its own.

use crate::value::{Map, Value};

/// Why a request to the master did not get an answer.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum MasterError {
    /// This run has no master connection (masterless, or a module test).
    #[error("no master connection in this run")]
    NotConnected,
    /// The request was sent and failed (timeout, master down, refused).
    #[error("master request failed: {0}")]
    Request(String),
}

/// An encrypted request channel to the master.
pub trait MasterChannel: Send + Sync {
    /// Send `load` (with `cmd` set; the channel adds the minion `id` when it
    /// is missing) and return the master's decrypted reply.
    fn request(&self, load: Map) -> Result<Value, MasterError>;
}
