//! Tests of slsutil.renderer (returns checked against salt-call 3008.4).

use halite_api::{ExecError, Map, Value};
use serde_json::json;

use crate::testutil::{ctx_with, FakeRunner, TempDir};

fn call(ctx: &halite_api::Ctx, args: Vec<Value>, kwargs: Value) -> Result<Value, ExecError> {
    let kwargs = kwargs.as_object().cloned().unwrap_or_default();
    ctx.call("slsutil.renderer", args, kwargs).map(|o| o.ret)
}

#[test]
fn string_and_files_through_their_pipes() {
    let d = TempDir::new("slsutil-renderer");
    std::fs::create_dir_all(d.path("salt/maps")).unwrap();
    std::fs::write(
        d.path("salt/maps/map.jinja"),
        "name: {{ who }}\nvars: \"{{ tplfile }}|{{ tpldir }}|{{ sls }}|{{ saltenv }}\"\n",
    )
    .unwrap();
    std::fs::write(d.path("salt/maps/data.yaml"), "#!yaml\nb: \"{{ x }}\"\n").unwrap();
    std::fs::write(d.path("local.jinja"), "x: {{ 1 }}\n").unwrap();
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    let s = call(
        &ctx,
        vec![],
        json!({"string": "k: {{ n + 1 }}\nv: '{{ tplpath }}'", "n": 2}),
    );
    assert_eq!(s.unwrap(), json!({"k": 3, "v": ":string:"}));
    let m = call(
        &ctx,
        vec![json!("salt://maps/map.jinja")],
        json!({"who": "ops"}),
    );
    assert_eq!(
        m.unwrap(),
        json!({"name": "ops", "vars": "map.jinja|.||base"})
    );
    let y = call(&ctx, vec![json!("salt://maps/data.yaml")], json!({}));
    assert_eq!(y.unwrap(), json!({"b": "{{ x }}"}));
    let l = call(&ctx, vec![json!(d.s("local.jinja"))], json!({}));
    assert_eq!(l.unwrap(), json!({"x": 1}));
    let t = call(
        &ctx,
        vec![],
        json!({"string": "hello {{ n }}", "default_renderer": "jinja", "n": 5, "context": {"n": 6}}),
    );
    assert_eq!(t.unwrap(), json!("hello 6"));
    let j = call(
        &ctx,
        vec![],
        json!({"string": "{\"a\": {{ n }}}", "default_renderer": "jinja|json", "n": 5}),
    );
    assert_eq!(j.unwrap(), json!({"a": 5}));
    let missing = call(&ctx, vec![json!("salt://maps/nope")], json!({}));
    assert_eq!(missing.unwrap(), Value::Object(Map::new()));
}

#[test]
fn argument_errors() {
    let d = TempDir::new("slsutil-renderer-err");
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    let msg = |r: Result<Value, ExecError>| match r {
        Err(ExecError::Invocation(m) | ExecError::Failed(m)) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        msg(call(&ctx, vec![], json!({}))),
        "Must pass path or string."
    );
    assert_eq!(
        msg(call(&ctx, vec![json!("salt://a")], json!({"string": "x"}))),
        "Must not pass both path and string."
    );
    assert_eq!(
        msg(call(&ctx, vec![json!("rel/map.jinja")], json!({}))),
        "Path 'rel/map.jinja' is not absolute"
    );
}
