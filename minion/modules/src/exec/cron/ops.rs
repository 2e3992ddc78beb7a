//! Salt's crontab edits (`set_job`, `set_special`, `rm_job`, `rm_special`,
//! `set_env`, `rm_env`): read the tab, change it, write it back, and answer
//! with Salt's words (`new`, `updated`, `present`, `removed`, `absent`, or
//! crontab's error text).

use halite_api::{ExecError, Value};

use super::tab::{cron_id, matched, needs_change, sv, Env, Job, When, NO_ID};
use super::Crontab;

/// What an edit did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    New,
    Updated,
    Present,
    Removed,
    Absent,
    /// crontab refused the new table: its stderr.
    Failed(String),
}

impl Outcome {
    pub fn as_str(&self) -> &str {
        match self {
            Outcome::New => "new",
            Outcome::Updated => "updated",
            Outcome::Present => "present",
            Outcome::Removed => "removed",
            Outcome::Absent => "absent",
            Outcome::Failed(e) => e,
        }
    }
}

/// The wanted job of `set_job` / `set_special`: a job as `list_tab` shows one.
pub type JobArgs = Job;

fn written(res: Result<(), String>, ok: Outcome) -> Outcome {
    match res {
        Ok(()) => ok,
        Err(e) => Outcome::Failed(e),
    }
}

/// Does the existing job differ from the wanted one (Salt's `tests` list)?
fn differs(cron: &Job, a: &JobArgs) -> bool {
    let setted = cron.identifier.clone().unwrap_or_else(|| NO_ID.into());
    let mut tests = vec![
        (sv(cron.comment.as_deref()), sv(a.comment.as_deref())),
        (Value::Bool(cron.commented), Value::Bool(a.commented)),
        (sv(a.identifier.as_deref()), Value::String(setted)),
    ];
    for i in 0..5 {
        tests.push((sv(cron.field(i)), sv(a.field(i))));
    }
    tests.push((sv(cron.spec()), sv(a.spec())));
    tests.push((
        Value::String(cron.cmd.clone()),
        Value::String(a.cmd.clone()),
    ));
    tests.iter().any(|(old, new)| needs_change(old, new))
}

/// The wanted job merged with what it replaces (Salt keeps an old value
/// wherever the new one asks for no change).
fn merged(cron: &Job, mut a: JobArgs) -> JobArgs {
    let mut cid = Some(cron_id(cron));
    if let When::Fields(f) = &mut a.when {
        for (i, new) in f.iter_mut().enumerate() {
            if let Some(old) = cron.field(i) {
                if !needs_change(&sv(Some(old)), &sv(Some(new))) {
                    *new = old.to_string();
                }
            }
        }
    }
    if a.comment.is_none() {
        a.comment = cron.comment.clone();
    }
    if cron.cmd == a.cmd && cid.as_deref() == Some(NO_ID) {
        if let Some(id) = a.identifier.clone().filter(|s| !s.is_empty()) {
            cid = Some(id);
        }
        if cid.as_deref() == Some(NO_ID) && cron.identifier.is_none() {
            cid = None;
        }
    }
    let keep = match &cid {
        None => true,
        Some(c) => !needs_change(&sv(Some(c)), &sv(a.identifier.as_deref())),
    };
    if keep {
        a.identifier = cid;
    }
    a
}

/// `set_job` and `set_special`.
pub fn set_job(tab: &Crontab<'_>, mut a: JobArgs) -> Result<Outcome, ExecError> {
    if let When::Fields(f) = &mut a.when {
        f.iter_mut().for_each(|x| *x = x.to_lowercase());
    }
    let lst = tab.list()?;
    let found = lst
        .crons
        .iter()
        .chain(&lst.special)
        .find(|c| matched(c, &a.cmd, a.identifier.as_deref()));
    if let Some(cron) = found {
        if !differs(cron, &a) {
            return Ok(Outcome::Present);
        }
        let cid = cron_id(cron);
        if cron.is_special() {
            rm_special(tab, &a.cmd, None, Some(&cid))?;
        } else {
            rm_job(tab, &a.cmd, &Default::default(), Some(&cid))?;
        }
        return Ok(match set_job(tab, merged(cron, a))? {
            Outcome::New => Outcome::Updated,
            other => other,
        });
    }
    let mut lst = lst;
    let special = a.spec().is_some();
    let when = match a.when {
        When::Fields(f) => When::Fields(date_time(f)?),
        s => s,
    };
    let job = Job {
        when,
        cmd: a.cmd,
        identifier: a.identifier,
        comment: a.comment,
        commented: a.commented,
    };
    if special {
        lst.special.push(job);
    } else {
        lst.crons.push(job);
    }
    Ok(written(tab.write(&lst)?, Outcome::New))
}

