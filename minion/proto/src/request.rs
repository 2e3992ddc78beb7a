//! Encrypted request-channel messages (§7): the v3 envelope around a
//! session-key encrypted load, and the nonce-prefixed encrypted reply.

use rmpv::Value as Mp;

use crate::crypticle::Crypticle;
use crate::crypto::{EncAlgo, SigAlgo};
use crate::error::ProtoError;
use crate::wire::{self, bytes_of, map_get, str_of};

/// What every encrypted request needs besides its load.
pub struct RequestContext<'a> {
    /// Minion id (load `id` and envelope `id`).
    pub id: &'a str,
    /// The X9.31 token (`tok`).
    pub tok: &'a [u8],
    /// The session key.
    pub session: &'a Crypticle,
    /// Announced in the envelope.
    pub enc_algo: EncAlgo,
    /// Announced in the envelope.
    pub sig_algo: SigAlgo,
}

/// A built encrypted request.
#[derive(Debug, Clone)]
pub struct EncryptedRequest {
    /// The frame to send.
    pub frame: Vec<u8>,
    /// The nonce the reply must carry.
    pub nonce: String,
}

/// Add `nonce`, `ts`, `tok`, `id` to `load` (a msgpack map) in Salt's order.
pub fn finish_load(
    ctx: &RequestContext<'_>,
    load: Mp,
    nonce: &str,
    ts: u64,
) -> Result<Mp, ProtoError> {
    let Mp::Map(mut entries) = load else {
        return Err(ProtoError::BadField {
            what: "request load",
            field: "load",
            reason: "must be a map".into(),
        });
    };
    wire::map_set(&mut entries, "nonce", Mp::from(nonce));
    wire::map_set(&mut entries, "ts", Mp::from(ts));
    wire::map_set(&mut entries, "tok", Mp::Binary(ctx.tok.to_vec()));
    wire::map_set(&mut entries, "id", Mp::from(ctx.id));
    Ok(Mp::Map(entries))
}

/// The v3 aes envelope around an encrypted blob.
pub fn envelope(ctx: &RequestContext<'_>, blob: Vec<u8>) -> Vec<u8> {
    wire::encode(&wire::mp_map([
        ("enc", Mp::from("aes")),
        ("load", Mp::Binary(blob)),
        ("version", Mp::from(crate::PROTOCOL_VERSION)),
        ("id", Mp::from(ctx.id)),
        ("enc_algo", Mp::from(ctx.enc_algo.as_str())),
        ("sig_algo", Mp::from(ctx.sig_algo.as_str())),
    ]))
}

/// Build an encrypted request for `load` with a fresh nonce and the current time.
pub fn build(ctx: &RequestContext<'_>, load: Mp) -> Result<EncryptedRequest, ProtoError> {
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    build_with(ctx, load, &crate::new_nonce(), ts)
}

/// [`build`] with a given nonce and timestamp.
pub fn build_with(
    ctx: &RequestContext<'_>,
    load: Mp,
    nonce: &str,
    ts: u64,
) -> Result<EncryptedRequest, ProtoError> {
    let full = finish_load(ctx, load, nonce, ts)?;
    let blob = ctx.session.dumps(&full);
    Ok(EncryptedRequest {
        frame: envelope(ctx, blob),
        nonce: nonce.to_string(),
    })
}

/// How a reply frame to an encrypted request looks.
#[derive(Debug)]
pub enum Reply {
    /// The decrypted result of a normal reply.
    Data(Mp),
    /// A `send_private` style map (pillar); open it with [`crate::private`].
    Private(Mp),
}

/// Decode a reply frame: an encrypted blob in a str (normal), a map
/// (`send_private`), or an error string (→ [`ProtoError::MasterError`]).
pub fn decode_reply(frame: &[u8], session: &Crypticle, nonce: &str) -> Result<Reply, ProtoError> {
    let reply = wire::decode(frame, "request reply")?;
    match &reply {
        Mp::Map(_) => {
            if map_get(&reply, "enc").and_then(str_of) == Some("clear") {
                let text = map_get(&reply, "load")
                    .map(wire::to_value)
                    .unwrap_or_default();
                return Err(ProtoError::MasterError(text.to_string()));
            }
            Ok(Reply::Private(reply))
        }
        other => {
            let blob = bytes_of(other).ok_or_else(|| ProtoError::BadField {
                what: "request reply",
                field: "frame",
                reason: "neither a byte string nor a map".into(),
            })?;
            match session.loads(blob, Some(nonce)) {
                Ok(v) => Ok(Reply::Data(v)),
                Err(e @ (ProtoError::Hmac | ProtoError::BadBlob(_))) => match str_of(other) {
                    Some(text) if is_error_text(text) => Err(ProtoError::MasterError(text.into())),
                    _ => Err(e),
                },
                Err(e) => Err(e),
            }
        }
    }
}

fn is_error_text(text: &str) -> bool {
    text.len() < 200 && text.chars().all(|c| !c.is_control())
}
