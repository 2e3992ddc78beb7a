//! Tests of the authorized_keys model and the ssh execution functions.

use super::keys::{b64decode_strict, expand_path, fingerprint, format_line, refine_enc};
use crate::testutil::{ctx_with, FakeRunner, TempDir};
use halite_api::Map;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;

pub const KEY: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIHhhbGl0ZXRlc3RrZXlvbmVvbmVvbmVvbmVvbmVv";

#[test]
fn enc_shorthands_and_errors() {
    assert_eq!(refine_enc("e").unwrap(), "ecdsa-sha2-nistp256");
    assert_eq!(refine_enc("ed25519").unwrap(), "ssh-ed25519");
    assert_eq!(refine_enc("dss").unwrap(), "ssh-dss");
    assert_eq!(
        refine_enc("rsa2").unwrap_err().0,
        "Incorrect encryption key type 'rsa2'."
    );
    assert_eq!(format_line("K", "ssh-rsa", "", &[]), "ssh-rsa K \n");
    assert_eq!(
        format_line("K", "ssh-rsa", "c", &["a".into(), "b=\"x y\"".into()]),
        "a,b=\"x y\" ssh-rsa K c\n"
    );
}

#[test]
fn path_tokens() {
    assert_eq!(
        expand_path("%h/.ssh/%u_keys%%", "bob", "/home/bob").unwrap(),
        "/home/bob/.ssh/bob_keys%"
    );
    assert!(expand_path("%x", "u", "/h")
        .unwrap_err()
        .0
        .contains("unknown token character \"%x\""));
    assert!(expand_path("a%", "u", "/h")
        .unwrap_err()
        .0
        .contains("Last character"));
}

#[test]
fn base64_and_fingerprints_like_python() {
    for (s, ok) in [
        ("AAA", false),
        ("AAAA", true),
        ("AAAA==", true),
        ("AAA=", true),
        ("AB==", true),
        ("AAAAA=", false),
        ("AAAAAA=", false),
        ("AA=A", false),
        ("", true),
    ] {
        assert_eq!(b64decode_strict(s).is_some(), ok, "{s}");
    }
    // python3 -c "import hashlib,base64;print(hashlib.md5(base64.b64decode('AAAA')).hexdigest())"
    assert_eq!(
        fingerprint("AAAA", Some("MD5")).unwrap().unwrap(),
        "69:3e:9a:f8:4d:3d:fc:c7:1e:64:0e:00:5b:dc:5e:2e"
    );
    assert_eq!(fingerprint("AA=A", None).unwrap(), None);
    assert_eq!(
        fingerprint("AAAA", Some("whirl")).unwrap_err().0,
        "The fingerprint_hash_type whirl is not supported."
    );
}

#[test]
fn set_check_rm_cycle_on_an_absolute_config() {
    let d = TempDir::new("ssh-exec");
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    let cfg = d.s("sub/dir/keys");
    let kw = |extra: serde_json::Value| {
        let mut m: Map = json!({"config": cfg}).as_object().unwrap().clone();
        m.extend(extra.as_object().unwrap().clone());
        m
    };
    let call =
        |fun: &str, args: Vec<serde_json::Value>, k: Map| ctx.call(fun, args, k).unwrap().ret;
    let set = call(
        "ssh.set_auth_key",
        vec![json!("root"), json!(KEY)],
        kw(json!({"enc": "ed25519", "comment": "me@h"})),
    );
    assert_eq!(set, json!("new"));
    assert_eq!(
        std::fs::read_to_string(&cfg).unwrap(),
        format!("ssh-ed25519 {KEY} me@h\n")
    );
    let mode = |p: &str| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(&cfg), mode(&d.s("sub/dir"))), (0o600, 0o700));
    assert_eq!(
        call(
            "ssh.set_auth_key",
            vec![json!("root"), json!(KEY)],
            kw(json!({"enc": "ed25519", "comment": "me@h"}))
        ),
        json!("no change")
    );
    assert_eq!(
        call(
            "ssh.check_key",
            vec![
                json!("root"),
                json!(KEY),
                json!("ed25519"),
                json!("new"),
                json!([])
            ],
            kw(json!({}))
        ),
        json!("update")
    );
    assert_eq!(
        call(
            "ssh.set_auth_key",
            vec![json!("root"), json!(KEY)],
            kw(json!({"enc": "ed25519", "options": ["no-pty"]}))
        ),
        json!("replace")
    );
    assert_eq!(
        std::fs::read_to_string(&cfg).unwrap(),
        format!("no-pty ssh-ed25519 {KEY} \n")
    );
    let keys = call("ssh.auth_keys", vec![json!("root")], kw(json!({})));
    assert_eq!(keys[KEY]["options"], json!(["no-pty"]));
    assert_eq!(keys[KEY]["enc"], json!("ssh-ed25519"));
    assert_eq!(
        call(
            "ssh.set_auth_key",
            vec![json!("root"), json!("a b")],
            kw(json!({}))
        ),
        json!("invalid")
    );
    assert_eq!(
        call(
            "ssh.set_auth_key",
            vec![json!("root"), json!("AAA")],
            kw(json!({}))
        ),
        json!("Invalid public key")
    );
    assert_eq!(
        call(
            "ssh.rm_auth_key",
            vec![json!("root"), json!(KEY)],
            kw(json!({}))
        ),
        json!("Key removed")
    );
    assert_eq!(
        call(
            "ssh.rm_auth_key",
            vec![json!("root"), json!(KEY)],
            kw(json!({}))
        ),
        json!("Key not present")
    );
    assert_eq!(std::fs::read_to_string(&cfg).unwrap(), "");
}
