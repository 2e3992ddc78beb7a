//! The `jmespath` crate's runtime with the number functions returning what
//! Python's `jmespath` (the one Salt's `json_query` uses) returns: `sum` and
//! `abs` of ints are ints, `ceil`/`floor` are ints, `to_number('3')` is 3.

use std::sync::OnceLock;

use jmespath::functions::{ArgumentType, CustomFunction, Signature};
use jmespath::{Rcvar, Runtime, Variable};
use serde_json::Number;

/// The shared runtime: the built-ins, then the Python-typed overrides.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let mut rt = Runtime::new();
        rt.register_builtin_functions();
        let one = |t: ArgumentType| Signature::new(vec![t], None);
        let numbers = ArgumentType::TypedArray(Box::new(ArgumentType::Number));
        rt.register_function(
            "sum",
            Box::new(CustomFunction::new(
                one(numbers),
                Box::new(|a, _| Ok(sum(&a[0]))),
            )),
        );
        for (name, f) in [
            ("abs", abs as fn(&Number) -> Variable),
            ("ceil", ceil),
            ("floor", floor),
        ] {
            rt.register_function(
                name,
                Box::new(CustomFunction::new(
                    one(ArgumentType::Number),
                    Box::new(move |a, _| {
                        Ok(Rcvar::new(number_of(&a[0]).map_or(Variable::Null, f)))
                    }),
                )),
            );
        }
        rt.register_function(
            "to_number",
            Box::new(CustomFunction::new(
                one(ArgumentType::Any),
                Box::new(|a, _| Ok(Rcvar::new(to_number(&a[0])))),
            )),
        );
        rt
    })
}

fn number_of(v: &Rcvar) -> Option<&Number> {
    match &**v {
        Variable::Number(n) => Some(n),
        _ => None,
    }
}

fn float(f: f64) -> Variable {
    Number::from_f64(f).map_or(Variable::Null, Variable::Number)
}

fn int(i: i64) -> Variable {
    Variable::Number(Number::from(i))
}

fn sum(list: &Rcvar) -> Rcvar {
    let nums: Vec<&Number> = list
        .as_array()
        .map(|a| a.iter().filter_map(number_of).collect())
        .unwrap_or_default();
    let ints: Option<Vec<i64>> = nums.iter().map(|n| n.as_i64()).collect();
    Rcvar::new(match ints {
        Some(i) => int(i.iter().sum()),
        None => float(nums.iter().filter_map(|n| n.as_f64()).sum()),
    })
}

fn abs(n: &Number) -> Variable {
    match n.as_i64() {
        Some(i) => int(i.abs()),
        None => float(n.as_f64().unwrap_or_default().abs()),
    }
}

fn ceil(n: &Number) -> Variable {
    n.as_i64()
        .map_or_else(|| int(n.as_f64().unwrap_or_default().ceil() as i64), int)
}

fn floor(n: &Number) -> Variable {
    n.as_i64()
        .map_or_else(|| int(n.as_f64().unwrap_or_default().floor() as i64), int)
}

/// Python's `int(text)`, else `float(text)`; numbers as they are.
fn to_number(v: &Rcvar) -> Variable {
    match &**v {
        Variable::Number(n) => Variable::Number(n.clone()),
        Variable::String(s) => {
            let t = s.trim().replace('_', "");
            if let Ok(i) = t.parse::<i64>() {
                int(i)
            } else {
                t.parse::<f64>().map_or(Variable::Null, float)
            }
        }
        _ => Variable::Null,
    }
}
