//! halite-storage: container storage on LVM, the way docker-storage-setup /
//! container-storage-setup (c-s-s) sets it up, as Salt states.
//!
//! * [`config`], [`size`]: c-s-s's keys, defaults and size syntax.
//! * [`lvm`], [`disk`]: the OS seams (LVM JSON reports and commands;
//!   lsblk/wipefs), through the context's one command runner.
//! * [`host`]: the facts a plan needs, read through the seams.
//! * [`plan`]: the pure c-s-s job, facts → ordered steps or a refusal.
//! * [`apply`]: carrying the steps out.
//! * [`output`]: the sysconfig line and the autoextend profile.
//! * [`job`]: one call end to end; [`states`], [`exec`]: what Salt calls.
//! * [`usage`]: how full the pool is, and the `docker_storage` grain.

use halite_api::Registry;

pub mod apply;
pub mod config;
pub mod disk;
pub mod exec;
pub mod host;
pub mod job;
pub mod lvm;
pub mod output;
pub mod plan;
pub mod size;
pub mod states;
pub mod usage;

/// Register every function and state of this crate.
pub fn register(reg: &mut Registry) {
    reg.add_exec(exec::FUNCTIONS);
    reg.add_states(states::STATES);
}
