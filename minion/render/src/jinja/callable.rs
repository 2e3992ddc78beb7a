//! Jinja2's `callable` test (Python's `callable(value)`) in Halite's
//! environment. minijinja cannot ask a value whether it is callable
//! (`Object::call` only fails when invoked, and calling to find out would
//! run the function), so the rule is by the kinds of values the
//! environment holds, each checked against salt-call 3008.4:
//!
//! * callable: functions (minijinja's globals such as `range`, `lipsum`,
//!   `raise`, `odict`, a `joiner()`; `salt['test.ping']`, `salt.test.ping`):
//!   every object with [`ObjectRepr::Plain`] except Halite's
//!   non-callable ones (`cycler()`, bytes); macros and `caller` (minijinja's
//!   macro object, which shows itself as `<macro name>`); `loop` (Jinja2's
//!   `LoopContext` has `__call__`, minijinja's loop object shows as
//!   `Loop {..}`); and undefined values (Salt's `StrictUndefined` defines
//!   `__call__`, so `nothere is callable` is true under Salt).
//! * not callable: strings, numbers, booleans, none, lists, dicts, tuples,
//!   bytes, `salt`, `salt.test` (a module), `namespace()`, `cycler()`.

use minijinja::value::ObjectRepr;
use minijinja::Value;

use super::filters_hash::PyBytes;
use super::filters_jinja2::Cycler;
use super::mutable::{MutDict, MutList};

/// `value is callable`.
pub fn is_callable(value: &Value) -> bool {
    if value.is_undefined() {
        return true;
    }
    let Some(object) = value.as_object() else {
        return false;
    };
    let halite_data = value.downcast_object_ref::<Cycler>().is_some()
        || value.downcast_object_ref::<PyBytes>().is_some()
        || value.downcast_object_ref::<MutDict>().is_some()
        || value.downcast_object_ref::<MutList>().is_some();
    if halite_data {
        return false;
    }
    match object.repr() {
        ObjectRepr::Plain => true,
        ObjectRepr::Map => {
            let shown = format!("{object:?}");
            shown.starts_with("<macro ") || shown.starts_with("Loop {")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::render;
    use super::super::tests::test_ctx;

    fn run(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let ctx = test_ctx(dir.path());
        let vars = json!({"grains": {}}).as_object().unwrap().clone();
        render(&ctx, "t.sls", text, &vars).unwrap()
    }

    #[test]
    fn callable_as_salt_3008() {
        // salt-call 3008.4 rendered the same list (corpus f_jinja_callable).
        let template = "{% macro m() %}{% endmacro %}\
            {% macro w() %}{{ caller is callable }}{% endmacro %}\
            {% for i in [1] %}{{ loop is callable }}{% endfor %} \
            {{ m is callable }} {% call w() %}{% endcall %} \
            {{ salt['test.echo'] is callable }} {{ salt.test.echo is callable }} \
            {{ range is callable }} {{ joiner() is callable }} {{ nothere is callable }} | \
            {{ salt.test is callable }} {{ salt is callable }} {{ cycler(1) is callable }} \
            {{ namespace() is callable }} {{ 'x' is callable }} {{ 1 is callable }} \
            {{ [] is callable }} {{ {} is callable }} {{ none is callable }} \
            {{ ('a'|to_bytes) is callable }} {{ grains is callable }} {{ m is not callable }}";
        assert_eq!(
            run(template),
            "True True True True True True True True | \
             False False False False False False False False False False False False"
        );
    }
}
