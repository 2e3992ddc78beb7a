//! Job-loop tests over the in-memory link: targeting, dedupe, returns,
//! proc files with find_job, kill_job, refresh_pillar, multi-function jobs and
//! the serve loop's error handling.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use halite_api::{
    CmdSpec, ExecCall, ExecError, ExecOutput, ExecSpec, Map, Registry, SystemRunner, Value,
};
use serde_json::json;

use crate::link::LinkError;
use crate::minion::{Minion, Services, TargetQuery};
use crate::testkit::{FakeLink, NoFiles, VerbatimTemplates};

fn ping(_: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    Ok(Value::Bool(true).into())
}
/// Sleeps `ms`, or with `"gate:NAME"` holds until the test calls
/// [`release`] (so "still running" never depends on timing).
fn sleep_ms(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    if let Some(gate) = call
        .arg(0, "ms")
        .and_then(Value::as_str)
        .and_then(|s| s.strip_prefix("gate:"))
    {
        let (lock, cvar) = &GATES;
        let mut open = lock.lock().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !open.iter().any(|g| g == gate) && std::time::Instant::now() < deadline {
            open = cvar
                .wait_timeout(open, Duration::from_millis(100))
                .unwrap()
                .0;
        }
        return Ok(Value::Bool(true).into());
    }
    let ms = call.arg(0, "ms").and_then(Value::as_u64).unwrap_or(0);
    std::thread::sleep(Duration::from_millis(ms));
    Ok(Value::Bool(true).into())
}

static GATES: (std::sync::Mutex<Vec<String>>, std::sync::Condvar) =
    (std::sync::Mutex::new(Vec::new()), std::sync::Condvar::new());

/// Let the jobs holding on gate `name` finish.
fn release(name: &str) {
    GATES.0.lock().unwrap().push(name.to_string());
    GATES.1.notify_all();
}

/// Wait (bounded) until the proc file of `jid` exists.
fn wait_proc(r: &Rig, jid: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    while r.minion.procs.read(jid).is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "job {jid} never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}
fn shell(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let line = call.arg_str(0, "cmd").unwrap_or_default();
    let out = call
        .ctx
        .runner
        .run(&CmdSpec::shell("/bin/sh", &line))
        .map_err(|e| ExecError::Failed(e.to_string()))?;
    Ok(ExecOutput {
        ret: out.stdout_text().into(),
        retcode: out.retcode,
    })
}
fn pillar_get(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let key = call.arg_str(0, "key").unwrap_or_default();
    Ok(call
        .ctx
        .pillar
        .get(&key)
        .cloned()
        .unwrap_or(Value::String(String::new()))
        .into())
}

/// Glob `*`/exact on the id, `list`, and `pillar` `key:value` (exact).
fn fake_matcher(q: &TargetQuery<'_>) -> Result<bool, String> {
    match (q.tgt_type, q.tgt) {
        ("glob", Value::String(t)) => Ok(t == "*" || t == q.id),
        ("list", Value::Array(ids)) => Ok(ids.iter().any(|i| i.as_str() == Some(q.id))),
        ("pillar", Value::String(t)) => {
            let (k, v) = t.split_once(q.delimiter).ok_or("no delimiter")?;
            Ok(q.pillar.get(k).and_then(Value::as_str) == Some(v))
        }
        (other, _) => Err(format!("unsupported {other}")),
    }
}

struct Rig {
    link: Arc<FakeLink>,
    minion: Arc<Minion>,
    _dir: tempfile::TempDir,
}

fn rig() -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::new();
    reg.add_exec(&[
        ExecSpec {
            name: "test.ping",
            doc: "",
            run: ping,
        },
        ExecSpec {
            name: "test.sleep_ms",
            doc: "",
            run: sleep_ms,
        },
        ExecSpec {
            name: "cmd.shell",
            doc: "",
            run: shell,
        },
        ExecSpec {
            name: "pillar.get",
            doc: "",
            run: pillar_get,
        },
        ExecSpec {
            name: "state.apply",
            doc: "",
            run: sleep_ms,
        },
    ]);
    crate::saltutil::register(&mut reg);
    let mut state_module = Registry::new();
    halite_state::register(&mut state_module);
    reg.add_exec(&[*state_module.exec("state.running").unwrap()]);
    let services = Services {
        runner: Arc::new(SystemRunner),
        files: Arc::new(NoFiles),
        templates: Arc::new(VerbatimTemplates),
        registry: Arc::new(reg),
        matcher: fake_matcher,
    };
    let opts = json!({"id": "m1", "cachedir": dir.path()})
        .as_object()
        .unwrap()
        .clone();
    let link = Arc::new(FakeLink::default());
    let minion = Minion::new(opts, json!({"os": "Debian"}), link.clone(), services);
    minion.procs.reset().unwrap();
    Rig {
        link,
        minion,
        _dir: dir,
    }
}

