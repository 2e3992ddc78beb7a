//! High-level runs used by the `state.*` functions: sls, highstate, show_*,
//! single, sls_id — each returning Salt's return value and state retcode.

use halite_api::{Ctx, ExecOutput, Map, Value};

use crate::compile::{self, gen_tag};
use crate::runtime::Runner;
use crate::sls_loader::{Matches, SlsLoader};
use crate::top::{get_top, top_matches};

/// Salt's exit codes for state runs.
pub const EX_OK: i32 = 0;
pub const EX_COMPILER_ERROR: i32 = 1;
pub const EX_STATE_FAILURE: i32 = 2;
pub const EX_PILLAR_FAILURE: i32 = 5;

/// Retcode of a finished run (Salt's `_set_retcode` / `check_result`).
pub fn retcode_of(ret: &Value) -> i32 {
    match ret {
        Value::Array(_) => EX_COMPILER_ERROR,
        Value::Object(m) if m.is_empty() => EX_STATE_FAILURE,
        Value::Object(m) => {
            let failed = m
                .values()
                .any(|r| !r.is_object() || r.get("result") == Some(&Value::Bool(false)));
            if failed {
                EX_STATE_FAILURE
            } else {
                EX_OK
            }
        }
        _ => EX_STATE_FAILURE,
    }
}

/// Wrap a return with its retcode.
pub fn output(ret: Value) -> ExecOutput {
    let retcode = retcode_of(&ret);
    ExecOutput { ret, retcode }
}

/// An error list return (retcode 1).
pub fn errors(errs: Vec<String>) -> ExecOutput {
    ExecOutput {
        ret: Value::from(errs),
        retcode: EX_COMPILER_ERROR,
    }
}

fn append_exclude(high: &mut Map, exclude: &[Value]) {
    if exclude.is_empty() {
        return;
    }
    match high
        .entry("__exclude__")
        .or_insert_with(|| Value::Array(vec![]))
    {
        Value::Array(a) => a.extend(exclude.iter().cloned()),
        slot => *slot = Value::Array(exclude.to_vec()),
    }
}

/// Render the given matches into high data (errors → list return).
pub fn render(ctx: &Ctx, matches: &Matches) -> Result<Map, ExecOutput> {
    let (high, errs) = SlsLoader::new(ctx).render_highstate(matches);
    if errs.is_empty() {
        Ok(high)
    } else {
        Err(errors(errs))
    }
}

/// Compile and execute high data (Salt's `call_high`).
pub fn call_high(ctx: &Ctx, high: Map) -> ExecOutput {
    match compile::compile(high, &ctx.registry) {
        Err(errs) => errors(errs),
        Ok(compiled) => output(Value::Object(Runner::run(ctx.clone(), compiled))),
    }
}

/// `state.sls`: render the named SLS in one saltenv and run them.
pub fn run_sls(ctx: &Ctx, mods: Vec<String>, exclude: &[Value]) -> ExecOutput {
    let matches = vec![(ctx.saltenv.clone(), mods)];
    let mut high = match render(ctx, &matches) {
        Ok(h) => h,
        Err(e) => return e,
    };
    append_exclude(&mut high, exclude);
    call_high(ctx, high)
}

fn no_states(comment: &str) -> ExecOutput {
    let mut m = Map::new();
    m.insert("result".into(), false.into());
    m.insert("comment".into(), comment.into());
    m.insert("name".into(), "No States".into());
    m.insert("changes".into(), Value::Object(Map::new()));
    m.insert("__run_num__".into(), 0.into());
    let mut ret = Map::new();
    ret.insert("no_|-states_|-states_|-None".into(), Value::Object(m));
    output(Value::Object(ret))
}

/// The top-file matches for this minion.
pub fn highstate_matches(ctx: &Ctx, topfn: &str, saltenv: Option<&str>) -> Result<Matches, String> {
    let top = get_top(ctx, ctx.files.as_ref(), topfn, saltenv)?;
    Ok(top_matches(ctx, &ctx.pillar, &top, saltenv))
}

