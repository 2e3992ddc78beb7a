//! Execution and state function signatures, their returns, and the registry the
//! loader builds from every module crate's `register` function.

use std::collections::BTreeMap;

use crate::ctx::Ctx;
use crate::value::{Map, Value};

/// Arguments of one execution-function call, as Salt parsed them
/// (positional args, and `key=value` pairs moved into `kwargs`).
pub struct ExecCall<'a> {
    pub ctx: &'a Ctx,
    pub args: Vec<Value>,
    pub kwargs: Map,
}

impl ExecCall<'_> {
    /// Positional argument `idx`, else keyword `key`.
    pub fn arg(&self, idx: usize, key: &str) -> Option<&Value> {
        self.args.get(idx).or_else(|| self.kwargs.get(key))
    }
    /// Like [`Self::arg`] as a string (numbers and bools are rendered as Python would).
    pub fn arg_str(&self, idx: usize, key: &str) -> Option<String> {
        self.arg(idx, key).map(value_to_arg_string)
    }
    /// A keyword argument as bool with a default (accepts Salt's truthy spellings).
    pub fn kwarg_bool(&self, key: &str, default: bool) -> bool {
        self.kwargs.get(key).map(value_to_bool).unwrap_or(default)
    }
}

/// Python `str()` of a value used as a command argument.
pub fn value_to_arg_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// Salt's `is_true`: bools, non-zero numbers, "true"/"yes"/"1" strings.
pub fn value_to_bool(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => matches!(s.to_ascii_lowercase().as_str(), "true" | "yes" | "1" | "on"),
        _ => false,
    }
}

/// Salt's TypeError messages (wrong arity / unknown keyword) are shown as
/// "Passed invalid arguments"; other invocation errors exit like SystemExit.
pub fn is_signature_error(msg: &str) -> bool {
    [
        "required positional argument",
        "unexpected keyword argument",
        "positional argument but",
        "positional arguments but",
    ]
    .iter()
    .any(|m| msg.contains(m))
}

/// The Python TypeError text salt-call shows for an argument-count problem:
/// Salt's own texts pass through, and halite-modules' `Missing required
/// argument: 'x'` becomes `fun() missing 1 required positional argument: 'x'`.
pub fn signature_message(fun: &str, msg: &str) -> Option<String> {
    if is_signature_error(msg) {
        return Some(msg.to_string());
    }
    let arg = msg.strip_prefix("Missing required argument: ")?;
    let name = fun.rsplit('.').next().unwrap_or(fun);
    let name = if name == "apply" { "apply_" } else { name };
    Some(format!(
        "{name}() missing 1 required positional argument: {arg}"
    ))
}

/// A successful execution-function result.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecOutput {
    pub ret: Value,
    /// Salt's `__context__["retcode"]` (0 unless the function set one).
    pub retcode: i32,
}

impl From<Value> for ExecOutput {
    fn from(ret: Value) -> Self {
        ExecOutput { ret, retcode: 0 }
    }
}

/// Why an execution function did not produce a value.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ExecError {
    /// The function is not in the registry: `'x.y' is not available.`
    #[error("'{0}' is not available.")]
    NotAvailable(String),
    /// Bad arguments (Salt's SaltInvocationError).
    #[error("{0}")]
    Invocation(String),
    /// The function failed (Salt's CommandExecutionError).
    #[error("{0}")]
    Failed(String),
}

pub type ExecFn = fn(&ExecCall<'_>) -> Result<ExecOutput, ExecError>;

/// One execution function.
#[derive(Clone, Copy)]
pub struct ExecSpec {
    /// `module.function`, e.g. `cmd.run`.
    pub name: &'static str,
    /// First line shown by `sys.doc`.
    pub doc: &'static str,
    pub run: ExecFn,
}

/// One state function call: the chunk's arguments with Salt's runtime and
/// requisite keywords removed (`name` is always present in `args`); the
/// state runtime also passes the whole chunk as `args["__low__"]` (Salt's
/// `__low__`).
pub struct StateCall<'a> {
    pub ctx: &'a Ctx,
    pub name: String,
    pub args: Map,
    /// `test=True` for this chunk.
    pub test: bool,
}