fn job(jid: &str, fun: &str, arg: Value) -> Map {
    json!({"fun": fun, "arg": arg, "tgt": "*", "tgt_type": "glob", "jid": jid, "ret": "", "user": "root"})
        .as_object()
        .unwrap()
        .clone()
}

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn targeted_job_returns_in_salt_shape() {
    let r = rig();
    assert!(r
        .minion
        .handle_publication(job("1", "test.ping", json!([]))));
    let rets = r.link.wait_returns(1, WAIT);
    assert_eq!(
        Value::Object(rets[0].clone()),
        json!({"cmd": "_return", "id": "m1", "success": true, "return": true, "retcode": 0, "jid": "1",
               "fun": "test.ping", "fun_args": [], "user": "root"})
    );
    assert!(r.minion.pool.wait_idle(WAIT));
    assert!(
        r.minion.procs.all().is_empty(),
        "proc file removed after the job"
    );
}

#[test]
fn untargeted_duplicate_and_incomplete_loads_are_ignored() {
    let r = rig();
    let mut other = job("2", "test.ping", json!([]));
    other.insert("tgt".into(), json!("someone-else"));
    assert!(!r.minion.handle_publication(other));
    let mut bad_type = job("3", "test.ping", json!([]));
    bad_type.insert("tgt_type".into(), json!("range"));
    assert!(!r.minion.handle_publication(bad_type));
    let mut incomplete = job("4", "test.ping", json!([]));
    incomplete.remove("arg");
    assert!(!r.minion.handle_publication(incomplete));
    assert!(r
        .minion
        .handle_publication(job("5", "test.ping", json!([]))));
    assert!(
        !r.minion
            .handle_publication(job("5", "test.ping", json!([]))),
        "same jid twice runs once"
    );
    let mut listed = job("6", "test.ping", json!([]));
    listed.insert("tgt".into(), json!(["x", "m1"]));
    listed.insert("tgt_type".into(), json!("list"));
    assert!(r.minion.handle_publication(listed));
    assert!(r.minion.pool.wait_idle(WAIT));
    let jids: Vec<Value> = r
        .link
        .wait_returns(2, WAIT)
        .iter()
        .map(|l| l["jid"].clone())
        .collect();
    assert_eq!(jids.len(), 2);
    assert!(jids.contains(&json!("5")) && jids.contains(&json!("6")));
}

#[test]
fn find_job_sees_a_running_job_and_then_nothing() {
    let r = rig();
    r.minion
        .handle_publication(job("10", "test.sleep_ms", json!(["gate:find"])));
    wait_proc(&r, "10");
    let data = r.minion.procs.read("10").expect("proc file while running");
    assert_eq!(data["fun"], json!("test.sleep_ms"));
    assert_eq!(data["pid"], json!(std::process::id()));
    r.minion
        .handle_publication(job("11", "saltutil.find_job", json!(["10"])));
    let first = r.link.wait_returns(1, WAIT);
    assert_eq!(first[0]["jid"], json!("11"));
    assert_eq!(first[0]["return"]["jid"], json!("10"));
    assert_eq!(first[0]["return"]["arg"], json!(["gate:find"]));
    release("find");
    r.link.wait_returns(2, WAIT);
    r.minion
        .handle_publication(job("12", "saltutil.find_job", json!(["10"])));
    let all = r.link.wait_returns(3, WAIT);
    assert_eq!(all[2]["return"], json!({}));
}

