//! Package version order and Salt's version specs (`1.2-3`, `>=1.2`,
//! `>=1.2,<2`, `1.2*`), with the comparison of the host's package format:
//! dpkg's (epoch, upstream, revision; `~` before everything) or rpm's
//! (`rpmvercmp` segments; `~` before everything, `^` after the base).

use std::cmp::Ordering;

/// Which package format's version order applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Dpkg,
    Rpm,
}

/// Compare two versions in `scheme`'s order.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Ordering {
    let (ea, ra) = split_epoch(a);
    let (eb, rb) = split_epoch(b);
    ea.cmp(&eb).then_with(|| {
        let (ua, va) = split_release(ra);
        let (ub, vb) = split_release(rb);
        let part = |x: &str, y: &str| match scheme {
            Scheme::Dpkg => dpkg_cmp(x, y),
            Scheme::Rpm => rpm_cmp(x, y),
        };
        part(ua, ub).then_with(|| match (va, vb) {
            // rpm: a spec without a release matches any release
            (None, _) | (_, None) if scheme == Scheme::Rpm => Ordering::Equal,
            _ => part(va.unwrap_or(""), vb.unwrap_or("")),
        })
    })
}

fn split_epoch(v: &str) -> (u64, &str) {
    match v.split_once(':') {
        Some((e, rest)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => {
            (e.parse().unwrap_or(0), rest)
        }
        _ => (0, v),
    }
}

fn split_release(v: &str) -> (&str, Option<&str>) {
    match v.rsplit_once('-') {
        Some((u, r)) => (u, Some(r)),
        None => (v, None),
    }
}

/// dpkg's `verrevcmp`.
fn dpkg_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    while !a.is_empty() || !b.is_empty() {
        let na = a.iter().take_while(|c| !c.is_ascii_digit()).count();
        let nb = b.iter().take_while(|c| !c.is_ascii_digit()).count();
        let (sa, sb) = (&a[..na], &b[..nb]);
        for i in 0..na.max(nb) {
            let oa = sa.get(i).map_or(0, |&c| dpkg_order(c));
            let ob = sb.get(i).map_or(0, |&c| dpkg_order(c));
            if oa != ob {
                return oa.cmp(&ob);
            }
        }
        a = &a[na..];
        b = &b[nb..];
        let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
        let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let ord = numeric(&a[..da], &b[..db]);
        if ord != Ordering::Equal {
            return ord;
        }
        a = &a[da..];
        b = &b[db..];
    }
    Ordering::Equal
}

fn dpkg_order(c: u8) -> i32 {
    match c {
        b'~' => -1,
        c if c.is_ascii_alphabetic() => i32::from(c),
        c => i32::from(c) + 256,
    }
}

