//! salt-api (rest_cherrypy) as the controller's master: eauth login (the
//! token renewed when the API refuses it), lowstate POSTs for `local_async`
//! and `runner` calls, `jobs.lookup_jid` for returns, and the `/events`
//! stream on a thread of its own, reconnected when it drops.

use std::collections::HashMap;
use std::io::BufReader;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::Mutex;
use std::time::Duration;

use halite_api::{Map, Value};
use serde_json::json;
use ureq::Agent;

use super::sse::{Event, SseReader};
use super::{Answer, Job, Master, MasterError};

/// Where and who.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// `http://127.0.0.1:8000` (no trailing slash).
    pub url: String,
    pub user: String,
    pub password: String,
    /// The master's eauth backend (`pam`, `file`, `sharedsecret`, ...).
    pub eauth: String,
}

/// How long one `/events` connection is used before it is replaced.
const STREAM_LIFETIME: Duration = Duration::from_secs(600);

pub struct SaltApi {
    cfg: ApiConfig,
    agent: Agent,
    token: Mutex<Option<String>>,
}

impl SaltApi {
    /// Log in once (so bad credentials fail at once).
    pub fn connect(cfg: ApiConfig) -> Result<SaltApi, MasterError> {
        let agent: Agent = Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .build()
            .into();
        let api = SaltApi {
            cfg,
            agent,
            token: Mutex::new(None),
        };
        api.login()?;
        Ok(api)
    }

    fn http_err(&self, path: &str, e: impl std::fmt::Display) -> MasterError {
        MasterError::Http {
            url: format!("{}{path}", self.cfg.url),
            message: e.to_string(),
        }
    }

    fn login(&self) -> Result<String, MasterError> {
        let body = json!({
            "username": self.cfg.user,
            "password": self.cfg.password,
            "eauth": self.cfg.eauth,
        });
        let mut resp = self
            .agent
            .post(format!("{}/login", self.cfg.url))
            .header("Accept", "application/json")
            .send_json(&body)
            .map_err(|e| self.http_err("/login", e))?;
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        if status != 200 {
            return Err(MasterError::Login {
                user: self.cfg.user.clone(),
                eauth: self.cfg.eauth.clone(),
                message: format!("HTTP {status}: {}", first_line(&text)),
            });
        }
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let token = v["return"][0]["token"]
            .as_str()
            .ok_or_else(|| MasterError::Answer {
                what: "/login".into(),
                answer: first_line(&text),
            })?
            .to_string();
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
        Ok(token)
    }

    fn token(&self) -> Result<String, MasterError> {
        let held = self.token.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match held {
            Some(t) => Ok(t),
            None => self.login(),
        }
    }

    /// POST one lowstate chunk; `return[0]` of the answer. A 401 (token
    /// expired, the API restarted) logs in again once.
    fn lowstate(&self, chunk: Value) -> Result<Value, MasterError> {
        for attempt in 0..2 {
            let token = self.token()?;
            let mut resp = self
                .agent
                .post(format!("{}/", self.cfg.url))
                .header("Accept", "application/json")
                .header("X-Auth-Token", &token)
                .send_json(json!([chunk]))
                .map_err(|e| self.http_err("/", e))?;
            let status = resp.status().as_u16();
            let text = resp.body_mut().read_to_string().unwrap_or_default();
            if status == 401 && attempt == 0 {
                *self.token.lock().unwrap_or_else(|e| e.into_inner()) = None;
                continue;
            }
            if status != 200 {
                return Err(self.http_err("/", format!("HTTP {status}: {}", first_line(&text))));
            }
            let v: Value = serde_json::from_str(&text).map_err(|_| MasterError::Answer {
                what: format!("{} {}", chunk["client"], chunk["fun"]),
                answer: first_line(&text),
            })?;
            return Ok(v["return"][0].clone());
        }
        Err(self.http_err("/", "unauthorized after a fresh login"))
    }

