//! Jinja with Salt's environment: StrictUndefined, `do`/loop controls, Python-style
//! printing, `salt`/`grains`/`pillar`/`opts` globals, Salt's filters, tests and tags,
//! templates loaded through the [`halite_api::FileClient`] of the current saltenv.

mod blocks;
mod callable;
mod data;
mod dns_check;
mod errors;
mod filters;
mod filters_data;
mod filters_date;
mod filters_files;
mod filters_hash;
mod filters_indent;
mod filters_iter;
mod filters_jinja2;
mod filters_net;
pub(crate) mod filters_text;
mod filters_xml;
mod http_headers;
mod http_query;
mod ifelse;
mod jmespath_py;
mod lexer;
mod percent;
mod pyip;
mod pyrandom;
mod strmethods;
mod syntax;
mod textwrap;
mod tuple;
mod xml_out;
pub use filters::{python_json, sort_maps};
pub mod mutable;
mod rewrite;
mod salt;

use halite_api::{Ctx, Map};
use minijinja::value::ValueKind;
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior, Value};

use mutable::{from_jinja, to_jinja};

/// Render `text` (named `name`, a path relative to the env root) with Salt's
/// environment; `vars` are the template variables besides `salt`. Errors carry
/// Salt's message text (`Jinja variable 'x' is undefined; line N ...`).
pub fn render(ctx: &Ctx, name: &str, text: &str, vars: &Map) -> Result<String, String> {
    let env = environment(ctx, vars);
    let source = rewrite::rewrite(text);
    let rendered = env
        .template_from_named_str(name, &source)
        .and_then(|t| t.render(()))
        .map_err(|e| errors::salt_message(&e, text, &source))?;
    Ok(rendered)
}

fn environment(ctx: &Ctx, vars: &Map) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_unknown_method_callback(strmethods::callback);
    env.set_formatter(python_formatter);
    env.add_global(
        "salt",
        Value::from_object(salt::SaltFunctions { ctx: ctx.clone() }),
    );
    for (key, value) in vars {
        env.add_global(key.clone(), to_jinja(value));
    }
    let files = ctx.files.clone();
    let saltenv = ctx.saltenv.clone();
    env.set_loader(move |name| match files.read(name, &saltenv) {
        Ok(Some(bytes)) => Ok(Some(rewrite::rewrite(&String::from_utf8_lossy(&bytes)))),
        Ok(None) => Ok(None),
        Err(e) => Err(Error::new(ErrorKind::TemplateNotFound, e.to_string())),
    });
    env.set_path_join_callback(|name, parent| join_template_path(name, parent).into());
    env.add_filter(
        "dns_check",
        dns_check::filter(ctx.net.clone(), ctx.context.clone()),
    );
    env.add_filter(
        "http_query",
        http_query::filter(ctx.net.clone(), ctx.opts.clone()),
    );
    register_helpers(&mut env);
    register_filters(&mut env);
    register_tests(&mut env);
    filters_text::register(&mut env);
    filters_net::register(&mut env);
    filters_data::register(&mut env);
    remove_names_salt_lacks(&mut env);
    env
}

/// minijinja built-ins Salt's Jinja2 environment does not have: a template
/// using one fails under Salt (`No filter named 'split'.`), so it fails
/// here too rather than render on Halite and break on a Python minion.
fn remove_names_salt_lacks(env: &mut Environment<'static>) {
    for filter in ["bool", "chain", "lines", "split"] {
        env.remove_filter(filter);
    }
    for test in ["endingwith", "int", "safe", "startingwith"] {
        env.remove_test(test);
    }
    env.remove_global("debug");
}

/// Names starting with `./` or `../` are relative to the including template's
/// directory; others to the env root (`salt://` prefix allowed).
pub fn join_template_path(name: &str, parent: &str) -> String {
    let name = name.strip_prefix("salt://").unwrap_or(name);
    if !(name.starts_with("./") || name.starts_with("../")) {
        return name.trim_start_matches('/').to_string();
    }
    let mut parts: Vec<&str> = parent.split('/').collect();
    parts.pop();
    for segment in name.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Print values the way Python's `str()` does (`True`, `None`, `{'a': 1}`).
fn python_formatter(
    out: &mut minijinja::Output,
    _state: &mut State,
    value: &Value,
) -> Result<(), Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    let text = match value
        .as_str()
        .filter(|_| !matches!(value.kind(), ValueKind::Bytes))
    {
        Some(s) => s.to_string(),
        None => tuple::py_str(value).unwrap_or_else(|| crate::pyfmt::str(&from_jinja(value))),
    };
    out.write_str(&text).map_err(Error::from)
}

