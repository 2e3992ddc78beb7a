//! Salt's symmetric format "Crypticle" (§5.4): a base64 key string holding an
//! AES key (24 bytes → AES-192) followed by a 32-byte HMAC-SHA256 key; blobs
//! are `IV(16) || AES-CBC(PKCS#7 padded plaintext) || HMAC(IV || C)`.
//! Serialized objects carry a `pickle::` prefix, and replies a 32-char nonce.

use base64::Engine;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;
use openssl::symm::{Cipher, Crypter, Mode};
use rmpv::Value as Mp;

use crate::error::ProtoError;
use crate::wire;

/// Prefix of every serialized Crypticle plaintext.
pub const PICKLE_PAD: &[u8] = b"pickle::";
const HMAC_LEN: usize = 32;
const IV_LEN: usize = 16;
const NONCE_LEN: usize = 32;

/// One symmetric key (publish AES key, session key or a one-time key).
#[derive(Clone)]
pub struct Crypticle {
    aes_key: Vec<u8>,
    hmac_key: Vec<u8>,
    key_string: String,
}

impl std::fmt::Debug for Crypticle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crypticle")
            .field("aes_bits", &(self.aes_key.len() * 8))
            .finish()
    }
}

impl PartialEq for Crypticle {
    fn eq(&self, other: &Self) -> bool {
        self.key_string.len() == other.key_string.len()
            && openssl::memcmp::eq(self.key_string.as_bytes(), other.key_string.as_bytes())
    }
}

impl Crypticle {
    /// A new random key string as Salt generates them (base64 of 56 random bytes).
    pub fn generate_key_string() -> String {
        let mut raw = [0u8; 56];
        openssl::rand::rand_bytes(&mut raw).expect("OpenSSL random generator failed");
        base64::engine::general_purpose::STANDARD.encode(raw)
    }

    /// Parse a key string (base64 of AES key || 32-byte HMAC key).
    pub fn from_key_string(key_string: &str) -> Result<Self, ProtoError> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(key_string.trim())
            .map_err(|e| ProtoError::BadKeyString(format!("not base64: {e}")))?;
        if raw.len() < HMAC_LEN {
            return Err(ProtoError::BadKeyString(format!(
                "{} bytes is too short",
                raw.len()
            )));
        }
        let (aes, hmac) = raw.split_at(raw.len() - HMAC_LEN);
        cipher_for(aes.len())?;
        Ok(Crypticle {
            aes_key: aes.to_vec(),
            hmac_key: hmac.to_vec(),
            key_string: key_string.trim().to_string(),
        })
    }

    /// The key string this was built from.
    pub fn key_string(&self) -> &str {
        &self.key_string
    }

    /// Encrypt with a random IV.
    pub fn encrypt(&self, plain: &[u8]) -> Vec<u8> {
        let mut iv = [0u8; IV_LEN];
        openssl::rand::rand_bytes(&mut iv).expect("OpenSSL random generator failed");
        self.encrypt_with_iv(plain, &iv)
    }

    /// Encrypt with a given IV (deterministic; for tests against captured blobs).
    pub fn encrypt_with_iv(&self, plain: &[u8], iv: &[u8; IV_LEN]) -> Vec<u8> {
        let cipher = cipher_for(self.aes_key.len()).expect("key length checked at construction");
        let cipher_text = openssl::symm::encrypt(cipher, &self.aes_key, Some(iv), plain)
            .expect("AES-CBC encryption with a valid key cannot fail");
        let mut blob = Vec::with_capacity(IV_LEN + cipher_text.len() + HMAC_LEN);
        blob.extend_from_slice(iv);
        blob.extend_from_slice(&cipher_text);
        let tag = self.mac(&blob);
        blob.extend_from_slice(&tag);
        blob
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        let key = PKey::hmac(&self.hmac_key).expect("HMAC key");
        let mut signer = Signer::new(MessageDigest::sha256(), &key).expect("HMAC-SHA256");
        signer.update(data).expect("HMAC update");
        signer.sign_to_vec().expect("HMAC final")
    }

    /// Verify the HMAC and decrypt a blob.
    pub fn decrypt(&self, blob: &[u8]) -> Result<Vec<u8>, ProtoError> {
        if blob.len() < IV_LEN + 16 + HMAC_LEN {
            return Err(ProtoError::BadBlob(format!(
                "{} bytes is too short",
                blob.len()
            )));
        }
        let (body, tag) = blob.split_at(blob.len() - HMAC_LEN);
        if !openssl::memcmp::eq(&self.mac(body), tag) {
            return Err(ProtoError::Hmac);
        }
        let (iv, cipher_text) = body.split_at(IV_LEN);
        if cipher_text.len() % 16 != 0 {
            return Err(ProtoError::BadBlob(
                "ciphertext is not a whole number of blocks".into(),
            ));
        }
        let cipher = cipher_for(self.aes_key.len())?;
        let mut crypter = Crypter::new(cipher, Mode::Decrypt, &self.aes_key, Some(iv))
            .map_err(ProtoError::crypto("AES-CBC decryption"))?;
        crypter.pad(false);
        let mut out = vec![0; cipher_text.len() + 16];
        let mut n = crypter
            .update(cipher_text, &mut out)
            .map_err(ProtoError::crypto("AES"))?;
        n += crypter
            .finalize(&mut out[n..])
            .map_err(ProtoError::crypto("AES"))?;
        out.truncate(n);
        strip_padding(out)
    }

    /// `pickle::` + msgpack(obj), encrypted (requests, publications, one-time payloads).
    pub fn dumps(&self, obj: &Mp) -> Vec<u8> {
        self.encrypt(&Self::plaintext(obj, None))
    }

    /// The plaintext [`dumps`](Self::dumps) encrypts; `nonce` is put after the
    /// prefix as the master does on replies.
    pub fn plaintext(obj: &Mp, nonce: Option<&str>) -> Vec<u8> {
        let mut plain = PICKLE_PAD.to_vec();
        if let Some(n) = nonce {
            plain.extend_from_slice(n.as_bytes());
        }
        plain.extend_from_slice(&wire::encode(obj));
        plain
    }

    /// Decrypt and decode a serialized object. With `nonce`, the plaintext must
    /// carry it after `pickle::` (replies). A plaintext without the prefix is an
    /// empty map, as in Salt.
    pub fn loads(&self, blob: &[u8], nonce: Option<&str>) -> Result<Mp, ProtoError> {
        let plain = self.decrypt(blob)?;
        let Some(mut rest) = plain.strip_prefix(PICKLE_PAD) else {
            return Ok(Mp::Map(Vec::new()));
        };
        if let Some(expected) = nonce {
            if rest.len() < NONCE_LEN || &rest[..NONCE_LEN] != expected.as_bytes() {
                return Err(ProtoError::NonceMismatch("encrypted reply"));
            }
            rest = &rest[NONCE_LEN..];
        }
        wire::decode(rest, "decrypted payload")
    }
}

