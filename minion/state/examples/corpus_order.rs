//! Developer aid: render a conformance case's SLS with fake state functions
//! (every state succeeds with changes) and print tags in `__run_num__` order.
//! Usage: cargo run -p halite-state --example corpus_order -- <case dir> <args...>

use std::sync::Arc;

use halite_api::{
    Ctx, ExecCall, Map, Registry, StateCall, StateReturn, StateSpec, SystemRunner, Value,
};

fn ok(call: &StateCall<'_>) -> StateReturn {
    let mut r = StateReturn::ok(call.name.clone(), "fake");
    if !call.test {
        r.changes.insert("fake".into(), Value::Bool(true));
    } else {
        r.result = None;
    }
    r
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let case = std::path::PathBuf::from(&args[0]);
    let mut reg = Registry::new();
    let names: &[&'static str] = &[
        "cmd.run",
        "cmd.wait",
        "file.managed",
        "file.directory",
        "file.absent",
        "file.symlink",
        "file.append",
        "file.replace",
        "test.succeed_with_changes",
        "test.nop",
    ];
    let specs: Vec<StateSpec> = names
        .iter()
        .map(|n| StateSpec {
            name: n,
            run: ok,
            mod_watch: Some(ok),
        })
        .collect();
    reg.add_states(&specs);
    halite_state::register(&mut reg);
    let mut opts = Map::new();
    opts.insert("id".into(), "conformance-minion".into());
    opts.insert("file_client".into(), "local".into());
    opts.insert(
        "file_roots".into(),
        serde_json::json!({"base": [case.join("salt")]}),
    );
    opts.insert(
        "pillar_roots".into(),
        serde_json::json!({"base": [case.join("pillar")]}),
    );
    let ctx = Ctx {
        opts: Arc::new(opts.clone()),
        grains: Arc::new(
            serde_json::json!({"id": "conformance-minion", "rack": "r12", "roles": ["web", "db"], "tier": "prod",
            "datacenter": {"name": "dc1", "zone": "z3"}}),
        ),
        pillar: Arc::new(serde_json::json!({})),
        saltenv: "base".into(),
        test: false,
        runner: Arc::new(SystemRunner),
        files: Arc::new(halite_state::LocalFileClient::for_file_roots(&opts)),
        templates: Arc::new(halite_render::Renderer),
        registry: Arc::new(reg),
        context: Default::default(),
        master: None,
        net: std::sync::Arc::new(halite_api::NoNetwork),
    };
    let fun = &args[1];
    let mut pos = Vec::new();
    let mut kwargs = Map::new();
    for a in &args[2..] {
        match a.split_once('=') {
            Some((k, v)) => {
                kwargs.insert(
                    k.into(),
                    halite_render::yaml::load(v).unwrap_or(Value::String(v.into())),
                );
            }
            None => pos.push(Value::String(a.clone())),
        }
    }
    let out = ctx
        .registry
        .call_exec(&ctx, fun, pos, kwargs)
        .expect("call");
    println!("retcode {}", out.retcode);
    match out.ret {
        Value::Object(m) => {
            let mut rows: Vec<(i64, String, String)> = m
                .iter()
                .map(|(k, v)| {
                    (
                        v["__run_num__"].as_i64().unwrap_or(-1),
                        k.clone(),
                        v["comment"].to_string(),
                    )
                })
                .collect();
            rows.sort();
            for (n, k, c) in rows {
                println!("{n}\t{k}\t{c}");
            }
        }
        other => println!("{}", serde_json::to_string_pretty(&other).unwrap()),
    }
    let _ = ExecCall {
        ctx: &ctx,
        args: vec![],
        kwargs: Map::new(),
    };
}
