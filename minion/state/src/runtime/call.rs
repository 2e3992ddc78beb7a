//! Calling one state function for a chunk (Salt's `State.call`): data checks,
//! onlyif/unless/creates, the function or its `mod_watch`, check_cmd, result
//! bookkeeping (`__run_num__`, `start_time`, `duration`) and retry.

use std::time::Instant;

use halite_api::{Ctx, Map, StateCall, StateFn, StateReturn, Value};

use super::{time, Runner};
use crate::high::{truthy, REQUISITE_KEYWORDS};
use crate::py::py_str;

/// Engine keywords never passed to state functions (Salt's STATE_INTERNAL_KEYWORDS,
/// minus those real state functions take: runas, runas_password, saltenv, umask).
const ENGINE_KEYWORDS: &[&str] = &[
    "fun",
    "state",
    "check_cmd",
    "cmd_opts_exclude",
    "failhard",
    "onlyif",
    "unless",
    "creates",
    "retry",
    "order",
    "parallel",
    "prereq",
    "prereq_in",
    "reload_modules",
    "reload_grains",
    "reload_pillar",
    "no_log",
    "fire_event",
    "use",
    "use_in",
    "onchanges_in",
    "onfail_in",
    "watch_in",
    "require_in",
    "listen_in",
    "name_order",
];

fn py_type_name(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
        Value::Null => "NoneType",
        Value::String(_) => "str",
    }
}

/// Keys the runtime adds to a finished return (`__sls__`, `__run_num__`,
/// `start_time`, `duration`, `__id__`): reserved up front so the map is
/// allocated once at its final size.
const RUNTIME_RESULT_KEYS: usize = 5;

/// Convert a module's return into Salt's ret dict.
pub fn return_to_map(r: StateReturn) -> Map {
    let mut m = Map::with_capacity(4 + r.extra.len() + RUNTIME_RESULT_KEYS);
    m.insert("name".into(), r.name.into());
    m.insert("changes".into(), Value::Object(r.changes));
    m.insert(
        "result".into(),
        r.result.map(Value::Bool).unwrap_or(Value::Null),
    );
    m.insert("comment".into(), r.comment.into());
    for (k, v) in r.extra {
        m.insert(k, v);
    }
    m
}

impl Runner {
    fn resolve(&self, low: &Map) -> Option<StateFn> {
        let s = |k: &str| low.get(k).map(py_str).unwrap_or_default();
        let (module, fun) = (s("state"), s("fun"));
        let reg = &self.ctx.registry;
        if fun != "mod_watch" {
            return reg.state(&format!("{module}.{fun}")).map(|spec| spec.run);
        }
        if let Some(spec) = reg.state(&format!("{module}.mod_watch")) {
            return Some(spec.run);
        }
        if let Some(w) = reg
            .state(&format!("{module}.{}", s("sfun")))
            .and_then(|spec| spec.mod_watch)
        {
            return Some(w);
        }
        let prefix = format!("{module}.");
        reg.state_names()
            .filter(|n| n.starts_with(&prefix))
            .find_map(|n| reg.state(n).and_then(|spec| spec.mod_watch))
    }

    fn verify_data(&self, low: &mut Map) -> Vec<String> {
        let mut errors = Vec::new();
        for (key, msg) in [
            ("state", "Missing \"state\" data"),
            ("fun", "Missing \"fun\" data"),
            ("name", "Missing \"name\" data"),
        ] {
            if !low.contains_key(key) {
                errors.push(msg.to_string());
            }
        }
        if let Some(name) = low.get("name").filter(|n| truthy(n) && !n.is_string()) {
            let sls = low
                .get("__sls__")
                .map(|s| format!("in SLS '{}' ", py_str(s)))
                .unwrap_or_default();
            errors.push(format!(
                "ID '{}' {sls}is not formed as a string, but is a {}",
                py_str(name),
                py_type_name(name)
            ));
        }
        if let Some(umask) = low.get("umask").cloned() {
            if i64::from_str_radix(&py_str(&umask), 8).is_err() {
                errors.push(format!("Invalid umask: {}", py_str(&umask)));
            }
        }
        if !errors.is_empty() {
            return errors;
        }
        if self.resolve(low).is_none() {
            let full = format!("{}.{}", py_str(&low["state"]), py_str(&low["fun"]));
            match low.get("__sls__") {
                Some(sls) => {
                    errors.push(format!(
                        "State '{full}' was not found in SLS '{}'",
                        py_str(sls)
                    ));
                    errors.push(format!("Reason: '{full}' is not available."));
                }
                None => errors.push(format!("Specified state '{full}' was not found")),
            }
            // Salt's words above; then, for a state Salt has, that Halite lacks it
            errors.extend(halite_api::salt_names::not_yet(
                halite_api::salt_names::Kind::State,
                &full,
            ));
        }
        errors
    }

    fn has_state(&self, low: &Map, fun: &str) -> bool {
        let module = low.get("state").map(py_str).unwrap_or_default();
        self.ctx
            .registry
            .state(&format!("{module}.{fun}"))
            .is_some()
    }

    fn module_handles_check_cmd(low: &Map) -> bool {
        low.get("state").and_then(Value::as_str) == Some("file")
            && low.get("fun").and_then(Value::as_str) == Some("managed")
    }

