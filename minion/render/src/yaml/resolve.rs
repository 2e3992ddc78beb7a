//! YAML 1.1 scalar resolution as PyYAML's SafeLoader does it, with Salt's changes
//! (leading zeros stripped from ints, timestamps kept as strings).

use std::sync::LazyLock;

use regex::Regex;

/// A constructed scalar, before conversion to [`halite_api::Value`].
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
}

/// The implicit tag PyYAML's resolver gives a plain scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implicit {
    Null,
    Bool,
    Int,
    Float,
    Merge,
    Str,
}

static BOOL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")
        .expect("bool regex")
});
static FLOAT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?",
        r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?",
        r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*",
        r"|[-+]?\.(?:inf|Inf|INF)",
        r"|\.(?:nan|NaN|NAN))$"
    ))
    .expect("float regex")
});
static INT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[-+]?0b[0-1_]+",
        r"|[-+]?0[0-7_]+",
        r"|[-+]?(?:0|[1-9][0-9_]*)",
        r"|[-+]?0x[0-9a-fA-F_]+",
        r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"
    ))
    .expect("int regex")
});

/// Resolve a plain, untagged scalar's implicit type (PyYAML resolver order).
pub fn implicit_tag(value: &str) -> Implicit {
    // PyYAML picks its resolvers by the first character: a scalar starting
    // with anything else can only be a string (saves the regex matches).
    if !value.starts_with(|c: char| "yYnNtTfFoO-+0123456789.~<".contains(c)) && !value.is_empty() {
        return Implicit::Str;
    }
    if matches!(value, "" | "~" | "null" | "Null" | "NULL") {
        Implicit::Null
    } else if BOOL_RE.is_match(value) {
        Implicit::Bool
    } else if FLOAT_RE.is_match(value) {
        Implicit::Float
    } else if INT_RE.is_match(value) {
        Implicit::Int
    } else if value == "<<" {
        Implicit::Merge
    } else {
        Implicit::Str
    }
}

/// Resolve and construct a plain untagged scalar.
pub fn plain_scalar(value: &str) -> Scalar {
    let constructed = match implicit_tag(value) {
        Implicit::Null => Some(Scalar::Null),
        Implicit::Bool => Some(construct_bool(value).unwrap_or(Scalar::Str(value.into()))),
        Implicit::Int => construct_int(value),
        Implicit::Float => construct_float(value),
        Implicit::Merge | Implicit::Str => None,
    };
    constructed.unwrap_or_else(|| Scalar::Str(value.to_string()))
}

/// PyYAML `construct_yaml_bool` (value lowercased; `None` when not a bool word).
pub fn construct_bool(value: &str) -> Option<Scalar> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" => Some(Scalar::Bool(true)),
        "no" | "false" | "off" => Some(Scalar::Bool(false)),
        _ => None,
    }
}

/// Salt's `construct_scalar` zero stripping followed by PyYAML `construct_yaml_int`.
pub fn construct_int(raw: &str) -> Option<Scalar> {
    let stripped = salt_strip_zeros(raw);
    let cleaned = stripped.replace('_', "");
    let (sign, digits) = match cleaned.as_bytes().first() {
        Some(b'-') => (-1i128, &cleaned[1..]),
        Some(b'+') => (1, &cleaned[1..]),
        _ => (1, cleaned.as_str()),
    };
    let magnitude = if digits == "0" {
        0
    } else if let Some(bin) = digits.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).ok()?
    } else if let Some(hex) = digits.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix('0') {
        i128::from_str_radix(oct, 8).ok()?
    } else if digits.contains(':') {
        sexagesimal(digits)?
    } else {
        digits.parse::<i128>().ok()?
    };
    Some(Scalar::Int(sign * magnitude))
}

/// Salt: an int text starting with `0` (not `0b`/`0x`, not just `0`) loses its
/// leading zeros, so `0644` reads as decimal 644.
fn salt_strip_zeros(raw: &str) -> String {
    if raw != "0" && raw.starts_with('0') && !raw.starts_with("0b") && !raw.starts_with("0x") {
        let trimmed = raw.trim_start_matches('0');
        if trimmed.is_empty() {
            "0".into()
        } else {
            trimmed.into()
        }
    } else {
        raw.to_string()
    }
}

