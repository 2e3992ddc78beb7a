//! Events up to the master, side by side: a Python and a Halite minion
//! under one real master run `event.send` and `event.fire_master` in the
//! same jobs (and through `salt-call` / `halite call` with their configs),
//! and the master's event bus (`salt-run state.event`) must show the same
//! tags and data for both, minion ids aside.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use halite_tests::minion::{Flavor, Minion};
use halite_tests::net::wait_until;
use halite_tests::require_salt;
use halite_tests::salt::{Master, MasterSpec, PINNED_SALT};
use serde_json::{json, Value};

const PY: &str = "ev-py";
const HALITE: &str = "ev-ha";

#[test]
fn events_reach_the_master_as_from_the_python_minion() {
    let venv = require_salt!(PINNED_SALT);
    let master = Master::start(&venv, MasterSpec::default());
    let py = Minion::start(&master, PY, Flavor::Python, json!({}));
    let halite = Minion::start(&master, HALITE, Flavor::Halite, json!({}));
    for m in [&py, &halite] {
        halite_tests::minion::wait_answering(&master, m);
    }
    let events = master.dir.path().join("events.txt");
    let mut listener = master.spawn_cli(
        "salt-run",
        &["state.event", "tagmatch=halite/e2e/*"],
        &events,
    );
    std::thread::sleep(Duration::from_secs(3)); // the listener subscribes

    let targets = format!("{PY},{HALITE}");
    let jobs: [&[&str]; 3] = [
        &[
            "event.send",
            "halite/e2e/send",
            "foo=bar",
            r#"with_grains=["id"]"#,
        ],
        &["event.fire_master", r#"{"a": 1}"#, "halite/e2e/fire"],
        &[
            "event.send",
            "halite/e2e/preload",
            r#"preload={"extra": "x"}"#,
            r#"data={"d": 1}"#,
        ],
    ];
    for job in jobs {
        let mut args = vec!["-L", targets.as_str()];
        args.extend_from_slice(job);
        let (ret, _) = master.salt_json(&args);
        assert_eq!(ret, json!({PY: true, HALITE: true}), "{job:?}");
    }
    let call = ["event.send", "halite/e2e/call", "foo=bar", "--out=json"];
    let from_py = salt_call(&venv.join("bin/salt-call"), &[], &py.conf_dir(), &call);
    let from_ha = salt_call(
        &halite_tests::halite_bin(),
        &["call"],
        &halite.conf_dir(),
        &call,
    );
    for out in [&from_py, &from_ha] {
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        assert_eq!(doc, json!({"local": true}), "{out:?}");
    }

    let all_seen = wait_until(Duration::from_secs(30), || {
        let seen = read_events(&events);
        ["send", "fire", "preload", "call"].iter().all(|t| {
            let tag = format!("halite/e2e/{t}");
            seen.iter().filter(|(g, _)| *g == tag).count() == 2
        })
    });
    halite_tests::salt::terminate(&mut listener);
    let seen = read_events(&events);
    assert!(all_seen, "{seen:#?}\nhalite log:\n{}", halite.log());
    // Halite answers as a 3008.4 minion: against an older master its
    // publication carries 3008's target marks, the older minion's not
    let version = halite_tests::salt::venv_version(&master.venv);
    for t in ["send", "fire", "preload", "call"] {
        let tag = format!("halite/e2e/{t}");
        let of = |id: &str| {
            seen.iter()
                .find(|(g, d)| *g == tag && d["id"] == json!(id))
                .map(|(_, d)| {
                    halite_tests::salt::drop_version_differences(&normalised(d), &version)
                })
                .unwrap_or_else(|| panic!("no {tag} event from {id}: {seen:#?}"))
        };
        assert_eq!(
            of(HALITE),
            of(PY),
            "{tag}: Halite's event differs from the Python minion's"
        );
    }
}

/// `(tag, data)` of each event `state.event` printed (`tag<TAB>json`).
fn read_events(path: &Path) -> Vec<(String, Value)> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (tag, data) = l.split_once('\t')?;
            Some((tag.to_string(), serde_json::from_str(data).ok()?))
        })
        .collect()
}

/// The event data with both minions' ids written as `ID`, the times
/// (`_stamp`, `ts`) gone, and the caller's process and job ids (two
/// salt-call processes) as `PID` and `JID`.
fn normalised(data: &Value) -> Value {
    let text = serde_json::to_string(data)
        .unwrap()
        .replace(PY, "ID")
        .replace(HALITE, "ID");
    let mut v: Value = serde_json::from_str(&text).unwrap();
    if let Some(m) = v.as_object_mut() {
        m.remove("_stamp");
        m.remove("ts");
        if let Some(Value::Object(d)) = m.get_mut("data") {
            for (key, mark) in [("__pub_pid", "PID"), ("__pub_jid", "JID")] {
                if let Some(x) = d.get_mut(key) {
                    *x = json!(mark);
                }
            }
        }
    }
    v
}

#[allow(clippy::disallowed_methods)] // test: runs salt-call and halite call
fn salt_call(program: &Path, sub: &[&str], etc: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(sub)
        .arg("-c")
        .arg(etc)
        .args(args)
        .output()
        .expect("run salt-call")
}
