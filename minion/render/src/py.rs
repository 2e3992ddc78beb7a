//! The `#!py` renderer: the SLS file is Python defining `run()`, which returns
//! high data. Halite has no embedded Python, so the file runs in the node's
//! `python3` (option `py_renderer_python`) through the CommandRunner seam, with
//! Salt's dunders `__grains__`, `__pillar__`, `__opts__`, `__sls__`, `__env__` and
//! `__saltenv__` injected as plain data. `__salt__` is present but raises: calling
//! execution modules from Python needs the Python minion.

use halite_api::{CmdSpec, Ctx, Value};
use serde_json::json;

use crate::{RenderError, SlsSource};

const SHIM: &str = r#"
import json, sys
data = json.load(sys.stdin)
class _NoSalt(dict):
    def __getitem__(self, fun):
        raise RuntimeError("__salt__['%s'] is not available to #!py files under Halite" % fun)
g = {"__name__": "halite_py_renderer", "__file__": data["path"],
     "__grains__": data["grains"], "__pillar__": data["pillar"], "__opts__": data["opts"],
     "__sls__": data["sls"], "__env__": data["saltenv"], "__saltenv__": data["saltenv"],
     "__salt__": _NoSalt()}
exec(compile(data["source"], data["path"], "exec"), g)
if "run" not in g:
    raise SystemExit("no run() function defined")
json.dump(g["run"](), sys.stdout)
"#;

/// Render a `#!py` SLS file.
pub fn render(ctx: &Ctx, text: &str, src: &SlsSource) -> Result<Value, RenderError> {
    let python = ctx
        .opt("py_renderer_python")
        .and_then(Value::as_str)
        .unwrap_or("python3");
    let input = json!({
        "path": src.relpath, "source": text, "grains": *ctx.grains, "pillar": *ctx.pillar,
        "opts": *ctx.opts, "sls": src.sls, "saltenv": src.saltenv,
    });
    let mut spec = CmdSpec::argv([python, "-c", SHIM]);
    spec.stdin = Some(input.to_string().into_bytes());
    let out = ctx.runner.run(&spec).map_err(|e| {
        RenderError::Unsupported(format!("the py renderer needs {python} on the node: {e}"))
    })?;
    if out.retcode != 0 {
        let err = out.stderr_text();
        let last = err
            .lines()
            .last()
            .unwrap_or("python exited non-zero")
            .to_string();
        return Err(RenderError::Jinja(format!(
            "Failed to render {}: {last}",
            src.relpath
        )));
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| RenderError::Jinja(format!("{}: run() did not return data: {e}", src.relpath)))
}
