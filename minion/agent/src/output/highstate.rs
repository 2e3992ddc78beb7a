//! The `highstate` outputter: one block per state (or terse lines), then the
//! "Summary for <host>" block, as Salt 3008's `salt/output/highstate.py`.

use halite_api::{Map, Value};

use super::colors::{strip_esc, Colors};
use super::{nested, py, textwrap, OutputOptions};

/// Render a `{host: state-return}` mapping; `None` when the data is not
/// highstate-shaped and the caller should fall back to `nested`.
pub fn render(data: &Value, opts: &OutputOptions) -> Option<String> {
    output(data, opts, 1)
}

fn output(data: &Value, opts: &OutputOptions, indent_level: usize) -> Option<String> {
    let data = unwrap_envelope(data);
    let map = match data {
        Value::Object(m) => m,
        Value::Number(_) | Value::Bool(_) => return Some(py::repr(data)),
        Value::String(s) => return Some(s.clone()),
        Value::Null => return Some("None".into()),
        Value::Array(_) => return None,
    };
    let mut map = map.clone();
    let masters = map.keys().filter(|k| k.ends_with("_master")).count();
    if map.contains_key("retcode") && masters == 1 {
        map.shift_remove("retcode");
    }
    let hosts: Vec<String> = map
        .iter()
        .map(|(host, hostdata)| {
            HostFormatter::new(opts, indent_level)
                .format(host, hostdata)
                .0
        })
        .collect();
    if hosts.is_empty() {
        tracing::error!(
            "Data passed to highstate outputter is not a valid highstate return: {}",
            py::repr(data)
        );
        return Some(String::new());
    }
    Some(hosts.join("\n"))
}

/// Strip the job envelopes Salt's outputter looks through (`return`, `data`).
fn unwrap_envelope(data: &Value) -> &Value {
    let mut data = data;
    if let Some(inner) = data.get("return").filter(|_| data.is_object()) {
        data = inner;
    }
    if let Some(inner) = data.get("data").filter(|_| data.is_object()) {
        data = inner;
    }
    if let Value::Object(m) = data {
        if m.len() == 1 {
            let only = m.values().next();
            if let Some(Value::Object(job)) = only {
                if job.contains_key("jid") && job.contains_key("fun") {
                    if let Some(d) = job.get("return").and_then(|r| r.get("data")) {
                        return d;
                    }
                }
            }
        }
    }
    data
}

/// Result counters keyed like Python's `rcounts` dict.
#[derive(Default)]
struct Counts {
    succeeded: usize,
    failed: usize,
    not_run: usize,
    other: usize,
    warnings: usize,
}

impl Counts {
    fn add(&mut self, result: &Value) {
        match result {
            Value::Bool(true) => self.succeeded += 1,
            Value::Bool(false) => self.failed += 1,
            Value::Null => self.not_run += 1,
            _ => self.other += 1,
        }
    }
    fn states(&self) -> usize {
        self.succeeded + self.failed + self.not_run + self.other
    }
    /// Widest count among the keys Python would have in `rcounts`.
    fn max_len(&self, seen: &[bool; 4]) -> usize {
        let vals = [self.succeeded, self.failed, self.not_run, self.other];
        let mut widths: Vec<usize> = vals
            .iter()
            .zip(seen)
            .filter(|(_, s)| **s)
            .map(|(v, _)| v.to_string().len())
            .collect();
        if self.warnings > 0 {
            widths.push(self.warnings.to_string().len());
        }
        widths.into_iter().max().unwrap_or(0)
    }
}

struct HostFormatter<'a> {
    opts: &'a OutputOptions,
    colors: Colors,
    indent_level: usize,
}

fn is_true(v: Option<&Value>) -> bool {
    v.is_some_and(halite_api::value::is_truthy)
}

fn duration_ms(ret: &Map) -> f64 {
    match ret.get("duration") {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(Value::String(s)) => {
            let head = s.split(" ms").next().unwrap_or("");
            s.trim()
                .parse()
                .or_else(|_| head.trim().parse())
                .unwrap_or(0.0)
        }
        _ => 0.0,
    }
}

