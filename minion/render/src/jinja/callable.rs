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
