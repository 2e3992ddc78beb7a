//! [`MasterLink`]: one authenticated connection to a salt-master (request
//! channel + publish channel), safe to share between threads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use halite_api::{Map, Value};
use halite_proto::auth::{self, AuthContext, AuthOutcome, Credentials};
use halite_proto::request::{self, Reply, RequestContext};
use halite_proto::{loads, private, publish, wire, Crypticle, MasterKey, MinionKeys, ProtoError};
use rmpv::Value as Mp;

use crate::error::TransportError;
use crate::recovery::{AuthParts, Recovery};
use crate::reqchan::RequestPool;
use crate::settings::LinkSettings;
use crate::sockets::random_between;
use crate::subscriber::Subscriber;

/// Keys from the last successful `_auth`.
pub(crate) struct Session {
    aes: Crypticle,
    session: Crypticle,
    master: MasterKey,
    generation: u64,
}

/// An authenticated link to the master. All methods block; share it with `Arc`.
pub struct MasterLink {
    settings: LinkSettings,
    keys: Arc<MinionKeys>,
    ctx: zmq::Context,
    token: String,
    state: RwLock<Arc<Session>>,
    auth_lock: Mutex<()>,
    pool: RequestPool,
    sub: Mutex<Subscriber>,
    /// The publish port connected to (configured, or announced by the master).
    publish_port: u16,
    reconnected: AtomicBool,
    /// Authenticating again after the publish connection dropped.
    recovery: Mutex<Option<Recovery>>,
}

impl MasterLink {
    /// Load/generate keys, authenticate (waiting while the key is pending) and
    /// connect the publish channel. `opts` is the minion's option map
    /// (`halite_config::MinionConfig::opts`); keys: see [`LinkSettings::from_opts`].
    pub fn connect(opts: &Map) -> Result<Self, TransportError> {
        Self::connect_with(LinkSettings::from_opts(opts)?)
    }

    /// Load or generate the minion's key pair without connecting: done
    /// once before several links connect at the same time (multi-master),
    /// so that they do not generate two keys.
    pub fn prepare_keys(opts: &Map) -> Result<(), TransportError> {
        load_keys(&LinkSettings::from_opts(opts)?).map(|_| ())
    }

    /// [`connect`](Self::connect) with explicit settings.
    pub fn connect_with(settings: LinkSettings) -> Result<Self, TransportError> {
        let keys = load_keys(&settings)?;
        let ctx = zmq::Context::new();
        let token = Crypticle::generate_key_string();
        let creds = authenticate(&settings, &keys, &ctx, &token)?;
        Self::from_parts(settings, keys, ctx, token, creds)
    }

