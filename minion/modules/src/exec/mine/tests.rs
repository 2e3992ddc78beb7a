//! The mine: masterless cache semantics (Salt's datastore `mine_cache`), the
//! loads sent to a master, and `mine_functions` parsing.

use std::sync::Arc;

use halite_api::{Ctx, Map, MasterError, Value};
use serde_json::json;

use super::{parse_definition, Definition};
use crate::testutil::{
    call_exec as call, ctx_with, with_opts, FakeRunner, RecordingMaster, TempDir,
};

#[test]
fn masterless_send_get_delete_flush_use_the_datastore() {
    let d = TempDir::new("mine-local");
    let ctx = with_opts(
        ctx_with(FakeRunner::new(), &d.0),
        json!({"file_client": "local"}),
    );
    assert_eq!(
        call(&ctx, "mine.get", json!(["*", "test.ping"]), json!({})),
        json!({})
    );
    assert_eq!(
        call(&ctx, "mine.send", json!(["test.ping"]), json!({})),
        json!(true)
    );
    let echo = json!({"mine_function": "test.echo", "allow_tgt": "minion*"});
    assert_eq!(
        call(&ctx, "mine.send", json!(["said", "hi"]), echo),
        json!(true)
    );
    assert_eq!(
        call(&ctx, "mine.get", json!(["*", "test.ping"]), json!({})),
        json!({"minion1": true})
    );
    assert_eq!(
        call(&ctx, "mine.get", json!(["other", "test.ping"]), json!({})),
        json!({}),
        "a target that is not this minion finds nothing"
    );
    assert_eq!(
        call(&ctx, "mine.get", json!(["*", "test.ping,said"]), json!({})),
        json!({"test.ping": {"minion1": true}, "said": {"minion1": "hi"}})
    );
    assert_eq!(
        call(&ctx, "data.get", json!(["mine_cache"]), json!({}))["said"],
        json!({"__data__": "hi", "__saltmine_acl__": 1, "allow_tgt": "minion*"})
    );
    assert_eq!(
        call(&ctx, "mine.delete", json!(["test.ping"]), json!({})),
        json!(true)
    );
    assert_eq!(
        call(&ctx, "mine.get", json!(["*", "test.ping"]), json!({})),
        json!({})
    );
    assert_eq!(call(&ctx, "mine.flush", json!([]), json!({})), json!(true));
    assert_eq!(
        call(&ctx, "data.get", json!(["mine_cache"]), json!({})),
        json!({})
    );
}

#[test]
fn update_runs_configured_functions_and_clear_replaces() {
    let d = TempDir::new("mine-update");
    let conf = json!({"file_client": "local", "mine_functions": {
        "test.ping": [],
        "greeting": [{"mine_function": "test.echo"}, "hello"],
        "nope.missing": [],
    }});
    let ctx = with_opts(ctx_with(FakeRunner::new(), &d.0), conf);
    call(&ctx, "mine.send", json!(["test.true"]), json!({}));
    assert_eq!(call(&ctx, "mine.update", json!([]), json!({})), json!(true));
    let cache = call(&ctx, "data.get", json!(["mine_cache"]), json!({}));
    assert_eq!(
        cache,
        json!({"test.true": true, "test.ping": true, "greeting": "hello"})
    );
    call(&ctx, "mine.update", json!([]), json!({"clear": true}));
    let cache = call(&ctx, "data.get", json!(["mine_cache"]), json!({}));
    assert_eq!(cache, json!({"test.ping": true, "greeting": "hello"}));
    assert_eq!(
        call(&ctx, "mine.valid", json!([]), json!({})),
        json!({"test.ping": [], "greeting": {"test.echo": ["hello"]}})
    );
}

#[test]
fn nothing_configured_returns_none() {
    let d = TempDir::new("mine-none");
    let ctx = with_opts(
        ctx_with(FakeRunner::new(), &d.0),
        json!({"file_client": "local"}),
    );
    assert_eq!(call(&ctx, "mine.update", json!([]), json!({})), Value::Null);
    assert_eq!(call(&ctx, "mine.valid", json!([]), json!({})), Value::Null);
}

fn through(reply: Result<Value, MasterError>, d: &TempDir) -> (Ctx, Arc<RecordingMaster>) {
    crate::testutil::through_master(reply, &d.0)
}

#[test]
fn through_a_master_the_loads_are_salts() {
    let d = TempDir::new("mine-master");
    let (ctx, master) = through(Ok(json!({"minion1": true, "m2": true})), &d);
    assert_eq!(
        call(&ctx, "mine.send", json!(["test.ping"]), json!({})),
        json!(true)
    );
    assert_eq!(
        call(
            &ctx,
            "mine.get",
            json!(["*", "test.ping"]),
            json!({"exclude_minion": true})
        ),
        json!({"m2": true})
    );
    call(&ctx, "mine.delete", json!(["test.ping"]), json!({}));
    call(&ctx, "mine.flush", json!([]), json!({}));
    let loads = master.loads.lock().unwrap().clone();
    assert_eq!(
        Value::Array(loads.into_iter().map(Value::Object).collect()),
        json!([
            {"cmd": "_mine", "data": {"test.ping": true}, "id": "minion1", "clear": false},
            {"cmd": "_mine_get", "id": "minion1", "tgt": "*", "fun": "test.ping", "tgt_type": "glob"},
            {"cmd": "_mine_delete", "id": "minion1", "fun": "test.ping"},
            {"cmd": "_mine_flush", "id": "minion1"},
        ])
    );
}

#[test]
fn an_unreachable_master_is_false_for_stores_and_an_error_for_get() {
    let d = TempDir::new("mine-down");
    let (ctx, _) = through(Err(MasterError::Request("timed out".into())), &d);
    assert_eq!(
        call(&ctx, "mine.send", json!(["test.ping"]), json!({})),
        json!(false)
    );
    let err = ctx
        .call("mine.get", vec![json!("*"), json!("test.ping")], Map::new())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "mine.get: master request failed: timed out"
    );
}

#[test]
fn definitions_parse_as_salts() {
    let def = parse_definition(
        &json!(["eth0", {"mine_function": "network.ip_addrs"}, {"allow_tgt": "web*", "cidr": "10.0.0.0/8"}]),
    );
    assert_eq!(
        def,
        Definition {
            function: Some("network.ip_addrs".into()),
            args: vec![json!("eth0")],
            kwargs: json!({"cidr": "10.0.0.0/8"}).as_object().unwrap().clone(),
            allow_tgt: Some(json!("web*")),
            allow_tgt_type: None,
        }
    );
    assert_eq!(parse_definition(&json!({})), Definition::default());
    assert_eq!(parse_definition(&Value::Null), Definition::default());
}
