//! Renders of the data, itertools and file filters, expected texts from
//! Salt 3008.4 / Python 3.11.

fn run(t: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let ctx = super::super::tests::test_ctx(dir.path());
    super::super::render(&ctx, "t.sls", t, &Default::default())
}

fn ok(t: &str) -> String {
    run(t).unwrap()
}

#[test]
fn entries_round_trip() {
    assert_eq!(
        ok("{{ {'a': 1, 'b': [2]}|to_entries }} {{ ['x', 'y']|to_entries }}"),
        "[{'key': 'a', 'value': 1}, {'key': 'b', 'value': [2]}] [{'key': 0, 'value': 'x'}, {'key': 1, 'value': 'y'}]"
    );
    // index 0 is falsy: Salt drops it; `Name` counts case-insensitively
    assert_eq!(
        ok("{{ ['x', 'y']|to_entries|from_entries }} {{ [{'Name': 'n', 'VALUE': 3}, {'key': 'k'}, {'key': ''}]|from_entries }}"),
        "{1: 'y'} {'n': 3, 'k': None}"
    );
    assert!(run("{{ 'abc'|to_entries }}")
        .unwrap_err()
        .contains("Input data must be a dict or list"));
}

#[test]
fn compare_dicts_and_lists() {
    assert_eq!(
        ok("{{ {'a': 1, 'b': 2}|compare_dicts({'a': 1, 'b': 3}) }} {{ {'a': 1}|compare_dicts({'c': 1}) }}"),
        "{'b': {'old': 2, 'new': 3}} {'c': {'old': '', 'new': 1}, 'a': {'new': '', 'old': 1}}"
    );
    assert_eq!(
        ok("{{ [1, 2, 3]|compare_lists([2, 3, 4, 5]) }} {{ [1]|compare_lists([1]) }}"),
        "{'new': [4, 5], 'old': [1]} {}"
    );
}

#[test]
fn type_checks() {
    assert_eq!(
        ok("{{ [1]|is_iter }} {{ 'ab'|is_iter }} {{ 'ab'|is_iter(none) }} {{ 1|is_iter }} {{ {}|is_iter }}"),
        "True False True False True"
    );
    assert_eq!(
        ok("{{ [1]|is_list }} {{ {'a': 1}.items()|first|is_list }} {{ 'a'|is_list }} {{ {}|is_list }}"),
        "True False False False"
    );
}

#[test]
fn encode_to_bytes() {
    assert_eq!(
        ok("{{ {'a': 'x', 'n': 1, 'l': ['y', 2]}|json_encode_dict }} {{ ['a', {'b': 'c'}]|json_decode_list }}"),
        "{b'a': b'x', b'n': 1, b'l': [b'y', 2]} [b'a', {b'b': b'c'}]"
    );
}

#[test]
fn dict_key_values_in_place() {
    let t = "{% set d = {'a': {'x': 1}, 's': 'str'} %}\
             {% set _ = d|set_dict_key_value('a:b:c', 5) %}\
             {% set _ = d|update_dict_key_value('a:u', {'k': 1}) %}\
             {% set _ = d|append_dict_key_value('l', 1) %}\
             {% set _ = d|extend_dict_key_value('l', [2, 3]) %}\
             {% set _ = d|set_dict_key_value('a/x', 2, delimiter='/') %}{{ d }}";
    assert_eq!(
        ok(t),
        "{'a': {'x': 2, 'b': {'c': 5}, 'u': {'k': 1}}, 's': 'str', 'l': [1, 2, 3]}"
    );
    let err = run("{% set d = {'s': 'str'} %}{{ d|append_dict_key_value('s', 1) }}").unwrap_err();
    assert!(
        err.starts_with("Problem running salt function in Jinja template: The last key contains a <class 'str'>, which cannot append."),
        "{err}"
    );
    let err = run("{% set d = {} %}{{ d|extend_dict_key_value('l', 1) }}").unwrap_err();
    assert!(
        err.contains("Cannot extend <class 'list'> with a <class 'int'>."),
        "{err}"
    );
}

#[test]
fn seeded_random_as_python() {
    // Salt 3008.4: random.Random(salt.utils.data.hash('42')).sample(...)
    assert_eq!(
        ok("{{ range(10)|list|random_shuffle(seed='42') }} {{ range(10)|list|random_sample(3, seed='42') }}"),
        "[1, 9, 5, 3, 0, 2, 6, 7, 4, 8] [1, 9, 5]"
    );
    let sorted = ok("{{ [3, 1, 2]|random_shuffle|sort }}");
    assert_eq!(sorted, "[1, 2, 3]");
    assert!(run("{{ [1]|random_sample(2) }}")
        .unwrap_err()
        .contains("Sample larger than population"));
    assert!(run("{{ [1]|random_shuffle(seed=1) }}")
        .unwrap_err()
        .contains("object supporting the buffer API required"));
}

