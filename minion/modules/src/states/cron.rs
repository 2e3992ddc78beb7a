//! `cron.present` / `cron.absent` / `cron.env_present` / `cron.env_absent`
//! (Salt's `salt/states/cron.py`) over the `cron` execution module's
//! crontab model.

use halite_api::{ExecError, StateCall, StateReturn, StateSpec, Value};

use super::ret;
use crate::exec::cron::ops::{self, JobArgs, Outcome};
use crate::exec::cron::tab::{matched, needs_change, sv, Job, When};
use crate::exec::cron::Crontab;

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "cron.present",
        run: present,
        mod_watch: None,
    },
    StateSpec {
        name: "cron.absent",
        run: absent,
        mod_watch: None,
    },
    StateSpec {
        name: "cron.env_present",
        run: env_present,
        mod_watch: None,
    },
    StateSpec {
        name: "cron.env_absent",
        run: env_absent,
        mod_watch: None,
    },
];

/// Python's `str(x)` of an optional argument (`None` when absent or null).
fn opt_str(call: &StateCall<'_>, key: &str) -> Option<String> {
    call.get(key)
        .filter(|v| !v.is_null())
        .map(halite_api::module::value_to_arg_string)
}

fn user(call: &StateCall<'_>) -> String {
    opt_str(call, "user").unwrap_or_else(|| "root".into())
}

/// `identifier=False` (the default) means the job's name.
fn identifier(call: &StateCall<'_>, name: &str) -> Option<String> {
    match call.get("identifier") {
        None | Some(Value::Bool(false)) => Some(name.to_string()),
        Some(Value::Null) => None,
        Some(v) => Some(halite_api::module::value_to_arg_string(v)),
    }
}

fn named(call: &StateCall<'_>, name: &str, result: Option<bool>, comment: String) -> StateReturn {
    let mut r = ret(call, result, comment);
    r.name = name.to_string();
    r
}

fn changed(call: &StateCall<'_>, name: &str, user: &str, comment: String) -> StateReturn {
    let mut r = named(call, name, Some(true), comment);
    r.changes
        .insert(user.to_string(), Value::String(name.to_string()));
    r
}

fn failed(call: &StateCall<'_>, name: &str, e: ExecError) -> StateReturn {
    named(call, name, Some(false), e.to_string())
}

/// The job `cron.present` asks for.
fn wanted(call: &StateCall<'_>, name: &str) -> JobArgs {
    let field = |k: &str| {
        opt_str(call, k)
            .unwrap_or_else(|| "*".into())
            .to_lowercase()
    };
    let when = match opt_str(call, "special") {
        Some(s) => When::Special(s),
        None => When::Fields(["minute", "hour", "daymonth", "month", "dayweek"].map(field)),
    };
    JobArgs {
        when,
        cmd: name.to_string(),
        commented: call.get("commented") == Some(&Value::Bool(true)),
        comment: opt_str(call, "comment"),
        identifier: identifier(call, name),
    }
}

/// `_check_cron` of test mode: `absent`, `present` or `update`.
fn check(jobs: &[Job], a: &JobArgs, full: bool) -> &'static str {
    let Some(cron) = jobs
        .iter()
        .find(|c| matched(c, &a.cmd, a.identifier.as_deref()))
    else {
        return "absent";
    };
    let mut tests = vec![
        (sv(cron.identifier.as_deref()), sv(a.identifier.as_deref())),
        (
            Value::String(cron.cmd.clone()),
            Value::String(a.cmd.clone()),
        ),
    ];
    if full {
        tests.push((sv(cron.comment.as_deref()), sv(a.comment.as_deref())));
        tests.push((Value::Bool(cron.commented), Value::Bool(a.commented)));
        match &a.when {
            When::Fields(f) => {
                (0..5).for_each(|i| tests.push((sv(cron.field(i)), sv(Some(&f[i])))))
            }
            When::Special(s) => tests.push((sv(cron.spec()), sv(Some(s)))),
        }
    }
    if tests.iter().any(|(o, n)| needs_change(o, n)) {
        "update"
    } else {
        "present"
    }
}

fn present(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.trim().to_string();
    let user = user(call);
    let tab = Crontab::new(call.ctx, &user);
    let a = wanted(call, &name);
    if call.test {
        let lst = match tab.list() {
            Ok(l) => l,
            Err(e) => return failed(call, &name, e),
        };
        let jobs = if a.spec().is_some() {
            &lst.special
        } else {
            &lst.crons
        };
        return match check(jobs, &a, true) {
            "absent" => named(call, &name, None, format!("Cron {name} is set to be added")),
            "present" => named(
                call,
                &name,
                Some(true),
                format!("Cron {name} already present"),
            ),
            _ => named(
                call,
                &name,
                None,
                format!("Cron {name} is set to be updated"),
            ),
        };
    }
    match ops::set_job(&tab, a) {
        Ok(Outcome::Present) => named(
            call,
            &name,
            Some(true),
            format!("Cron {name} already present"),
        ),
        Ok(Outcome::New) => changed(
            call,
            &name,
            &user,
            format!("Cron {name} added to {user}'s crontab"),
        ),
        Ok(Outcome::Updated) => changed(call, &name, &user, format!("Cron {name} updated")),
        Ok(o) => named(
            call,
            &name,
            Some(false),
            format!(
                "Cron {name} for user {user} failed to commit with error \n{}",
                o.as_str()
            ),
        ),
        Err(e) => failed(call, &name, e),
    }
}

