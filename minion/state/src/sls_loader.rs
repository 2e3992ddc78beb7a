//! Rendering SLS files into high data: includes (relative, saltenv dict form,
//! globs, render-once), `extend`/`exclude` collection, short forms, and the
//! `state_auto_order` numbering (Salt's `render_state`/`render_highstate`).

use std::collections::{HashMap, HashSet};

use halite_api::{Ctx, Map, Value};
use halite_render::SlsSource;

use crate::files::{find_sls, list_states};
use crate::py::fnmatch;

/// SLS names to render per saltenv, in order (top-file matches or CLI names).
pub type Matches = Vec<(String, Vec<String>)>;

/// Renders SLS files for one run; keeps the auto-order counter and the set of
/// already rendered `env:sls`.
pub struct SlsLoader<'a> {
    ctx: &'a Ctx,
    avail: HashMap<String, Vec<String>>,
    iorder: i64,
    mods: HashSet<String>,
    auto_order: bool,
}

impl<'a> SlsLoader<'a> {
    pub fn new(ctx: &'a Ctx) -> Self {
        let mut avail = HashMap::new();
        for env in ctx.files.envs().unwrap_or_default() {
            let states = list_states(ctx.files.as_ref(), &env);
            avail.insert(env, states);
        }
        let auto_order = ctx
            .opt("state_auto_order")
            .map(halite_api::module::value_to_bool)
            .unwrap_or(true);
        SlsLoader {
            ctx,
            avail,
            iorder: 10000,
            mods: HashSet::new(),
            auto_order,
        }
    }

    /// Render every matched SLS into one high data map (Salt's `render_highstate`).
    pub fn render_highstate(&mut self, matches: &Matches) -> (Map, Vec<String>) {
        let mut high = Map::new();
        let mut all_errors = Vec::new();
        let match_envs: Vec<String> = matches.iter().map(|(e, _)| e.clone()).collect();
        for (saltenv, states) in matches {
            for sls_match in states {
                let mut statefiles: Vec<String> = match self.avail.get(saltenv) {
                    Some(av) => av
                        .iter()
                        .filter(|s| fnmatch(s, sls_match))
                        .cloned()
                        .collect(),
                    None => {
                        all_errors.push(format!(
                            "No matching salt environment for environment '{saltenv}' found"
                        ));
                        Vec::new()
                    }
                };
                if statefiles.is_empty() {
                    statefiles.push(sls_match.clone());
                }
                for sls in statefiles {
                    if self.mods.contains(&format!("{saltenv}:{sls}")) {
                        continue;
                    }
                    let (state, mut errors) = self.render_state(&sls, saltenv, &match_envs);
                    if !state.is_empty() {
                        merge_included_states(&mut high, state, &mut errors);
                    }
                    let this_sls = format!("SLS {sls_match} in saltenv");
                    for e in errors.iter_mut() {
                        if e.contains("is not available") && e.contains(&this_sls) {
                            *e = format!(
                                "No matching sls found for '{sls_match}' in env '{saltenv}'"
                            );
                        }
                    }
                    all_errors.extend(errors);
                }
            }
        }
        clean_duplicate_extends(&mut high);
        (high, all_errors)
    }

    fn render_text(
        &self,
        sls: &str,
        saltenv: &str,
        relpath: &str,
        text: &str,
    ) -> Result<Value, String> {
        let mut ctx = self.ctx.clone();
        ctx.saltenv = saltenv.to_string();
        let src = SlsSource {
            sls: sls.to_string(),
            relpath: relpath.to_string(),
            saltenv: saltenv.to_string(),
        };
        let started = std::time::Instant::now();
        let rendered = halite_render::render_sls(&ctx, text, &src)
            .map_err(|e| format!("Rendering SLS '{saltenv}:{sls}' failed: {e}"));
        tracing::debug!(
            "Rendered SLS '{saltenv}:{sls}' from {relpath} in {:.3} ms{}",
            started.elapsed().as_secs_f64() * 1000.0,
            if rendered.is_ok() { "" } else { " (failed)" }
        );
        rendered
    }

