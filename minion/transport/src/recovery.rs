//! What Salt 3008.4's minion does when its publish connection drops
//! (`zmq_monitor: True`, the minion default): it authenticates again
//! (`eval_master`: one `_auth` with sign_in's 60 s timeout, then
//! `acceptance_wait_time` before the next) and opens a new publish socket,
//! which connects at once instead of waiting out the old socket's
//! reconnect interval. After a long master outage that interval has grown
//! to `recon_max` plus jitter, while a queued `_auth` reaches the master
//! within the request socket's own reconnect interval (at most 5 s).
//!
//! Its request socket's connects back off from libzmq's 100 ms, doubling,
//! up to the smaller of Salt's 5 s and the publish socket's own interval
//! (random in `recon_default .. recon_default + recon_max`): with the
//! window a fleet chose (halite-ctl sizes it), a master that is back is
//! reached within about one such interval, never later than Salt's 5 s.
//!
//! The attempt runs on its own thread so publications keep being read from
//! the old socket meanwhile (libzmq keeps reconnecting it; whichever comes
//! back first wins). Dropping the [`Recovery`] cancels it between tries.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use halite_proto::auth::{AuthOutcome, Credentials};
use halite_proto::MinionKeys;

use crate::error::TransportError;
use crate::link::auth_once_within;
use crate::settings::LinkSettings;
use crate::sockets::recon_interval;

/// Salt's `AsyncAuth.sign_in` default timeout, one try.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a wait between tries looks at the cancel flag.
const CANCEL_CHECK: Duration = Duration::from_millis(100);

/// One background re-authentication after the publish connection dropped.
pub(crate) struct Recovery {
    done: mpsc::Receiver<Result<Credentials, TransportError>>,
    cancel: Arc<AtomicBool>,
    /// The auth generation when the connection dropped: if the link has
    /// re-authenticated since (the old socket came back first), the result
    /// is not needed.
    pub generation: u64,
}

/// What the link needs to authenticate from another thread.
pub(crate) struct AuthParts {
    pub settings: LinkSettings,
    pub keys: Arc<MinionKeys>,
    pub ctx: zmq::Context,
    pub token: String,
}

impl Recovery {
    /// Start authenticating again on a new thread.
    pub fn start(mut parts: AuthParts, generation: u64) -> Result<Self, TransportError> {
        let cap = recon_interval(&parts.settings).min(parts.settings.request_reconnect_ivl_max);
        parts.settings.request_reconnect_ivl_max = cap;
        let (tx, done) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        std::thread::Builder::new()
            .name("halite-reauth".into())
            .spawn(move || {
                if let Some(result) = authenticate_until_answered(&parts, &flag) {
                    let _ = tx.send(result);
                }
            })
            .map_err(|e| TransportError::Unexpected {
                what: "starting the re-authentication thread".into(),
                reason: e.to_string(),
            })?;
        Ok(Recovery {
            done,
            cancel,
            generation,
        })
    }

    /// The outcome, once there is one.
    pub fn outcome(&self) -> Option<Result<Credentials, TransportError>> {
        self.done.try_recv().ok()
    }
}

impl Drop for Recovery {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::SeqCst);
    }
}

/// `_auth` until the master accepts or refuses; `None` when cancelled.
fn authenticate_until_answered(
    p: &AuthParts,
    cancel: &AtomicBool,
) -> Option<Result<Credentials, TransportError>> {
    let s = &p.settings;
    while !cancel.load(Ordering::SeqCst) {
        let outcome = auth_once_within(s, &p.keys, &p.ctx, &p.token, SIGN_IN_TIMEOUT, 1);
        match outcome {
            Ok(AuthOutcome::Accepted(creds)) => return Some(Ok(*creds)),
            Ok(AuthOutcome::Rejected) if !s.rejected_retry => {
                return Some(Err(TransportError::Rejected { id: s.id.clone() }))
            }
            Ok(other) => tracing::warn!(
                "re-authentication: {other:?}; retrying in {:?}",
                s.acceptance_wait
            ),
            Err(e @ TransportError::Timeout { .. }) => {
                tracing::warn!(
                    "re-authentication: {e}; retrying in {:?}",
                    s.acceptance_wait
                )
            }
            Err(e) => return Some(Err(e)),
        }
        wait_unless_cancelled(s.acceptance_wait, cancel);
    }
    None
}

fn wait_unless_cancelled(wait: Duration, cancel: &AtomicBool) {
    let until = Instant::now() + wait;
    while !cancel.load(Ordering::SeqCst) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(CANCEL_CHECK));
    }
}
