//! Salt job ids: `YYYYMMDDhhmmssffffff` (UTC here, as with `utc_jid`).

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use halite_api::calendar::civil_from_days;

static LAST: Mutex<u128> = Mutex::new(0);

/// A new jid, strictly increasing within this process.
pub fn gen_jid() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0);
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    let micros = if now <= *last { *last + 1 } else { now };
    *last = micros;
    format_micros(micros)
}

/// Format microseconds since the epoch as a jid.
pub fn format_micros(micros: u128) -> String {
    let secs = (micros / 1_000_000) as i64;
    let frac = (micros % 1_000_000) as u32;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}{frac:06}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Python's `time.asctime()` for now (UTC): `Mon Jan  1 00:00:00 2024`.
pub fn asctime_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    asctime(secs)
}

/// `time.asctime()` of a Unix time (UTC).
pub fn asctime(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let weekday = DAYS[days.rem_euclid(7) as usize];
    let month = MONTHS[(m - 1) as usize];
    format!(
        "{weekday} {month} {d:>2} {:02}:{:02}:{:02} {y}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(format_micros(0), "19700101000000000000");
        // 2024-02-29 12:34:56.789012 UTC
        assert_eq!(format_micros(1_709_210_096_789_012), "20240229123456789012");
    }

    #[test]
    fn asctime_matches_python() {
        assert_eq!(asctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(asctime(1_709_210_096), "Thu Feb 29 12:34:56 2024");
    }

    #[test]
    fn increasing_and_twenty_digits() {
        let a = gen_jid();
        let b = gen_jid();
        assert_eq!(a.len(), 20);
        assert!(b > a);
    }
}
