//! halite-net: the node's network as Salt states, applied over netlink and
//! Open vSwitch, commit-confirmed so that a bad change never strands a node.
//!
//! * [`model`], [`op`]: the network as data, and one change as data.
//! * [`netlink`]: the OS seam (the only netlink code in Halite, and the
//!   `/proc/sys/net` sysctls); [`ovs`]: Open vSwitch through the one runner.
//! * [`plan`]: pure functions, observed network + desired object → ordered
//!   steps, each with its undo (make-before-break for the orb0 move).
//! * [`fslock`]: the exclusive file lock records and CNI allocations use.
//! * [`txn`]: commit-confirmed application: pending-rollback record on disk,
//!   a watchdog process, reachability checks, rollback.
//! * [`states`], [`exec`]: what Salt calls.

#[cfg(feature = "salt")]
pub mod exec;
pub mod fslock;
pub mod model;
pub mod netlink;
pub mod op;
#[cfg(feature = "salt")]
pub mod ovs;
pub mod plan;
#[cfg(feature = "salt")]
pub mod states;
#[cfg(feature = "salt")]
pub mod txn;

/// Why a network operation failed.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("netlink socket: {0}")]
    Socket(std::io::Error),
    #[error("{op}: {message}")]
    Kernel {
        op: String,
        errno: Option<i32>,
        message: String,
    },
    #[error("no interface named '{0}'")]
    NoSuchLink(String),
    #[error("network namespace '{name}': {source}")]
    Netns {
        name: String,
        #[source]
        source: std::io::Error,
    },
    #[error("sysctl {key}: {source}")]
    Sysctl {
        key: String,
        #[source]
        source: std::io::Error,
    },
    #[error("open vswitch: {0}")]
    Ovs(String),
    #[error("not supported: {0}")]
    Unsupported(String),
    #[error("{0}")]
    Invalid(String),
}

impl NetError {
    /// The kernel's errno for a refused request.
    pub fn errno(&self) -> Option<i32> {
        match self {
            NetError::Kernel { errno, .. } => *errno,
            _ => None,
        }
    }
}

/// Register every function and state of this crate.
#[cfg(feature = "salt")]
pub fn register(reg: &mut halite_api::Registry) {
    reg.add_exec(exec::FUNCTIONS);
    reg.add_states(states::STATES);
}

#[cfg(feature = "salt")]
/// `halite net-watchdog RECORD`: the process that rolls an unconfirmed
/// change back at its deadline, whatever happened to the minion.
pub fn watchdog_main(record: &std::path::Path) -> i32 {
    let open = || -> Result<Box<dyn netlink::NetHost>, NetError> {
        let runner = std::sync::Arc::new(halite_api::SystemRunner);
        Ok(Box::new(netlink::Kernel::open()?.with_runner(runner)))
    };
    txn::watchdog(open, record)
}

#[cfg(feature = "salt")]
/// At start of `halite minion` / `halite call`: roll back the changes whose
/// applier died before confirming them. Returns one line per rollback (for
/// the log); opens no socket when nothing is pending.
pub fn recover_at_start(cachedir: &std::path::Path) -> Vec<String> {
    let dir = txn::pending_dir(cachedir);
    if txn::record::pending_in(&dir).is_empty() {
        return Vec::new();
    }
    let runner = std::sync::Arc::new(halite_api::SystemRunner);
    match netlink::Kernel::open().map(|k| k.with_runner(runner)) {
        Ok(host) => txn::recover(&host, &dir),
        Err(e) => vec![format!("cannot roll back pending network changes: {e}")],
    }
}
