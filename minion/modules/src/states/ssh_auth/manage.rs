//! Salt's `ssh_auth.manage`: only the listed `ssh_keys` stay in the user's
//! key file. Keys of the file that appear in no listed line (split on
//! spaces) are removed with `ssh_auth.absent`, then each listed line is
//! `ssh_auth.present`; the comments and changes are combined as Salt does.

use halite_api::{StateCall, StateReturn, Value};

use super::{absent_impl, present_impl, ret, with_args, Args};
use crate::exec::ssh::authfile;
use crate::exec::ssh::keys::SshError;
use crate::exec::ssh::options_list;

pub fn manage(call: &StateCall<'_>) -> StateReturn {
    if call.get("ssh_keys").is_none() {
        return ret(
            call,
            Some(false),
            "Missing parameter ssh_keys for state ssh_auth.manage",
        );
    }
    with_args(call, manage_impl)
}

/// The present/absent call for one key, with manage's other arguments.
fn for_key<'a>(call: &StateCall<'a>, name: &str) -> StateCall<'a> {
    let mut args = call.args.clone();
    args.shift_remove("ssh_keys");
    args.insert("name".into(), Value::String(name.into()));
    StateCall {
        ctx: call.ctx,
        name: name.into(),
        args,
        test: call.test,
    }
}

fn manage_impl(call: &StateCall<'_>, a: &Args) -> Result<StateReturn, SshError> {
    // Salt iterates `ssh_keys` as Python would (a string gives its characters).
    let ssh_keys = options_list(call.get("ssh_keys"));
    let mut r = ret(call, Some(true), "");
    r.name = String::new();
    let listed: Vec<&str> = ssh_keys.iter().flat_map(|k| k.split(' ')).collect();
    let existing = authfile::auth_keys(&a.target())?;
    // Salt walks a set (hash order); Halite takes the file's order.
    for key in existing.keys().filter(|k| !listed.contains(&k.as_str())) {
        if call.test {
            r.comment = format!("{key} Key set for removal");
            r.result = None;
        } else {
            let gone = absent_impl(&for_key(call, key), a)?;
            r.changes.insert(key.clone(), Value::String(gone.comment));
        }
    }
    for ssh_key in &ssh_keys {
        let run = present_impl(&for_key(call, ssh_key), a)?;
        if run.changes.is_empty() {
            r.comment = format!("{}\n{}", r.comment, run.comment).trim().to_string();
        } else {
            r.changes.extend(run.changes);
        }
        match run.result {
            None => r.result = None,
            Some(false) => r.result = Some(false),
            Some(true) => {}
        }
    }
    Ok(r)
}
