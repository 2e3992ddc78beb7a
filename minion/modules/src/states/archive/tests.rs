//! Tests of `archive.extracted` (argument checks with a fake runner; the
//! real tar/unzip runs are covered by the formula corpus).

use crate::testutil::{ctx_with, run_state, FakeRunner, TempDir};
use serde_json::json;

#[test]
fn argument_checks() {
    let d = TempDir::new("arcargs");
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": "rel/dir", "source": "salt://a.tar"}),
        false,
    );
    assert_eq!(r.comment, "rel/dir is not an absolute path");
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": d.s("x"), "source": "salt://a.tar", "if_missing": "rel"}),
        false,
    );
    assert_eq!(r.comment, "Value for 'if_missing' is not an absolute path");
    std::fs::write(d.path("guard"), "").unwrap();
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": d.s("x"), "source": "salt://a.tar", "if_missing": d.s("guard")}),
        false,
    );
    assert_eq!(
        (r.result, r.comment),
        (Some(true), format!("Path {} exists", d.s("guard")))
    );
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": d.s("x"), "source": "salt://a.bin"}),
        false,
    );
    assert!(
        r.comment.starts_with("Could not guess archive_format"),
        "{}",
        r.comment
    );
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": d.s("x"), "source": "salt://a.tar", "password": "p"}),
        false,
    );
    assert_eq!(
        r.comment,
        "The 'password' argument is only supported for zip archives"
    );
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": d.s("x"), "source": d.s("none.tar")}),
        false,
    );
    assert_eq!(
        r.comment,
        format!("Source file '{}' does not exist", d.s("none.tar"))
    );
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": d.s("x"), "source": "salt://a.tar", "user": "no-such-user-here"}),
        false,
    );
    assert_eq!(r.comment, "User no-such-user-here does not exist");
}

#[test]
fn salt_source_in_test_mode_is_not_fetched() {
    let d = TempDir::new("arctest");
    let runner = FakeRunner::new();
    let ctx = ctx_with(runner.clone(), &d.0);
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": d.s("x"), "source": "salt://a.tar.gz"}),
        true,
    );
    assert_eq!(r.result, None);
    assert_eq!(r.comment, "Archive salt://a.tar.gz would be cached (if necessary) and checked to discover if extraction is needed");
    assert!(runner.commands().is_empty());
    assert!(!d.path("cache/files").exists());
}

#[test]
fn bad_hash_of_a_salt_source_is_file_cached_return() {
    let d = TempDir::new("archash");
    std::fs::create_dir_all(d.path("salt")).unwrap();
    std::fs::write(d.path("salt/a.zip"), b"zipdata").unwrap();
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    let want = "0".repeat(64);
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": d.s("x"), "source": "salt://a.zip", "source_hash": format!("sha256={want}")}),
        false,
    );
    assert_eq!(r.result, Some(false));
    let actual = crate::exec::file::hash::hex_digest("sha256", b"zipdata").unwrap();
    assert_eq!(r.comment, format!("File is cached to {}, but the hash ({actual}) does not match the specified hash ({want})", d.s("cache/files/base/a.zip")));
    assert!(!d.path("x").exists());
}

#[test]
fn tar_bomb_is_refused_and_converged_tree_is_left_alone() {
    let d = TempDir::new("arcplan");
    std::fs::write(d.path("m.tar"), b"tar").unwrap();
    let runner = FakeRunner::new();
    runner.on("-tvf", 0, "drwxr-xr-x root/root 0 2024-01-02 03:04 top/\n-rw-r--r-- root/root 1 2024-01-02 03:04 top/f\n-rw-r--r-- root/root 1 2024-01-02 03:04 loose\n");
    runner.on("-tf", 0, "top/\ntop/f\nloose\n");
    let ctx = ctx_with(runner.clone(), &d.0);
    let dest = d.s("dest");
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": dest, "source": d.s("m.tar")}),
        false,
    );
    assert!(
        r.comment
            .starts_with("Archive does not have a single top-level directory."),
        "{}",
        r.comment
    );
    assert!(r.comment.contains(&format!(
        "setting 'name' to {dest}/some_dir instead of {dest}/"
    )));
    std::fs::create_dir_all(d.path("dest/top")).unwrap();
    std::fs::write(d.path("dest/top/f"), "").unwrap();
    std::fs::write(d.path("dest/loose"), "").unwrap();
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": dest, "source": d.s("m.tar"), "enforce_toplevel": false}),
        false,
    );
    assert_eq!(
        (r.result, r.comment.as_str()),
        (Some(true), "All files in archive are already present")
    );
    assert!(r.changes.is_empty());
    assert!(!runner.commands().iter().any(|c| c.contains("-xf")));
    // Missing member in test mode: would extract, nothing run.
    std::fs::remove_file(d.path("dest/loose")).unwrap();
    let r = run_state(
        &ctx,
        "archive.extracted",
        json!({"name": dest, "source": d.s("m.tar"), "enforce_toplevel": false}),
        true,
    );
    assert_eq!(r.result, None);
    assert_eq!(
        r.comment,
        format!(
            "Archive {} would be extracted to {dest}/, due to absence of one or more files/dirs",
            d.s("m.tar")
        )
    );
}
