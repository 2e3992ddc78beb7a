//! `pkgrepo.absent` and the repo functions on a yum/dnf host, in a scratch
//! basedir, against returns recorded from Salt 3008.4's own code. No
//! command may run (the repo functions only touch files).
//!
//! `pkgrepo.absent`'s success path cannot run under salt-call here: after
//! `pkg.del_repo` Salt re-lists with `pkg.list_repos()` and no basedir,
//! which needs a yum/dnf config this machine lacks. The expected returns
//! below come from Salt's state and yumpkg functions run from the venv with
//! the dunders stubbed (a host whose reposdir is the scratch dir), on a copy
//! of `tests/formula-corpus/cases/f_pkgrepo_yum/scratch/repos.d/multi.repo`:
//!
//! ```python
//! import json, sys
//! import salt.modules.yumpkg as y
//! import salt.states.pkgrepo as s
//! d = sys.argv[1]
//! y.__opts__, y.__grains__, y.__context__ = {}, {"os_family": "RedHat"}, {}
//! s.__opts__ = {"test": False, "providers": {}}
//! s.__grains__ = {"os_family": "RedHat", "os": "Fedora"}
//! s.__salt__ = {"pkg.get_repo": y.get_repo, "pkg.del_repo": y.del_repo,
//!               "pkg.list_repos": lambda **kw: y.list_repos(d, **kw),
//!               "pkg.mod_repo": y.mod_repo}
//! print(json.dumps([s.absent("alpha", basedir=d), s.absent("beta", basedir=d),
//!                   s.absent("beta", basedir=d)]))
//! ```
//! (`.venv/salt-3008.4/bin/python3 snippet.py DIR`.)

use std::path::Path;
use std::sync::Arc;

use halite_api::{CmdOutput, CmdSpec, CommandRunner, Ctx, ExecCall, ExecError, RunError, Value};
use serde_json::json;

mod common;

/// A runner that refuses every command.
struct NoCommands;

impl CommandRunner for NoCommands {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        panic!("no command may run here, got {:?}", spec.argv);
    }
}

const MULTI: &str =
    include_str!("../../../tests/formula-corpus/cases/f_pkgrepo_yum/scratch/repos.d/multi.repo");

fn host(dir: &Path) -> Ctx {
    std::fs::write(dir.join("multi.repo"), MULTI).unwrap();
    common::ctx(
        Arc::new(NoCommands),
        json!({"id": "n1", "cachedir": dir, "ostree_sysroot": dir.join("no-ostree")}),
    )
}

fn exec(ctx: &Ctx, fun: &str, args: Vec<Value>, kwargs: Value) -> Result<Value, ExecError> {
    let spec = ctx.registry.exec(fun).unwrap();
    (spec.run)(&ExecCall {
        ctx,
        args,
        kwargs: kwargs.as_object().cloned().unwrap_or_default(),
    })
    .map(|o| o.ret)
}

fn ret_json(r: &halite_api::StateReturn) -> Value {
    json!({"name": r.name, "changes": r.changes, "result": r.result, "comment": r.comment})
}

#[test]
fn absent_removes_repo_then_file_as_salt() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = host(dir.path());
    let d = dir.path().display().to_string();
    let args = json!({ "basedir": d });
    let test = common::state(&ctx, "pkgrepo.absent", "alpha", args.clone(), true);
    assert_eq!(test.result, None);
    assert!(test
        .comment
        .starts_with("Package repo 'alpha' will be removed."));
    let got: Vec<Value> = ["alpha", "beta", "beta"]
        .iter()
        .map(|n| {
            ret_json(&common::state(
                &ctx,
                "pkgrepo.absent",
                n,
                args.clone(),
                false,
            ))
        })
        .collect();
    assert_eq!(
        Value::Array(got),
        json!([{"name": "alpha", "changes": {"repo": "alpha"}, "result": true, "comment": "Removed repo alpha"},
               {"name": "beta", "changes": {"repo": "beta"}, "result": true, "comment": "Removed repo beta"},
               {"name": "beta", "changes": {}, "result": true, "comment": "Package repo beta is absent"}])
    );
    assert!(!dir.path().join("multi.repo").exists());
}

#[test]
fn mod_repo_refusals_and_lenient_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = host(dir.path());
    let d = dir.path().display().to_string();
    let err = exec(
        &ctx,
        "pkg.mod_repo",
        vec!["alpha".into()],
        json!({"basedir": d, "baseurl": ""}),
    )
    .unwrap_err();
    // Salt joins the other two from a set: its order varies with
    // PYTHONHASHSEED ("metalink or mirrorlist" too); Halite keeps yumpkg's
    // tuple order
    assert_eq!(
        err.to_string(),
        "Cannot delete baseurl without specifying mirrorlist or metalink"
    );
    let err = exec(
        &ctx,
        "pkg.mod_repo",
        vec!["alpha".into()],
        json!({"basedir": d, "name": ""}),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "The repo name cannot be deleted");
    let err = exec(
        &ctx,
        "pkg.mod_repo",
        vec!["fresh".into()],
        json!({"basedir": d, "name": "F"}),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "The repo does not exist and needs to be created, but none of baseurl, mirrorlist, metalink was given"
    );
    // a duplicate option: an error unless strict_config is off
    std::fs::write(dir.path().join("dup.repo"), "[dup]\nname=a\nname=b\n").unwrap();
    let strict = exec(
        &ctx,
        "pkg.get_repo",
        vec!["dup".into()],
        json!({"basedir": d}),
    )
    .unwrap_err();
    assert!(
        strict
            .to_string()
            .contains("option 'name' in section 'dup' already exists"),
        "{strict}"
    );
    let lenient = exec(
        &ctx,
        "pkg.get_repo",
        vec!["dup".into()],
        json!({"basedir": d, "strict_config": false}),
    )
    .unwrap();
    assert_eq!(lenient, json!({"name": "b"}));
}

#[test]
fn managed_writes_the_repo_file_as_salt() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = host(dir.path());
    let d = dir.path().display().to_string();
    let args = json!({"humanname": "Local", "baseurl": "file:///srv/repo", "gpgcheck": false, "basedir": d});
    let r = common::state(&ctx, "pkgrepo.managed", "local", args.clone(), false);
    assert_eq!(r.comment, "Configured package repo 'local'");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("local.repo")).unwrap(),
        "[local]\nbaseurl=file:///srv/repo\ngpgcheck=0\nname=Local\nenabled=1\n\n"
    );
    let again = common::state(&ctx, "pkgrepo.managed", "local", args, false);
    assert_eq!(again.comment, "Package repo 'local' already configured");
    assert!(again.changes.is_empty());
}
