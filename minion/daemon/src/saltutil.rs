//! The `saltutil.*` functions that depend on the daemon: job introspection
//! (`find_job`, `running`, `is_running`), job signalling (`signal_job`,
//! `term_job`, `kill_job` and the `*_all_jobs` forms), `refresh_pillar`,
//! `refresh_grains`, and the `sync_*` family (Halite cannot load Python
//! modules: each returns Salt's shape listing the ones found on the master,
//! marked as not run; see [`crate::python_modules`]).

use halite_api::{ExecCall, ExecError, ExecOutput, ExecSpec, Map, Registry, Value};

use crate::control;
use crate::jobs::{job_pids, process_exists, send_signal};
use crate::minion::current_jid;
use crate::proc::ProcDir;
use crate::python_modules;

/// The `sync_all` keys, in Salt 3008's order, for a minion with a master.
const SYNC_ALL_KEYS: &[&str] = &[
    "clouds",
    "beacons",
    "modules",
    "states",
    "sdb",
    "grains",
    "renderers",
    "returners",
    "output",
    "utils",
    "log_handlers",
    "executors",
    "proxymodules",
    "engines",
    "thorium",
    "serializers",
    "matchers",
    "resources",
];

/// Every function of this module.
pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "saltutil.find_job",
        doc: "Return the data for a specific job id that is currently running.",
        run: find_job,
    },
    ExecSpec {
        name: "saltutil.running",
        doc: "Return the data on all running salt processes on the minion",
        run: running,
    },
    ExecSpec {
        name: "saltutil.is_running",
        doc: "If the named function is running return the data associated with it/them.",
        run: is_running,
    },
    ExecSpec {
        name: "saltutil.signal_job",
        doc: "Sends a signal to the named salt job's process",
        run: signal_job,
    },
    ExecSpec {
        name: "saltutil.term_job",
        doc: "Sends a termination signal (SIGTERM 15) to the named salt job's process",
        run: term_job,
    },
    ExecSpec {
        name: "saltutil.kill_job",
        doc: "Sends a kill signal (SIGKILL 9) to the named salt job's process",
        run: kill_job,
    },
    ExecSpec {
        name: "saltutil.term_all_jobs",
        doc: "Sends a termination signal (SIGTERM 15) to all currently running jobs",
        run: term_all_jobs,
    },
    ExecSpec {
        name: "saltutil.kill_all_jobs",
        doc: "Sends a kill signal (SIGKILL 9) to all currently running jobs",
        run: kill_all_jobs,
    },
    ExecSpec {
        name: "saltutil.refresh_pillar",
        doc: "Signal the minion to refresh the in-memory pillar data.",
        run: refresh_pillar,
    },
    ExecSpec {
        name: "saltutil.pillar_refresh",
        doc: "Signal the minion to refresh the in-memory pillar data.",
        run: refresh_pillar,
    },
    ExecSpec {
        name: "saltutil.refresh_grains",
        doc:
            "Refresh the minion's grains without syncing custom grains modules from the fileserver.",
        run: refresh_grains,
    },
    ExecSpec {
        name: "saltutil.sync_all",
        doc:
            "Sync down all of the dynamic modules from the file server for a specific environment.",
        run: sync_all,
    },
    ExecSpec {
        name: "saltutil.sync_modules",
        doc: "Sync execution modules from salt://_modules to the minion",
        run: sync_modules,
    },
    ExecSpec {
        name: "saltutil.sync_states",
        doc: "Sync state modules from salt://_states to the minion",
        run: sync_states,
    },
    ExecSpec {
        name: "saltutil.sync_grains",
        doc: "Sync grains modules from salt://_grains to the minion",
        run: sync_grains,
    },
    ExecSpec {
        name: "saltutil.sync_renderers",
        doc: "Sync renderers from salt://_renderers to the minion",
        run: sync_renderers,
    },
    ExecSpec {
        name: "saltutil.sync_returners",
        doc: "Sync returners from salt://_returners to the minion",
        run: sync_returners,
    },
    ExecSpec {
        name: "saltutil.sync_beacons",
        doc: "Sync beacons from salt://_beacons to the minion",
        run: sync_beacons,
    },
    ExecSpec {
        name: "saltutil.sync_utils",
        doc: "Sync utility modules from salt://_utils to the minion",
        run: sync_utils,
    },
    ExecSpec {
        name: "saltutil.sync_pillar",
        doc: "Sync pillar modules from salt://_pillar to the minion",
        run: sync_pillar,
    },
];

/// Add the functions not already provided by another crate.
pub fn register(reg: &mut Registry) {
    let missing: Vec<ExecSpec> = SPECS
        .iter()
        .filter(|s| reg.exec(s.name).is_none())
        .copied()
        .collect();
    reg.add_exec(&missing);
}

fn procs(call: &ExecCall<'_>) -> ProcDir {
    ProcDir::new(&call.ctx.cachedir())
}

