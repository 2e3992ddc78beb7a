//! The context handed to every module function: configuration, grains, pillar and
//! the OS seams. Cloning is cheap (everything heavy is behind `Arc`).

use std::sync::Arc;

use crate::files::FileClient;
use crate::master::{MasterChannel, MasterError};
use crate::module::{ExecError, ExecOutput, Registry};
use crate::net::Network;
use crate::runner::CommandRunner;
use crate::value::{Map, Value};

/// Renders a template text (file.managed `template: jinja`, cmd.script ...).
pub trait TemplateRenderer: Send + Sync {
    /// Render `text` with `engine` (e.g. "jinja"); `context` adds variables on top of
    /// Salt's standard ones (salt, grains, pillar, opts, saltenv). `source` names the
    /// template in error messages.
    fn render_template(
        &self,
        ctx: &Ctx,
        engine: &str,
        text: &str,
        context: &Map,
        source: &str,
    ) -> Result<String, String>;
}

/// A renderer that returns templates unrendered: for contexts without a
/// template engine, such as module tests.
pub struct VerbatimTemplates;

impl TemplateRenderer for VerbatimTemplates {
    fn render_template(
        &self,
        _: &Ctx,
        _: &str,
        text: &str,
        _: &Map,
        _: &str,
    ) -> Result<String, String> {
        Ok(text.to_string())
    }
}

/// Calls an execution function by name (what templates see as `salt['mod.fun']`).
pub trait SaltCaller: Send + Sync {
    fn call(
        &self,
        ctx: &Ctx,
        fun: &str,
        args: Vec<Value>,
        kwargs: Map,
    ) -> Result<ExecOutput, ExecError>;
}

impl SaltCaller for Registry {
    fn call(
        &self,
        ctx: &Ctx,
        fun: &str,
        args: Vec<Value>,
        kwargs: Map,
    ) -> Result<ExecOutput, ExecError> {
        self.call_exec(ctx, fun, args, kwargs)
    }
}

/// Everything a module function may use.
#[derive(Clone)]
pub struct Ctx {
    /// Minion options (config file plus defaults, Salt's `__opts__`).
    pub opts: Arc<Map>,
    pub grains: Arc<Value>,
    pub pillar: Arc<Value>,
    /// The saltenv of the current run (`base` by default).
    pub saltenv: String,
    /// `test=True` for this run.
    pub test: bool,
    pub runner: Arc<dyn CommandRunner>,
    pub files: Arc<dyn FileClient>,
    pub templates: Arc<dyn TemplateRenderer>,
    pub registry: Arc<Registry>,
    /// Salt's `__context__`: scratch space shared by the functions of one
    /// job or one `salt-call` run, dropped with it (e.g. pkg's once-per-run
    /// database refresh).
    pub context: RunContext,
    /// The request channel to the master; `None` in a masterless run.
    pub master: Option<Arc<dyn MasterChannel>>,
    /// Lookups, TCP checks and HTTP (`dns_check`, `http_query`, `http.query`).
    pub net: Arc<dyn Network>,
}

/// Per-run scratch data (see [`Ctx::context`]).
pub type RunContext = Arc<std::sync::Mutex<Map>>;

/// The [`RunContext`] key of a requested exit.
const SYSTEM_EXIT: &str = "__halite_system_exit__";

/// Ask the run to end as Salt's SaltSystemExit ends salt-call (its message
/// on stderr, exit 1, no output), e.g. `dns_check` of a name that does not
/// resolve; the first request wins. The failing code still returns its
/// error; `halite call` checks [`take_system_exit`] after the call.
pub fn request_system_exit(context: &RunContext, msg: &str) {
    let mut map = context
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    map.entry(SYSTEM_EXIT).or_insert_with(|| msg.into());
}

/// Whether an exit was requested (the state runtime then runs no further
/// state, as Salt's run ends there).
pub fn system_exit_requested(context: &RunContext) -> bool {
    let map = context
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    map.contains_key(SYSTEM_EXIT)
}

/// The message of a requested exit, if one was requested (and clears it).
pub fn take_system_exit(context: &RunContext) -> Option<String> {
    let mut map = context
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match map.shift_remove(SYSTEM_EXIT) {
        Some(Value::String(msg)) => Some(msg),
        _ => None,
    }
}

impl Ctx {
    /// Call an execution function through the registry.
    pub fn call(&self, fun: &str, args: Vec<Value>, kwargs: Map) -> Result<ExecOutput, ExecError> {
        self.registry.call_exec(self, fun, args, kwargs)
    }

    /// Send `load` to this run's master ([`MasterError::NotConnected`] in
    /// a run without one).
    pub fn request_master(&self, load: Map) -> Result<Value, MasterError> {
        match &self.master {
            Some(master) => master.request(load),
            None => Err(MasterError::NotConnected),
        }
    }

    /// An option value from `opts`.
    pub fn opt(&self, key: &str) -> Option<&Value> {
        self.opts.get(key)
    }

    /// The minion id.
    pub fn minion_id(&self) -> &str {
        self.opts.get("id").and_then(Value::as_str).unwrap_or("")
    }

    /// The cache directory (`cachedir` option).
    pub fn cachedir(&self) -> std::path::PathBuf {
        let dir = self
            .opts
            .get("cachedir")
            .and_then(Value::as_str)
            .unwrap_or("/var/cache/salt/minion");
        std::path::PathBuf::from(dir)
    }
}
