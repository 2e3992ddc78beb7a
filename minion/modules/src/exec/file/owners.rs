//! Owners and modes: `file.get_uid`, `get_gid`, `uid_to_user`,
//! `user_to_uid`, `gid_to_group`, `group_to_gid`, `set_mode`, `chown`.

use std::path::Path;

use halite_api::{ExecCall, ExecError, Value};

use super::replace::expanduser;
use crate::exec::{ok, python_str, reject_unknown_kwargs, required_str, ExecResult};
use crate::util::accounts;

fn follow(call: &ExecCall<'_>) -> bool {
    call.arg(1, "follow_symlinks")
        .is_none_or(halite_api::value::is_truthy)
}

/// `file.get_uid(path, follow_symlinks=True)`.
pub fn get_uid(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "follow_symlinks"])?;
    let path = expanduser(&required_str(call, 0, "path")?);
    ok(super::stats_dict(&path, follow(call), None)?["uid"].clone())
}

/// `file.get_gid(path, follow_symlinks=True)`.
pub fn get_gid(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "follow_symlinks"])?;
    let path = expanduser(&required_str(call, 0, "path")?);
    ok(super::stats_dict(&path, follow(call), None)?["gid"].clone())
}

fn required<'c>(call: &'c ExecCall<'_>, key: &str) -> Result<&'c Value, ExecError> {
    call.arg(0, key).ok_or_else(|| {
        ExecError::Invocation(format!("missing 1 required positional argument: '{key}'"))
    })
}

fn type_error(fun: &str, v: &Value) -> ExecError {
    ExecError::Failed(format!(
        "{fun}(): argument must be an integer, not {}",
        match v {
            Value::String(_) => "str",
            Value::Bool(_) => "bool",
            Value::Array(_) => "list",
            Value::Object(_) => "dict",
            Value::Null => "NoneType",
            Value::Number(_) => "float",
        }
    ))
}

/// `file.uid_to_user(uid)`: the name, or the uid when no user has it.
pub fn uid_to_user(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["uid"])?;
    let v = required(call, "uid")?;
    let uid = v.as_u64().ok_or_else(|| type_error("getpwuid", v))?;
    ok(u32::try_from(uid)
        .ok()
        .and_then(accounts::user_by_uid)
        .map_or_else(|| v.clone(), |e| e.name.into()))
}

/// `file.user_to_uid(user)`: the uid, `""` when unknown; no user: the current one.
pub fn user_to_uid(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["user"])?;
    match call.arg(0, "user") {
        None | Some(Value::Null) => ok(current_uid()),
        Some(v @ Value::Number(_)) => ok(v.clone()),
        Some(v) => ok(accounts::user_by_name(&python_str(v))
            .map_or_else(|| Value::from(""), |e| e.uid.into())),
    }
}

/// The process's effective uid (the owner of `/proc/self`).
pub fn current_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(0, |m| m.uid())
}

/// Salt's `group_to_gid`: the gid, `""` when unknown or None.
fn group_to_gid_value(v: Option<&Value>) -> Value {
    match v {
        None | Some(Value::Null) => "".into(),
        Some(v @ Value::Number(_)) => v.clone(),
        Some(v) => accounts::group_by_name(&python_str(v))
            .map_or_else(|| Value::from(""), |e| e.gid.into()),
    }
}

/// `file.group_to_gid(group)`.
pub fn group_to_gid(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["group"])?;
    required(call, "group")?;
    ok(group_to_gid_value(call.arg(0, "group")))
}

/// `file.gid_to_group(gid)`: the name, or the gid when no group has it; a
/// name is looked up first (`""` when unknown).
pub fn gid_to_group(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["gid"])?;
    let v = required(call, "gid")?;
    let gid = match v {
        Value::Number(_) => v.clone(),
        other => match python_str(other).trim().parse::<i64>() {
            Ok(n) => n.into(),
            Err(_) => group_to_gid_value(Some(other)),
        },
    };
    if gid.as_str() == Some("") {
        return ok("");
    }
    let name = gid
        .as_u64()
        .and_then(|g| u32::try_from(g).ok())
        .and_then(accounts::group_by_gid);
    ok(name.map_or(gid, |e| e.name.into()))
}

/// `file.set_mode(path, mode)`: the new mode as `get_mode` gives it.
pub fn set_mode(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "mode"])?;
    let path = expanduser(&required_str(call, 0, "path")?);
    let raw = call.arg(1, "mode").map(python_str).ok_or_else(|| {
        ExecError::Invocation("missing 1 required positional argument: 'mode'".into())
    })?;
    let mut mode = raw.trim_start_matches(['0', 'O', 'o']).to_string();
    if mode.is_empty() {
        mode = "0".into();
    }
    if !Path::new(&path).exists() {
        return Err(ExecError::Failed(format!("{path}: File not found")));
    }
    let Ok(bits) = u32::from_str_radix(&mode, 8) else {
        return ok(format!("Invalid Mode {mode}"));
    };
    use std::os::unix::fs::PermissionsExt;
    if std::fs::set_permissions(&path, std::fs::Permissions::from_mode(bits)).is_err() {
        return ok(format!("Invalid Mode {mode}"));
    }
    ok(super::stats_dict(&path, true, None)
        .map(|s| s["mode"].clone())
        .unwrap_or_else(|_| "".into()))
}

/// A `user_to_uid`/`group_to_gid` result as an id for chown (`None` = keep).
fn owner_id(v: &Value, given: bool, missing: &str, err: &mut String) -> Option<Option<u32>> {
    match v {
        Value::String(s) if s.is_empty() => {
            if given {
                err.push_str(missing);
                None
            } else {
                Some(None)
            }
        }
        other => Some(other.as_u64().and_then(|n| u32::try_from(n).ok())),
    }
}

/// `file.chown(path, user, group)`: None on success, else Salt's error text.
pub fn chown(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "user", "group"])?;
    let path = expanduser(&required_str(call, 0, "path")?);
    let user = call.arg(1, "user").filter(|v| !v.is_null());
    let group = call.arg(2, "group").filter(|v| !v.is_null());
    let truthy = |v: Option<&Value>| v.is_some_and(halite_api::value::is_truthy);
    let uid_v = match user {
        None => "".into(),
        Some(v @ Value::Number(_)) => v.clone(),
        Some(v) => {
            accounts::user_by_name(&python_str(v)).map_or_else(|| Value::from(""), |e| e.uid.into())
        }
    };
    let gid_v = group_to_gid_value(group);
    let mut err = String::new();
    let uid = owner_id(&uid_v, truthy(user), "User does not exist\n", &mut err);
    let gid = owner_id(&gid_v, truthy(group), "Group does not exist\n", &mut err);
    let (uid, gid) = (uid.flatten(), gid.flatten());
    if !Path::new(&path).exists() {
        if std::os::unix::fs::lchown(&path, uid, gid).is_ok() {
            return ok(Value::Null);
        }
        err.push_str("File not found");
    }
    if !err.is_empty() {
        return ok(err);
    }
    std::os::unix::fs::chown(&path, uid, gid)
        .map_err(|e| ExecError::Failed(super::hash::py_oserror(&e, &path)))?;
    ok(Value::Null)
}
