//! Tests of the `xml` and `indent` filters and the `ifelse` global. `testdata/xml_salt.json`
//! holds `[expression, "ok"|"err", text]` rows: what Salt 3008.4's
//! `SerializerExtension` rendered (or raised) for `{{ expression|xml }}`.

use serde_json::json;

use super::super::render;
use super::super::tests::test_ctx;

fn run(text: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let ctx = test_ctx(dir.path());
    let vars = json!({"grains": {}, "pillar": {}})
        .as_object()
        .unwrap()
        .clone();
    render(&ctx, "t.sls", text, &vars)
}

#[test]
fn xml_as_salt() {
    let rows: Vec<(String, String, String)> =
        serde_json::from_str(include_str!("testdata/xml_salt.json")).unwrap();
    assert!(rows.len() > 40);
    for (expr, kind, want) in rows {
        let got = run(&format!("{{{{ {expr}|xml }}}}"));
        match kind.as_str() {
            "ok" => assert_eq!(got.as_deref(), Ok(want.as_str()), "{expr}"),
            _ => {
                let msg = got.expect_err(&expr);
                let head = if want.starts_with("Value is not") {
                    "Jinja syntax error: "
                } else {
                    "Jinja error: "
                };
                assert!(
                    msg.starts_with(&format!("{head}{want}")),
                    "{expr}: {msg} (want {want})"
                );
            }
        }
    }
}

#[test]
fn ifelse_as_salt() {
    assert_eq!(
        run("{{ ifelse('x') }} {{ ifelse({'a': 1}, minion_id='m') }}").unwrap(),
        "x {'a': 1}"
    );
    let err = |t: &str| run(t).unwrap_err();
    assert!(err("{{ ifelse() }}")
        .starts_with("Jinja error: The ifelse function must have an odd number of arguments!"));
    assert!(err("{{ ifelse('a', 'b') }}").contains("odd number of arguments"));
    assert!(err("{{ ifelse('*', 1, 2) }}")
        .starts_with("Jinja error: name '__context__' is not defined"));
    assert!(err("{{ ifelse(true, 1, 2, tgt_type='grain') }}")
        .starts_with("Jinja error: name '__context__' is not defined"));
    assert!(err("{{ ifelse('*', 1, 2, tgt_type='bogus') }}").starts_with("Jinja error: 'bogus'"));
    assert!(
        err("{{ ifelse('*', 1, 2, tgt_type='ipcidr', minion_id='m') }}")
            .starts_with("Jinja error: ipcidr() takes 1 positional argument but 2 were given")
    );
    assert!(err("{{ ifelse('*', 1, 2, bogus=1) }}")
        .starts_with("Jinja error: ifelse() got an unexpected keyword argument 'bogus'"));
    assert!(err("{{ ifelse(['a'], 1, 2) }}").starts_with("Jinja error: unhashable type: 'list'"));
}

#[test]
fn indent_as_jinja2() {
    // the texts Jinja2 3.1 (Salt 3008.4's) renders; the trailing `|` shows the end
    let cases = [
        ("{{ 'a\nb\n'|indent(2) }}|", "a\n  b\n|"),
        ("{{ 'a\n\nb'|indent(2, true) }}|", "  a\n\n  b|"),
        (
            "{{ 'a\n\nb\n'|indent('> ', blank=true) }}|",
            "a\n> \n> b\n> |",
        ),
        ("{{ ''|indent }}|", "|"),
        ("{{ 'a\r\nb'|indent(1) }}|", "a\n b|"),
    ];
    for (template, want) in cases {
        assert_eq!(run(template).unwrap(), want, "{template}");
    }
    assert!(run("{{ 5|indent }}")
        .unwrap_err()
        .starts_with("Jinja error: unsupported operand type(s) for +=: 'int' and 'str'"));
}
