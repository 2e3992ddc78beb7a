//! Salt's crontab model: `list_tab`'s parse of a crontab text, `_render_tab`'s
//! text of it, and the matching rules (`_cron_matched`, `_needs_change`).

use halite_api::py::splitlines;
use halite_api::{Map, Value};

/// The line after which Salt manages a crontab.
pub const TAG: &str = "# Lines below here are managed by Salt, do not edit";
/// The comment marker of a job's identifier.
pub const ID_MARK: &str = "SALT_CRON_IDENTIFIER";
/// Salt's stand-in for a job without identifier.
pub const NO_ID: &str = "NO ID SET";

/// When a job runs: five time fields or an `@special` keyword.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    Fields([String; 5]),
    Special(String),
}

/// One managed job (a `crons` or a `special` entry of `list_tab`).
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub when: When,
    pub cmd: String,
    pub identifier: Option<String>,
    pub comment: Option<String>,
    pub commented: bool,
}

impl Job {
    /// The time field `i` (minute, hour, daymonth, month, dayweek), `None` for a special.
    pub fn field(&self, i: usize) -> Option<&str> {
        match &self.when {
            When::Fields(f) => Some(f[i].as_str()),
            When::Special(_) => None,
        }
    }
    /// The `@keyword` of a special job.
    pub fn spec(&self) -> Option<&str> {
        match &self.when {
            When::Special(s) => Some(s.as_str()),
            When::Fields(_) => None,
        }
    }
    pub fn is_special(&self) -> bool {
        matches!(self.when, When::Special(_))
    }
}

/// One environment line; `value` is what Salt holds (a string when parsed,
/// the caller's value when set).
#[derive(Debug, Clone, PartialEq)]
pub struct Env {
    pub name: String,
    pub value: Value,
}

/// A user's crontab as `list_tab` sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tab {
    pub pre: Vec<String>,
    pub crons: Vec<Job>,
    pub special: Vec<Job>,
    pub env: Vec<Env>,
}

pub const FIELD_NAMES: [&str; 5] = ["minute", "hour", "daymonth", "month", "dayweek"];

fn opt(v: &Option<String>) -> Value {
    v.clone().map(Value::String).unwrap_or(Value::Null)
}

impl Tab {
    /// `list_tab`'s dict.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "pre".into(),
            self.pre.iter().cloned().map(Value::String).collect(),
        );
        m.insert("crons".into(), self.crons.iter().map(job_value).collect());
        m.insert(
            "special".into(),
            self.special.iter().map(job_value).collect(),
        );
        let env = self.env.iter().map(|e| {
            let mut d = Map::new();
            d.insert("name".into(), Value::String(e.name.clone()));
            d.insert("value".into(), e.value.clone());
            Value::Object(d)
        });
        m.insert("env".into(), env.collect());
        Value::Object(m)
    }
}

fn job_value(j: &Job) -> Value {
    let mut d = Map::new();
    match &j.when {
        When::Fields(f) => {
            for (k, v) in FIELD_NAMES.iter().zip(f) {
                d.insert((*k).into(), Value::String(v.clone()));
            }
            d.insert("identifier".into(), opt(&j.identifier));
            d.insert("cmd".into(), Value::String(j.cmd.clone()));
        }
        When::Special(s) => {
            d.insert("spec".into(), Value::String(s.clone()));
            d.insert("cmd".into(), Value::String(j.cmd.clone()));
            d.insert("identifier".into(), opt(&j.identifier));
        }
    }
    d.insert("comment".into(), opt(&j.comment));
    d.insert("commented".into(), Value::Bool(j.commented));
    Value::Object(d)
}

/// Salt's `list_tab` parse of `raw_cron`'s text.
pub fn parse(data: &str) -> Tab {
    let mut tab = Tab::default();
    let mut managed = false;
    let mut comment: Option<String> = None;
    let mut identifier: Option<String> = None;
    for line in splitlines(data) {
        if line == TAG {
            managed = true;
            continue;
        }
        if !managed {
            tab.pre.push(line.to_string());
            continue;
        }
        let (line, commented) = match line.strip_prefix("#DISABLED#") {
            Some(rest) => (rest, true),
            None => (line, false),
        };
        if line.starts_with('@') {
            let comps: Vec<&str> = line.split_whitespace().collect();
            if comps.len() < 2 {
                continue;
            }
            tab.special.push(Job {
                when: When::Special(comps[0].to_string()),
                cmd: comps[1..].join(" "),
                identifier: identifier.take(),
                comment: comment.take(),
                commented,
            });
        } else if line.starts_with('#') {
            let mut text = line.trim_start_matches(['#', ' ']).to_string();
            if text.contains(ID_MARK) {
                let parts: Vec<&str> = text.split(ID_MARK).collect();
                if parts[1].chars().count() > 1 {
                    identifier = Some(parts[1].chars().skip(1).collect());
                }
                text = parts[0].trim_end().to_string();
            }
            comment = Some(match comment.take() {
                None => text,
                Some(c) => format!("{c}\n{text}"),
            });
        } else if is_env_line(line) {
            let (name, value) = line.split_once('=').unwrap_or((line, ""));
            tab.env.push(Env {
                name: name.to_string(),
                value: Value::String(value.to_string()),
            });
        } else if line.split(' ').count() > 5 {
            let comps: Vec<&str> = line.split(' ').collect();
            let fields = std::array::from_fn(|i| comps[i].to_string());
            tab.crons.push(Job {
                when: When::Fields(fields),
                cmd: comps[5..].join(" "),
                identifier: identifier.take(),
                comment: comment.take(),
                commented,
            });
        }
    }
    tab
}

