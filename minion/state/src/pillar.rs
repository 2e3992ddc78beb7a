//! Local (masterless) pillar: `pillar_roots` top file, pillar SLS rendering with
//! includes, recursive merging, and the CLI `pillar=` override.

use std::sync::Arc;

use halite_api::value::merge_into;
use halite_api::{Ctx, FileClient, Map, Value};
use halite_render::SlsSource;

use crate::files::{find_sls, LocalFileClient};
use crate::sls_loader::resolve_relative;
use crate::top::{get_top, top_matches};

/// Pillar render errors (the messages Salt puts in `_errors`).
pub type PillarErrors = Vec<String>;

struct PillarBuilder<'a> {
    ctx: Ctx,
    client: &'a dyn FileClient,
    errors: PillarErrors,
    rendered: Vec<String>,
}

impl PillarBuilder<'_> {
    fn render(&mut self, sls: &str, env: &str, pillar: &Value) -> Option<Value> {
        let key = format!("{env}:{sls}");
        if self.rendered.contains(&key) {
            return None;
        }
        self.rendered.push(key);
        let Some((relpath, path)) = find_sls(self.client, sls, env) else {
            self.errors.push(format!(
                "Specified SLS '{sls}' in environment '{env}' is not available on the salt master"
            ));
            return None;
        };
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut ctx = self.ctx.clone();
        ctx.saltenv = env.to_string();
        ctx.pillar = Arc::new(pillar.clone());
        let src = SlsSource {
            sls: sls.to_string(),
            relpath: relpath.clone(),
            saltenv: env.to_string(),
        };
        let data = match halite_render::render_sls(&ctx, &text, &src) {
            Ok(v) => v,
            Err(e) => {
                tracing::error!("pillar SLS '{sls}' failed to render: {e}");
                self.errors.push(format!(
                    "Rendering SLS '{sls}' failed. Please see master log for details."
                ));
                return None;
            }
        };
        let Value::Object(mut state) = data else {
            return Some(Value::Object(Map::new()));
        };
        let include = state.shift_remove("include");
        let mut out = Value::Object(state);
        let is_init = relpath.ends_with("init.sls");
        for inc in include
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
        {
            let name = match &inc {
                Value::Object(m) => m.keys().next().cloned().unwrap_or_default(),
                other => crate::py::py_str(other),
            };
            let Ok(name) = resolve_relative(&name, sls, is_init) else {
                continue;
            };
            if let Some(sub) = self.render(&name, env, pillar) {
                merge_into(&mut out, &sub);
            }
        }
        Some(out)
    }
}

/// Compile the pillar from `pillar_roots` (via `client`); `matching_pillar` is
/// what pillar-top `I@`/`pillar` matchers see. Errors abort (Salt's `_errors`).
pub fn compile_pillar(
    ctx: &Ctx,
    client: &dyn FileClient,
    matching_pillar: &Value,
    pillarenv: Option<&str>,
) -> Result<Value, PillarErrors> {
    let mut top_ctx = ctx.clone();
    top_ctx.pillar = Arc::new(matching_pillar.clone());
    top_ctx.files = Arc::new(LocalFileClient::for_pillar_roots(&ctx.opts));
    let top = get_top(&top_ctx, client, "top.sls", pillarenv).map_err(|e| vec![e])?;
    let matches = top_matches(&top_ctx, matching_pillar, &top, pillarenv);
    let mut builder = PillarBuilder {
        ctx: top_ctx,
        client,
        errors: Vec::new(),
        rendered: Vec::new(),
    };
    let mut pillar = Value::Object(Map::new());
    for (env, names) in &matches {
        for sls in names {
            if let Some(data) = builder.render(sls, env, &pillar.clone()) {
                merge_into(&mut pillar, &data);
            }
        }
    }
    if builder.errors.is_empty() {
        Ok(pillar)
    } else {
        Err(builder.errors)
    }
}

/// Deep-merge the CLI `pillar=` override over a compiled pillar (dicts merge, the rest replaces).
pub fn apply_override(pillar: &Value, override_: Option<&Value>) -> Value {
    let mut out = pillar.clone();
    if !out.is_object() {
        out = Value::Object(Map::new());
    }
    if let Some(o) = override_ {
        merge_into(&mut out, o);
    }
    out
}
