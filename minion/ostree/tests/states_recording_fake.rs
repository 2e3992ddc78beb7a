//! States and functions against the recording fake of rpm-ostree / bootc /
//! systemctl (tests/fake/recording-fake.py) seeded from real and synthetic
//! `status --json` fixtures: exact command lines, idempotency (a second
//! apply makes no mutating call), test=True (no mutating call at all).

mod common;

use common::{state, FakeHost};
use serde_json::json;

const RHCOS: &str = "rpm-ostree/status-booted-rollback-layered.json";
const NEXT: &str = "414.92.202407010000-0";
const NEXT_SUM: &str = "aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11";

fn rhcos() -> FakeHost {
    FakeHost::new(
        RHCOS,
        json!({"available": [{"version": NEXT, "checksum": NEXT_SUM, "newest": true}],
               "kargs": "root=UUID=1 rw console=ttyS0 mitigations=auto"}),
    )
}

#[test]
fn deployed_version_stages_locked_then_is_idempotent_recording_fake() {
    let host = rhcos();
    let ctx = host.ctx();
    let args = json!({"name": "os", "version": NEXT});
    let r = state(&ctx, "rpm_ostree.deployed", args.clone(), false);
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(
        host.mutating(),
        [format!(
            "rpm-ostree deploy --lock-finalization --unchanged-exit-77 version={NEXT}"
        )]
    );
    assert!(
        r.comment.starts_with(&format!("Staged {NEXT}")),
        "{}",
        r.comment
    );
    assert!(r.comment.ends_with("reboot pending"), "{}", r.comment);
    assert_eq!(r.changes["staged"]["finalization_locked"], json!(true));
    assert_eq!(
        r.changes["deployment"]["old"],
        json!("414.92.202406040852-0 (cde2d9d933)")
    );

    host.clear_log();
    let again = state(&ctx, "rpm_ostree.deployed", args, false);
    assert_eq!(again.result, Some(true));
    assert!(again.changes.is_empty());
    assert!(
        again.comment.contains("already staged; reboot pending"),
        "{}",
        again.comment
    );
    assert_eq!(host.argv_log(), ["rpm-ostree status --json"]);
}

#[test]
fn deployed_test_mode_only_reads_recording_fake() {
    let host = rhcos();
    let r = state(
        &host.ctx(),
        "rpm_ostree.deployed",
        json!({"name": "os", "checksum": NEXT_SUM}),
        true,
    );
    assert_eq!(r.result, None);
    assert!(
        r.comment.contains(&format!(
            "rpm-ostree deploy --lock-finalization --unchanged-exit-77 revision={NEXT_SUM}"
        )),
        "{}",
        r.comment
    );
    assert!(host.mutating().is_empty(), "{:?}", host.argv_log());
}

#[test]
fn booted_target_is_no_change_recording_fake() {
    let host = rhcos();
    let r = state(
        &host.ctx(),
        "rpm_ostree.deployed",
        json!({"name": "os", "version": "414.92.202406040852-0", "refspec": "rhcos:rhcos/9/x86_64/stable"}),
        false,
    );
    assert_eq!(r.result, Some(true));
    assert!(r.changes.is_empty());
    assert_eq!(host.argv_log(), ["rpm-ostree status --json"]);
}

#[test]
fn rebase_to_new_refspec_recording_fake() {
    let host = rhcos();
    let r = state(
        &host.ctx(),
        "rpm_ostree.deployed",
        json!({"name": "os", "refspec": "rhcos:rhcos/9/x86_64/next", "version": NEXT}),
        false,
    );
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(
        host.mutating(),
        [format!(
            "rpm-ostree rebase --lock-finalization rhcos:rhcos/9/x86_64/next version={NEXT}"
        )]
    );
    assert_eq!(
        r.changes["staged"]["origin"],
        json!("rhcos:rhcos/9/x86_64/next")
    );
}

#[test]
fn reboot_true_finalizes_the_staged_checksum_recording_fake() {
    let host = rhcos();
    let r = state(
        &host.ctx(),
        "rpm_ostree.deployed",
        json!({"name": "os", "version": NEXT, "reboot": true}),
        false,
    );
    assert_eq!(r.result, Some(true), "{}", r.comment);
    // layered host: rpm-ostree expects the staged *base* checksum
    assert_eq!(r.changes["staged"]["base_checksum"], json!(NEXT_SUM));
    assert_ne!(r.changes["staged"]["checksum"], json!(NEXT_SUM));
    assert_eq!(
        host.mutating().last().unwrap(),
        &format!("rpm-ostree finalize-deployment {NEXT_SUM}")
    );
    assert!(r.comment.contains("rebooting"), "{}", r.comment);
    // the fake rebooted into it
    let st = host.read("status.json");
    assert_eq!(st["deployments"][0]["booted"], json!(true));
    assert_eq!(st["deployments"][0]["version"], json!(NEXT));
}

