//! Tests of the text, hash, Jinja2 text and date filters; the expected
//! texts are what salt-call 3008.4 rendered for the same templates.

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

fn err(text: &str) -> String {
    run(text).unwrap_err()
}

#[test]
fn hashes_as_salt() {
    assert_eq!(
        run("{{ 'abc'|md5 }} {{ 'abc'|sha1 }} {{ ('abc'|to_bytes)|md5 }}").unwrap(),
        "900150983cd24fb0d6963f7d28e17f72 a9993e364706816aba3e25717850c26c9cd0d89d \
         900150983cd24fb0d6963f7d28e17f72"
    );
    assert_eq!(
        run("{{ 'hello'|hmac_compute('secret') }} {{ 'hello'|hmac('secret', 'iKqz7ejTrflNJquQ07r9SiCDBww7zOnAFO4EpEOEfAs=') }} {{ 'hello'|hmac('secret', 'x') }}").unwrap(),
        "88aab3ede8d3adf94d26ab90d3bafd4a2083070c3bcce9c014ee04a443847c0b True False"
    );
    assert_eq!(
        run("{{ 'hello'|hmac_compute('k' * 100) }}").unwrap(),
        "3fd578d761a4f6703009e92d2e8a0aea22ab9ab50d4ad250dc95d8c369dec3f5"
    );
    assert_eq!(
        run("{{ 'example'|uuid }} {{ ''|uuid }}").unwrap(),
        "9ade8beb-355a-50d8-9011-1c99848a7719 006e03e1-ab61-58e5-b632-ebe20b94a2a7"
    );
    assert!(err("{{ 5|md5 }}")
        .starts_with("Jinja error: expected str, bytes, or bytearray not <class 'int'>"));
}

#[test]
fn random_filters_have_salts_shapes() {
    assert_eq!(
        run("{{ 16|random_hash|length }} {{ 12|random_str|length }} {{ 5|rand_str('sha256')|length }} {{ (0|random_hash) == ('0'|md5) }}").unwrap(),
        "32 12 64 True"
    );
    assert_ne!(
        run("{{ 32|random_str }}").unwrap(),
        run("{{ 32|random_str }}").unwrap()
    );
    assert!(
        err("{{ 'x'|random_str }}").contains("'str' object cannot be interpreted as an integer")
    );
    assert!(err("{{ 5|random_hash('nope') }}").contains("module 'hashlib' has no attribute 'nope'"));
}

#[test]
fn file_hashsum_reads_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, "abc").unwrap();
    let t = format!("{{{{ '{}'|file_hashsum('md5') }}}}", path.display());
    assert_eq!(run(&t).unwrap(), "900150983cd24fb0d6963f7d28e17f72");
    assert!(err("{{ '/nonexistent/x'|file_hashsum }}")
        .contains("[Errno 2] No such file or directory: '/nonexistent/x'"));
    assert!(err("{{ 'x'|file_hashsum('nope') }}").contains("Invalid hash type: nope"));
}

#[test]
fn bytes_print_as_python() {
    assert_eq!(
        run("{{ 'abc'|to_bytes }} {{ 'é'|to_bytes }} {{ \"a'b\\n\"|to_bytes }} {{ 'é'|to_bytes('latin-1') }}").unwrap(),
        "b'abc' b'\\xc3\\xa9' b\"a'b\\n\" b'\\xe9'"
    );
    assert!(err("{{ 'é'|to_bytes('ascii') }}").contains(
        "'ascii' codec can't encode character '\\xe9' in position 0: ordinal not in range(128)"
    ));
}

