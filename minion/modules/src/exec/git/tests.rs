//! git config functions and states against real git in a temp repository.

use std::path::Path;
use std::sync::Arc;

use halite_api::{Ctx, Map, StateReturn, SystemRunner, Value};
use serde_json::json;

use crate::testutil::{changes, ctx_with, run_state, TempDir};

fn repo(d: &TempDir) -> String {
    let r = d.0.join("repo");
    std::fs::create_dir_all(&r).unwrap();
    let ctx = ctx_with(Arc::new(SystemRunner), &d.0);
    let out = ctx
        .call(
            "cmd.run_all",
            vec![json!(["git", "init", "-q", r.to_string_lossy()])],
            Map::new(),
        )
        .unwrap();
    assert_eq!(out.ret["retcode"], json!(0), "{:?}", out.ret);
    r.to_string_lossy().into_owned()
}

fn call(
    ctx: &Ctx,
    f: &str,
    args: Vec<Value>,
    kw: Value,
) -> Result<halite_api::ExecOutput, halite_api::ExecError> {
    ctx.call(f, args, kw.as_object().unwrap().clone())
}

fn outcome(r: &StateReturn) -> (Option<bool>, &str, Value) {
    (r.result, r.comment.as_str(), changes(r))
}

fn config_text(repo: &str) -> String {
    std::fs::read_to_string(Path::new(repo).join(".git/config")).unwrap()
}

#[test]
fn exec_get_set_unset() {
    let d = TempDir::new("git");
    let r = repo(&d);
    let ctx = ctx_with(Arc::new(SystemRunner), &d.0);
    let got = call(
        &ctx,
        "git.config_get",
        vec![json!("foo.bar")],
        json!({"cwd": r}),
    )
    .unwrap();
    assert_eq!((got.ret, got.retcode), (Value::Null, 1));
    let set = call(
        &ctx,
        "git.config_set",
        vec![json!("foo.bar")],
        json!({"multivar": "a,b", "cwd": r}),
    )
    .unwrap();
    assert_eq!(set.ret, json!(["a", "b"]));
    let got = call(
        &ctx,
        "git.config_get",
        vec![json!("foo.bar"), json!(r)],
        json!({}),
    )
    .unwrap();
    assert_eq!(got.ret, json!("b"));
    let all = call(
        &ctx,
        "git.config_get_regexp",
        vec![json!("^foo")],
        json!({"cwd": r}),
    )
    .unwrap();
    assert_eq!(all.ret, json!({"foo.bar": ["a", "b"]}));
    let err = call(
        &ctx,
        "git.config_unset",
        vec![json!("foo.bar")],
        json!({"cwd": r}),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "Multiple values exist for key 'foo.bar'");
    let err = call(
        &ctx,
        "git.config_unset",
        vec![json!("foo.nope")],
        json!({"cwd": r}),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "Key 'foo.nope' does not exist");
    let ok = call(
        &ctx,
        "git.config_unset",
        vec![json!("foo.bar")],
        json!({"cwd": r, "all": true}),
    )
    .unwrap();
    assert_eq!(ok.ret, json!(true));
    assert!(!config_text(&r).contains("\tbar = "));
    let err = call(&ctx, "git.config_get", vec![json!("foo.bar")], json!({})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "'cwd' argument required unless global=True"
    );
    let err = call(
        &ctx,
        "git.config_set",
        vec![json!("a.b"), json!("1")],
        json!({"cwd": r, "bad": 1}),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "The following keyword arguments are not valid: bad=1"
    );
    let outside = call(
        &ctx,
        "git.config_get",
        vec![json!("foo.bar")],
        json!({"cwd": d.0.to_string_lossy()}),
    )
    .unwrap();
    assert_eq!((outside.ret, outside.retcode), (json!(""), 128));
}