#[test]
fn zincati_driver_refused_unless_bypassed_recording_fake() {
    let host = FakeHost::new(
        "upstream/zincati/rpm-ostree-status.json",
        json!({"available": [{"version": "43.20251110.3.0", "checksum": NEXT_SUM}]}),
    );
    let ctx = host.ctx();
    let r = state(
        &ctx,
        "rpm_ostree.deployed",
        json!({"name": "os", "version": "43.20251110.3.0"}),
        false,
    );
    assert_eq!(r.result, Some(false));
    assert!(
        r.comment.contains("driven by Zincati (zincati.service)"),
        "{}",
        r.comment
    );
    assert!(r.comment.contains("bypass_driver: true"), "{}", r.comment);
    assert!(host.mutating().is_empty());
    let r = state(
        &ctx,
        "rpm_ostree.deployed",
        json!({"name": "os", "version": "43.20251110.3.0", "bypass_driver": true}),
        false,
    );
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(host.mutating(), ["rpm-ostree deploy --lock-finalization --unchanged-exit-77 --bypass-driver version=43.20251110.3.0"]);
}

#[test]
fn active_transaction_refused_recording_fake() {
    let host = FakeHost::new("rpm-ostree/status-transaction-active.json", json!({}));
    let r = state(
        &host.ctx(),
        "rpm_ostree.packages",
        json!({"name": "tools", "pkgs": ["htop"]}),
        false,
    );
    assert_eq!(r.result, Some(false));
    assert!(
        r.comment
            .contains("transaction is in progress (UpdateDeployment by :1.412)"),
        "{}",
        r.comment
    );
    assert!(host.mutating().is_empty());
}

#[test]
fn tool_failure_is_reported_with_its_message_recording_fake() {
    let host = FakeHost::new(RHCOS, json!({"available": []}));
    let r = state(
        &host.ctx(),
        "rpm_ostree.deployed",
        json!({"name": "os", "version": "9.9"}),
        false,
    );
    assert_eq!(r.result, Some(false));
    assert!(
        r.comment
            .contains("exit code 1: Couldn't find commit for version=9.9"),
        "{}",
        r.comment
    );
}

#[test]
fn packages_layer_and_remove_in_one_transaction_recording_fake() {
    let host = rhcos();
    let ctx = host.ctx();
    let args = json!({"name": "tools", "pkgs": ["htop", "strace"], "absent": ["tcpdump"]});
    let r = state(&ctx, "rpm_ostree.packages", args.clone(), false);
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(host.mutating(), ["rpm-ostree install --idempotent --allow-inactive --unchanged-exit-77 --lock-finalization --uninstall=tcpdump strace"]);
    assert_eq!(r.changes["installed"], json!(["strace"]));
    assert_eq!(r.changes["removed"], json!(["tcpdump"]));
    host.clear_log();
    let again = state(&ctx, "rpm_ostree.packages", args, false);
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    assert!(host.mutating().is_empty());
}

#[test]
fn kargs_append_replace_delete_recording_fake() {
    let host = rhcos();
    let ctx = host.ctx();
    let args = json!({"name": "k", "present": ["mitigations=off", "nosmt"], "absent": ["console"]});
    let t = state(&ctx, "rpm_ostree.kargs", args.clone(), true);
    assert_eq!(t.result, None);
    assert!(host.mutating().is_empty());
    let r = state(&ctx, "rpm_ostree.kargs", args.clone(), false);
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(host.mutating(), ["rpm-ostree kargs --unchanged-exit-77 --lock-finalization --replace=mitigations=off --append-if-missing=nosmt --delete-if-present=console=ttyS0"]);
    host.clear_log();
    let again = state(&ctx, "rpm_ostree.kargs", args, false);
    assert!(again.changes.is_empty());
    assert_eq!(host.argv_log(), ["rpm-ostree kargs"]);
}

#[test]
fn default_previous_rolls_back_once_recording_fake() {
    let host = rhcos();
    let ctx = host.ctx();
    let args = json!({"name": "boot", "deployment": "previous"});
    let r = state(&ctx, "rpm_ostree.default", args.clone(), false);
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(host.mutating(), ["rpm-ostree rollback"]);
    host.clear_log();
    let again = state(&ctx, "rpm_ostree.default", args, false);
    assert!(again.changes.is_empty(), "{}", again.comment);
    assert!(host.mutating().is_empty());
    // after the reboot into the previous deployment, "previous" still holds
    let st = host.read("status.json");
    let mut rebooted = st.clone();
    for (i, d) in rebooted["deployments"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        d["booted"] = json!(i == 0);
    }
    host.write("status.json", &rebooted);
    host.clear_log();
    let after_reboot = state(
        &ctx,
        "rpm_ostree.default",
        json!({"name": "boot", "deployment": "previous"}),
        false,
    );
    assert!(after_reboot.changes.is_empty(), "{}", after_reboot.comment);
    assert!(host.mutating().is_empty());
    host.write("status.json", &st);
    host.clear_log();
    let back = state(&ctx, "rpm_ostree.default", json!({"name": "booted"}), false);
    assert_eq!(back.result, Some(true), "{}", back.comment);
    assert_eq!(host.mutating(), ["rpm-ostree rollback"]);
}

