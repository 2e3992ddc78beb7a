//! `halite minion` against the real salt-master: jobs, arguments, every
//! targeting type, grains and pillar, long jobs (find_job), differential
//! checks against a Python minion, master restart, AES rotation, live
//! grains, unacted options and synced Python modules (start-up:
//! minion_start.rs).

use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use halite_tests::minion::{Flavor, Minion};
use halite_tests::net::wait_until;
use halite_tests::require_salt;
use halite_tests::salt::{Master, MasterSpec, PINNED_SALT};
use serde_json::{json, Value};

pub(crate) const HAL: &str = "hal-e2e-1";

pub(crate) fn master_with(extra: Value) -> Master {
    let venv = require_venv();
    let spec = MasterSpec {
        extra: extra.as_object().cloned().unwrap_or_default(),
        ..Default::default()
    };
    let master = Master::start(&venv, spec);
    fs::write(
        master.pillar_root().join("top.sls"),
        "base:\n  '*':\n    - data\n",
    )
    .unwrap();
    fs::write(
        master.pillar_root().join("data.sls"),
        "tier: gold\nrack:\n  row: r12\n",
    )
    .unwrap();
    master
}

fn require_venv() -> std::path::PathBuf {
    halite_tests::salt::venv(PINNED_SALT).expect("checked by require_salt! in each test")
}

/// `salt <tgt...> <fun> <args...>` as JSON; the return of minion `id`.
fn ret_of(master: &Master, args: &[&str], id: &str) -> Value {
    let (v, _) = master.salt_json(args);
    v.get(id).cloned().unwrap_or(Value::Null)
}

/// The master's pki dir (Salt prefixes `pki_dir` with `root_dir`).
fn master_pki(master: &Master) -> std::path::PathBuf {
    let plain = master.dir.path().join("pki");
    let rooted = master
        .dir
        .path()
        .join("root")
        .join(plain.strip_prefix("/").unwrap());
    if rooted.join("minions").is_dir() {
        rooted
    } else {
        plain
    }
}

/// The minion's log: Salt prefixes `log_file` with `root_dir`, so look there too.
pub(crate) fn log_of(m: &Minion) -> String {
    m.log()
}

pub(crate) fn wait_ping(master: &Master, id: &str, limit: Duration) -> bool {
    wait_until(limit, || {
        ret_of(master, &[id, "test.ping", "-t", "5"], id) == json!(true)
    })
}

