//! Jinja environment tests with a fake file client and exec functions.

use std::path::PathBuf;
use std::sync::Arc;

use halite_api::{
    Ctx, ExecCall, ExecError, ExecOutput, ExecSpec, FileClient, FileError, Map, Registry,
    SystemRunner,
};
use serde_json::json;

use super::render;

/// A file client over a temp directory.
pub struct DirFiles(pub PathBuf);

impl FileClient for DirFiles {
    fn cache_file(&self, path: &str, _saltenv: &str) -> Result<Option<PathBuf>, FileError> {
        let p = self.0.join(path);
        Ok(p.exists().then_some(p))
    }
    fn list_files(&self, _saltenv: &str) -> Result<Vec<String>, FileError> {
        Ok(Vec::new())
    }
    fn list_dirs(&self, _saltenv: &str) -> Result<Vec<String>, FileError> {
        Ok(Vec::new())
    }
    fn envs(&self) -> Result<Vec<String>, FileError> {
        Ok(vec!["base".into()])
    }
}

fn echo(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    Ok(call.args.first().cloned().unwrap_or_default().into())
}

fn kwargs_echo(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    Ok(serde_json::Value::Object(call.kwargs.clone()).into())
}

fn failing(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let path = call
        .arg_str(0, "path")
        .ok_or_else(|| ExecError::Invocation("Missing required argument: 'path'".into()))?;
    Err(ExecError::Failed(format!("Path not found: {path}")))
}

fn pillar_get(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let key = call.arg_str(0, "key").unwrap_or_default();
    let found = halite_api::value::traverse(&call.ctx.pillar, &key, ":").cloned();
    Ok(found
        .or_else(|| call.arg(1, "default").cloned())
        .unwrap_or(json!(""))
        .into())
}

pub fn test_ctx(dir: &std::path::Path) -> Ctx {
    let mut registry = Registry::new();
    registry.add_exec(&[
        ExecSpec {
            name: "test.echo",
            doc: "",
            run: echo,
        },
        ExecSpec {
            name: "test.kwargs",
            doc: "",
            run: kwargs_echo,
        },
        ExecSpec {
            name: "pillar.get",
            doc: "",
            run: pillar_get,
        },
        ExecSpec {
            name: "test.stats",
            doc: "",
            run: failing,
        },
    ]);
    let opts: Map = json!({"id": "minion1", "test": false, "renderer": "jinja|yaml"})
        .as_object()
        .unwrap()
        .clone();
    Ctx {
        opts: Arc::new(opts),
        grains: Arc::new(json!({"id": "minion1", "os": "Debian", "roles": ["web", "db"]})),
        pillar: Arc::new(
            json!({"app": {"port": 8080, "users": ["a", "b"]}, "zeta": 1, "alpha": 2}),
        ),
        saltenv: "base".into(),
        test: false,
        runner: Arc::new(SystemRunner),
        files: Arc::new(DirFiles(dir.to_path_buf())),
        templates: Arc::new(crate::Renderer),
        registry: Arc::new(registry),
        context: Default::default(),
        master: None,
        net: std::sync::Arc::new(halite_api::NoNetwork),
    }
}

fn vars(ctx: &Ctx) -> Map {
    json!({"grains": *ctx.grains, "pillar": *ctx.pillar, "opts": *ctx.opts})
        .as_object()
        .unwrap()
        .clone()
}

fn run(text: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let ctx = test_ctx(dir.path());
    render(&ctx, "t.sls", text, &vars(&ctx))
}

#[test]
fn prints_python_reprs() {
    assert_eq!(
        run("{{ pillar['app'] }}|{{ none }}|{{ true }}|{{ [1, 'a', None] }}").unwrap(),
        "{'port': 8080, 'users': ['a', 'b']}|None|True|[1, 'a', None]"
    );
}

#[test]
fn do_mutates_lists_and_dicts() {
    let t = "{% set l = [] %}{% do l.append(1) %}{% do l.extend([2, 3]) %}{% do l.insert(0, 0) %}\
             {% set d = {} %}{% do d.update({'a': 1}) %}{% do d.setdefault('b', []).append(5) %}{{ l }} {{ d }}";
    assert_eq!(run(t).unwrap(), "[0, 1, 2, 3] {'a': 1, 'b': [5]}");
}

