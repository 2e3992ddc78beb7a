//! Job IDs made by the controller, in Salt's format (`%Y%m%d%H%M%S%f`,
//! UTC), so a job's jid is in the journal before the job is published.

use std::time::{SystemTime, UNIX_EPOCH};

/// A new jid for now (20 digits).
pub fn new_jid() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_jid(d.as_secs(), d.subsec_micros())
}

/// The jid of a moment: seconds since the epoch and microseconds.
pub fn format_jid(secs: u64, micros: u32) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}{micros:06}",
        rest / 3600,
        (rest / 60) % 60,
        rest % 60
    )
}

/// Days since 1970-01-01 -> (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salt_format() {
        // 2026-12-07T01:55:22.707286Z, a jid salt-api handed out
        assert_eq!(format_jid(1_796_608_522, 707_286), "20261207015522707286");
        assert_eq!(format_jid(951_782_400, 0), "20000229000000000000");
        assert_eq!(new_jid().len(), 20);
    }
}