/// Running jobs except the caller's own (Salt skips the calling process).
/// As Salt's `_read_proc_file`, a proc file whose process is gone (e.g. left
/// by a killed `halite call`) is removed and not reported.
fn running_jobs(call: &ExecCall<'_>) -> Vec<Map> {
    let own = current_jid();
    let procs = procs(call);
    procs
        .all()
        .into_iter()
        .filter(|d| own.is_none() || d.get("jid").and_then(Value::as_str) != own.as_deref())
        .filter(|d| {
            let alive = d
                .get("pid")
                .and_then(Value::as_i64)
                .is_some_and(|pid| process_exists(pid as i32));
            if !alive {
                if let Some(jid) = d.get("jid").and_then(Value::as_str) {
                    tracing::debug!("removing proc file of job {jid}: its process is gone");
                    procs.remove(jid);
                }
            }
            alive
        })
        .collect()
}

fn required_jid(call: &ExecCall<'_>, fun: &str) -> Result<String, ExecError> {
    call.arg_str(0, "jid").ok_or_else(|| {
        ExecError::Invocation(format!(
            "{fun}() missing 1 required positional argument: 'jid'"
        ))
    })
}

fn find_job(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let jid = required_jid(call, "find_job")?;
    let found = running_jobs(call)
        .into_iter()
        .find(|d| d.get("jid").and_then(Value::as_str) == Some(jid.as_str()));
    let state = if found.is_some() {
        "running"
    } else {
        "not running"
    };
    tracing::debug!("find_job {jid}: {state}");
    Ok(Value::Object(found.unwrap_or_default()).into())
}

fn running(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    Ok(Value::Array(running_jobs(call).into_iter().map(Value::Object).collect()).into())
}

fn is_running(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let pattern = call.arg_str(0, "fun").ok_or_else(|| {
        ExecError::Invocation("is_running() missing 1 required positional argument: 'fun'".into())
    })?;
    let hits = running_jobs(call)
        .into_iter()
        .filter(|d| {
            d.get("fun")
                .and_then(Value::as_str)
                .is_some_and(|f| glob_match(&pattern, f))
        })
        .map(Value::Object)
        .collect();
    Ok(Value::Array(hits).into())
}

/// `fnmatch` with `*` and `?` (enough for function names).
fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], t) || (!t.is_empty() && go(p, &t[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &t[1..]),
            _ => false,
        }
    }
    go(
        &pattern.chars().collect::<Vec<_>>(),
        &text.chars().collect::<Vec<_>>(),
    )
}

/// Signal job `jid`: its commands get `sig`; TERM/KILL also cancel the job.
fn signal_one(call: &ExecCall<'_>, jid: &str, sig: i32) -> String {
    let procs = procs(call);
    let Some(data) = running_jobs(call)
        .into_iter()
        .find(|d| d.get("jid").and_then(Value::as_str) == Some(jid))
    else {
        return String::new();
    };
    let pid = data.get("pid").cloned().unwrap_or(Value::Null);
    for child in job_pids(jid) {
        send_signal(child, sig);
    }
    if sig == libc::SIGTERM || sig == libc::SIGKILL {
        let cancelled = control::lookup(&call.ctx.cachedir()).is_some_and(|m| m.jobs.cancel(jid));
        procs.remove(jid);
        if !cancelled {
            return format!("Job {jid} was not running and job data has been cleaned up");
        }
    }
    format!("Signal {sig} sent to job {jid} at pid {pid}")
}

fn signal_job(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let jid = required_jid(call, "signal_job")?;
    let sig = call.arg(1, "sig").and_then(signal_number).ok_or_else(|| {
        ExecError::Invocation("signal_job() missing 1 required positional argument: 'sig'".into())
    })?;
    Ok(Value::String(signal_one(call, &jid, sig)).into())
}

fn signal_number(v: &Value) -> Option<i32> {
    match v {
        Value::Number(n) => n.as_i64().map(|n| n as i32),
        Value::String(s) => s.parse().ok().or(match s.trim_start_matches("SIG") {
            "TERM" => Some(libc::SIGTERM),
            "KILL" => Some(libc::SIGKILL),
            "INT" => Some(libc::SIGINT),
            "HUP" => Some(libc::SIGHUP),
            "USR1" => Some(libc::SIGUSR1),
            "USR2" => Some(libc::SIGUSR2),
            _ => None,
        }),
        _ => None,
    }
}

fn term_job(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let jid = required_jid(call, "term_job")?;
    Ok(Value::String(signal_one(call, &jid, libc::SIGTERM)).into())
}

fn kill_job(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let jid = required_jid(call, "kill_job")?;
    Ok(Value::String(signal_one(call, &jid, libc::SIGKILL)).into())
}

