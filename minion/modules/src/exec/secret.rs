//! Pillar masking as in Salt 3008's `salt.utils.secret`: at the output boundary
//! of the `pillar` functions every truthy scalar leaf becomes `**********`.
//!
//! Salt decides per call with the `unmask` argument; when it is absent the
//! `mask_pillar` context variable decides, which is `True` except while a
//! template renders (Jinja's `salt['pillar.get']`) or pillar compiles. Halite
//! has no such context variable: the template layer passes
//! [`MASK_PILLAR_KWARG`]`=False` to every `pillar.*` call it makes. (Passing
//! `unmask=True` instead would not be the same: `pillar.items('key')` ignores
//! `unmask` but follows the context variable.)

use halite_api::value::is_truthy;
use halite_api::{ExecCall, Value};

/// What Salt prints instead of a masked value.
pub const REDACT_PLACEHOLDER: &str = "**********";

/// Salt's `_is_redactable_scalar`: a non-empty string, a non-zero number, `True`.
fn is_redactable_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)) && is_truthy(v)
}

/// Salt's `serial`: replace every redactable scalar leaf with the placeholder;
/// keys, `None`, `False`, `0` and `""` stay.
pub fn serial(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), serial(x))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(serial).collect()),
        leaf if is_redactable_scalar(leaf) => Value::String(REDACT_PLACEHOLDER.into()),
        leaf => leaf.clone(),
    }
}

/// The keyword argument standing for Salt's `mask_pillar` context variable.
pub const MASK_PILLAR_KWARG: &str = "__mask_pillar__";

/// Salt's `mask_pillar.get()`: `True` unless a template renders this call.
pub fn mask_pillar(call: &ExecCall<'_>) -> bool {
    call.kwargs.get(MASK_PILLAR_KWARG).is_none_or(is_truthy)
}

/// `unmask` with Salt's usual default: `not mask_pillar.get()`.
pub fn unmask_or_context(call: &ExecCall<'_>) -> bool {
    unmask_arg(call).unwrap_or_else(|| !mask_pillar(call))
}

/// The caller's `unmask` argument (Python truthiness), `None` when absent or null.
pub fn unmask_arg(call: &ExecCall<'_>) -> Option<bool> {
    call.kwargs
        .get("unmask")
        .filter(|v| !v.is_null())
        .map(is_truthy)
}

/// Return `v` as is when `unmask`, else masked.
pub fn reveal_or_mask(v: Value, unmask: bool) -> Value {
    if unmask {
        v
    } else {
        serial(&v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serial_masks_truthy_scalars_only() {
        let v = json!({"s": "pw", "n": 5, "z": 0, "f": 1.5, "f0": 0.0, "t": true, "no": false,
                       "e": "", "null": null, "l": ["a", 1, false, ""], "d": {"x": "y"}});
        let p = REDACT_PLACEHOLDER;
        assert_eq!(
            serial(&v),
            json!({"s": p, "n": p, "z": 0, "f": p, "f0": 0.0, "t": p, "no": false,
                   "e": "", "null": null, "l": [p, p, false, ""], "d": {"x": p}})
        );
    }

    #[test]
    fn reveal_keeps_values() {
        assert_eq!(reveal_or_mask(json!("pw"), true), json!("pw"));
        assert_eq!(
            reveal_or_mask(json!("pw"), false),
            json!(REDACT_PLACEHOLDER)
        );
    }
}
