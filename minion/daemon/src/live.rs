//! The production [`Link`]: halite-transport's `MasterLink`, with its errors
//! sorted into what the job loop does about them.

use std::sync::Arc;
use std::time::Duration;

use halite_api::{Map, Value};
use halite_transport::{MasterLink, PillarRequest, TransportError};

use crate::link::{Link, LinkError};

/// `MasterLink` as a [`Link`].
pub struct LiveLink {
    pub master: Arc<MasterLink>,
    saltenv: Option<String>,
    pillarenv: Option<String>,
}

impl LiveLink {
    pub fn new(master: Arc<MasterLink>, opts: &Map) -> Self {
        let text = |k: &str| opts.get(k).and_then(Value::as_str).map(str::to_string);
        LiveLink {
            master,
            saltenv: text("saltenv"),
            pillarenv: text("pillarenv"),
        }
    }
}

/// Sort a transport error: key refusal and bad settings end the daemon,
/// everything else is a passing condition.
pub fn classify(err: TransportError) -> LinkError {
    match err {
        TransportError::Rejected { .. }
        | TransportError::AuthGaveUp { .. }
        | TransportError::Config { .. } => LinkError::Fatal(err.to_string()),
        TransportError::Proto(_) => LinkError::Garbage(err.to_string()),
        other => LinkError::Unavailable(other.to_string()),
    }
}

impl Link for LiveLink {
    fn next_publication(&self, timeout: Duration) -> Result<Option<Map>, LinkError> {
        match self.master.next_publication(timeout).map_err(classify)? {
            None => Ok(None),
            Some(Value::Object(load)) => Ok(Some(load)),
            Some(other) => Err(LinkError::Garbage(format!(
                "publication load is not a map: {}",
                type_name(&other)
            ))),
        }
    }

    fn send_return(&self, load: Map) -> Result<(), LinkError> {
        self.master
            .send_return(Value::Object(load))
            .map_err(|e| match classify(e) {
                LinkError::Garbage(why) => LinkError::Unavailable(why),
                other => other,
            })
    }

    fn fire_event(&self, tag: &str, data: Value) -> Result<(), LinkError> {
        self.master.fire_event(tag, &data).map_err(classify)
    }

    fn request(&self, mut load: Map) -> Result<Value, LinkError> {
        if !load.contains_key("id") {
            load.insert("id".into(), Value::from(self.master.id()));
        }
        self.master
            .request(Value::Object(load))
            .map_err(|e| match classify(e) {
                LinkError::Garbage(why) => LinkError::Unavailable(why),
                other => other,
            })
    }

    fn fetch_pillar(&self, grains: &Value) -> Result<Value, LinkError> {
        let req = PillarRequest {
            grains: grains.clone(),
            saltenv: self.saltenv.clone(),
            pillarenv: self.pillarenv.clone(),
            pillar_override: Map::new(),
            extra_minion_data: Map::new(),
        };
        self.master
            .request_pillar(&req)
            .map_err(|e| match classify(e) {
                LinkError::Garbage(why) => LinkError::Unavailable(why),
                other => other,
            })
    }

    fn take_reconnected(&self) -> bool {
        self.master.take_reconnected()
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "map",
    }
}
