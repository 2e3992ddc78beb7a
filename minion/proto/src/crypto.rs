//! RSA primitives used by Salt (§5.1–5.3): OAEP key transport, PKCS#1 v1.5
//! signatures and the raw "X9.31" operation behind `tok` and the auth `sig`.
//!
//! Everything goes through OpenSSL (blinded, constant-time RSA); see
//! docs/crypto.md for why.

use openssl::bn::{BigNum, BigNumContext};
use openssl::encrypt::{Decrypter, Encrypter};
use openssl::hash::MessageDigest;
use openssl::pkey::{HasPublic, PKey, PKeyRef, Private, Public};
use openssl::rsa::{Padding, Rsa};
use openssl::sign::{Signer, Verifier};

use crate::error::ProtoError;

/// The minion's `encryption_algorithm` (RSA-OAEP hash, also used for MGF1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncAlgo {
    #[default]
    OaepSha1,
    OaepSha224,
}

/// The minion's `signing_algorithm` (PKCS#1 v1.5 digest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigAlgo {
    #[default]
    Pkcs1v15Sha1,
    Pkcs1v15Sha224,
}

impl EncAlgo {
    /// Salt's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EncAlgo::OaepSha1 => "OAEP-SHA1",
            EncAlgo::OaepSha224 => "OAEP-SHA224",
        }
    }
    /// Parse Salt's name (`OAEP-SHA1`, `OAEP-SHA224`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "OAEP-SHA1" => Some(EncAlgo::OaepSha1),
            "OAEP-SHA224" => Some(EncAlgo::OaepSha224),
            _ => None,
        }
    }
    fn digest(self) -> MessageDigest {
        match self {
            EncAlgo::OaepSha1 => MessageDigest::sha1(),
            EncAlgo::OaepSha224 => MessageDigest::sha224(),
        }
    }
}

impl SigAlgo {
    /// Salt's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SigAlgo::Pkcs1v15Sha1 => "PKCS1v15-SHA1",
            SigAlgo::Pkcs1v15Sha224 => "PKCS1v15-SHA224",
        }
    }
    /// Parse Salt's name (`PKCS1v15-SHA1`, `PKCS1v15-SHA224`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "PKCS1v15-SHA1" => Some(SigAlgo::Pkcs1v15Sha1),
            "PKCS1v15-SHA224" => Some(SigAlgo::Pkcs1v15Sha224),
            _ => None,
        }
    }
    fn digest(self) -> MessageDigest {
        match self {
            SigAlgo::Pkcs1v15Sha1 => MessageDigest::sha1(),
            SigAlgo::Pkcs1v15Sha224 => MessageDigest::sha224(),
        }
    }
}

/// RSA-OAEP encrypt `plain` to `key` (empty label, MGF1 with the same hash).
pub fn oaep_encrypt<T: HasPublic>(
    key: &PKeyRef<T>,
    algo: EncAlgo,
    plain: &[u8],
) -> Result<Vec<u8>, ProtoError> {
    let mut enc = Encrypter::new(key).map_err(ProtoError::crypto("RSA-OAEP encryption"))?;
    enc.set_rsa_padding(Padding::PKCS1_OAEP)
        .map_err(ProtoError::crypto("RSA-OAEP padding"))?;
    enc.set_rsa_oaep_md(algo.digest())
        .map_err(ProtoError::crypto("RSA-OAEP md"))?;
    enc.set_rsa_mgf1_md(algo.digest())
        .map_err(ProtoError::crypto("RSA-OAEP mgf1"))?;
    let len = enc
        .encrypt_len(plain)
        .map_err(ProtoError::crypto("RSA-OAEP length"))?;
    let mut out = vec![0; len];
    let n = enc
        .encrypt(plain, &mut out)
        .map_err(ProtoError::crypto("RSA-OAEP encryption"))?;
    out.truncate(n);
    Ok(out)
}

