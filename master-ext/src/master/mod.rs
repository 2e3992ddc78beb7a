//! Talking to the unmodified salt-master: the [`Master`] seam (start jobs
//! on minion IDs, run runner functions, look up job returns, follow the
//! event bus) and its salt-api implementation ([`saltapi::SaltApi`],
//! rest_cherrypy with eauth). Rollouts only see the trait, so their
//! logic is tested without a master.

pub mod saltapi;
pub mod sse;

use std::collections::HashMap;
use std::sync::mpsc::Receiver;

use halite_api::{Map, Value};

pub use sse::Event;

/// One node's answer to a job.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub ret: Value,
    pub retcode: Option<i64>,
}

/// A published job: its jid and the targets the master knows (accepted
/// keys); the others will never answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub jid: String,
    pub minions: Vec<String>,
}

impl Job {
    /// Targets the master did not publish to.
    pub fn unknown<'a>(&self, targets: &'a [String]) -> Vec<&'a String> {
        targets
            .iter()
            .filter(|t| !self.minions.contains(t))
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MasterError {
    #[error("salt-api {url}: {message}")]
    Http { url: String, message: String },
    #[error("salt-api login as {user} ({eauth}) refused: {message}")]
    Login {
        user: String,
        eauth: String,
        message: String,
    },
    #[error("salt-api {what}: unexpected answer {answer}")]
    Answer { what: String, answer: String },
}

/// What the controller needs of a master.
pub trait Master: Send + Sync {
    /// Publish `fun` to exactly these minion IDs (list target), under
    /// `jid` when given (the controller journals it first).
    fn start_job(
        &self,
        targets: &[String],
        fun: &str,
        args: &[Value],
        kwargs: &Map,
        jid: Option<&str>,
    ) -> Result<Job, MasterError>;
    /// Whether the master ever published `jid`.
    fn job_known(&self, jid: &str) -> Result<bool, MasterError>;
    /// Run a runner function on the master, its return.
    fn runner(&self, fun: &str, kwargs: &Map) -> Result<Value, MasterError>;
    /// The returns a job has so far, from the master's job cache.
    fn job_returns(&self, jid: &str) -> Result<HashMap<String, Answer>, MasterError>;
    /// Follow the event bus from now on (reconnecting as needed).
    fn events(&self) -> Result<Receiver<Event>, MasterError>;
}
