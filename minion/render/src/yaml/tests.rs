//! Tests of the YAML dialect against results taken from Salt 3008.4.

use serde_json::json;

use super::*;

#[test]
fn salt_scalars() {
    let text = "x: 1e3\ny: 0644\nz: -0644\nw: 1_000\nv: 1:20\nq: 2001-01-01\np: 0b101\no: 0x_1F\n\
                n: 190:20:30.15\nj: !!str 12\ni: !!int \"12\"\nh: [0o17, 017, 0, 00, -0, +12, 0.5, .5, 1., 08, 09.5]\n\
                b: [yes, No, on, OFF, y, n, ~, null, '', 'yes']\nk: !!float 1\n";
    let v = load(text).unwrap();
    assert_eq!(
        v,
        json!({"x": "1e3", "y": 644, "z": -420, "w": 1000, "v": 80, "q": "2001-01-01", "p": 5, "o": 31,
               "n": 685230.15, "j": "12", "i": 12,
               "h": ["0o17", 17, 0, 0, 0, 12, 0.5, 0.5, 1.0, "08", 9.5],
               "b": [true, false, true, false, "y", "n", null, null, "", "yes"], "k": 1.0})
    );
}

#[test]
fn order_is_kept() {
    let v = load("zeta: 1\nalpha: 2\nmid: 3\n").unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["zeta", "alpha", "mid"]);
}

#[test]
fn empty_documents_are_null() {
    assert_eq!(load("").unwrap(), Value::Null);
    assert_eq!(load("# only a comment\n").unwrap(), Value::Null);
    assert_eq!(load("--- \n").unwrap(), Value::Null);
}

#[test]
fn specials_and_binary() {
    let v = load("a: .inf\nb: -.Inf\nc: .NaN\nd: !!binary aGVsbG8\n").unwrap();
    assert_eq!(
        v,
        json!({"a": "inf", "b": "-inf", "c": "nan", "d": "hello"})
    );
}

#[test]
fn merge_keys_explicit_wins() {
    let v = load("a: &a {x: 1, y: 2}\nc:\n  x: 5\n  <<: *a\n  z: 1\n").unwrap();
    assert_eq!(v["c"], json!({"y": 2, "x": 5, "z": 1}));
}

#[test]
fn merge_of_overlapping_maps_is_conflict() {
    let err = load("a: &a {x: 1}\nb: &b {x: 2, y: 3}\nc:\n  <<: [*a, *b]\n  z: 1\n").unwrap_err();
    assert_eq!(
        err.message,
        "while constructing a mapping\n  in \"<unicode string>\", line 4, column 3\nfound conflicting ID 'x'\n  in \"<unicode string>\", line 1, column 8"
    );
}

#[test]
fn duplicate_key_error_text() {
    let err = load("a: 1\na: 2\n").unwrap_err();
    assert_eq!(
        err.message,
        "while constructing a mapping\n  in \"<unicode string>\", line 1, column 1\nfound conflicting ID 'a'\n  in \"<unicode string>\", line 2, column 1"
    );
    let err = load("1: a\nTrue: b\n").unwrap_err();
    assert!(
        err.message.contains("found conflicting ID 'True'"),
        "{}",
        err.message
    );
}

#[test]
fn duplicate_keys_follow_python_equality() {
    assert!(load("'1': a\n1: b\n").is_ok());
    assert!(load("null: a\n'null': b\n").is_ok());
    let conflict = |text: &str| load(text).unwrap_err().message;
    assert!(conflict("1.0: a\n1: b\n").contains("found conflicting ID '1'"));
    assert!(conflict("0: a\nfalse: b\n").contains("found conflicting ID 'False'"));
    assert!(conflict("-0.0: a\n0: b\n").contains("found conflicting ID '0'"));
    assert!(conflict("~: a\nnull: b\n").contains("found conflicting ID 'None'"));
}

#[test]
fn block_mapping_error_text() {
    let err = load("good_id:\n  cmd.run:\n    - name: echo a\n   - bad_indent: x\n").unwrap_err();
    assert_eq!(
        err.message,
        "while parsing a block mapping\n  in \"<unicode string>\", line 2, column 3\ndid not find expected key\n  in \"<unicode string>\", line 4, column 4"
    );
    assert_eq!(err.line, Some(4));
}

