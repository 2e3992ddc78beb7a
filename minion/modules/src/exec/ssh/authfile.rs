//! Salt's authorized_keys operations (`auth_keys`, `check_key`,
//! `set_auth_key`, `_replace_auth_key`, `rm_auth_key` and the `*_from_file`
//! variants): what they decide and how they rewrite the file. Rewrites are
//! atomic; a new file is `0600` and a new directory `0700`, both owned by the
//! user when running as root, as Salt does.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use halite_api::{Ctx, Map, Value};

use super::keys::{self, SshError};
use crate::util::atomic;

/// Where and how a key file is addressed.
pub struct Target<'a> {
    pub user: &'a str,
    pub config: &'a str,
    pub hash_type: Option<&'a str>,
}

/// `auth_keys` for one user: `{}` when the user or the file is missing.
pub fn auth_keys(t: &Target<'_>) -> Result<Map, SshError> {
    match keys::config_file(t.user, t.config) {
        Ok(full) if Path::new(&full).is_file() => keys::validate_keys(&full, t.hash_type),
        _ => Ok(Map::new()),
    }
}

/// `check_key`: `add`, `update` or `exists`.
pub fn check_key(
    t: &Target<'_>,
    key: &str,
    enc: &str,
    comment: &str,
    options: &[String],
) -> Result<&'static str, SshError> {
    let enc = keys::refine_enc(enc)?;
    let current = auth_keys(t)?;
    let Some(cur) = current.get(key) else {
        return Ok("add");
    };
    let (cenc, ccomment, copts) = keys::entry_fields(cur);
    let same = keys::format_line(key, &cenc, &ccomment, &copts)
        == keys::format_line(key, &enc, comment, options);
    Ok(if same { "exists" } else { "update" })
}

fn euid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// Salt's `restorecon` call on a new path, when the tool exists.
fn restorecon(ctx: &Ctx, path: &str) {
    if let Some(rcon) = crate::exec::cmd::which_path("restorecon") {
        let _ = ctx
            .runner
            .run(&halite_api::CmdSpec::argv([rcon.as_str(), path]));
    }
}

