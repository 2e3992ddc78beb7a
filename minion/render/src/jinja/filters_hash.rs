//! Salt's hashing filters (`salt/utils/hashutils.py`, `uuid` of
//! `salt/utils/jinja.py`, `random_str` and `to_bytes` of
//! `salt/utils/stringutils.py`): `md5`, `sha1`, `hmac`, `hmac_compute`,
//! `random_hash`/`rand_str`, `random_str`, `uuid`, `file_hashsum`, `to_bytes`.
//! Bytes are a [`PyBytes`] object that prints as Python's `b'...'`.

use std::sync::Arc;

use minijinja::value::{Kwargs, Object, ObjectRepr};
use minijinja::{Environment, Error, ErrorKind, Value};
use sha2::Digest as _;

use super::tuple::{bytes_repr, PyTuple};

/// Register the filters of this file.
pub fn register(env: &mut Environment<'static>) {
    env.add_filter("md5", md5);
    env.add_filter("sha1", sha1);
    env.add_filter("hmac", hmac_verify);
    env.add_filter("hmac_compute", hmac_compute);
    env.add_filter("random_hash", random_hash);
    env.add_filter("rand_str", random_hash);
    env.add_filter("random_str", random_str);
    env.add_filter("uuid", uuid);
    env.add_filter("file_hashsum", file_hashsum);
    env.add_filter("to_bytes", to_bytes);
}

/// The most characters (or items) a filter generates from a size argument:
/// a template cannot make the minion allocate without bound.
pub(super) const MAX_GENERATED: usize = 1 << 24;

/// `n` when it is within [`MAX_GENERATED`], else an error naming `fun`.
pub(super) fn bounded(fun: &str, n: usize) -> Result<usize, Error> {
    if n > MAX_GENERATED {
        return Err(invalid(format!(
            "{fun}: {n} is more than Halite generates ({MAX_GENERATED})"
        )));
    }
    Ok(n)
}

pub(super) fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

/// Python `bytes`: prints as its repr (`b'abc'`), as Salt's `to_bytes` does.
#[derive(Debug)]
pub struct PyBytes(pub Vec<u8>);

impl Object for PyBytes {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&bytes_repr(&self.0))
    }
}

/// Python's type name of a template value (`int`, `str`, `NoneType` ...).
pub fn py_type(v: &Value) -> &'static str {
    use minijinja::value::ValueKind as K;
    if v.downcast_object_ref::<PyTuple>().is_some() {
        return "tuple";
    }
    if v.downcast_object_ref::<PyBytes>().is_some() {
        return "bytes";
    }
    match v.kind() {
        K::Undefined => "Undefined",
        K::None => "NoneType",
        K::Bool => "bool",
        K::Number if v.is_integer() => "int",
        K::Number => "float",
        K::String => "str",
        K::Bytes => "bytes",
        K::Seq => "list",
        K::Map => "dict",
        _ => "object",
    }
}

/// `salt.utils.stringutils.to_bytes` of a str or bytes value (UTF-8).
pub fn bytes_of(v: &Value) -> Result<Vec<u8>, Error> {
    if let Some(b) = v.downcast_object_ref::<PyBytes>() {
        return Ok(b.0.clone());
    }
    if let Some(s) = v.as_str() {
        return Ok(s.as_bytes().to_vec());
    }
    if let Some(b) = v.as_bytes() {
        return Ok(b.to_vec());
    }
    Err(invalid(format!(
        "expected str, bytes, or bytearray not <class '{}'>",
        py_type(v)
    )))
}

/// `md5`: hex digest.
pub fn md5(v: Value) -> Result<String, Error> {
    Ok(hex::encode(md5::Md5::digest(bytes_of(&v)?)))
}

/// `sha1`: hex digest.
pub fn sha1(v: Value) -> Result<String, Error> {
    Ok(hex::encode(sha1::Sha1::digest(bytes_of(&v)?)))
}

