//! Source selection and retrieval for file states: `salt://` URLs through the
//! file client, local paths, lists (first existing wins), templates.

use std::path::Path;

use halite_api::files::parse_salt_url;
use halite_api::{Ctx, Map, StateCall, Value};

/// The saltenv a state runs in (`saltenv` arg, else the run's).
pub fn saltenv(call: &StateCall<'_>) -> String {
    call.get_str("saltenv")
        .unwrap_or_else(|| call.ctx.saltenv.clone())
}

fn source_text(item: &Value) -> Option<String> {
    match item {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => m.keys().next().cloned(),
        _ => None,
    }
}

fn exists(ctx: &Ctx, src: &str, saltenv: &str) -> bool {
    match parse_salt_url(src) {
        Some((path, env)) => matches!(
            ctx.files
                .cache_file(&path, env.as_deref().unwrap_or(saltenv)),
            Ok(Some(_))
        ),
        None => Path::new(src.strip_prefix("file://").unwrap_or(src)).exists(),
    }
}

/// Salt's `file.source_list`: a string is used as is; from a list the first
/// existing source wins.
pub fn pick_source(ctx: &Ctx, source: &Value, saltenv: &str) -> Result<String, String> {
    match source {
        Value::Array(items) => items
            .iter()
            .filter_map(source_text)
            .find(|s| exists(ctx, s, saltenv))
            .ok_or_else(|| "none of the specified sources were found".to_string()),
        other => source_text(other).ok_or_else(|| "Invalid source".to_string()),
    }
}

/// Fetch a source's bytes; the error is the text Salt's `get_managed` gives.
pub fn fetch(ctx: &Ctx, source: &str, saltenv: &str) -> Result<Vec<u8>, String> {
    if let Some((path, env)) = parse_salt_url(source) {
        let env = env.unwrap_or_else(|| saltenv.to_string());
        return match ctx.files.read(&path, &env) {
            Ok(Some(data)) => Ok(data),
            Ok(None) => Err(format!(
                "Source file {source} not found in saltenv '{saltenv}'"
            )),
            Err(e) => Err(e.to_string()),
        };
    }
    let local = source.strip_prefix("file://").unwrap_or(source);
    if local.starts_with('/') {
        return std::fs::read(local)
            .map_err(|_| format!("Local file source {local} does not exist"));
    }
    Err(format!("Unable to verify upstream hash of source file {source}, please set source_hash or set skip_verify to True"))
}

/// Build the template context: Salt's per-file variables, then `defaults`
/// overridden by `context`, then the file's `accumulator` (file.accumulated).
pub fn template_context(
    call: &StateCall<'_>,
    name: &str,
    source: Option<&str>,
    mode: Option<&str>,
) -> Map {
    let mut ctx = Map::new();
    ctx.insert("name".into(), name.into());
    ctx.insert(
        "source".into(),
        source.map(Value::from).unwrap_or(Value::Null),
    );
    ctx.insert(
        "user".into(),
        call.get("user").cloned().unwrap_or(Value::Null),
    );
    ctx.insert(
        "group".into(),
        call.get("group").cloned().unwrap_or(Value::Null),
    );
    ctx.insert("mode".into(), mode.map(Value::from).unwrap_or(Value::Null));
    ctx.insert(
        "attrs".into(),
        call.get("attrs").cloned().unwrap_or(Value::Null),
    );
    ctx.insert("saltenv".into(), saltenv(call).into());
    for key in ["defaults", "context"] {
        for (k, v) in call
            .get(key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            ctx.insert(k.clone(), v.clone());
        }
    }
    if let Some(acc) = super::accumulated::for_file(call.ctx, name) {
        ctx.insert("accumulator".into(), acc);
    }
    ctx
}

/// Render `text` with `engine` through the context's template renderer.
pub fn render(
    call: &StateCall<'_>,
    engine: &str,
    text: &str,
    context: &Map,
    source: &str,
) -> Result<String, String> {
    if !matches!(
        engine,
        "jinja" | "py" | "mako" | "wempy" | "genshi" | "cheetah"
    ) {
        return Err(format!(
            "Specified template format {engine} is not supported"
        ));
    }
    call.ctx
        .templates
        .render_template(call.ctx, engine, text, context, source)
}
