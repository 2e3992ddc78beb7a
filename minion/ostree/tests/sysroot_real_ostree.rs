//! A real OSTree sysroot built with Debian's `ostree` (init-fs, os-init,
//! commit, deploy) backs what the module reads from disk: deployments,
//! origin files, boot entries and the `ostree_*` grains; `rpm_ostree.pin`
//! runs the real `ostree admin pin`.

mod common;

use std::path::Path;
use std::sync::Arc;

use halite_api::{CmdSpec, CommandRunner, SystemRunner};
use halite_ostree::sysroot::{grains, Sysroot};
use serde_json::json;

fn run(argv: &[&str]) -> String {
    let out = SystemRunner
        .run(&CmdSpec::argv(argv.iter().copied()))
        .unwrap();
    assert_eq!(out.retcode, 0, "{argv:?}: {}", out.stderr_text());
    out.stdout_text()
}

fn have_ostree() -> bool {
    SystemRunner
        .run(&CmdSpec::argv(["ostree", "--version"]))
        .is_ok_and(|o| o.retcode == 0)
}

/// A commit with a kernel and an os-release carrying OSTREE_VERSION.
fn tree(dir: &Path, version: &str) {
    std::fs::create_dir_all(dir.join("usr/lib/modules/6.1.0")).unwrap();
    std::fs::write(
        dir.join("usr/lib/modules/6.1.0/vmlinuz"),
        format!("kernel {version}"),
    )
    .unwrap();
    std::fs::write(dir.join("usr/lib/modules/6.1.0/initramfs.img"), "initramfs").unwrap();
    std::fs::create_dir_all(dir.join("usr/etc")).unwrap();
    std::fs::write(
        dir.join("usr/lib/os-release"),
        format!("ID=testos\nPRETTY_NAME=\"Test OS {version}\"\nOSTREE_VERSION='{version}'\n"),
    )
    .unwrap();
}

struct Sys {
    dir: tempfile::TempDir,
}

impl Drop for Sys {
    fn drop(&mut self) {
        // ostree marks deployment directories immutable.
        let _ = SystemRunner.run(&CmdSpec::argv([
            "chattr",
            "-R",
            "-i",
            &common::path_str(self.dir.path()),
        ]));
    }
}

fn build() -> Sys {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("sysroot");
    std::fs::create_dir_all(&s).unwrap();
    let ss = common::path_str(&s);
    run(&["ostree", "admin", "init-fs", "--modern", &ss]);
    run(&[
        "ostree",
        "admin",
        "os-init",
        &format!("--sysroot={ss}"),
        "testos",
    ]);
    let repo = format!("--repo={ss}/ostree/repo");
    for v in ["1.0", "2.0"] {
        let t = dir.path().join(format!("tree-{v}"));
        tree(&t, v);
        run(&[
            "ostree",
            &repo,
            "commit",
            "-b",
            "testos/x86_64/stable",
            &format!("--tree=dir={}", t.display()),
            &format!("--add-metadata-string=version={v}"),
        ]);
        run(&[
            "ostree",
            "admin",
            "deploy",
            &format!("--sysroot={ss}"),
            "--os=testos",
            "--karg=root=LABEL=root",
            "--karg=console=ttyS0",
            "testos/x86_64/stable",
        ]);
    }
    Sys { dir }
}

#[test]
fn deployments_origins_and_grains_from_a_real_sysroot() {
    if !have_ostree() {
        assert!(
            std::env::var("HALITE_REQUIRE_SALT").is_err(),
            "ostree is not installed (tests/scripts/install-deps.sh installs it)"
        );
        return;
    }
    let sys = build();
    let root = sys.dir.path().join("sysroot");
    let sysroot = Sysroot::new(&root);
    let deps = sysroot.deployments();
    assert_eq!(deps.len(), 2, "{deps:?}");
    assert!(deps
        .iter()
        .all(|d| d.osname == "testos" && d.refspec.as_deref() == Some("testos/x86_64/stable")));
    let mut versions: Vec<_> = deps.iter().filter_map(|d| d.version.clone()).collect();
    versions.sort();
    assert_eq!(versions, ["1.0", "2.0"]);

    // Not booted into OSTree: no grains.
    assert!(grains(&sysroot).is_empty());

    // "Boot" the newest entry: the marker plus its kernel command line.
    let entries = sysroot.boot_entries();
    let (_, options) = entries.iter().max().unwrap();
    assert!(
        options.contains("console=ttyS0") && options.contains("ostree=/ostree/boot."),
        "{options}"
    );
    std::fs::create_dir_all(root.join("run")).unwrap();
    std::fs::write(root.join("run/ostree-booted"), "").unwrap();
    std::fs::create_dir_all(root.join("proc")).unwrap();
    std::fs::write(
        root.join("proc/cmdline"),
        format!("BOOT_IMAGE=/vmlinuz {options}\n"),
    )
    .unwrap();
    let g = grains(&sysroot);
    assert_eq!(g["ostree_booted"], json!(true));
    assert_eq!(g["ostree_osname"], json!("testos"));
    assert_eq!(g["ostree_version"], json!("2.0"));
    assert_eq!(g["ostree_refspec"], json!("testos/x86_64/stable"));
    let booted = sysroot.booted().unwrap();
    assert_eq!(g["ostree_checksum"], json!(booted.checksum));
    assert!(deps.iter().any(|d| d.checksum == booted.checksum));
}

#[test]
fn pin_and_unpin_run_real_ostree_admin() {
    if !have_ostree() {
        assert!(
            std::env::var("HALITE_REQUIRE_SALT").is_err(),
            "ostree is not installed"
        );
        return;
    }
    let sys = build();
    let root = common::path_str(&sys.dir.path().join("sysroot"));
    let ctx = common::ctx_with(Arc::new(SystemRunner), json!({"ostree_sysroot": root}));
    let kw = serde_json::Map::new();
    let out = ctx
        .registry
        .call_exec(&ctx, "rpm_ostree.pin", vec![json!(1)], kw.clone())
        .unwrap();
    assert_eq!(out.ret["pinned"], json!(true));
    let status = run(&["ostree", "admin", "status", &format!("--sysroot={root}")]);
    assert!(status.contains("Pinned: yes"), "{status}");
    ctx.registry
        .call_exec(&ctx, "rpm_ostree.unpin", vec![json!(1)], kw.clone())
        .unwrap();
    let status = run(&["ostree", "admin", "status", &format!("--sysroot={root}")]);
    assert!(!status.contains("Pinned: yes"), "{status}");
    let bad = ctx
        .registry
        .call_exec(&ctx, "rpm_ostree.pin", vec![json!("one")], kw)
        .unwrap_err();
    assert!(
        bad.to_string()
            .contains("index: expected a deployment index"),
        "{bad}"
    );
}
