//! The `mine` execution module: function results stored where other minions
//! can read them. Through a master the data goes to the master's mine
//! (`_mine`, `_mine_get`, `_mine_delete`, `_mine_flush` over the request
//! channel, [`halite_api::MasterChannel`]); masterless (`file_client: local`)
//! it lives in the datastore's `mine_cache`, as Salt's mine module keeps it.
//!
//! One difference: Salt 3008's minion hands `_mine` loads to its own event
//! bus and returns True before the master has them; Halite sends them itself
//! and returns False (logged) when the master did not take them.

use halite_api::{Ctx, ExecCall, ExecError, ExecSpec, Map, MasterError, Value};
use halite_target::MatchContext;

use super::{data, ok, reject_unknown_kwargs, required_str, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "mine.update",
        doc: "Call the configured functions and send the data back up to the master.",
        run: update,
    },
    ExecSpec {
        name: "mine.send",
        doc: "Send a specific function and its result to the salt mine.",
        run: send,
    },
    ExecSpec {
        name: "mine.get",
        doc: "Get data from the mine.",
        run: get,
    },
    ExecSpec {
        name: "mine.delete",
        doc: "Remove specific function contents of minion.",
        run: delete,
    },
    ExecSpec {
        name: "mine.flush",
        doc: "Remove all mine contents of minion.",
        run: flush,
    },
    ExecSpec {
        name: "mine.valid",
        doc: "List valid entries in mine configuration.",
        run: valid,
    },
];

/// Salt's `MINE_ITEM_ACL_ID` / `MINE_ITEM_ACL_DATA` markers.
const ACL_ID: &str = "__saltmine_acl__";
const ACL_DATA: &str = "__data__";
/// The datastore key of the masterless mine.
const CACHE_KEY: &str = "mine_cache";

/// True when the mine lives in the local datastore.
fn is_local(ctx: &Ctx) -> bool {
    ctx.opt("file_client").and_then(Value::as_str) == Some("local")
        || ctx.opt("local").is_some_and(halite_api::value::is_truthy)
}

/// One `mine_functions` entry, as Salt's `parse_function_definition` reads it.
#[derive(Debug, Default, PartialEq)]
struct Definition {
    function: Option<String>,
    args: Vec<Value>,
    kwargs: Map,
    allow_tgt: Option<Value>,
    allow_tgt_type: Option<Value>,
}

fn parse_definition(def: &Value) -> Definition {
    let mut out = Definition::default();
    match def {
        Value::Object(m) => out.kwargs = m.clone(),
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(m) => out.kwargs.extend(m.clone()),
                    other => out.args.push(other.clone()),
                }
            }
        }
        _ => {}
    }
    out.function = out
        .kwargs
        .remove("mine_function")
        .map(|v| halite_api::module::value_to_arg_string(&v));
    let truthy = |v: Option<Value>| v.filter(halite_api::value::is_truthy);
    out.allow_tgt = truthy(out.kwargs.remove("allow_tgt"));
    out.allow_tgt_type = truthy(out.kwargs.remove("allow_tgt_type"));
    out
}

/// Salt's `wrap_acl_structure`.
fn wrap_acl(data: Value, allow_tgt: Option<Value>, allow_tgt_type: Option<Value>) -> Value {
    let mut m = Map::new();
    m.insert(ACL_DATA.into(), data);
    m.insert(ACL_ID.into(), Value::from(1));
    if let Some(tgt) = allow_tgt {
        m.insert("allow_tgt".into(), tgt);
        if let Some(kind) = allow_tgt_type {
            m.insert("allow_tgt_type".into(), kind);
        }
    }
    Value::Object(m)
}

/// The merged `mine_functions` (opts, then the master's, then pillar), or
/// `None` when nothing is configured. A list names functions without arguments.
fn configured(ctx: &Ctx) -> Option<Map> {
    match super::config::merged(ctx, "mine_functions") {
        Some(Value::Object(m)) if !m.is_empty() => Some(m),
        Some(Value::Array(a)) if !a.is_empty() => Some(functions_of_list(&a)),
        _ => None,
    }
}

fn functions_of_list(names: &[Value]) -> Map {
    names
        .iter()
        .map(|n| {
            (
                halite_api::module::value_to_arg_string(n),
                Value::Object(Map::new()),
            )
        })
        .collect()
}

/// Run one mine function; a missing or failing function is logged and skipped.
fn run_function(
    ctx: &Ctx,
    fun: &str,
    args: Vec<Value>,
    kwargs: Map,
    caller: &str,
) -> Option<Value> {
    if ctx.registry.exec(fun).is_none() {
        tracing::error!("Function {fun} in mine_functions not available");
        return None;
    }
    match ctx.call(fun, args, kwargs) {
        Ok(out) => Some(out.ret),
        Err(err) => {
            tracing::error!("Function {fun} in {caller} failed to execute");
            tracing::debug!("Error: {err}");
            None
        }
    }
}