/// RSA-OAEP decrypt `cipher` with the private `key`.
pub fn oaep_decrypt(
    key: &PKeyRef<Private>,
    algo: EncAlgo,
    cipher: &[u8],
) -> Result<Vec<u8>, ProtoError> {
    let mut dec = Decrypter::new(key).map_err(ProtoError::crypto("RSA-OAEP decryption"))?;
    dec.set_rsa_padding(Padding::PKCS1_OAEP)
        .map_err(ProtoError::crypto("RSA-OAEP padding"))?;
    dec.set_rsa_oaep_md(algo.digest())
        .map_err(ProtoError::crypto("RSA-OAEP md"))?;
    dec.set_rsa_mgf1_md(algo.digest())
        .map_err(ProtoError::crypto("RSA-OAEP mgf1"))?;
    let len = dec
        .decrypt_len(cipher)
        .map_err(ProtoError::crypto("RSA-OAEP length"))?;
    let mut out = vec![0; len];
    let n = dec
        .decrypt(cipher, &mut out)
        .map_err(ProtoError::crypto("RSA-OAEP decryption"))?;
    out.truncate(n);
    Ok(out)
}

/// PKCS#1 v1.5 signature of `data`.
pub fn sign(key: &PKeyRef<Private>, algo: SigAlgo, data: &[u8]) -> Result<Vec<u8>, ProtoError> {
    let mut signer =
        Signer::new(algo.digest(), key).map_err(ProtoError::crypto("PKCS#1 v1.5 signing"))?;
    signer
        .update(data)
        .map_err(ProtoError::crypto("PKCS#1 v1.5 signing"))?;
    signer
        .sign_to_vec()
        .map_err(ProtoError::crypto("PKCS#1 v1.5 signing"))
}

/// Check a PKCS#1 v1.5 signature; `false` for any mismatch or malformed signature.
pub fn verify<T: HasPublic>(key: &PKeyRef<T>, algo: SigAlgo, data: &[u8], sig: &[u8]) -> bool {
    let Ok(mut verifier) = Verifier::new(algo.digest(), key) else {
        return false;
    };
    verifier.update(data).is_ok() && verifier.verify(sig).unwrap_or(false)
}

/// OpenSSL-compatible X9.31 "sign" (`RSA_private_encrypt` with X9.31 padding), no hash.
pub fn x931_sign(key: &Rsa<Private>, message: &[u8]) -> Result<Vec<u8>, ProtoError> {
    let k = key.size() as usize;
    if message.len() + 2 > k {
        return Err(ProtoError::BadField {
            what: "X9.31 signing",
            field: "message",
            reason: format!("{} bytes do not fit a {}-byte modulus", message.len(), k),
        });
    }
    let mut block = Vec::with_capacity(k);
    if message.len() == k - 2 {
        block.push(0x6a);
    } else {
        block.push(0x6b);
        block.resize(k - message.len() - 2, 0xbb);
        block.push(0xba);
    }
    block.extend_from_slice(message);
    block.push(0xcc);
    let mut raw = vec![0; k];
    let n = key
        .private_encrypt(&block, &mut raw, Padding::NONE)
        .map_err(ProtoError::crypto("X9.31 signing"))?;
    raw.truncate(n);
    let s = BigNum::from_slice(&raw).map_err(ProtoError::crypto("X9.31 signing"))?;
    let mut other = BigNum::new().map_err(ProtoError::crypto("X9.31 signing"))?;
    other
        .checked_sub(key.n(), &s)
        .map_err(ProtoError::crypto("X9.31 signing"))?;
    let smaller = if other < s { other } else { s };
    smaller
        .to_vec_padded(k as i32)
        .map_err(ProtoError::crypto("X9.31 signing"))
}

/// Recover the message of an X9.31 signature (`RSA_public_decrypt`, X9.31 padding).
pub fn x931_recover<T: HasPublic>(key: &Rsa<T>, sig: &[u8]) -> Result<Vec<u8>, ProtoError> {
    let k = key.size() as usize;
    let bad = |reason: &str| ProtoError::Signature(format!("X9.31: {reason}"));
    if sig.len() != k {
        return Err(bad("signature length differs from the modulus size"));
    }
    let mut raw = vec![0; k];
    let n = key
        .public_decrypt(sig, &mut raw, Padding::NONE)
        .map_err(|_| bad("RSA operation failed"))?;
    raw.truncate(n);
    let mut m = BigNum::from_slice(&raw).map_err(ProtoError::crypto("X9.31 recovery"))?;
    let mut ctx = BigNumContext::new().map_err(ProtoError::crypto("X9.31 recovery"))?;
    let sixteen = BigNum::from_u32(16).map_err(ProtoError::crypto("X9.31 recovery"))?;
    let mut rem = BigNum::new().map_err(ProtoError::crypto("X9.31 recovery"))?;
    rem.nnmod(&m, &sixteen, &mut ctx)
        .map_err(ProtoError::crypto("X9.31 recovery"))?;
    if rem != BigNum::from_u32(12).map_err(ProtoError::crypto("X9.31 recovery"))? {
        let mut flipped = BigNum::new().map_err(ProtoError::crypto("X9.31 recovery"))?;
        flipped
            .checked_sub(key.n(), &m)
            .map_err(ProtoError::crypto("X9.31 recovery"))?;
        m = flipped;
    }
    let block = m
        .to_vec_padded(k as i32)
        .map_err(|_| bad("recovered value too large"))?;
    parse_x931_block(&block).ok_or_else(|| bad("padding is not X9.31"))
}

