//! The authorized_keys model of Salt's `ssh` module: key types
//! (`_refine_enc`), lines (`_format_auth_line`), `AuthorizedKeysFile` path
//! tokens (`%h`, `%u`, `%%`), fingerprints and the file reader
//! (`_validate_keys`).

use std::path::Path;
use std::sync::OnceLock;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use halite_api::{Map, Value};
use regex::Regex;

use crate::util::accounts::{self, PasswdEntry};

/// A `CommandExecutionError` of Salt's ssh module (its message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SshError(pub String);

/// `linere` of Salt's ssh module: `{options} {enc} {key} [comment]`.
pub fn line_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"^(.*?)\s?((?:sk-)?(?:ssh\-|ecds)[\w@.-]+\s.+)$").expect("static regex")
    })
}

/// `_replace_auth_key`'s key finder (`comps[0][3]` is the key).
pub fn replace_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r"((.*)\s)?((?:sk-)?(?:ssh|ecdsa)-[a-z0-9@.-]+)\s([a-zA-Z0-9+/]+={0,2})(\s(.*))?",
        )
        .expect("static regex")
    })
}

const ALSO_ALLOWED: &[&str] = &[
    "rsa-sha2-512",
    "rsa-sha2-256",
    "rsa-sha2-512-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
    "ssh-rsa-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ssh-ed25519-cert-v01@openssh.com",
    "sk-ssh-ed25519@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
];

/// `_refine_enc`: the key type an `enc` shorthand stands for.
pub fn refine_enc(enc: &str) -> Result<String, SshError> {
    let full = match enc {
        "r" | "rsa" | "ssh-rsa" => "ssh-rsa",
        "d" | "dsa" | "dss" | "ssh-dss" => "ssh-dss",
        "e" | "ecdsa" => "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp521" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp256" => enc,
        "ed25519" | "ssh-ed25519" => "ssh-ed25519",
        e if ALSO_ALLOWED.contains(&e) => e,
        _ => return Err(SshError(format!("Incorrect encryption key type '{enc}'."))),
    };
    Ok(full.to_string())
}

/// `_format_auth_line`: `[opt,opt ]enc key comment\n` (the space before an
/// empty comment stays).
pub fn format_line(key: &str, enc: &str, comment: &str, options: &[String]) -> String {
    let opts = if options.is_empty() {
        String::new()
    } else {
        format!("{} ", options.join(","))
    };
    format!("{opts}{enc} {key} {comment}\n")
}

/// `_expand_authorized_keys_path`: sshd's `%%`, `%u`, `%h` tokens.
pub fn expand_path(path: &str, user: &str, home: &str) -> Result<String, SshError> {
    let mut out = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('u') => out.push_str(user),
            Some('h') => out.push_str(home),
            Some(o) => {
                return Err(SshError(format!(
                    "AuthorizedKeysFile path: unknown token character \"%{o}\""
                )))
            }
            None => {
                return Err(SshError(
                    "AuthorizedKeysFile path: Last character can't be escape character".into(),
                ))
            }
        }
    }
    Ok(out)
}

/// `user.info` as far as these functions use it.
pub fn user_info(user: &str) -> Option<PasswdEntry> {
    accounts::user_by_name(user)
}

/// `_get_config_file`: the expanded path, joined to the home when relative.
pub fn config_file(user: &str, config: &str) -> Result<String, SshError> {
    let u = user_info(user).ok_or_else(|| SshError(format!("User '{user}' does not exist")))?;
    let c = expand_path(config, user, &u.home)?;
    if Path::new(&c).is_absolute() {
        return Ok(c);
    }
    Ok(Path::new(&u.home).join(c).to_string_lossy().into_owned())
}

/// Python's `base64.b64decode(s, validate=True)`, `None` on `binascii.Error`.
pub fn b64decode_strict(s: &str) -> Option<Vec<u8>> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"^[A-Za-z0-9+/]*={0,2}$").expect("static regex"));
    if !re.is_match(s) {
        return None;
    }
    let data = s.trim_end_matches('=');
    let pad = s.len() - data.len();
    let ok = match data.len() % 4 {
        0 => true,
        1 => false,
        2 => pad >= 2,
        _ => pad >= 1,
    };
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    ok.then(|| engine.decode(data).ok()).flatten()
}

use crate::exec::file::hash::hex_digest;

/// `_fingerprint`: `aa:bb:...` of the decoded key (`None` when the key is
/// not base64); hash types md5, sha1 and sha224..sha512.
pub fn fingerprint(key: &str, hash_type: Option<&str>) -> Result<Option<String>, SshError> {
    let ht = hash_type.map_or_else(|| "sha256".to_string(), str::to_lowercase);
    let supported = hex_digest(&ht, b"").is_some();
    if !supported {
        return Err(SshError(format!(
            "The fingerprint_hash_type {ht} is not supported."
        )));
    }
    let Some(raw) = b64decode_strict(key) else {
        return Ok(None);
    };
    let hex = hex_digest(&ht, &raw).unwrap_or_default();
    let pairs: Vec<&str> = (0..hex.len()).step_by(2).map(|i| &hex[i..i + 2]).collect();
    Ok(Some(pairs.join(":")))
}

/// The lines of a key file as Salt reads them: stripped, blank ones gone.
pub fn clean_lines(text: &str) -> Vec<String> {
    text.split_inclusive('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// One parsed authorized_keys line: (options, enc, key, comment).
pub fn parse_line(line: &str) -> Option<(Vec<String>, String, String, String)> {
    let c = line_re().captures(line)?;
    let comps: Vec<&str> = c[2].split_whitespace().collect();
    if comps.len() < 2 {
        return None;
    }
    let options = match &c[1] {
        "" => Vec::new(),
        o => o.split(',').map(str::to_string).collect(),
    };
    Some((
        options,
        comps[0].into(),
        comps[1].into(),
        comps[2..].join(" "),
    ))
}

/// `_validate_keys`: `{key: {enc, comment, options, fingerprint}}`.
pub fn validate_keys(key_file: &str, hash_type: Option<&str>) -> Result<Map, SshError> {
    let text = std::fs::read(key_file)
        .map_err(|_| SshError(format!("Problem reading ssh key file {key_file}")))?;
    let mut ret = Map::new();
    for line in clean_lines(&String::from_utf8_lossy(&text)) {
        if line.starts_with('#') {
            continue;
        }
        let Some((options, enc, key, comment)) = parse_line(&line) else {
            continue;
        };
        let Some(fp) = fingerprint(&key, hash_type)? else {
            continue;
        };
        let mut m = Map::new();
        m.insert("enc".into(), Value::String(enc));
        m.insert("comment".into(), Value::String(comment));
        m.insert(
            "options".into(),
            Value::Array(options.into_iter().map(Value::String).collect()),
        );
        m.insert("fingerprint".into(), Value::String(fp));
        ret.insert(key, Value::Object(m));
    }
    Ok(ret)
}

/// The fields of one `validate_keys` entry.
pub fn entry_fields(v: &Value) -> (String, String, Vec<String>) {
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let opts = v
        .get("options")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    (s("enc"), s("comment"), opts)
}
