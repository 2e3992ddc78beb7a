//! halite-transport: the minion side of Salt's ZeroMQ transport, as a small
//! blocking API meant to be driven from threads.
//!
//! * [`MasterLink::connect`] loads or generates the minion keys, authenticates
//!   (`_auth`; waits while the key is pending, fails clearly when rejected) and
//!   returns a link that is `Send + Sync`.
//! * [`MasterLink::request`] / [`MasterLink::request_msgpack`]: session-key
//!   encrypted request/reply (new REQ socket after a timeout, `tries` attempts,
//!   one re-auth when the reply does not decrypt).
//! * [`MasterLink::request_pillar`], [`MasterLink::send_return`],
//!   [`MasterLink::fire_event`]: the common commands.
//! * [`MasterLink::next_publication`]: the next decrypted job publication from
//!   the SUB socket (heartbeats, keepalive, reconnects; re-auth on AES rotation;
//!   malformed or forged frames are logged and dropped).
//! * [`RemoteFileClient`]: `halite_api::FileClient` over the master fileserver.
//!
//! See docs/protocol.md for what is implemented.

mod error;
mod fileclient;
mod link;
mod recovery;
mod reqchan;
mod settings;
mod sockets;
mod subscriber;
#[cfg(test)]
mod tests_publish;

pub use error::TransportError;
pub use fileclient::RemoteFileClient;
pub use halite_proto::loads::{self, JobResult, PillarRequest};
pub use link::MasterLink;
pub use settings::LinkSettings;
