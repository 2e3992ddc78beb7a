//! Transport errors: configuration, protocol, ZeroMQ, timeouts, key refusal.

use halite_proto::ProtoError;

/// Why a transport operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// A minion option has a bad value.
    #[error("minion config: key '{key}': {reason}")]
    Config { key: &'static str, reason: String },
    /// A protocol error (malformed reply, signature, decryption).
    #[error(transparent)]
    Proto(#[from] ProtoError),
    /// A ZeroMQ call failed.
    #[error("zeromq error while {what}: {source}")]
    Zmq {
        what: &'static str,
        #[source]
        source: zmq::Error,
    },
    /// No reply within the timeout after every try.
    #[error(
        "no reply from the master at {endpoint} for {what} after {tries} tries of {timeout_secs}s"
    )]
    Timeout {
        what: String,
        endpoint: String,
        tries: u32,
        timeout_secs: u64,
    },
    /// The master rejected or denied the minion key.
    #[error("the master rejected the key of minion '{id}' (rejected or denied on the master; a key with this id but a different public key may already be accepted). Check `salt-key -L` on the master")]
    Rejected { id: String },
    /// `auth_retries` exhausted while the key stayed pending or the master was unreachable.
    #[error("authentication of minion '{id}' did not succeed after {attempts} attempts: {last}")]
    AuthGaveUp {
        id: String,
        attempts: u32,
        last: String,
    },
    /// The master answered something unexpected.
    #[error("unexpected reply to {what}: {reason}")]
    Unexpected { what: String, reason: String },
}

impl TransportError {
    pub(crate) fn zmq(what: &'static str) -> impl FnOnce(zmq::Error) -> TransportError {
        move |source| TransportError::Zmq { what, source }
    }
}
