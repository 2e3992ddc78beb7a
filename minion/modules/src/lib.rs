//! halite-modules: built-in execution and state modules.
//!
//! * [`exec`]: execution modules (`test`, `cmd`, `grains`, `pillar`, `config`,
//!   `sys`, `status`, `network`, `service`, `cp`, `file`).
//! * [`states`]: state modules (`file`, `cmd`, `service`, `sysctl`, `kmod`,
//!   `mount`, `host`, `user`, `group`, `test`).
//! * [`util`]: shared helpers (atomic writes, difflib-compatible diffs,
//!   ownership/mode, command running, systemd, a small YAML codec).

use halite_api::Registry;

pub mod exec;
pub mod states;
pub mod sysnet;
pub mod util;

#[cfg(test)]
mod testutil;

/// Register every built-in execution and state function.
pub fn register(reg: &mut Registry) {
    exec::register(reg);
    states::register(reg);
}

#[cfg(test)]
mod tests {
    #[test]
    fn registers_without_duplicates() {
        let mut reg = halite_api::Registry::new();
        super::register(&mut reg);
        assert!(reg.exec("cmd.run").is_some());
        assert!(reg.state("file.managed").is_some());
        assert!(reg.state("cmd.wait").and_then(|s| s.mod_watch).is_some());
    }
}