    pub(crate) fn from_parts(
        settings: LinkSettings,
        keys: MinionKeys,
        ctx: zmq::Context,
        token: String,
        creds: Credentials,
    ) -> Result<Self, TransportError> {
        let session = Arc::new(session_from(&creds, 1)?);
        let publish_port = settings.publish_port_for(creds.publish_port);
        let sub = Subscriber::open(&ctx, &settings, publish_port, 1)?;
        Ok(MasterLink {
            settings,
            keys: Arc::new(keys),
            ctx,
            token,
            state: RwLock::new(session),
            auth_lock: Mutex::new(()),
            pool: RequestPool::new(),
            sub: Mutex::new(sub),
            publish_port,
            reconnected: AtomicBool::new(false),
            recovery: Mutex::new(None),
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &LinkSettings {
        &self.settings
    }

    /// The minion id.
    pub fn id(&self) -> &str {
        &self.settings.id
    }

    fn current(&self) -> Arc<Session> {
        self.state.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Send an encrypted request and return the decrypted reply as Salt data.
    /// Binary reply fields become lossy text; use [`request_msgpack`](Self::request_msgpack)
    /// for those.
    pub fn request(&self, load: Value) -> Result<Value, TransportError> {
        self.request_msgpack(wire::from_value(&load))
            .map(|v| wire::to_value(&v))
    }

    /// The lossless request path: msgpack in, msgpack out.
    pub fn request_msgpack(&self, load: Mp) -> Result<Mp, TransportError> {
        let (timeout, tries) = (self.settings.request_timeout, self.settings.request_tries);
        match self.roundtrip(load, timeout, tries)?.0 {
            Reply::Data(v) => Ok(v),
            Reply::Private(_) => Err(TransportError::Unexpected {
                what: "request".into(),
                reason: "a send_private reply (use request_pillar)".into(),
            }),
        }
    }

    /// Compile pillar on the master (`_pillar`, signed `send_private` reply).
    pub fn request_pillar(&self, req: &loads::PillarRequest) -> Result<Value, TransportError> {
        let load = wire::from_value(&loads::pillar_load(self.id(), req));
        let (timeout, tries) = (self.settings.request_timeout, self.settings.request_tries);
        for attempt in 0..2 {
            let (reply, sess, nonce) = self.roundtrip(load.clone(), timeout, tries)?;
            let map = match reply {
                Reply::Data(v) => return Ok(wire::to_value(&v)),
                Reply::Private(map) => map,
            };
            let (e, s) = (self.settings.enc_algo, self.settings.sig_algo);
            match private::open(&map, "pillar", &self.keys, &sess.master, e, s, &nonce) {
                Ok(p) => return Ok(wire::to_value(&p)),
                Err(ProtoError::Signature(why)) if attempt == 0 => {
                    tracing::warn!("pillar reply signature failed ({why}); re-authenticating");
                    self.reauth(sess.generation)?;
                }
                Err(err) => return Err(err.into()),
            }
        }
        unreachable!("the second attempt returns")
    }

    /// Send a `_return` load (see [`loads::return_load`]); per-try timeout is
    /// random in [`return_retry_timer`, `return_retry_timer_max`].
    pub fn send_return(&self, load: Value) -> Result<(), TransportError> {
        let (low, high) = self.settings.return_timeout;
        let secs = random_between(low.as_secs() as i32, high.as_secs() as i32).max(1);
        let timeout = Duration::from_secs(secs as u64);
        self.roundtrip(wire::from_value(&load), timeout, self.settings.return_tries)
            .map(|_| ())
    }

    /// Fire an event on the master bus (`_minion_event`).
    pub fn fire_event(&self, tag: &str, data: &Value) -> Result<(), TransportError> {
        let load = loads::event_load(self.id(), tag, data);
        let (timeout, tries) = (self.settings.request_timeout, self.settings.request_tries);
        self.roundtrip(wire::from_value(&load), timeout, tries)
            .map(|_| ())
    }

    /// Encrypt, send, decrypt; re-authenticate once when the reply does not decrypt.
    fn roundtrip(
        &self,
        load: Mp,
        timeout: Duration,
        tries: u32,
    ) -> Result<(Reply, Arc<Session>, String), TransportError> {
        let what = wire::map_get(&load, "cmd")
            .and_then(wire::str_of)
            .unwrap_or("request")
            .to_string();
        let mut attempt = 0;
        loop {
            let sess = self.current();
            let rctx = RequestContext {
                id: &self.settings.id,
                tok: self.keys.tok(),
                session: &sess.session,
                enc_algo: self.settings.enc_algo,
                sig_algo: self.settings.sig_algo,
            };
            let req = request::build(&rctx, load.clone())?;
            let frame =
                self.pool
                    .exchange(&self.ctx, &self.settings, &what, &req.frame, timeout, tries)?;
            match request::decode_reply(&frame, &sess.session, &req.nonce) {
                Ok(reply) => return Ok((reply, sess, req.nonce)),
                Err(
                    e @ (ProtoError::Hmac | ProtoError::BadBlob(_) | ProtoError::MasterError(_)),
                ) if attempt == 0 => {
                    tracing::warn!(
                        "{what}: reply not readable ({e}); re-authenticating and resending"
                    );
                    self.reauth(sess.generation)?;
                }
                Err(e) => return Err(e.into()),
            }
            attempt += 1;
        }
    }

    /// One `_auth` attempt unless another thread already re-authenticated since
    /// `seen_generation`.
    fn reauth(&self, seen_generation: u64) -> Result<(), TransportError> {
        let _guard = self.auth_lock.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.current();
        if current.generation != seen_generation {
            return Ok(());
        }
        let creds = match auth_once(&self.settings, &self.keys, &self.ctx, &self.token)? {
            AuthOutcome::Accepted(c) => *c,
            AuthOutcome::Rejected => {
                return Err(TransportError::Rejected {
                    id: self.settings.id.clone(),
                })
            }
            other => {
                return Err(TransportError::Unexpected {
                    what: "_auth".into(),
                    reason: format!("{other:?}"),
                })
            }
        };
        let next = session_from(&creds, current.generation + 1)?;
        if next.aes != current.aes {
            tracing::info!("re-authenticated with the master: new publish AES key");
        } else {
            tracing::info!("re-authenticated with the master");
        }
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
        Ok(())
    }

    /// True once after the publish connection was re-established (e.g. the
    /// master restarted): the caller should fire `salt/minion/<id>/start`.
    pub fn take_reconnected(&self) -> bool {
        self.reconnected.swap(false, Ordering::SeqCst)
    }

    /// Wait up to `timeout` for the next job publication and return its
    /// decrypted load (without `serial`). Malformed, forged, oversized, replayed
    /// or non-job messages are logged and skipped. `Ok(None)` on timeout.
    pub fn next_publication(&self, timeout: Duration) -> Result<Option<Value>, TransportError> {
        let deadline = Instant::now() + timeout;
        let mut sub = self.sub.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let events = sub.events();
            if self.settings.zmq_monitor {
                if events.disconnected {
                    self.begin_recovery(&format!(
                        "Connection to master {} lost",
                        self.settings.master
                    ));
                } else if events.never_connected {
                    self.begin_recovery(&format!(
                        "the publish port of master {} refuses connections; authenticating again",
                        self.settings.master
                    ));
                }
            }
            if events.reconnected {
                self.on_pub_reconnect();
            }
            self.finish_recovery(&mut sub);
            let left = deadline.saturating_duration_since(Instant::now());
            match sub.recv(left.min(Duration::from_millis(500)))? {
                Some(frames) => {
                    if let Some(load) = self.open_publication(&mut sub, &frames) {
                        return Ok(Some(load));
                    }
                }
                None if left.is_zero() => return Ok(None),
                None => {}
            }
        }
    }

    /// The publish connection dropped: authenticate again in the
    /// background (see [`crate::recovery`]).
    fn begin_recovery(&self, why: &str) {
        let mut slot = self.recovery.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return;
        }
        tracing::info!("{why}");
        let parts = AuthParts {
            settings: self.settings.clone(),
            keys: Arc::clone(&self.keys),
            ctx: self.ctx.clone(),
            token: self.token.clone(),
        };
        match Recovery::start(parts, self.current().generation) {
            Ok(r) => *slot = Some(r),
            Err(e) => tracing::warn!("{e}; waiting for the publish socket to reconnect"),
        }
    }

    /// The background authentication answered: with new credentials, a
    /// new publish socket replaces the old one (unless the old one came
    /// back and re-authenticated first).
    fn finish_recovery(&self, sub: &mut Subscriber) {
        let mut slot = self.recovery.lock().unwrap_or_else(|p| p.into_inner());
        let Some(outcome) = slot.as_ref().and_then(Recovery::outcome) else {
            return;
        };
        let seen = slot.take().map_or(0, |r| r.generation);
        let creds = match outcome {
            Ok(creds) => creds,
            Err(e) => {
                tracing::warn!(
                    "re-authentication failed: {e}; waiting for the publish socket to reconnect"
                );
                return;
            }
        };
        let _guard = self.auth_lock.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.current();
        if current.generation != seen {
            return;
        }
        let fresh = session_from(&creds, current.generation + 1).and_then(|next| {
            let socket = Subscriber::open(
                &self.ctx,
                &self.settings,
                self.publish_port,
                next.generation,
            )?
            .opened_after_loss();
            Ok((next, socket))
        });
        match fresh {
            Ok((next, socket)) => {
                *self.state.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
                *sub = socket;
                self.reconnected.store(true, Ordering::SeqCst);
                tracing::info!(
                    "Re-initialising subsystems for new master {}",
                    self.settings.master
                );
            }
            Err(e) => tracing::warn!("cannot open a new publish connection: {e}"),
        }
    }

    fn on_pub_reconnect(&self) {
        // the old socket is back: a background re-auth is not needed
        // (dropping it cancels it), and a later loss starts a new one
        self.recovery
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        tracing::info!(
            "publish connection re-established; re-authenticating to pick up a new AES key"
        );
        self.reconnected.store(true, Ordering::SeqCst);
        if let Err(e) = self.reauth(self.current().generation) {
            tracing::warn!("re-authentication after reconnect failed: {e}");
        }
    }

    fn open_publication(&self, sub: &mut Subscriber, frames: &[Vec<u8>]) -> Option<Value> {
        let size: usize = frames.iter().map(Vec::len).sum();
        if size > self.settings.max_publication_bytes {
            tracing::warn!(
                "dropping a {size}-byte publication (limit {})",
                self.settings.max_publication_bytes
            );
            return None;
        }
        let sealed = match publish::parse_frames(frames, &self.settings.id) {
            Ok(Some(s)) => s,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!("dropping a malformed publication: {e}");
                return None;
            }
        };
        let mut sess = self.current();
        if let Err(e) = sealed.verify(&sess.master, self.settings.require_pub_sig) {
            tracing::warn!("dropping a publication: {e}");
            return None;
        }
        let mut load = match sealed.decrypt(&sess.aes) {
            Ok(load) => load,
            Err(ProtoError::Hmac) => {
                sess = self.reauth_for_publication(sub, &sess)?;
                match sealed.decrypt(&sess.aes) {
                    Ok(load) => load,
                    Err(e) => {
                        tracing::warn!(
                            "dropping a publication that does not decrypt after re-auth: {e}"
                        );
                        return None;
                    }
                }
            }
            Err(e) => {
                tracing::warn!("dropping an undecryptable publication: {e}");
                return None;
            }
        };
        if sub.generation != sess.generation {
            sub.serials.reset();
            sub.generation = sess.generation;
        }
        if !sub.serials.accept(&mut load) {
            tracing::warn!("dropping a replayed publication (serial already seen)");
            return None;
        }
        if !publish::is_job_load(&load) {
            tracing::debug!("ignoring a publication without tgt/jid/fun/arg");
            return None;
        }
        Some(wire::to_value(&load))
    }

    /// HMAC failure: the AES key probably rotated. Re-auth (rate-limited).
    fn reauth_for_publication(
        &self,
        sub: &mut Subscriber,
        sess: &Arc<Session>,
    ) -> Option<Arc<Session>> {
        let recent = sub
            .last_reauth
            .is_some_and(|t| t.elapsed() < self.settings.min_reauth_interval);
        if recent {
            tracing::warn!("dropping a publication that fails HMAC (re-auth rate limit)");
            return None;
        }
        sub.last_reauth = Some(Instant::now());
        tracing::info!(
            "publication failed HMAC verification; re-authenticating (AES key rotation?)"
        );
        match self.reauth(sess.generation) {
            Ok(()) => Some(self.current()),
            Err(e) => {
                tracing::warn!("dropping a publication: re-authentication failed: {e}");
                None
            }
        }
    }

    /// The publish port in use (configured, or announced by the master at auth).
    pub fn publish_port(&self) -> u16 {
        self.publish_port
    }
}

fn session_from(creds: &Credentials, generation: u64) -> Result<Session, TransportError> {
    Ok(Session {
        aes: Crypticle::from_key_string(&creds.aes_key)?,
        session: Crypticle::from_key_string(&creds.session_key)?,
        master: creds.master_key.clone(),
        generation,
    })
}

/// One `_auth` attempt (`auth_tries` × `auth_timeout`); caches a new master key.
fn auth_once(
    s: &LinkSettings,
    keys: &MinionKeys,
    ctx: &zmq::Context,
    token: &str,
) -> Result<AuthOutcome, TransportError> {
    auth_once_within(s, keys, ctx, token, s.auth_timeout, s.auth_tries)
}

/// One `_auth` attempt of `tries` × `timeout`; caches a new master key.
pub(crate) fn auth_once_within(
    s: &LinkSettings,
    keys: &MinionKeys,
    ctx: &zmq::Context,
    token: &str,
    timeout: Duration,
    tries: u32,
) -> Result<AuthOutcome, TransportError> {
    let cached = MasterKey::load_cached(&s.pki_dir)?;
    let actx = AuthContext {
        id: &s.id,
        keys,
        cached_master: cached.as_ref(),
        enc_algo: s.enc_algo,
        sig_algo: s.sig_algo,
        token,
        autosign_grains: None,
        master_finger: s.master_finger.as_deref(),
        hash_type: &s.hash_type,
    };
    let req = auth::build_request(&actx, &halite_proto::new_nonce())?;
    let frame = RequestPool::new().exchange(ctx, s, "_auth", &req.frame, timeout, tries)?;
    let outcome = auth::process_reply(&actx, &req, &frame)?;
    if let AuthOutcome::Accepted(creds) = &outcome {
        if creds.master_key_is_new {
            let path = creds.master_key.write_cached(&s.pki_dir)?;
            tracing::info!(
                "trusting master key on first contact (fingerprint {}), saved to {}",
                creds.master_key.fingerprint(&s.hash_type),
                path.display()
            );
        }
    }
    Ok(outcome)
}

/// Authenticate, waiting `acceptance_wait_time` (doubling up to the max) while
/// the key is pending or the master does not answer.
/// The minion's key pair from `pki_dir`, made on first use.
fn load_keys(settings: &LinkSettings) -> Result<MinionKeys, TransportError> {
    let (keys, generated) = MinionKeys::load_or_generate(&settings.pki_dir, settings.keysize)?;
    if generated {
        tracing::info!(
            "generated a new {}-bit minion key in {}",
            settings.keysize,
            settings.pki_dir.display()
        );
    }
    Ok(keys)
}

fn authenticate(
    s: &LinkSettings,
    keys: &MinionKeys,
    ctx: &zmq::Context,
    token: &str,
) -> Result<Credentials, TransportError> {
    let mut wait = s.acceptance_wait;
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let last = match auth_once(s, keys, ctx, token) {
            Ok(AuthOutcome::Accepted(creds)) => {
                tracing::info!(
                    "authenticated with master {} as '{}'",
                    s.endpoint(s.master_port),
                    s.id
                );
                return Ok(*creds);
            }
            Ok(AuthOutcome::Pending) => {
                tracing::warn!(
                    "the key of minion '{}' is pending acceptance on the master (salt-key -a {}); retrying in {:?}",
                    s.id, s.id, wait
                );
                "key pending acceptance".to_string()
            }
            Ok(AuthOutcome::Rejected) if !s.rejected_retry => {
                return Err(TransportError::Rejected { id: s.id.clone() })
            }
            Ok(AuthOutcome::Rejected) => {
                tracing::error!(
                    "the master rejected minion '{}'; rejected_retry is set, retrying in {:?}",
                    s.id,
                    wait
                );
                "key rejected".to_string()
            }
            Ok(AuthOutcome::Full) => {
                tracing::warn!("the master is full (max_minions); retrying in {:?}", wait);
                "master full".to_string()
            }
            Err(e @ TransportError::Timeout { .. }) => {
                tracing::warn!("{e}; retrying in {wait:?}");
                e.to_string()
            }
            Err(e) => return Err(e),
        };
        if s.auth_retries > 0 && attempts >= s.auth_retries {
            return Err(TransportError::AuthGaveUp {
                id: s.id.clone(),
                attempts,
                last,
            });
        }
        std::thread::sleep(wait);
        if s.acceptance_wait_max > wait {
            wait = (wait * 2).min(s.acceptance_wait_max);
        }
    }
}

/// The link as the modules' request channel (`halite call` through a master).
impl halite_api::MasterChannel for MasterLink {
    fn request(&self, mut load: halite_api::Map) -> Result<Value, halite_api::MasterError> {
        if !load.contains_key("id") {
            load.insert("id".into(), Value::from(self.id()));
        }
        MasterLink::request(self, Value::Object(load))
            .map_err(|e| halite_api::MasterError::Request(e.to_string()))
    }
}