/// HMAC-SHA256 (RFC 2104) of `msg` with `key`.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&sha2::Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |x: u8| block.iter().map(|b| b ^ x).collect::<Vec<u8>>();
    let mut inner = sha2::Sha256::new();
    inner.update(pad(0x36));
    inner.update(msg);
    let mut outer = sha2::Sha256::new();
    outer.update(pad(0x5c));
    outer.update(inner.finalize());
    outer.finalize().to_vec()
}

/// `hmac(shared_secret, challenge_hmac)`: whether the base64 HMAC-SHA256 of
/// the string is the challenge.
pub fn hmac_verify(v: Value, secret: Value, challenge: Value) -> Result<bool, Error> {
    use base64::Engine as _;
    let digest = hmac_sha256(&bytes_of(&secret)?, &bytes_of(&v)?);
    let expected = bytes_of(&challenge)?;
    Ok(base64::engine::general_purpose::STANDARD
        .encode(digest)
        .as_bytes()
        == expected)
}

/// `hmac_compute(shared_secret)`: hex HMAC-SHA256.
pub fn hmac_compute(v: Value, secret: Value) -> Result<String, Error> {
    Ok(hex::encode(hmac_sha256(
        &bytes_of(&secret)?,
        &bytes_of(&v)?,
    )))
}

/// A `hashlib` constructor by name: the hex digest of `data`.
fn hashlib(name: &str, data: &[u8]) -> Option<String> {
    Some(match name {
        "md5" => hex::encode(md5::Md5::digest(data)),
        "sha1" => hex::encode(sha1::Sha1::digest(data)),
        "sha224" => hex::encode(sha2::Sha224::digest(data)),
        "sha256" => hex::encode(sha2::Sha256::digest(data)),
        "sha384" => hex::encode(sha2::Sha384::digest(data)),
        "sha512" => hex::encode(sha2::Sha512::digest(data)),
        _ => return None,
    })
}

/// `os.urandom(n)`.
fn urandom(n: usize) -> Result<Vec<u8>, Error> {
    use std::io::Read as _;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| invalid(e.to_string()))?;
    Ok(buf)
}

/// A Python int argument, with Python's error for other types.
fn int_arg(v: &Value, what: &str) -> Result<i64, Error> {
    match v.as_i64() {
        Some(n) if v.is_integer() => Ok(n),
        _ => Err(invalid(what.replace("{}", py_type(v)))),
    }
}

/// `random_hash(size=9999999999, hash_type='md5')` (also `rand_str`): the hash
/// of the decimal text of a random int in `0..=size`.
pub fn random_hash(
    size: Option<Value>,
    hash_type: Option<Value>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let size = size.or(kwargs.get("size")?);
    let hash_type = hash_type.or(kwargs.get("hash_type")?);
    kwargs.assert_all_used()?;
    let size = match size {
        Some(v) => int_arg(&v, "can only concatenate {} (not \"int\") to {}")?,
        None => 9_999_999_999,
    };
    if size < 0 {
        return Err(invalid(format!(
            "empty range in randrange(0, {})",
            size + 1
        )));
    }
    let name = match hash_type.as_ref().filter(|v| v.is_true()) {
        Some(v) => v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string()),
        None => "md5".into(),
    };
    let raw = urandom(8)?;
    let n = u64::from_le_bytes(raw.try_into().unwrap_or_default()) % (size as u64 + 1);
    hashlib(&name, n.to_string().as_bytes())
        .ok_or_else(|| invalid(format!("module 'hashlib' has no attribute '{name}'")))
}

/// `random_str(size=32)`: base64 of `size` random bytes, cut to `size` chars.
pub fn random_str(size: Option<Value>) -> Result<String, Error> {
    use base64::Engine as _;
    let size = match size {
        Some(v) => int_arg(&v, "'{}' object cannot be interpreted as an integer")?,
        None => 32,
    };
    if size < 0 {
        return Err(invalid("negative argument not allowed"));
    }
    let size = bounded("random_str", size as usize)? as i64;
    let text = base64::engine::general_purpose::STANDARD.encode(urandom(size as usize)?);
    Ok(text.chars().take(size as usize).collect())
}

