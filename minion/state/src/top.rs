//! Top files: reading `top.sls` per saltenv, the `merge` strategy, and matching
//! targets for this minion (Salt's `get_tops`, `merge_tops`, `top_matches`).

use halite_api::{Ctx, FileClient, Map, Value};
use halite_render::SlsSource;
use halite_target::{matches, MatchContext};

use crate::files::list_states;
use crate::py::py_str;
use crate::sls_loader::Matches;

/// The saltenvs to read top files from: base, then `file_roots` keys, then the client's.
fn envs(ctx: &Ctx, client: &dyn FileClient) -> Vec<String> {
    let mut out = vec!["base".to_string()];
    if let Some(Value::Object(roots)) = ctx.opt("file_roots") {
        out.extend(
            roots
                .keys()
                .filter(|k| !out.contains(k))
                .cloned()
                .collect::<Vec<_>>(),
        );
    }
    for e in client.envs().unwrap_or_default() {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

fn render_top(
    ctx: &Ctx,
    client: &dyn FileClient,
    topfn: &str,
    env: &str,
) -> Result<Option<Map>, String> {
    let Some(bytes) = client.read(topfn, env).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let mut c = ctx.clone();
    c.saltenv = env.to_string();
    let src = SlsSource {
        sls: String::new(),
        relpath: topfn.to_string(),
        saltenv: env.to_string(),
    };
    let v = halite_render::render_sls(&c, &String::from_utf8_lossy(&bytes), &src)
        .map_err(|e| format!("Rendering SLS '{env}:{topfn}' failed: {e}"))?;
    match v {
        Value::Object(m) => Ok(Some(m)),
        _ => Ok(Some(Map::new())),
    }
}

/// Read and merge the top files (`merge` strategy). `saltenv` restricts to one env.
pub fn get_top(
    ctx: &Ctx,
    client: &dyn FileClient,
    topfn: &str,
    saltenv: Option<&str>,
) -> Result<Map, String> {
    let env_list = match saltenv {
        Some(e) => vec![e.to_string()],
        None => envs(ctx, client),
    };
    let mut tops: Vec<(String, Map)> = Vec::new();
    for env in env_list {
        if let Some(t) = render_top(ctx, client, topfn, &env)? {
            tops.push((env, t));
        }
    }
    Ok(merge_tops(tops))
}

/// The default `merge` strategy: base's top file is authoritative; another env's
/// top file only contributes its own section, if base did not define it.
pub fn merge_tops(tops: Vec<(String, Map)>) -> Map {
    let mut top = Map::new();
    let add = |top: &mut Map, env: &str, targets: &Value| {
        let slot = top
            .entry(env.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let (Value::Object(slot), Value::Object(t)) = (slot, targets) {
            for (k, v) in t {
                slot.insert(k.clone(), v.clone());
            }
        }
    };
    for (_, ctop) in tops.iter().filter(|(e, _)| e == "base") {
        for (env, targets) in ctop.iter().filter(|(k, _)| *k != "include") {
            add(&mut top, env, targets);
        }
    }
    for (cenv, ctop) in tops.iter().filter(|(e, _)| e != "base") {
        for (env, targets) in ctop.iter().filter(|(k, _)| *k != "include") {
            if env == cenv && !top.contains_key(env) {
                add(&mut top, env, targets);
            }
        }
    }
    top
}

/// Does this top entry (`target: [match: x, sls...]`) match the minion?
fn confirm_top(mctx: &MatchContext<'_>, target: &str, data: &[Value]) -> bool {
    let mut matcher = "compound".to_string();
    for item in data {
        if let Some(m) = item.get("match") {
            matcher = py_str(m);
        }
    }
    matches(mctx, &Value::String(target.to_string()), &matcher, ":").unwrap_or(false)
}

/// The SLS names each saltenv assigns to this minion.
pub fn top_matches(ctx: &Ctx, pillar: &Value, top: &Map, saltenv: Option<&str>) -> Matches {
    let nodegroups = ctx.opt("nodegroups").and_then(Value::as_object);
    let mctx = MatchContext {
        id: ctx.minion_id(),
        grains: &ctx.grains,
        pillar,
        nodegroups,
    };
    let mut out: Matches = Vec::new();
    let push =
        |out: &mut Matches, env: &str, sls: String| match out.iter_mut().find(|(e, _)| e == env) {
            Some((_, l)) => l.push(sls),
            None => out.push((env.to_string(), vec![sls])),
        };
    let avail_envs = ctx.files.envs().unwrap_or_default();
    for (env, body) in top {
        if saltenv.is_some_and(|s| s != env) {
            continue;
        }
        let Value::Object(body) = body else { continue };
        for (target, data) in body {
            let data = match data {
                Value::String(s) => vec![Value::String(s.clone())],
                Value::Array(a) => a.clone(),
                _ => continue,
            };
            if !confirm_top(&mctx, target, &data) {
                continue;
            }
            if !out.iter().any(|(e, _)| e == env) {
                out.push((env.clone(), Vec::new()));
            }
            for item in data {
                match item {
                    Value::String(s) => push(&mut out, env, s),
                    Value::Object(m) if !m.contains_key("match") => {
                        if let Some((k, v)) = m.iter().next_back() {
                            if avail_envs.contains(k) {
                                push(&mut out, k, py_str(v));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// `state.show_top` data: `{env: [sls, ...]}`.
pub fn matches_to_value(m: &Matches) -> Value {
    Value::Object(
        m.iter()
            .map(|(e, l)| (e.clone(), Value::from(l.clone())))
            .collect(),
    )
}

/// Known SLS names per env (used to validate top entries).
pub fn available(client: &dyn FileClient, env: &str) -> Vec<String> {
    list_states(client, env)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_prefers_base_sections() {
        let base = json!({"base": {"*": ["a"]}, "dev": {"*": ["d1"]}})
            .as_object()
            .cloned()
            .unwrap();
        let dev = json!({"dev": {"*": ["d2"]}, "base": {"x": ["no"]}, "qa": {"*": ["q"]}})
            .as_object()
            .cloned()
            .unwrap();
        let qa = json!({"qa": {"*": ["q"]}}).as_object().cloned().unwrap();
        let top = merge_tops(vec![
            ("base".into(), base),
            ("dev".into(), dev),
            ("qa".into(), qa),
        ]);
        assert_eq!(
            Value::Object(top),
            json!({"base": {"*": ["a"]}, "dev": {"*": ["d1"]}, "qa": {"*": ["q"]}})
        );
    }
}
