//! Global state arguments evaluated by the engine: onlyif, unless, creates,
//! check_cmd and retry (Salt's `_run_check*` and the retry part of `call`).

use halite_api::{Map, Value};

use super::Runner;
use crate::high::truthy;
use crate::py::py_str;

const CMD_ARGS: &[&str] = &[
    "cwd",
    "root",
    "runas",
    "env",
    "prepend_path",
    "umask",
    "timeout",
    "success_retcodes",
];

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

fn base_ret(low: &Map) -> Map {
    let mut ret = Map::new();
    ret.insert("result".into(), false.into());
    for key in ["__sls__", "__id__", "name"] {
        ret.insert(key.into(), low.get(key).cloned().unwrap_or(Value::Null));
    }
    ret
}

fn set(ret: &mut Map, comment: &str, result: bool, skip_watch: bool) {
    ret.insert("comment".into(), comment.into());
    ret.insert("result".into(), result.into());
    if skip_watch {
        ret.insert("skip_watch".into(), true.into());
    }
}

/// The outcome of one check item.
enum Probe {
    Retcode(i64),
    Value(bool),
}

impl Runner {
    fn shell_opts(&self, low: &Map, exclude: &[String]) -> Map {
        let mut opts = Map::new();
        for arg in CMD_ARGS {
            if !exclude.iter().any(|e| e == arg) {
                if let Some(v) = low.get(*arg).filter(|v| !v.is_null()) {
                    opts.insert((*arg).into(), v.clone());
                }
            }
        }
        let grain_shell = self.ctx.grains.get("shell").cloned();
        match low.get("shell") {
            Some(s) if !exclude.iter().any(|e| e == "shell") => {
                opts.insert("shell".into(), s.clone());
            }
            _ => {
                if let Some(s) = grain_shell {
                    opts.insert("shell".into(), s);
                }
            }
        }
        opts
    }

    fn retcode(&self, cmd: &str, opts: &Map) -> Option<i64> {
        let mut kwargs = opts.clone();
        kwargs.insert("ignore_retcode".into(), true.into());
        kwargs.insert("python_shell".into(), true.into());
        let out = self
            .ctx
            .call("cmd.retcode", vec![Value::String(cmd.into())], kwargs)
            .ok()?;
        Some(
            out.ret
                .as_i64()
                .unwrap_or(if truthy(&out.ret) { 1 } else { 0 }),
        )
    }

    fn probe_function(&self, entry: &Map) -> Probe {
        let mut entry = entry.clone();
        let fun = entry
            .shift_remove("fun")
            .map(|v| py_str(&v))
            .unwrap_or_default();
        let args = entry
            .shift_remove("args")
            .map(|v| as_list(&v))
            .unwrap_or_default();
        let get_return = entry.shift_remove("get_return");
        match self.ctx.call(&fun, args, entry) {
            Ok(out) if out.retcode != 0 => Probe::Retcode(out.retcode as i64),
            Ok(out) => {
                let result = match get_return {
                    Some(path) => halite_api::value::traverse(&out.ret, &py_str(&path), ":")
                        .cloned()
                        .unwrap_or(Value::Null),
                    None => out.ret,
                };
                Probe::Value(truthy(&result))
            }
            Err(_) => Probe::Value(false),
        }
    }

    fn check_onlyif(&self, low: &Map, opts: &Map) -> Map {
        let mut ret = base_ret(low);
        for entry in as_list(&low["onlyif"]) {
            let code = match &entry {
                Value::String(cmd) => Probe::Retcode(self.retcode(cmd, opts).unwrap_or(100)),
                Value::Object(m) if !m.contains_key("fun") => {
                    ret.insert(
                        "comment".into(),
                        format!(
                            "no `fun` argument in onlyif: {}",
                            crate::py::py_repr(&entry)
                        )
                        .into(),
                    );
                    return ret;
                }
                Value::Object(m) => self.probe_function(m),
                _ => {
                    set(
                        &mut ret,
                        "onlyif execution failed, bad type passed",
                        false,
                        false,
                    );
                    return ret;
                }
            };
            let ok = match code {
                Probe::Retcode(c) => c == 0,
                Probe::Value(v) => v,
            };
            if !ok {
                set(&mut ret, "onlyif condition is false", true, true);
                return ret;
            }
            set(&mut ret, "onlyif condition is true", false, false);
        }
        ret
    }

    fn check_unless(&self, low: &Map, opts: &Map) -> Map {
        let mut ret = base_ret(low);
        for entry in as_list(&low["unless"]) {
            let code = match &entry {
                Value::String(cmd) => Probe::Retcode(self.retcode(cmd, opts).unwrap_or(0)),
                Value::Object(m) if !m.contains_key("fun") => {
                    ret.insert(
                        "comment".into(),
                        format!(
                            "no `fun` argument in unless: {}",
                            crate::py::py_repr(&entry)
                        )
                        .into(),
                    );
                    return ret;
                }
                Value::Object(m) => self.probe_function(m),
                _ => {
                    set(
                        &mut ret,
                        "unless condition is false, bad type passed",
                        false,
                        false,
                    );
                    continue;
                }
            };
            let skip = match code {
                Probe::Retcode(c) => c == 0,
                Probe::Value(v) => v,
            };
            if skip {
                set(&mut ret, "unless condition is true", true, true);
            } else {
                ret.shift_remove("skip_watch");
                set(&mut ret, "unless condition is false", false, false);
                return ret;
            }
        }
        ret
    }