#[test]
fn config_set_state() {
    let d = TempDir::new("git");
    let r = repo(&d);
    let ctx = ctx_with(Arc::new(SystemRunner), &d.0);
    let st = |args: Value, test: bool| run_state(&ctx, "git.config_set", args, test);
    let res = st(
        json!({"name": "user.name", "value": "Halite", "repo": r}),
        true,
    );
    assert_eq!(
        outcome(&res),
        (
            None,
            "'user.name' would be added as 'Halite'",
            json!({"old": null, "new": ["Halite"]})
        )
    );
    let res = st(
        json!({"name": "user.name", "value": "Halite", "repo": r}),
        false,
    );
    assert_eq!(
        outcome(&res),
        (
            Some(true),
            "'user.name' was added as 'Halite'",
            json!({"user.name": {"old": null, "new": ["Halite"]}})
        )
    );
    let res = st(
        json!({"name": "user.name", "value": "Halite", "repo": r}),
        false,
    );
    assert_eq!(
        outcome(&res),
        (
            Some(true),
            "'user.name' is already set to 'Halite'",
            json!({})
        )
    );
    let res = st(
        json!({"name": "x.multi", "multivar": ["a", 2], "repo": r}),
        false,
    );
    assert_eq!(
        outcome(&res),
        (
            Some(true),
            "'x.multi' was added as ['a', '2']",
            json!({"x.multi": {"old": null, "new": ["a", "2"]}})
        )
    );
    let res = st(
        json!({"name": "x.multi", "multivar": "b", "repo": r}),
        false,
    );
    assert_eq!(
        outcome(&res),
        (
            Some(true),
            "'x.multi' was set to ['b']",
            json!({"x.multi": {"old": ["a", "2"], "new": ["b"]}})
        )
    );
    let res = st(json!({"name": "bad", "value": "1", "repo": r}), false);
    assert_eq!(res.result, Some(false));
    assert!(
        res.comment
            .starts_with("Failed to set 'bad' to '1': error: "),
        "{}",
        res.comment
    );
    let res = st(json!({"name": "a.b", "value": "1"}), false);
    assert_eq!(
        res.comment,
        "Non-global config options require the 'repo' argument to be set"
    );
    let res = st(
        json!({"name": "a.b", "value": "1", "multivar": "x", "repo": r}),
        false,
    );
    assert_eq!(
        res.comment,
        "Only one of 'value' and 'multivar' is permitted"
    );
}

#[test]
fn config_unset_state() {
    let d = TempDir::new("git");
    let r = repo(&d);
    let ctx = ctx_with(Arc::new(SystemRunner), &d.0);
    call(
        &ctx,
        "git.config_set",
        vec![json!("x.multi")],
        json!({"multivar": ["a", "b", "c"], "cwd": r}),
    )
    .unwrap();
    call(
        &ctx,
        "git.config_set",
        vec![json!("x.one"), json!("1")],
        json!({"cwd": r}),
    )
    .unwrap();
    let st = |args: Value, test: bool| run_state(&ctx, "git.config_unset", args, test);
    let res = st(json!({"name": "x.none", "repo": r}), false);
    assert_eq!(
        outcome(&res),
        (Some(true), "No matching keys are set", json!({}))
    );
    let res = st(json!({"name": "x.multi", "repo": r}), false);
    assert_eq!(
        outcome(&res),
        (Some(false), "Multivar(s) matched by the key expression (set 'all' to True to force removal): x.multi (a, b, c)", json!({}))
    );
    let res = st(
        json!({"name": "x.multi", "value_regex": "b", "repo": r}),
        true,
    );
    assert_eq!(
        outcome(&res),
        (
            None,
            "1 key(s) would have value(s) unset",
            json!({"x.multi": ["b"]})
        )
    );
    let res = st(
        json!({"name": "x.multi", "value_regex": "b", "repo": r}),
        false,
    );
    assert_eq!(
        outcome(&res),
        (
            Some(true),
            "Value(s) successfully unset",
            json!({"x.multi": ["b"]})
        )
    );
    // Salt 3008.4 removes a whole key, then fails on post[key]
    let res = st(json!({"name": "x.one", "repo": r}), false);
    assert_eq!(
        outcome(&res),
        (
            Some(false),
            "An exception occurred in this state: KeyError: 'x.one'",
            json!({})
        )
    );
    assert!(!config_text(&r).contains("\tone = "));
    let res = st(json!({"name": "x.multi", "repo": r, "bogus": true}), false);
    assert_eq!(
        res.comment,
        "The following keyword arguments are not valid: bogus=True"
    );
}
