//! halite-render: Salt renderers.
//!
//! * [`yaml`]: Salt's YAML dialect (YAML 1.1 scalars as `SaltYamlSafeLoader` resolves
//!   them) on top of saphyr's raw scalars.
//! * `jinja`: minijinja with Salt's context, filters, tests and tags.
//! * [`render_sls`]: shebang/renderer-pipeline selection and the whole SLS pipeline.
//! * [`compile_template`]: a file or string through its pipe (`slsutil.renderer`).
//! * [`http_query`]: Salt's `salt.utils.http.query` (the `http_query` filter, `http.query`).
//! * [`Renderer`]: the [`halite_api::TemplateRenderer`] used by file.managed & co.

mod compile;
pub mod http_query;
mod http_request;
mod http_url;
mod http_xml;
pub mod jinja;
mod pipeline;
pub mod py;
pub mod pyfmt;
pub mod yaml;

use halite_api::{Ctx, Map, TemplateRenderer, Value};

/// A render failure; `Display` is the message Salt prints for it.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{0}")]
    Yaml(#[from] yaml::YamlError),
    #[error("{0}")]
    Jinja(String),
    #[error("{0}")]
    Unsupported(String),
}

/// Where an SLS (or pillar) file being rendered lives.
#[derive(Debug, Clone)]
pub struct SlsSource {
    /// Dotted SLS name, e.g. `app.web`.
    pub sls: String,
    /// Path relative to the env root, e.g. `app/web/init.sls`.
    pub relpath: String,
    pub saltenv: String,
}

/// Render one SLS file's text through its renderer pipeline (shebang or `renderer`
/// option, default `jinja|yaml`). Returns the resulting data: normally an ordered
/// map; `Value::Null`/empty map when the file renders to nothing.
pub fn render_sls(ctx: &Ctx, text: &str, src: &SlsSource) -> Result<Value, RenderError> {
    pipeline::render_sls(ctx, text, src)
}

pub use compile::{compile_template, sls_vars, Template};

/// The template renderer handed to modules via [`Ctx::templates`].
#[derive(Debug, Default, Clone, Copy)]
pub struct Renderer;

impl TemplateRenderer for Renderer {
    fn render_template(
        &self,
        ctx: &Ctx,
        engine: &str,
        text: &str,
        context: &Map,
        source: &str,
    ) -> Result<String, String> {
        if engine != "jinja" {
            return Err(format!(
                "template engine '{engine}' is not supported by Halite (only jinja)"
            ));
        }
        let mut vars = pipeline::base_context(ctx);
        for (k, v) in context {
            vars.insert(k.clone(), v.clone());
        }
        let name = source.strip_prefix("salt://").unwrap_or(source);
        jinja::render(ctx, name, text, &vars)
    }
}
