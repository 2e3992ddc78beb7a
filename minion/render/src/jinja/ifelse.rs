//! Salt's `ifelse` Jinja global (salt/modules/match.py `ifelse`, put in the
//! environment by `@jinja_global`) as Salt 3008.4 runs it: Salt registers
//! the plain module function, not the loader's copy, so `__context__` is not
//! defined there. With one argument it returns it; with an even number it
//! fails (`The ifelse function must have an odd number of arguments!`); with
//! (target, value) pairs its `filter_by` calls a matcher of the module, which
//! fails with `name '__context__' is not defined` before it matches
//! anything, or `KeyError` for a `tgt_type` the module has no function for.
//! A template that renders here therefore renders on a Python minion.

use minijinja::value::{Kwargs, Rest, ValueKind};
use minijinja::{Error, Value};

use super::filters_data::{error, py_type};

const KEYWORDS: [&str; 4] = ["tgt_type", "minion_id", "merge", "merge_lists"];

/// The module's matchers that take `(tgt, minion_id=None)` or a delimiter.
const MATCHERS: [&str; 8] = [
    "compound",
    "glob",
    "grain",
    "grain_pcre",
    "list_",
    "pcre",
    "pillar",
    "pillar_pcre",
];

/// The module's matchers that take the target only.
const ONE_ARG_MATCHERS: [&str; 2] = ["data", "ipcidr"];

/// The module's other functions: as a `tgt_type` they are not matchers.
const OTHER_FUNCTIONS: [&str; 4] = ["_load_matchers", "filter_by", "ifelse", "search_by"];

/// `ifelse(*args, tgt_type="compound", minion_id=None, merge=None, merge_lists=False)`.
pub fn ifelse(args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    if let Some(bad) = kwargs.args().find(|k| !KEYWORDS.contains(k)) {
        return Err(error(format!(
            "ifelse() got an unexpected keyword argument '{bad}'"
        )));
    }
    let tgt_type: Option<Value> = kwargs.get("tgt_type")?;
    let minion_id: Option<Value> = kwargs.get("minion_id")?;
    let _: Option<Value> = kwargs.get("merge")?;
    let _: Option<Value> = kwargs.get("merge_lists")?;
    if args.len().is_multiple_of(2) {
        return Err(error(
            "The ifelse function must have an odd number of arguments!",
        ));
    }
    if let [only] = args.as_slice() {
        return Ok(only.clone());
    }
    if let Some(key) = args.iter().step_by(2).find(|k| unhashable(k)) {
        return Err(error(format!("unhashable type: '{}'", py_type(key))));
    }
    let tgt_type = tgt_type.unwrap_or_else(|| "compound".into());
    Err(matcher_error(
        &tgt_type,
        minion_id.is_some_and(|m| m.is_true()),
    ))
}

fn unhashable(v: &Value) -> bool {
    matches!(v.kind(), ValueKind::Map)
        || (matches!(v.kind(), ValueKind::Seq | ValueKind::Iterable) && py_type(v) == "list")
}

/// What `expr_funcs[tgt_type](*params)` raises on the first key.
fn matcher_error(tgt_type: &Value, with_minion_id: bool) -> Error {
    let name = tgt_type
        .as_str()
        .filter(|_| tgt_type.kind() == ValueKind::String);
    match name {
        Some(n) if ONE_ARG_MATCHERS.contains(&n) && with_minion_id => error(format!(
            "{n}() takes 1 positional argument but 2 were given"
        )),
        Some(n) if MATCHERS.contains(&n) || ONE_ARG_MATCHERS.contains(&n) => {
            error("name '__context__' is not defined")
        }
        Some(n) if OTHER_FUNCTIONS.contains(&n) => error(format!(
            "ifelse with tgt_type='{n}' (not a matcher) is not supported by Halite"
        )),
        _ => {
            let data = super::mutable::from_jinja(tgt_type);
            error(crate::pyfmt::repr(&data))
        }
    }
}
