//! Tests of the ini model and execution functions (expected texts recorded
//! from Salt 3008.4's `ini_manage`).

use super::model::{splitlines, Ini};
use crate::testutil::{ctx_with, FakeRunner, TempDir};
use halite_api::Map;
use serde_json::json;

const APP: &str = "# top comment\ntop = 1\nmode=old\n\n[main]\n; semicolon comment\nname = demo\n#port = 80\npath = /srv/a\n  continued line\nempty =\n\n[drop]\nx = 1\n[other]\nk: v\n";

fn obj(v: serde_json::Value) -> Map {
    v.as_object().unwrap().clone()
}

fn load(d: &TempDir, text: &str) -> Ini {
    std::fs::write(d.path("a.ini"), text).unwrap();
    Ini::load(&d.s("a.ini"), "=", false, false).unwrap()
}

#[test]
fn parses_and_writes_back_like_salt() {
    let d = TempDir::new("ini-parse");
    let mut ini = load(&d, APP);
    assert_eq!(
        serde_json::Value::Object(ini.root.visible(true)),
        json!({"top": "1", "mode": "old",
               "main": {"name": "demo", "path": "/srv/a\n  continued line", "empty": ""},
               "drop": {"x": "1"}, "other": {}})
    );
    assert_eq!(
        ini.render(),
        "# top comment\ntop = 1\nmode = old\n\n[main]\n; semicolon comment\nname = demo\n#port = 80\npath = /srv/a\n  continued line\nempty = \n\n[drop]\nx = 1\n\n[other]\nk: v\n"
    );
}

#[test]
fn update_uncomments_in_place_and_reports_changes() {
    let d = TempDir::new("ini-update");
    let mut ini = load(&d, APP);
    let ch = ini
        .root
        .update(&obj(json!({"mode": "new", "added_top": 7,
            "main": {"name": "demo", "port": 8080, "extra": true}, "fresh": {"a": "b"}})))
        .unwrap();
    assert_eq!(
        serde_json::Value::Object(ch),
        json!({"mode": {"before": "old", "after": "new"},
               "added_top": {"before": null, "after": "7"},
               "main": {"port": {"before": null, "after": "8080"},
                        "extra": {"before": null, "after": "True"}},
               "fresh": {"before": null, "after": {"a": "b"}}})
    );
    assert_eq!(
        ini.render(),
        "# top comment\ntop = 1\nmode = new\nadded_top = 7\n\n[main]\n; semicolon comment\nname = demo\nport = 8080\npath = /srv/a\n  continued line\nempty = \nextra = True\n\n[drop]\nx = 1\n\n[other]\nk: v\n\n[fresh]\na = b\n"
    );
}

#[test]
fn a_key_after_its_commented_form_takes_the_comment_slot() {
    let d = TempDir::new("ini-slot");
    let mut ini = load(&d, "[s]\n#a = 0\nb = 1\na = 2\n");
    assert_eq!(ini.render(), "[s]\na = 2\nb = 1\n");
}

#[test]
fn separators_and_no_spaces() {
    let d = TempDir::new("ini-sep");
    std::fs::write(d.path("a.ini"), "[s]\nk: v\nj:w\n").unwrap();
    let mut ini = Ini::load(&d.s("a.ini"), ":", false, false).unwrap();
    assert_eq!(ini.render(), "[s]\nk : v\nj : w\n");
    let mut ini = Ini::load(&d.s("a.ini"), ":", true, false).unwrap();
    assert_eq!(ini.render(), "[s]\nk:v\nj:w\n");
    std::fs::write(d.path("b.conf"), "Host   x\n").unwrap();
    let mut ini = Ini::load(&d.s("b.conf"), " ", false, false).unwrap();
    assert_eq!(ini.render(), "Host x\n");
}

#[test]
fn splitlines_is_pythons() {
    assert_eq!(splitlines("a\r\nb\rc\n\nd\n"), vec!["a", "b", "c", "", "d"]);
    assert_eq!(splitlines(""), Vec::<&str>::new());
}

#[test]
fn exec_functions() {
    let d = TempDir::new("ini-exec");
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    std::fs::write(d.path("a.ini"), APP).unwrap();
    let f = json!(d.s("a.ini"));
    let call =
        |fun: &str, args: Vec<serde_json::Value>| ctx.call(fun, args, Map::new()).unwrap().ret;
    assert_eq!(
        call(
            "ini.get_option",
            vec![f.clone(), json!("main"), json!("name")]
        ),
        json!("demo")
    );
    assert_eq!(
        call("ini.get_option", vec![f.clone(), json!(null), json!("top")]),
        json!("1")
    );
    assert_eq!(
        call("ini.get_option", vec![f.clone(), json!("top"), json!("x")]),
        json!(null)
    );
    assert_eq!(
        call("ini.get_section", vec![f.clone(), json!("drop")]),
        json!({"x": "1"})
    );
    assert_eq!(
        call("ini.get_section", vec![f.clone(), json!("nope")]),
        json!({})
    );
    // A missing section: the top-level option of that name goes.
    assert_eq!(
        call(
            "ini.remove_option",
            vec![f.clone(), json!("nope"), json!("mode")]
        ),
        json!("old")
    );
    assert_eq!(
        call("ini.remove_section", vec![f.clone(), json!("drop")]),
        json!({"x": "1"})
    );
    assert_eq!(
        call("ini.remove_section", vec![f.clone(), json!("drop")]),
        json!(null)
    );
    assert_eq!(
        call(
            "ini.set_option",
            vec![f.clone(), json!({"main": {"name": "x"}})]
        ),
        json!({"main": {"name": {"before": "demo", "after": "x"}}})
    );
    assert_eq!(
        std::fs::read_to_string(d.path("a.ini")).unwrap(),
        "# top comment\ntop = 1\n\n[main]\n; semicolon comment\nname = x\n#port = 80\npath = /srv/a\n  continued line\nempty = \n\n[other]\nk: v\n"
    );
    let err = ctx
        .call("ini.get_ini", vec![f], obj(json!({"bogus": 1})))
        .unwrap_err();
    assert!(err.to_string().contains("bogus=1"), "{err}");
}
