//! halite-daemon: `halite minion`, the long-running salt-minion replacement.
//!
//! Connects to the master through halite-transport, decides targeting with
//! halite-target, runs each job on its own worker (bounded), returns results,
//! keeps proc files so `saltutil.find_job` works, fires Salt's events.
//! See docs/daemon.md for the job model.

pub mod args;
pub mod control;
mod daemon;
pub mod dns;
pub mod execute;
pub mod grains;
pub mod jid;
pub mod jobs;
pub mod link;
pub mod live;
pub mod masters;
pub mod minion;
pub mod msgpack;
pub mod ostree_gate;
pub mod pidfile;
pub mod pool;
pub mod proc;
pub mod python_modules;
pub mod returns;
pub mod saltutil;
pub mod schedule;
pub mod sd_notify;
pub mod state_guard;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

use halite_config::MinionConfig;

pub use daemon::{build_registry, recover_network};
pub use link::{Link, LinkError};
pub use minion::{Minion, Services};

/// Why the daemon stopped.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("{0}")]
    Fatal(String),
}

/// Run the minion until SIGTERM/SIGINT (Ok) or a fatal error such as a
/// rejected key (Err, with the reason).
pub fn run(config: MinionConfig) -> Result<(), DaemonError> {
    daemon::run(config)
}