fn update(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["clear", "mine_functions"])?;
    let clear = call
        .arg(0, "clear")
        .is_some_and(halite_api::value::is_truthy);
    let functions = match call.arg(1, "mine_functions") {
        None | Some(Value::Null) => configured(call.ctx),
        Some(v) if !halite_api::value::is_truthy(v) => configured(call.ctx),
        Some(Value::Array(a)) => Some(functions_of_list(a)),
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => None,
    };
    let Some(functions) = functions else {
        return ok(Value::Null);
    };
    let mut mine_data = Map::new();
    for (alias, def) in &functions {
        let def = parse_definition(def);
        let fun = def.function.clone().unwrap_or_else(|| alias.clone());
        let Some(res) = run_function(call.ctx, &fun, def.args, def.kwargs, "mine.update") else {
            continue;
        };
        let entry = if def.allow_tgt.is_some() {
            wrap_acl(res, def.allow_tgt, def.allow_tgt_type)
        } else {
            res
        };
        mine_data.insert(alias.clone(), entry);
    }
    store(call.ctx, mine_data, clear)
}

fn send(call: &ExecCall<'_>) -> ExecResult {
    let name = required_str(call, 0, "name")?;
    let mut kwargs: Map = call
        .kwargs
        .iter()
        .filter(|(k, _)| !k.starts_with("__"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let fun = kwargs
        .remove("mine_function")
        .map(|v| halite_api::module::value_to_arg_string(&v))
        .unwrap_or_else(|| name.clone());
    let allow_tgt = kwargs
        .remove("allow_tgt")
        .filter(halite_api::value::is_truthy);
    let allow_tgt_type = kwargs
        .remove("allow_tgt_type")
        .filter(halite_api::value::is_truthy);
    let args = call.args.iter().skip(1).cloned().collect();
    let Some(res) = run_function(call.ctx, &fun, args, kwargs, "mine.send") else {
        return ok(false);
    };
    let entry = if allow_tgt.is_some() {
        wrap_acl(res, allow_tgt, allow_tgt_type)
    } else {
        res
    };
    store(call.ctx, Map::from_iter([(name, entry)]), false)
}

/// Salt's `_mine_store`: into the local cache, or to the master.
fn store(ctx: &Ctx, mine_data: Map, clear: bool) -> ExecResult {
    if is_local(ctx) {
        let mut store = data::load(ctx);
        let mut cache = match store.get(CACHE_KEY) {
            Some(Value::Object(old)) if !clear => old.clone(),
            _ => Map::new(),
        };
        cache.extend(mine_data);
        store.insert(CACHE_KEY.into(), Value::Object(cache));
        data::dump(ctx, &store)?;
        return ok(true);
    }
    let load = Map::from_iter([
        ("cmd".to_string(), Value::from("_mine")),
        ("data".to_string(), Value::Object(mine_data)),
        ("id".to_string(), Value::from(ctx.minion_id())),
        ("clear".to_string(), Value::Bool(clear)),
    ]);
    ok(to_master(ctx, load, "_mine").is_some())
}

/// Send a load to the master; `None` (logged) when it did not answer.
fn to_master(ctx: &Ctx, load: Map, what: &str) -> Option<Value> {
    match ctx.request_master(load) {
        Ok(reply) => Some(reply),
        Err(MasterError::NotConnected) => {
            tracing::error!("{what}: no master connection; the mine request was not sent");
            None
        }
        Err(err) => {
            tracing::error!("{what}: {err}");
            None
        }
    }
}

/// The functions a `fun` argument names, and whether the answer is keyed by function.
fn requested_functions(fun: &Value) -> Option<(Vec<String>, bool)> {
    match fun {
        Value::String(s) => {
            let mut names: Vec<String> = Vec::new();
            for part in s.split(',') {
                if !names.iter().any(|n| n == part) {
                    names.push(part.to_string());
                }
            }
            let keyed = names.len() > 1;
            Some((names, keyed))
        }
        Value::Array(a) => Some((
            a.iter()
                .map(halite_api::module::value_to_arg_string)
                .collect(),
            true,
        )),
        _ => None,
    }
}

fn get(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["tgt", "fun", "tgt_type", "exclude_minion"])?;
    let tgt = call.arg(0, "tgt").cloned().ok_or_else(|| missing("tgt"))?;
    let fun = call.arg(1, "fun").cloned().ok_or_else(|| missing("fun"))?;
    let tgt_type = call.arg_str(2, "tgt_type").unwrap_or_else(|| "glob".into());
    let exclude = call
        .arg(3, "exclude_minion")
        .is_some_and(halite_api::value::is_truthy);
    if is_local(call.ctx) {
        return ok(Value::Object(local_get(call.ctx, &tgt, &fun, &tgt_type)?));
    }
    let load = Map::from_iter([
        ("cmd".to_string(), Value::from("_mine_get")),
        ("id".to_string(), Value::from(call.ctx.minion_id())),
        ("tgt".to_string(), tgt),
        ("fun".to_string(), fun),
        ("tgt_type".to_string(), Value::from(tgt_type)),
    ]);
    let mut reply = call
        .ctx
        .request_master(load)
        .map_err(|e| ExecError::Failed(format!("mine.get: {e}")))?;
    if let (true, Value::Object(m)) = (exclude, &mut reply) {
        m.remove(call.ctx.minion_id());
    }
    ok(reply)
}

/// The masterless `mine.get`: this minion's own cache, if it matches `tgt`.
fn local_get(ctx: &Ctx, tgt: &Value, fun: &Value, tgt_type: &str) -> Result<Map, ExecError> {
    let mut ret = Map::new();
    let nodegroups = ctx.opt("nodegroups").and_then(Value::as_object);
    let me = MatchContext {
        id: ctx.minion_id(),
        grains: &ctx.grains,
        pillar: &ctx.pillar,
        nodegroups,
    };
    if ![
        "glob",
        "pcre",
        "list",
        "grain",
        "grain_pcre",
        "ipcidr",
        "compound",
        "pillar",
        "pillar_pcre",
    ]
    .contains(&tgt_type)
    {
        return Err(ExecError::Failed(format!("KeyError: '{tgt_type}'")));
    }
    if !halite_target::matches(&me, tgt, tgt_type, ":").unwrap_or(false) {
        return Ok(ret);
    }
    let Some(Value::Object(cache)) = data::load(ctx).remove(CACHE_KEY) else {
        return Ok(ret);
    };
    let Some((functions, keyed)) = requested_functions(fun) else {
        return Ok(ret);
    };
    let id = ctx.minion_id().to_string();
    for function in functions {
        let Some(entry) = cache.get(&function) else {
            continue;
        };
        let res = match entry {
            Value::Object(m) if m.contains_key(ACL_ID) => {
                m.get(ACL_DATA).cloned().unwrap_or(Value::Null)
            }
            other => other.clone(),
        };
        if keyed {
            let slot = ret
                .entry(function)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(per_minion) = slot {
                per_minion.insert(id.clone(), res);
            }
        } else {
            ret.insert(id.clone(), res);
        }
    }
    Ok(ret)
}

fn delete(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["fun"])?;
    let fun = required_str(call, 0, "fun")?;
    if is_local(call.ctx) {
        let mut store = data::load(call.ctx);
        if let Some(Value::Object(cache)) = store.get_mut(CACHE_KEY) {
            cache.remove(&fun);
        }
        data::dump(call.ctx, &store)?;
        return ok(true);
    }
    let load = Map::from_iter([
        ("cmd".to_string(), Value::from("_mine_delete")),
        ("id".to_string(), Value::from(call.ctx.minion_id())),
        ("fun".to_string(), Value::from(fun)),
    ]);
    ok(to_master(call.ctx, load, "_mine_delete").is_some())
}