    /// Render one SLS and, recursively, its includes (Salt's `render_state`).
    pub fn render_state(
        &mut self,
        sls: &str,
        saltenv: &str,
        matches: &[String],
    ) -> (Map, Vec<String>) {
        let mut errors = Vec::new();
        let Some((relpath, path)) = find_sls(self.ctx.files.as_ref(), sls, saltenv) else {
            errors.push(format!(
                "Specified SLS {sls} in saltenv {saltenv} is not available on the salt master or through a configured fileserver"
            ));
            return (Map::new(), errors);
        };
        let rendered = match std::fs::read(&path) {
            Ok(bytes) => self.render_text(sls, saltenv, &relpath, &String::from_utf8_lossy(&bytes)),
            Err(e) => Err(format!("Rendering SLS '{saltenv}:{sls}' failed: {e}")),
        };
        self.mods.insert(format!("{saltenv}:{sls}"));
        let data = match rendered {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                Value::Null
            }
        };
        if !crate::high::truthy(&data) {
            return (Map::new(), errors);
        }
        let Value::Object(mut state) = data else {
            errors.push(format!("SLS {sls} does not render to a dictionary"));
            return (Map::new(), errors);
        };
        let mut include = Vec::new();
        if let Some(inc) = state.get("include") {
            match inc {
                Value::Array(a) => {
                    include = a.clone();
                    state.shift_remove("include");
                }
                _ => errors.push(format!(
                    "Include Declaration in SLS {sls} is not formed as a list"
                )),
            }
        }
        crate::high::handle_extend(&mut state, sls, saltenv, &mut errors);
        crate::high::handle_exclude(&mut state, sls, &mut errors);
        crate::high::handle_state_decls(&mut state, sls, saltenv, &mut errors);
        let is_init = relpath.ends_with("/init.sls") || relpath == "init.sls";
        for inc in include {
            self.include_one(&mut state, inc, sls, saltenv, is_init, matches, &mut errors);
        }
        self.handle_iorder(&mut state);
        (state, errors)
    }

    #[allow(clippy::too_many_arguments)]
    fn include_one(
        &mut self,
        state: &mut Map,
        inc: Value,
        sls: &str,
        saltenv: &str,
        is_init: bool,
        matches: &[String],
        errors: &mut Vec<String>,
    ) {
        let (env_key, inc_sls) = match inc {
            Value::Object(m) => match m.into_iter().next_back() {
                Some((k, v)) => (k, crate::py::py_str(&v)),
                None => return,
            },
            other => (saltenv.to_string(), crate::py::py_str(&other)),
        };
        if !self.avail.contains_key(&env_key) {
            errors.push(format!(
                "Nonexistent saltenv '{env_key}' found in include of '{inc_sls}' within SLS '{saltenv}:{sls}'"
            ));
            return;
        }
        let inc_sls = match resolve_relative(&inc_sls, sls, is_init) {
            Ok(s) => s,
            Err(_) => {
                errors.push(format!(
                    "Attempted relative include of '{inc_sls}' within SLS '{saltenv}:{sls}' goes beyond top level package "
                ));
                return;
            }
        };
        let env_avail = self.avail.get(&env_key).cloned().unwrap_or_default();
        let resolved = matches.contains(&env_key) || env_avail.iter().any(|s| fnmatch(s, &inc_sls));
        if !resolved {
            errors.push(format!(
                "Unknown include: Specified SLS {env_key}: {inc_sls} is not available on the salt master in saltenv(s): {env_key} "
            ));
            return;
        }
        let r_env = env_key.clone();
        let cur_avail = self.avail.get(saltenv).cloned().unwrap_or_default();
        let mut targets: Vec<String> = cur_avail
            .into_iter()
            .filter(|s| fnmatch(s, &inc_sls))
            .collect();
        if targets.is_empty() {
            targets.push(inc_sls.clone());
        }
        for target in targets {
            if self.mods.contains(&format!("{r_env}:{target}")) {
                continue;
            }
            let (mut nstate, err) = self.render_state(&target, &r_env, matches);
            if !nstate.is_empty() {
                for (id, body) in nstate.iter_mut() {
                    if id.starts_with("__") {
                        continue;
                    }
                    if let Value::Object(b) = body {
                        let from = b
                            .entry("__sls_included_from__")
                            .or_insert_with(|| Value::Array(vec![]));
                        if let Value::Array(a) = from {
                            a.push(Value::String(sls.to_string()));
                        }
                    }
                }
                merge_included_states(state, nstate, errors);
            }
            errors.extend(err);
        }
    }

    /// Append `{order: N}` to every state declaration without an explicit order.
    fn handle_iorder(&mut self, state: &mut Map) {
        if !self.auto_order {
            return;
        }
        for (_, body) in state.iter_mut() {
            let Value::Object(body) = body else { continue };
            for (s_dec, args) in body.iter_mut() {
                if s_dec.starts_with('_') {
                    continue;
                }
                let Value::Array(args) = args else { continue };
                let found = args.iter().any(|a| {
                    a.as_object()
                        .and_then(|m| m.keys().next())
                        .is_some_and(|k| k == "order")
                });
                if !found {
                    let mut m = Map::new();
                    m.insert("order".into(), Value::from(self.iorder));
                    args.push(Value::Object(m));
                    self.iorder += 1;
                }
            }
        }
    }
}

