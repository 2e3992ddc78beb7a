//! event.send / event.fire_master: the loads sent on each of Salt's paths,
//! the data `send` builds, and masterless False.

use std::sync::Arc;

use halite_api::{MasterError, Value};
use serde_json::json;

use crate::testutil::{
    call_exec as call, ctx_with, through_master, with_opts, FakeRunner, TempDir,
};

#[test]
fn from_the_daemon_the_load_is_the_minions_fire_master_load() {
    let d = TempDir::new("event-daemon");
    let (ctx, master) = through_master(Ok(Value::Null), &d.0);
    let ctx = with_opts(ctx, json!({"__cli": "salt-minion"}));
    let kwargs = json!({"foo": "Foo", "__pub_jid": "123", "__halite_marker": 1});
    let ret = call(&ctx, "event.send", json!(["my/tag", {"bar": 2}]), kwargs);
    assert_eq!(ret, json!(true));
    let loads = master.loads.lock().unwrap().clone();
    assert_eq!(
        Value::Object(loads[0].clone()),
        json!({"cmd": "_minion_event", "id": "minion1", "pretag": null,
               "data": {"foo": "Foo", "__pub_jid": "123", "bar": 2}, "tag": "my/tag"})
    );
}

#[test]
fn from_salt_call_or_with_preload_the_load_is_direct() {
    let d = TempDir::new("event-call");
    let (ctx, master) = through_master(Ok(Value::Null), &d.0);
    let ctx = with_opts(ctx, json!({"__cli": "salt-call"}));
    call(
        &ctx,
        "event.fire_master",
        json!([{"a": 1}, "t/1"]),
        json!({}),
    );
    let ctx = with_opts(ctx, json!({"__cli": "salt-minion"}));
    let preload = json!({"preload": {"extra": "x"}});
    call(&ctx, "event.fire_master", json!([{"a": 1}, "t/2"]), preload);
    let loads: Vec<Value> = master
        .loads
        .lock()
        .unwrap()
        .iter()
        .map(|l| Value::Object(l.clone()))
        .collect();
    assert_eq!(
        loads,
        vec![
            json!({"id": "minion1", "tag": "t/1", "data": {"a": 1}, "cmd": "_minion_event"}),
            json!({"id": "minion1", "tag": "t/2", "data": {"a": 1}, "cmd": "_minion_event", "extra": "x"}),
        ]
    );
}

#[test]
fn send_builds_data_in_salts_order_with_subsets() {
    let d = TempDir::new("event-data");
    let (ctx, master) = through_master(Ok(Value::Null), &d.0);
    let mut ctx = with_opts(ctx, json!({"__cli": "salt-minion", "saltenv": null}));
    ctx.grains = Arc::new(json!({"os": "Debian", "id": "minion1", "kernel": "Linux"}));
    ctx.pillar = Arc::new(json!({"role": "node", "secret": "s"}));
    let kwargs =
        json!({"with_grains": ["os", "kernel"], "with_pillar": ["role"], "with_env_opts": true});
    call(&ctx, "event.send", json!(["t"]), kwargs);
    let data = master.loads.lock().unwrap()[0]["data"].clone();
    assert_eq!(
        data,
        json!({"grains": {"os": "Debian", "kernel": "Linux"}, "pillar": {"role": "node"},
               "saltenv": null, "pillarenv": null})
    );
    let keys: Vec<&String> = data.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["grains", "pillar", "saltenv", "pillarenv"]);
}

#[test]
fn masterless_nothing_is_sent_and_the_answer_is_false() {
    let d = TempDir::new("event-local");
    let ctx = with_opts(
        ctx_with(FakeRunner::new(), &d.0),
        json!({"file_client": "local"}),
    );
    assert_eq!(
        call(&ctx, "event.send", json!(["t"]), json!({})),
        json!(false)
    );
    assert_eq!(
        call(&ctx, "event.fire_master", json!([{}, "t"]), json!({})),
        json!(false)
    );
}

#[test]
fn a_master_that_does_not_answer_gives_false() {
    let d = TempDir::new("event-down");
    let (ctx, _) = through_master(Err(MasterError::Request("timed out".into())), &d.0);
    assert_eq!(
        call(&ctx, "event.send", json!(["t"]), json!({})),
        json!(false)
    );
}
