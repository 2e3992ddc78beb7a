//! The daemon's view of the master connection.
//!
//! [`Link`] is the small set of operations the job loop needs (publications,
//! returns, events, pillar). The live implementation wraps halite-transport's
//! `MasterLink`; unit tests use an in-memory fake, so the loop is testable
//! without sockets.

use std::sync::Arc;
use std::time::Duration;

use halite_api::{Map, MasterChannel, MasterError, Value};

/// What can go wrong talking to the master, sorted by what the loop does about it.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum LinkError {
    /// Temporarily unreachable (master down, timeout): keep serving, retry later.
    #[error("master unreachable: {0}")]
    Unavailable(String),
    /// A publication that could not be decoded or decrypted: log and drop it.
    #[error("dropped publication: {0}")]
    Garbage(String),
    /// The master rejected our key (or another unrecoverable condition): exit.
    #[error("{0}")]
    Fatal(String),
}

/// The master connection as the job loop uses it. Implementations must be
/// usable from several worker threads at once.
pub trait Link: Send + Sync {
    /// Wait up to `timeout` for the next decrypted publication load.
    /// `Ok(None)` when nothing arrived in time.
    fn next_publication(&self, timeout: Duration) -> Result<Option<Map>, LinkError>;

    /// Send a `_return` (or other request) load; `cmd` and `id` are already set.
    fn send_return(&self, load: Map) -> Result<(), LinkError>;

    /// Fire an event on the master bus (`_minion_event`, single form).
    fn fire_event(&self, tag: &str, data: Value) -> Result<(), LinkError>;

    /// Any other AES request (`_mine`, `_mine_get`, ...): the decrypted reply.
    fn request(&self, load: Map) -> Result<Value, LinkError>;

    /// Compile this minion's pillar on the master (`_pillar`).
    fn fetch_pillar(&self, grains: &Value) -> Result<Value, LinkError>;

    /// True once after the publish connection came back (master restart):
    /// the daemon then fires its start events again.
    fn take_reconnected(&self) -> bool {
        false
    }
}

/// The link as the modules' [`MasterChannel`] (the mine's requests).
pub struct LinkChannel(pub Arc<dyn Link>);

impl MasterChannel for LinkChannel {
    fn request(&self, load: Map) -> Result<Value, MasterError> {
        self.0
            .request(load)
            .map_err(|e| MasterError::Request(e.to_string()))
    }
}