#[test]
fn string_filters_as_salt() {
    assert_eq!(
        run("{{ 'foo_bar_baz'|to_camelcase }} {{ 'foo_bar'|to_camelcase(uppercamel=True) }} {{ '_x__y'|to_camelcase }} {{ 'fOO_bAR'|to_camelcase }}").unwrap(),
        "fooBarBaz FooBar XY fOOBar"
    );
    assert_eq!(
        run("{{ 'fooBarBaz'|to_snake_case }} {{ 'HTTPServerError'|to_snake_case }} {{ 'getHTTP'|to_snake_case }}").unwrap(),
        "foo_bar_baz http_server_error get_http"
    );
    assert!(err("{{ ''|to_snake_case }}").contains("string index out of range"));
    assert_eq!(
        run("{{ 'ff'|is_hex }} {{ '0xff'|is_hex }} {{ 'zz'|is_hex }} {{ ' ff '|is_hex }} {{ 'f_f'|is_hex }} {{ 10|is_hex }} {{ '-ff'|is_hex }} {{ ''|is_hex }} {{ '0x_f'|is_hex }} {{ 'f__f'|is_hex }}").unwrap(),
        "True True False True True False True False True False"
    );
    assert_eq!(
        run("{{ 'a b'|contains_whitespace }} {{ 'ab'|contains_whitespace }} {{ ['a', ' ']|contains_whitespace }}").unwrap(),
        "True False True"
    );
}

#[test]
fn whitelist_blacklist_as_salt() {
    assert_eq!(
        run("{{ 'web1'|check_whitelist_blacklist(whitelist=['web*']) }} {{ 'web1'|check_whitelist_blacklist(blacklist='web1') }} {{ 'db1'|check_whitelist_blacklist(['web.*'], ['db1']) }} {{ 'x'|check_whitelist_blacklist }} {{ 'web12'|check_whitelist_blacklist(whitelist='web[0-9]+') }} {{ 'a?'|check_whitelist_blacklist(whitelist='[!b]?') }}").unwrap(),
        "True False False True True True"
    );
    assert!(err("{{ 'x'|check_whitelist_blacklist(blacklist=5) }}")
        .contains("Expecting iterable blacklist, but got int (5)"));
}

#[test]
fn jinja2_text_filters() {
    assert_eq!(
        run("[{{ 'abc'|center(8) }}] [{{ 5|center(4) }}] [{{ 'abc'|center(width=9) }}]").unwrap(),
        "[  abc   ] [ 5  ] [   abc   ]"
    );
    assert_eq!(
        run("{{ 1|filesizeformat }}|{{ 999|filesizeformat }}|{{ 1500000|filesizeformat }}|{{ '2048'|filesizeformat(binary=True) }}|{{ 512.7|filesizeformat }}|{{ -5000|filesizeformat }}|{{ 1250|filesizeformat }}").unwrap(),
        "1 Byte|999 Bytes|1.5 MB|2.0 KiB|512 Bytes|-5000 Bytes|1.2 kB"
    );
    assert_eq!(
        run("{{ '<a href=\"x\">&\\'</a>'|forceescape }}").unwrap(),
        "&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt;"
    );
    assert_eq!(
        run("{{ '<p>Hello <b>World</b></p>  <!-- c -->  &amp; &#65;&#x42; &raquo;'|striptags }}|{{ 'a <b'|striptags }}").unwrap(),
        "Hello World & AB »|a <b"
    );
    assert_eq!(
        run("{{ 'foo bar baz qux'|truncate(9) }}|{{ 'foo bar baz qux'|truncate(9, True) }}|{{ 'foo bar baz qux'|truncate(9, True, '..', 0) }}|{{ 'abcdefghijkl'|truncate(5, leeway=0) }}").unwrap(),
        "foo...|foo ba...|foo bar..|ab..."
    );
    assert!(err("{{ 'foo'|truncate(5, bogus=1) }}")
        .contains("do_truncate() got an unexpected keyword argument 'bogus'"));
    assert!(err("{{ 'foo'|truncate(2) }}").contains("expected length >= 3, got 2"));
    assert_eq!(
        run("{{ 'Hello world! foo_bar 42 x-y'|wordcount }}").unwrap(),
        "6"
    );
    assert_eq!(
        run("{{ 'a well-known long-winded thing'|wordwrap(10) }}|{{ 'x y z'|wordwrap(1, wrapstring='|') }}").unwrap(),
        "a well-\nknown\nlong-\nwinded\nthing|x|y|z"
    );
    assert_eq!(
        run("{{ {'class': 'x y', 'id': 5, 'n': none, 'q': '\"<'}|xmlattr }}|{{ {'a': 1}|xmlattr(false) }}").unwrap(),
        " class=\"x y\" id=\"5\" q=\"&#34;&lt;\"|a=\"1\""
    );
}