fn signal_all(call: &ExecCall<'_>, sig: i32) -> Value {
    let jids: Vec<String> = running_jobs(call)
        .iter()
        .filter_map(|d| d.get("jid").and_then(Value::as_str).map(str::to_string))
        .collect();
    jids.iter()
        .map(|jid| Value::String(signal_one(call, jid, sig)))
        .collect()
}

fn term_all_jobs(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    Ok(signal_all(call, libc::SIGTERM).into())
}

fn kill_all_jobs(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    Ok(signal_all(call, libc::SIGKILL).into())
}

fn refresh_pillar(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let Some(minion) = control::lookup(&call.ctx.cachedir()) else {
        return Ok(Value::Bool(false).into());
    };
    match minion.refresh_pillar() {
        Ok(()) => Ok(Value::Bool(true).into()),
        Err(e) => {
            tracing::error!("pillar refresh failed: {e}");
            Ok(Value::Bool(false).into())
        }
    }
}

/// Salt's `saltutil.refresh_grains(refresh_pillar=True)`: `True`.
fn refresh_grains(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let Some(minion) = control::lookup(&call.ctx.cachedir()) else {
        return Ok(Value::Bool(false).into());
    };
    let refresh_pillar = call.kwarg_bool("refresh_pillar", true);
    Ok(Value::Bool(minion.refresh_grains(refresh_pillar)).into())
}

/// Salt's `sync_all` shape; Python modules found on the master are listed
/// as found and marked as not run (Halite cannot run them).
fn sync_all(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let found = found_python(call, SYNC_ALL_KEYS);
    let shape: Map = SYNC_ALL_KEYS
        .iter()
        .map(|k| {
            let of_kind: Vec<String> = found
                .iter()
                .filter(|m| m.starts_with(&format!("{k}.")))
                .cloned()
                .collect();
            (k.to_string(), python_modules::listed(&of_kind))
        })
        .collect();
    if call.kwarg_bool("refresh", true) {
        if let Some(minion) = control::lookup(&call.ctx.cachedir()) {
            minion.refresh_grains(true);
        }
    }
    Ok(Value::Object(shape).into())
}

/// The Python modules of `kinds` on the fileserver: logged, remembered.
fn found_python(call: &ExecCall<'_>, kinds: &[&str]) -> Vec<String> {
    let saltenv = call
        .arg_str(0, "saltenv")
        .unwrap_or_else(|| call.ctx.saltenv.clone());
    let found: Vec<String> = kinds
        .iter()
        .flat_map(|k| python_modules::find(call.ctx.files.as_ref(), &saltenv, k))
        .collect();
    if !found.is_empty() {
        tracing::warn!(
            "Python extension modules on the master cannot run on a Halite minion; not synced: {}",
            found.join(", ")
        );
    }
    python_modules::remember(&call.ctx.cachedir(), kinds, &found);
    found
}

fn sync_kind(call: &ExecCall<'_>, kind: &str) -> Result<ExecOutput, ExecError> {
    Ok(python_modules::listed(&found_python(call, &[kind])).into())
}

fn sync_modules(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    sync_kind(call, "modules")
}
fn sync_states(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    sync_kind(call, "states")
}
fn sync_renderers(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    sync_kind(call, "renderers")
}
fn sync_returners(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    sync_kind(call, "returners")
}
fn sync_beacons(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    sync_kind(call, "beacons")
}
fn sync_utils(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    sync_kind(call, "utils")
}
fn sync_pillar(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    sync_kind(call, "pillar")
}

/// `saltutil.sync_grains`: no custom grains modules to sync (Python ones
/// cannot run natively); with `refresh` (default) the grains are refreshed,
/// as Salt does after a sync.
fn sync_grains(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let found = found_python(call, &["grains"]);
    if call.kwarg_bool("refresh", true) {
        if let Some(minion) = control::lookup(&call.ctx.cachedir()) {
            minion.refresh_grains(true);
        }
    }
    Ok(python_modules::listed(&found).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match("state.*", "state.apply"));
        assert!(!glob_match("state.*", "test.ping"));
        assert!(glob_match("t?st.p*", "test.ping"));
    }

    #[test]
    fn signal_names_and_numbers() {
        assert_eq!(signal_number(&Value::from(9)), Some(9));
        assert_eq!(signal_number(&Value::from("SIGTERM")), Some(libc::SIGTERM));
        assert_eq!(signal_number(&Value::from("15")), Some(15));
        assert_eq!(signal_number(&Value::from("bogus")), None);
    }

    #[test]
    fn register_keeps_existing_definitions() {
        fn other(_: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
            Ok(Value::from("theirs").into())
        }
        let mut reg = Registry::new();
        reg.add_exec(&[ExecSpec {
            name: "saltutil.sync_all",
            doc: "",
            run: other,
        }]);
        register(&mut reg);
        assert!(reg.exec("saltutil.find_job").is_some());
        assert_eq!(
            reg.exec_names()
                .filter(|n| n.starts_with("saltutil."))
                .count(),
            SPECS.len()
        );
    }
}