#[test]
fn salt_calls_both_forms_with_kwargs() {
    let t = "{{ salt['test.echo']('hi') }} {{ salt.test.echo('yo') }} {{ salt['test.kwargs'](a=1)['a'] }} {{ salt['pillar.get']('app:port') }}";
    assert_eq!(run(t).unwrap(), "hi yo 1 8080");
}

#[test]
fn missing_functions_in_salts_words() {
    // salt-call 3008.4's texts for each form (the context block follows)
    let head = error_head;
    assert_eq!(
        head("{{ salt['foo.bar']() }}"),
        "Jinja variable 'salt.utils.templates.AliasedLoader object' has no attribute 'foo.bar'; line 1"
    );
    assert_eq!(
        head("{{ salt.foo.bar() }}"),
        "Jinja variable 'salt.utils.templates.AliasedLoader object' has no attribute 'foo'; line 1"
    );
    assert_eq!(
        head("{{ salt.test.nosuch() }}"),
        "Jinja variable 'salt.loader.lazy.LoadedMod object' has no attribute 'nosuch'; line 1"
    );
    assert!(!run("{{ salt['foo.bar']() }}")
        .unwrap_err()
        .contains("Halite"));
}

#[test]
fn a_failing_salt_function_in_salts_words() {
    // salt-call 3008.4: CommandExecutionError / SaltInvocationError
    assert_eq!(
        run("a\n{{ salt['test.stats']('/nonexistent/x') }}").unwrap_err(),
        "Problem running salt function in Jinja template: Path not found: /nonexistent/x; line 2\n\n\
         ---\na\n{{ salt['test.stats']('/nonexistent/x') }}    <======================\n---"
    );
    // a Python TypeError: Salt's first line (it adds the traceback)
    let err = run("{{ salt['test.stats']() }}").unwrap_err();
    assert!(
        err.starts_with("Jinja error: stats() missing 1 required positional argument: 'path'"),
        "{err}"
    );
    let err = run("{{ salt['test.stats']('/x', bogus=2) }}").unwrap_err();
    assert!(
        err.starts_with("Problem running salt function in Jinja template: Path not found: /x"),
        "the stand-in takes any keyword: {err}"
    );
}

#[test]
fn a_salt_function_halite_lacks_says_so_after_salts_words() {
    let err = run("x\n{{ salt.file.copy('/a', '/b') }}").unwrap_err();
    assert_eq!(
        err,
        "Jinja variable 'salt.utils.templates.AliasedLoader object' has no attribute 'file'; line 2\n\n\
         ---\nx\n{{ salt.file.copy('/a', '/b') }}    <======================\n---\n\
         'file.copy' is a Salt function Halite does not implement yet (halite audit lists them all)"
    );
}

#[test]
fn pillar_dict_get_does_not_traverse() {
    assert_eq!(
        run("{{ pillar.get('app:port', 'nope') }} {{ pillar.get('zeta') }}").unwrap(),
        "nope 1"
    );
}

#[test]
fn undefined_variable_message() {
    let text = "first:\n  cmd.run:\n    - name: echo first\nsecond:\n  cmd.run:\n    - name: echo {{ not_defined_anywhere }}\nthird:\n  cmd.run:\n    - name: echo third\n";
    assert_eq!(
        run(text).unwrap_err(),
        "Jinja variable 'not_defined_anywhere' is undefined; line 6\n\n---\nfirst:\n  cmd.run:\n    - name: echo first\nsecond:\n  cmd.run:\n    - name: echo {{ not_defined_anywhere }}    <======================\nthird:\n  cmd.run:\n    - name: echo third\n---"
    );
}