fn cipher_for(aes_len: usize) -> Result<Cipher, ProtoError> {
    match aes_len {
        16 => Ok(Cipher::aes_128_cbc()),
        24 => Ok(Cipher::aes_192_cbc()),
        32 => Ok(Cipher::aes_256_cbc()),
        n => Err(ProtoError::BadKeyString(format!(
            "AES key of {n} bytes is not 16, 24 or 32"
        ))),
    }
}

fn strip_padding(mut data: Vec<u8>) -> Result<Vec<u8>, ProtoError> {
    let pad = *data
        .last()
        .ok_or_else(|| ProtoError::BadBlob("empty plaintext".into()))? as usize;
    if pad == 0 || pad > 16 || pad > data.len() {
        return Err(ProtoError::BadBlob(format!("invalid padding length {pad}")));
    }
    data.truncate(data.len() - pad);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_string_is_aes192_plus_hmac() {
        let ks = Crypticle::generate_key_string();
        assert_eq!(ks.len(), 76);
        let c = Crypticle::from_key_string(&ks).unwrap();
        assert_eq!((c.aes_key.len(), c.hmac_key.len()), (24, 32));
        assert!(Crypticle::from_key_string("!!").is_err());
        assert!(Crypticle::from_key_string("AAAA").is_err());
    }

    #[test]
    fn round_trip_and_tamper_detection() {
        let c = Crypticle::from_key_string(&Crypticle::generate_key_string()).unwrap();
        let obj = wire::mp_map([
            ("fun", Mp::from("test.ping")),
            ("bin", Mp::Binary(vec![0xff])),
        ]);
        let blob = c.dumps(&obj);
        assert_eq!(
            c.loads(&blob, None).unwrap(),
            wire::decode(&wire::encode(&obj), "t").unwrap()
        );
        let mut bad = blob.clone();
        bad[20] ^= 1;
        assert!(matches!(c.loads(&bad, None), Err(ProtoError::Hmac)));
        let other = Crypticle::from_key_string(&Crypticle::generate_key_string()).unwrap();
        assert!(matches!(other.loads(&blob, None), Err(ProtoError::Hmac)));
        assert!(matches!(
            c.decrypt(&blob[..40]),
            Err(ProtoError::BadBlob(_))
        ));
    }

    #[test]
    fn nonce_prefix_is_checked() {
        let c = Crypticle::from_key_string(&Crypticle::generate_key_string()).unwrap();
        let nonce = "0123456789abcdef0123456789abcdef";
        let blob = c.encrypt(&Crypticle::plaintext(&Mp::Nil, Some(nonce)));
        assert_eq!(c.loads(&blob, Some(nonce)).unwrap(), Mp::Nil);
        let wrong = "f".repeat(32);
        assert!(matches!(
            c.loads(&blob, Some(&wrong)),
            Err(ProtoError::NonceMismatch(_))
        ));
    }

    #[test]
    fn missing_pickle_prefix_is_empty_map() {
        let c = Crypticle::from_key_string(&Crypticle::generate_key_string()).unwrap();
        assert_eq!(
            c.loads(&c.encrypt(b"hello"), None).unwrap(),
            Mp::Map(vec![])
        );
    }
}