/// Salt's `GLOBAL_UUID` namespace.
const GLOBAL_UUID: [u8; 16] = [
    0x91, 0x63, 0x3E, 0xBF, 0x1C, 0x86, 0x5E, 0x33, 0x93, 0x5A, 0x28, 0x06, 0x1F, 0x4B, 0x48, 0x0E,
];

/// `uuid`: `uuid.uuid5(GLOBAL_UUID, value)`.
pub fn uuid(v: Value) -> Result<String, Error> {
    let name = bytes_of(&v)?;
    let mut h = sha1::Sha1::new();
    h.update(GLOBAL_UUID);
    h.update(&name);
    let mut b: Vec<u8> = h.finalize()[..16].to_vec();
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    ))
}

/// `file_hashsum(form='sha256')`: the hex digest of a local file.
pub fn file_hashsum(path: String, form: Option<String>) -> Result<String, Error> {
    let form = form.unwrap_or_else(|| "sha256".into());
    if hashlib(&form, b"").is_none() {
        return Err(invalid(format!("Invalid hash type: {form}")));
    }
    let data = std::fs::read(&path).map_err(|e| {
        let errno = e.raw_os_error().unwrap_or(0);
        let text = e.to_string();
        let text = text.split(" (os error").next().unwrap_or(&text).to_string();
        invalid(format!("[Errno {errno}] {text}: '{path}'"))
    })?;
    hashlib(&form, &data).ok_or_else(|| invalid(format!("Invalid hash type: {form}")))
}

/// `to_bytes(encoding=None, errors='strict')`.
pub fn to_bytes(
    v: Value,
    encoding: Option<String>,
    errors: Option<String>,
) -> Result<Value, Error> {
    if let Some(b) = v.downcast_object_ref::<PyBytes>() {
        return Ok(Value::from_object(PyBytes(b.0.clone())));
    }
    let Some(s) = v.as_str() else {
        return bytes_of(&v).map(|b| Value::from_object(PyBytes(b)));
    };
    let enc = encoding.unwrap_or_else(|| "utf-8".into());
    let limit = match enc.to_lowercase().replace('_', "-").as_str() {
        "utf-8" | "utf8" => None,
        "ascii" | "us-ascii" => Some(0x7f),
        "latin-1" | "latin1" | "iso-8859-1" => Some(0xff),
        _ => return Err(invalid(format!("unknown encoding: {enc}"))),
    };
    let Some(limit) = limit else {
        return Ok(Value::from_object(PyBytes(s.as_bytes().to_vec())));
    };
    let errors = errors.unwrap_or_else(|| "strict".into());
    let mut out = Vec::new();
    for (i, c) in s.chars().enumerate() {
        match (c as u32 <= limit, errors.as_str()) {
            (true, _) => out.push(c as u32 as u8),
            (false, "ignore") => {}
            (false, "replace") => out.push(b'?'),
            (false, _) => {
                let codec = if limit == 0x7f { "ascii" } else { "latin-1" };
                return Err(invalid(format!(
                    "'{codec}' codec can't encode character '{}' in position {i}: ordinal not in range({})",
                    char_escape(c),
                    limit + 1
                )));
            }
        }
    }
    Ok(Value::from_object(PyBytes(out)))
}

/// Python's escape of a non-ASCII character in an error text (`\\xe9`, `\\u20ac`).
fn char_escape(c: char) -> String {
    match c as u32 {
        n @ 0..=0xff => format!("\\x{n:02x}"),
        n @ 0x100..=0xffff => format!("\\u{n:04x}"),
        n => format!("\\U{n:08x}"),
    }
}