impl<'a> HostFormatter<'a> {
    fn new(opts: &'a OutputOptions, indent_level: usize) -> Self {
        HostFormatter {
            opts,
            colors: Colors::new(opts.color),
            indent_level,
        }
    }

    /// Salt's `_format_host`: the text and whether anything changed.
    fn format(&self, host: &str, data: &Value) -> (String, bool) {
        let c = &self.colors;
        let mut hcolor = c.green;
        let mut hstrs: Vec<String> = Vec::new();
        let mut nchanges = 0;
        match data {
            Value::Number(_) | Value::Bool(_) => {
                nchanges = 1;
                hstrs.push(format!("{hcolor}    {}{}", py::repr(data), c.endc));
                hcolor = c.cyan;
            }
            Value::String(s) => {
                nchanges = 1;
                for line in py::splitlines(s) {
                    hstrs.push(format!("{hcolor}    {line}{}", c.endc));
                }
                hcolor = c.cyan;
            }
            Value::Array(errors) => {
                hcolor = c.light_red;
                hstrs.push(format!("    {hcolor}Data failed to compile:{}", c.endc));
                for err in errors {
                    let text = py::str_of(err);
                    let text = if self.opts.strip_colors {
                        strip_esc(&text)
                    } else {
                        text
                    };
                    hstrs.push(format!("{hcolor}----------\n    {text}{}", c.endc));
                }
            }
            Value::Object(states) => {
                let (lines, changes, color) = self.format_states(host, states);
                hstrs = lines;
                nchanges = changes;
                hcolor = color;
            }
            Value::Null => {}
        }
        let host = if self.opts.strip_colors {
            strip_esc(host)
        } else {
            host.to_string()
        };
        hstrs.insert(0, format!("{hcolor}{host}:{}", c.endc));
        (hstrs.join("\n"), nchanges > 0)
    }

    fn format_states(&self, host: &str, states: &Map) -> (Vec<String>, usize, &'static str) {
        let c = &self.colors;
        let mut hcolor = c.green;
        let mut hstrs = Vec::new();
        let mut kept: Vec<(&String, &Map)> = Vec::new();
        for (tname, info) in states {
            if let Value::Object(m) = info {
                if tname != "changes" && !m.is_empty() && !m.contains_key("__run_num__") {
                    hstrs.insert(0, py::repr(info));
                    hstrs.insert(
                        0,
                        "The State execution failed to record the order in which all states were executed. The state return missing data is:".into(),
                    );
                }
                if m.contains_key("result") {
                    kept.push((tname, m));
                }
            }
        }
        kept.sort_by_key(|(_, m)| run_num(m));
        let mut counts = Counts::default();
        let mut seen = [false; 4];
        let mut nchanges = 0;
        let (mut rdurations, mut pdurations) = (Vec::new(), Vec::new());
        for (tname, ret) in kept {
            let result = ret.get("result").cloned().unwrap_or(Value::Null);
            counts.add(&result);
            seen[match &result {
                Value::Bool(true) => 0,
                Value::Bool(false) => 1,
                Value::Null => 2,
                _ => 3,
            }] = true;
            if ret.contains_key("__parallel__") {
                pdurations.push(duration_ms(ret));
            } else {
                rdurations.push(duration_ms(ret));
            }
            let (schanged, ctext) = self.changes_text(ret);
            nchanges += usize::from(schanged);
            let succeeded = halite_api::value::is_truthy(&result);
            if (self.opts.state_output_diff || !self.opts.state_verbose) && succeeded && !schanged {
                continue;
            }
            let mut tcolor = if schanged { c.cyan } else { c.green };
            if result == Value::Bool(false) {
                hcolor = c.red;
                tcolor = c.red;
            }
            if result.is_null() {
                hcolor = c.light_yellow;
                tcolor = c.light_yellow;
            }
            let mut comps: Vec<String> = tname.split("_|-").map(str::to_string).collect();
            comps.resize(comps.len().max(4), String::new());
            let state_output = self.opts.state_output.to_lowercase();
            if state_output.ends_with("_id") {
                comps[2] = comps[1].clone();
            }
            let terse = state_output.starts_with("terse")
                || (state_output.starts_with("mixed") && result != Value::Bool(false))
                || (state_output.starts_with("changes") && succeeded && !schanged);
            if terse {
                hstrs.push(self.format_terse(tcolor, &comps, ret));
                if ret.contains_key("warnings") {
                    // Python counts warnings only on the full branch.
                }
                continue;
            }
            hstrs.extend(self.full_block(tcolor, &comps, ret, &ctext));
            if let Some(warnings) = ret.get("warnings") {
                counts.warnings += 1;
                hstrs.push(self.warnings_line(warnings));
            }
        }
        hstrs.extend(self.summary(host, &counts, &seen, nchanges, &rdurations, &pdurations));
        (hstrs, nchanges, hcolor)
    }

