//! Publications (§8.1, §5.5): framing (one frame, or `[topic, payload]` with
//! `zmq_filtering`), the optional master signature, decryption with the
//! publish AES key and the per-key `serial` replay check.

use openssl::hash::MessageDigest;
use rmpv::Value as Mp;

use crate::crypticle::Crypticle;
use crate::crypto::{self, SigAlgo};
use crate::error::ProtoError;
use crate::keys::MasterKey;
use crate::wire::{self, bytes_of, map_get, str_of};

const WHAT: &str = "publication";

/// The hex SHA-1 topic the master uses for `id` with `zmq_filtering`.
pub fn topic_for(minion_id: &str) -> String {
    let digest = openssl::hash::hash(MessageDigest::sha1(), minion_id.as_bytes()).expect("sha1");
    hex::encode(digest)
}

/// An encrypted publication taken out of its frames.
#[derive(Debug, Clone)]
pub struct SealedPublication {
    /// The AES blob.
    pub blob: Vec<u8>,
    /// The master's signature over the blob, if sent.
    pub sig: Option<Vec<u8>>,
    /// Its algorithm (`sig_algo`), default PKCS1v15-SHA1.
    pub sig_algo: SigAlgo,
}

/// Parse the frames of one SUB message. `Ok(None)`: not for us (topic of another
/// minion, or `enc` other than `aes`).
pub fn parse_frames(
    frames: &[Vec<u8>],
    minion_id: &str,
) -> Result<Option<SealedPublication>, ProtoError> {
    let payload = frames.last().ok_or(ProtoError::MissingField {
        what: WHAT,
        field: "frame",
    })?;
    if frames.len() >= 2 {
        let topic = &frames[frames.len() - 2];
        if topic.as_slice() != b"broadcast" && topic.as_slice() != topic_for(minion_id).as_bytes() {
            return Ok(None);
        }
    }
    let envelope = wire::decode(payload, WHAT)?;
    if !matches!(envelope, Mp::Map(_)) {
        return Err(ProtoError::BadField {
            what: WHAT,
            field: "frame",
            reason: "not a map".into(),
        });
    }
    if map_get(&envelope, "enc").and_then(str_of) != Some("aes") {
        return Ok(None);
    }
    let blob = map_get(&envelope, "load")
        .and_then(bytes_of)
        .ok_or(ProtoError::MissingField {
            what: WHAT,
            field: "load",
        })?;
    let sig_algo = match map_get(&envelope, "sig_algo").and_then(str_of) {
        None => SigAlgo::default(),
        Some(name) => SigAlgo::parse(name).ok_or_else(|| ProtoError::BadField {
            what: WHAT,
            field: "sig_algo",
            reason: format!("unknown algorithm '{name}'"),
        })?,
    };
    Ok(Some(SealedPublication {
        blob: blob.to_vec(),
        sig: map_get(&envelope, "sig")
            .and_then(bytes_of)
            .map(<[u8]>::to_vec),
        sig_algo,
    }))
}

impl SealedPublication {
    /// Check the master signature (required when `require_sig`, else checked if present).
    pub fn verify(&self, master: &MasterKey, require_sig: bool) -> Result<(), ProtoError> {
        match &self.sig {
            Some(sig) if crypto::verify(master.pkey(), self.sig_algo, &self.blob, sig) => Ok(()),
            Some(_) => Err(ProtoError::Signature(
                "publication signature does not verify".into(),
            )),
            None if require_sig => Err(ProtoError::MissingField {
                what: WHAT,
                field: "sig",
            }),
            None => Ok(()),
        }
    }

    /// Decrypt with the publish AES key. [`ProtoError::Hmac`] means: re-auth and retry.
    pub fn decrypt(&self, aes: &Crypticle) -> Result<Mp, ProtoError> {
        aes.loads(&self.blob, None)
    }
}

/// Replay protection: the last `serial` seen under the current AES key.
#[derive(Debug, Default, Clone)]
pub struct SerialTracker {
    last: u64,
}

impl SerialTracker {
    /// Forget the last serial (call after installing a new AES key).
    pub fn reset(&mut self) {
        self.last = 0;
    }

    /// Strip `serial` from a decrypted load; `false` if it is a replay.
    pub fn accept(&mut self, load: &mut Mp) -> bool {
        let Mp::Map(entries) = load else { return true };
        let Some(serial) = wire::map_remove(entries, "serial") else {
            return true;
        };
        match serial.as_u64() {
            Some(s) if s > self.last => {
                self.last = s;
                true
            }
            _ => false,
        }
    }
}

/// The fields a job publication must carry (§8.1 step 6).
pub fn is_job_load(load: &Mp) -> bool {
    ["tgt", "jid", "fun", "arg"]
        .iter()
        .all(|f| map_get(load, f).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_is_sha1_hex_of_id() {
        assert_eq!(topic_for("lab-m1").len(), 40);
        assert!(topic_for("lab-m1").starts_with("6cb9c2"));
    }

    #[test]
    fn serial_replays_are_dropped_until_reset() {
        let mut t = SerialTracker::default();
        let load = |s: u64| wire::mp_map([("fun", Mp::from("x")), ("serial", Mp::from(s))]);
        let mut a = load(1);
        assert!(t.accept(&mut a));
        assert!(map_get(&a, "serial").is_none());
        assert!(!t.accept(&mut load(1)));
        assert!(t.accept(&mut load(3)));
        assert!(!t.accept(&mut load(2)));
        t.reset();
        assert!(t.accept(&mut load(1)));
    }

    #[test]
    fn frames_for_other_minions_and_clear_are_skipped() {
        let c = Crypticle::from_key_string(&Crypticle::generate_key_string()).unwrap();
        let env = wire::encode(&wire::mp_map([
            ("enc", Mp::from("aes")),
            ("load", Mp::Binary(c.dumps(&Mp::Nil))),
        ]));
        assert!(parse_frames(std::slice::from_ref(&env), "m1")
            .unwrap()
            .is_some());
        assert!(parse_frames(&[b"broadcast".to_vec(), env.clone()], "m1")
            .unwrap()
            .is_some());
        assert!(
            parse_frames(&[topic_for("m2").into_bytes(), env.clone()], "m1")
                .unwrap()
                .is_none()
        );
        assert!(parse_frames(&[topic_for("m1").into_bytes(), env], "m1")
            .unwrap()
            .is_some());
        let clear = wire::encode(&wire::mp_map([("enc", Mp::from("clear"))]));
        assert!(parse_frames(&[clear], "m1").unwrap().is_none());
        assert!(parse_frames(&[vec![0xc1]], "m1").is_err());
        assert!(parse_frames(&[wire::encode(&Mp::from(1))], "m1").is_err());
    }
}
