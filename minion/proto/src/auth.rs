//! The `_auth` handshake (§6): build the clear request, then check and open the
//! signed reply (master key trust, outer signature, nonce, X9.31 `sig` over the
//! AES key, token echo, `master_finger`).
//!
//! Not implemented: `verify_master_pubkey_sign`/`pub_sig` (§6.6) — a reply
//! carrying `pub_sig` is accepted but the signature is not checked.

use rmpv::Value as Mp;

use crate::crypto::{self, EncAlgo, SigAlgo};
use crate::error::ProtoError;
use crate::keys::{self, MasterKey, MinionKeys};
use crate::wire::{self, bytes_of, map_get, str_of};

/// What the minion knows when it authenticates.
pub struct AuthContext<'a> {
    /// Minion id.
    pub id: &'a str,
    /// The minion key pair.
    pub keys: &'a MinionKeys,
    /// `minion_master.pub`, if cached.
    pub cached_master: Option<&'a MasterKey>,
    /// `encryption_algorithm`.
    pub enc_algo: EncAlgo,
    /// `signing_algorithm`.
    pub sig_algo: SigAlgo,
    /// The random token `T` (a key string) sent encrypted when a master key is cached.
    pub token: &'a str,
    /// `autosign_grains` (grain name → value) if configured.
    pub autosign_grains: Option<Mp>,
    /// `master_finger`, if configured.
    pub master_finger: Option<&'a str>,
    /// `hash_type` for the fingerprint.
    pub hash_type: &'a str,
}

/// A built `_auth` request.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    /// The frame to send on a fresh REQ socket.
    pub frame: Vec<u8>,
    /// The nonce the reply must echo.
    pub nonce: String,
    /// Whether a `token` was included (enables the token check).
    pub token_sent: bool,
}

/// Credentials obtained from a successful `_auth`.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Publish AES key string (publications).
    pub aes_key: String,
    /// Per-minion session key string (request channel).
    pub session_key: String,
    /// `publish_port` announced by the master.
    pub publish_port: Option<u16>,
    /// The verified master key.
    pub master_key: MasterKey,
    /// True when the master key was not cached yet: write `minion_master.pub`.
    pub master_key_is_new: bool,
}

/// What the master decided.
#[derive(Debug, Clone)]
pub enum AuthOutcome {
    /// Accepted; here are the keys.
    Accepted(Box<Credentials>),
    /// The key is pending acceptance on the master (`ret: true`).
    Pending,
    /// The key was rejected or denied (`ret: false`).
    Rejected,
    /// `max_minions` reached (`ret: "full"`).
    Full,
}

/// Build the `_auth` request (§6.1).
pub fn build_request(ctx: &AuthContext<'_>, nonce: &str) -> Result<AuthRequest, ProtoError> {
    let mut load = vec![
        (Mp::from("cmd"), Mp::from("_auth")),
        (Mp::from("id"), Mp::from(ctx.id)),
        (Mp::from("nonce"), Mp::from(nonce)),
        (Mp::from("enc_algo"), Mp::from(ctx.enc_algo.as_str())),
        (Mp::from("sig_algo"), Mp::from(ctx.sig_algo.as_str())),
    ];
    if let Some(grains) = &ctx.autosign_grains {
        load.push((Mp::from("autosign_grains"), grains.clone()));
    }
    // Captured 3008.4 frames put `pub` before `token`.
    load.push((Mp::from("pub"), Mp::from(ctx.keys.public_pem_clean())));
    let token_sent = ctx.cached_master.is_some();
    if let Some(master) = ctx.cached_master {
        let token = crypto::oaep_encrypt(master.pkey(), ctx.enc_algo, ctx.token.as_bytes())?;
        load.push((Mp::from("token"), Mp::Binary(token)));
    }
    let envelope = wire::mp_map([
        ("enc", Mp::from("clear")),
        ("load", Mp::Map(load)),
        ("version", Mp::from(crate::PROTOCOL_VERSION)),
    ]);
    Ok(AuthRequest {
        frame: wire::encode(&envelope),
        nonce: nonce.to_string(),
        token_sent,
    })
}

const WHAT: &str = "auth reply";