    /// (changed?, text after "Changes:") for one state's `changes`.
    fn changes_text(&self, ret: &Map) -> (bool, String) {
        let changes = ret.get("changes").cloned().unwrap_or(Value::Null);
        let name = ret.get("name").and_then(Value::as_str).unwrap_or("");
        if matches!(name, "state.orch" | "state.orchestrate" | "state.sls") {
            let nested = output(&changes, self.opts, self.indent_level + 1).unwrap_or_default();
            let pad = " ".repeat(14 * self.indent_level);
            let text = format!("\n{nested}")
                .split('\n')
                .map(|l| format!("{pad}{l}"))
                .collect::<Vec<_>>()
                .join("\n");
            return (true, text);
        }
        if !halite_api::value::is_truthy(&changes) {
            return (false, String::new());
        }
        let Value::Object(map) = &changes else {
            return (
                true,
                format!("Invalid Changes data: {}", py::str_of(&changes)),
            );
        };
        match map.get("ret") {
            Some(Value::Object(hosts))
                if map.get("out").and_then(Value::as_str) == Some("highstate") =>
            {
                let mut text = String::new();
                let mut changed = false;
                for (host, hostdata) in hosts {
                    let (s, ch) = HostFormatter::new(self.opts, 1).format(host, hostdata);
                    let lines: Vec<String> = s
                        .lines()
                        .map(|l| format!("{}{l}", " ".repeat(14)))
                        .collect();
                    text.push('\n');
                    text.push_str(&lines.join("\n"));
                    changed |= ch;
                }
                (changed, text)
            }
            _ => {
                let plain = OutputOptions {
                    retcode: 0,
                    ..self.opts.clone()
                };
                let nested = nested::render(&changes, &plain, 14);
                (true, format!("\n{}", py::rstrip(&nested)))
            }
        }
    }

    fn full_block(&self, tcolor: &str, comps: &[String], ret: &Map, ctext: &str) -> Vec<String> {
        let endc = self.colors.endc;
        let result = ret
            .get("result")
            .map(py::repr)
            .unwrap_or_else(|| "None".into());
        let comment = comment_text(ret);
        let mut lines = vec![
            format!("{tcolor}----------{endc}"),
            format!("    {tcolor}      ID: {}{endc}", comps[1]),
            format!("    {tcolor}Function: {}.{}{endc}", comps[0], comps[3]),
            format!("    {tcolor}  Result: {result}{endc}"),
            format!("    {tcolor} Comment: {comment}{endc}"),
        ];
        if self.opts.state_output_profile && ret.contains_key("start_time") {
            let started = ret.get("start_time").map(py::str_of).unwrap_or_default();
            let duration = match ret.get("duration") {
                None => String::new(),
                Some(Value::String(s)) if s.is_empty() => String::new(),
                Some(d) => format!("{} ms", py::str_of(d)),
            };
            lines.push(format!("    {tcolor} Started: {started}{endc}"));
            lines.push(format!("    {tcolor}Duration: {duration}{endc}"));
        }
        if comps[1] != comps[2] {
            lines.insert(3, format!("    {tcolor}    Name: {}{endc}", comps[2]));
        }
        lines.push(format!("{tcolor}     Changes:   {ctext}{endc}"));
        lines
    }

