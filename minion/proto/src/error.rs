//! Errors of the protocol layer. Each names the message and field involved.

/// Anything that can go wrong while building or reading a protocol message.
#[derive(Debug, thiserror::Error)]
pub enum ProtoError {
    /// Bytes that are not valid msgpack (or have trailing garbage).
    #[error("malformed msgpack in {what}: {reason}")]
    Msgpack { what: &'static str, reason: String },
    /// A required field is absent.
    #[error("{what}: missing field '{field}'")]
    MissingField {
        what: &'static str,
        field: &'static str,
    },
    /// A field is present but has the wrong type or value.
    #[error("{what}: bad field '{field}': {reason}")]
    BadField {
        what: &'static str,
        field: &'static str,
        reason: String,
    },
    /// The HMAC of a Crypticle blob did not verify (wrong or rotated key).
    #[error("message authentication failed (HMAC mismatch; key rotated or data forged)")]
    Hmac,
    /// A Crypticle blob too short or with bad padding.
    #[error("malformed encrypted blob: {0}")]
    BadBlob(String),
    /// A key string (base64 AES+HMAC key) that cannot be used.
    #[error("invalid AES key string: {0}")]
    BadKeyString(String),
    /// An RSA signature or X9.31 check failed.
    #[error("signature verification failed: {0}")]
    Signature(String),
    /// The nonce echoed by the master differs from the one sent.
    #[error("nonce mismatch in {0}")]
    NonceMismatch(&'static str),
    /// OpenSSL refused an operation.
    #[error("crypto error during {what}: {source}")]
    Crypto {
        what: &'static str,
        #[source]
        source: openssl::error::ErrorStack,
    },
    /// A key file could not be read or written.
    #[error("key file {path}: {source}")]
    KeyFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A key file or PEM text that does not parse.
    #[error("key {path}: {reason}")]
    KeyParse { path: String, reason: String },
    /// The master answered with an error string (e.g. "bad load").
    #[error("master returned an error: {0}")]
    MasterError(String),
    /// Configuration error detected by the master (e.g. "bad enc algo").
    #[error("master refused our configuration: {0}")]
    Config(String),
    /// The master's public key differs from the cached `minion_master.pub`.
    #[error("the master public key has changed (cached minion_master.pub differs); remove it if the change is intended")]
    MasterKeyChanged,
    /// `master_finger` is configured and does not match.
    #[error("master fingerprint mismatch: configured master_finger '{expected}', master key has '{actual}'")]
    FingerprintMismatch { expected: String, actual: String },
}

impl ProtoError {
    /// Wrap an OpenSSL error with what was being done.
    pub fn crypto(what: &'static str) -> impl FnOnce(openssl::error::ErrorStack) -> ProtoError {
        move |source| ProtoError::Crypto { what, source }
    }
}
