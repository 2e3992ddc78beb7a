//! Runtime tests with recording fake state functions.

use serde_json::json;

use crate::testutil::{calls, ctx, decl, run_high};
use halite_api::{Map, Value};

fn by_id<'a>(ret: &'a Map, id: &str) -> &'a Value {
    ret.values()
        .find(|v| v["__id__"] == id)
        .unwrap_or_else(|| panic!("no result for {id}: {ret:?}"))
}

#[test]
fn require_failure_propagates_with_salt_comment() {
    let high = json!({
        "bad": decl("fake", "run", 10000, json!({"fail": true})),
        "dep": decl("fake", "run", 10001, json!({"require": [{"fake": "bad"}]})),
        "dep2": decl("fake", "run", 10002, json!({"require": ["dep"]})),
    });
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    let dep = by_id(&ret, "dep");
    assert_eq!(dep["result"], json!(false));
    assert_eq!(dep["comment"], json!("One or more requisite failed: s.bad"));
    assert_eq!(dep["__state_ran__"], json!(false));
    assert_eq!(
        by_id(&ret, "dep2")["comment"],
        json!("One or more requisite failed: s.dep")
    );
    assert_eq!(calls(), vec!["run:bad"]);
    assert_eq!(crate::engine::retcode_of(&Value::Object(ret)), 2);
}

#[test]
fn onchanges_and_onfail() {
    let high = json!({
        "changed": decl("fake", "run", 10000, json!({})),
        "same": decl("fake", "run", 10001, json!({"nochange": true})),
        "broken": decl("fake", "run", 10002, json!({"fail": true})),
        "on_changed": decl("fake", "run", 10003, json!({"onchanges": [{"fake": "changed"}]})),
        "on_same": decl("fake", "run", 10004, json!({"onchanges": [{"fake": "same"}]})),
        "on_broken_changes": decl("fake", "run", 10005, json!({"onchanges": [{"fake": "broken"}]})),
        "onfail_broken": decl("fake", "run", 10006, json!({"onfail": [{"fake": "broken"}]})),
        "onfail_ok": decl("fake", "run", 10007, json!({"onfail": [{"fake": "same"}]})),
    });
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    assert_eq!(
        by_id(&ret, "on_changed")["comment"],
        json!("ran on_changed")
    );
    let skipped = "State was not run because none of the onchanges reqs changed";
    assert_eq!(by_id(&ret, "on_same")["comment"], json!(skipped));
    assert_eq!(by_id(&ret, "on_broken_changes")["comment"], json!(skipped));
    assert_eq!(by_id(&ret, "on_broken_changes")["result"], json!(true));
    assert_eq!(
        by_id(&ret, "onfail_broken")["comment"],
        json!("ran onfail_broken")
    );
    assert_eq!(
        by_id(&ret, "onfail_ok")["comment"],
        json!("State was not run because onfail req did not change")
    );
}

#[test]
fn watch_runs_mod_watch_and_consumes_two_run_numbers() {
    let high = json!({
        "src": decl("fake", "run", 10000, json!({})),
        "w": decl("fake", "wait", 10001, json!({"watch": [{"fake": "src"}]})),
        "after": decl("fake", "run", 10002, json!({"nochange": true})),
    });
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    assert_eq!(
        calls(),
        vec!["run:src", "wait:w", "mod_watch:w", "run:after"]
    );
    let w = by_id(&ret, "w");
    assert_eq!(w["comment"], json!("watched"));
    assert_eq!(w["changes"], json!({"sfun": "wait"}));
    assert_eq!(w["__run_num__"], json!(2));
    assert_eq!(by_id(&ret, "after")["__run_num__"], json!(3));
    assert!(ret.keys().any(|k| k == "fake_|-w_|-w_|-wait"));
}

#[test]
fn watch_without_changes_is_plain_run() {
    let high = json!({
        "src": decl("fake", "run", 10000, json!({"nochange": true})),
        "w": decl("fake", "wait", 10001, json!({"watch": [{"fake": "src"}]})),
    });
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    assert_eq!(calls(), vec!["run:src", "wait:w"]);
    assert_eq!(by_id(&ret, "w")["comment"], json!(""));
}

#[test]
fn prereq_runs_target_in_test_mode_first() {
    let high = json!({
        "pre": decl("fake", "run", 10000, json!({"prereq": [{"fake": "target"}]})),
        "target": decl("fake", "run", 10001, json!({})),
    });
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    assert_eq!(calls(), vec!["test:run:target", "run:pre", "run:target"]);
    assert_eq!(by_id(&ret, "pre")["__run_num__"], json!(0));
    assert_eq!(by_id(&ret, "target")["__run_num__"], json!(1));
}

#[test]
fn prereq_without_predicted_changes_skips_the_pre_state() {
    let high = json!({
        "pre": decl("fake", "run", 10000, json!({"prereq": [{"fake": "target"}]})),
        "target": decl("fake", "run", 10001, json!({"nochange": true})),
    });
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    assert_eq!(by_id(&ret, "pre")["comment"], json!("No changes detected"));
    assert_eq!(calls(), vec!["test:run:target", "run:target"]);
}

#[test]
fn prereq_failure_leaves_target_with_test_result() {
    let high = json!({
        "pre": decl("fake", "run", 10000, json!({"prereq": [{"fake": "target"}], "fail": true})),
        "target": decl("fake", "run", 10001, json!({})),
        "after": decl("fake", "run", 10002, json!({"require": [{"fake": "target"}]})),
    });
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    let t = by_id(&ret, "target");
    assert_eq!(t["result"], Value::Null);
    assert_eq!(t["changes"], json!({}));
    assert_eq!(by_id(&ret, "after")["comment"], json!("ran after"));
}

