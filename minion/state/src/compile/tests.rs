//! Compiler tests: ordering rules, requisite targets, errors.

use serde_json::json;

use crate::testutil::{ctx, decl};
use halite_api::Value;

fn order_of(high: Value) -> Vec<String> {
    let c = ctx(false, json!({}));
    let compiled = super::compile(high.as_object().cloned().unwrap(), &c.registry).unwrap();
    compiled
        .order
        .iter()
        .map(|i| {
            compiled.graph.chunks[*i]["__id__"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn errors_of(high: Value) -> Vec<String> {
    let c = ctx(false, json!({}));
    super::compile(high.as_object().cloned().unwrap(), &c.registry).unwrap_err()
}

#[test]
fn order_keywords_first_last_negative_and_ints() {
    let high = json!({
        "a": decl("fake", "run", 10000, json!({})),
        "lastone": {"fake": ["run", {"order": "last"}], "__sls__": "s", "__env__": "base"},
        "neg": {"fake": ["run", {"order": -1}], "__sls__": "s", "__env__": "base"},
        "firstone": {"fake": ["run", {"order": "first"}], "__sls__": "s", "__env__": "base"},
        "five": {"fake": ["run", {"order": 5}], "__sls__": "s", "__env__": "base"},
        "b": decl("fake", "run", 10001, json!({})),
    });
    assert_eq!(
        order_of(high),
        vec!["firstone", "five", "a", "b", "neg", "lastone"]
    );
}

#[test]
fn require_pulls_target_forward_one_level_only() {
    // A(10000) requires B(10002) requires C(10003); D(10001) unrelated.
    let high = json!({
        "A": decl("fake", "run", 10000, json!({"require": [{"fake": "B"}]})),
        "D": decl("fake", "run", 10001, json!({})),
        "B": decl("fake", "run", 10002, json!({"require": [{"fake": "C"}]})),
        "C": decl("fake", "run", 10003, json!({})),
    });
    assert_eq!(order_of(high), vec!["D", "C", "B", "A"]);
}

#[test]
fn equal_orders_break_ties_on_state_name_fun() {
    let high = json!({
        "z": {"fake": ["run", {"name": "b"}, {"order": 3}], "__sls__": "s", "__env__": "base"},
        "y": {"fake": ["run", {"name": "a"}, {"order": 3}], "__sls__": "s", "__env__": "base"},
    });
    assert_eq!(order_of(high), vec!["y", "z"]);
}

#[test]
fn missing_requisite_is_a_compile_error() {
    let high = json!({"a": decl("fake", "run", 10000, json!({"require": [{"fake": "nope"}]}))});
    assert_eq!(
        errors_of(high),
        vec!["Referenced state does not exist for requisite [require: (fake: nope)] in state [a] in SLS [s]"]
    );
    let high = json!({"a": decl("fake", "run", 10000, json!({"require": ["nope"]}))});
    assert!(errors_of(high)[0].contains("[require: (id: nope)]"));
}

#[test]
fn cycles_are_reported_like_salt() {
    let high = json!({
        "a": decl("fake", "run", 10000, json!({"require": [{"fake": "b"}]})),
        "b": decl("fake", "run", 10001, json!({"name": "echo b", "require": [{"fake": "a"}]})),
    });
    let errs = errors_of(high);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with("Recursive requisites were found: "),
        "{errs:?}"
    );
    assert!(errs[0].contains("{'SLS': 's', 'ID': 'b', 'NAME': 'echo b'}"));
    assert!(errs[0].contains("'require'"));
}

#[test]
fn names_run_in_list_order_at_the_ids_position() {
    let high = json!({
        "first": decl("fake", "run", 10000, json!({})),
        "many": decl("fake", "run", 10001, json!({"names": ["x", "y", "z"]})),
        "last": decl("fake", "run", 10002, json!({})),
    });
    let c = ctx(false, json!({}));
    let compiled = super::compile(high.as_object().cloned().unwrap(), &c.registry).unwrap();
    let names: Vec<&str> = compiled
        .order
        .iter()
        .map(|i| compiled.graph.chunks[*i]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["first", "x", "y", "z", "last"]);
}

#[test]
fn watch_on_module_without_mod_watch_becomes_require() {
    let high = json!({
        "a": decl("fake", "run", 10000, json!({})),
        "p": decl("plain", "run", 10001, json!({"watch": [{"fake": "a"}]})),
    });
    let c = ctx(false, json!({}));
    let compiled = super::compile(high.as_object().cloned().unwrap(), &c.registry).unwrap();
    let p = compiled
        .graph
        .chunks
        .iter()
        .find(|c| c["__id__"] == "p")
        .unwrap();
    assert!(p.get("watch").is_none());
    assert_eq!(p["require"], json!([{"fake": "a"}]));
}

#[test]
fn sls_requisite_covers_included_files() {
    let mut inc = decl("fake", "run", 10000, json!({}));
    inc["__sls__"] = json!("lib");
    inc["__sls_included_from__"] = json!(["app"]);
    let high = json!({
        "user": decl("fake", "run", 9000, json!({"require": [{"sls": "app"}]})),
        "libstate": inc,
    });
    assert_eq!(order_of(high), vec!["libstate", "user"]);
}
