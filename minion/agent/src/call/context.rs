//! Building the [`Ctx`] a `salt-call` run executes in: options (config file plus
//! command-line overrides), grains, pillar and the OS seams.

use std::path::Path;
use std::sync::Arc;

use halite_api::value::merge_into;
use halite_api::{Ctx, FileClient, Map, Registry, SystemRunner, Value};
use halite_state::LocalFileClient;

use crate::cli::call_args::CallArgs;

/// Apply salt-call's command-line options over the configured `opts`.
pub fn apply_cli_overrides(opts: &mut Map, args: &CallArgs) {
    let mut set = |k: &str, v: Value| {
        opts.insert(k.to_string(), v);
    };
    if args.local {
        set("file_client", "local".into());
        set("local", true.into());
    }
    if let Some(id) = &args.id {
        set("id", id.clone().into());
    }
    if let Some(dir) = &args.file_root {
        set("file_roots", serde_json::json!({"base": [dir]}));
    }
    if let Some(dir) = &args.pillar_root {
        set("pillar_roots", serde_json::json!({"base": [dir]}));
    }
    if let Some(dir) = &args.cachedir {
        set("cachedir", dir.clone().into());
    }
    if let Some(m) = &args.master {
        set("master", m.clone().into());
    }
    if args.no_return_event {
        set("no_return_event", true.into());
    }
    for (key, value) in [
        ("output", &args.output),
        ("log_level", &args.log_level),
        ("log_file", &args.log_file),
        ("log_level_logfile", &args.log_level_logfile),
        ("state_output", &args.state_output),
    ] {
        if let Some(v) = value {
            set(key, v.clone().into());
        }
    }
    if let Some(v) = &args.state_verbose {
        set(
            "state_verbose",
            halite_api::module::value_to_bool(&Value::from(v.clone())).into(),
        );
    }
    if let Some(i) = args.output_indent {
        set("output_indent", i.into());
    }
    if let Some(f) = &args.output_file {
        set("output_file", f.display().to_string().into());
    }
    if args.state_output_diff {
        set("state_output_diff", true.into());
    }
    set("retcode_passthrough", args.retcode_passthrough.into());
    set("print_metadata", args.print_metadata.into());
}

