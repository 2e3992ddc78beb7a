//! `send_private` replies (§5.7, §10): a one-time key encrypted to the minion,
//! and a payload signed by the master that echoes the key and the nonce.

use rmpv::Value as Mp;

use crate::crypticle::Crypticle;
use crate::crypto::{self, EncAlgo, SigAlgo};
use crate::error::ProtoError;
use crate::keys::{MasterKey, MinionKeys};
use crate::wire::{self, bytes_of, map_get};

const WHAT: &str = "send_private reply";

/// Open a `send_private` reply map and return the value under `dictkey`
/// (`"pillar"` for `_pillar`).
pub fn open(
    reply: &Mp,
    dictkey: &'static str,
    keys: &MinionKeys,
    master: &MasterKey,
    enc_algo: EncAlgo,
    sig_algo: SigAlgo,
    nonce: &str,
) -> Result<Mp, ProtoError> {
    let field = |name: &'static str| {
        map_get(reply, name)
            .and_then(bytes_of)
            .ok_or(ProtoError::MissingField {
                what: WHAT,
                field: name,
            })
    };
    let wrapped_key = field("key")?;
    let blob = field(dictkey)?;
    let one_time = crypto::oaep_decrypt(keys.pkey(), enc_algo, wrapped_key)?;
    let one_time = std::str::from_utf8(&one_time)
        .map_err(|_| ProtoError::BadKeyString("one-time key is not text".into()))?;
    let signed = Crypticle::from_key_string(one_time)?.loads(blob, None)?;
    let data = map_get(&signed, "data")
        .and_then(bytes_of)
        .ok_or(ProtoError::MissingField {
            what: WHAT,
            field: "data",
        })?;
    let sig = map_get(&signed, "sig")
        .and_then(bytes_of)
        .ok_or(ProtoError::MissingField {
            what: WHAT,
            field: "sig",
        })?;
    if !crypto::verify(master.pkey(), sig_algo, data, sig) {
        return Err(ProtoError::Signature(
            "send_private payload is not signed by the master".into(),
        ));
    }
    let inner = wire::decode(data, "send_private signed data")?;
    if map_get(&inner, "key").and_then(bytes_of) != Some(wrapped_key) {
        return Err(ProtoError::Signature(
            "send_private key echo differs".into(),
        ));
    }
    if map_get(&inner, "nonce").and_then(bytes_of) != Some(nonce.as_bytes()) {
        return Err(ProtoError::NonceMismatch(WHAT));
    }
    map_get(&inner, dictkey)
        .cloned()
        .ok_or(ProtoError::MissingField {
            what: WHAT,
            field: "pillar",
        })
}