    fn warnings_line(&self, warnings: &Value) -> String {
        let text = match warnings {
            Value::Array(items) => items.iter().map(py::str_of).collect::<Vec<_>>().join("\n"),
            other => py::str_of(other),
        };
        let filled = textwrap::fill(&text, 80, &" ".repeat(14));
        format!(
            "   {} Warnings: {}{}",
            self.colors.light_red,
            filled.trim_start(),
            self.colors.endc
        )
    }

    fn format_terse(&self, tcolor: &str, comps: &[String], ret: &Map) -> String {
        let c = &self.colors;
        let result = match ret.get("result") {
            Some(Value::Bool(false)) => "Failed",
            None | Some(Value::Null) => "Differs",
            _ if is_true(ret.get("changes")) => "Changed",
            _ => "Clean",
        };
        let last = comps.last().map(String::as_str).unwrap_or("");
        let warnings = ret.get("warnings").map(|w| match w {
            Value::Array(items) => items.iter().map(py::str_of).collect::<Vec<_>>().join("\n"),
            other => py::str_of(other),
        });
        let profile = self.opts.state_output_profile && ret.contains_key("start_time");
        let started = ret.get("start_time").map(py::str_of).unwrap_or_default();
        let duration = ret.get("duration").map(py::str_of).unwrap_or_default();
        let mut msg = String::new();
        if self.opts.state_tabular {
            if let Some(w) = &warnings {
                msg.push_str(&format!("{}Warnings:\n{w}{}\n", c.light_red, c.endc));
            }
            msg.push_str(tcolor);
            if profile {
                msg.push_str(&format!("{started} [{duration:>7} ms] "));
            }
            msg.push_str(&format!(
                "{:>10}.{:<10} {:7}   Name: {}{}",
                comps[0], last, result, comps[2], c.endc
            ));
        } else {
            if let Some(w) = &warnings {
                msg.push_str(&format!("{}Warnings:\n{w}{}", c.light_red, c.endc));
            }
            msg.push_str(&format!(
                " {tcolor} Name: {} - Function: {}.{last} - Result: {result}",
                comps[2], comps[0]
            ));
            if profile {
                msg.push_str(&format!(" - Started: {started} - Duration: {duration} ms"));
            }
            msg.push_str(c.endc);
        }
        msg
    }

    fn summary(
        &self,
        host: &str,
        counts: &Counts,
        seen: &[bool; 4],
        nchanges: usize,
        rdurations: &[f64],
        pdurations: &[f64],
    ) -> Vec<String> {
        let c = &self.colors;
        let endc = c.endc;
        let line_max_len = "Succeeded".len() + counts.max_len(seen) + 2;
        let count_line = |label: &str, count: String| {
            let width = line_max_len.saturating_sub(label.len() + 2);
            format!("{label}: {count:>width$}")
        };
        let mut out = vec![format!(
            "{}\nSummary for {host}\n{}{endc}",
            c.cyan,
            "-".repeat(line_max_len)
        )];
        let mut stats = Vec::new();
        if counts.not_run > 0 {
            stats.push(format!(
                "{}unchanged={}{endc}",
                c.light_yellow, counts.not_run
            ));
        }
        if nchanges > 0 {
            stats.push(format!("{}changed={nchanges}{endc}", c.green));
        }
        let stats = if stats.is_empty() {
            String::new()
        } else {
            format!(" ({})", stats.join(", "))
        };
        let ok = counts.succeeded + counts.not_run;
        out.push(format!(
            "{}{}{endc}{stats}",
            c.green,
            count_line("Succeeded", ok.to_string())
        ));
        let fail_color = if counts.failed > 0 { c.red } else { c.cyan };
        out.push(format!(
            "{fail_color}{}{endc}",
            count_line("Failed", counts.failed.to_string())
        ));
        let total = counts.states();
        if self.opts.state_output_pct && total > 0 {
            let pct = |n: usize| {
                py::float_repr(((n as f64 / total as f64) * 100.0 * 100.0).round() / 100.0)
            };
            out.push(format!(
                "{}{}{endc}",
                c.green,
                count_line("Success %", pct(ok))
            ));
            out.push(format!(
                "{fail_color}{}{endc}",
                count_line("Failure %", pct(counts.failed))
            ));
        }
        if counts.warnings > 0 {
            out.push(format!(
                "{}{}{endc}",
                c.light_red,
                count_line("Warnings", counts.warnings.to_string())
            ));
        }
        let width = line_max_len.saturating_sub(7);
        out.push(format!(
            "{}{}\nTotal states run: {total:>width$}{endc}",
            c.cyan,
            "-".repeat(line_max_len)
        ));
        if self.opts.state_output_profile {
            out.push(format!(
                "{}{}{endc}",
                c.cyan,
                total_run_time(rdurations, pdurations, line_max_len)
            ));
        }
        out
    }
}

