//! pkg on an rpm-ostree host, with halite-ostree's recording fake of
//! `rpm-ostree` (driven by a real `rpm-ostree status --json` fixture) and a
//! fake `rpm -qa` listing the base image: pkg.installed layers into the next
//! deployment and says a reboot is pending, never reboots; removal works
//! for layered packages only; pkg.latest is refused by name.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::state;
use halite_api::{CmdOutput, CmdSpec, CommandRunner, Ctx, RunError, SystemRunner, Value};
use serde_json::json;

mod common;

const FIXTURE: &str = "rpm-ostree/status-booted-rollback-layered.json";

/// Runs `argv[0]` from the fake bin directory when it is there.
struct FakeBin {
    bin: PathBuf,
    state: PathBuf,
}

impl CommandRunner for FakeBin {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        let mut spec = spec.clone();
        let local = self.bin.join(&spec.argv[0]);
        if local.exists() {
            spec.argv[0] = local.to_string_lossy().into_owned();
        }
        spec.env.insert(
            "FAKE_OSTREE_DIR".into(),
            self.state.to_string_lossy().into_owned(),
        );
        SystemRunner.run(&spec)
    }
}

struct Host {
    dir: tempfile::TempDir,
}

impl Host {
    fn new() -> Host {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(dir.path().join("sysroot/run")).unwrap();
        std::fs::write(dir.path().join("sysroot/run/ostree-booted"), "").unwrap();
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let fake = manifest.join("../ostree/tests/fake/recording-fake.py");
        std::os::unix::fs::symlink(&fake, bin.join("rpm-ostree")).unwrap();
        std::fs::write(
            bin.join("rpm"),
            "#!/bin/sh\nprintf 'bash\\t(none)\\t5.2.26-3.fc40\\tx86_64\\nkernel\\t(none)\\t6.8.5-301.fc40\\tx86_64\\n'\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join("rpm"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let shared = std::env::var("HALITE_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|_| manifest.join("../../../shared"));
        let status = shared.join("fixtures").join(FIXTURE);
        std::fs::copy(&status, dir.path().join("status.json"))
            .unwrap_or_else(|e| panic!("{}: {e}", status.display()));
        std::fs::write(dir.path().join("scenario.json"), "{}").unwrap();
        Host { dir }
    }

    fn ctx(&self) -> Ctx {
        let runner = Arc::new(FakeBin {
            bin: self.dir.path().join("bin"),
            state: self.dir.path().to_path_buf(),
        });
        let opts = json!({
            "id": "node1",
            "cachedir": self.dir.path().join("cache"),
            "ostree_sysroot": self.dir.path().join("sysroot"),
        });
        common::ctx(runner, opts)
    }

    /// rpm-ostree calls that change something (a metadata refresh does not).
    fn mutating(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("argv.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<Vec<String>>(l).unwrap().join(" "))
            .filter(|c| c != "rpm-ostree status --json" && c != "rpm-ostree refresh-md")
            .collect()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn requested(dir: &Path) -> Value {
    let st: Value =
        serde_json::from_slice(&std::fs::read(dir.join("status.json")).unwrap()).unwrap();
    st["deployments"][0]["requested-packages"].clone()
}

#[test]
fn installed_layers_into_the_next_deployment_without_reboot_recording_fake() {
    let host = Host::new();
    let ctx = host.ctx();
    let t = state(&ctx, "pkg.installed", "strace", json!({}), true);
    assert_eq!(t.result, None, "{}", t.comment);
    assert!(t.comment.contains("active after a reboot"), "{}", t.comment);
    assert_eq!(t.changes["strace"], json!({"new": "installed", "old": ""}));
    assert!(host.mutating().is_empty(), "{:?}", host.mutating());

    let r = state(&ctx, "pkg.installed", "strace", json!({}), false);
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(
        host.mutating(),
        ["rpm-ostree install --idempotent --allow-inactive --unchanged-exit-77 --lock-finalization strace"]
    );
    assert_eq!(
        r.comment,
        "The following packages were layered into the next deployment: strace. They become active after a reboot (pending); Halite does not reboot"
    );
    assert_eq!(
        r.changes["strace"],
        json!({"old": "", "new": "layered (active after reboot)"})
    );
    assert!(requested(host.dir.path())
        .as_array()
        .unwrap()
        .contains(&json!("strace")));
    assert!(
        !host.path("reboot-requested").exists(),
        "pkg.installed must never reboot"
    );

    let again = state(&ctx, "pkg.installed", "strace", json!({}), false);
    assert_eq!(
        again.comment,
        "All specified packages are already installed"
    );
    assert!(again.changes.is_empty());
    let base = state(&ctx, "pkg.installed", "bash", json!({}), false);
    assert_eq!(base.result, Some(true), "{}", base.comment);
}

#[test]
fn removed_takes_layered_packages_out_refuses_base_ones_recording_fake() {
    let host = Host::new();
    let ctx = host.ctx();
    assert_eq!(
        state(&ctx, "pkg.installed", "strace", json!({}), false).result,
        Some(true)
    );
    let r = state(&ctx, "pkg.removed", "strace", json!({}), false);
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert!(
        host.mutating()
            .last()
            .unwrap()
            .starts_with("rpm-ostree uninstall --idempotent"),
        "{:?}",
        host.mutating()
    );
    assert!(!requested(host.dir.path())
        .as_array()
        .unwrap()
        .contains(&json!("strace")));
    let base = state(&ctx, "pkg.removed", "bash", json!({}), false);
    assert_eq!(base.result, Some(false));
    assert!(
        base.comment.contains("'bash' is part of the base image"),
        "{}",
        base.comment
    );
}

#[test]
fn latest_and_versions_are_refused_by_name_recording_fake() {
    let host = Host::new();
    let ctx = host.ctx();
    let l = state(
        &ctx,
        "pkg.latest",
        "strace",
        json!({"refresh": false}),
        false,
    );
    assert_eq!(l.result, Some(false));
    assert!(
        l.comment
            .contains("rpm-ostree cannot list candidate versions"),
        "{}",
        l.comment
    );
    let v = state(
        &ctx,
        "pkg.installed",
        "strace",
        json!({"version": "3.3.0-1.fc40", "refresh": false}),
        false,
    );
    assert_eq!(v.result, Some(false));
    assert!(v.comment.contains("cannot be pinned"), "{}", v.comment);
    assert!(host.mutating().is_empty(), "{:?}", host.mutating());
}