#[test]
fn flow_sequence_error_text() {
    let err = load("x: [1, 2\n").unwrap_err();
    assert_eq!(
        err.message,
        "while parsing a flow sequence\n  in \"<unicode string>\", line 1, column 4\ndid not find expected ',' or ']'\n  in \"<unicode string>\", line 2, column 1"
    );
}

#[test]
fn scanner_errors_are_problem_only() {
    assert_eq!(
        load("a: b: c\n").unwrap_err().message,
        "mapping values are not allowed in this context"
    );
    assert_eq!(
        load("a:\n\t- b\n").unwrap_err().message,
        "found character that cannot start any token"
    );
    assert_eq!(
        load("x: \"abc\n").unwrap_err().message,
        "found unexpected end of stream"
    );
    // a plain line after a mapping (PyYAML/libyaml, as salt-call 3008.4 shows it)
    assert_eq!(
        load("a:\n  test.nop:\n    - name: x\nab\n")
            .unwrap_err()
            .message,
        "could not find expected ':'"
    );
}

#[test]
fn unknown_tag_and_multi_document() {
    assert_eq!(
        load("a: !foo x\n").unwrap_err().message,
        "could not determine a constructor for the tag '!foo'\n  in \"<unicode string>\", line 1, column 4"
    );
    assert_eq!(
        load("a: 1\n---\nb: 2\n").unwrap_err().message,
        "expected a single document in the stream\n  in \"<unicode string>\", line 1, column 1\nbut found another document\n  in \"<unicode string>\", line 2, column 1"
    );
}

#[test]
fn dump_matches_pyyaml_block_style() {
    let v: Value = serde_json::from_str(
        r#"{"b": 1, "a": [1, "x", {"k": "yes", "m": ""}], "c": {"f": 1.5, "n": null, "s": "a: b", "t": true}, "e": [], "l": [[1, 2], "q"]}"#,
    )
    .unwrap();
    assert_eq!(
        dump(&v),
        "b: 1\na:\n- 1\n- x\n- k: 'yes'\n  m: ''\nc:\n  f: 1.5\n  n: null\n  s: 'a: b'\n  t: true\ne: []\nl:\n- - 1\n  - 2\n- q\n"
    );
    assert_eq!(dump_flow(&v), "{b: 1, a: [1, x, {k: 'yes', m: ''}], c: {f: 1.5, n: null, s: 'a: b', t: true}, e: [], l: [[1, 2], q]}");
    assert_eq!(dump(&json!("x")), "x\n");
}

#[test]
fn implicit_types_by_first_character() {
    let v = load(
        "a: yes\nb: Off\nc: .5\nd: +1\ne: ~\nf: hello\ng: 0x1f\nh: x1\ni: -.inf\nj: NULL\nk: éte\nl: 1_000\n",
    )
    .unwrap();
    assert_eq!(
        v,
        json!({"a": true, "b": false, "c": 0.5, "d": 1, "e": null, "f": "hello", "g": 31,
               "h": "x1", "i": "-inf", "j": null, "k": "éte", "l": 1000})
    );
}

#[test]
fn long_keys_are_explicit_as_pyyaml_writes_them() {
    // yaml.safe_dump({K: 1, 'l': {K: [1, 2]}, 'm': {K: {'b': 1}}}) with len(K) == 130
    let k = "a".repeat(130);
    let v = json!({ k.clone(): 1, "l": { k.clone(): [1, 2] }, "m": { k.clone(): {"b": 1} } });
    let want = "? K\n: 1\nl:\n  ? K\n  : - 1\n    - 2\nm:\n  ? K\n  : b: 1\n";
    assert_eq!(dump(&v).replace(&k, "K"), want);
    assert_eq!(crate::yaml::load(&dump(&v)).unwrap(), v);
    let short = "a".repeat(127);
    assert_eq!(dump(&json!({ short.clone(): 1 })), format!("{short}: 1\n"));
}