fn numeric(a: &[u8], b: &[u8]) -> Ordering {
    let trim = |s: &[u8]| -> Vec<u8> { s.iter().copied().skip_while(|&c| c == b'0').collect() };
    let (a, b) = (trim(a), trim(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

/// rpm's `rpmvercmp`.
fn rpm_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        let skip = |s: &[u8]| -> usize {
            s.iter()
                .take_while(|c| !c.is_ascii_alphanumeric() && **c != b'~' && **c != b'^')
                .count()
        };
        a = &a[skip(a)..];
        b = &b[skip(b)..];
        for mark in [b'~', b'^'] {
            match (a.first() == Some(&mark), b.first() == Some(&mark)) {
                (true, true) => {
                    a = &a[1..];
                    b = &b[1..];
                }
                (true, false) if mark == b'~' => return Ordering::Less,
                (false, true) if mark == b'~' => return Ordering::Greater,
                (true, false) => {
                    return if b.is_empty() {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
                }
                (false, true) => {
                    return if a.is_empty() {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                (false, false) => {}
            }
        }
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        let digits = a[0].is_ascii_digit();
        let seg = |s: &[u8]| -> usize {
            s.iter()
                .take_while(|c| {
                    if digits {
                        c.is_ascii_digit()
                    } else {
                        c.is_ascii_alphabetic()
                    }
                })
                .count()
        };
        let (la, lb) = (seg(a), seg(b));
        if lb == 0 {
            // numeric segments are newer than alphabetic ones
            return if digits {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let ord = if digits {
            numeric(&a[..la], &b[..lb])
        } else {
            a[..la].cmp(&b[..lb])
        };
        if ord != Ordering::Equal {
            return ord;
        }
        a = &a[la..];
        b = &b[lb..];
    }
}

/// Does `installed` satisfy Salt's version spec `spec` (comma-separated
/// conditions, each `OP VERSION` with OP one of `==`, `=`, `>=`, `<=`, `>`,
/// `<`, `!=`, none meaning `==`; `==` versions may end in `*`)?
pub fn fulfills(scheme: Scheme, installed: &str, spec: &str) -> bool {
    spec.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .all(|cond| {
            let (op, want) = split_op(cond);
            if op == "==" {
                if let Some(prefix) = want.strip_suffix('*') {
                    return installed.starts_with(prefix);
                }
            }
            let ord = compare(scheme, installed, want);
            match op {
                ">=" => ord != Ordering::Less,
                "<=" => ord != Ordering::Greater,
                ">" => ord == Ordering::Greater,
                "<" => ord == Ordering::Less,
                "!=" => ord != Ordering::Equal,
                _ => ord == Ordering::Equal,
            }
        })
}

/// A condition's operator (`==` when none) and version.
pub fn split_op(cond: &str) -> (&'static str, &str) {
    for op in [">=", "<=", "==", "!=", ">", "<", "="] {
        if let Some(rest) = cond.strip_prefix(op) {
            let op = if op == "=" { "==" } else { op };
            return (op, rest.trim());
        }
    }
    ("==", cond.trim())
}

/// Is `spec` an exact version (no operator, no wildcard, no list)?
pub fn is_exact(spec: &str) -> bool {
    !spec.contains([',', '*', '<', '>', '!']) && !spec.starts_with('=')
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn dpkg_order_as_dpkg_compare_versions() {
        for (a, b, want) in [
            ("1.0", "1.0", Equal),
            ("1.0~rc1", "1.0", Less),
            ("1.0", "1.0-1", Less),
            ("2.10-3", "2.10-2", Greater),
            ("1:1.0", "2.0", Greater),
            ("5.02-1+b1", "5.02-1", Greater),
            ("1.0a", "1.0+", Less),
            ("3.03+dfsg2-8", "3.03-8", Greater),
            ("1.01", "1.1", Equal),
        ] {
            assert_eq!(compare(Scheme::Dpkg, a, b), want, "{a} vs {b}");
        }
    }

    #[test]
    fn rpm_order_as_rpmvercmp() {
        for (a, b, want) in [
            ("1.0-1", "1.0-1", Equal),
            ("1.0-2", "1.0-10", Less),
            ("1.0~rc1-1", "1.0-1", Less),
            ("1.0^git1-1", "1.0-1", Greater),
            ("1.0a-1", "1.0-1", Greater),
            ("1.0-1", "1.0.1-1", Less),
            ("2:1.0-1", "3.0-1", Greater),
            ("1.0", "1.0-5", Equal),
        ] {
            assert_eq!(compare(Scheme::Rpm, a, b), want, "{a} vs {b}");
        }
    }

    #[test]
    fn specs_as_salt_reads_them() {
        assert!(fulfills(Scheme::Dpkg, "2.10-3", "2.10-3"));
        assert!(fulfills(Scheme::Dpkg, "2.10-3", "=2.10-3"));
        assert!(fulfills(Scheme::Dpkg, "2.10-3", ">=2.9,<3"));
        assert!(!fulfills(Scheme::Dpkg, "2.10-3", ">2.10-3"));
        assert!(fulfills(Scheme::Dpkg, "2.10-3", "2.10*"));
        assert!(!fulfills(Scheme::Dpkg, "2.10-3", "2.9*"));
        assert!(is_exact("2.10-3") && !is_exact(">=2") && !is_exact("2.*"));
    }
}
