//! Tests of the ini states (returns recorded from Salt 3008.4).

use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
use serde_json::json;

#[test]
fn options_present_strict_changes_and_test_comments() {
    let d = TempDir::new("ini-state");
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    std::fs::write(
        d.path("s.ini"),
        "keep = 1\ngone = 2\n[s1]\na = 1\nb = 2\n[s2]\nc = 3\n",
    )
    .unwrap();
    let args = json!({"name": d.s("s.ini"), "strict": true,
        "sections": {"keep": 1, "s1": {"a": 1, "n": "new"}}});
    let t = run_state(&ctx, "ini.options_present", args.clone(), true);
    assert_eq!(t.result, None);
    assert_eq!(t.comment, "Unchanged key keep.\nRemoved key gone.\nRemoved section s2.\nDeleted key b in section s1.\nUnchanged key a in section s1.\nChanged key n in section s1.\n");
    let r = run_state(&ctx, "ini.options_present", args.clone(), false);
    assert_eq!(r.comment, "Changes take effect");
    assert_eq!(
        changes(&r),
        json!({"gone": {"before": "2", "after": null}, "s2": {"before": {"c": "3"}, "after": null},
               "s1": {"b": {"before": "2", "after": null}, "n": {"before": null, "after": "new"}}})
    );
    assert_eq!(
        std::fs::read_to_string(d.path("s.ini")).unwrap(),
        "keep = 1\n\n[s1]\na = 1\nn = new\n"
    );
    let again = run_state(&ctx, "ini.options_present", args, false);
    assert_eq!(
        (again.result, again.comment.as_str()),
        (Some(true), "No anomaly detected")
    );
    assert!(again.changes.is_empty());
}

#[test]
fn options_absent_and_sections_absent() {
    let d = TempDir::new("ini-absent");
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    std::fs::write(
        d.path("a.ini"),
        "top = 1\n[main]\nname = demo\n[drop]\nx = 1\n",
    )
    .unwrap();
    let args = json!({"name": d.s("a.ini"), "sections": {"main": ["name", "nothere"], "top": "", "nosect": ["x"]}});
    let t = run_state(&ctx, "ini.options_absent", args.clone(), true);
    assert_eq!(t.comment, "Deleted key name in section main.\nKey nothere in section main does not exist.\nDeleted key top.\nKey x in section nosect does not exist.\n");
    let r = run_state(&ctx, "ini.options_absent", args, false);
    assert_eq!(changes(&r), json!({"main": {"name": "demo"}}));
    let s = json!({"name": d.s("a.ini"), "sections": ["drop", "missing"]});
    let t = run_state(&ctx, "ini.sections_absent", s.clone(), true);
    assert_eq!(
        (t.result, t.comment.as_str()),
        (
            None,
            "Deleted section drop.\nSection missing does not exist.\n"
        )
    );
    let r = run_state(&ctx, "ini.sections_absent", s, false);
    assert_eq!(changes(&r), json!({"drop": {"x": "1"}}));
    assert_eq!(
        std::fs::read_to_string(d.path("a.ini")).unwrap(),
        "top = 1\n\n[main]\n"
    );
}

#[test]
fn sections_present_only_reports_in_test_mode() {
    let d = TempDir::new("ini-sp");
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    std::fs::write(d.path("a.ini"), "[main]\nname = demo\n").unwrap();
    let args = json!({"name": d.s("a.ini"), "sections": ["main", "brand_new"]});
    let t = run_state(&ctx, "ini.sections_present", args.clone(), true);
    assert_eq!(
        t.comment,
        "Section unchanged main.\nCreated new section brand_new.\n"
    );
    let r = run_state(&ctx, "ini.sections_present", args, false);
    assert_eq!(r.result, Some(false));
    assert!(r
        .comment
        .ends_with("TypeError: set_option() got an unexpected keyword argument 'section'"));
}
