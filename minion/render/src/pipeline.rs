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
pub(crate) enum Stage {
    Text(String),
    Data(Value),
}

/// One pipe's input: the text, the line its shebang is read from, where it
/// came from (for messages) and what Jinja sees.
pub(crate) struct PipeInput<'a> {
    pub text: &'a str,
    pub first_line: &'a str,
    pub default: &'a str,
    pub name: &'a str,
    pub vars: &'a Map,
}

/// Render one SLS file through its pipeline.
pub fn render_sls(ctx: &Ctx, text: &str, src: &SlsSource) -> Result<Value, RenderError> {
    let default = ctx
        .opt("renderer")
        .and_then(Value::as_str)
        .unwrap_or("jinja|yaml")
        .to_string();
    let used_by = format!("{}:{}", src.saltenv, src.relpath);
    let pipe = pipe_for(text, &default);
    refuse_unsupported(&pipe, &used_by)?;
    if pipe.first().is_some_and(|(n, _)| n == "py") {
        return crate::py::render(ctx, text, src);
    }
    let vars = sls_context(ctx, src);
    let input = PipeInput {
        text,
        first_line: text.lines().next().unwrap_or_default(),
        default: &default,
        name: &src.relpath,
        vars: &vars,
    };
    Ok(match run_pipe(ctx, &input, &used_by)? {
        None => Value::Null,
        Some(Stage::Data(v)) => v,
        Some(Stage::Text(t)) if t.trim().is_empty() => Value::Null,
        Some(Stage::Text(t)) => Value::String(t),
    })
}

/// Salt's renderers that Halite does not have fail the render, naming it.
fn refuse_unsupported(pipe: &[(String, String)], used_by: &str) -> Result<(), RenderError> {
    match pipe.iter().find(|(n, _)| UNSUPPORTED.contains(&n.as_str())) {
        Some((name, _)) => Err(RenderError::Unsupported(format!(
            "The '{name}' renderer is not supported by Halite (used by {used_by})"
        ))),
        None => Ok(()),
    }
}

/// Run the text through the pipe of its shebang (else the default):
/// `None` when the pipe names a renderer Halite does not know.
pub(crate) fn run_pipe(
    ctx: &Ctx,
    input: &PipeInput<'_>,
    used_by: &str,
) -> Result<Option<Stage>, RenderError> {
    let pipe = pipe_for(input.first_line, input.default);
    refuse_unsupported(&pipe, used_by)?;
    let known = ["jinja", "yaml", "json", "text"];
    if pipe.iter().any(|(n, _)| !known.contains(&n.as_str())) {
        tracing::error!("unknown renderer in pipe for {used_by}; the file renders to nothing");
        return Ok(None);
    }
    let mut stage = Stage::Text(input.text.to_string());
    for (name, args) in &pipe {
        stage = apply(ctx, input, name, args, stage)?;
    }
    Ok(Some(stage))
}

fn apply(
    ctx: &Ctx,
    input: &PipeInput<'_>,
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
            jinja::render(ctx, input.name, &text, input.vars)
                .map(Stage::Text)
                .map_err(RenderError::Jinja)
        }
        "yaml" => Ok(Stage::Data(yaml_render(&text)?)),
        "json" => json_render(&text).map(Stage::Data),
        _ => Ok(Stage::Text(text)),
    }
}

/// Salt's YAML renderer: data that is false in Python becomes `{}`.
fn yaml_render(text: &str) -> Result<Value, RenderError> {
    let data = yaml::load(text)?;
    Ok(if halite_api::value::is_truthy(&data) {
        data
    } else {
        Value::Object(Map::new())
    })
}

/// Salt's JSON renderer: a first line starting with `#!` is dropped, an
/// empty document is `{}`.
fn json_render(text: &str) -> Result<Value, RenderError> {
    let body = match text.strip_prefix("#!") {
        Some(_) => text.split_once('\n').map_or("", |(_, rest)| rest),
        None => text,
    };
    if body.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
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
