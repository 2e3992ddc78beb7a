//! Salt's `strftime` / `date_format` filters (`salt/utils/dateutils.py`):
//! a date string (the forms of timelib's parser listed in [`parse_text`]),
//! a Unix timestamp (number or numeric string, local time as
//! `datetime.fromtimestamp`) or none (now), formatted with Python's
//! `strftime` directives on a naive datetime (`%Z`/`%z` empty, `%f` micro).

use chrono::{Duration, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use minijinja::value::{Rest, ValueOrKwargs};
use minijinja::{Environment, Error, Value};

use super::filters_hash::{invalid, py_type};
use super::filters_jinja2::{bind, py_str};

/// Register `strftime` and `date_format`.
pub fn register(env: &mut Environment<'static>) {
    env.add_filter("strftime", strftime);
    env.add_filter("date_format", strftime);
}

/// `strftime(format='%Y-%m-%d')` (also `date_format`).
pub fn strftime(date: Value, args: Rest<ValueOrKwargs>) -> Result<String, Error> {
    let a = bind("strftime", &args, &["format"])?;
    let format = a[0].as_ref().map_or_else(|| "%Y-%m-%d".to_string(), py_str);
    Ok(format_py(&date_cast(&date)?, &format))
}

fn now() -> NaiveDateTime {
    Local::now().naive_local()
}

/// `datetime.fromtimestamp(ts)`: local time.
fn from_timestamp(ts: f64) -> Option<NaiveDateTime> {
    let secs = ts.floor();
    let micros = ((ts - secs) * 1e6).round() as u32;
    Local
        .timestamp_opt(secs as i64, 0)
        .single()
        .map(|d| d.naive_local() + Duration::microseconds(i64::from(micros)))
}

/// Salt's `date_cast`.
fn date_cast(date: &Value) -> Result<NaiveDateTime, Error> {
    if date.is_none() || date.is_undefined() {
        return Ok(now());
    }
    let unable = || invalid(format!("Unable to parse {}", py_str(date)));
    if let Some(s) = date.as_str() {
        if let Some(d) = parse_text(s) {
            return Ok(d);
        }
        let ts = if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
            s.parse::<f64>().ok()
        } else {
            s.trim().parse::<f64>().ok().filter(|f| f.is_finite())
        };
        return ts.and_then(from_timestamp).ok_or_else(unable);
    }
    let number = match py_type(date) {
        "bool" => Some(Value::from(i64::from(date.is_true()))),
        "int" | "float" => Some(date.clone()),
        _ => None,
    };
    match number {
        Some(n) => f64::try_from(n)
            .ok()
            .and_then(from_timestamp)
            .ok_or_else(unable),
        None => Err(unable()),
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month(name: &str) -> Option<u32> {
    let n = name.to_lowercase();
    let n = n.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|m| n.len() >= 3 && (n == *m || full_month(m).starts_with(n)))
        .map(|i| i as u32 + 1)
}

fn full_month(abbr: &str) -> &'static str {
    match abbr {
        "jan" => "january",
        "feb" => "february",
        "mar" => "march",
        "apr" => "april",
        "may" => "may",
        "jun" => "june",
        "jul" => "july",
        "aug" => "august",
        "sep" => "september",
        "oct" => "october",
        "nov" => "november",
        _ => "december",
    }
}

/// `H:MM[:SS[.frac]]` (the fraction is dropped, as timelib does).
fn parse_time(s: &str) -> Option<NaiveTime> {
    let mut it = s.split(':');
    let h: u32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let sec: u32 = match it.next() {
        Some(x) => x.split('.').next()?.parse().ok()?,
        None => 0,
    };
    if it.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_opt(h, m, sec)
}

/// A date in the forms `Y-M-D`, `Y/M/D`, `M/D/Y`, `D-M-Y`, `YYYYMMDD`.
fn parse_numeric_date(s: &str) -> Option<NaiveDate> {
    let num = |x: &str| x.parse::<i32>().ok();
    if s.len() == 8 && s.chars().all(|c| c.is_ascii_digit()) {
        return NaiveDate::from_ymd_opt(num(&s[..4])?, num(&s[4..6])? as u32, num(&s[6..])? as u32);
    }
    for sep in ['-', '/'] {
        let p: Vec<&str> = s.split(sep).collect();
        if p.len() != 3
            || p.iter()
                .any(|x| x.is_empty() || !x.chars().all(|c| c.is_ascii_digit()))
        {
            continue;
        }
        let (a, b, c) = (num(p[0])?, num(p[1])?, num(p[2])?);
        return match (p[0].len() == 4, sep) {
            (true, _) => NaiveDate::from_ymd_opt(a, b as u32, c as u32),
            (false, '/') => NaiveDate::from_ymd_opt(c, a as u32, b as u32),
            (false, _) => NaiveDate::from_ymd_opt(c, b as u32, a as u32),
        };
    }
    None
}

/// `D Month Y` or `Month D[,] Y` (month names or their abbreviations).
fn parse_named_date(words: &[&str]) -> Option<NaiveDate> {
    let [a, b, c] = words else { return None };
    let year: i32 = c.parse().ok()?;
    let (day, mon) = match a.trim_end_matches(',').parse::<u32>() {
        Ok(d) => (d, month(b)?),
        Err(_) => (b.trim_end_matches(',').parse().ok()?, month(a)?),
    };
    NaiveDate::from_ymd_opt(year, mon, day)
}

