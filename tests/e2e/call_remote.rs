//! `halite call` without `--local` (salt-call with `file_client: remote`)
//! against a real salt-master: SLS files, top files and `salt://` templates come
//! from the master's fileserver, pillar is compiled by the master (per-rack data
//! chosen by a grain match in the master's pillar top), the result goes back to
//! the master's job cache, and an unreachable master fails fast with salt-call's
//! message. Differential checks run the real `salt-call` with the same config.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use halite_tests::require_salt;
use halite_tests::salt::{Master, MasterSpec, PINNED_SALT};
use serde_json::{json, Value};

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A master whose `app` SLS renders `salt://app/app.conf.j2` (pillar + grains)
/// into `<out>/app.conf`, whose `extra` SLS manages `<out>/extra.txt`, whose
/// state top gives `app` to every minion and `extra` to rack r1, and whose
/// pillar top gives rack data by the `rack` grain.
fn master_with_racks(venv: &Path, out: &Path) -> Master {
    let master = Master::start(venv, MasterSpec::default());
    let files = master.file_root();
    write(
        &files.join("app/init.sls"),
        &format!(
            "app-conf:\n  file.managed:\n    - name: {}/app.conf\n    - source: salt://app/app.conf.j2\n    - template: jinja\n    - makedirs: True\n",
            out.display()
        ),
    );
    write(
        &files.join("app/app.conf.j2"),
        "rack={{ pillar['rack_name'] }}\nvlan={{ pillar.get('vlan') }}\nid={{ grains['id'] }}\n",
    );
    write(
        &files.join("extra.sls"),
        &format!(
            "extra-file:\n  file.managed:\n    - name: {}/extra.txt\n    - contents: from the master\n",
            out.display()
        ),
    );
    write(
        &files.join("top.sls"),
        "base:\n  '*':\n    - app\n  'rack:r1':\n    - match: grain\n    - extra\n",
    );
    let pillar = master.pillar_root();
    write(
        &pillar.join("top.sls"),
        "base:\n  '*':\n    - common\n  'rack:r1':\n    - match: grain\n    - racks.r1\n  'rack:r2':\n    - match: grain\n    - racks.r2\n",
    );
    write(&pillar.join("common.sls"), "site: lab\nntp: [a, b]\n");
    write(
        &pillar.join("racks/r1.sls"),
        "rack_name: rack-one\nvlan: 101\n",
    );
    write(
        &pillar.join("racks/r2.sls"),
        "rack_name: rack-two\nvlan: 202\n",
    );
    master
}

/// A salt-call config directory (`<dir>/etc/minion`) for minion `id` on `rack`.
struct CallConfig {
    dir: tempfile::TempDir,
}

impl CallConfig {
    fn new(master_port: u16, publish_port: u16, id: &str, extra: Value) -> CallConfig {
        let dir = tempfile::Builder::new()
            .prefix("halite-call-")
            .tempdir()
            .unwrap();
        let mut conf = json!({
            "id": id,
            "master": "127.0.0.1",
            "master_port": master_port,
            "publish_port": publish_port,
            "root_dir": dir.path().join("root"),
            "log_file": dir.path().join("minion.log"),
            "acceptance_wait_time": 1,
        });
        if let (Some(obj), Value::Object(more)) = (conf.as_object_mut(), extra) {
            obj.extend(more);
        }
        let etc = dir.path().join("etc");
        fs::create_dir_all(&etc).unwrap();
        // salt-call 3007.13 refuses to start unless its pki directory exists
        // ("Could not access .../etc/salt/pki. Path does not exist.").
        fs::create_dir_all(dir.path().join("root/etc/salt/pki/minion")).unwrap();
        fs::write(
            etc.join("minion"),
            serde_json::to_string_pretty(&conf).unwrap(),
        )
        .unwrap();
        CallConfig { dir }
    }

    fn for_master(master: &Master, id: &str, rack: &str) -> CallConfig {
        CallConfig::new(
            master.ret_port,
            master.publish_port,
            id,
            json!({"grains": {"rack": rack}}),
        )
    }

    fn etc(&self) -> PathBuf {
        self.dir.path().join("etc")
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("minion.log")).unwrap_or_default()
    }
}

#[allow(clippy::disallowed_methods)] // test harness: runs the binary under test
fn halite_call(conf: &CallConfig, args: &[&str]) -> Output {
    Command::new(halite_tests::halite_bin())
        .arg("call")
        .arg("-c")
        .arg(conf.etc())
        .args(args)
        .output()
        .expect("run halite call")
}

#[allow(clippy::disallowed_methods)] // test harness: runs the reference salt-call
fn salt_call(venv: &Path, conf: &CallConfig, args: &[&str]) -> Output {
    Command::new(venv.join("bin/salt-call"))
        .arg("-c")
        .arg(conf.etc())
        .args(args)
        .output()
        .expect("run salt-call")
}