/// `state.highstate` / `state.top`: run everything the top file assigns.
pub fn run_highstate(
    ctx: &Ctx,
    topfn: &str,
    saltenv: Option<&str>,
    exclude: &[Value],
) -> ExecOutput {
    let matches = match highstate_matches(ctx, topfn, saltenv) {
        Ok(m) => m,
        Err(e) => return no_states(&format!("Unable to render top file: {e}")),
    };
    if matches.is_empty() {
        return no_states(
            "No Top file or master_tops data matches found. Please see master log for details.",
        );
    }
    let mut high = match render(ctx, &matches) {
        Ok(h) => h,
        Err(e) => return e,
    };
    append_exclude(&mut high, exclude);
    if high.is_empty() {
        return no_states("No states found for this minion");
    }
    call_high(ctx, high)
}

/// High data as rendered, checked by `verify_high` (`state.show_sls`):
/// Salt reconciles `extend`, `exclude` and `require_in`/`watch_in` only
/// when it compiles low data, so they show as written.
pub fn show_high(ctx: &Ctx, matches: &Matches) -> ExecOutput {
    let high = match render(ctx, matches) {
        Ok(h) => h,
        Err(e) => return e,
    };
    let errs = compile::verify::verify_high(&high);
    if !errs.is_empty() {
        return errors(errs);
    }
    ExecOutput {
        ret: Value::Object(high),
        retcode: EX_OK,
    }
}

/// Ordered low chunks (`state.show_low_sls` / `state.show_lowstate`).
pub fn show_low(ctx: &Ctx, matches: &Matches, exclude: &[Value]) -> ExecOutput {
    let mut high = match render(ctx, matches) {
        Ok(h) => h,
        Err(e) => return e,
    };
    append_exclude(&mut high, exclude);
    match compile::compile(high, &ctx.registry) {
        Err(errs) => errors(errs),
        Ok(c) => {
            let mut seen = Vec::new();
            let mut out = Vec::new();
            for idx in c.order {
                if !seen.contains(&idx) {
                    seen.push(idx);
                    out.push(Value::Object(c.graph.chunks[idx].clone()));
                }
            }
            ExecOutput {
                ret: Value::Array(out),
                retcode: EX_OK,
            }
        }
    }
}

/// `state.single`: one state function call built from the arguments.
pub fn run_single(ctx: &Ctx, fun: &str, name: &str, kwargs: &Map) -> ExecOutput {
    let Some((module, f)) = fun.split_once('.') else {
        return errors(vec![format!("Invalid function passed: {fun}")]);
    };
    let mut low = kwargs.clone();
    low.insert("state".into(), module.into());
    low.insert("fun".into(), f.into());
    low.insert("__id__".into(), name.into());
    low.insert("name".into(), name.into());
    let mut graph = compile::DepGraph::default();
    let idx = graph.add_chunk(low);
    let compiled = compile::Compiled {
        graph,
        order: vec![idx],
    };
    output(Value::Object(Runner::run(ctx.clone(), compiled)))
}

/// `state.sls_id`: run only the chunks of one ID from the named SLS.
pub fn run_sls_id(ctx: &Ctx, id: &str, mods: Vec<String>) -> ExecOutput {
    let joined = mods.join(",");
    let matches = vec![(ctx.saltenv.clone(), mods)];
    let mut high = match render(ctx, &matches) {
        Ok(h) => h,
        Err(e) => return e,
    };
    if let Err(errs) = compile::prepare_high(&mut high) {
        return errors(errs);
    }
    let compiled = match compile::compile_low(high, &ctx.registry) {
        Ok(c) => c,
        Err(errs) => return errors(errs),
    };
    let mut graph = compile::DepGraph::default();
    let mut order = Vec::new();
    for idx in compiled.order {
        let chunk = &compiled.graph.chunks[idx];
        if chunk.get("__id__").and_then(Value::as_str) == Some(id)
            && !order
                .iter()
                .any(|i: &usize| gen_tag(&graph.chunks[*i]) == gen_tag(chunk))
        {
            let mut c = chunk.clone();
            c.shift_remove("__prereq__");
            order.push(graph.add_chunk(c));
        }
    }
    if order.is_empty() {
        return errors(vec![format!(
            "No matches for ID '{id}' found in SLS '{joined}' within saltenv '{}'",
            ctx.saltenv
        )]);
    }
    output(Value::Object(Runner::run(
        ctx.clone(),
        compile::Compiled { graph, order },
    )))
}
