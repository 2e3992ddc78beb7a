//! Salt's `ssh` execution module, the authorized_keys part
//! (`salt/modules/ssh.py`): auth_keys, check_key, set_auth_key,
//! rm_auth_key, check_key_file, set_auth_key_from_file,
//! rm_auth_key_from_file.

pub mod authfile;
pub mod keys;

use halite_api::{ExecCall, ExecError, ExecSpec, Map, Value};

use super::{ok, reject_unknown_kwargs, required_str, ExecResult};
use authfile::{SourceKeys, Target};
use keys::SshError;

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "ssh.auth_keys", doc: "Return the authorized keys for users", run: auth_keys },
    ExecSpec { name: "ssh.check_key", doc: "Check to see if a key needs updating, returns \"update\", \"add\" or \"exists\"", run: check_key },
    ExecSpec { name: "ssh.set_auth_key", doc: "Add a key to the authorized_keys file. The \"key\" parameter must only be the string of text that is the encoded key. If the key begins with \"ssh-rsa\" or ends with user@host, remove those from the key before passing it to this function.", run: set_auth_key },
    ExecSpec { name: "ssh.rm_auth_key", doc: "Remove an authorized key from the specified user's authorized key file", run: rm_auth_key },
    ExecSpec { name: "ssh.check_key_file", doc: "Check a keyfile from a source destination against the local keys and return the keys to change", run: check_key_file },
    ExecSpec { name: "ssh.set_auth_key_from_file", doc: "Add a key to the authorized_keys file, using a file as the source.", run: set_auth_key_from_file },
    ExecSpec { name: "ssh.rm_auth_key_from_file", doc: "Remove an authorized key from the specified user's authorized key file, using a file as source", run: rm_auth_key_from_file },
];

const DEFAULT_CONFIG: &str = ".ssh/authorized_keys";

fn fail(e: SshError) -> ExecError {
    ExecError::Failed(e.0)
}

/// An `options` argument as Salt's `",".join(options)` sees it.
pub fn options_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().map(halite_api::py::str_of).collect(),
        Some(Value::String(s)) => s.chars().map(String::from).collect(),
        Some(Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

fn opt_str(call: &ExecCall<'_>, idx: usize, key: &str) -> Option<String> {
    call.arg(idx, key)
        .filter(|v| !v.is_null())
        .map(halite_api::py::str_of)
}

fn config_at(call: &ExecCall<'_>, idx: usize) -> String {
    opt_str(call, idx, "config").unwrap_or_else(|| DEFAULT_CONFIG.into())
}

fn auth_keys(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["user", "config", "fingerprint_hash_type"])?;
    let config = config_at(call, 1);
    let ht = opt_str(call, 2, "fingerprint_hash_type");
    let users: Vec<String> = match call.arg(0, "user") {
        None | Some(Value::Null) => all_users(),
        Some(Value::String(s)) if s.is_empty() => all_users(),
        Some(Value::Array(a)) => a.iter().map(halite_api::py::str_of).collect(),
        Some(v) => {
            let user = halite_api::py::str_of(v);
            let t = Target {
                user: &user,
                config: &config,
                hash_type: ht.as_deref(),
            };
            return ok(Value::Object(authfile::auth_keys(&t).map_err(fail)?));
        }
    };
    let mut out = Map::new();
    for user in users {
        let t = Target {
            user: &user,
            config: &config,
            hash_type: ht.as_deref(),
        };
        if let Ok(full) = keys::config_file(&user, &config) {
            if std::path::Path::new(&full).is_file() {
                out.insert(
                    user.clone(),
                    Value::Object(authfile::auth_keys(&t).map_err(fail)?),
                );
            }
        }
    }
    ok(Value::Object(out))
}

/// `user.list_users`: every passwd name, sorted.
fn all_users() -> Vec<String> {
    let mut all: Vec<String> = crate::util::accounts::system_users()
        .iter()
        .map(|u| u.name.clone())
        .collect();
    all.sort();
    all
}

/// The argspec of `check_key` and `set_auth_key`.
const KEY_ARGS: &[&str] = &[
    "user",
    "key",
    "enc",
    "comment",
    "options",
    "config",
    "cache_keys",
    "fingerprint_hash_type",
];

