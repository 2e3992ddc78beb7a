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

/// The most tuples one filter builds: Python's are lazy iterators, these
/// are lists, so a template cannot ask for an unbounded one.
const MAX_RESULTS: u128 = 1_000_000;

/// Refuse a result of `count` tuples (None: beyond counting) over the cap.
fn check_size(fun: &str, count: Option<u128>) -> Result<(), Error> {
    match count {
        Some(n) if n <= MAX_RESULTS => Ok(()),
        _ => Err(error(format!(
            "{fun}: the result would have more than {MAX_RESULTS} items (Halite builds it as a list)"
        ))),
    }
}

/// `n` choose `k`, None when it overflows.
fn binomial(n: u128, k: u128) -> Option<u128> {
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    (0..k).try_fold(1u128, |acc, i| acc.checked_mul(n - i).map(|x| x / (i + 1)))
}

/// Index tuples of length `r` over `n`, in itertools' order: increasing
/// (`strict`, itertools.combinations) or non-decreasing
/// (combinations_with_replacement); iterative, as CPython's.
fn ordered_indices(n: usize, r: usize, strict: bool) -> Vec<Vec<usize>> {
    if (strict && r > n) || (!strict && n == 0 && r > 0) {
        return Vec::new();
    }
    let mut ix: Vec<usize> = if strict { (0..r).collect() } else { vec![0; r] };
    let mut out = vec![ix.clone()];
    loop {
        let last = |i: usize| if strict { i + n - r } else { n - 1 };
        let Some(i) = (0..r).rev().find(|&i| ix[i] != last(i)) else {
            return out;
        };
        ix[i] += 1;
        for j in i + 1..r {
            ix[j] = if strict { ix[j - 1] + 1 } else { ix[i] };
        }
        out.push(ix.clone());
    }
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
    check_size("combinations", binomial(pool.len() as u128, r as u128))?;
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
    let n = pool.len() as u128;
    let count = if n == 0 {
        Some(u128::from(r == 0))
    } else {
        binomial(n + r as u128 - 1, r as u128)
    };
    check_size("combinations_with_replacement", count)?;
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
    let n = pool.len() as u128;
    let count = (0..r as u128).try_fold(1u128, |acc, i| acc.checked_mul(n.saturating_sub(i)));
    check_size("permutations", count)?;
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
    let repeat = count_arg(repeat).map_err(|_| error("repeat argument cannot be negative"))?;
    let width = (pools.len() as u128).checked_mul(repeat as u128);
    check_size("product", width)?;
    let base = pools
        .iter()
        .try_fold(1u128, |acc, p| acc.checked_mul(p.len() as u128));
    let count = base.and_then(|b| match b {
        0 | 1 => Some(b),
        _ => u32::try_from(repeat).ok().and_then(|r| b.checked_pow(r)),
    });
    check_size("product", count)?;
    let pools: Vec<Vec<Value>> = (0..repeat).flat_map(|_| pools.clone()).collect();
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

#[cfg(test)]
mod tests {
    use super::{binomial, ordered_indices};

    #[test]
    fn indices_in_itertools_order() {
        // itertools.combinations(range(4), 2) / combinations_with_replacement(range(3), 2)
        assert_eq!(
            ordered_indices(4, 2, true),
            [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
        );
        assert_eq!(
            ordered_indices(3, 2, false),
            [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]]
        );
        assert_eq!(ordered_indices(2, 3, true), Vec::<Vec<usize>>::new());
        assert_eq!(ordered_indices(3, 0, true), vec![Vec::<usize>::new()]);
        // r far larger than any recursion could take: one tuple, no stack
        assert_eq!(ordered_indices(1, 100_000, false).len(), 1);
        assert_eq!(binomial(5, 2), Some(10));
        assert_eq!(binomial(1000, 500), None);
    }
}
