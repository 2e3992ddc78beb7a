//! Salt's YAML dialect (see docs/render.md and shared state-engine.md §2.2).
//!
//! Loading composes saphyr-parser events into nodes ([`tree`]), resolves plain
//! scalars with PyYAML's YAML 1.1 rules plus Salt's changes ([`resolve`]) and
//! constructs ordered data ([`construct`]). [`dump`] writes block YAML like
//! PyYAML's `safe_dump(default_flow_style=False)`.

mod construct;
mod dump;
mod errors;
mod resolve;
mod tree;

use halite_api::Value;

pub use dump::{double_quoted_text, dump, dump_flow, dump_scalar, escape_char};
pub use errors::YamlError;

/// Load one YAML document with Salt's scalar resolution (empty text → `Null`).
pub fn load(text: &str) -> Result<Value, YamlError> {
    match tree::compose(text)? {
        None => Ok(Value::Null),
        Some(node) => construct::construct(node),
    }
}

#[cfg(test)]
mod tests;
