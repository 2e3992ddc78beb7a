//! halite-ostree: image-based OS hosts (rpm-ostree and bootc).
//!
//! * [`model`]: typed `rpm-ostree status --json` / `bootc status --json`.
//! * [`tool`]: the OS seam; every tool call goes through the one runner.
//! * [`exec`]: `rpm_ostree.*` and `bootc.*` execution functions.
//! * [`states`]: `rpm_ostree.deployed/packages/kargs/default`, `bootc.image`.
//! * [`sysroot`]: what is read from disk (deployments, origins, boot entries)
//!   and the `ostree_*` grains.
//! * [`health`]: the health-gated boot `halite minion` runs at start.

use halite_api::Registry;

pub mod exec;
pub mod health;
pub mod model;
pub mod states;
pub mod sysroot;
pub mod tool;

/// Register every function and state of this crate.
pub fn register(reg: &mut Registry) {
    reg.add_exec(exec::rpm_ostree::FUNCTIONS);
    reg.add_exec(exec::bootc::FUNCTIONS);
    reg.add_states(states::STATES);
}