/// A random number in `lo..=hi`.
fn random_in(lo: i64, hi: i64) -> i64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(lo as u64 ^ ((hi as u64) << 16));
    let span = (hi - lo + 1).max(1) as u64;
    lo + (h.finish() % span) as i64
}

fn py_int(s: &str) -> Result<i64, ExecError> {
    s.trim()
        .parse()
        .map_err(|_| ExecError::Failed(format!("invalid literal for int() with base 10: '{s}'")))
}

/// `_get_cron_date_time`: `random` and `a:b` ranges become a number.
fn date_time(mut f: [String; 5]) -> Result<[String; 5], ExecError> {
    let ranges = [(0, 59), (0, 23), (0, 0), (1, 12), (0, 6)];
    for i in [0, 1, 3, 4] {
        let parts: Vec<&str> = f[i].split(':').collect();
        if f[i] == "random" {
            f[i] = random_in(ranges[i].0, ranges[i].1).to_string();
        } else if parts.len() == 2 {
            let mut p = parts.clone();
            p.sort();
            let (a, b) = (py_int(p[0])?, py_int(p[1])?);
            if a > b {
                return Err(ExecError::Failed(format!(
                    "empty range in randrange({a}, {})",
                    b + 1
                )));
            }
            f[i] = random_in(a, b).to_string();
        }
    }
    if f[2] == "random" {
        let max = match f[3].as_str() {
            "1" | "3" | "5" | "7" | "8" | "10" | "12" => 31,
            "4" | "6" | "9" | "11" => 30,
            _ => 28,
        };
        f[2] = random_in(1, max).to_string();
    }
    Ok(f)
}

/// `_date_time_match`: every given field equals the job's (or is `random`
/// and the job's is not `*`).
fn date_time_match(j: &Job, when: &[Option<String>; 5]) -> bool {
    when.iter().enumerate().all(|(i, w)| match w {
        None => true,
        Some(w) => {
            let have = j.field(i).unwrap_or_default();
            have == w || (w.to_lowercase() == "random" && have != "*")
        }
    })
}

/// `rm_job`: remove the first matching job (writes only when one went).
pub fn rm_job(
    tab: &Crontab<'_>,
    cmd: &str,
    when: &[Option<String>; 5],
    identifier: Option<&str>,
) -> Result<Outcome, ExecError> {
    let mut lst = tab.list()?;
    let any_time = when.iter().any(Option::is_some);
    let hit = lst
        .crons
        .iter()
        .position(|j| matched(j, cmd, identifier) && (!any_time || date_time_match(j, when)));
    let Some(i) = hit else {
        return Ok(Outcome::Absent);
    };
    lst.crons.remove(i);
    Ok(written(tab.write(&lst)?, Outcome::Removed))
}

/// `rm_special`: remove the first matching special job (always writes).
pub fn rm_special(
    tab: &Crontab<'_>,
    cmd: &str,
    special: Option<&str>,
    identifier: Option<&str>,
) -> Result<Outcome, ExecError> {
    let mut lst = tab.list()?;
    let hit = lst
        .special
        .iter()
        .position(|j| matched(j, cmd, identifier) && special.is_none_or(|s| j.spec() == Some(s)));
    let res = match hit {
        Some(i) => {
            lst.special.remove(i);
            Outcome::Removed
        }
        None => Outcome::Absent,
    };
    Ok(written(tab.write(&lst)?, res))
}

/// `set_env`: Python's `value != env["value"]` decides an update.
pub fn set_env(tab: &Crontab<'_>, name: &str, value: &Value) -> Result<Outcome, ExecError> {
    let mut lst = tab.list()?;
    if let Some(env) = lst.env.iter().find(|e| e.name == name) {
        if *value == env.value {
            return Ok(Outcome::Present);
        }
        rm_env(tab, name)?;
        return Ok(match set_env(tab, name, value)? {
            Outcome::New => Outcome::Updated,
            other => other,
        });
    }
    lst.env.push(Env {
        name: name.to_string(),
        value: value.clone(),
    });
    Ok(written(tab.write(&lst)?, Outcome::New))
}

/// `rm_env`: remove the last line of `name` (always writes).
pub fn rm_env(tab: &Crontab<'_>, name: &str) -> Result<Outcome, ExecError> {
    let mut lst = tab.list()?;
    let res = match lst.env.iter().rposition(|e| e.name == name) {
        Some(i) => {
            lst.env.remove(i);
            Outcome::Removed
        }
        None => Outcome::Absent,
    };
    Ok(written(tab.write(&lst)?, res))
}