#[test]
fn mysql_table() {
    let t = "{{ ['+----+------+', '| id | name |', '+----+------+', '| 1  | a b  |', '| 2  | c    |', '+----+------+']|mysql_to_dict('id') }}";
    assert_eq!(
        ok(t),
        "{1: {'id': 1, 'name': 'a b'}, 2: {'id': 2, 'name': 'c'}}"
    );
}

#[test]
fn itertools_shapes() {
    assert_eq!(
        ok("{{ [1, 2, 3]|combinations(2)|list }} {{ 'ab'|combinations_with_replacement(2)|list }}"),
        "[(1, 2), (1, 3), (2, 3)] [('a', 'a'), ('a', 'b'), ('b', 'b')]"
    );
    assert_eq!(
        ok("{{ [1, 2, 3]|permutations(2)|list }} {{ [1, 2]|permutations|list }}"),
        "[(1, 2), (1, 3), (2, 1), (2, 3), (3, 1), (3, 2)] [(1, 2), (2, 1)]"
    );
    assert_eq!(
        ok("{{ [1, 2]|product(['a'], repeat=1)|list }} {{ [0, 1]|product(repeat=2)|list|length }} {{ 'abc'|compress([1, 0, 1])|list }}"),
        "[(1, 'a'), (2, 'a')] 4 ['a', 'c']"
    );
    assert_eq!(
        ok("{{ [1, 2, 3]|zip_longest(['a'], fillvalue='-')|list }} {{ [1]|zip_longest([])|list }}"),
        "[(1, 'a'), (2, '-'), (3, '-')] [(1, None)]"
    );
}

#[test]
fn skip_and_method_call() {
    assert_eq!(
        ok("[{{ 'x'|skip }}] {{ [1, 2]|method_call('index', 2) }} {{ {'a': 1}|method_call('get', 'b', 0) }} {{ 'abc'|method_call('upper') }} {{ 1|method_call('nope') }}"),
        "[] 1 0 ABC None"
    );
}

#[test]
fn file_checks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    std::fs::write(dir.path().join("t.txt"), "hello\n").unwrap();
    std::fs::write(dir.path().join("b.bin"), b"\x00\x01\x02").unwrap();
    std::fs::write(dir.path().join("e"), "").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/f"), "x").unwrap();
    let t = format!(
        "{{{{ '{d}/t.txt'|is_text_file }}}} {{{{ '{d}/b.bin'|is_text_file }}}} {{{{ '{d}/b.bin'|is_bin_file }}}} \
         {{{{ '{d}/t.txt'|is_bin_file }}}} {{{{ '{d}/e'|is_empty }}}} {{{{ '{d}/t.txt'|is_empty }}}} {{{{ '{d}/nope'|is_empty }}}} \
         {{{{ '{d}'|list_files|length }}}} {{{{ 'sh'|which }}}} {{{{ 'no-such-exe-x'|which }}}} {{{{ 'root'|get_uid }}}} {{{{ 'no-such-user-x'|get_uid }}}}"
    );
    let out = ok(&t);
    let words: Vec<&str> = out.split(' ').collect();
    assert_eq!(
        &words[..8],
        ["True", "False", "True", "False", "True", "False", "False", "6"]
    );
    assert!(words[8].ends_with("/sh"), "{out}");
    assert_eq!(&words[9..], ["None", "0", "None"]);
}

#[test]
fn jmespath_queries() {
    let t = "{% set d = {'users': [{'name': 'a', 'age': 30}, {'name': 'b', 'age': 20}]} %}\
             {{ d|json_query('users[?age > `25`].name') }} {{ d|json_query('users[0]') }} \
             {{ d|json_query('length(users)') }} {{ d|json_query('missing') }} {{ d|json_query('users[*].{n: name}') }} {{ d|json_query('sum(users[*].age)') }} {{ d|json_query('floor(`1.5`)') }} {{ d|json_query('to_number(`\"3\"`)') }}";
    assert_eq!(
        ok(t),
        "['a'] {'age': 30, 'name': 'a'} 2 None [{'n': 'a'}, {'n': 'b'}] 50 1 3"
    );
    assert!(run("{{ {}|json_query('[') }}").is_err());
}
