//! Salt's `ssh_auth.present` / `ssh_auth.absent` (`salt/states/ssh_auth.py`)
//! over the `ssh` execution module's authorized_keys functions: `name` as a
//! bare key (`key [comment]`) or a full line (`[options] enc key [comment]`),
//! `source` keys fetched through the file client, test-mode reports;
//! `ssh_auth.manage` (in `manage`) on top of both.

use halite_api::{Map, StateCall, StateReturn, StateSpec};

use super::ret;
use crate::exec::ssh::authfile::{self, SourceKeys, Target};
use crate::exec::ssh::keys::{line_re, SshError};
use crate::exec::ssh::options_list;

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "ssh_auth.present",
        run: present,
        mod_watch: None,
    },
    StateSpec {
        name: "ssh_auth.absent",
        run: absent,
        mod_watch: None,
    },
    StateSpec {
        name: "ssh_auth.manage",
        run: manage::manage,
        mod_watch: None,
    },
];

mod manage;

/// The key fields a state works with.
struct Key {
    name: String,
    enc: String,
    comment: String,
    options: Vec<String>,
}

/// Python's `s.split(None, max)`.
fn py_split(s: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if out.len() == max {
            out.push(rest.to_string());
            break;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        out.push(rest[..end].to_string());
        rest = rest[end..].trim_start();
    }
    out
}

impl Key {
    fn from_call(call: &StateCall<'_>) -> Key {
        Key {
            name: call.name.clone(),
            enc: call.get_str("enc").unwrap_or_else(|| "ssh-rsa".into()),
            comment: call.get_str("comment").unwrap_or_default(),
            options: options_list(call.get("options")),
        }
    }

    /// Salt's name parsing; `max` is the split limit (`None` for a plain
    /// `split()`, where a comment is only taken from exactly three fields).
    fn parse(&mut self, max: Option<usize>) {
        let Some(c) = line_re().captures(&self.name) else {
            let kc = py_split(&self.name, max.map_or(usize::MAX, |_| 1));
            if let Some(first) = kc.first() {
                if kc.len() == 2 {
                    self.comment = kc[1].clone();
                }
                self.name = first.clone();
            }
            return;
        };
        if !c[1].is_empty() {
            self.options = c[1].split(',').map(str::to_string).collect();
        }
        let comps = py_split(&c[2], max.unwrap_or(usize::MAX));
        if comps.len() < 2 {
            return;
        }
        self.enc = comps[0].clone();
        self.name = comps[1].clone();
        if comps.len() == 3 {
            self.comment = comps[2].clone();
        }
    }
}

struct Args {
    user: String,
    source: String,
    config: String,
    hash_type: Option<String>,
}

