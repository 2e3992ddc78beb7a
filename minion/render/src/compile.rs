//! Salt's `salt.template.compile_template` for callers outside the SLS
//! compiler (`slsutil.renderer`): a file or a string through the renderer
//! pipe of its shebang (else the default), Jinja seeing Salt's standard
//! context, the caller's variables and `generate_sls_context`'s.

use halite_api::{Ctx, Map, Value};

use crate::pipeline::{self, PipeInput, Stage};
use crate::{RenderError, SlsSource};

/// What to render.
pub struct Template<'a> {
    pub text: &'a str,
    /// The file the text was read from; `None` for a string (`:string:`).
    pub path: Option<&'a str>,
    /// The pipe when there is no shebang, e.g. `jinja|yaml`.
    pub default: &'a str,
    pub saltenv: &'a str,
    pub sls: &'a str,
    /// The caller's template variables (over the standard ones).
    pub vars: &'a Map,
}

/// Render `t` to data (or text, when the pipe ends in a text renderer).
/// A file that is empty or only whitespace, and a pipe naming a renderer
/// Salt does not have, give `{}` as Salt.
pub fn compile_template(ctx: &Ctx, t: &Template<'_>) -> Result<Value, RenderError> {
    let empty = || Value::Object(Map::new());
    let tmplpath = t.path.unwrap_or(":string:");
    let first_line = match t.path {
        Some(_) if t.text.trim().is_empty() => return Ok(empty()),
        Some(_) => t.text.lines().next(),
        // Salt reads a string's shebang from `input_data.split()[0]`.
        None => t.text.split_whitespace().next(),
    };
    let Some(first_line) = first_line else {
        return Err(RenderError::Jinja(
            "IndexError: list index out of range".into(),
        ));
    };
    let default_pipe = pipeline::pipe_for(first_line, t.default);
    if default_pipe.first().is_some_and(|(n, _)| n == "py") {
        let src = SlsSource {
            sls: t.sls.into(),
            relpath: tmplpath.into(),
            saltenv: t.saltenv.into(),
        };
        return crate::py::render(ctx, t.text, &src);
    }
    let vars = context(ctx, t, tmplpath);
    let input = PipeInput {
        text: t.text,
        first_line,
        default: t.default,
        name: t
            .path
            .map_or(":string:", |p| p.rsplit('/').next().unwrap_or(p)),
        vars: &vars,
    };
    let out = match pipeline::run_pipe(ctx, &input, tmplpath)? {
        None => empty(),
        Some(Stage::Data(v)) => v,
        Some(Stage::Text(s)) => Value::String(s),
    };
    Ok(keep_windows_newlines(t.text, out))
}

/// The Jinja context: Salt's standard variables, the caller's, then the
/// `sls` ones the caller did not set.
fn context(ctx: &Ctx, t: &Template<'_>, tmplpath: &str) -> Map {
    let mut vars = pipeline::base_context(ctx);
    vars.insert("saltenv".into(), Value::String(t.saltenv.into()));
    vars.insert("sls".into(), Value::String(t.sls.into()));
    vars.insert("proxy".into(), Value::Object(Map::new()));
    for (k, v) in t.vars {
        vars.insert(k.clone(), v.clone());
    }
    for (k, v) in sls_vars(tmplpath, t.sls) {
        vars.entry(k).or_insert(v);
    }
    vars
}

/// Salt's `generate_sls_context(tmplpath, sls)`.
pub fn sls_vars(tmplpath: &str, sls: &str) -> Map {
    let s = |v: &str| Value::String(v.to_string());
    let mut out = Map::new();
    let mut slspath = sls.replace('.', "/").trim_end_matches('/').to_string();
    if !tmplpath.is_empty() {
        let template = if sls.is_empty() {
            tmplpath.rsplit('/').next().unwrap_or(tmplpath)
        } else if let Some(cut) = [format!("{slspath}.sls"), format!("{slspath}/init.sls")]
            .iter()
            .find(|end| tmplpath.ends_with(end.as_str()))
        {
            &tmplpath[tmplpath.len() - cut.len()..]
        } else {
            // Not an SLS file: only these three, `tpldir` from the name.
            let parent = sls.rsplit_once('/').map_or(".", |(dir, _)| dir);
            out.insert("tplpath".into(), s(tmplpath));
            out.insert("tplfile".into(), s(sls));
            out.insert(
                "tpldir".into(),
                s(if parent.is_empty() { "/" } else { parent }),
            );
            return out;
        };
        slspath = template.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        let tpldir = if slspath.is_empty() { "." } else { &slspath };
        out.insert("tplpath".into(), s(tmplpath));
        out.insert("tplfile".into(), s(template));
        out.insert("tpldir".into(), s(tpldir));
        out.insert("tpldot".into(), s(&slspath.replace('/', ".")));
    }
    out.insert("slspath".into(), s(&slspath));
    out.insert("slsdotpath".into(), s(&slspath.replace('/', ".")));
    out.insert("slscolonpath".into(), s(&slspath.replace('/', ":")));
    out.insert("sls_path".into(), s(&slspath.replace('/', "_")));
    out
}

/// Salt keeps a template's `\r\n` line ends in a text result.
fn keep_windows_newlines(input: &str, out: Value) -> Value {
    match out {
        Value::String(s) if input.contains("\r\n") && !s.contains("\r\n") => {
            Value::String(s.replace('\n', "\r\n"))
        }
        v => v,
    }
}

#[cfg(test)]
mod tests {
    use super::sls_vars;
    use serde_json::json;

    #[test]
    fn sls_vars_as_salt() {
        assert_eq!(
            serde_json::Value::Object(sls_vars("/c/files/base/maps/map.jinja", "")),
            json!({"tplpath": "/c/files/base/maps/map.jinja", "tplfile": "map.jinja",
                "tpldir": ".", "tpldot": "", "slspath": "", "slsdotpath": "",
                "slscolonpath": "", "sls_path": ""})
        );
        assert_eq!(
            serde_json::Value::Object(sls_vars("/srv/salt/app/web/init.sls", "app.web")),
            json!({"tplpath": "/srv/salt/app/web/init.sls", "tplfile": "app/web/init.sls",
                "tpldir": "app/web", "tpldot": "app.web", "slspath": "app/web",
                "slsdotpath": "app.web", "slscolonpath": "app:web", "sls_path": "app_web"})
        );
        assert_eq!(
            serde_json::Value::Object(sls_vars(":string:", "x.y")),
            json!({"tplpath": ":string:", "tplfile": "x.y", "tpldir": "."})
        );
    }
}
