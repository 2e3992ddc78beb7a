//! The Salt mine through a real master, side by side: a Python minion and a
//! Halite minion with the same `mine_functions`. Both send their mine at
//! start (Salt's `__mine_interval` schedule entry, `run_on_start`), and every
//! `mine.*` call, made on both at once, must answer the same: what one
//! minion sent, the other reads back through the master's `_mine_get`,
//! minion-side ACLs (`allow_tgt`) included.

use std::time::Duration;

use halite_tests::minion::{Flavor, Minion};
use halite_tests::net::wait_until;
use halite_tests::require_salt;
use halite_tests::salt::{Master, MasterSpec, PINNED_SALT};
use serde_json::{json, Value};

const PY: &str = "mine-py";
const HALITE: &str = "mine-ha";

fn config() -> Value {
    json!({"mine_functions": {
        "test.ping": [],
        "greeting": [{"mine_function": "test.echo"}, "hello"],
        "my_id": [{"mine_function": "grains.get"}, "id"],
    }})
}

/// Run a call on both minions; their two returns.
fn both(master: &Master, args: &[&str]) -> (Value, Value) {
    let targets = format!("{PY},{HALITE}");
    let mut all = vec!["-L", targets.as_str()];
    all.extend_from_slice(args);
    all.extend(["--timeout", "30"]);
    let (ret, _) = master.salt_json(&all);
    (ret[PY].clone(), ret[HALITE].clone())
}

/// Both minions answer `args` alike, and that answer is `want`.
fn same(master: &Master, args: &[&str], want: Value) {
    let (py, ha) = both(master, args);
    assert_eq!(ha, py, "{args:?}: Halite differs from the Python minion");
    assert_eq!(py, want, "{args:?}");
}

#[test]
fn mine_through_the_master_matches_the_python_minion() {
    let venv = require_salt!(PINNED_SALT);
    let master = Master::start(&venv, MasterSpec::default());
    let py = Minion::start(&master, PY, Flavor::Python, config());
    let halite = Minion::start(&master, HALITE, Flavor::Halite, config());
    halite_tests::minion::wait_answering(&master, &py);
    halite_tests::minion::wait_answering(&master, &halite);

    let started = wait_until(Duration::from_secs(60), || {
        let (ret, _) = master.salt_json(&[PY, "mine.get", "*", "my_id", "--timeout", "10"]);
        ret[PY] == json!({PY: PY, HALITE: HALITE})
    });
    assert!(
        started,
        "the start-up mine.update did not reach the master; halite log:\n{}",
        halite.log()
    );

    let everyone = json!({PY: true, HALITE: true});
    same(&master, &["mine.get", "*", "test.ping"], everyone.clone());
    same(
        &master,
        &["mine.get", "mine-*", "greeting,test.ping"],
        json!({"greeting": {PY: "hello", HALITE: "hello"}, "test.ping": everyone}),
    );
    let (py_ex, ha_ex) = both(&master, &["mine.get", "*", "my_id", "exclude_minion=True"]);
    assert_eq!((py_ex, ha_ex), (json!({HALITE: HALITE}), json!({PY: PY})));
    same(
        &master,
        &[
            "mine.get",
            &format!("id:{HALITE}"),
            "greeting",
            "tgt_type=grain",
        ],
        json!({HALITE: "hello"}),
    );
    same(
        &master,
        &["mine.valid"],
        json!({"test.ping": [], "greeting": {"test.echo": ["hello"]}, "my_id": {"grains.get": ["id"]}}),
    );

    same(
        &master,
        &["mine.send", "said", "mine_function=test.echo", "hi"],
        json!(true),
    );
    let delivered = wait_until(Duration::from_secs(15), || {
        both(&master, &["mine.get", "*", "said"]).1 == json!({PY: "hi", HALITE: "hi"})
    });
    assert!(delivered, "mine.send data did not reach the master");
    same(
        &master,
        &["mine.get", "*", "said"],
        json!({PY: "hi", HALITE: "hi"}),
    );

    // A minion-side ACL: only mine-ha may read `secret`.
    let acl = format!("allow_tgt={HALITE}");
    same(
        &master,
        &["mine.send", "secret", "mine_function=test.echo", "s3", &acl],
        json!(true),
    );
    std::thread::sleep(Duration::from_secs(2));
    let (py_sees, ha_sees) = both(&master, &["mine.get", "*", "secret"]);
    assert_eq!(py_sees, json!({}), "the ACL kept mine-py out");
    assert_eq!(ha_sees, json!({PY: "s3", HALITE: "s3"}));

    same(&master, &["mine.delete", "said"], json!(true));
    std::thread::sleep(Duration::from_secs(2));
    same(&master, &["mine.get", "*", "said"], json!({}));

    // Salt's master fails on `clear` (masterapi._mine stores an unbound
    // `data`), so nothing is cleared; both minions still answer True.
    same(&master, &["mine.update", "clear=True"], json!(true));
    std::thread::sleep(Duration::from_secs(2));
    let (py_sees, ha_sees) = both(&master, &["mine.get", "*", "secret"]);
    assert_eq!(
        (py_sees, ha_sees),
        (json!({}), json!({PY: "s3", HALITE: "s3"}))
    );
    same(
        &master,
        &["mine.get", "*", "greeting"],
        json!({PY: "hello", HALITE: "hello"}),
    );

    same(&master, &["mine.flush"], json!(true));
    std::thread::sleep(Duration::from_secs(2));
    same(&master, &["mine.get", "*", "test.ping"], json!({}));
}
