//! Renderer pipeline selection (shebang or the `renderer` option) and the SLS
//! template context (`sls`, `slspath`, `tpldir`, ...).

use halite_api::{Ctx, Map, Value};

use crate::{jinja, yaml, RenderError, SlsSource};

/// Renderers Salt has that Halite does not implement (they need Python or others).
const UNSUPPORTED: &[&str] = &[
    "pyobjects",
    "pydsl",
    "mako",
    "wempy",
    "cheetah",
    "genshi",
    "gpg",
    "nacl",
    "jsonnet",
    "toml",
    "stateconf",
    "dson",
    "hjson",
    "aws_kms",
    "yamlex",
    "msgpack",
    "pass",
];

/// The pipe for a file: its shebang (first line `#!`, not `#!/`), else `default`.
pub fn pipe_for(text: &str, default: &str) -> Vec<(String, String)> {
    let first = text.lines().next().unwrap_or_default();
    let spec = match first.strip_prefix("#!") {
        Some(rest) if !rest.starts_with('/') => rest.trim().to_string(),
        _ => default.to_string(),
    };
    let spec = legacy_alias(&spec).unwrap_or(spec);
    spec.split('|')
        .map(|part| {
            let part = part.trim();
            match part.split_once(' ') {
                Some((name, args)) => (name.to_string(), args.trim().to_string()),
                None => (part.to_string(), String::new()),
            }
        })
        .filter(|(name, _)| !name.is_empty())
        .collect()
}

/// Old single-word renderer names (`yaml_jinja` → `jinja|yaml`).
fn legacy_alias(spec: &str) -> Option<String> {
    let (data, template) = spec.split_once('_')?;
    if spec.contains('|') || !matches!(template, "jinja" | "mako" | "wempy" | "genshi" | "cheetah")
    {
        return None;
    }
    Some(format!("{template}|{data}"))
}

/// Data flowing through a pipe.
enum Stage {
    Text(String),
    Data(Value),
}

/// Render one SLS file through its pipeline.
pub fn render_sls(ctx: &Ctx, text: &str, src: &SlsSource) -> Result<Value, RenderError> {
    let default = ctx
        .opt("renderer")
        .and_then(Value::as_str)
        .unwrap_or("jinja|yaml")
        .to_string();
    let pipe = pipe_for(text, &default);
    if let Some((name, _)) = pipe.iter().find(|(n, _)| UNSUPPORTED.contains(&n.as_str())) {
        return Err(RenderError::Unsupported(format!(
            "The '{name}' renderer is not supported by Halite (used by {}:{})",
            src.saltenv, src.relpath
        )));
    }
    if pipe.first().is_some_and(|(n, _)| n == "py") {
        return crate::py::render(ctx, text, src);
    }
    let known = ["jinja", "yaml", "json", "text"];
    if pipe.iter().any(|(n, _)| !known.contains(&n.as_str())) {
        tracing::error!(
            "unknown renderer in pipe for {}; the file renders to nothing",
            src.relpath
        );
        return Ok(Value::Null);
    }
    let mut stage = Stage::Text(text.to_string());
    for (name, args) in &pipe {
        stage = apply(ctx, src, name, args, stage)?;
    }
    Ok(match stage {
        Stage::Data(v) => v,
        Stage::Text(t) if t.trim().is_empty() => Value::Null,
        Stage::Text(t) => Value::String(t),
    })
}

fn apply(
    ctx: &Ctx,
    src: &SlsSource,
    name: &str,
    args: &str,
    stage: Stage,
) -> Result<Stage, RenderError> {
    let text = match stage {
        Stage::Text(t) => t,
        Stage::Data(v) => return Ok(Stage::Data(v)),
    };
    match name {
        "jinja" => {
            if !args.is_empty() && args != "-s" {
                return Err(RenderError::Jinja(format!(
                    "Unknown renderer option: {args}"
                )));
            }
            let vars = sls_context(ctx, src);
            jinja::render(ctx, &src.relpath, &text, &vars)
                .map(Stage::Text)
                .map_err(RenderError::Jinja)
        }
        "yaml" => Ok(Stage::Data(yaml::load(&text)?)),
        "json" => json_render(&text).map(Stage::Data),
        _ => Ok(Stage::Text(text)),
    }
}

/// Salt's JSON renderer: a first line starting with `#!` is dropped.
fn json_render(text: &str) -> Result<Value, RenderError> {
    let body = match text.strip_prefix("#!") {
        Some(_) => text.split_once('\n').map_or("", |(_, rest)| rest),
        None => text,
    };
    if body.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(body).map_err(|e| RenderError::Jinja(format!("Could not parse JSON: {e}")))
}

/// The standard Salt template variables (salt is added by the Jinja layer).
pub fn base_context(ctx: &Ctx) -> Map {
    let mut vars = Map::new();
    vars.insert("grains".into(), (*ctx.grains).clone());
    vars.insert("pillar".into(), (*ctx.pillar).clone());
    vars.insert("opts".into(), Value::Object((*ctx.opts).clone()));
    vars.insert("saltenv".into(), Value::String(ctx.saltenv.clone()));
    vars
}

/// Context of an SLS file (state-engine.md §2.4).
pub fn sls_context(ctx: &Ctx, src: &SlsSource) -> Map {
    let mut vars = base_context(ctx);
    let slspath = src
        .relpath
        .rsplit_once('/')
        .map_or("", |(dir, _)| dir)
        .to_string();
    let tpldir = if slspath.is_empty() {
        ".".to_string()
    } else {
        slspath.clone()
    };
    let tplpath = ctx
        .files
        .cache_file(&src.relpath, &src.saltenv)
        .ok()
        .flatten()
        .map_or_else(|| src.relpath.clone(), |p| p.display().to_string());
    let s = |v: String| Value::String(v);
    vars.insert("saltenv".into(), s(src.saltenv.clone()));
    vars.insert("sls".into(), s(src.sls.clone()));
    vars.insert("slspath".into(), s(slspath.clone()));
    vars.insert("sls_path".into(), s(slspath.replace('/', "_")));
    vars.insert("slsdotpath".into(), s(slspath.replace('/', ".")));
    vars.insert("slscolonpath".into(), s(slspath.replace('/', ":")));
    vars.insert("tpldir".into(), s(tpldir));
    vars.insert("tplfile".into(), s(src.relpath.clone()));
    vars.insert("tpldot".into(), s(slspath.replace('/', ".")));
    vars.insert("tplpath".into(), s(tplpath));
    vars.insert("proxy".into(), Value::Object(Map::new()));
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_selection() {
        assert_eq!(
            pipe_for("#!yaml\na: 1", "jinja|yaml"),
            vec![("yaml".to_string(), String::new())]
        );
        assert_eq!(pipe_for("#!/bin/sh\n", "jinja|yaml").len(), 2);
        assert_eq!(
            pipe_for("#!jinja -s|json\n", "x")[0],
            ("jinja".to_string(), "-s".to_string())
        );
        assert_eq!(pipe_for("#!yaml_jinja\n", "x")[0].0, "jinja");
    }
}