fn sexagesimal(digits: &str) -> Option<i128> {
    let mut total: i128 = 0;
    for part in digits.split(':') {
        total = total
            .checked_mul(60)?
            .checked_add(part.parse::<i128>().ok()?)?;
    }
    Some(total)
}

/// PyYAML `construct_yaml_float`.
pub fn construct_float(raw: &str) -> Option<Scalar> {
    let cleaned = raw.replace('_', "").to_ascii_lowercase();
    let (sign, body) = match cleaned.as_bytes().first() {
        Some(b'-') => (-1.0f64, &cleaned[1..]),
        Some(b'+') => (1.0, &cleaned[1..]),
        _ => (1.0, cleaned.as_str()),
    };
    let value = if body == ".inf" {
        f64::INFINITY
    } else if body == ".nan" {
        f64::NAN
    } else if body.contains(':') {
        let mut total = 0.0f64;
        for part in body.split(':') {
            total = total * 60.0 + part.parse::<f64>().ok()?;
        }
        total
    } else {
        python_float(body)?
    };
    Some(Scalar::Float(sign * value))
}

/// Python `float()` of a decimal text (accepts `1.`, `.5`, `1.5e+3`).
fn python_float(text: &str) -> Option<f64> {
    let normalized = if text.ends_with('.') {
        format!("{text}0")
    } else {
        text.to_string()
    };
    let normalized = normalized.replacen(".e", ".0e", 1);
    normalized.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implicit_types_follow_yaml_1_1() {
        assert_eq!(implicit_tag("yes"), Implicit::Bool);
        assert_eq!(implicit_tag("y"), Implicit::Str);
        assert_eq!(implicit_tag("1e3"), Implicit::Str);
        assert_eq!(implicit_tag("1.0e+3"), Implicit::Float);
        assert_eq!(implicit_tag("1.0e3"), Implicit::Str);
        assert_eq!(implicit_tag("-.5"), Implicit::Str);
        assert_eq!(implicit_tag("08"), Implicit::Str);
        assert_eq!(implicit_tag("0o17"), Implicit::Str);
        assert_eq!(implicit_tag("1:20"), Implicit::Int);
        assert_eq!(implicit_tag("2024-01-02"), Implicit::Str);
        assert_eq!(implicit_tag("<<"), Implicit::Merge);
    }

    #[test]
    fn ints_strip_leading_zeros_unless_signed() {
        assert_eq!(plain_scalar("0644"), Scalar::Int(644));
        assert_eq!(plain_scalar("-0644"), Scalar::Int(-420));
        assert_eq!(plain_scalar("+0644"), Scalar::Int(420));
        assert_eq!(plain_scalar("00"), Scalar::Int(0));
        assert_eq!(plain_scalar("0_755"), Scalar::Int(755));
        assert_eq!(plain_scalar("0x1F"), Scalar::Int(31));
        assert_eq!(plain_scalar("0x_1F"), Scalar::Int(31));
        assert_eq!(plain_scalar("0b101"), Scalar::Int(5));
        assert_eq!(plain_scalar("1_000"), Scalar::Int(1000));
        assert_eq!(plain_scalar("1:20:30"), Scalar::Int(4830));
    }

    #[test]
    fn floats_and_specials() {
        assert_eq!(plain_scalar("3.10"), Scalar::Float(3.1));
        assert_eq!(plain_scalar("1."), Scalar::Float(1.0));
        assert_eq!(plain_scalar(".5"), Scalar::Float(0.5));
        assert_eq!(plain_scalar("685_230.15"), Scalar::Float(685230.15));
        assert_eq!(plain_scalar("190:20:30.15"), Scalar::Float(685230.15));
        assert_eq!(plain_scalar("6.8523015e+5"), Scalar::Float(685230.15));
        assert_eq!(plain_scalar("-.Inf"), Scalar::Float(f64::NEG_INFINITY));
        assert!(matches!(plain_scalar(".NaN"), Scalar::Float(f) if f.is_nan()));
    }
}
