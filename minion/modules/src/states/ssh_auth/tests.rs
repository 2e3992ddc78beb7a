//! Tests of ssh_auth.present / absent (comments recorded from Salt 3008.4).

use crate::exec::ssh::tests::KEY;
use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
use serde_json::json;

#[test]
fn present_then_converged_then_absent() {
    let d = TempDir::new("ssh-state");
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    let cfg = d.s("keys");
    let line = format!("no-pty,from=\"10.0.0.1\" ssh-ed25519 {KEY} ops key");
    let args = json!({"name": line, "user": "root", "config": cfg});
    let t = run_state(&ctx, "ssh_auth.present", args.clone(), true);
    assert_eq!(
        (t.result, t.comment.clone()),
        (None, format!("Key {KEY} for user root is set to be added"))
    );
    let r = run_state(&ctx, "ssh_auth.present", args.clone(), false);
    assert_eq!(changes(&r), json!({KEY: "New"}));
    assert_eq!(
        r.comment,
        format!("The authorized host key {KEY} for user root was added")
    );
    assert_eq!(std::fs::read_to_string(&cfg).unwrap(), format!("{line}\n"));
    let again = run_state(&ctx, "ssh_auth.present", args, false);
    assert!(again.changes.is_empty());
    assert_eq!(
        again.comment,
        format!("The authorized host key {KEY} is already present for user root")
    );
    let bare =
        json!({"name": format!("{KEY} other"), "user": "root", "config": cfg, "enc": "ed25519"});
    let upd = run_state(&ctx, "ssh_auth.present", bare, false);
    assert_eq!(changes(&upd), json!({KEY: "Updated"}));
    let gone = json!({"name": KEY, "user": "root", "config": cfg});
    let t = run_state(&ctx, "ssh_auth.absent", gone.clone(), true);
    assert_eq!(
        (t.result, t.comment.clone()),
        (None, format!("Key {KEY} for user root is set for removal"))
    );
    let r = run_state(&ctx, "ssh_auth.absent", gone.clone(), false);
    assert_eq!(
        (changes(&r), r.comment.as_str()),
        (json!({KEY: "Removed"}), "Key removed")
    );
    let r = run_state(&ctx, "ssh_auth.absent", gone, false);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (Some(true), "Key not present")
    );
}

#[test]
fn bad_enc_and_missing_source() {
    let d = TempDir::new("ssh-state-err");
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    let r = run_state(
        &ctx,
        "ssh_auth.present",
        json!({"name": KEY, "user": "root", "config": d.s("k"), "enc": "nope"}),
        false,
    );
    assert_eq!(r.result, Some(false));
    assert!(
        r.comment.ends_with("Incorrect encryption key type 'nope'."),
        "{}",
        r.comment
    );
    let r = run_state(
        &ctx,
        "ssh_auth.present",
        json!({"name": "x", "user": "root", "config": d.s("k"), "source": "salt://missing.pub"}),
        false,
    );
    assert_eq!(
        (r.result, r.comment.as_str()),
        (
            Some(false),
            "Failed to add the ssh key. Source file salt://missing.pub is missing"
        )
    );
}

#[test]
fn manage_removes_unlisted_and_adds_listed() {
    let other = "AAAAC3NzaC1lZDI1NTE5AAAAIKrHEYY2zWfVa8N7gmGwzD6/e21/75RmMqmAnTn/17+F";
    let d = TempDir::new("ssh-manage");
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    let cfg = d.s("keys");
    std::fs::write(&cfg, format!("# keep\nssh-ed25519 {other} old\n")).unwrap();
    let args = json!({"name": "team", "user": "root", "config": cfg,
        "ssh_keys": [format!("ssh-ed25519 {KEY} new")]});
    let t = run_state(&ctx, "ssh_auth.manage", args.clone(), true);
    assert_eq!(
        (t.name.as_str(), t.result, t.comment.as_str()),
        (
            "",
            None,
            format!("{other} Key set for removal\nKey {KEY} for user root is set to be added")
                .as_str()
        )
    );
    let r = run_state(&ctx, "ssh_auth.manage", args.clone(), false);
    assert_eq!(changes(&r), json!({other: "Key removed", KEY: "New"}));
    assert_eq!((r.result, r.comment.as_str()), (Some(true), ""));
    assert_eq!(
        std::fs::read_to_string(&cfg).unwrap(),
        format!("# keep\nssh-ed25519 {KEY} new\n")
    );
    let again = run_state(&ctx, "ssh_auth.manage", args, false);
    assert!(again.changes.is_empty());
    assert_eq!(
        again.comment,
        format!("The authorized host key {KEY} is already present for user root")
    );
}