    /// The arguments handed to the state function, plus the whole chunk as
    /// `__low__` (Salt's `__low__` dunder, read by e.g. `file.accumulated`).
    fn function_args(&self, low: &Map) -> Map {
        let own_checks = self.has_state(low, "mod_run_check");
        let own_check_cmd = Self::module_handles_check_cmd(low);
        let mut args: Map = low
            .iter()
            .filter(|(k, _)| {
                let k = k.as_str();
                if k.starts_with("__") || REQUISITE_KEYWORDS.contains(&k) {
                    return false;
                }
                if own_checks && matches!(k, "onlyif" | "unless" | "creates") {
                    return true;
                }
                if own_check_cmd && k == "check_cmd" {
                    return true;
                }
                !ENGINE_KEYWORDS.contains(&k)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        args.insert("__low__".into(), Value::Object(low.clone()));
        args
    }

    fn invoke(&self, low: &Map, test: bool) -> Map {
        let Some(func) = self.resolve(low) else {
            return return_to_map(StateReturn::fail(
                py_str(&low["name"]),
                "state function not found",
            ));
        };
        let mut ctx: Ctx = self.ctx.clone();
        ctx.test = test;
        if let Some(env) = low
            .get("saltenv")
            .or_else(|| low.get("__env__"))
            .and_then(Value::as_str)
        {
            ctx.saltenv = env.to_string();
        }
        let call = StateCall {
            ctx: &ctx,
            name: py_str(&low["name"]),
            args: self.function_args(low),
            test,
        };
        return_to_map(func(&call))
    }

    /// Call the chunk's state function; `idx` is the chunk whose prereq flag to clear.
    pub(super) fn call(&mut self, mut low: Map, idx: Option<usize>, retries: i64) -> Map {
        let started = Instant::now();
        let start_time = time::local_time_of_day();
        let errors = self.verify_data(&mut low);
        if !errors.is_empty() {
            let mut ret = Map::new();
            ret.insert("result".into(), false.into());
            ret.insert(
                "name".into(),
                low.get("name").cloned().unwrap_or(Value::Null),
            );
            ret.insert("changes".into(), Value::Object(Map::new()));
            ret.insert(
                "comment".into(),
                errors
                    .iter()
                    .map(|e| format!("{e}\n"))
                    .collect::<String>()
                    .into(),
            );
            ret.insert("__run_num__".into(), self.next_run_num().into());
            return ret;
        }
        let prereq = low.get("__prereq__").is_some_and(truthy);
        let test = self.ctx.test || prereq;
        let shown = py_str(&low["name"]);
        tracing::info!("Running state [{shown}] at time {start_time}");
        let mut ret = Map::new();
        ret.insert("result".into(), false.into());
        ret.insert("name".into(), low["name"].clone());
        ret.insert("changes".into(), Value::Object(Map::new()));
        let has_checks = ["unless", "onlyif", "creates"]
            .iter()
            .any(|k| low.contains_key(*k));
        if has_checks && !self.has_state(&low, "mod_run_check") {
            for (k, v) in self.run_check(&low) {
                ret.insert(k, v);
            }
        }
        if ret.get("result") == Some(&Value::Bool(false)) {
            tracing::info!(
                "Executing state {}.{} for [{shown}]",
                py_str(&low["state"]),
                py_str(&low["fun"])
            );
            ret = self.invoke(&low, test);
            if !prereq && low.get("parallel").is_some_and(truthy) {
                ret.insert("__parallel__".into(), true.into());
            }
        }
        if low.contains_key("check_cmd") && !Self::module_handles_check_cmd(&low) {
            for (k, v) in self.run_check_cmd(&low) {
                ret.insert(k, v);
            }
        }
        unify(&mut ret);
        if prereq {
            if let Some(i) = idx {
                self.graph.chunks[i].insert("__prereq__".into(), false.into());
            }
            return ret;
        }
        ret.insert(
            "__sls__".into(),
            low.get("__sls__").cloned().unwrap_or(Value::Null),
        );
        ret.insert("__run_num__".into(), self.next_run_num().into());
        ret.insert("start_time".into(), start_time.into());
        let duration = time::millis_since(started);
        log_outcome(&ret);
        tracing::info!(
            "Completed state [{shown}] at time {} (duration_in_ms={duration})",
            time::local_time_of_day()
        );
        ret.insert("duration".into(), duration.into());
        ret.insert(
            "__id__".into(),
            low.get("__id__").cloned().unwrap_or(Value::Null),
        );
        if low.contains_key("retry") && !low.contains_key("parallel") {
            ret = self.retry(low, idx, retries, ret);
        }
        ret
    }
}

/// The state's comment at INFO (ERROR when it failed), changes at INFO, as
/// Salt's `format_log`.
fn log_outcome(ret: &Map) {
    let comment = ret.get("comment").map(py_str).unwrap_or_default();
    match ret.get("result") {
        Some(Value::Bool(false)) => tracing::error!("{comment}"),
        _ => tracing::info!("{comment}"),
    }
    if let Some(changes) = ret.get("changes").and_then(Value::as_object) {
        if !changes.is_empty() {
            tracing::info!(
                "Made the following changes:\n{}",
                py_str(&halite_api::Value::Object(changes.clone()))
            );
        }
    }
}

/// Comments given as lists are joined with newlines; results are bools or null.
fn unify(ret: &mut Map) {
    if let Some(Value::Array(parts)) = ret.get("comment") {
        let joined = parts.iter().map(py_str).collect::<Vec<_>>().join("\n");
        ret.insert("comment".into(), joined.into());
    }
    if let Some(r) = ret.get("result").cloned() {
        if !r.is_null() {
            ret.insert("result".into(), truthy(&r).into());
        }
    }
}