#[test]
fn load_and_import_tags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("lib")).unwrap();
    std::fs::write(
        dir.path().join("lib/defaults.yaml"),
        "mode: 0644\nflag: yes\nid: {{ grains.id }}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("lib/macros.jinja"),
        "{% macro hello(n) %}hello {{ n }}{% endmacro %}{% set answer = 42 %}",
    )
    .unwrap();
    let ctx = test_ctx(dir.path());
    let t = "{% import_yaml 'lib/defaults.yaml' as d %}{% load_yaml as y %}k: [1, 2]\n{% endload %}\
             {% from './lib/macros.jinja' import hello, answer %}{{ d }} {{ y.k }} {{ hello('x') }} {{ answer }}";
    assert_eq!(
        render(&ctx, "top.sls", t, &vars(&ctx)).unwrap(),
        "{'mode': 644, 'flag': True, 'id': 'minion1'} [1, 2] hello x 42"
    );
}

#[test]
fn salt_filters() {
    assert_eq!(
        run("{{ {'b': 1, 'a': [1, 'x']} | json }}").unwrap(),
        r#"{"a": [1, "x"], "b": 1}"#
    );
    assert_eq!(run("{{ [3, 1, 3, 2, 1] | unique }}").unwrap(), "[3, 1, 2]");
    assert_eq!(
        run("{{ 'on' | to_bool }} {{ 'yes' | to_bool }}").unwrap(),
        "False True"
    );
    assert_eq!(
        run("{{ 'abc' | regex_match('a(b)c') }} {{ 'abc' is match('a.c') }}").unwrap(),
        "('b',) True"
    );
    assert_eq!(
        run("{{ 'x' | sequence }} {{ [1] is list }}").unwrap(),
        "['x'] True"
    );
    assert_eq!(
        run("{{ 'a: b' | yaml_encode }} {{ 'say \"hi\"' | yaml_dquote }}").unwrap(),
        // Salt's yaml_encode double-quotes every string (checked with salt-call 3008.4)
        "\"a: b\" \"say \\\"hi\\\"\""
    );
    assert_eq!(run("{{ ('{\"k\": 1}' | load_json).k }}").unwrap(), "1");
}

#[test]
fn string_methods_from_pycompat() {
    assert_eq!(
        run("{{ 'a,b'.split(',') }} {{ 'Ab'.upper() }} {{ 'abc'.startswith('a') }}").unwrap(),
        "['a', 'b'] AB True"
    );
}

#[test]
fn trailing_newline_is_kept() {
    assert_eq!(run("a: 1\n").unwrap(), "a: 1\n");
}

fn sls(
    ctx: &Ctx,
    relpath: &str,
    sls: &str,
    text: &str,
) -> Result<serde_json::Value, crate::RenderError> {
    let src = crate::SlsSource {
        sls: sls.into(),
        relpath: relpath.into(),
        saltenv: "base".into(),
    };
    crate::render_sls(ctx, text, &src)
}

#[test]
fn sls_context_variables() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = test_ctx(dir.path());
    let t = "v: \"{{ sls }}|{{ slspath }}|{{ sls_path }}|{{ slsdotpath }}|{{ slscolonpath }}|{{ tpldir }}|{{ tplfile }}|{{ tpldot }}|{{ saltenv }}|{{ opts['test'] }}\"\n";
    assert_eq!(
        sls(&ctx, "ctx.sls", "ctx", t).unwrap()["v"],
        json!("ctx|||||.|ctx.sls||base|False")
    );
    assert_eq!(
        sls(&ctx, "deep/sub/init.sls", "deep.sub", t).unwrap()["v"],
        json!("deep.sub|deep/sub|deep_sub|deep.sub|deep:sub|deep/sub|deep/sub/init.sls|deep.sub|base|False")
    );
}