impl Args {
    fn from_call(call: &StateCall<'_>) -> Option<Args> {
        Some(Args {
            user: call.get_str("user")?,
            source: call.get_str("source").unwrap_or_default(),
            config: call
                .get_str("config")
                .unwrap_or_else(|| ".ssh/authorized_keys".into()),
            hash_type: call.get_str("fingerprint_hash_type"),
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

fn exception(call: &StateCall<'_>, e: SshError) -> StateReturn {
    ret(
        call,
        Some(false),
        format!(
            "An exception occurred in this state: CommandExecutionError: {}",
            e.0
        ),
    )
}

fn with_args(
    call: &StateCall<'_>,
    f: fn(&StateCall<'_>, &Args) -> Result<StateReturn, SshError>,
) -> StateReturn {
    let Some(a) = Args::from_call(call) else {
        return ret(
            call,
            Some(false),
            format!("Missing parameter user for state {}", call.name),
        );
    };
    f(call, &a).unwrap_or_else(|e| exception(call, e))
}

fn present(call: &StateCall<'_>) -> StateReturn {
    with_args(call, present_impl)
}

fn absent(call: &StateCall<'_>) -> StateReturn {
    with_args(call, absent_impl)
}

/// The one handling of a `source` file, for every branch of present and
/// absent: `apply` over its keys, `missing` when it cannot be fetched,
/// `empty` with Salt's error text when it holds no key.
fn with_source<'a, R>(
    call: &StateCall<'_>,
    a: &'a Args,
    missing: R,
    empty: impl FnOnce(String) -> R,
    apply: impl FnOnce(&Target<'a>, &Map) -> Result<R, SshError>,
) -> Result<R, SshError> {
    let t = a.target();
    Ok(
        match authfile::source_keys(call.ctx, &a.source, &call.ctx.saltenv, t.hash_type)? {
            SourceKeys::Missing => missing,
            SourceKeys::Empty(e) => empty(e),
            SourceKeys::Keys(keys) => apply(&t, &keys)?,
        },
    )
}

/// `check_key_file` for test mode: the keys to change, else the all-clear.
fn source_report(
    call: &StateCall<'_>,
    a: &Args,
    skip: &str,
    line: fn(&str, &str) -> String,
    done: &str,
) -> Result<(Option<bool>, String), SshError> {
    let clear = (
        Some(true),
        format!("All host keys in file {} are already {done}", a.source),
    );
    with_source(
        call,
        a,
        clear.clone(),
        |e| (Some(false), e),
        |t, k| {
            let report: String = authfile::check_key_file(t, k)?
                .iter()
                .filter(|(_, s)| s.as_str() != Some(skip))
                .map(|(key, s)| line(s.as_str().unwrap_or_default(), key))
                .collect();
            Ok(if report.is_empty() {
                clear
            } else {
                (None, report)
            })
        },
    )
}

fn present_impl(call: &StateCall<'_>, a: &Args) -> Result<StateReturn, SshError> {
    let mut k = Key::from_call(call);
    if a.source.is_empty() {
        k.parse(Some(2));
    }
    let mut r = ret(call, Some(true), "");
    let (user, t) = (&a.user, a.target());
    if call.test {
        (r.result, r.comment) = if !a.source.is_empty() {
            source_report(
                call,
                a,
                "exists",
                |s, key| format!("Set to {s}: {key}\n"),
                "present",
            )?
        } else {
            k.parse(None);
            let name = &k.name;
            match authfile::check_key(&t, name, &k.enc, &k.comment, &k.options)? {
                "update" => (
                    None,
                    format!("Key {name} for user {user} is set to be updated"),
                ),
                "add" => (
                    None,
                    format!("Key {name} for user {user} is set to be added"),
                ),
                _ => (
                    Some(true),
                    format!("The authorized host key {name} is already present for user {user}"),
                ),
            }
        };
        return Ok(r);
    }
    let (data, err) = if a.source.is_empty() {
        let data = authfile::set_auth_key(call.ctx, &t, &k.name, &k.enc, &k.comment, &k.options)?;
        (data, None)
    } else {
        with_source(
            call,
            a,
            ("no key", None),
            |e| ("fail", Some(e)),
            |t, keys| {
                Ok((
                    authfile::set_from_keys(call.ctx, t, keys, &k.options)?,
                    None,
                ))
            },
        )?
    };
    let name = &k.name;
    match data {
        "replace" => {
            r.changes.insert(name.clone(), "Updated".into());
            r.comment = format!("The authorized host key {name} for user {user} was updated");
        }
        "no change" => {
            r.comment =
                format!("The authorized host key {name} is already present for user {user}");
        }
        "new" => {
            r.changes.insert(name.clone(), "New".into());
            r.comment = format!("The authorized host key {name} for user {user} was added");
        }
        "no key" => {
            r.result = Some(false);
            r.comment = format!(
                "Failed to add the ssh key. Source file {} is missing",
                a.source
            );
        }
        "fail" => {
            r.result = Some(false);
            r.comment = err.unwrap_or_else(|| "Failed to add the ssh key. Is the home directory available, and/or does the key file exist?".into());
        }
        _ => {
            r.result = Some(false);
            r.comment = "Invalid public ssh key, most likely has spaces or invalid syntax".into();
        }
    }
    Ok(r)
}

fn absent_impl(call: &StateCall<'_>, a: &Args) -> Result<StateReturn, SshError> {
    let mut k = Key::from_call(call);
    let mut r = ret(call, Some(true), "");
    let (user, t) = (&a.user, a.target());
    if call.test {
        (r.result, r.comment) = if !a.source.is_empty() {
            source_report(
                call,
                a,
                "add",
                |_, key| format!("Set to remove: {key}\n"),
                "absent",
            )?
        } else {
            k.parse(None);
            match authfile::check_key(&t, &k.name, &k.enc, &k.comment, &k.options)? {
                "add" => (Some(true), "Key is already absent".into()),
                _ => (
                    None,
                    format!("Key {} for user {user} is set for removal", k.name),
                ),
            }
        };
        return Ok(r);
    }
    if !a.source.is_empty() {
        r.comment = with_source(call, a, "", |_| "fail", authfile::rm_from_keys)?.into();
    } else {
        k.parse(None);
        r.comment = authfile::rm_auth_key(&t, &k.name)?;
    }
    if r.comment == "Key removed" {
        r.changes.insert(k.name.clone(), "Removed".into());
    }
    Ok(r)
}

#[cfg(test)]
mod tests;
