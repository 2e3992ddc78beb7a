//! Salt's itertools filters (SerializerExtension: `combinations`,
//! `combinations_with_replacement`, `compress`, `permutations`, `product`,
//! `zip_longest`) and `skip`, `method_call` (`salt/utils/jinja.py`).
//!
//! Python gives lazy iterators (printed as `<itertools.x object at 0x..>`);
//! here they are lists, of tuples where Python yields tuples, so
//! `|list`, `for` and `|join` give what Salt gives.

use minijinja::value::{Kwargs, Rest};
use minijinja::{Environment, Error, State, Value};

use super::filters_data::{bind, error, required, some};
use super::mutable::MutList;
use super::tuple::PyTuple;

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("combinations", combinations);
    env.add_filter(
        "combinations_with_replacement",
        combinations_with_replacement,
    );
    env.add_filter("compress", compress);
    env.add_filter("permutations", permutations);
    env.add_filter("product", product);
    env.add_filter("zip_longest", zip_longest);
    env.add_filter("skip", skip);
    env.add_filter("method_call", method_call);
}

fn items(v: &Value) -> Result<Vec<Value>, Error> {
    v.try_iter().map(Iterator::collect).map_err(|_| {
        error(format!(
            "'{}' object is not iterable",
            super::filters_data::py_type(v)
        ))
    })
}

fn tuples(index_sets: Vec<Vec<usize>>, pool: &[Value]) -> Value {
    MutList::new_value(
        index_sets
            .into_iter()
            .map(|ix| PyTuple::new_value(ix.into_iter().map(|i| pool[i].clone()).collect()))
            .collect(),
    )
}

fn count_arg(r: i64) -> Result<usize, Error> {
    usize::try_from(r).map_err(|_| error("r must be non-negative"))
}

/// Index tuples of length `r` over `n`, in itertools' order: increasing
/// (`strict`) or non-decreasing.
fn ordered_indices(n: usize, r: usize, strict: bool) -> Vec<Vec<usize>> {
    fn walk(
        n: usize,
        r: usize,
        strict: bool,
        start: usize,
        cur: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if cur.len() == r {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            walk(n, r, strict, if strict { i + 1 } else { i }, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    walk(n, r, strict, 0, &mut Vec::new(), &mut out);
    out
}

/// The required `r`, positional or by keyword.
fn r_arg(fun: &str, rest: &[Value], kwargs: &Kwargs) -> Result<usize, Error> {
    let r = required(fun, &bind(fun, rest, kwargs, &["r"])?[0], "r")?;
    count_arg(i64::try_from(r).map_err(|_| error("Expected int as r"))?)
}

/// `combinations(r)`.
pub fn combinations(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let r = r_arg("combinations", &rest, &kwargs)?;
    let pool = items(&v)?;
    Ok(tuples(ordered_indices(pool.len(), r, true), &pool))
}

/// `combinations_with_replacement(r)`.
pub fn combinations_with_replacement(
    v: Value,
    rest: Rest<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let r = r_arg("combinations_with_replacement", &rest, &kwargs)?;
    let pool = items(&v)?;
    if pool.is_empty() && r > 0 {
        return Ok(MutList::new_value(Vec::new()));
    }
    Ok(tuples(ordered_indices(pool.len(), r, false), &pool))
}

/// `permutations(r=None)`: lexicographic by position, as itertools.
pub fn permutations(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let r = some(&bind("permutations", &rest, &kwargs, &["r"])?[0]);
    let pool = items(&v)?;
    let r = match r {
        None => pool.len(),
        Some(r) => count_arg(i64::try_from(r).map_err(|_| error("Expected int as r"))?)?,
    };
    fn walk(n: usize, r: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == r {
            out.push(cur.clone());
            return;
        }
        for i in 0..n {
            if !cur.contains(&i) {
                cur.push(i);
                walk(n, r, cur, out);
                cur.pop();
            }
        }
    }
    let mut out = Vec::new();
    if r <= pool.len() {
        walk(pool.len(), r, &mut Vec::new(), &mut out);
    }
    Ok(tuples(out, &pool))
}

/// `compress(selectors)`: the items whose selector is truthy.
pub fn compress(v: Value, selectors: Value) -> Result<Value, Error> {
    let data = items(&v)?;
    let sel = items(&selectors)?;
    Ok(MutList::new_value(
        data.into_iter()
            .zip(sel)
            .filter(|(_, s)| s.is_true())
            .map(|(d, _)| d)
            .collect(),
    ))
}

/// `product(*iterables, repeat=1)`: the cartesian product, last one fastest.
pub fn product(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let repeat: i64 = kwargs.get::<Option<i64>>("repeat")?.unwrap_or(1);
    kwargs.assert_all_used()?;
    let mut pools = vec![items(&v)?];
    for other in rest.iter() {
        pools.push(items(other)?);
    }
    let pools: Vec<Vec<Value>> = (0..count_arg(repeat)
        .map_err(|_| error("repeat argument cannot be negative"))?)
        .flat_map(|_| pools.clone())
        .collect();
    let mut result: Vec<Vec<Value>> = vec![Vec::new()];
    for pool in &pools {
        result = result
            .iter()
            .flat_map(|prefix| {
                pool.iter().map(move |x| {
                    let mut t = prefix.clone();
                    t.push(x.clone());
                    t
                })
            })
            .collect();
    }
    Ok(MutList::new_value(
        result.into_iter().map(PyTuple::new_value).collect(),
    ))
}

/// `zip_longest(*iterables, fillvalue=None)`.
pub fn zip_longest(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let fill: Value = kwargs
        .get::<Option<Value>>("fillvalue")?
        .unwrap_or(Value::from(()));
    kwargs.assert_all_used()?;
    let mut lists = vec![items(&v)?];
    for other in rest.iter() {
        lists.push(items(other)?);
    }
    let longest = lists.iter().map(Vec::len).max().unwrap_or_default();
    Ok(MutList::new_value(
        (0..longest)
            .map(|i| {
                PyTuple::new_value(
                    lists
                        .iter()
                        .map(|l| l.get(i).cloned().unwrap_or_else(|| fill.clone()))
                        .collect(),
                )
            })
            .collect(),
    ))
}

/// `skip`: the empty string, whatever the value.
pub fn skip(_data: Value) -> String {
    String::new()
}

/// `method_call(name, *args, **kwargs)`: `obj.name(...)`, None when the
/// object has no such method.
pub fn method_call(
    state: &mut State,
    obj: Value,
    name: String,
    args: Rest<Value>,
) -> Result<Value, Error> {
    match obj.call_method(state, &name, &args) {
        Err(e) if e.kind() == minijinja::ErrorKind::UnknownMethod => Ok(Value::from(())),
        other => other,
    }
}