#[test]
fn shebang_pipelines() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = test_ctx(dir.path());
    let plain = sls(&ctx, "p.sls", "p", "#!yaml\na:\n  - name: echo '{{ x }}'\n").unwrap();
    assert_eq!(plain, json!({"a": [{"name": "echo '{{ x }}'"}]}));
    let js = sls(
        &ctx,
        "j.sls",
        "j",
        "#!jinja|json\n{\"s\": {\"cmd.run\": [{\"name\": \"echo {{ grains['os'] }}\"}]}}\n",
    )
    .unwrap();
    assert_eq!(js, json!({"s": {"cmd.run": [{"name": "echo Debian"}]}}));
    assert_eq!(
        sls(&ctx, "e.sls", "e", "{% if false %}a: 1{% endif %}\n").unwrap(),
        json!({})
    );
    let py = "#!py\ndef run():\n    return {'p': {'cmd.run': [{'name': __sls__ + ' ' + __grains__['os']}]}, 'b': {}}\n";
    assert_eq!(
        sls(&ctx, "py.sls", "py", py).unwrap(),
        json!({"p": {"cmd.run": [{"name": "py Debian"}]}, "b": {}})
    );
    let err = sls(&ctx, "bad.sls", "bad", "#!py\nx = 1\n").unwrap_err();
    assert!(
        err.to_string().contains("no run() function defined"),
        "{err}"
    );
    let err = sls(&ctx, "m.sls", "m", "#!mako\na: 1\n").unwrap_err();
    assert!(
        err.to_string().contains("'mako' renderer is not supported"),
        "{err}"
    );
}

#[test]
fn template_renderer_merges_context() {
    use halite_api::TemplateRenderer;
    let dir = tempfile::tempdir().unwrap();
    let ctx = test_ctx(dir.path());
    let extra: Map = json!({"port": 80, "name": "/etc/x"})
        .as_object()
        .unwrap()
        .clone();
    let out = crate::Renderer.render_template(
        &ctx,
        "jinja",
        "{{ name }}:{{ port }}:{{ grains.os }}\n",
        &extra,
        "salt://x.j2",
    );
    assert_eq!(out.unwrap(), "/etc/x:80:Debian\n");
    let err = crate::Renderer
        .render_template(&ctx, "jinja", "{{ sls }}", &extra, "salt://x.j2")
        .unwrap_err();
    assert!(
        err.starts_with("Jinja variable 'sls' is undefined"),
        "{err}"
    );
}

/// salt-call 3008.4's texts for names its environment lacks, minijinja's
/// own extras (`split`, `startingwith`, `debug`) included.
#[test]
fn unknown_filters_tests_and_functions_in_salts_words() {
    let head = error_head;
    assert_eq!(
        head("{{ 'a b' | split }}"),
        "Jinja syntax error: No filter named 'split'.; line 1"
    );
    assert_eq!(
        head("{{ 'x' is startingwith('x') }}"),
        "Jinja syntax error: No test named 'startingwith'.; line 1"
    );
    assert_eq!(
        head("{{ '1.2.3.4' is is_ip }}"),
        "Jinja syntax error: No test named 'is_ip'.; line 1"
    );
    assert_eq!(
        head("{{ debug() }}"),
        "Jinja variable 'debug' is undefined; line 1"
    );
    assert_eq!(run("{{ '1.2.3.4' | is_ip }}").unwrap(), "True");
}

/// The first paragraph of a failed render's message (without the context block).
fn error_head(template: &str) -> String {
    run(template)
        .unwrap_err()
        .split("\n\n")
        .next()
        .unwrap()
        .to_string()
}

/// itertools filters whose lists would be unbounded are refused, not built.
#[test]
fn itertools_results_are_bounded() {
    assert_eq!(
        run("{{ [1] | combinations_with_replacement(1000000) | list | length }}").unwrap(),
        "1"
    );
    for t in [
        "{{ range(30) | list | combinations(15) | list | length }}",
        "{{ [1, 2] | product(repeat=100) | list | length }}",
        "{{ range(20) | list | permutations | list | length }}",
    ] {
        let err = run(t).unwrap_err();
        assert!(err.contains("more than 1000000 items"), "{t}: {err}");
    }
    assert_eq!(
        run("{{ [1, 2] | product(repeat=3) | list | length }}").unwrap(),
        "8"
    );
}

/// Size arguments from a template are bounded, and huge ones do not overflow.
#[test]
fn generated_sizes_are_bounded() {
    for t in [
        "{{ 'x' | center(100000000000) }}",
        "{{ 1000000000000 | random_str }}",
        "{{ lipsum(100000000, max=1000) }}",
    ] {
        let err = run(t).unwrap_err();
        assert!(err.contains("more than Halite generates"), "{t}: {err}");
    }
    assert_eq!(
        run("{{ 'abc' | truncate(10, leeway=9223372036854775807) }}").unwrap(),
        "abc"
    );
}