/// Check and open the master's reply to `request` (§6.4).
pub fn process_reply(
    ctx: &AuthContext<'_>,
    request: &AuthRequest,
    frame: &[u8],
) -> Result<AuthOutcome, ProtoError> {
    let reply = wire::decode(frame, WHAT)?;
    if let Some(text) = str_of(&reply) {
        return Err(ProtoError::MasterError(text.to_string()));
    }
    let load = map_get(&reply, "load").ok_or(ProtoError::MissingField {
        what: WHAT,
        field: "load",
    })?;
    if let Some(ret) = map_get(load, "ret").and_then(str_of) {
        return Err(ProtoError::Config(ret.to_string()));
    }
    let load_bytes = bytes_of(load).ok_or_else(|| bad("load", "not a byte string"))?;
    let inner = wire::decode(load_bytes, "auth reply inner load")?;
    let mut fresh = None;
    let mut keys_found = None;
    if let Some(pub_key) = map_get(&inner, "pub_key") {
        let (master, is_new) = trusted_master(ctx, request, pub_key)?;
        let aes = extract_aes(ctx, request, &inner, &master, is_new)?;
        let session = decrypt_field(ctx, &inner, "session")?;
        keys_found = Some((aes, session));
        fresh = Some((master, is_new));
    }
    let verify_key = fresh.as_ref().map(|(m, _)| m).or(ctx.cached_master);
    if let Some(master) = verify_key {
        let sig = map_get(&reply, "sig").and_then(bytes_of);
        let ok = sig.is_some_and(|s| crypto::verify(master.pkey(), ctx.sig_algo, load_bytes, s));
        if !ok {
            return Err(ProtoError::Signature(
                "auth reply signature is missing or invalid".into(),
            ));
        }
    }
    if map_get(&inner, "nonce").and_then(bytes_of) != Some(request.nonce.as_bytes()) {
        return Err(ProtoError::NonceMismatch(WHAT));
    }
    if let Some(ret) = map_get(&inner, "ret") {
        return Ok(ret_outcome(ret));
    }
    let (Some((master, is_new)), Some((aes_key, session_key))) = (fresh, keys_found) else {
        return Err(ProtoError::MissingField {
            what: WHAT,
            field: "pub_key",
        });
    };
    check_finger(ctx, &master)?;
    let publish_port = map_get(&inner, "publish_port")
        .and_then(Mp::as_u64)
        .and_then(|p| u16::try_from(p).ok());
    Ok(AuthOutcome::Accepted(Box::new(Credentials {
        aes_key,
        session_key,
        publish_port,
        master_key: master,
        master_key_is_new: is_new,
    })))
}

fn bad(field: &'static str, reason: &str) -> ProtoError {
    ProtoError::BadField {
        what: WHAT,
        field,
        reason: reason.to_string(),
    }
}

fn ret_outcome(ret: &Mp) -> AuthOutcome {
    match ret {
        Mp::Boolean(true) => AuthOutcome::Pending,
        Mp::Boolean(false) | Mp::Nil => AuthOutcome::Rejected,
        other if str_of(other) == Some("full") => AuthOutcome::Full,
        other if wire::to_value(other).as_str() == Some("") => AuthOutcome::Rejected,
        _ => AuthOutcome::Pending,
    }
}

/// Decide which master key to trust (§6.5): TOFU on first contact, else it must
/// equal the cached key.
fn trusted_master(
    ctx: &AuthContext<'_>,
    request: &AuthRequest,
    pub_key: &Mp,
) -> Result<(MasterKey, bool), ProtoError> {
    let text = str_of(pub_key).ok_or_else(|| bad("pub_key", "not text"))?;
    let offered = MasterKey::from_pem(text, "auth reply pub_key")?;
    match ctx.cached_master {
        Some(cached) if request.token_sent => {
            if *cached != offered {
                return Err(ProtoError::MasterKeyChanged);
            }
            Ok((offered, false))
        }
        Some(cached) => Ok((cached.clone(), false)),
        None => Ok((offered, true)),
    }
}

fn decrypt_field(
    ctx: &AuthContext<'_>,
    inner: &Mp,
    field: &'static str,
) -> Result<String, ProtoError> {
    let cipher = map_get(inner, field)
        .and_then(bytes_of)
        .ok_or(ProtoError::MissingField { what: WHAT, field })?;
    let plain = crypto::oaep_decrypt(ctx.keys.pkey(), ctx.enc_algo, cipher)?;
    String::from_utf8(plain).map_err(|_| bad(field, "decrypted value is not text"))
}

/// Decrypt `aes`, check the X9.31 `sig` over its SHA-256 hex, check the token echo.
fn extract_aes(
    ctx: &AuthContext<'_>,
    request: &AuthRequest,
    inner: &Mp,
    master: &MasterKey,
    first_contact: bool,
) -> Result<String, ProtoError> {
    let aes = decrypt_field(ctx, inner, "aes")?;
    let sig = map_get(inner, "sig")
        .and_then(bytes_of)
        .ok_or(ProtoError::MissingField {
            what: WHAT,
            field: "sig",
        })?;
    let digest = crypto::x931_recover(master.rsa(), sig)?;
    if digest != crypto::sha256_hex(aes.as_bytes()).as_bytes() {
        return Err(ProtoError::Signature(
            "X9.31 sig over the AES key does not match".into(),
        ));
    }
    let (aes_key, embedded_token) = match aes.split_once("_|-") {
        Some((k, t)) => (k.to_string(), Some(t.to_string())),
        None => (aes, None),
    };
    let echoed = match embedded_token {
        Some(t) => Some(t),
        None if map_get(inner, "token").is_some() => Some(decrypt_field(ctx, inner, "token")?),
        None => None,
    };
    if request.token_sent && !first_contact && echoed.as_deref() != Some(ctx.token) {
        return Err(ProtoError::Signature(
            "the master did not echo our auth token".into(),
        ));
    }
    Ok(aes_key)
}

fn check_finger(ctx: &AuthContext<'_>, master: &MasterKey) -> Result<(), ProtoError> {
    match ctx.master_finger {
        Some(want)
            if !want.trim().is_empty() && !keys::finger_matches(master, want, ctx.hash_type) =>
        {
            Err(ProtoError::FingerprintMismatch {
                expected: want.to_string(),
                actual: master.fingerprint(ctx.hash_type),
            })
        }
        _ => Ok(()),
    }
}
