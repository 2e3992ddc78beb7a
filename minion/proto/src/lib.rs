//! halite-proto: Salt's minion/master wire protocol (ZeroMQ transport, protocol v3), pure.
//!
//! No sockets and no threads: every function takes bytes and returns bytes or
//! decoded data, so the transport (`halite-transport`) and the tests can drive it.
//!
//! * [`wire`]: Salt's msgpack dialect and conversion to/from [`serde_json::Value`].
//! * [`crypto`]: RSA-OAEP, PKCS#1 v1.5 signatures, the X9.31 token.
//! * [`keys`]: minion/master key files (`minion.pem`, `minion.pub`, `minion_master.pub`).
//! * [`crypticle`]: Salt's AES-CBC + HMAC-SHA256 symmetric format.
//! * [`auth`]: the `_auth` request and reply (§6 of the protocol spec).
//! * [`request`]: encrypted request-channel messages and their replies (§7).
//! * [`loads`]: builders for `_return`, `_minion_event`, `_pillar` and file loads.
//! * [`private`]: `send_private` replies (pillar, §10).
//! * [`publish`]: publications: framing, signature, decryption, serial replay check (§8).

pub mod auth;
pub mod crypticle;
pub mod crypto;
pub mod error;
pub mod keys;
pub mod loads;
pub mod private;
pub mod publish;
pub mod request;
pub mod wire;

pub use crypticle::Crypticle;
pub use crypto::{EncAlgo, SigAlgo};
pub use error::ProtoError;
pub use keys::{MasterKey, MinionKeys};

/// The protocol version this crate speaks (Salt 3006.12+ / 3008).
pub const PROTOCOL_VERSION: u8 = 3;

/// A fresh nonce as Salt makes it (`uuid4().hex`): 32 lowercase hex characters.
pub fn new_nonce() -> String {
    let mut raw = [0u8; 16];
    openssl::rand::rand_bytes(&mut raw).expect("OpenSSL random generator failed");
    hex::encode(raw)
}

#[cfg(test)]
mod tests {
    #[test]
    fn nonces_are_32_hex_and_fresh() {
        let a = super::new_nonce();
        let b = super::new_nonce();
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }
}
