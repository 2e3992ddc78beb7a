//! `halite minion` starting up: waiting on a pending key and exiting when
//! it is rejected, start-up failures that exit non-zero with the reason,
//! and the systemd readiness/stopping notifications.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use halite_tests::minion::{Flavor, Minion};
use halite_tests::net::{free_port, wait_until};
use halite_tests::require_salt;
use halite_tests::salt::{Master, MasterSpec, PINNED_SALT};
use serde_json::{json, Value};

use super::minion::{log_of, master_with, wait_ping, HAL};
/// Run `halite minion -c DIR` to completion (killed after `limit`).
#[allow(clippy::disallowed_methods)] // test: runs the binary under test to read its exit status
fn run_to_exit(conf_dir: &Path, limit: Duration) -> (Option<i32>, String) {
    let mut child = Command::new(halite_tests::halite_bin())
        .args(["minion", "-c"])
        .arg(conf_dir)
        .args(["-l", "error"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start halite");
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(_)) = child.try_wait() {
            let out: Output = child.wait_with_output().unwrap();
            return (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    (None, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn write_conf(dir: &Path, conf: Value) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("minion"),
        serde_json::to_string_pretty(&conf).unwrap(),
    )
    .unwrap();
}

#[test]
fn halite_minion_waits_for_pending_key_and_exits_when_rejected() {
    let _venv = require_salt!(PINNED_SALT);
    let master = master_with(json!({"auto_accept": false}));
    let minion = Minion::start(&master, HAL, Flavor::Halite, json!({}));
    let pending = || {
        let out = master.cli("salt-key", &["-L", "--out=json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        v["minions_pre"]
            .as_array()
            .is_some_and(|a| a.contains(&json!(HAL)))
    };
    assert!(
        wait_until(Duration::from_secs(60), pending),
        "key never pending; log:\n{}",
        log_of(&minion)
    );
    std::thread::sleep(Duration::from_secs(3));
    let acc = master.cli("salt-key", &["-a", HAL, "-y"]);
    assert!(acc.status.success());
    assert!(
        wait_ping(&master, HAL, Duration::from_secs(90)),
        "accepted key, no answer; log:\n{}",
        log_of(&minion)
    );
    drop(minion);

    let tmp = tempfile::tempdir().unwrap();
    let conf = tmp.path().join("etc");
    write_conf(
        &conf,
        json!({"id": "hal-rejected", "master": "127.0.0.1", "master_port": master.ret_port,
        "publish_port": master.publish_port, "root_dir": tmp.path().join("root"), "acceptance_wait_time": 1}),
    );
    let watcher = std::thread::spawn(move || run_to_exit(&conf, Duration::from_secs(90)));
    let pending_rej = || {
        let out = master.cli("salt-key", &["-L", "--out=json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        v["minions_pre"]
            .as_array()
            .is_some_and(|a| a.contains(&json!("hal-rejected")))
    };
    assert!(wait_until(Duration::from_secs(60), pending_rej));
    let rej = master.cli("salt-key", &["-r", "hal-rejected", "-y"]);
    assert!(rej.status.success());
    let (code, stderr) = watcher.join().unwrap();
    assert_eq!(
        code,
        Some(1),
        "rejected minion must exit 1; stderr: {stderr}"
    );
    assert!(stderr.contains("rejected"), "reason missing: {stderr}");
}

#[test]
fn halite_minion_start_failures_exit_nonzero_with_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let unreachable = tmp.path().join("unreachable");
    write_conf(
        &unreachable,
        json!({"id": "hal-x", "master": "127.0.0.1", "master_port": free_port(),
        "publish_port": free_port(), "root_dir": tmp.path().join("r1"), "auth_retries": 1, "auth_tries": 1,
        "auth_timeout": 1, "acceptance_wait_time": 1}),
    );
    let (code, stderr) = run_to_exit(&unreachable, Duration::from_secs(60));
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("127.0.0.1"),
        "reason should name the master: {stderr}"
    );

    let bad = tmp.path().join("bad");
    write_conf(
        &bad,
        json!({"id": "hal-x", "master_port": "not-a-port", "root_dir": tmp.path().join("r2")}),
    );
    let (code, stderr) = run_to_exit(&bad, Duration::from_secs(30));
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("master_port"),
        "reason should name the key: {stderr}"
    );
}

/// Under systemd (`Type=notify`, minion/agent/packaging/halite-minion.service)
/// the minion says READY=1 once it is connected to the master, and
/// STOPPING=1 on SIGTERM: a datagram socket standing in for systemd's.
#[test]
fn minion_notifies_systemd_when_ready_and_stopping() {
    use std::os::unix::net::UnixDatagram;
    let venv = require_salt!(PINNED_SALT);
    let master = Master::start(&venv, MasterSpec::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let socket = UnixDatagram::bind(&path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(90)))
        .unwrap();
    let env = vec![("NOTIFY_SOCKET".to_string(), path.display().to_string())];
    let mut minion = Minion::start_with_env(&master, "notify-1", Flavor::Halite, json!({}), env);
    let mut buf = [0u8; 256];
    let n = socket.recv(&mut buf).expect("no READY=1 within 90 s");
    let ready = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(
        ready.starts_with("READY=1\nSTATUS=minion 'notify-1' connected"),
        "{ready}"
    );
    let answered = master
        .salt_json(&["notify-1", "test.ping", "--timeout", "10"])
        .0;
    assert_eq!(answered["notify-1"], json!(true), "ready but not answering");
    minion.stop();
    let n = socket.recv(&mut buf).expect("no STOPPING=1");
    assert_eq!(&buf[..n], b"STOPPING=1");
}