/// A relative include that climbs above the top of the tree.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("relative include '{0}' goes beyond the top level package")]
pub struct BeyondTop(pub String);

/// Resolve `.x` / `..x` relative to `sls` (a package `init.sls` counts one level deeper).
pub fn resolve_relative(inc: &str, sls: &str, is_init: bool) -> Result<String, BeyondTop> {
    if !inc.starts_with('.') {
        return Ok(inc.to_string());
    }
    let levels = inc.chars().take_while(|c| *c == '.').count();
    let rest = &inc[levels..];
    let mut comps: Vec<&str> = sls.split('.').collect();
    if is_init {
        comps.push("init");
    }
    if levels > comps.len() {
        return Err(BeyondTop(inc.to_string()));
    }
    let mut out: Vec<&str> = comps[..comps.len() - levels].to_vec();
    out.push(rest);
    Ok(out.join("."))
}

/// Merge a rendered SLS into the accumulated high data (Salt's `merge_included_states`).
pub fn merge_included_states(high: &mut Map, mut state: Map, errors: &mut Vec<String>) {
    for key in ["__extend__", "__exclude__"] {
        if let Some(Value::Array(items)) = state.shift_remove(key) {
            let slot = high.entry(key).or_insert_with(|| Value::Array(vec![]));
            if let Value::Array(a) = slot {
                a.extend(items);
            }
        }
    }
    for (id, body) in &state {
        if let Some(existing) = high.get(id) {
            if existing != body {
                let field =
                    |v: &Value, k: &str| v.get(k).map(crate::py::py_str).unwrap_or_default();
                errors.push(format!(
                    "Detected conflicting IDs, SLS IDs need to be globally unique.\n    The conflicting ID is '{id}' and is found in SLS '{}:{}' and SLS '{}:{}'",
                    field(existing, "__env__"),
                    field(existing, "__sls__"),
                    field(body, "__env__"),
                    field(body, "__sls__"),
                ));
            }
        }
    }
    for (id, body) in state {
        high.insert(id, body);
    }
}

fn clean_duplicate_extends(high: &mut Map) {
    let Some(Value::Array(ext)) = high.get("__extend__") else {
        return;
    };
    let mut seen: Vec<(String, Value)> = Vec::new();
    for item in ext {
        if let Value::Object(m) = item {
            for (k, v) in m {
                let pair = (k.clone(), v.clone());
                if !seen.contains(&pair) {
                    seen.push(pair);
                }
            }
        }
    }
    let cleaned = seen
        .into_iter()
        .map(|(k, v)| {
            let mut m = Map::new();
            m.insert(k, v);
            Value::Object(m)
        })
        .collect();
    high.insert("__extend__".into(), Value::Array(cleaned));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_includes() {
        assert_eq!(resolve_relative(".x", "a.b", true).unwrap(), "a.b.x");
        assert_eq!(resolve_relative(".x", "a.b", false).unwrap(), "a.x");
        assert_eq!(resolve_relative("..x", "a.b", false).unwrap(), "x");
        assert!(resolve_relative("...x", "a.b", false).is_err());
        assert_eq!(resolve_relative("plain", "a.b", false).unwrap(), "plain");
    }

    #[test]
    fn conflicting_ids_reported() {
        let mut high: Map =
            serde_json::from_str(r#"{"x": {"__sls__": "a", "__env__": "base", "cmd": ["run"]}}"#)
                .unwrap();
        let state: Map =
            serde_json::from_str(r#"{"x": {"__sls__": "b", "__env__": "base", "cmd": ["run"]}}"#)
                .unwrap();
        let mut errors = vec![];
        merge_included_states(&mut high, state, &mut errors);
        assert_eq!(
            errors,
            vec!["Detected conflicting IDs, SLS IDs need to be globally unique.\n    The conflicting ID is 'x' and is found in SLS 'base:a' and SLS 'base:b'"]
        );
    }
}