fn absent(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.trim().to_string();
    let user = user(call);
    let tab = Crontab::new(call.ctx, &user);
    let ident = identifier(call, &name);
    if call.test {
        let lst = match tab.list() {
            Ok(l) => l,
            Err(e) => return failed(call, &name, e),
        };
        let probe = JobArgs {
            when: When::Fields(Default::default()),
            cmd: name.clone(),
            commented: false,
            comment: None,
            identifier: ident,
        };
        return match check(&lst.crons, &probe, false) {
            "absent" => named(call, &name, Some(true), format!("Cron {name} is absent")),
            _ => named(
                call,
                &name,
                None,
                format!("Cron {name} is set to be removed"),
            ),
        };
    }
    let res = match opt_str(call, "special") {
        None => ops::rm_job(&tab, &name, &Default::default(), ident.as_deref()),
        Some(s) => ops::rm_special(&tab, &name, Some(&s), ident.as_deref()),
    };
    match res {
        Ok(Outcome::Absent) => named(
            call,
            &name,
            Some(true),
            format!("Cron {name} already absent"),
        ),
        Ok(Outcome::Removed) => changed(
            call,
            &name,
            &user,
            format!("Cron {name} removed from {user}'s crontab"),
        ),
        Ok(o) => named(
            call,
            &name,
            Some(false),
            format!(
                "Cron {name} for user {user} failed to commit with error {}",
                o.as_str()
            ),
        ),
        Err(e) => failed(call, &name, e),
    }
}

/// `_check_cron_env`: `absent`, `present` or `update`.
fn check_env(tab: &Crontab<'_>, name: &str, value: &Value) -> Result<&'static str, ExecError> {
    let value = if value.is_null() {
        Value::String(String::new())
    } else {
        value.clone()
    };
    let lst = tab.list()?;
    Ok(match lst.env.iter().find(|e| e.name == name) {
        None => "absent",
        Some(e) if e.value != value => "update",
        Some(_) => "present",
    })
}

fn env_present(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.clone();
    let user = user(call);
    let tab = Crontab::new(call.ctx, &user);
    let value = call.get("value").cloned().unwrap_or(Value::Null);
    if call.test {
        return match check_env(&tab, &name, &value) {
            Ok("absent") => named(
                call,
                &name,
                None,
                format!("Cron env {name} is set to be added"),
            ),
            Ok("present") => named(
                call,
                &name,
                Some(true),
                format!("Cron env {name} already present"),
            ),
            Ok(_) => named(
                call,
                &name,
                None,
                format!("Cron env {name} is set to be updated"),
            ),
            Err(e) => failed(call, &name, e),
        };
    }
    match ops::set_env(&tab, &name, &value) {
        Ok(Outcome::Present) => named(
            call,
            &name,
            Some(true),
            format!("Cron env {name} already present"),
        ),
        Ok(Outcome::New) => changed(
            call,
            &name,
            &user,
            format!("Cron env {name} added to {user}'s crontab"),
        ),
        Ok(Outcome::Updated) => changed(call, &name, &user, format!("Cron env {name} updated")),
        Ok(o) => named(
            call,
            &name,
            Some(false),
            format!(
                "Cron env {name} for user {user} failed to commit with error \n{}",
                o.as_str()
            ),
        ),
        Err(e) => failed(call, &name, e),
    }
}

fn env_absent(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.trim().to_string();
    let user = user(call);
    let tab = Crontab::new(call.ctx, &user);
    if call.test {
        return match check_env(&tab, &name, &Value::Null) {
            Ok("absent") => named(
                call,
                &name,
                Some(true),
                format!("Cron env {name} is absent"),
            ),
            Ok(_) => named(
                call,
                &name,
                None,
                format!("Cron env {name} is set to be removed"),
            ),
            Err(e) => failed(call, &name, e),
        };
    }
    match ops::rm_env(&tab, &name) {
        Ok(Outcome::Absent) => named(
            call,
            &name,
            Some(true),
            format!("Cron env {name} already absent"),
        ),
        Ok(Outcome::Removed) => changed(
            call,
            &name,
            &user,
            format!("Cron env {name} removed from {user}'s crontab"),
        ),
        Ok(o) => named(
            call,
            &name,
            Some(false),
            format!(
                "Cron env {name} for user {user} failed to commit with error {}",
                o.as_str()
            ),
        ),
        Err(e) => failed(call, &name, e),
    }
}