#[test]
fn running_lists_other_jobs_but_not_itself() {
    let r = rig();
    r.minion
        .handle_publication(job("20", "test.sleep_ms", json!(["gate:running"])));
    wait_proc(&r, "20");
    r.minion
        .handle_publication(job("21", "saltutil.running", json!([])));
    let rets = r.link.wait_returns(1, WAIT);
    release("running");
    let listed: Vec<Value> = rets[0]["return"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["jid"].clone())
        .collect();
    assert_eq!(listed, vec![json!("20")]);
}

#[test]
fn state_running_reports_the_running_state_job_but_not_itself() {
    let r = rig();
    r.minion.handle_publication(job(
        "20240229123456789012",
        "state.apply",
        json!(["gate:state-running"]),
    ));
    wait_proc(&r, "20240229123456789012");
    r.minion
        .handle_publication(job("20240229123456789013", "state.running", json!([])));
    let rets = r.link.wait_returns(1, WAIT);
    release("state-running");
    assert_eq!(rets[0]["jid"], json!("20240229123456789013"));
    assert_eq!(
        rets[0]["return"],
        json!([format!(
            "The function \"state.apply\" is running as PID {} and was started at 2024, Feb 29 12:34:56.789012 with jid 20240229123456789012",
            std::process::id()
        )])
    );
    assert_eq!(rets[0]["retcode"], json!(0));
    r.link.wait_returns(2, WAIT);
    r.minion
        .handle_publication(job("20240229123456789014", "state.running", json!([])));
    assert_eq!(r.link.wait_returns(3, WAIT)[2]["return"], json!([]));
}

#[test]
fn proc_files_of_dead_processes_are_removed_and_not_reported() {
    let r = rig();
    let gone = i32::MAX as u32;
    r.minion
        .procs
        .write("40", gone, &job("40", "state.apply", json!([])))
        .unwrap();
    r.minion
        .handle_publication(job("41", "saltutil.running", json!([])));
    assert_eq!(r.link.wait_returns(1, WAIT)[0]["return"], json!([]));
    assert!(r.minion.procs.read("40").is_none(), "stale proc file kept");
}

#[test]
fn kill_job_stops_the_command_and_drops_the_return() {
    let r = rig();
    let started = Instant::now();
    r.minion
        .handle_publication(job("30", "cmd.shell", json!(["sleep 30"])));
    let mut seen = false;
    while !seen && started.elapsed() < WAIT {
        std::thread::sleep(Duration::from_millis(50));
        seen = !crate::jobs::job_pids("30").is_empty();
    }
    assert!(seen, "the job's command never started");
    r.minion
        .handle_publication(job("31", "saltutil.kill_job", json!(["30"])));
    let rets = r.link.wait_returns(1, WAIT);
    assert_eq!(
        rets[0]["return"],
        json!(format!(
            "Signal 9 sent to job 30 at pid {}",
            std::process::id()
        ))
    );
    assert!(r.minion.pool.wait_idle(WAIT));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the command was not killed"
    );
    assert_eq!(
        r.link.returns.lock().unwrap().len(),
        1,
        "killed job must not return"
    );
    assert!(r.minion.procs.read("30").is_none());
    r.minion
        .handle_publication(job("32", "saltutil.kill_job", json!(["30"])));
    assert_eq!(r.link.wait_returns(2, WAIT)[1]["return"], json!(""));
}

