//! The running minion: its state (opts, grains, pillar), the publication
//! handler (validate → target → dedupe → proc file → worker) and the job body
//! (call the function(s), send the return).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use halite_api::{CommandRunner, Ctx, FileClient, Map, Registry, TemplateRenderer, Value};

use crate::execute::{run_function, Outcome};
use crate::jid::gen_jid;
use crate::jobs::{JobRunner, JobState, JobTable};
use crate::link::{Link, LinkChannel, LinkError};
use crate::pool::Pool;
use crate::proc::ProcDir;
use crate::returns::{multi_return, schedule_return, single_return};
use crate::schedule::{Entry, ReturnJob};

/// What the targeting engine is asked.
pub struct TargetQuery<'a> {
    pub id: &'a str,
    pub grains: &'a Value,
    pub pillar: &'a Value,
    pub nodegroups: Option<&'a Map>,
    pub tgt: &'a Value,
    pub tgt_type: &'a str,
    pub delimiter: &'a str,
}

/// Decides whether a publication is for this minion (halite-target in production).
pub type Matcher = fn(&TargetQuery<'_>) -> Result<bool, String>;

/// The seams a job's `Ctx` is built from.
#[derive(Clone)]
pub struct Services {
    pub runner: Arc<dyn CommandRunner>,
    pub files: Arc<dyn FileClient>,
    pub templates: Arc<dyn TemplateRenderer>,
    pub registry: Arc<Registry>,
    pub matcher: Matcher,
}

/// Salt's `minion_jid_queue_hwm` default.
const JID_QUEUE_HWM: usize = 100;

thread_local! {
    static CURRENT_JID: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The jid of the job running on this thread (used by `saltutil.running`).
pub fn current_jid() -> Option<String> {
    CURRENT_JID.with(|c| c.borrow().clone())
}

/// One minion connected to one master.
pub struct Minion {
    pub id: String,
    pub opts: Arc<Map>,
    grains: RwLock<Arc<Value>>,
    /// Grains the running minion set itself (e.g. `ostree_health`): kept
    /// over a grains reload.
    runtime_grains: Mutex<Map>,
    pillar: RwLock<Arc<Value>>,
    pub link: Arc<dyn Link>,
    pub services: Services,
    pub procs: ProcDir,
    pub jobs: JobTable,
    pub pool: Pool,
    recent_jids: Mutex<VecDeque<String>>,
}

/// Functions that change the grains file: the running minion reloads its
/// grains after them, as Salt's do.
const GRAINS_WRITERS: &[&str] = &[
    "grains.setval",
    "grains.setvals",
    "grains.append",
    "grains.delval",
    "grains.delkey",
];

/// Whether a publication's `arg` carries `key=False` (`{"__kwarg__": true, key: false}`).
fn kwarg_false(arg: &Value, key: &str) -> bool {
    arg.as_array().into_iter().flatten().any(|a| {
        a.get("__kwarg__").is_some_and(halite_api::value::is_truthy)
            && a.get(key).is_some_and(|v| !halite_api::value::is_truthy(v))
    })
}

impl Minion {
    /// A minion with `grains` and an empty pillar (call [`Minion::refresh_pillar`]).
    pub fn new(opts: Map, grains: Value, link: Arc<dyn Link>, services: Services) -> Arc<Minion> {
        let id = opts
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let cachedir = opts
            .get("cachedir")
            .and_then(Value::as_str)
            .unwrap_or("/var/cache/salt/minion")
            .to_string();
        let max_jobs = Pool::bound_from_option(
            opts.get("process_count_max")
                .and_then(Value::as_i64)
                .unwrap_or(-1),
        );
        let minion = Arc::new(Minion {
            id,
            opts: Arc::new(opts),
            grains: RwLock::new(Arc::new(grains)),
            runtime_grains: Mutex::new(Map::new()),
            pillar: RwLock::new(Arc::new(Value::Object(Map::new()))),
            link,
            services,
            procs: ProcDir::new(std::path::Path::new(&cachedir)),
            jobs: JobTable::default(),
            pool: Pool::new(max_jobs),
            recent_jids: Mutex::new(VecDeque::new()),
        });
        crate::control::register(&minion);
        minion
    }

    pub fn grains(&self) -> Arc<Value> {
        Arc::clone(&self.grains.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Set one grain in the running minion (the master sees it at the next
    /// pillar refresh).
    pub fn set_grain(&self, key: &str, value: Value) {
        self.runtime_grains
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), value.clone());
        let mut guard = self.grains.write().unwrap_or_else(|e| e.into_inner());
        let mut grains = (**guard).clone();
        if let Value::Object(m) = &mut grains {
            m.insert(key.to_string(), value);
        }
        *guard = Arc::new(grains);
    }

    /// Grains read anew (detection, the grains file, the `grains` option,
    /// then what the minion set itself), as `saltutil.refresh_grains`.
    pub fn reload_grains(&self) -> Result<(), crate::DaemonError> {
        let conf_dir = halite_modules::exec::grains::grains_file(&self.opts)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let mut fresh = crate::grains::assemble(&self.opts, &conf_dir)?;
        if let Value::Object(m) = &mut fresh {
            for (k, v) in self
                .runtime_grains
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
            {
                m.insert(k.clone(), v.clone());
            }
        }
        *self.grains.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(())
    }

    /// Reload grains, then (as Salt) refresh the pillar, which also hands
    /// the new grains to the master for targeting.
    pub fn refresh_grains(&self, refresh_pillar: bool) -> bool {
        if let Err(e) = self.reload_grains() {
            tracing::error!("grains refresh failed: {e}");
            return false;
        }
        tracing::info!("grains refreshed");
        if refresh_pillar {
            if let Err(e) = self.refresh_pillar() {
                tracing::error!("pillar refresh after the grains refresh failed: {e}");
                return false;
            }
        }
        true
    }

    pub fn pillar(&self) -> Arc<Value> {
        Arc::clone(&self.pillar.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Fetch the pillar from the master and swap it in.
    pub fn refresh_pillar(&self) -> Result<(), LinkError> {
        let fresh = self.link.fetch_pillar(&self.grains())?;
        let fresh = if fresh.is_object() {
            fresh
        } else {
            Value::Object(Map::new())
        };
        *self.pillar.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(())
    }

    /// The `Ctx` for one job.
    pub fn ctx(&self, jid: &str) -> Ctx {
        let s = &self.services;
        Ctx {
            opts: Arc::clone(&self.opts),
            grains: self.grains(),
            pillar: self.pillar(),
            saltenv: self
                .opts
                .get("saltenv")
                .and_then(Value::as_str)
                .unwrap_or("base")
                .to_string(),
            test: self
                .opts
                .get("test")
                .is_some_and(halite_api::value::is_truthy),
            runner: Arc::new(JobRunner {
                inner: Arc::clone(&s.runner),
                jid: jid.to_string(),
            }),
            files: Arc::clone(&s.files),
            templates: Arc::clone(&s.templates),
            registry: Arc::clone(&s.registry),
            context: Default::default(),
            master: Some(Arc::new(LinkChannel(Arc::clone(&self.link)))),
            net: Arc::new(halite_modules::sysnet::SystemNetwork),
        }
    }

    /// Does this publication target us?
    pub fn is_targeted(&self, load: &Map) -> bool {
        let tgt_type = load
            .get("tgt_type")
            .and_then(Value::as_str)
            .unwrap_or("glob");
        let delimiter = load.get("delimiter").and_then(Value::as_str).unwrap_or(":");
        let (grains, pillar) = (self.grains(), self.pillar());
        let query = TargetQuery {
            id: &self.id,
            grains: &grains,
            pillar: &pillar,
            nodegroups: self.opts.get("nodegroups").and_then(Value::as_object),
            tgt: load.get("tgt").unwrap_or(&Value::Null),
            tgt_type,
            delimiter,
        };
        match (self.services.matcher)(&query) {
            Ok(yes) => yes,
            Err(reason) => {
                let jid = load.get("jid").map(Value::to_string).unwrap_or_default();
                tracing::warn!("ignoring job {jid}: {reason}");
                false
            }
        }
    }

    /// Remember `jid`; false if it was seen recently (duplicate publication).
    fn first_sighting(&self, jid: &str) -> bool {
        let mut recent = self.recent_jids.lock().unwrap_or_else(|e| e.into_inner());
        if recent.iter().any(|j| j == jid) {
            return false;
        }
        recent.push_back(jid.to_string());
        while recent.len() > JID_QUEUE_HWM {
            recent.pop_front();
        }
        true
    }

    /// Handle one decrypted publication; never blocks on the job itself.
    /// Returns true when a job was started.
    pub fn handle_publication(self: &Arc<Self>, mut load: Map) -> bool {
        let complete = ["tgt", "jid", "fun", "arg"]
            .iter()
            .all(|k| load.contains_key(*k));
        let Some(jid) = load.get("jid").and_then(jid_text) else {
            tracing::debug!("dropping publication without a usable jid");
            return false;
        };
        if !complete || !self.is_targeted(&load) || !self.first_sighting(&jid) {
            return false;
        }
        mark_minion_target(&mut load);
        self.launch(jid, load)
    }

    /// Start a job that was already accepted (targeting done).
    pub fn launch(self: &Arc<Self>, jid: String, load: Map) -> bool {
        let Some(state) = self.jobs.start(&jid) else {
            return false;
        };
        if let Err(e) = self.procs.write(&jid, std::process::id(), &load) {
            tracing::error!("cannot write proc file for job {jid}: {e}");
        }
        let fun = match load.get("fun") {
            Some(Value::String(f)) => f.clone(),
            Some(other) => halite_api::py::str_of(other),
            None => String::new(),
        };
        let user = load.get("user").and_then(Value::as_str).unwrap_or("root");
        tracing::info!("User {user} Executing command {fun} with jid {jid}");
        if tracing::enabled!(tracing::Level::DEBUG) {
            let details = halite_api::py::repr(&Value::Object(load.clone()));
            tracing::debug!("Command details {details}");
        }
        let me = Arc::clone(self);
        self.pool.submit(move || me.run_job(&jid, &load, &state));
        true
    }

    /// The body of one job, on a worker thread.
    fn run_job(&self, jid: &str, load: &Map, state: &JobState) {
        let started = std::time::Instant::now();
        CURRENT_JID.with(|c| *c.borrow_mut() = Some(jid.to_string()));
        if load
            .get("start_event")
            .is_some_and(halite_api::value::is_truthy)
        {
            self.fire_job_start(jid, load);
        }
        let ctx = self.ctx(jid);
        let ret = match load.get("fun") {
            Some(Value::Array(funs)) => {
                let funs: Vec<String> = funs
                    .iter()
                    .map(|f| f.as_str().unwrap_or_default().to_string())
                    .collect();
                let args = load
                    .get("arg")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let outcomes: Vec<Outcome> = funs
                    .iter()
                    .enumerate()
                    .map(|(i, f)| run_function(&ctx, f, args.get(i).unwrap_or(&Value::Null), load))
                    .collect();
                let ordered = self
                    .opts
                    .get("multifunc_ordered")
                    .is_some_and(halite_api::value::is_truthy);
                multi_return(&self.id, load, &funs, outcomes, ordered)
            }
            other => {
                let fun = other.and_then(Value::as_str).unwrap_or_default();
                let arg = load.get("arg").unwrap_or(&Value::Null);
                let outcome = run_function(&ctx, fun, arg, load);
                if outcome.success() && GRAINS_WRITERS.contains(&fun) {
                    // Salt's grains.set* call saltutil.refresh_grains before returning
                    self.refresh_grains(!kwarg_false(arg, "refresh_pillar"));
                }
                single_return(&self.id, load, outcome)
            }
        };
        CURRENT_JID.with(|c| *c.borrow_mut() = None);
        self.procs.remove(jid);
        self.jobs.finish(jid);
        if state.is_cancelled() {
            tracing::info!("job {jid} was killed; its return is dropped");
            return;
        }
        tracing::info!(
            "Returning information for job: {jid} (ran {} ms)",
            started.elapsed().as_millis()
        );
        self.send_with_retry(ret, jid);
    }

    fn send_with_retry(&self, load: Map, jid: &str) {
        let tries = self
            .opts
            .get("return_retry_tries")
            .and_then(Value::as_u64)
            .unwrap_or(5)
            .max(1);
        for attempt in 1..=tries {
            match self.link.send_return(load.clone()) {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!("return of job {jid} failed (try {attempt}/{tries}): {e}");
                    if matches!(e, LinkError::Fatal(_)) {
                        return;
                    }
                    std::thread::sleep(Duration::from_secs(2));
                }
            }
        }
        tracing::error!("the minion failed to return the job information for job {jid}");
    }

    fn fire_job_start(&self, jid: &str, load: &Map) {
        let mut data = Map::new();
        data.insert("id".into(), self.id.clone().into());
        for key in [
            "jid",
            "fun",
            "tgt",
            "tgt_type",
            "user",
            "master_id",
            "metadata",
        ] {
            if let Some(v) = load.get(key) {
                data.insert(key.into(), v.clone());
            }
        }
        let tag = format!("salt/job/{jid}/start/{}", self.id);
        if let Err(e) = self.link.fire_event(&tag, Value::Object(data)) {
            tracing::warn!("cannot fire {tag}: {e}");
        }
    }

    /// Receive and dispatch publications until `stop` is set or the link fails fatally.
    pub fn serve(
        self: &Arc<Self>,
        stop: &AtomicBool,
        mut tick: impl FnMut(),
    ) -> Result<(), LinkError> {
        while !stop.load(Ordering::SeqCst) {
            match self.link.next_publication(Duration::from_millis(500)) {
                Ok(Some(load)) => {
                    self.handle_publication(load);
                }
                Ok(None) => {}
                Err(LinkError::Garbage(why)) => tracing::warn!("dropped a publication: {why}"),
                Err(LinkError::Unavailable(why)) => {
                    tracing::warn!("master unavailable: {why}");
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(fatal @ LinkError::Fatal(_)) => return Err(fatal),
            }
            tick();
        }
        Ok(())
    }
}

impl Minion {
    /// Start a scheduled job unless `maxrunning` copies already run.
    pub fn run_scheduled(self: &Arc<Self>, entry: Entry) -> bool {
        let running = self
            .procs
            .all()
            .iter()
            .filter(|d| d.get("schedule").and_then(Value::as_str) == Some(entry.name.as_str()))
            .count();
        if running >= entry.maxrunning {
            tracing::warn!(
                "schedule job {} was not started, {running} already running",
                entry.name
            );
            return false;
        }
        let jid = gen_jid();
        let mut data = Map::new();
        data.insert("id".into(), self.id.clone().into());
        data.insert("fun".into(), entry.function.clone().into());
        data.insert("fun_args".into(), entry.fun_args());
        data.insert("schedule".into(), entry.name.clone().into());
        data.insert("jid".into(), jid.clone().into());
        if let Err(e) = self.procs.write(&jid, std::process::id(), &data) {
            tracing::error!(
                "cannot write proc file for scheduled job {}: {e}",
                entry.name
            );
        }
        let me = Arc::clone(self);
        self.pool
            .submit(move || me.scheduled_body(&jid, &entry, &data));
        true
    }

    fn scheduled_body(&self, jid: &str, entry: &Entry, data: &Map) {
        CURRENT_JID.with(|c| *c.borrow_mut() = Some(jid.to_string()));
        let outcome = run_function(&self.ctx(jid), &entry.function, &entry.arg_list(), data);
        CURRENT_JID.with(|c| *c.borrow_mut() = None);
        self.procs.remove(jid);
        if entry.return_job == ReturnJob::Off {
            return;
        }
        let nocache = entry.return_job == ReturnJob::NoCache;
        let load = schedule_return(
            &self.id,
            &entry.name,
            &entry.function,
            entry.fun_args(),
            outcome,
            nocache,
        );
        self.send_with_retry(load, jid);
    }

    /// Run `startup_states` (highstate / sls / top) once, returning with jid `req`.
    pub fn run_startup_states(self: &Arc<Self>) {
        let Some(kind) = self
            .opts
            .get("startup_states")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty())
        else {
            return;
        };
        let (fun, arg) = match kind {
            "sls" => (
                "state.sls",
                vec![self
                    .opts
                    .get("sls_list")
                    .cloned()
                    .unwrap_or(Value::Array(vec![]))],
            ),
            "top" => (
                "state.top",
                vec![self
                    .opts
                    .get("top_file")
                    .cloned()
                    .unwrap_or(Value::String(String::new()))],
            ),
            _ => ("state.highstate", vec![]),
        };
        let mut load = Map::new();
        load.insert("fun".into(), fun.into());
        load.insert("arg".into(), Value::Array(arg));
        load.insert("jid".into(), "req".into());
        load.insert(
            "ret".into(),
            self.opts
                .get("ext_job_cache")
                .cloned()
                .unwrap_or(Value::String(String::new())),
        );
        load.insert("tgt".into(), self.id.clone().into());
        load.insert("tgt_type".into(), "glob".into());
        tracing::info!("running startup_states: {fun}");
        self.launch("req".into(), load);
    }

    /// Fire `salt/minion/<id>/start` (and `minion_start` when legacy events are on).
    pub fn fire_start_events(&self) {
        let message = format!(
            "Minion {} started at {}",
            self.id,
            crate::jid::asctime_now()
        );
        let legacy = self
            .opts
            .get("enable_legacy_startup_events")
            .is_none_or(halite_api::value::is_truthy);
        let mut tags = vec![format!("salt/minion/{}/start", self.id)];
        if legacy {
            tags.insert(0, "minion_start".to_string());
        }
        for tag in tags {
            if let Err(e) = self.link.fire_event(&tag, Value::String(message.clone())) {
                tracing::warn!("cannot fire {tag}: {e}");
            }
        }
    }
}

/// A jid as text (Salt sends strings; tolerate numbers).
fn jid_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What a 3008 minion adds to a publication it matched (`Minion._target_load`):
/// Halite manages no resources, so there are none to target and the minion
/// itself is the target. Functions that see `__pub_*` keys show these.
fn mark_minion_target(load: &mut Map) {
    load.insert("resource_targets".into(), Value::Array(Vec::new()));
    load.insert("pure_resource_target".into(), Value::Bool(false));
    load.insert("minion_is_target".into(), Value::Bool(true));
}
