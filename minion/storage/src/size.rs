//! Sizes as container-storage-setup accepts them: lvcreate's `-L` syntax
//! (`NNN[bBsSkKmMgGtTpPeE][i][bB]`, a bare number is MiB) or `N%FREE` /
//! `N%VG` (passed to `lvcreate -l` unchanged, resolved here only to check
//! MIN_DATA_SIZE and to show the plan).

use std::fmt;

/// A size setting, kept as written so the command line matches c-s-s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Size {
    /// `-L` form, with its value in bytes.
    Absolute { raw: String, bytes: u64 },
    /// `-l N%FREE` or `-l N%VG`.
    Percent {
        raw: String,
        percent: u64,
        of: PercentOf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PercentOf {
    Free,
    Vg,
}

/// Why a size setting was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a size: {why}")]
pub struct SizeError {
    pub value: String,
    pub why: &'static str,
}

impl Size {
    /// Parse `-L` syntax or a percentage (`allow_percent`).
    pub fn parse(value: &str, allow_percent: bool) -> Result<Size, SizeError> {
        let err = |why| SizeError {
            value: value.to_string(),
            why,
        };
        let v = value.trim();
        if v.is_empty() {
            return Err(err("it is empty"));
        }
        if let Some(pct) = v.strip_suffix("%FREE").or_else(|| v.strip_suffix("%VG")) {
            if !allow_percent {
                return Err(err(
                    "a percentage is not allowed here; use a size such as 2G",
                ));
            }
            let percent: u64 =
                parse_digits(pct).ok_or_else(|| err("the percentage must be a whole number"))?;
            if percent == 0 || percent > 100 {
                return Err(err("the percentage must be between 1 and 100"));
            }
            let of = if v.ends_with("%FREE") {
                PercentOf::Free
            } else {
                PercentOf::Vg
            };
            return Ok(Size::Percent {
                raw: v.to_string(),
                percent,
                of,
            });
        }
        if v.contains('%') {
            return Err(err("only N%FREE and N%VG percentages are supported"));
        }
        if v.starts_with(|c: char| c.is_ascii_digit())
            && absolute_bytes(v).is_none()
            && absolute_bytes(&format!(
                "1{}",
                v.trim_start_matches(|c: char| c.is_ascii_digit())
            ))
            .is_some()
        {
            return Err(err("it is too large to handle"));
        }
        let bytes = absolute_bytes(v).ok_or_else(|| {
            err("expected a number with an optional unit (b, s, k, m, g, t, p, e), e.g. 40G")
        })?;
        Ok(Size::Absolute {
            raw: v.to_string(),
            bytes,
        })
    }

    /// The lvcreate arguments: `-L RAW` or `-l RAW`.
    pub fn lvcreate_args(&self) -> [String; 2] {
        match self {
            Size::Absolute { raw, .. } => ["-L".into(), raw.clone()],
            Size::Percent { raw, .. } => ["-l".into(), raw.clone()],
        }
    }

    /// Bytes this size asks for in a VG with `vg_size` and `vg_free`.
    pub fn resolve(&self, vg_size: u64, vg_free: u64) -> u64 {
        match self {
            Size::Absolute { bytes, .. } => *bytes,
            Size::Percent { percent, of, .. } => {
                let base = match of {
                    PercentOf::Free => vg_free,
                    PercentOf::Vg => vg_size,
                };
                (u128::from(*percent) * u128::from(base) / 100) as u64
            }
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Size::Absolute { raw, .. } | Size::Percent { raw, .. } => f.write_str(raw),
        }
    }
}

fn parse_digits(s: &str) -> Option<u64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `-L` syntax to bytes (c-s-s `convert_size_in_bytes`, overflow rejected).
fn absolute_bytes(v: &str) -> Option<u64> {
    if let Some(n) = parse_digits(v) {
        return n.checked_mul(1 << 20);
    }
    let digits_end = v.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = v.split_at(digits_end);
    let n = parse_digits(num)?;
    let mut chars = unit.chars();
    let u = chars.next()?.to_ascii_lowercase();
    let rest: String = chars.collect();
    if !matches!(rest.as_str(), "" | "b" | "B" | "ib" | "iB" | "Ib" | "IB")
        || (u == 'b' && !rest.is_empty())
    {
        return None;
    }
    let shift = match u {
        'b' => 0,
        's' => return n.checked_mul(512),
        'k' => 10,
        'm' => 20,
        'g' => 30,
        't' => 40,
        'p' => 50,
        'e' => 60,
        _ => return None,
    };
    n.checked_mul(1u64 << shift)
}

/// Bytes for people: `1.99 GiB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.2} {}", UNITS[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(v: &str) -> u64 {
        match Size::parse(v, true).unwrap() {
            Size::Absolute { bytes, .. } => bytes,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lvcreate_size_syntax() {
        assert_eq!(bytes("100"), 100 << 20);
        assert_eq!(bytes("2G"), 2 << 30);
        assert_eq!(bytes("2GiB"), 2 << 30);
        assert_eq!(bytes("2gb"), 2 << 30);
        assert_eq!(bytes("512K"), 512 << 10);
        assert_eq!(bytes("8s"), 4096);
        assert_eq!(bytes("10b"), 10);
    }

    #[test]
    fn percentages_pass_through() {
        let s = Size::parse("40%FREE", true).unwrap();
        assert_eq!(s.lvcreate_args(), ["-l".to_string(), "40%FREE".to_string()]);
        assert_eq!(s.resolve(1000, 500), 200);
        assert_eq!(Size::parse("50%VG", true).unwrap().resolve(1000, 500), 500);
    }

    #[test]
    fn garbage_is_named() {
        for bad in [
            "",
            "lots",
            "40%",
            "40%PVS",
            "2X",
            "G2",
            "0%FREE",
            "101%FREE",
            "99999999999999999999G",
        ] {
            let e = Size::parse(bad, true).unwrap_err();
            assert_eq!(e.value, bad);
        }
        assert!(Size::parse("40%FREE", false).is_err());
    }
}