fn register_helpers(env: &mut Environment<'static>) {
    env.add_function("__list", filters::make_list);
    env.add_function("__dict", filters::make_dict);
    env.add_function("__load_yaml", filters::load_yaml);
    env.add_function("__load_json", filters::load_json);
    env.add_function("__load_text", filters::load_text);
    env.add_function("__import_yaml", |state: &State, path: String| {
        filters::load_yaml(Value::from(import_text(state, &path)?))
    });
    env.add_function("__import_json", |state: &State, path: String| {
        filters::load_json(Value::from(import_text(state, &path)?))
    });
    env.add_function("__import_text", |state: &State, path: String| {
        import_text(state, &path)
    });
    env.add_function("raise", data::raise);
    env.add_function("ifelse", ifelse::ifelse);
    env.add_filter("__pyformat", percent::pyformat);
    env.add_function("odict", |v: Option<Value>| match v {
        Some(v) => filters::make_dict(v),
        None => Ok(mutable::MutDict::new_value(Default::default())),
    });
    env.add_function("show_full_context", |state: &State| {
        let names: Vec<Value> = state
            .known_variables()
            .iter()
            .map(|n| Value::from(n.to_string()))
            .collect();
        Value::from(names)
    });
}

/// Render another template of the saltenv (Jinja first, as Salt's import tags do).
fn import_text(state: &State, path: &str) -> Result<String, Error> {
    let resolved = join_template_path(path, state.name());
    state.env().get_template(&resolved)?.render(())
}

fn register_filters(env: &mut Environment<'static>) {
    env.add_filter("yaml", filters::yaml_filter);
    env.add_filter("json", filters::json_filter);
    env.add_filter("load_yaml", filters::load_yaml);
    env.add_filter("load_json", filters::load_json);
    env.add_filter("load_text", filters::load_text);
    env.add_filter("yaml_encode", filters::yaml_encode);
    env.add_filter("yaml_dquote", filters::yaml_dquote);
    env.add_filter("yaml_squote", filters::yaml_squote);
    env.add_filter("python", filters::python);
    env.add_filter("dict_to_sls_yaml_params", filters::dict_to_sls_yaml_params);
    env.add_filter("unique", data::unique);
    env.add_filter("union", data::union);
    env.add_filter("intersect", data::intersect);
    env.add_filter("difference", data::difference);
    env.add_filter("symmetric_difference", data::symmetric_difference);
    env.add_filter("sequence", data::sequence);
    env.add_filter("to_bool", data::to_bool);
    env.add_filter("regex_match", data::regex_match);
    env.add_filter("regex_search", data::regex_search);
    env.add_filter("regex_replace", data::regex_replace);
    env.add_filter("regex_escape", data::regex_escape);
    env.add_filter("default", data::default);
    env.add_filter("d", data::default);
    env.add_filter("flatten", data::flatten);
    env.add_filter("traverse", data::traverse);
    env.add_filter("quote", data::quote);
    env.add_filter("base64_encode", data::base64_encode);
    env.add_filter("base64_decode", data::base64_decode);
    env.add_filter("sha256", data::sha256);
    env.add_filter("sha512", data::sha512);
    env.add_filter("to_num", data::to_num);
    env.add_filter("str_to_num", data::to_num);
    env.add_filter("human_to_bytes", data::human_to_bytes);
    env.add_filter("path_join", data::path_join);
    env.add_filter("sorted_ignorecase", data::sorted_ignorecase);
    env.add_filter("exactly_one_true", data::exactly_one_true);
    env.add_filter("exactly_n_true", data::exactly_n_true);
    env.add_filter("substring_in_list", data::substring_in_list);
    env.add_filter("avg", data::avg);
    env.add_filter("xml", filters_xml::xml);
    env.add_filter("indent", filters_indent::indent);
}

fn register_tests(env: &mut Environment<'static>) {
    env.add_test("match", data::test_match);
    env.add_test("list", data::test_list);
    env.add_test("callable", |v: Value| callable::is_callable(&v));
}

#[cfg(test)]
mod tests;