fn flush(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    if is_local(call.ctx) {
        let mut store = data::load(call.ctx);
        store.insert(CACHE_KEY.into(), Value::Object(Map::new()));
        data::dump(call.ctx, &store)?;
        return ok(true);
    }
    let load = Map::from_iter([
        ("cmd".to_string(), Value::from("_mine_flush")),
        ("id".to_string(), Value::from(call.ctx.minion_id())),
    ]);
    ok(to_master(call.ctx, load, "_mine_flush").is_some())
}

fn valid(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    let Some(functions) = configured(call.ctx) else {
        return ok(Value::Null);
    };
    let mut out = Map::new();
    for (alias, raw) in &functions {
        let def = parse_definition(raw);
        let fun = def.function.clone().unwrap_or_else(|| alias.clone());
        if call.ctx.registry.exec(&fun).is_none() {
            tracing::error!("Function {fun} in mine_functions not available");
            continue;
        }
        let shown = match (&def.function, raw) {
            (Some(name), _) => {
                let mut list = def.args.clone();
                list.extend(
                    def.kwargs
                        .iter()
                        .map(|(k, v)| Value::Object(Map::from_iter([(k.clone(), v.clone())]))),
                );
                Value::Object(Map::from_iter([(name.clone(), Value::Array(list))]))
            }
            // Salt pops the ACL keys out of a dict definition in place.
            (None, Value::Object(_)) => Value::Object(def.kwargs.clone()),
            (None, other) => other.clone(),
        };
        out.insert(alias.clone(), shown);
    }
    ok(Value::Object(out))
}

fn missing(arg: &str) -> ExecError {
    ExecError::Invocation(format!("Missing required argument: '{arg}'"))
}

#[cfg(test)]
mod tests;
