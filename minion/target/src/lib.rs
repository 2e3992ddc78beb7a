//! halite-target: Salt's targeting, decided on the minion.
//!
//! One [`matches`] entry point for every `tgt_type` a master publishes and every
//! matcher a top file uses (glob, pcre, list, grain, grain_pcre, pillar,
//! pillar_pcre, pillar_exact, ipcidr, compound, nodegroup). Semantics follow
//! `salt/matchers/*.py` of Salt 3008.4; see `docs/targeting.md`.

pub mod compound;
pub mod fnmatch;
pub mod ipcidr;
pub mod nodegroup;
pub mod pyregex;
pub mod pystr;
pub mod subdict;

use halite_api::{Map, Value};

use subdict::{subdict_match, MatchMode};

/// What a minion knows about itself for matching.
#[derive(Debug, Clone, Copy)]
pub struct MatchContext<'a> {
    pub id: &'a str,
    pub grains: &'a Value,
    pub pillar: &'a Value,
    /// Configured nodegroups (`nodegroups` option), used by `N@` in compounds.
    pub nodegroups: Option<&'a Map>,
}

/// An invalid target expression (the minion logs it and does not match).
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("invalid {tgt_type} target '{target}': {reason}")]
pub struct TargetError {
    pub tgt_type: String,
    pub target: String,
    pub reason: String,
}

/// Does this minion match `tgt` (a string, or a list for `list`) of type `tgt_type`?
/// `delimiter` is the `:` used by grain/pillar matchers.
pub fn matches(
    ctx: &MatchContext<'_>,
    tgt: &Value,
    tgt_type: &str,
    delimiter: &str,
) -> Result<bool, TargetError> {
    dispatch(ctx, tgt, tgt_type, delimiter)
}

fn invalid(tgt_type: &str, tgt: &Value, reason: impl Into<String>) -> TargetError {
    let target = tgt
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| tgt.to_string());
    TargetError {
        tgt_type: tgt_type.into(),
        target,
        reason: reason.into(),
    }
}

pub(crate) fn dispatch(
    ctx: &MatchContext<'_>,
    tgt: &Value,
    tgt_type: &str,
    delimiter: &str,
) -> Result<bool, TargetError> {
    match tgt_type {
        "glob" => Ok(glob_match(ctx.id, tgt)),
        "pcre" => pcre_match(ctx.id, tgt),
        "list" => Ok(list_match(ctx.id, tgt)),
        "grain" => data_match(ctx.grains, tgt, tgt_type, delimiter, MatchMode::Glob),
        "grain_pcre" => data_match(ctx.grains, tgt, tgt_type, delimiter, MatchMode::Regex),
        "pillar" => data_match(ctx.pillar, tgt, tgt_type, delimiter, MatchMode::Glob),
        "pillar_pcre" => data_match(ctx.pillar, tgt, tgt_type, delimiter, MatchMode::Regex),
        "pillar_exact" => data_match(ctx.pillar, tgt, tgt_type, delimiter, MatchMode::Exact),
        "ipcidr" => ipcidr_match(ctx.grains, tgt),
        "compound" => compound::compound_match(ctx, tgt),
        "nodegroup" => nodegroup_match(ctx, tgt),
        other => Err(invalid(other, tgt, "unknown target type")),
    }
}

/// `glob`: `fnmatch(id, tgt)`; a non-string target never matches.
pub(crate) fn glob_match(id: &str, tgt: &Value) -> bool {
    tgt.as_str()
        .is_some_and(|pattern| fnmatch::fnmatch(id, pattern))
}

/// `pcre`: `re.match(tgt, id)`, anchored at the start only.
fn pcre_match(id: &str, tgt: &Value) -> Result<bool, TargetError> {
    let pattern = tgt
        .as_str()
        .ok_or_else(|| invalid("pcre", tgt, "the target must be a string"))?;
    pyregex::re_match(pattern, id).map_err(|e| invalid("pcre", tgt, e))
}

/// `list`: membership in a list, or in a comma-separated string.
fn list_match(id: &str, tgt: &Value) -> bool {
    match tgt {
        Value::String(s) => {
            s.contains(&format!(",{id},"))
                || s.starts_with(&format!("{id},"))
                || s.ends_with(&format!(",{id}"))
                || s == id
        }
        Value::Array(items) => items.iter().any(|item| item.as_str() == Some(id)),
        _ => false,
    }
}

/// grain/pillar family: `subdict_match` against `data`; no delimiter → no match.
fn data_match(
    data: &Value,
    tgt: &Value,
    tgt_type: &str,
    delimiter: &str,
    mode: MatchMode,
) -> Result<bool, TargetError> {
    let Some(expr) = tgt.as_str() else {
        return Ok(false);
    };
    if delimiter.is_empty() || !expr.contains(delimiter) {
        return Ok(false);
    }
    subdict_match(data, expr, delimiter, mode).map_err(|e| invalid(tgt_type, tgt, e))
}

/// `ipcidr`: an invalid address/network is an error (Salt logs it, no match).
fn ipcidr_match(grains: &Value, tgt: &Value) -> Result<bool, TargetError> {
    let text = tgt
        .as_str()
        .ok_or_else(|| invalid("ipcidr", tgt, "the target must be a string"))?;
    let target = ipcidr::parse_target(text).map_err(|e| invalid("ipcidr", tgt, e))?;
    Ok(ipcidr::matches(&target, grains))
}

/// `nodegroup`: a group name from `nodegroups` is expanded and matched as a compound.
/// A target that is not a known group name but is already an expanded compound
/// (a list of words, or a string with spaces or `X@` terms) is matched as a compound.
fn nodegroup_match(ctx: &MatchContext<'_>, tgt: &Value) -> Result<bool, TargetError> {
    if let Some(name) = tgt.as_str() {
        if let Some(groups) = ctx.nodegroups.filter(|g| g.contains_key(name)) {
            let words = nodegroup::nodegroup_comp(name, groups);
            let words = Value::Array(words.into_iter().map(Value::String).collect());
            return compound::compound_match(ctx, &words);
        }
        if !looks_like_compound(name) {
            return Ok(false);
        }
    }
    compound::compound_match(ctx, tgt)
}

fn looks_like_compound(text: &str) -> bool {
    text.split_whitespace().count() > 1 || compound::parse_word(text).engine.is_some()
}

#[cfg(test)]
mod tests;
