//! What the pkg tests share: a context with this crate's functions on an
//! rpm-family (or any) host over a fake runner, and a state call.

use std::sync::Arc;

use halite_api::{CommandRunner, Ctx, Registry, StateCall, StateReturn, Value};
use serde_json::json;

/// A RedHat/x86_64 context over `runner` with `opts` (id, cachedir,
/// ostree_sysroot, ...) and this crate's functions registered.
#[allow(dead_code)] // each test binary compiles its own copy; apt_sources uses ctx_with_grains
pub fn ctx(runner: Arc<dyn CommandRunner>, opts: Value) -> Ctx {
    ctx_with_grains(
        runner,
        opts,
        json!({"os_family": "RedHat", "osarch": "x86_64"}),
    )
}

/// [`ctx`] on a host with these grains.
pub fn ctx_with_grains(runner: Arc<dyn CommandRunner>, opts: Value, grains: Value) -> Ctx {
    let mut reg = Registry::new();
    halite_pkg::register(&mut reg);
    Ctx {
        opts: Arc::new(opts.as_object().unwrap().clone()),
        grains: Arc::new(grains),
        pillar: Arc::new(json!({})),
        saltenv: "base".into(),
        test: false,
        runner,
        files: Arc::new(halite_api::NoFiles),
        templates: Arc::new(halite_api::VerbatimTemplates),
        registry: Arc::new(reg),
        context: Default::default(),
        master: None,
        net: std::sync::Arc::new(halite_api::NoNetwork),
    }
}

/// Run state function `fun` on `name` with `args`.
pub fn state(ctx: &Ctx, fun: &str, name: &str, args: Value, test: bool) -> StateReturn {
    let spec = *ctx.registry.state(fun).unwrap();
    (spec.run)(&StateCall {
        ctx,
        name: name.into(),
        args: args.as_object().cloned().unwrap_or_default(),
        test,
    })
}
