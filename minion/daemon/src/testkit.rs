//! Test doubles: an in-memory [`Link`], an empty file client and template
//! renderer, and a `Ctx` over a given set of functions.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use halite_api::{Ctx, ExecSpec, Map, Registry, SystemRunner, Value};

use crate::link::{Link, LinkError};

/// A master in memory: publications are queued by the test, returns and
/// events are recorded.
#[derive(Default)]
pub struct FakeLink {
    pubs: Mutex<VecDeque<Result<Map, LinkError>>>,
    pub returns: Mutex<Vec<Map>>,
    returned: Condvar,
    pub events: Mutex<Vec<(String, Value)>>,
    pub pillar: Mutex<Value>,
    pub pillar_fetches: Mutex<usize>,
    /// Loads sent with [`Link::request`]; each is answered `true`.
    pub requests: Mutex<Vec<Map>>,
}

impl FakeLink {
    pub fn publish(&self, load: Value) {
        self.pubs
            .lock()
            .unwrap()
            .push_back(Ok(load.as_object().cloned().expect("publication is a map")));
    }
    pub fn publish_error(&self, err: LinkError) {
        self.pubs.lock().unwrap().push_back(Err(err));
    }
    /// Wait until `n` returns were sent (or `limit` passes) and give them.
    pub fn wait_returns(&self, n: usize, limit: Duration) -> Vec<Map> {
        let guard = self.returns.lock().unwrap();
        let (guard, _) = self
            .returned
            .wait_timeout_while(guard, limit, |r| r.len() < n)
            .unwrap();
        guard.clone()
    }
}

impl Link for FakeLink {
    fn next_publication(&self, timeout: Duration) -> Result<Option<Map>, LinkError> {
        match self.pubs.lock().unwrap().pop_front() {
            Some(r) => r.map(Some),
            None => {
                std::thread::sleep(timeout.min(Duration::from_millis(20)));
                Ok(None)
            }
        }
    }
    fn send_return(&self, load: Map) -> Result<(), LinkError> {
        self.returns.lock().unwrap().push(load);
        self.returned.notify_all();
        Ok(())
    }
    fn fire_event(&self, tag: &str, data: Value) -> Result<(), LinkError> {
        self.events.lock().unwrap().push((tag.to_string(), data));
        Ok(())
    }
    fn request(&self, load: Map) -> Result<Value, LinkError> {
        self.requests.lock().unwrap().push(load);
        Ok(Value::Bool(true))
    }
    fn fetch_pillar(&self, _grains: &Value) -> Result<Value, LinkError> {
        *self.pillar_fetches.lock().unwrap() += 1;
        Ok(self.pillar.lock().unwrap().clone())
    }
}

pub use halite_api::{NoFiles, VerbatimTemplates};

/// A `Ctx` whose registry holds `specs` and this crate's `saltutil.*`, with
/// a cachedir that does not exist (so no job is running).
pub fn ctx_with(specs: &[ExecSpec]) -> Ctx {
    let mut reg = Registry::new();
    reg.add_exec(specs);
    crate::saltutil::register(&mut reg);
    let cachedir = std::env::temp_dir().join(format!("halite-daemon-none-{}", std::process::id()));
    let mut opts = Map::new();
    opts.insert(
        "cachedir".into(),
        cachedir.to_string_lossy().into_owned().into(),
    );
    Ctx {
        opts: Arc::new(opts),
        grains: Arc::new(Value::Object(Map::new())),
        pillar: Arc::new(Value::Object(Map::new())),
        saltenv: "base".into(),
        test: false,
        runner: Arc::new(SystemRunner),
        files: Arc::new(NoFiles),
        templates: Arc::new(VerbatimTemplates),
        registry: Arc::new(reg),
        context: Default::default(),
        master: None,
        net: std::sync::Arc::new(halite_api::NoNetwork),
    }
}