fn parse_x931_block(block: &[u8]) -> Option<Vec<u8>> {
    let (&last, body) = block.split_last()?;
    if last != 0xcc {
        return None;
    }
    match body.first()? {
        0x6a => Some(body[1..].to_vec()),
        0x6b => {
            let rest = &body[1..];
            let fill = rest.iter().take_while(|&&b| b == 0xbb).count();
            (rest.get(fill) == Some(&0xba)).then(|| rest[fill + 1..].to_vec())
        }
        _ => None,
    }
}

/// Turn an RSA public key into a `PKey` usable with [`oaep_encrypt`]/[`verify`].
pub fn public_pkey(rsa: &Rsa<Public>) -> Result<PKey<Public>, ProtoError> {
    PKey::from_rsa(rsa.clone()).map_err(ProtoError::crypto("loading public key"))
}

/// Lowercase hex SHA-256 of `data` (what the auth `sig` signs).
pub fn sha256_hex(data: &[u8]) -> String {
    let digest = openssl::hash::hash(MessageDigest::sha256(), data).expect("sha256 is available");
    hex::encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Rsa<Private> {
        Rsa::generate(1024).unwrap()
    }

    #[test]
    fn x931_round_trip_and_min_rule() {
        let k = key();
        let sig = x931_sign(&k, b"salt").unwrap();
        assert_eq!(sig.len(), 128);
        let public =
            Rsa::from_public_components(k.n().to_owned().unwrap(), k.e().to_owned().unwrap())
                .unwrap();
        assert_eq!(x931_recover(&public, &sig).unwrap(), b"salt");
        let mut forged = sig.clone();
        forged[10] ^= 1;
        assert!(x931_recover(&public, &forged).is_err());
        let long = vec![7u8; 126];
        assert_eq!(
            x931_recover(&public, &x931_sign(&k, &long).unwrap()).unwrap(),
            long
        );
        assert!(x931_sign(&k, &[0; 127]).is_err());
    }

    #[test]
    fn oaep_and_pkcs1_round_trip_both_hashes() {
        let pkey = PKey::from_rsa(key()).unwrap();
        for algo in [EncAlgo::OaepSha1, EncAlgo::OaepSha224] {
            let c = oaep_encrypt(&pkey, algo, b"secret").unwrap();
            assert_eq!(oaep_decrypt(&pkey, algo, &c).unwrap(), b"secret");
        }
        let c = oaep_encrypt(&pkey, EncAlgo::OaepSha1, b"x").unwrap();
        assert!(oaep_decrypt(&pkey, EncAlgo::OaepSha224, &c).is_err());
        for algo in [SigAlgo::Pkcs1v15Sha1, SigAlgo::Pkcs1v15Sha224] {
            let s = sign(&pkey, algo, b"data").unwrap();
            assert!(verify(&pkey, algo, b"data", &s));
            assert!(!verify(&pkey, algo, b"datb", &s));
        }
    }

    #[test]
    fn algorithm_names() {
        assert_eq!(EncAlgo::parse("OAEP-SHA224"), Some(EncAlgo::OaepSha224));
        assert_eq!(
            SigAlgo::parse(SigAlgo::Pkcs1v15Sha1.as_str()),
            Some(SigAlgo::Pkcs1v15Sha1)
        );
        assert_eq!(EncAlgo::parse("RSA"), None);
    }
}