/// Own `path` by the user when running as root, then set `mode`.
fn own(path: &Path, u: &crate::util::accounts::PasswdEntry, mode: u32) -> std::io::Result<()> {
    if euid() == Some(0) {
        std::os::unix::fs::chown(path, Some(u.uid), Some(u.gid))?;
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

fn write_err(e: std::io::Error, path: &str) -> SshError {
    SshError(format!(
        "Could not write to key file: {}",
        crate::util::pyerr::os_error(&e, path)
    ))
}

/// `set_auth_key`: `invalid`, `fail`, `Invalid public key`, `replace`,
/// `no change` or `new`.
pub fn set_auth_key(
    ctx: &Ctx,
    t: &Target<'_>,
    key: &str,
    enc: &str,
    comment: &str,
    options: &[String],
) -> Result<&'static str, SshError> {
    if key.split_whitespace().count() > 1 {
        return Ok("invalid");
    }
    let enc = keys::refine_enc(enc)?;
    let Some(u) = keys::user_info(t.user) else {
        return Ok("fail");
    };
    if keys::fingerprint(key, t.hash_type)?.is_none() {
        return Ok("Invalid public key");
    }
    match check_key(t, key, &enc, comment, options)? {
        "update" => {
            replace_auth_key(t, key, &enc, comment, options)?;
            return Ok("replace");
        }
        "exists" => return Ok("no change"),
        _ => {}
    }
    let line = keys::format_line(key, &enc, comment, options);
    let fconfig = keys::config_file(t.user, t.config)?;
    if fconfig.starts_with(&u.home) && !Path::new(&u.home).is_dir() {
        return Ok("fail");
    }
    let dir = Path::new(&fconfig).parent().unwrap_or(Path::new("/"));
    if !dir.is_dir() {
        let d = dir.display().to_string();
        std::fs::create_dir_all(dir)
            .and_then(|_| own(dir, &u, 0o700))
            .map_err(|e| SshError(crate::util::pyerr::os_error(&e, &d)))?;
        restorecon(ctx, &d);
    }
    let path = Path::new(&fconfig);
    let new_file = !path.is_file();
    let mut text = if new_file {
        Vec::new()
    } else {
        std::fs::read(path).map_err(|e| write_err(e, &fconfig))?
    };
    if text.last().is_some_and(|b| *b != b'\n') {
        text.push(b'\n');
    }
    text.extend_from_slice(line.as_bytes());
    atomic::write_atomic(path, &text, 0o600).map_err(|e| write_err(e, &fconfig))?;
    if new_file {
        own(path, &u, 0o600).map_err(|e| write_err(e, &fconfig))?;
        restorecon(ctx, &fconfig);
    }
    Ok("new")
}

/// `_replace_auth_key`: the line holding `key` becomes the new line; blank
/// lines go, the others are kept stripped.
fn replace_auth_key(
    t: &Target<'_>,
    key: &str,
    enc: &str,
    comment: &str,
    options: &[String],
) -> Result<(), SshError> {
    let new = keys::format_line(key, enc, comment, options);
    let full = keys::config_file(t.user, t.config)?;
    let problem = |e: std::io::Error| {
        SshError(format!(
            "Problem reading or writing to key file: {}",
            crate::util::pyerr::os_error(&e, &full)
        ))
    };
    let text = std::fs::read(&full).map_err(problem)?;
    let mut out = String::new();
    for line in keys::clean_lines(&String::from_utf8_lossy(&text)) {
        let line = format!("{line}\n");
        let hit = !line.starts_with('#')
            && keys::replace_re()
                .captures(&line)
                .and_then(|c| c.get(4))
                .is_some_and(|m| m.as_str() == key);
        out.push_str(if hit { &new } else { &line });
    }
    atomic::write_atomic(Path::new(&full), out.as_bytes(), 0o644).map_err(problem)
}

/// `rm_auth_key`: `Key removed`, `Key not present`, `Key not removed` or
/// `Authorized keys file ... not present`.
pub fn rm_auth_key(t: &Target<'_>, key: &str) -> Result<String, SshError> {
    if !auth_keys(t)?.contains_key(key) {
        return Ok("Key not present".into());
    }
    let full = keys::config_file(t.user, t.config)?;
    if !Path::new(&full).is_file() {
        return Ok(format!("Authorized keys file {full} not present"));
    }
    let Ok(text) = std::fs::read(&full) else {
        return Ok("Key not removed".into());
    };
    let mut out = String::new();
    for line in keys::clean_lines(&String::from_utf8_lossy(&text)) {
        if !line.starts_with('#') {
            let Some(c) = keys::line_re().captures(&line) else {
                continue;
            };
            let comps: Vec<&str> = c[2].split_whitespace().collect();
            if comps.len() >= 2 && comps[1] == key {
                continue;
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    if atomic::write_atomic(Path::new(&full), out.as_bytes(), 0o644).is_err() {
        return Ok("Key not removed".into());
    }
    Ok("Key removed".into())
}

/// The keys of a `source` file (`salt://` through the file client).
pub enum SourceKeys {
    /// The file could not be fetched.
    Missing,
    /// Fetched, but no key in it: Salt's `ssh_auth.error` text.
    Empty(String),
    Keys(Map),
}

pub fn source_keys(
    ctx: &Ctx,
    source: &str,
    saltenv: &str,
    hash_type: Option<&str>,
) -> Result<SourceKeys, SshError> {
    let cached =
        crate::exec::cp::cache_source(ctx, source, saltenv).map_err(|e| SshError(e.to_string()))?;
    let Some(path) = cached else {
        return Ok(SourceKeys::Missing);
    };
    let keys = keys::validate_keys(&path.to_string_lossy(), hash_type)?;
    if keys.is_empty() {
        return Ok(SourceKeys::Empty(format!(
            "No keys detected in {source}. Is file properly formatted?"
        )));
    }
    Ok(SourceKeys::Keys(keys))
}

/// `check_key_file`: `{key: status}` for each key of the source.
pub fn check_key_file(t: &Target<'_>, keys: &Map) -> Result<Map, SshError> {
    let mut out = Map::new();
    for (key, v) in keys {
        let (enc, comment, opts) = keys::entry_fields(v);
        let status = check_key(t, key, &enc, &comment, &opts)?;
        out.insert(key.clone(), Value::String(status.into()));
    }
    Ok(out)
}

/// `set_auth_key_from_file`'s verdict over the source's keys.
pub fn set_from_keys(
    ctx: &Ctx,
    t: &Target<'_>,
    keys: &Map,
    options: &[String],
) -> Result<&'static str, SshError> {
    let mut all = String::new();
    for (key, v) in keys {
        let (enc, comment, opts) = keys::entry_fields(v);
        let opts = if options.is_empty() {
            opts
        } else {
            options.to_vec()
        };
        all.push_str(set_auth_key(ctx, t, key, &enc, &comment, &opts)?);
    }
    Ok(["fail", "replace", "new"]
        .into_iter()
        .find(|w| all.contains(w))
        .unwrap_or("no change"))
}

/// `rm_auth_key_from_file`'s verdict over the source's keys.
pub fn rm_from_keys(t: &Target<'_>, keys: &Map) -> Result<&'static str, SshError> {
    let mut all = String::new();
    for key in keys.keys() {
        all.push_str(&rm_auth_key(t, key)?);
    }
    Ok(["Key not removed", "Key removed"]
        .into_iter()
        .find(|w| all.contains(w))
        .unwrap_or("Key not present"))
}
