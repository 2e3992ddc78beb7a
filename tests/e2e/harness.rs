//! Self-check of the harness: the real Python minion answers through the real master,
//! so a Halite failure elsewhere in this suite is Halite's, not the harness's.

use std::time::Duration;

use halite_tests::minion::{Flavor, Minion};
use halite_tests::net::wait_until;
use halite_tests::require_salt;
use halite_tests::salt::{Master, MasterSpec, PINNED_SALT};
use serde_json::json;

#[test]
fn python_minion_answers_ping_through_real_master() {
    let venv = require_salt!(PINNED_SALT);
    let master = Master::start(&venv, MasterSpec::default());
    let minion = Minion::start(&master, "py-harness", Flavor::Python, json!({}));
    let answered = wait_until(Duration::from_secs(60), || {
        let (v, _) = master.salt_json(&["py-harness", "test.ping", "--timeout", "5"]);
        v.get("py-harness") == Some(&json!(true))
    });
    assert!(
        answered,
        "python minion never answered; log:\n{}",
        minion.log()
    );
}