    fn check_creates(low: &Map) -> Map {
        let mut ret = base_ret(low);
        let exists = |v: &Value| v.as_str().is_some_and(|p| std::path::Path::new(p).exists());
        match &low["creates"] {
            Value::String(p) if exists(&low["creates"]) => {
                set(&mut ret, &format!("{p} exists"), true, true)
            }
            Value::Array(a) if a.iter().all(exists) => {
                set(&mut ret, "All files in creates exist", true, true)
            }
            _ => set(&mut ret, "Creates files not found", false, false),
        }
        ret
    }

    /// onlyif / unless / creates; `result: true` means "skip the state".
    pub(super) fn run_check(&self, low: &Map) -> Map {
        let mut ret = base_ret(low);
        let mut comments = Vec::new();
        let exclude: Vec<String> = low
            .get("cmd_opts_exclude")
            .map(as_list)
            .unwrap_or_default()
            .iter()
            .map(py_str)
            .collect();
        let opts = self.shell_opts(low, &exclude);
        let mut result = false;
        let mut skip_watch = false;
        let parts = [
            low.contains_key("onlyif")
                .then(|| self.check_onlyif(low, &opts)),
            low.contains_key("unless")
                .then(|| self.check_unless(low, &opts)),
            low.contains_key("creates")
                .then(|| Self::check_creates(low)),
        ];
        for part in parts.into_iter().flatten() {
            result = result || part.get("result").is_some_and(truthy);
            comments.push(part.get("comment").cloned().unwrap_or(Value::Null));
            skip_watch = skip_watch || part.get("skip_watch").is_some_and(truthy);
        }
        ret.insert("result".into(), result.into());
        ret.insert("comment".into(), Value::Array(comments));
        if skip_watch {
            ret.insert("skip_watch".into(), true.into());
        }
        ret
    }

    /// check_cmd: re-decide the result from commands run after the state.
    pub(super) fn run_check_cmd(&self, low: &Map) -> Map {
        let mut ret = base_ret(low);
        let mut opts = Map::new();
        if let Some(s) = self.ctx.grains.get("shell") {
            opts.insert("shell".into(), s.clone());
        }
        for entry in as_list(&low["check_cmd"]) {
            let code = self.retcode(&py_str(&entry), &opts).unwrap_or(1);
            if code == 0 && ret.get("result") == Some(&Value::Bool(false)) {
                set(
                    &mut ret,
                    "check_cmd determined the state succeeded",
                    true,
                    false,
                );
            } else if code != 0 {
                set(
                    &mut ret,
                    "check_cmd determined the state failed",
                    false,
                    false,
                );
                return ret;
            }
        }
        ret
    }

    /// Re-run the state until its result matches `until` (or attempts run out).
    pub(super) fn retry(
        &mut self,
        low: Map,
        idx: Option<usize>,
        retries: i64,
        mut ret: Map,
    ) -> Map {
        let cfg = RetryConfig::from_value(&low["retry"]);
        if self.ctx.test {
            let c = ret
                .get("comment")
                .filter(|c| truthy(c))
                .map(py_str)
                .unwrap_or_default();
            let extra = format!(
                "The state would be retried every {} seconds (with a splay of up to {} seconds) a maximum of {} times or until a result of {} is returned",
                cfg.interval,
                cfg.splay,
                cfg.attempts,
                if cfg.until { "True" } else { "False" }
            );
            ret.insert("comment".into(), format!("{c}  {extra}").into());
            return ret;
        }
        let result = ret.get("result").cloned().unwrap_or(Value::Null);
        if result == Value::Bool(cfg.until) || cfg.attempts <= retries {
            return ret;
        }
        let interval = cfg.interval + splay(cfg.splay);
        std::thread::sleep(std::time::Duration::from_secs(interval.max(0) as u64));
        let orig = ret;
        let mut ret = self.call(low, idx, retries + 1);
        let shown = match &result {
            Value::Null => "None".to_string(),
            other => py_str(other),
        };
        let c = ret
            .get("comment")
            .filter(|c| truthy(c))
            .map(py_str)
            .unwrap_or_default();
        let oc = orig.get("comment").map(py_str).unwrap_or_default();
        ret.insert(
            "comment".into(),
            format!("Attempt {retries}: Returned a result of \"{shown}\", with the following comment: \"{oc}\"\n{c}").into(),
        );
        let d = |m: &Map| m.get("duration").and_then(Value::as_f64).unwrap_or(0.0);
        let total = d(&ret) + d(&orig) + (interval as f64) * 1000.0;
        ret.insert("duration".into(), total.into());
        if retries == 1 {
            ret.insert(
                "start_time".into(),
                orig.get("start_time").cloned().unwrap_or(Value::Null),
            );
        }
        ret
    }
}

fn splay(max: i64) -> i64 {
    if max <= 0 {
        return 0;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    i64::from(nanos) % (max + 1)
}

/// Validated `retry` settings (Salt's `verify_retry_data`).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryConfig {
    pub until: bool,
    pub attempts: i64,
    pub splay: i64,
    pub interval: i64,
}

impl RetryConfig {
    const DEFAULT: RetryConfig = RetryConfig {
        until: true,
        attempts: 2,
        splay: 0,
        interval: 30,
    };

    pub fn from_value(v: &Value) -> Self {
        let d = Self::DEFAULT;
        match v {
            Value::Object(m) => {
                let int = |k: &str, def: i64| {
                    m.get(k)
                        .and_then(|v| if v.is_i64() { v.as_i64() } else { None })
                        .unwrap_or(def)
                };
                RetryConfig {
                    until: m.get("until").and_then(Value::as_bool).unwrap_or(d.until),
                    attempts: int("attempts", d.attempts),
                    splay: int("splay", d.splay),
                    interval: int("interval", d.interval),
                }
            }
            Value::Bool(false) => RetryConfig { attempts: 0, ..d },
            _ => d,
        }
    }
}
