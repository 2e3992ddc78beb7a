//! Shared helpers for Halite's end-to-end tests.
//!
//! * [`salt`]: locate the pinned Salt venv, start a real `salt-master` on 127.0.0.1
//!   with free ports, drive it with the real `salt`/`salt-run`/`salt-key` CLIs.
//! * [`minion`]: start a Halite minion (or a Python salt-minion, for differential
//!   tests) against such a master.
//!
//! These helpers spawn real processes, so they carry the one sanctioned exception
//! to the workspace's `Command::new` ban (test harness code only).

pub mod minion;
pub mod net;
pub mod ostree_fake;
pub mod salt;

use std::path::PathBuf;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Path of the `halite` binary built for this test run.
pub fn halite_bin() -> PathBuf {
    if let Ok(p) = std::env::var("HALITE_BIN") {
        return PathBuf::from(p);
    }
    built_bin("halite")
}

/// Path of the `halite-ctl` binary built for this test run.
pub fn halite_ctl_bin() -> PathBuf {
    built_bin("halite-ctl")
}

fn built_bin(name: &str) -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_root().join("target"));
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    target.join(profile).join(name)
}
