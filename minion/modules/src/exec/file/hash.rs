//! `file.get_hash` and `file.get_sum` (Salt's `hashutils.get_hash`).

use std::io::Read;
use std::path::Path;

use halite_api::{ExecCall, ExecError};
use sha2::Digest;

use crate::exec::{ok, python_str, reject_unknown_kwargs, required_str, ExecResult};

/// A hashlib constructor Halite has (md5, sha1, sha224..sha512): the one
/// digest code of the modules (file hashes, archive sums, ssh fingerprints).
pub enum Hasher {
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// The hasher of hashlib name `form`, if Halite has it.
    pub fn named(form: &str) -> Option<Self> {
        Self::new(form).ok()
    }
    fn new(form: &str) -> Result<Self, ExecError> {
        Ok(match form {
            "md5" => Self::Md5(Default::default()),
            "sha1" => Self::Sha1(Default::default()),
            "sha224" => Self::Sha224(Default::default()),
            "sha256" => Self::Sha256(Default::default()),
            "sha384" => Self::Sha384(Default::default()),
            "sha512" => Self::Sha512(Default::default()),
            _ => return Err(ExecError::Failed(format!("Invalid hash type: {form}"))),
        })
    }
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Self::Md5(h) => h.update(data),
            Self::Sha1(h) => h.update(data),
            Self::Sha224(h) => h.update(data),
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }
    pub fn hexdigest(self) -> String {
        match self {
            Self::Md5(h) => hex::encode(h.finalize()),
            Self::Sha1(h) => hex::encode(h.finalize()),
            Self::Sha224(h) => hex::encode(h.finalize()),
            Self::Sha256(h) => hex::encode(h.finalize()),
            Self::Sha384(h) => hex::encode(h.finalize()),
            Self::Sha512(h) => hex::encode(h.finalize()),
        }
    }
}

/// The hex digest of `data` with hashlib name `form` (None: not a form Halite has).
pub fn hex_digest(form: &str, data: &[u8]) -> Option<String> {
    let mut h = Hasher::named(form)?;
    h.update(data);
    Some(h.hexdigest())
}

/// Salt's `hashutils.get_hash(path, form)`: the file's hex digest, read in chunks.
pub fn hash_file(path: &str, form: &str) -> Result<String, ExecError> {
    let mut h = Hasher::new(form)?;
    let mut f = std::fs::File::open(path).map_err(|e| ExecError::Failed(py_oserror(&e, path)))?;
    let mut buf = vec![0u8; 65536];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| ExecError::Failed(format!("{path}: {e}")))?;
        if n == 0 {
            return Ok(h.hexdigest());
        }
        h.update(&buf[..n]);
    }
}

/// The strerror part of an io error (`No such file or directory`).
pub fn io_reason(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => crate::util::pyerr::strerror(n),
        None => e.to_string(),
    }
}

/// Python's `str(OSError)` for a path: `[Errno 2] No such file or directory: '/x'`.
pub fn py_oserror(e: &std::io::Error, path: &str) -> String {
    crate::util::pyerr::os_error(e, path)
}

fn form_arg(call: &ExecCall<'_>) -> String {
    call.arg(1, "form")
        .map(python_str)
        .unwrap_or_else(|| "sha256".into())
}

/// `file.get_hash(path, form='sha256', chunk_size=65536)`.
pub fn get_hash(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "form", "chunk_size"])?;
    let path = super::replace::expanduser(&required_str(call, 0, "path")?);
    ok(hash_file(&path, &form_arg(call))?)
}

/// `file.get_sum(path, form='sha256')`: `File not found` unless a regular file.
pub fn get_sum(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "form"])?;
    let path = super::replace::expanduser(&required_str(call, 0, "path")?);
    if !Path::new(&path).is_file() {
        return ok("File not found");
    }
    ok(hash_file(&path, &form_arg(call))?)
}
