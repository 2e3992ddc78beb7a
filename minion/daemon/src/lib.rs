//! halite-daemon: `halite minion`, the long-running salt-minion replacement.
//!
//! Connects to the master through halite-transport, decides targeting with
//! halite-target, runs each job on its own worker (bounded), returns results,
//! keeps proc files so `saltutil.find_job` works, fires Salt's events.

use halite_config::MinionConfig;

/// Why the daemon stopped.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("{0}")]
    Fatal(String),
}

/// Run the minion until it is told to stop.
pub fn run(config: MinionConfig) -> Result<(), DaemonError> {
    let _ = config;
    Err(DaemonError::Fatal("halite minion is not implemented yet".into()))
}
