//! Test helpers: fake state functions that record their calls, and a Ctx.

use std::cell::RefCell;
use std::sync::Arc;

use halite_api::{Ctx, Map, Registry, StateCall, StateReturn, StateSpec, SystemRunner, Value};
use serde_json::json;

thread_local! {
    static CALLS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Calls recorded on this thread (`fun:name`, with `test:` prefix in test mode).
pub fn calls() -> Vec<String> {
    CALLS.with(|c| c.borrow().clone())
}

fn record(kind: &str, call: &StateCall<'_>) {
    let prefix = if call.test { "test:" } else { "" };
    CALLS.with(|c| c.borrow_mut().push(format!("{prefix}{kind}:{}", call.name)));
}

/// `fake.run`: fails with `fail: True`, reports changes unless `nochange: True`;
/// `system_exit: True` fails as a template whose `dns_check` asked the run to end.
fn run(call: &StateCall<'_>) -> StateReturn {
    record("run", call);
    let mut r = StateReturn::new(call.name.clone());
    if call.get_bool("system_exit", false) {
        halite_api::ctx::request_system_exit(&call.ctx.context, "DNS lookup failed.");
    }
    if call.get_bool("fail", false) || call.get_bool("system_exit", false) {
        r.result = Some(false);
        r.comment = "failed".into();
        return r;
    }
    if !call.get_bool("nochange", false) {
        r.changes.insert("did".into(), json!(call.name));
        if call.test {
            r.result = None;
        }
    }
    r.comment = format!("ran {}", call.name);
    if let Some(v) = call.get("echo") {
        r.extra.insert("echo".into(), v.clone());
    }
    r
}

/// `fake.wait`: does nothing; its mod_watch reports changes.
fn wait(call: &StateCall<'_>) -> StateReturn {
    record("wait", call);
    StateReturn::new(call.name.clone())
}

fn mod_watch(call: &StateCall<'_>) -> StateReturn {
    record("mod_watch", call);
    let mut r = StateReturn::ok(call.name.clone(), "watched");
    r.changes.insert(
        "sfun".into(),
        call.get("sfun").cloned().unwrap_or(Value::Null),
    );
    r
}

/// `fake.flaky`: fails until called `succeed_on` times (counted per thread).
fn flaky(call: &StateCall<'_>) -> StateReturn {
    record("flaky", call);
    let n = CALLS.with(|c| {
        c.borrow()
            .iter()
            .filter(|s| s.starts_with("flaky:"))
            .count()
    }) as i64;
    let want = call.get("succeed_on").and_then(Value::as_i64).unwrap_or(1);
    if n >= want {
        StateReturn::ok(call.name.clone(), format!("ok on {n}"))
    } else {
        StateReturn::fail(call.name.clone(), format!("fail {n}"))
    }
}

/// `plain.run` — a module without mod_watch.
fn plain(call: &StateCall<'_>) -> StateReturn {
    record("plain", call);
    StateReturn::ok(call.name.clone(), "plain")
}

/// A registry with the fake state functions.
pub fn registry() -> Registry {
    let mut reg = Registry::new();
    reg.add_states(&[
        StateSpec {
            name: "fake.run",
            run,
            mod_watch: Some(mod_watch),
        },
        StateSpec {
            name: "fake.wait",
            run: wait,
            mod_watch: Some(mod_watch),
        },
        StateSpec {
            name: "fake.flaky",
            run: flaky,
            mod_watch: None,
        },
        StateSpec {
            name: "plain.run",
            run: plain,
            mod_watch: None,
        },
    ]);
    crate::register(&mut reg);
    reg
}

/// A Ctx over the fake registry.
pub fn ctx(test: bool, opts: Value) -> Ctx {
    Ctx {
        opts: Arc::new(opts.as_object().cloned().unwrap_or_default()),
        grains: Arc::new(json!({"id": "m1", "roles": ["web"]})),
        pillar: Arc::new(json!({})),
        saltenv: "base".into(),
        test,
        runner: Arc::new(SystemRunner),
        files: Arc::new(crate::files::LocalFileClient::default()),
        templates: Arc::new(halite_render::Renderer),
        registry: Arc::new(registry()),
        context: Default::default(),
        master: None,
        net: std::sync::Arc::new(halite_api::NoNetwork),
    }
}

/// Compile and run high data given as JSON; returns the result map.
pub fn run_high(ctx: &Ctx, high: Value) -> Result<Map, Vec<String>> {
    let compiled = crate::compile::compile(high.as_object().cloned().unwrap(), &ctx.registry)?;
    Ok(crate::runtime::Runner::run(ctx.clone(), compiled))
}

/// One ID body: `{"fake": [fun, {order: n}, args...], "__sls__": sls, "__env__": "base"}`.
pub fn decl(module: &str, fun: &str, order: i64, args: Value) -> Value {
    let mut list = vec![json!(fun)];
    for (k, v) in args.as_object().cloned().unwrap_or_default() {
        list.push(json!({ k: v }));
    }
    list.push(json!({"order": order}));
    json!({ module: list, "__sls__": "s", "__env__": "base" })
}