fn check_key(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, KEY_ARGS)?;
    let user = required_str(call, 0, "user")?;
    let key = required_str(call, 1, "key")?;
    let enc = required_str(call, 2, "enc")?;
    let comment = required_str(call, 3, "comment")?;
    if call.arg(4, "options").is_none() {
        return Err(ExecError::Invocation(
            "Missing required argument: 'options'".into(),
        ));
    }
    let options = options_list(call.arg(4, "options"));
    let (config, ht) = (
        config_at(call, 5),
        opt_str(call, 7, "fingerprint_hash_type"),
    );
    let t = Target {
        user: &user,
        config: &config,
        hash_type: ht.as_deref(),
    };
    ok(authfile::check_key(&t, &key, &enc, &comment, &options).map_err(fail)?)
}

fn set_auth_key(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, KEY_ARGS)?;
    let user = required_str(call, 0, "user")?;
    let key = required_str(call, 1, "key")?;
    let enc = opt_str(call, 2, "enc").unwrap_or_else(|| "ssh-rsa".into());
    let comment = opt_str(call, 3, "comment").unwrap_or_default();
    let options = options_list(call.arg(4, "options"));
    let (config, ht) = (
        config_at(call, 5),
        opt_str(call, 7, "fingerprint_hash_type"),
    );
    let t = Target {
        user: &user,
        config: &config,
        hash_type: ht.as_deref(),
    };
    ok(authfile::set_auth_key(call.ctx, &t, &key, &enc, &comment, &options).map_err(fail)?)
}

fn rm_auth_key(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["user", "key", "config", "fingerprint_hash_type"])?;
    let user = required_str(call, 0, "user")?;
    let key = required_str(call, 1, "key")?;
    let (config, ht) = (
        config_at(call, 2),
        opt_str(call, 3, "fingerprint_hash_type"),
    );
    let t = Target {
        user: &user,
        config: &config,
        hash_type: ht.as_deref(),
    };
    ok(authfile::rm_auth_key(&t, &key).map_err(fail)?)
}

/// The argspec of the `*_from_file` functions (`set_auth_key_from_file` also
/// takes `**kwargs`).
const FROM_FILE_ARGS: &[&str] = &[
    "user",
    "source",
    "config",
    "saltenv",
    "fingerprint_hash_type",
];

/// The shared prologue of the `*_from_file` functions:
/// `(user, source, config, saltenv, fingerprint_hash_type)` read, the
/// source's keys fetched.
struct FromFile {
    user: String,
    config: String,
    hash_type: Option<String>,
    keys: SourceKeys,
}

impl FromFile {
    fn read(call: &ExecCall<'_>) -> Result<FromFile, ExecError> {
        let user = required_str(call, 0, "user")?;
        let source = required_str(call, 1, "source")?;
        let config = config_at(call, 2);
        let saltenv = opt_str(call, 3, "saltenv").unwrap_or_else(|| "base".into());
        let hash_type = opt_str(call, 4, "fingerprint_hash_type");
        let keys = authfile::source_keys(call.ctx, &source, &saltenv, hash_type.as_deref())
            .map_err(fail)?;
        Ok(FromFile {
            user,
            config,
            hash_type,
            keys,
        })
    }

    fn target(&self) -> Target<'_> {
        Target {
            user: &self.user,
            config: &self.config,
            hash_type: self.hash_type.as_deref(),
        }
    }
}

fn check_key_file(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, FROM_FILE_ARGS)?;
    let f = FromFile::read(call)?;
    match &f.keys {
        SourceKeys::Keys(k) => ok(Value::Object(
            authfile::check_key_file(&f.target(), k).map_err(fail)?,
        )),
        _ => ok(Value::Object(Map::new())),
    }
}

const PULL_FAILED: &str = "Failed to pull key file from salt file server";

fn set_auth_key_from_file(call: &ExecCall<'_>) -> ExecResult {
    let f = FromFile::read(call)?;
    let options = options_list(call.kwargs.get("options"));
    match &f.keys {
        SourceKeys::Missing => Err(ExecError::Failed(PULL_FAILED.into())),
        SourceKeys::Empty(_) => ok("fail"),
        SourceKeys::Keys(k) => {
            ok(authfile::set_from_keys(call.ctx, &f.target(), k, &options).map_err(fail)?)
        }
    }
}

fn rm_auth_key_from_file(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, FROM_FILE_ARGS)?;
    let f = FromFile::read(call)?;
    match &f.keys {
        SourceKeys::Missing => Err(ExecError::Failed(PULL_FAILED.into())),
        SourceKeys::Empty(_) => ok("fail"),
        SourceKeys::Keys(k) => ok(authfile::rm_from_keys(&f.target(), k).map_err(fail)?),
    }
}

#[cfg(test)]
pub mod tests;