/// Detected grains, then the `grains` file next to the config file, then the
/// configured static `grains` (Salt's `loader.grains` order; merged deeply
/// only with `grains_deep_merge: True`).
pub fn grains(opts: &Map, skip_detection: bool) -> Value {
    let mut grains = detected_grains(opts, skip_detection);
    let deep = opts.get("grains_deep_merge") == Some(&Value::Bool(true));
    let mut update = |overlay: &Value| {
        if deep {
            merge_into(&mut grains, overlay);
        } else if let (Value::Object(base), Value::Object(top)) = (&mut grains, overlay) {
            base.extend(top.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    };
    if !skip_detection {
        if let Some(file_grains) = grains_file(opts) {
            update(&file_grains);
        }
    }
    if let Some(static_grains @ Value::Object(_)) = opts.get("grains") {
        update(static_grains);
    }
    grains
}

/// The `grains` file in the config file's directory (Salt's `extra.config`
/// grain); a file that is not a YAML mapping is skipped with Salt's warning.
fn grains_file(opts: &Map) -> Option<Value> {
    let conf_file = Path::new(opts.get("conf_file")?.as_str()?);
    let path = if conf_file.is_dir() {
        conf_file.join("grains")
    } else {
        conf_file.parent()?.join("grains")
    };
    let text = std::fs::read_to_string(&path).ok()?;
    match halite_render::yaml::load(&text) {
        Ok(v @ Value::Object(_)) => Some(v),
        Ok(Value::Null) => None,
        _ => {
            tracing::warn!("Bad syntax in grains file! Skipping.");
            None
        }
    }
}

/// What the minion detects about itself (halite-grains over the live host);
/// `--skip-grains` leaves only the id.
fn detected_grains(opts: &Map, skip: bool) -> Value {
    let id = opts.get("id").and_then(Value::as_str).unwrap_or("");
    if skip {
        return serde_json::json!({ "id": id });
    }
    Value::Object(halite_daemon::grains::detected(opts))
}

/// The registry of every built-in function (the daemon's, so `halite call`
/// and `halite minion` load the same functions).
pub fn registry() -> Registry {
    halite_daemon::build_registry()
}

/// Build a masterless run's context: `file_roots` for files, the pillar
/// compiled from `pillar_roots` (compile errors end up in `_errors`, as Salt
/// stores them).
pub fn build(opts: Map, grains: Value, registry: Registry) -> Ctx {
    let files: Arc<dyn FileClient> = Arc::new(LocalFileClient::for_file_roots(&opts));
    let mut ctx = assemble(opts, grains, registry, files);
    ctx.pillar = Arc::new(compile_pillar(&ctx));
    ctx
}

/// A context over `files` with an empty pillar (the caller sets it).
pub fn assemble(opts: Map, grains: Value, registry: Registry, files: Arc<dyn FileClient>) -> Ctx {
    let saltenv = opts
        .get("saltenv")
        .and_then(Value::as_str)
        .unwrap_or("base")
        .to_string();
    let test = opts
        .get("test")
        .is_some_and(halite_api::module::value_to_bool);
    Ctx {
        files,
        opts: Arc::new(opts),
        grains: Arc::new(grains),
        pillar: Arc::new(Value::Object(Map::new())),
        saltenv,
        test,
        runner: Arc::new(SystemRunner),
        templates: Arc::new(halite_render::Renderer),
        registry: Arc::new(registry),
        context: Default::default(),
        master: None,
        net: std::sync::Arc::new(halite_modules::sysnet::SystemNetwork),
    }
}

fn compile_pillar(ctx: &Ctx) -> Value {
    if ctx.opt("pillar_roots").is_none() {
        return Value::Object(Map::new());
    }
    let client = LocalFileClient::for_pillar_roots(&ctx.opts);
    // An empty pillarenv means none, as in the state functions' pillar.
    let pillarenv = ctx
        .opt("pillarenv")
        .and_then(Value::as_str)
        .filter(|env| !env.is_empty());
    let empty = Value::Object(Map::new());
    match halite_state::pillar::compile_pillar(ctx, &client, &empty, pillarenv) {
        Ok(p) => p,
        Err(errors) => {
            let errs: Vec<Value> = errors.into_iter().map(Value::from).collect();
            serde_json::json!({ "_errors": errs })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cli_overrides() {
        let args = CallArgs {
            local: true,
            id: Some("m1".into()),
            file_root: Some("/srv/x".into()),
            output_indent: Some(2),
            state_verbose: Some("False".into()),
            no_return_event: true,
            ..CallArgs::default()
        };
        let mut opts = Map::new();
        apply_cli_overrides(&mut opts, &args);
        assert_eq!(opts["file_client"], json!("local"));
        assert_eq!(opts["id"], json!("m1"));
        assert_eq!(opts["file_roots"], json!({"base": ["/srv/x"]}));
        assert_eq!(opts["output_indent"], json!(2));
        assert_eq!(opts["state_verbose"], json!(false));
        assert_eq!(opts["no_return_event"], json!(true));
    }

    #[test]
    fn grains_file_then_config_grains() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("grains"),
            "rack: r7\nroles: [db]\nnested: {a: 1}\n",
        )
        .unwrap();
        let conf_file = dir.path().join("minion").display().to_string();
        let opts = json!({"id": "m1", "conf_file": conf_file, "grains": {"roles": ["web"], "nested": {"b": 2}}});
        let g = grains(opts.as_object().unwrap(), false);
        assert_eq!(g["rack"], json!("r7"));
        assert_eq!(g["roles"], json!(["web"]));
        assert_eq!(g["nested"], json!({"b": 2}), "shallow by default");
        let mut deep = opts.as_object().unwrap().clone();
        deep.insert("grains_deep_merge".into(), json!(true));
        assert_eq!(grains(&deep, false)["nested"], json!({"a": 1, "b": 2}));
    }

    #[test]
    fn bad_grains_file_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("grains"), "- not\n- a map\n").unwrap();
        let opts = json!({"id": "m1", "conf_file": dir.path().join("minion")});
        assert!(grains_file(opts.as_object().unwrap()).is_none());
    }

    #[test]
    fn static_grains_win() {
        let opts = json!({"id": "m1", "grains": {"id": "x", "roles": ["web"]}});
        let g = grains(opts.as_object().unwrap(), true);
        assert_eq!(g["id"], json!("x"));
        assert_eq!(g["roles"], json!(["web"]));
    }
}
