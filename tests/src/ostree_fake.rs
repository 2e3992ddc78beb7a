//! The recording fake of rpm-ostree/bootc/systemctl
//! (minion/ostree/tests/fake/recording-fake.py) set up for a minion: its
//! bin directory first on PATH, a status document seeded from a real
//! `rpm-ostree status --json` fixture, a remote offering [`NEXT`].

use std::fs;
use std::path::PathBuf;

use serde_json::{json, Value};

/// The version the fake remote offers.
pub const NEXT: &str = "414.92.202407010000-0";

/// A bin directory with the fake first, over a status document seeded
/// from a real fixture, and the fake's log.
pub struct FakeTools {
    pub dir: tempfile::TempDir,
}

impl Default for FakeTools {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeTools {
    pub fn new() -> FakeTools {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        fs::create_dir_all(&bin).unwrap();
        let fake = crate::repo_root().join("minion/ostree/tests/fake/recording-fake.py");
        for tool in ["rpm-ostree", "systemctl"] {
            std::os::unix::fs::symlink(&fake, bin.join(tool)).unwrap();
        }
        let shared = std::env::var("HALITE_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|_| crate::repo_root().join("../shared"));
        let status = shared.join("fixtures/rpm-ostree/status-booted-rollback-layered.json");
        fs::copy(status, dir.path().join("status.json")).unwrap();
        let scenario = json!({"available": [{"version": NEXT, "checksum": "aa11".repeat(16)}]});
        fs::write(dir.path().join("scenario.json"), scenario.to_string()).unwrap();
        FakeTools { dir }
    }
    pub fn env(&self) -> Vec<(String, String)> {
        let path = format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        vec![
            ("PATH".into(), path),
            (
                "FAKE_OSTREE_DIR".into(),
                self.dir.path().display().to_string(),
            ),
        ]
    }
    pub fn status(&self) -> Value {
        serde_json::from_slice(&fs::read(self.dir.path().join("status.json")).unwrap()).unwrap()
    }
    pub fn log(&self) -> Vec<String> {
        fs::read_to_string(self.dir.path().join("argv.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<Vec<String>>(l).unwrap().join(" "))
            .collect()
    }
    pub fn mutating(&self) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|c| c != "rpm-ostree status --json")
            .collect()
    }
    pub fn clear_log(&self) {
        let _ = fs::remove_file(self.dir.path().join("argv.log"));
    }
    /// The machine reboots into the default deployment.
    pub fn reboot(&self) {
        let mut st = self.status();
        for (i, d) in st["deployments"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .enumerate()
        {
            d["booted"] = json!(i == 0);
            d["staged"] = json!(false);
            d.as_object_mut().unwrap().remove("finalization-locked");
        }
        fs::write(self.dir.path().join("status.json"), st.to_string()).unwrap();
    }
    pub fn health_marker(&self) -> PathBuf {
        self.dir.path().join("kubelet-healthy")
    }
}

impl FakeTools {
    /// Whether the fake rebooted the "machine" since the last call (the
    /// marker is removed): the harness then restarts the minion.
    pub fn take_reboot_request(&self) -> bool {
        fs::remove_file(self.dir.path().join("reboot-requested")).is_ok()
    }
}
