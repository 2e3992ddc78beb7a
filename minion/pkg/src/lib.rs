//! halite-pkg: packages as Salt's `pkg` and `pkgrepo` modules see them.
//!
//! * [`tool`]: the OS seam; every package-manager command goes through the
//!   context's one runner, with a bounded lock wait.
//! * [`manager`]: apt/dpkg, dnf/yum/rpm and rpm-ostree layering behind one
//!   trait, picked per host as Salt picks its provider.
//! * [`version`]: dpkg and rpm version order, Salt's version specs.
//! * [`refresh`]: when the package database is refreshed (Salt's rtag).
//! * [`exec`]: `pkg.*` execution functions; [`exec_repo`]: the repo
//!   functions over [`yumrepo`] (`.repo` files) and [`aptsrc`] (apt sources).
//! * [`states`]: `pkg.installed/latest/removed/purged`, `pkgrepo.managed/absent`.

use halite_api::Registry;

pub mod aptsrc;
pub mod exec;
pub mod exec_repo;
pub mod manager;
pub mod refresh;
pub mod states;
pub mod tool;
pub mod version;
pub mod yumrepo;

/// Register every function and state of this crate.
pub fn register(reg: &mut Registry) {
    reg.add_exec(exec::FUNCTIONS);
    reg.add_exec(exec_repo::FUNCTIONS);
    reg.add_states(states::STATES);
}
