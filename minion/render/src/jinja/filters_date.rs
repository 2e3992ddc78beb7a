//! Salt's `strftime` / `date_format` filters (`salt/utils/dateutils.py`):
//! a date string (the forms of timelib's parser listed in [`parse_text`]),
//! a Unix timestamp (number or numeric string, local time as
//! `datetime.fromtimestamp`) or none (now), formatted with Python's
//! `strftime` directives on a naive datetime (`%Z`/`%z` empty, `%f` micro).

use chrono::{Datelike, Duration, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
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

/// `H:MM[:SS[.frac]]` (the fraction is dropped, as timelib does), or a
/// 12-hour `H[:MM[:SS]]am` / `pm`.
fn parse_time(s: &str) -> Option<NaiveTime> {
    let lower = s.trim().to_lowercase();
    let (clock, pm) = match (lower.strip_suffix("am"), lower.strip_suffix("pm")) {
        (Some(c), _) => (c.trim_end(), Some(false)),
        (_, Some(c)) => (c.trim_end(), Some(true)),
        _ => (lower.as_str(), None),
    };
    let mut it = clock.split(':');
    let mut h: u32 = it.next()?.parse().ok()?;
    let m: u32 = match it.next() {
        Some(x) => x.parse().ok()?,
        None if pm.is_some() => 0,
        None => return None,
    };
    let sec: u32 = match it.next() {
        Some(x) => x.split('.').next()?.parse().ok()?,
        None => 0,
    };
    if it.next().is_some() {
        return None;
    }
    if let Some(pm) = pm {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = h % 12 + if pm { 12 } else { 0 };
    }
    NaiveTime::from_hms_opt(h, m, sec)
}

/// A date in the forms `Y-M-D`, `Y/M/D`, `M/D/Y`, `D-M-Y`, `D.M.Y`,
/// `YYYYMMDD`, `Y-M` (the 1st).
fn parse_numeric_date(s: &str) -> Option<NaiveDate> {
    let num = |x: &str| x.parse::<i32>().ok();
    if s.len() == 8 && s.chars().all(|c| c.is_ascii_digit()) {
        return NaiveDate::from_ymd_opt(num(&s[..4])?, num(&s[4..6])? as u32, num(&s[6..])? as u32);
    }
    for sep in ['-', '/', '.'] {
        let p: Vec<&str> = s.split(sep).collect();
        if p.iter()
            .any(|x| x.is_empty() || !x.chars().all(|c| c.is_ascii_digit()))
        {
            continue;
        }
        if p.len() == 2 && sep == '-' && p[0].len() == 4 {
            return NaiveDate::from_ymd_opt(num(p[0])?, num(p[1])? as u32, 1);
        }
        if p.len() != 3 {
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

/// `D Month Y`, `Month D[,] Y` or `Month Y` (the 1st); month names or their
/// abbreviations. The rest of the words, if any, is the time.
fn parse_named_date(words: &[&str]) -> Option<NaiveDate> {
    match words {
        [a, b] => NaiveDate::from_ymd_opt(b.parse().ok()?, month(a)?, 1),
        [a, b, c] => {
            let year: i32 = c.parse().ok()?;
            let (day, mon) = match a.trim_end_matches(',').parse::<u32>() {
                Ok(d) => (d, month(b)?),
                Err(_) => (b.trim_end_matches(',').parse().ok()?, month(a)?),
            };
            NaiveDate::from_ymd_opt(year, mon, day)
        }
        _ => None,
    }
}

/// `now`, `today`, `midnight`, `noon`, `tomorrow`, `yesterday`.
fn relative_word(t: &str, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let today = now.date();
    match t.to_lowercase().as_str() {
        "now" => Some(now),
        "today" | "midnight" => Some(today.and_time(NaiveTime::MIN)),
        "noon" => today.and_hms_opt(12, 0, 0),
        "tomorrow" => Some(today.succ_opt()?.and_time(NaiveTime::MIN)),
        "yesterday" => Some(today.pred_opt()?.and_time(NaiveTime::MIN)),
        _ => None,
    }
}

/// The subset of timelib's `strtodatetime` Halite parses: the words of
/// [`relative_word`]; a date (numeric or with a month name, after an
/// optional weekday) optionally followed by a time (`T` or space,
/// `H:MM[:SS[.f]]`, `am`/`pm`) and a zone (`Z`, `UTC`, `GMT`, `±HH:MM`,
/// `±HHMM`, ignored as timelib's naive result ignores it); a time alone
/// (today); four digits: `HHMM` today when a valid time, else a year (today's
/// date and time in it). Relative phrases (`+1 day`, `next monday`) are not.
pub fn parse_text(s: &str) -> Option<NaiveDateTime> {
    let t = s.trim();
    let now = now().with_nanosecond(0)?;
    let today = now.date();
    if let Some(d) = relative_word(t, now) {
        return Some(d);
    }
    if t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()) {
        let (h, m) = (t[..2].parse().ok()?, t[2..].parse().ok()?);
        return match NaiveTime::from_hms_opt(h, m, 0) {
            Some(time) => Some(today.and_time(time)),
            None => Some(today.with_year(t.parse().ok()?)?.and_time(now.time())),
        };
    }
    let t = strip_weekday(strip_zone(t));
    if let Some(time) = parse_time(t) {
        return Some(today.and_time(time));
    }
    let (date_part, time_part) = match t.split_once(['T', ' ']) {
        Some((d, rest)) if parse_numeric_date(d).is_some() => (d, Some(rest.trim())),
        _ => (t, None),
    };
    if let Some(date) = parse_numeric_date(date_part) {
        return Some(date.and_time(time_of(time_part)?));
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let n = if words.len() >= 3 && words[2].parse::<i32>().is_ok() {
        3
    } else {
        2
    };
    let date = parse_named_date(words.get(..n)?)?;
    let rest = words[n..].join(" ");
    Some(date.and_time(time_of((!rest.is_empty()).then_some(rest.as_str()))?))
}

fn time_of(part: Option<&str>) -> Option<NaiveTime> {
    match part {
        Some(x) => parse_time(x),
        None => Some(NaiveTime::MIN),
    }
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A leading weekday name (`Fri,`, `Friday`) before a date.
fn strip_weekday(t: &str) -> &str {
    let Some((first, rest)) = t.split_once(' ') else {
        return t;
    };
    let w = first.trim_end_matches(',').to_lowercase();
    if w.len() >= 3
        && WEEKDAYS.iter().any(|d| w.starts_with(d))
        && w.chars().all(char::is_alphabetic)
    {
        rest.trim_start()
    } else {
        t
    }
}

fn strip_zone(t: &str) -> &str {
    for suffix in [" UTC", " GMT", "Z"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            return rest.trim_end();
        }
    }
    let b = t.as_bytes();
    let n = b.len();
    if n > 6 && matches!(b[n - 6], b'+' | b'-') && b[n - 3] == b':' {
        return t[..n - 6].trim_end();
    }
    if n > 6
        && b[n - 6] == b' '
        && matches!(b[n - 5], b'+' | b'-')
        && b[n - 4..].iter().all(u8::is_ascii_digit)
    {
        return &t[..n - 6];
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
        assert_eq!(parse_text("15.03.2024"), Some(dt("2024-03-15 00:00:00")));
        assert_eq!(parse_text("March 2024"), Some(dt("2024-03-01 00:00:00")));
        assert_eq!(parse_text("2024-03"), Some(dt("2024-03-01 00:00:00")));
        assert_eq!(
            parse_text("2024-03-15 9:30pm"),
            Some(dt("2024-03-15 21:30:00"))
        );
        assert_eq!(
            parse_text("Fri, 15 Mar 2024 09:30:00 +0000"),
            Some(dt("2024-03-15 09:30:00"))
        );
        assert_eq!(
            parse_text("15 Mar 2024 9pm"),
            Some(dt("2024-03-15 21:00:00"))
        );
        assert_eq!(parse_text("+1 day"), None);
        let today = now().date();
        assert_eq!(
            parse_text("2002"),
            Some(today.and_hms_opt(20, 2, 0).unwrap())
        );
        assert_eq!(
            parse_text("12am"),
            Some(today.and_hms_opt(0, 0, 0).unwrap())
        );
        assert_eq!(parse_text("2460").map(|d| d.year()), Some(2460));
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