#[test]
fn refresh_pillar_swaps_pillar_and_pillar_targeting_follows() {
    let r = rig();
    let mut by_pillar = job("40", "test.ping", json!([]));
    by_pillar.insert("tgt".into(), json!("role:web"));
    by_pillar.insert("tgt_type".into(), json!("pillar"));
    assert!(!r.minion.handle_publication(by_pillar.clone()));
    *r.link.pillar.lock().unwrap() = json!({"role": "web"});
    r.minion
        .handle_publication(job("41", "saltutil.refresh_pillar", json!([])));
    assert_eq!(r.link.wait_returns(1, WAIT)[0]["return"], json!(true));
    by_pillar.insert("jid".into(), json!("42"));
    assert!(r.minion.handle_publication(by_pillar));
    r.minion
        .handle_publication(job("43", "pillar.get", json!(["role"])));
    let rets = r.link.wait_returns(3, WAIT);
    let get = rets.iter().find(|l| l["jid"] == json!("43")).unwrap();
    assert_eq!(get["return"], json!("web"));
}

#[test]
fn multi_function_job() {
    let r = rig();
    let load = json!({"fun": ["test.ping", "no.such", "cmd.shell"], "arg": [[], [], ["exit 3"]], "tgt": "*",
                      "jid": "50", "ret": ""});
    r.minion
        .handle_publication(load.as_object().unwrap().clone());
    let ret = &r.link.wait_returns(1, WAIT)[0];
    assert_eq!(
        ret["return"],
        json!({"test.ping": true, "no.such": "'no.such' is not available.", "cmd.shell": ""})
    );
    assert_eq!(
        ret["retcode"],
        json!({"test.ping": 0, "no.such": 1, "cmd.shell": 3})
    );
    assert_eq!(
        ret["success"],
        json!({"test.ping": true, "no.such": false, "cmd.shell": false})
    );
}

#[test]
fn start_event_is_fired_when_asked() {
    let r = rig();
    let mut load = job("60", "test.ping", json!([]));
    load.insert("start_event".into(), json!(true));
    r.minion.handle_publication(load);
    r.link.wait_returns(1, WAIT);
    let events = r.link.events.lock().unwrap().clone();
    assert_eq!(events[0].0, "salt/job/60/start/m1");
    assert_eq!(events[0].1["fun"], json!("test.ping"));
}

#[test]
fn serve_survives_garbage_and_stops_on_fatal() {
    let r = rig();
    r.link.publish_error(LinkError::Garbage("bad hmac".into()));
    r.link
        .publish(json!({"fun": "test.ping", "arg": [], "tgt": "*", "jid": "70", "ret": ""}));
    r.link
        .publish_error(LinkError::Fatal("key rejected".into()));
    let stop = AtomicBool::new(false);
    let mut ticks = 0;
    let res = r.minion.serve(&stop, || ticks += 1);
    assert_eq!(res, Err(LinkError::Fatal("key rejected".into())));
    assert!(ticks >= 2);
    assert_eq!(r.link.wait_returns(1, WAIT)[0]["jid"], json!("70"));
}

#[test]
fn a_second_state_run_is_refused_while_one_runs() {
    let r = rig();
    r.minion.handle_publication(job(
        "20240229123456789012",
        "state.apply",
        json!(["gate:second-run"]),
    ));
    // Salt has no start-order rule: two runs that check at the same moment
    // refuse each other. Let the first one be running before the second.
    wait_proc(&r, "20240229123456789012");
    r.minion
        .handle_publication(job("20240229123456789013", "state.apply", json!([0])));
    let first = r.link.wait_returns(1, WAIT);
    release("second-run");
    assert_eq!(first[0]["jid"], json!("20240229123456789013"), "{first:?}");
    assert_eq!(first[0]["retcode"], json!(1));
    let msg = first[0]["return"][0].as_str().unwrap().to_string();
    assert!(
        msg.starts_with("The function \"state.apply\" is running as PID"),
        "{msg}"
    );
    assert!(msg.ends_with("with jid 20240229123456789012"), "{msg}");
    assert_eq!(first[0]["out"], json!("highstate"));
    let all = r.link.wait_returns(2, WAIT);
    assert_eq!(
        all[1]["retcode"],
        json!(0),
        "the first run completes normally"
    );
    r.minion.handle_publication(job(
        "20240229123456789014",
        "state.apply",
        json!([0, {"__kwarg__": true, "concurrent": true}]),
    ));
    assert_eq!(r.link.wait_returns(3, WAIT)[2]["retcode"], json!(0));
}