/// Publish through Python's `LocalClient` (for target types the CLI lacks).
#[allow(clippy::disallowed_methods)] // test: drives the master's Python API
fn local_client(master: &Master, tgt: &str, tgt_type: &str, fun: &str) -> Value {
    let script = "import json, sys, salt.client\n\
        c = salt.client.LocalClient(c_path=sys.argv[1])\n\
        print(json.dumps(c.cmd(sys.argv[2], sys.argv[4], tgt_type=sys.argv[3], timeout=10)))";
    let out = Command::new(master.venv.join("bin/python"))
        .args(["-c", script])
        .arg(master.conf_dir().join("master"))
        .args([tgt, tgt_type, fun])
        .output()
        .expect("run LocalClient");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("LocalClient: {e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// `salt <args> --out=json` WITHOUT `--static`: one JSON document per
/// minion return, merged. Long-job checks need this path: with `--static`
/// the Salt 3008.4 CLI runs the job as a 100% batch whose state machine
/// (`salt/utils/batch_state.py`, `progress_batch` step 4) gives up on a
/// minion `timeout + gather_job_timeout` seconds after dispatch whatever
/// `saltutil.find_job` answers, for Python minions as well.
fn salt_streamed(master: &Master, args: &[&str]) -> Value {
    let mut all: Vec<&str> = args.to_vec();
    all.push("--out=json");
    let out = master.cli("salt", &all);
    let text = String::from_utf8_lossy(&out.stdout);
    let mut merged = serde_json::Map::new();
    for doc in serde_json::Deserializer::from_str(&text).into_iter::<Value>() {
        match doc {
            Ok(Value::Object(m)) => merged.extend(m),
            _ => break,
        }
    }
    Value::Object(merged)
}

/// `LocalClient.cmd(..., full_return=True)` on a list of minions: each
/// minion's `{ret, retcode, out?, jid}`.
#[allow(clippy::disallowed_methods)] // test: drives the master's Python API
fn full_returns(master: &Master, ids: &str, fun: &str) -> Value {
    let script = "import json, sys, salt.client\n\
        c = salt.client.LocalClient(c_path=sys.argv[1])\n\
        print(json.dumps(c.cmd(sys.argv[2].split(','), sys.argv[3], tgt_type='list', full_return=True, timeout=20)))";
    let out = Command::new(master.venv.join("bin/python"))
        .args(["-c", script])
        .arg(master.conf_dir().join("master"))
        .args([ids, fun])
        .output()
        .expect("run LocalClient");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("LocalClient: {e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn halite_minion_runs_jobs_with_salt_targeting() {
    let _venv = require_salt!(PINNED_SALT);
    let master = master_with(json!({"nodegroups": {"webs": "G@role:web and L@hal-e2e-1,other"}}));
    let minion = Minion::start(
        &master,
        HAL,
        Flavor::Halite,
        json!({"grains": {"role": "web"}}),
    );
    assert!(
        wait_ping(&master, HAL, Duration::from_secs(90)),
        "no answer; log:\n{}",
        log_of(&minion)
    );

    let run = |args: &[&str]| ret_of(&master, args, HAL);
    assert_eq!(
        run(&[HAL, "cmd.run", "echo hello world"]),
        json!("hello world")
    );
    assert_eq!(run(&[HAL, "cmd.run", "pwd", "cwd=/tmp"]), json!("/tmp"));
    assert_eq!(
        run(&[HAL, "cmd.run", "echo $X", "env={\"X\": \"from-kwarg\"}"]),
        json!("from-kwarg")
    );

    let targets: &[&[&str]] = &[
        &["hal-e2e-*"],
        &["-E", "hal-e2e-[0-9]"],
        &["-L", "nobody,hal-e2e-1"],
        &["-G", "role:web"],
        &["--grain-pcre", "role:w.b"],
        &["-I", "tier:gold"],
        &["--pillar-pcre", "rack:row:r1[0-9]"],
        &["-S", "127.0.0.0/8"],
        &["-C", "G@role:web and I@tier:gold and not L@other"],
        &["-N", "webs"],
    ];
    for tgt in targets {
        let mut args: Vec<&str> = tgt.to_vec();
        args.push("test.ping");
        assert_eq!(
            run(&args),
            json!(true),
            "target {tgt:?} did not reach the minion; log:\n{}",
            log_of(&minion)
        );
    }

    let exact = local_client(&master, "tier:gold", "pillar_exact", "test.ping");
    assert_eq!(
        exact[HAL],
        json!(true),
        "pillar_exact (LocalClient only: the CLI has no flag)"
    );

    let grains = run(&[HAL, "grains.items"]);
    assert_eq!(grains["id"], json!(HAL));
    assert_eq!(grains["role"], json!("web"));
    // Salt 3008.4 masks pillar.item values unless unmask=True.
    assert_eq!(
        run(&[HAL, "pillar.item", "tier", "unmask=True"]),
        json!({"tier": "gold"})
    );
    assert_eq!(
        run(&[HAL, "pillar.item", "tier"]),
        json!({"tier": "**********"})
    );

    fs::write(
        master.pillar_root().join("data.sls"),
        "tier: platinum\nrack:\n  row: r12\n",
    )
    .unwrap();
    assert_eq!(run(&[HAL, "saltutil.refresh_pillar"]), json!(true));
    assert_eq!(
        run(&["-I", "tier:platinum", "test.ping"]),
        json!(true),
        "pillar targeting after refresh"
    );

    // Outlives -t 5 and the first gather_job_timeout window (5 + 10 s): the
    // CLI keeps waiting only because find_job reports the job at ~5 s and ~15 s.
    let started = Instant::now();
    assert_eq!(
        salt_streamed(&master, &[HAL, "test.sleep", "20", "-t", "5"]),
        json!({HAL: true}),
        "long job lost; log:\n{}",
        log_of(&minion)
    );
    assert!(started.elapsed() >= Duration::from_secs(20));

    let (multi, _) = master.salt_json(&[HAL, "test.ping,test.echo", ",hi"]);
    assert_eq!(multi[HAL], json!({"test.ping": true, "test.echo": "hi"}));
}

#[test]
fn halite_minion_answers_like_python_minion() {
    let _venv = require_salt!(PINNED_SALT);
    let master = master_with(json!({}));
    let py = Minion::start(&master, "py-e2e-1", Flavor::Python, json!({}));
    let hal = Minion::start(&master, HAL, Flavor::Halite, json!({}));
    assert!(
        wait_ping(&master, HAL, Duration::from_secs(90)),
        "halite: {}",
        log_of(&hal)
    );
    assert!(
        wait_ping(&master, "py-e2e-1", Duration::from_secs(90)),
        "python: {}",
        log_of(&py)
    );
    let both = "py-e2e-1,hal-e2e-1";
    for call in [
        &["no_such.function"][..],
        &["saltutil.sync_all"],
        &["saltutil.find_job", "12345"],
        &["test.echo", "x"],
    ] {
        let mut args = vec!["-L", both];
        args.extend_from_slice(call);
        let (v, _) = master.salt_json(&args);
        let version = halite_tests::salt::venv_version(&master.venv);
        let same = |id: &str| halite_tests::salt::drop_version_differences(&v[id], &version);
        assert_eq!(same(HAL), same("py-e2e-1"), "{call:?} differs: {v}");
        assert!(!v[HAL].is_null(), "{call:?}: no return");
    }
    let exit_of = |id: &str| master.salt_json(&[id, "no_such.function"]).1;
    assert_eq!(
        exit_of(HAL),
        exit_of("py-e2e-1"),
        "CLI exit status for an unknown function"
    );
    let job_ret = master.cli("salt-run", &["--out=json", "jobs.list_jobs"]);
    assert!(job_ret.status.success());

    // A job that outlives -t and gather_job_timeout: both minions keep the
    // CLI waiting through find_job and both return.
    assert_eq!(
        salt_streamed(&master, &["-L", both, "test.sleep", "20", "-t", "5"]),
        json!({HAL: true, "py-e2e-1": true}),
        "long job; halite log:\n{}",
        log_of(&hal)
    );
}

/// Salt's `PID <n>` differs between minions; everything else must not.
fn without_pids(v: &Value) -> Value {
    match v {
        Value::String(s) => {
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(at) = rest.find("PID ") {
                out.push_str(&rest[..at + 4]);
                rest = rest[at + 4..].trim_start_matches(|c: char| c.is_ascii_digit());
                out.push('N');
            }
            out.push_str(rest);
            Value::String(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(without_pids).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), without_pids(x)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn a_second_state_run_is_refused_like_python_minion() {
    let _venv = require_salt!(PINNED_SALT);
    let master = master_with(json!({}));
    fs::write(
        master.file_root().join("top.sls"),
        "base:\n  '*':\n    - slow\n",
    )
    .unwrap();
    fs::write(
        master.file_root().join("slow.sls"),
        "slow:\n  cmd.run:\n    - name: sleep 12\n",
    )
    .unwrap();
    let py = Minion::start(&master, "py-e2e-1", Flavor::Python, json!({}));
    let hal = Minion::start(&master, HAL, Flavor::Halite, json!({}));
    for (id, m) in [(HAL, &hal), ("py-e2e-1", &py)] {
        assert!(
            wait_ping(&master, id, Duration::from_secs(90)),
            "{id}: {}",
            log_of(m)
        );
    }
    let both = "py-e2e-1,hal-e2e-1";
    let idle = full_returns(&master, both, "state.running");
    assert_eq!(idle[HAL]["ret"], json!([]), "{idle}");
    assert_eq!(idle[HAL]["ret"], idle["py-e2e-1"]["ret"]);

    let started = master.cli("salt", &["-L", both, "state.highstate", "--async"]);
    let text = String::from_utf8_lossy(&started.stdout).to_string();
    let jid = text
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(jid.len(), 20, "no jid in {text:?}");
    let both_running = wait_until(Duration::from_secs(20), || {
        let v = full_returns(&master, both, "state.running");
        [HAL, "py-e2e-1"]
            .iter()
            .all(|id| v[*id]["ret"].as_array().is_some_and(|a| !a.is_empty()))
    });
    assert!(
        both_running,
        "the first highstate never showed up; log:\n{}",
        log_of(&hal)
    );

    let running = full_returns(&master, both, "state.running");
    let expected = format!("with jid {jid}");
    let listed = running[HAL]["ret"][0].as_str().unwrap_or_default();
    assert!(
        listed.starts_with("The function \"state.highstate\" is running as PID")
            && listed.ends_with(&expected),
        "{running}"
    );
    assert_eq!(
        without_pids(&running[HAL]),
        without_pids(&running["py-e2e-1"])
    );

    let second = full_returns(&master, both, "state.highstate");
    assert_eq!(second[HAL]["retcode"], json!(1), "{second}");
    assert_eq!(second[HAL]["out"], json!("highstate"), "{second}");
    assert_eq!(
        without_pids(&second[HAL]["ret"]),
        without_pids(&running[HAL]["ret"])
    );
    assert_eq!(
        without_pids(&second[HAL]),
        without_pids(&second["py-e2e-1"])
    );

    let all_done = wait_until(Duration::from_secs(40), || {
        let v = full_returns(&master, both, "state.running");
        v[HAL]["ret"] == json!([]) && v["py-e2e-1"]["ret"] == json!([])
    });
    assert!(
        all_done,
        "the first highstate never ended; log:\n{}",
        log_of(&hal)
    );
}

#[test]
fn halite_minion_survives_master_restart_and_aes_rotation() {
    let _venv = require_salt!(PINNED_SALT);
    let mut master = master_with(json!({"loop_interval": 1}));
    let schedule = json!({"schedule": {"echo_job": {"function": "test.echo", "args": ["from-schedule"], "hours": 1}}});
    let minion = Minion::start(&master, HAL, Flavor::Halite, schedule);
    assert!(
        wait_ping(&master, HAL, Duration::from_secs(90)),
        "log:\n{}",
        log_of(&minion)
    );

    // The scheduled job ran on start and returned with jid `req`: the master stored it.
    let scheduled = wait_until(Duration::from_secs(30), || {
        let out = master.cli(
            "salt-run",
            &["--out=json", "jobs.list_jobs", "search_function=test.echo"],
        );
        String::from_utf8_lossy(&out.stdout).contains("from-schedule")
    });
    assert!(
        scheduled,
        "scheduled job not returned; log:\n{}",
        log_of(&minion)
    );

    // AES rotation: deleting another key makes the master drop .dfn and rotate.
    let accepted = master_pki(&master).join("minions");
    fs::copy(accepted.join(HAL), accepted.join("other-minion")).unwrap();
    let del = master.cli("salt-key", &["-d", "other-minion", "-y"]);
    assert!(
        del.status.success(),
        "{}",
        String::from_utf8_lossy(&del.stderr)
    );
    std::thread::sleep(Duration::from_secs(4));
    let (v, _) = master.salt_json(&[HAL, "test.ping", "-t", "10"]);
    assert_eq!(
        v[HAL],
        json!(true),
        "no answer after AES rotation; log:\n{}",
        log_of(&minion)
    );

    master.restart();
    let back = Instant::now();
    assert!(
        wait_ping(&master, HAL, Duration::from_secs(120)),
        "no answer after master restart; log:\n{}",
        log_of(&minion)
    );
    eprintln!(
        "halite minion answered {:.1}s after the master restarted",
        back.elapsed().as_secs_f64()
    );
}

/// Live grains: after `grains.setval` (or an edited grains file and
/// `saltutil.refresh_grains`) the running minion matches `-G` on the new
/// grain through the master, and `grains.delkey` takes it away again.
#[test]
fn grains_set_through_the_master_are_targetable_at_once() {
    let venv = require_salt!(PINNED_SALT);
    let master = Master::start(&venv, MasterSpec::default());
    let minion = Minion::start(&master, "grains-1", Flavor::Halite, json!({}));
    halite_tests::minion::wait_answering(&master, &minion);
    let ping = |target: &str| {
        master
            .salt_json(&["-G", target, "test.ping", "--timeout", "10"])
            .0
    };
    assert_eq!(ping("live_rack:r77").get("grains-1"), None);
    let (set, _) = master.salt_json(&["grains-1", "grains.setval", "live_rack", "r77"]);
    assert_eq!(set["grains-1"], json!({"live_rack": "r77"}));
    assert_eq!(
        ping("live_rack:r77")["grains-1"],
        json!(true),
        "{}",
        minion.log()
    );

    // the grains file edited behind the minion's back, then refreshed
    let grains_file = minion.conf_dir().join("grains");
    let text = fs::read_to_string(&grains_file).unwrap();
    fs::write(&grains_file, text.replace("r77", "r78")).unwrap();
    let (refreshed, _) = master.salt_json(&["grains-1", "saltutil.refresh_grains"]);
    assert_eq!(refreshed["grains-1"], json!(true));
    assert_eq!(ping("live_rack:r78")["grains-1"], json!(true));

    let (gone, _) = master.salt_json(&["grains-1", "grains.delkey", "live_rack"]);
    assert_eq!(gone["grains-1"], json!({"live_rack": null}));
    assert_eq!(ping("live_rack:r78").get("grains-1"), None);
}

/// The log file says what an operator needs: where the config came from,
/// each option set that Halite does not act on (once, naming key and file),
/// each job as Salt words it, and each state's run.
#[test]
fn minion_log_names_unacted_options_jobs_and_states() {
    let venv = require_salt!(PINNED_SALT);
    let master = Master::start(&venv, MasterSpec::default());
    let conf = json!({
        "beacons": {"load": [{"averages": {"1m": [0.0, 2.0]}}]},
        "grains_cache": true,
        "ping_interval": 0,
    });
    fs::write(master.file_root().join("s.sls"), "a:\n  test.nop: []\n").unwrap();
    let minion = Minion::start(&master, "log-1", Flavor::Halite, conf);
    halite_tests::minion::wait_answering(&master, &minion);
    let (ret, _) = master.salt_json(&["log-1", "state.sls", "s", "--timeout", "30"]);
    assert!(ret["log-1"].is_object(), "{ret}");
    let ok = wait_until(Duration::from_secs(10), || {
        minion.log().contains("Completed state [a]")
    });
    let log = minion.log();
    assert!(ok, "{log}");
    let conf_file = minion.conf_dir().join("minion");
    for want in [
        format!("Reading configuration from {}", conf_file.display()),
        format!("Halite does not act on the minion option 'beacons' (set in {}): beacons do not run on a Halite minion", conf_file.display()),
        "Halite does not act on the minion option 'grains_cache'".to_string(),
        "User root Executing command test.ping with jid".to_string(),
        "User root Executing command state.sls with jid".to_string(),
        "Returning information for job:".to_string(),
        "Executing state test.nop for [a]".to_string(),
    ] {
        assert!(log.contains(&want), "no {want:?} in:\n{log}");
    }
    assert_eq!(log.matches("option 'beacons'").count(), 1, "{log}");
    assert!(
        !log.contains("'ping_interval'"),
        "a default value was reported:\n{log}"
    );
}

/// Python extension modules on the master: `saltutil.sync_all` lists the
/// ones it found, marked as not run, and logs it; calling one says why it
/// is not available.
#[test]
fn sync_all_names_python_modules_it_cannot_run() {
    let venv = require_salt!(PINNED_SALT);
    let master = Master::start(&venv, MasterSpec::default());
    let ext = master.file_root().join("_modules");
    fs::create_dir_all(&ext).unwrap();
    fs::write(ext.join("hello.py"), "def world():\n    return 'hi'\n").unwrap();
    let minion = Minion::start(&master, "sync-1", Flavor::Halite, json!({}));
    halite_tests::minion::wait_answering(&master, &minion);
    let (ret, _) = master.salt_json(&["sync-1", "saltutil.sync_all", "--timeout", "30"]);
    assert_eq!(
        ret["sync-1"]["modules"],
        json!(["modules.hello (Python: not run by Halite)"]),
        "{ret}"
    );
    assert_eq!(ret["sync-1"]["states"], json!([]));
    let (called, _) = master.salt_json(&["sync-1", "hello.world"]);
    let said = called["sync-1"].as_str().unwrap_or_default().to_string();
    assert!(
        said.starts_with(
            "'hello.world' is not available: it is in the Python module salt://_modules/hello.py"
        ),
        "{called}"
    );
    let log = minion.log();
    assert!(
        log.contains("Python extension modules on the master cannot run on a Halite minion; not synced: modules.hello"),
        "{log}"
    );
}