/// `{"local": X}` from a `--out=json` run → X; panics with the output otherwise.
fn local_json(what: &str, out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{what}: stdout is not JSON ({e}); status {:?}\nstdout:\n{text}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    doc["local"].clone()
}

/// State results without run-specific fields (times).
fn normalised(ret: &Value) -> Value {
    let mut ret = ret.clone();
    if let Some(states) = ret.as_object_mut() {
        for state in states.values_mut() {
            if let Some(s) = state.as_object_mut() {
                s.remove("start_time");
                s.remove("duration");
            }
        }
    }
    ret
}

fn assert_success(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what}: status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Functions in the master's job cache returned by `id` (salt-call's `_return`, jid "req").
fn job_functions_of(master: &Master, id: &str) -> Vec<String> {
    let out = master.cli(
        "salt-run",
        &[
            "jobs.list_jobs",
            &format!("search_target={id}"),
            "--out=json",
        ],
    );
    let jobs: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    jobs.as_object()
        .map(|m| {
            m.values()
                .filter(|j| j["Target"] == json!(id))
                .filter_map(|j| j["Function"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn state_apply_renders_master_template_with_rack_pillar() {
    let venv = require_salt!(PINNED_SALT);
    let out = tempfile::tempdir().unwrap();
    let master = master_with_racks(&venv, out.path());
    let conf = CallConfig::for_master(&master, "call-r2", "r2");
    let run = halite_call(&conf, &["state.apply", "app", "--out=json"]);
    assert_success("halite call state.apply app", &run);
    let ret = local_json("state.apply", &run);
    let key = format!(
        "file_|-app-conf_|-{}/app.conf_|-managed",
        out.path().display()
    );
    let state = &ret[key.as_str()];
    assert_eq!(state["result"], json!(true), "{ret}");
    assert_eq!(
        fs::read_to_string(out.path().join("app.conf")).unwrap(),
        "rack=rack-two\nvlan=202\nid=call-r2\n"
    );
    // The SLS and the template were fetched into the minion's file cache.
    let cache = conf
        .dir
        .path()
        .join("root/var/cache/salt/minion/files/base");
    assert!(cache.join("app/init.sls").is_file(), "{}", conf.log());
    assert!(cache.join("app/app.conf.j2").is_file());
    // Like salt-call, the result was returned to the master's job cache.
    assert!(
        job_functions_of(&master, "call-r2").contains(&"state.apply".to_string()),
        "no state.apply return from call-r2 in the job cache"
    );
    // --no-return-event keeps the result away from the master.
    let quiet = halite_call(&conf, &["test.echo", "hi", "--no-return-event"]);
    assert_success("halite call --no-return-event", &quiet);
    let echoed = halite_call(&conf, &["test.arg", "hi"]);
    assert_success("halite call test.arg", &echoed);
    let functions = job_functions_of(&master, "call-r2");
    assert!(functions.contains(&"test.arg".to_string()), "{functions:?}");
    assert!(
        !functions.contains(&"test.echo".to_string()),
        "{functions:?}"
    );
}

#[test]
fn pillar_items_equals_real_salt_call() {
    let venv = require_salt!(PINNED_SALT);
    let out = tempfile::tempdir().unwrap();
    let master = master_with_racks(&venv, out.path());
    // The rack grain comes from the `grains` file next to the config file.
    let conf = CallConfig::new(
        master.ret_port,
        master.publish_port,
        "call-pillar",
        json!({}),
    );
    write(&conf.etc().join("grains"), "rack: r1\n");
    // 3008.4 masks pillar.items values unless unmask=True; older salt-calls have no
    // masking and refuse `unmask`, so there the unmasked pillar.raw is compared.
    let args: &[&str] = if halite_tests::salt::venv_version(&venv).starts_with("3008") {
        &["pillar.items", "unmask=True", "--out=json"]
    } else {
        &["pillar.raw", "--out=json"]
    };
    let python = salt_call(&venv, &conf, args);
    assert_success("salt-call pillar.items", &python);
    let halite = halite_call(&conf, args);
    assert_success("halite call pillar.items", &halite);
    let expected = local_json("salt-call", &python);
    assert_eq!(
        expected,
        json!({"site": "lab", "ntp": ["a", "b"], "rack_name": "rack-one", "vlan": 101}),
        "the reference itself"
    );
    assert_eq!(local_json("halite call", &halite), expected);
}

#[test]
fn highstate_uses_the_masters_top_file() {
    let venv = require_salt!(PINNED_SALT);
    let out = tempfile::tempdir().unwrap();
    let master = master_with_racks(&venv, out.path());
    // A local file_roots top that must not be used in remote mode.
    let local_roots = tempfile::tempdir().unwrap();
    write(
        &local_roots.path().join("top.sls"),
        "base:\n  '*':\n    - localonly\n",
    );
    write(
        &local_roots.path().join("localonly.sls"),
        "local-only:\n  test.succeed_without_changes\n",
    );
    let conf = CallConfig::new(
        master.ret_port,
        master.publish_port,
        "call-high",
        json!({"grains": {"rack": "r1"}, "file_roots": {"base": [local_roots.path()]}}),
    );
    let args = ["state.highstate", "--out=json"];
    let python = salt_call(&venv, &conf, &args);
    assert_success("salt-call state.highstate", &python);
    for f in ["app.conf", "extra.txt"] {
        fs::remove_file(out.path().join(f)).unwrap();
    }
    let run = halite_call(&conf, &args);
    assert_success("halite call state.highstate", &run);
    let ret = local_json("state.highstate", &run);
    assert_eq!(
        normalised(&ret),
        normalised(&local_json("salt-call", &python)),
        "same result as the real salt-call"
    );
    let ids: Vec<&str> = ret
        .as_object()
        .unwrap_or_else(|| panic!("{ret}"))
        .values()
        .filter_map(|s| s["__id__"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{ret}");
    assert!(
        ids.contains(&"app-conf") && ids.contains(&"extra-file"),
        "{ret}"
    );
    assert_eq!(
        fs::read_to_string(out.path().join("extra.txt")).unwrap(),
        "from the master\n"
    );
    assert_eq!(
        fs::read_to_string(out.path().join("app.conf")).unwrap(),
        "rack=rack-one\nvlan=101\nid=call-high\n"
    );
}

#[test]
fn state_apply_matches_real_salt_call() {
    let venv = require_salt!(PINNED_SALT);
    let out = tempfile::tempdir().unwrap();
    let master = master_with_racks(&venv, out.path());
    let conf = CallConfig::for_master(&master, "call-diff", "r1");
    let args = ["state.apply", "app", "--out=json"];
    let conf_file = out.path().join("app.conf");
    let python = apply_twice("salt-call", &conf_file, || salt_call(&venv, &conf, &args));
    let halite = apply_twice("halite call", &conf_file, || halite_call(&conf, &args));
    assert_eq!(halite.file, python.file);
    assert_eq!(halite.first, python.first, "first run (file created)");
    assert_eq!(halite.again, python.again, "second run (no changes)");
}

/// Normalised results of a run that creates the file and a converged re-run.
struct TwoRuns {
    first: Value,
    again: Value,
    file: String,
}

fn apply_twice(name: &str, file: &Path, run: impl Fn() -> Output) -> TwoRuns {
    let _ = fs::remove_file(file);
    let first = run();
    assert_success(name, &first);
    let created = fs::read_to_string(file).unwrap();
    let again = run();
    assert_success(name, &again);
    TwoRuns {
        first: normalised(&local_json(name, &first)),
        again: normalised(&local_json(name, &again)),
        file: created,
    }
}

#[test]
fn unreachable_master_fails_with_salt_calls_message() {
    let port = halite_tests::net::free_port();
    let conf = CallConfig::new(
        port,
        halite_tests::net::free_port(),
        "call-nomaster",
        json!({"auth_timeout": 1, "auth_tries": 2}),
    );
    let started = Instant::now();
    let run = halite_call(&conf, &["test.ping"]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert_eq!(run.status.code(), Some(2), "{run:?}");
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        "Minion failed to authenticate with the master, has the minion key been accepted?"
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(&format!("127.0.0.1:{port}")),
        "the error names the master: {stderr}"
    );
}

#[test]
fn pending_then_rejected_key_end_the_call_like_salt_call() {
    let venv = require_salt!(PINNED_SALT);
    let mut spec = MasterSpec::default();
    spec.extra.insert("auto_accept".into(), json!(false));
    let master = Master::start(&venv, spec);
    let conf = CallConfig::new(master.ret_port, master.publish_port, "call-key", json!({}));
    let started = Instant::now();
    let pending = halite_call(&conf, &["test.ping"]);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(pending.status.code(), Some(2), "{pending:?}");
    assert_eq!(
        String::from_utf8_lossy(&pending.stdout).trim(),
        "Minion failed to authenticate with the master, has the minion key been accepted?"
    );

    let out = master.cli("salt-key", &["-r", "call-key", "-y"]);
    assert!(out.status.success(), "{out:?}");
    let rejected = halite_call(&conf, &["test.ping"]);
    assert_eq!(rejected.status.code(), Some(77), "{rejected:?}");
    assert!(
        String::from_utf8_lossy(&rejected.stderr)
            .contains("The Salt Master has rejected this minion's public key!"),
        "{rejected:?}"
    );
}