#[test]
fn failhard_drops_remaining_chunks() {
    let high = json!({
        "ok": decl("fake", "run", 10000, json!({})),
        "bad": decl("fake", "run", 10001, json!({"fail": true, "failhard": true})),
        "never": decl("fake", "run", 10002, json!({})),
    });
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    assert_eq!(ret.len(), 2);
    assert!(!calls().contains(&"run:never".to_string()));
    let high = json!({
        "bad": decl("fake", "run", 10001, json!({"fail": true})),
        "never": decl("fake", "run", 10002, json!({})),
    });
    assert_eq!(
        run_high(&ctx(false, json!({"failhard": true})), high)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_requested_system_exit_runs_no_further_state() {
    let high = json!({
        "ok": decl("fake", "run", 10000, json!({})),
        "exits": decl("fake", "run", 10001, json!({"system_exit": true})),
        "never": decl("fake", "run", 10002, json!({})),
    });
    let ctx = ctx(false, json!({}));
    let ret = run_high(&ctx, high).unwrap();
    assert_eq!(ret.len(), 2);
    assert_eq!(calls(), vec!["run:ok", "run:exits"]);
    assert!(halite_api::ctx::take_system_exit(&ctx.context).is_some());
}

#[test]
fn test_mode_passes_test_flag_and_ignores_failhard() {
    let high = json!({
        "bad": decl("fake", "run", 10000, json!({"fail": true, "failhard": true})),
        "x": decl("fake", "run", 10001, json!({})),
        "y": decl("fake", "run", 10002, json!({"onchanges": [{"fake": "x"}]})),
    });
    let ret = run_high(&ctx(true, json!({})), high).unwrap();
    assert_eq!(ret.len(), 3);
    assert_eq!(by_id(&ret, "x")["result"], Value::Null);
    assert_eq!(by_id(&ret, "y")["result"], Value::Null);
    assert!(calls().iter().skip(1).all(|c| c.starts_with("test:")));
}

#[test]
fn retry_records_attempts_and_run_numbers() {
    let high = json!({
        "f": decl("fake", "flaky", 10000, json!({"succeed_on": 3, "retry": {"attempts": 5, "interval": 0}})),
        "next": decl("fake", "run", 10001, json!({})),
    });
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    let f = by_id(&ret, "f");
    assert_eq!(
        f["comment"],
        json!("Attempt 1: Returned a result of \"False\", with the following comment: \"fail 1\"\nAttempt 2: Returned a result of \"False\", with the following comment: \"fail 2\"\nok on 3")
    );
    assert_eq!(f["__run_num__"], json!(2));
    assert_eq!(by_id(&ret, "next")["__run_num__"], json!(3));
}

#[test]
fn listen_runs_mod_watch_at_the_end() {
    let high = json!({
        "l": decl("fake", "run", 10000, json!({"nochange": true, "listen": [{"fake": "src"}]})),
        "src": decl("fake", "run", 10001, json!({})),
        "quiet": decl("fake", "run", 10002, json!({"nochange": true})),
        "l2": decl("fake", "run", 10003, json!({"nochange": true, "listen": [{"fake": "quiet"}]})),
    });
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    let lis = &ret["fake_|-listener_l_|-l_|-mod_watch"];
    assert_eq!(lis["__run_num__"], json!(4));
    assert_eq!(lis["__id__"], json!("listener_l"));
    assert!(!ret.contains_key("fake_|-listener_l2_|-l2_|-mod_watch"));
}

#[test]
fn unknown_state_function_fails_at_runtime() {
    let high = json!({"x": decl("nosuch", "thing", 10000, json!({}))});
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    let x = &ret["nosuch_|-x_|-x_|-thing"];
    assert_eq!(
        x["comment"],
        json!("State 'nosuch.thing' was not found in SLS 's'\nReason: 'nosuch.thing' is not available.\n")
    );
    assert_eq!(x["result"], json!(false));
}

#[test]
fn a_salt_state_halite_lacks_says_so_after_salts_words() {
    let high = json!({"x": decl("file", "copy", 10000, json!({}))});
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    assert_eq!(
        ret["file_|-x_|-x_|-copy"]["comment"],
        json!("State 'file.copy' was not found in SLS 's'\nReason: 'file.copy' is not available.\n'file.copy' is a Salt state Halite does not implement yet (halite audit lists them all)\n")
    );
}

#[test]
fn internal_keywords_are_not_passed_to_functions() {
    let high = json!({"x": decl("fake", "run", 10000, json!({"echo": 1, "failhard": false}))});
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    let x = by_id(&ret, "x");
    assert_eq!(x["echo"], json!(1));
    assert_eq!(x["__sls__"], json!("s"));
    assert!(x["start_time"].as_str().unwrap().len() >= 8);
    assert!(x["duration"].is_f64());
}

#[test]
fn creates_skips_with_skip_watch() {
    let high = json!({"x": decl("fake", "run", 10000, json!({"creates": "/"}))});
    let ret = run_high(&ctx(false, json!({})), high).unwrap();
    let x = by_id(&ret, "x");
    assert_eq!(x["comment"], json!("/ exists"));
    assert_eq!(x["skip_watch"], json!(true));
    assert!(calls().is_empty());
}