fn run_num(m: &Map) -> i64 {
    match m.get("__run_num__") {
        Some(Value::Number(n)) => n
            .as_i64()
            .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
        _ => 0,
    }
}

/// The comment as the outputter shows it: stripped, continuation lines indented.
fn comment_text(ret: &Map) -> String {
    let raw = ret
        .get("comment")
        .map(py::str_of)
        .unwrap_or_else(|| "None".into());
    let mut comment = py::strip(&raw).replace('\n', &format!("\n{}", " ".repeat(14)));
    match ret.get("data") {
        None => {}
        Some(Value::Array(items)) => {
            for item in items {
                comment = format!("{comment} {}", py::str_of(item));
            }
        }
        Some(Value::Object(m)) => {
            for (k, v) in m {
                comment = format!("{comment}\n\t\t{k}: {}", py::str_of(v));
            }
        }
        Some(other) => comment = format!("{comment} {}", py::str_of(other)),
    }
    comment
}

fn total_run_time(rdurations: &[f64], pdurations: &[f64], line_max_len: usize) -> String {
    let mut sum = rdurations.iter().fold(0.0, |acc, d| acc + d);
    if let Some(max) = pdurations.iter().copied().reduce(f64::max) {
        sum += max;
    }
    let mut unit = "ms";
    if sum > 999.0 {
        sum /= 1000.0;
        unit = "s";
    }
    let width = line_max_len.saturating_sub(5);
    format!("Total run time: {:>width$} {unit}", format!("{sum:.3}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chunk(result: Value, changes: Value, run: i64) -> Value {
        json!({"name": "/tmp/x", "result": result, "changes": changes, "comment": "done\nmore",
               "__run_num__": run, "start_time": "10:00:00.000001", "duration": 1.5, "__id__": "x", "__sls__": "s"})
    }

    #[test]
    fn full_block_and_summary() {
        let data = json!({"local": {
            "file_|-x_|-/tmp/x_|-managed": chunk(json!(true), json!({"diff": "New file"}), 0),
        }});
        let got = render(&data, &OutputOptions::default()).unwrap();
        let want = "local:\n----------\n          ID: x\n    Function: file.managed\n        Name: /tmp/x\n      Result: True\n     Comment: done\n              more\n     Started: 10:00:00.000001\n    Duration: 1.5 ms\n     Changes:   \n              ----------\n              diff:\n                  New file\n\nSummary for local\n------------\nSucceeded: 1 (changed=1)\nFailed:    0\n------------\nTotal states run:     1\nTotal run time:   1.500 ms";
        assert_eq!(got, want);
    }

    #[test]
    fn compile_errors_list() {
        let got = render(
            &json!({"local": ["bad one", "bad two"]}),
            &OutputOptions::default(),
        )
        .unwrap();
        assert_eq!(
            got,
            "local:\n    Data failed to compile:\n----------\n    bad one\n----------\n    bad two"
        );
    }

    #[test]
    fn terse_lines() {
        let opts = OutputOptions {
            state_output: "terse".into(),
            ..OutputOptions::default()
        };
        let data = json!({"local": {"cmd_|-a_|-true_|-run": chunk(json!(false), json!({}), 0)}});
        let got = render(&data, &opts).unwrap();
        assert!(got.starts_with("local:\n  Name: true - Function: cmd.run - Result: Failed - Started: 10:00:00.000001 - Duration: 1.5 ms\n"), "{got}");
    }
}