/// The subset of timelib's `strtodatetime` Halite parses: `now`, `today`,
/// `midnight`, `noon`, `tomorrow`, `yesterday`; a date (numeric or with a
/// month name) optionally followed by a time (`T` or space, `H:MM[:SS[.f]]`)
/// and a zone suffix (`Z`, `UTC`, `GMT`, `±HH:MM`, ignored as timelib's naive
/// result ignores it); a time alone (today); `HHMM` (today).
pub fn parse_text(s: &str) -> Option<NaiveDateTime> {
    let t = s.trim();
    let today = now().date();
    let midnight = NaiveTime::MIN;
    match t.to_lowercase().as_str() {
        "now" => return now().with_nanosecond(0),
        "today" | "midnight" => return Some(today.and_time(midnight)),
        "noon" => return today.and_hms_opt(12, 0, 0),
        "tomorrow" => return Some(today.succ_opt()?.and_time(midnight)),
        "yesterday" => return Some(today.pred_opt()?.and_time(midnight)),
        _ => {}
    }
    if t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()) {
        return today
            .and_time(parse_time(&format!("{}:{}", &t[..2], &t[2..]))?)
            .into();
    }
    let t = strip_zone(t);
    if let Some(time) = parse_time(t) {
        return Some(today.and_time(time));
    }
    let (date_part, time_part) = match t.split_once(['T', ' ']) {
        Some((d, rest)) if parse_numeric_date(d).is_some() => (d, Some(rest.trim())),
        _ => (t, None),
    };
    if let Some(date) = parse_numeric_date(date_part) {
        let time = match time_part {
            Some(x) => parse_time(x)?,
            None => midnight,
        };
        return Some(date.and_time(time));
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() >= 3 {
        let date = parse_named_date(&words[..3])?;
        let time = match words.get(3) {
            Some(x) if words.len() == 4 => parse_time(x)?,
            None => midnight,
            _ => return None,
        };
        return Some(date.and_time(time));
    }
    None
}

fn strip_zone(t: &str) -> &str {
    for suffix in [" UTC", " GMT", "Z"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            return rest.trim_end();
        }
    }
    let b = t.as_bytes();
    if b.len() > 6 && matches!(b[b.len() - 6], b'+' | b'-') && b[b.len() - 3] == b':' {
        return &t[..t.len() - 6];
    }
    t
}

/// Python's `strftime` of a naive datetime (glibc directives; an unknown
/// one stays as it is).
pub fn format_py(d: &NaiveDateTime, format: &str) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let flag = chars.next_if(|&f| matches!(f, '-' | '_' | '0'));
        let Some(spec) = chars.next() else {
            out.push('%');
            out.extend(flag);
            break;
        };
        out.push_str(&directive(d, flag, spec));
    }
    out
}

fn directive(d: &NaiveDateTime, flag: Option<char>, spec: char) -> String {
    match spec {
        'f' => return format!("{:06}", d.nanosecond() / 1000),
        'z' | 'Z' => return String::new(),
        '%' => return "%".into(),
        'a' | 'A' | 'b' | 'B' | 'c' | 'd' | 'D' | 'e' | 'F' | 'g' | 'G' | 'h' | 'H' | 'I' | 'j'
        | 'k' | 'l' | 'm' | 'M' | 'n' | 'p' | 'P' | 'r' | 'R' | 's' | 'S' | 't' | 'T' | 'u'
        | 'U' | 'V' | 'w' | 'W' | 'x' | 'X' | 'y' | 'Y' | 'C' => {}
        _ => return format!("%{}{spec}", flag.map(String::from).unwrap_or_default()),
    }
    if spec == 's' {
        // glibc's %s: seconds since the epoch of the local time
        return Local
            .from_local_datetime(d)
            .earliest()
            .map_or_else(String::new, |l| l.timestamp().to_string());
    }
    let pattern = match flag {
        Some(f) => format!("%{f}{spec}"),
        None => format!("%{spec}"),
    };
    let mut out = String::new();
    use std::fmt::Write as _;
    if write!(out, "{}", d.format(&pattern)).is_err() {
        return pattern;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn parses_timelib_forms() {
        // dates as real Salt 3008.4 (timelib) parsed them
        let want = dt("2002-12-25 00:00:00");
        for s in [
            "2002/12/25",
            "12/25/2002",
            "25 December 2002",
            "Dec 25 2002",
            "Dec 25, 2002",
            "25-12-2002",
            "20021225",
            "25 Dec 2002",
            " 2002-12-25 ",
        ] {
            assert_eq!(parse_text(s), Some(want), "{s}");
        }
        assert_eq!(
            parse_text("2002-12-25 13:14:15+02:00"),
            Some(dt("2002-12-25 13:14:15"))
        );
        assert_eq!(
            parse_text("2002-12-25T13:14:15Z"),
            Some(dt("2002-12-25 13:14:15"))
        );
        assert_eq!(
            parse_text("December 25 2002 10:00"),
            Some(dt("2002-12-25 10:00:00"))
        );
        assert_eq!(parse_text("2002-1-5"), Some(dt("2002-01-05 00:00:00")));
        assert_eq!(parse_text("2002-13-45"), None);
        assert_eq!(parse_text("garbage"), None);
        assert_eq!(parse_text("1040814000"), None);
    }

    #[test]
    fn formats_like_python() {
        let d = dt("2002-12-25 11:00:00") + Duration::microseconds(500_000);
        assert_eq!(
            format_py(&d, "%A %j %U %p %I %y %B %a %b %e|%Z|%z|%f|%%|%Q|%-d"),
            "Wednesday 359 51 AM 11 02 December Wed Dec 25|||500000|%|%Q|25"
        );
        assert_eq!(format_py(&d, "%c"), "Wed Dec 25 11:00:00 2002");
    }
}