    /// Follow `/events`, forwarding to `tx` until the receiver is gone;
    /// `connected` hears of each (re)connection. salt-api sends nothing on
    /// an idle stream, so a half-open connection cannot be told from a
    /// quiet bus: each connection is replaced after [`STREAM_LIFETIME`].
    fn follow_events(cfg: ApiConfig, tx: Sender<Event>, connected: SyncSender<()>) {
        let agent: Agent = Agent::config_builder()
            .timeout_global(Some(STREAM_LIFETIME))
            .http_status_as_error(false)
            .build()
            .into();
        let api = SaltApi {
            cfg,
            agent: agent.clone(),
            token: Mutex::new(None),
        };
        loop {
            match api.stream_once(&agent, &tx, &connected) {
                Ok(true) => return,
                Ok(false) => tracing::info!("salt-api event stream ended; reconnecting"),
                Err(e) => {
                    tracing::warn!("salt-api event stream: {e}; reconnecting");
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        }
    }

    /// One connection's worth of events; `Ok(true)` when the receiver is gone.
    fn stream_once(
        &self,
        agent: &Agent,
        tx: &Sender<Event>,
        connected: &SyncSender<()>,
    ) -> Result<bool, MasterError> {
        let token = self.login()?;
        let resp = agent
            .get(format!("{}/events", self.cfg.url))
            .header("Accept", "text/event-stream")
            .header("X-Auth-Token", &token)
            .call()
            .map_err(|e| self.http_err("/events", e))?;
        if resp.status().as_u16() != 200 {
            return Err(self.http_err("/events", format!("HTTP {}", resp.status())));
        }
        let _ = connected.try_send(());
        let mut reader = SseReader::new(BufReader::new(resp.into_body().into_reader()));
        loop {
            match reader.next_event() {
                Ok(Some(ev)) => {
                    if tx.send(ev).is_err() {
                        return Ok(true);
                    }
                }
                Ok(None) => return Ok(false),
                // the connection's lifetime is up (or it broke): a new one
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return Ok(false),
                Err(e) => return Err(self.http_err("/events", e)),
            }
        }
    }
}

/// What an answer says, short: CherryPy's HTML error pages (401, 400) put
/// the message in `<p>...</p>`; JSON and text answers give their first line.
fn first_line(text: &str) -> String {
    if let Some(start) = text.find("<p>") {
        let rest = &text[start + 3..];
        let end = rest.find("</p>").unwrap_or(rest.len());
        return rest[..end].trim().chars().take(300).collect();
    }
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    line.chars().take(300).collect()
}

impl Master for SaltApi {
    fn start_job(
        &self,
        targets: &[String],
        fun: &str,
        args: &[Value],
        kwargs: &Map,
        jid: Option<&str>,
    ) -> Result<Job, MasterError> {
        let mut chunk = json!({
            "client": "local_async",
            "tgt": targets,
            "tgt_type": "list",
            "fun": fun,
            "arg": args,
            "kwarg": kwargs,
        });
        if let Some(jid) = jid {
            chunk["jid"] = jid.into();
        }
        let ret = self.lowstate(chunk)?;
        // no minion matched: `{}`, no jid, nothing published
        if ret.as_object().is_some_and(|m| m.is_empty()) {
            return Ok(Job {
                jid: String::new(),
                minions: Vec::new(),
            });
        }
        let jid = ret["jid"].as_str().ok_or_else(|| MasterError::Answer {
            what: format!("local_async {fun}"),
            answer: ret.to_string(),
        })?;
        let minions = ret["minions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Job {
            jid: jid.to_string(),
            minions,
        })
    }

    fn runner(&self, fun: &str, kwargs: &Map) -> Result<Value, MasterError> {
        let mut chunk = json!({"client": "runner", "fun": fun});
        for (k, v) in kwargs {
            chunk[k] = v.clone();
        }
        self.lowstate(chunk)
    }

    /// `jobs.list_job`'s `Result` (`{id: {return, retcode, success}}`):
    /// unlike `jobs.lookup_jid` it keeps the retcode and never wraps the
    /// returns in `{outputter, data}` (which lookup_jid does for state runs).
    fn job_returns(&self, jid: &str) -> Result<HashMap<String, Answer>, MasterError> {
        let ret = self.lowstate(json!({"client": "runner", "fun": "jobs.list_job", "jid": jid}))?;
        let results = ret.get("Result").and_then(Value::as_object);
        Ok(results
            .into_iter()
            .flatten()
            .map(|(id, r)| {
                let answer = Answer {
                    ret: r.get("return").cloned().unwrap_or(Value::Null),
                    retcode: r.get("retcode").and_then(Value::as_i64),
                };
                (id.clone(), answer)
            })
            .collect())
    }

    fn job_known(&self, jid: &str) -> Result<bool, MasterError> {
        let ret = self.lowstate(json!({"client": "runner", "fun": "jobs.list_job", "jid": jid}))?;
        Ok(ret
            .get("Function")
            .is_some_and(|f| !f.is_null() && f != "unknown-function"))
    }

    /// Returns once the stream is connected (events from then on are
    /// seen), or after 15 s with a warning.
    fn events(&self) -> Result<Receiver<Event>, MasterError> {
        let (tx, rx) = channel();
        let (ctx, crx) = sync_channel(1);
        let cfg = self.cfg.clone();
        std::thread::Builder::new()
            .name("salt-api-events".into())
            .spawn(move || SaltApi::follow_events(cfg, tx, ctx))
            .map_err(|e| self.http_err("/events", e))?;
        if crx.recv_timeout(Duration::from_secs(15)).is_err() {
            tracing::warn!("salt-api's event stream is not connected yet; going on");
        }
        Ok(rx)
    }
}

#[cfg(test)]
mod tests {
    use super::first_line;

    #[test]
    fn error_pages_say_their_paragraph() {
        let page = "<!DOCTYPE html PUBLIC\n\"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n<h2>401 Unauthorized</h2>\n        <p>Could not authenticate using provided credentials</p>\n";
        assert_eq!(
            first_line(page),
            "Could not authenticate using provided credentials"
        );
        assert_eq!(
            first_line("{\"status\": 500, \"return\": \"An unexpected error occurred\"}"),
            "{\"status\": 500, \"return\": \"An unexpected error occurred\"}"
        );
    }
}