impl StateCall<'_> {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.args.get(key).filter(|v| !v.is_null())
    }
    pub fn get_str(&self, key: &str) -> Option<String> {
        self.get(key).map(value_to_arg_string)
    }
    pub fn get_bool(&self, key: &str, default: bool) -> bool {
        self.get(key).map(value_to_bool).unwrap_or(default)
    }
}

/// The result of one state function call (Salt's ret dict).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StateReturn {
    pub name: String,
    /// `None` in test mode when changes would be made.
    pub result: Option<bool>,
    pub changes: Map,
    pub comment: String,
    /// Further keys some states add (e.g. `warnings`).
    pub extra: Map,
}

impl StateReturn {
    pub fn new(name: impl Into<String>) -> Self {
        StateReturn {
            name: name.into(),
            result: Some(true),
            ..Default::default()
        }
    }
    pub fn ok(name: impl Into<String>, comment: impl Into<String>) -> Self {
        StateReturn {
            comment: comment.into(),
            ..Self::new(name)
        }
    }
    pub fn fail(name: impl Into<String>, comment: impl Into<String>) -> Self {
        StateReturn {
            result: Some(false),
            comment: comment.into(),
            ..Self::new(name)
        }
    }
}

pub type StateFn = fn(&StateCall<'_>) -> StateReturn;

/// One state function, e.g. `file.managed`.
#[derive(Clone, Copy)]
pub struct StateSpec {
    /// `module.function`.
    pub name: &'static str,
    pub run: StateFn,
    /// The module's `mod_watch`, used when a `watch` requisite fired.
    pub mod_watch: Option<StateFn>,
}

/// All loaded functions, keyed by `module.function`.
#[derive(Default)]
pub struct Registry {
    exec: BTreeMap<&'static str, ExecSpec>,
    states: BTreeMap<&'static str, StateSpec>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add execution functions; a name registered twice panics (caught by tests).
    pub fn add_exec(&mut self, specs: &[ExecSpec]) {
        for s in specs {
            assert!(
                self.exec.insert(s.name, *s).is_none(),
                "duplicate exec function {}",
                s.name
            );
        }
    }

    /// Add state functions; a name registered twice panics (caught by tests).
    pub fn add_states(&mut self, specs: &[StateSpec]) {
        for s in specs {
            assert!(
                self.states.insert(s.name, *s).is_none(),
                "duplicate state function {}",
                s.name
            );
        }
    }

    pub fn exec(&self, name: &str) -> Option<&ExecSpec> {
        self.exec.get(name)
    }

    pub fn state(&self, name: &str) -> Option<&StateSpec> {
        self.states.get(name)
    }

    /// Sorted `module.function` names of execution functions.
    pub fn exec_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.exec.keys().copied()
    }

    /// Sorted `module.function` names of state functions.
    pub fn state_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.states.keys().copied()
    }

    /// Run an execution function.
    pub fn call_exec(
        &self,
        ctx: &Ctx,
        fun: &str,
        args: Vec<Value>,
        kwargs: Map,
    ) -> Result<ExecOutput, ExecError> {
        let spec = self
            .exec(fun)
            .ok_or_else(|| ExecError::NotAvailable(fun.to_string()))?;
        (spec.run)(&ExecCall { ctx, args, kwargs })
    }
}

/// Functions that receive the `__pub_*` publication keys (`__pub_jid`,
/// `__pub_fun`, ...) among their keyword arguments. Salt passes them to
/// every function with `**kwargs`; Halite's functions declare no argspec,
/// so only those where the keys are visible get them: the `test` echoes,
/// and `event.send`, which puts its kwargs into the event's data. The
/// daemon (from the publication) and `halite call` (salt-call's own keys)
/// both read this list.
pub const PUB_KWARG_FUNCTIONS: &[&str] = &["test.arg", "test.arg_repr", "test.kwarg", "event.send"];
