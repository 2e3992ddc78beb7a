//! State runs through the master with a Halite minion: salt:// files follow the
//! master's changes and are not fetched again when unchanged; `startup_states`
//! runs a highstate on boot and returns it to the master.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use halite_tests::minion::{wait_answering, Flavor, Minion};
use halite_tests::net::wait_until;
use halite_tests::require_salt;
use halite_tests::salt::{Master, MasterSpec, PINNED_SALT};
use serde_json::{json, Value};

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A master serving `app/init.sls`, which manages `<out>/app.conf` from `salt://app/app.conf`.
fn master_with_app(venv: &Path, out: &Path) -> Master {
    let master = Master::start(venv, MasterSpec::default());
    let sls = format!(
        "app-conf:\n  file.managed:\n    - name: {}/app.conf\n    - source: salt://app/app.conf\n    - makedirs: True\n",
        out.display()
    );
    write(&master.file_root().join("app/init.sls"), &sls);
    write(&master.file_root().join("app/app.conf"), "version=1\n");
    write(
        &master.file_root().join("top.sls"),
        "base:\n  '*':\n    - app\n",
    );
    master
}

fn apply(master: &Master, id: &str) -> Value {
    let (v, _) = master.salt_json(&[id, "state.apply", "app", "--timeout", "60"]);
    v[id].clone()
}

fn only_result(ret: &Value) -> &Value {
    let map = ret
        .as_object()
        .unwrap_or_else(|| panic!("state.apply returned {ret}"));
    assert_eq!(map.len(), 1, "one state expected: {ret}");
    map.values().next().unwrap()
}

fn cached(minion: &Minion, rel: &str) -> PathBuf {
    minion
        .root_dir()
        .join("var/cache/salt/minion/files/base")
        .join(rel)
}

#[test]
fn changed_master_file_is_used_and_unchanged_file_is_not_refetched() {
    let venv = require_salt!(PINNED_SALT);
    let out = tempfile::tempdir().unwrap();
    let master = master_with_app(&venv, out.path());
    // No publish_port in the minion config: the port the master announces is used.
    let minion = Minion::start(
        &master,
        "fs-halite",
        Flavor::Halite,
        json!({"publish_port": null}),
    );
    wait_answering(&master, &minion);

    let first = apply(&master, &minion.id);
    assert_eq!(only_result(&first)["result"], json!(true), "{first}");
    assert_eq!(
        fs::read_to_string(out.path().join("app.conf")).unwrap(),
        "version=1\n"
    );
    let cache = cached(&minion, "app/app.conf");
    let before = fs::metadata(&cache).unwrap_or_else(|e| panic!("{}: {e}", cache.display()));

    std::thread::sleep(Duration::from_millis(1100));
    let again = apply(&master, &minion.id);
    assert_eq!(
        only_result(&again)["changes"],
        json!({}),
        "converged run: {again}"
    );
    let after = fs::metadata(&cache).unwrap();
    assert_eq!(
        (before.ino(), before.mtime_nsec()),
        (after.ino(), after.mtime_nsec()),
        "unchanged file was fetched again"
    );

    write(&master.file_root().join("app/app.conf"), "version=2\n");
    let changed = apply(&master, &minion.id);
    let res = only_result(&changed);
    assert_eq!(res["result"], json!(true), "{changed}");
    assert!(
        res["changes"]["diff"]
            .as_str()
            .unwrap_or("")
            .contains("+version=2"),
        "{changed}"
    );
    assert_eq!(
        fs::read_to_string(out.path().join("app.conf")).unwrap(),
        "version=2\n"
    );
}

#[test]
fn startup_states_highstate_runs_on_boot_and_returns_to_master() {
    boot_highstate(Flavor::Halite, "boot-halite");
}

/// The same check against the Python minion: proves the test's oracle.
#[test]
fn startup_states_reference_python_minion() {
    boot_highstate(Flavor::Python, "boot-python");
}

fn boot_highstate(flavor: Flavor, id: &str) {
    let venv = require_salt!(PINNED_SALT);
    let out = tempfile::tempdir().unwrap();
    let master = master_with_app(&venv, out.path());
    let minion = Minion::start(&master, id, flavor, json!({"startup_states": "highstate"}));
    let conf = out.path().join("app.conf");
    let applied = wait_until(Duration::from_secs(90), || conf.exists());
    assert!(
        applied,
        "highstate did not run on boot; log:\n{}",
        minion.log()
    );
    assert_eq!(fs::read_to_string(&conf).unwrap(), "version=1\n");
    // The boot highstate's return reached the master's job cache.
    let found = wait_until(Duration::from_secs(30), || {
        let out = master.cli(
            "salt-run",
            &[
                "jobs.list_jobs",
                "search_function=state.highstate",
                "--out=json",
            ],
        );
        let jobs: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        jobs.as_object().is_some_and(|m| {
            m.keys().any(|jid| {
                let out = master.cli("salt-run", &["jobs.lookup_jid", jid, "--out=json"]);
                let ret: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
                ret.get(&minion.id)
                    .is_some_and(|r| r.to_string().contains("app-conf"))
            })
        })
    });
    assert!(
        found,
        "no state.highstate return from {} in the master's job cache",
        minion.id
    );
}