#[test]
fn random_cycler_joiner() {
    assert_eq!(
        run("{{ [1,2,3]|random in [1,2,3] }} {{ [7]|random }}").unwrap(),
        "True 7"
    );
    assert_eq!(
        run("{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.current }}{{ c.next() }}{% do c.reset() %}{{ c.next() }}").unwrap(),
        "abaaa"
    );
    assert_eq!(
        run("{% set j = joiner() %}{{ j() }}a{{ j() }}b{{ j() }}|{% set k = joiner('-') %}{{ k() }}x{{ k() }}y").unwrap(),
        "a, b, |x-y"
    );
}

#[test]
fn strftime_as_salt() {
    // the node's timezone decides timestamps (datetime.fromtimestamp); the
    // expected texts assume UTC only where a timestamp is given
    assert_eq!(
        run("{{ '2002/12/25'|strftime('%A %j %U %p %I %y %B %a %b %e|%Z|%z') }}|{{ '2002-12-25 13:14:15'|date_format('%H:%M:%S') }}|{{ '25 December 2002'|strftime }}").unwrap(),
        "Wednesday 359 51 AM 12 02 December Wed Dec 25|||13:14:15|2002-12-25"
    );
    assert!(err("{{ 'garbage'|strftime }}").contains("Unable to parse garbage"));
    assert!(err("{{ '2002-13-45'|strftime }}").contains("Unable to parse 2002-13-45"));
    assert_eq!(run("{{ none|strftime|length }}").unwrap(), "10");
}

#[test]
fn lipsum_has_jinja2s_shape() {
    assert_eq!(
        run("{{ lipsum(3, html=False).split('\\n\\n')|length }} {{ lipsum(4).count('<p>') }} {{ lipsum(1, False, 20, 21).split()|length }} {{ lipsum(2, False, 5, 6)[-1] }}").unwrap(),
        "3 4 20 ."
    );
    assert!(err("{{ lipsum(1, min=5, max=5) }}").contains("empty range for randrange() (5, 5, 0)"));
}

#[test]
fn urlize_as_jinja2() {
    assert_eq!(
        run("{{ 'visit http://example.com/a?b=1. or www.example.org, (https://x.io/p) and me@example.com' | urlize }}").unwrap(),
        "visit <a href=\"http://example.com/a?b=1\" rel=\"noopener\">http://example.com/a?b=1</a>. or \
         <a href=\"https://www.example.org\" rel=\"noopener\">www.example.org</a>, \
         (<a href=\"https://x.io/p\" rel=\"noopener\">https://x.io/p</a>) and \
         <a href=\"mailto:me@example.com\">me@example.com</a>"
    );
    assert_eq!(
        run("{{ 'https://example.com/a_long_path' | urlize(10) }} {{ 'www.example.com' | urlize(nofollow=True, target='_blank') }}").unwrap(),
        "<a href=\"https://example.com/a_long_path\" rel=\"noopener\">https://ex...</a> \
         <a href=\"https://www.example.com\" rel=\"nofollow noopener\" target=\"_blank\">www.example.com</a>"
    );
    assert!(err("{{ 'x' | urlize(extra_schemes=['bad scheme']) }}")
        .starts_with("Jinja syntax error: 'bad scheme' is not a valid URI scheme prefix.; line 1"));
}