#[test]
fn bootc_image_switch_then_idempotent_recording_fake() {
    let host = FakeHost::new(RHCOS, json!({"bootc_available": {"quay.io/example/other:v2": {"version": "v2", "digest": "sha256:feedfacefeedface", "checksum": NEXT_SUM}}}))
        .with_bootc("upstream/bootc/spec-only-booted.yaml");
    let ctx = host.ctx();
    let args = json!({"name": "quay.io/example/other:v2"});
    let t = state(&ctx, "bootc.image", args.clone(), true);
    assert_eq!(t.result, None);
    assert!(host.mutating().is_empty());
    let r = state(&ctx, "bootc.image", args.clone(), false);
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(host.mutating(), ["bootc switch quay.io/example/other:v2"]);
    assert!(
        r.comment.contains("feedfacefe") && r.comment.ends_with("reboot pending"),
        "{}",
        r.comment
    );
    host.clear_log();
    let again = state(&ctx, "bootc.image", args, false);
    assert!(again.changes.is_empty());
    assert!(host.mutating().is_empty());
}

#[test]
fn deployed_image_uses_bootc_when_it_manages_the_host_recording_fake() {
    let host = FakeHost::new(RHCOS, json!({"bootc_available": {"quay.io/example/other:v2": {"version": "v2", "digest": "sha256:feedfacefeedface", "checksum": NEXT_SUM}}}))
        .with_bootc("upstream/bootc/spec-only-booted.yaml");
    let r = state(
        &host.ctx(),
        "rpm_ostree.deployed",
        json!({"name": "os", "image": "quay.io/example/other:v2"}),
        false,
    );
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(host.mutating(), ["bootc switch quay.io/example/other:v2"]);
}

#[test]
fn upgrade_check_reports_the_cached_update_recording_fake() {
    let host = rhcos();
    let ctx = host.ctx();
    let out = ctx
        .registry
        .call_exec(
            &ctx,
            "rpm_ostree.upgrade",
            vec![],
            json!({"check": true}).as_object().unwrap().clone(),
        )
        .unwrap();
    assert_eq!(out.ret["available"], json!(true));
    assert_eq!(out.ret["update"]["version"], json!(NEXT));
    assert!(host.mutating().is_empty());
}

#[test]
fn latest_checks_with_bypass_driver_on_zincati_hosts_recording_fake() {
    let host = FakeHost::new(
        "rpm-ostree/status-booted-staged.json",
        json!({"available": []}),
    );
    let ctx = host.ctx();
    let args = json!({"name": "os", "refspec": "fedora:fedora/x86_64/coreos/stable", "latest": true, "bypass_driver": true});
    // the staged deployment is the newest of the origin: reboot pending, no call
    let r = state(&ctx, "rpm_ostree.deployed", args, false);
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert!(r.comment.ends_with("reboot pending"), "{}", r.comment);
    assert!(host.mutating().is_empty());
    // reboot: true on a Zincati-locked staged deployment is refused without bypass
    let r = state(
        &ctx,
        "rpm_ostree.deployed",
        json!({"name": "os", "version": "40.20240602.3.0", "reboot": true}),
        false,
    );
    assert_eq!(r.result, Some(false));
    assert!(r.comment.contains("driven by Zincati"), "{}", r.comment);
    assert!(host.mutating().is_empty());
}

#[test]
fn latest_checks_then_upgrades_once_recording_fake() {
    let host = rhcos();
    let ctx = host.ctx();
    let args = json!({"name": "os", "refspec": "rhcos:rhcos/9/x86_64/stable", "latest": true});
    let r = state(&ctx, "rpm_ostree.deployed", args.clone(), false);
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(
        host.mutating(),
        ["rpm-ostree upgrade --lock-finalization --unchanged-exit-77"]
    );
    assert_eq!(r.changes["staged"]["version"], json!(NEXT));
    host.clear_log();
    let again = state(&ctx, "rpm_ostree.deployed", args, false);
    assert!(again.changes.is_empty(), "{}", again.comment);
    assert!(host.mutating().is_empty());
}
