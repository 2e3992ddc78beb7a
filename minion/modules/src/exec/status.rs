//! The `status` execution module: uptime, loadavg, meminfo, diskusage.

use halite_api::{CmdSpec, ExecCall, ExecError, ExecSpec, Map, Value};

use super::{ok, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "status.uptime",
        doc: "Return the uptime for this system.",
        run: uptime,
    },
    ExecSpec {
        name: "status.loadavg",
        doc: "Return the load averages for this minion",
        run: loadavg,
    },
    ExecSpec {
        name: "status.meminfo",
        doc: "Return the memory info for this minion",
        run: meminfo,
    },
    ExecSpec {
        name: "status.diskusage",
        doc: "Return the disk usage for this minion",
        run: diskusage,
    },
];

fn read(path: &str) -> Result<String, ExecError> {
    std::fs::read_to_string(path)
        .map_err(|e| ExecError::Failed(format!("Unable to read {path}: {e}")))
}

/// `/proc/loadavg` as `{"1-min", "5-min", "15-min"}`.
pub fn parse_loadavg(text: &str) -> Result<Value, ExecError> {
    let parts: Vec<f64> = text
        .split_whitespace()
        .take(3)
        .filter_map(|p| p.parse().ok())
        .collect();
    if parts.len() != 3 {
        return Err(ExecError::Failed("Unable to parse /proc/loadavg".into()));
    }
    let mut m = Map::new();
    for (k, v) in ["1-min", "5-min", "15-min"].into_iter().zip(parts) {
        m.insert(k.into(), v.into());
    }
    Ok(Value::Object(m))
}

fn loadavg(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    ok(parse_loadavg(&read("/proc/loadavg")?)?)
}

/// `/proc/meminfo` as `{"MemTotal": {"value": "...", "unit": "kB"}, ...}`.
pub fn parse_meminfo(text: &str) -> Value {
    let mut ret = Map::new();
    for line in text.lines() {
        let comps: Vec<&str> = line.split_whitespace().collect();
        if comps.len() < 2 {
            continue;
        }
        let mut entry = Map::new();
        entry.insert("value".into(), comps[1].into());
        if let Some(unit) = comps.get(2) {
            entry.insert("unit".into(), (*unit).into());
        }
        ret.insert(comps[0].replace(':', ""), Value::Object(entry));
    }
    Value::Object(ret)
}

fn meminfo(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    ok(parse_meminfo(&read("/proc/meminfo")?))
}

/// Salt's uptime dict from seconds since boot and the current time.
pub fn uptime_dict(seconds: u64, now: u64, users: usize) -> Value {
    let since = now.saturating_sub(seconds);
    let (y, mo, d, h, mi, s, _) = crate::util::atomic::utc_parts(since);
    let mut m = Map::new();
    m.insert("seconds".into(), seconds.into());
    m.insert(
        "since_iso".into(),
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}").into(),
    );
    m.insert("since_t".into(), since.into());
    m.insert("days".into(), (seconds / 86_400).into());
    m.insert(
        "time".into(),
        format!("{}:{:02}", (seconds % 86_400) / 3600, (seconds % 3600) / 60).into(),
    );
    m.insert("users".into(), users.into());
    Value::Object(m)
}

fn uptime(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    let text = read("/proc/uptime")?;
    let secs = text
        .split_whitespace()
        .next()
        .and_then(|s| s.parse::<f64>().ok())
        .ok_or_else(|| ExecError::Failed("Unable to parse /proc/uptime".into()))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let users = call
        .ctx
        .runner
        .run(&CmdSpec::argv(["who"]))
        .map(|o| {
            o.stdout_text()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count()
        })
        .unwrap_or(0);
    ok(uptime_dict(secs as u64, now, users))
}

/// Parse `df -P -B1` output into `{mount: {"total", "available"}}`.
pub fn parse_df(text: &str) -> Value {
    let mut ret = Map::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 6 {
            continue;
        }
        let (Ok(total), Ok(avail)) = (f[1].parse::<u64>(), f[3].parse::<u64>()) else {
            continue;
        };
        let mut e = Map::new();
        e.insert("total".into(), total.into());
        e.insert("available".into(), avail.into());
        ret.insert(f[5..].join(" "), Value::Object(e));
    }
    Value::Object(ret)
}

fn diskusage(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    let mut argv: Vec<String> = vec!["df".into(), "-P".into(), "-B1".into()];
    argv.extend(
        call.args
            .iter()
            .map(halite_api::module::value_to_arg_string),
    );
    let out = call
        .ctx
        .runner
        .run(&CmdSpec::argv(argv))
        .map_err(|e| ExecError::Failed(e.to_string()))?;
    ok(parse_df(&out.stdout_text()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parsers() {
        assert_eq!(
            parse_loadavg("0.10 0.20 0.30 1/100 123").unwrap(),
            json!({"1-min": 0.1, "5-min": 0.2, "15-min": 0.3})
        );
        assert_eq!(
            parse_meminfo("MemTotal: 100 kB\nHugePages_Total: 0\n"),
            json!({"MemTotal": {"value": "100", "unit": "kB"}, "HugePages_Total": {"value": "0"}})
        );
        let df = "Filesystem 1B-blocks Used Available Capacity Mounted on\n/dev/sda1 1000 400 600 40% /\n";
        assert_eq!(
            parse_df(df),
            json!({"/": {"total": 1000, "available": 600}})
        );
        let u = uptime_dict(90_061, 1_000_000, 2);
        assert_eq!(u["days"], json!(1));
        assert_eq!(u["time"], json!("1:01"));
    }
}