/// `NAME=value` with `=` before any space and not first.
fn is_env_line(line: &str) -> bool {
    match line.find('=') {
        Some(eq) if eq > 0 => line.find(' ').is_none_or(|sp| eq < sp),
        _ => false,
    }
}

/// The comment line above a job, if it has one.
fn comment_line(j: &Job) -> Option<String> {
    if j.comment.is_none() && j.identifier.is_none() {
        return None;
    }
    let mut c = String::from("#");
    if let Some(text) = j.comment.as_deref().filter(|s| !s.is_empty()) {
        let text = if j.is_special() {
            text.trim_end()
        } else {
            text
        };
        c.push_str(&format!(" {}", text.replace('\n', "\n# ")));
    }
    if let Some(id) = j.identifier.as_deref().filter(|s| !s.is_empty()) {
        c.push_str(&format!(" {ID_MARK}:{id}"));
    }
    Some(c)
}

/// Salt's `_render_tab`: the crontab text of a tab.
pub fn render(tab: &Tab) -> String {
    let mut out: Vec<String> = tab.pre.iter().map(|p| format!("{p}\n")).collect();
    let tag = format!("{TAG}\n");
    if out.last() != Some(&tag) {
        out.push(tag);
    }
    for e in &tab.env {
        match &e.value {
            Value::Null => out.push(format!("{}=\"\"\n", e.name)),
            Value::String(s) if s.is_empty() => out.push(format!("{}=\"\"\n", e.name)),
            v => out.push(format!("{}={}\n", e.name, crate::exec::python_str(v))),
        }
    }
    for j in tab.crons.iter().chain(&tab.special) {
        if let Some(c) = comment_line(j) {
            out.push(format!("{c}\n"));
        }
        let when = match &j.when {
            When::Fields(f) => f.join(" "),
            When::Special(s) => s.clone(),
        };
        let dis = if j.commented { "#DISABLED#" } else { "" };
        out.push(format!("{dis}{when} {}\n", j.cmd));
    }
    out.concat()
}

/// `_cron_id`: the job's identifier, or Salt's no-identifier marker.
pub fn cron_id(j: &Job) -> String {
    j.identifier
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| NO_ID.to_string())
}

/// `_cron_matched`: the job is the one `cmd`/`identifier` names.
pub fn matched(j: &Job, cmd: &str, identifier: Option<&str>) -> bool {
    let cid = cron_id(j);
    let eid = identifier.filter(|s| !s.is_empty()).unwrap_or(NO_ID);
    if j.cmd != cmd && cid == NO_ID && eid == NO_ID {
        false
    } else if j.cmd == cmd && cid == NO_ID {
        true
    } else {
        eid == cid
    }
}

/// `_needs_change(old, new)` over Salt's loosely typed values.
pub fn needs_change(old: &Value, new: &Value) -> bool {
    if old == new {
        return false;
    }
    match new {
        Value::String(s) if s == "random" => old.as_str() == Some("*"),
        Value::Null => false,
        _ => true,
    }
}

/// A string-or-None as a value.
pub fn sv(s: Option<&str>) -> Value {
    s.map(|s| Value::String(s.into())).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "MAILTO=x\n# Lines below here are managed by Salt, do not edit\n\
A=\"\"\n# two\n# lines SALT_CRON_IDENTIFIER:id1\n#DISABLED#5 2 * * 1 /bin/a  b\n\
# SALT_CRON_IDENTIFIER:sp\n@reboot   /bin/c d\nnot a cron\n";

    #[test]
    fn parse_and_render_round_trip() {
        let t = parse(TEXT);
        assert_eq!(t.pre, vec!["MAILTO=x"]);
        assert_eq!(t.env[0].value, Value::String("\"\"".into()));
        let j = &t.crons[0];
        assert_eq!(
            (
                j.cmd.as_str(),
                j.identifier.as_deref(),
                j.comment.as_deref(),
                j.commented
            ),
            ("/bin/a  b", Some("id1"), Some("two\nlines"), true)
        );
        assert_eq!(j.field(4), Some("1"));
        let s = &t.special[0];
        assert_eq!(
            (s.spec(), s.cmd.as_str(), s.comment.as_deref()),
            (Some("@reboot"), "/bin/c d", Some(""))
        );
        assert_eq!(
            render(&t),
            "MAILTO=x\n# Lines below here are managed by Salt, do not edit\nA=\"\"\n\
# two\n# lines SALT_CRON_IDENTIFIER:id1\n#DISABLED#5 2 * * 1 /bin/a  b\n\
# SALT_CRON_IDENTIFIER:sp\n@reboot /bin/c d\n"
        );
        assert_eq!(render(&Tab::default()), format!("{TAG}\n"));
    }

    #[test]
    fn matching_rules() {
        let mut j = parse(TEXT).crons[0].clone();
        assert!(matched(&j, "other", Some("id1")));
        assert!(!matched(&j, "/bin/a  b", None));
        j.identifier = None;
        assert!(matched(&j, "/bin/a  b", Some("new")));
        assert!(!matched(&j, "other", None));
        assert!(!matched(&j, "other", Some("new")));
        let s = |x: &str| Value::String(x.into());
        assert!(needs_change(&s("*"), &s("random")));
        assert!(!needs_change(&s("5"), &s("random")));
        assert!(!needs_change(&s("5"), &Value::Null));
        assert!(needs_change(&Value::Null, &s("x")));
    }
}
