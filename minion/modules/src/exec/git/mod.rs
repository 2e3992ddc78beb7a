//! The `git` execution module, config part (Salt's `salt/modules/git.py`):
//! config_get, config_get_regexp (alias config_get_regex), config_set,
//! config_unset. Running git is in [`run`], the functions in [`config`].

use halite_api::{ExecCall, ExecError, ExecOutput, ExecSpec, Value};

use super::{reject_unknown_kwargs, required_str, ExecResult};

pub mod config;
pub mod run;

pub use config::{multivar_list, Scope};
pub use run::{Git, RunAs};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "git.config_get", doc: "Get the value of a key in the git configuration file", run: config_get },
    ExecSpec { name: "git.config_get_regexp", doc: "Get the value of a key or keys in the git configuration file using regexes for more flexible matching. The return data is a dictionary mapping keys to lists of values matching the ``value_regex``. If no values match, an empty dictionary will be returned.", run: config_get_regexp },
    ExecSpec { name: "git.config_get_regex", doc: "Get the value of a key or keys in the git configuration file using regexes for more flexible matching. The return data is a dictionary mapping keys to lists of values matching the ``value_regex``. If no values match, an empty dictionary will be returned.", run: config_get_regexp },
    ExecSpec { name: "git.config_set", doc: "Set a key in the git configuration file", run: config_set },
    ExecSpec { name: "git.config_unset", doc: "Unset a key in the git configuration file", run: config_unset },
];

/// Python truthiness.
pub fn truthy(v: Option<&Value>) -> bool {
    v.is_some_and(halite_api::value::is_truthy)
}

/// A present, non-None argument as Python's `str()`.
fn opt_str(call: &ExecCall<'_>, idx: usize, key: &str) -> Option<String> {
    call.arg(idx, key)
        .filter(|v| !v.is_null())
        .map(halite_api::py::str_of)
}

/// `cwd`, `user`, `ignore_retcode` (at their positions) and `global`.
fn scope(call: &ExecCall<'_>, cwd_at: usize) -> Scope {
    Scope {
        cwd: opt_str(call, cwd_at, "cwd"),
        global: truthy(call.kwargs.get("global")),
        who: RunAs {
            user: opt_str(call, cwd_at + 1, "user").filter(|u| !u.is_empty()),
            ignore_retcode: truthy(call.arg(cwd_at + 3, "ignore_retcode")),
        },
    }
}

const COMMON: [&str; 5] = [
    "cwd",
    "user",
    "password",
    "ignore_retcode",
    "output_encoding",
];

fn check(call: &ExecCall<'_>, extra: &[&str]) -> Result<(), ExecError> {
    let mut known: Vec<&str> = COMMON.to_vec();
    known.extend_from_slice(extra);
    reject_unknown_kwargs(call, &known)
}

fn answer(git: &Git<'_>, v: Value) -> ExecResult {
    Ok(ExecOutput {
        ret: v,
        retcode: git.retcode.get(),
    })
}

fn config_get(call: &ExecCall<'_>) -> ExecResult {
    check(call, &["key", "all", "global"])?;
    let key = required_str(call, 0, "key")?;
    let git = Git::new(call.ctx);
    let v = git.config_get(&key, truthy(call.kwargs.get("all")), &scope(call, 1))?;
    answer(&git, v)
}

fn config_get_regexp(call: &ExecCall<'_>) -> ExecResult {
    check(call, &["key", "value_regex", "global"])?;
    let key = required_str(call, 0, "key")?;
    let regex = opt_str(call, 1, "value_regex");
    let git = Git::new(call.ctx);
    let v = git.config_get_regexp(&key, regex.as_deref(), &scope(call, 2))?;
    answer(&git, Value::Object(v))
}

fn config_set(call: &ExecCall<'_>) -> ExecResult {
    check(call, &["key", "value", "multivar", "add", "global"])?;
    let key = required_str(call, 0, "key")?;
    let value = opt_str(call, 1, "value");
    let multivar = call
        .arg(2, "multivar")
        .filter(|v| !v.is_null())
        .map(multivar_list);
    let add = truthy(call.kwargs.get("add"));
    let git = Git::new(call.ctx);
    let v = git.config_set(
        &key,
        value.as_deref(),
        multivar.as_deref(),
        add,
        &scope(call, 3),
    )?;
    answer(&git, v)
}

fn config_unset(call: &ExecCall<'_>) -> ExecResult {
    check(call, &["key", "value_regex", "all", "global"])?;
    let key = required_str(call, 0, "key")?;
    let regex = opt_str(call, 1, "value_regex");
    let all = truthy(call.kwargs.get("all"));
    let git = Git::new(call.ctx);
    let v = git.config_unset(&key, regex.as_deref(), all, &scope(call, 2))?;
    answer(&git, Value::Bool(v))
}

#[cfg(test)]
mod tests;
