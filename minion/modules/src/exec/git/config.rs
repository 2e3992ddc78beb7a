//! Salt's `git.config_get`, `config_get_regexp`, `config_set` and
//! `config_unset` over `git config`.

use halite_api::{ExecError, Map, Value};

use super::run::{expand_path, Git, RunAs};
use crate::util::shell::RunResult;

fn invocation(msg: impl Into<String>) -> ExecError {
    ExecError::Invocation(msg.into())
}

/// Where a config key lives: a checkout (`cwd`) or the global file.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub cwd: Option<String>,
    pub global: bool,
    pub who: RunAs,
}

impl Scope {
    /// The expanded `cwd`, or Salt's refusal without `global`.
    fn cwd(&self) -> Result<Option<String>, ExecError> {
        match &self.cwd {
            None if !self.global => Err(invocation("'cwd' argument required unless global=True")),
            None => Ok(None),
            Some(c) => Ok(Some(expand_path(c, self.who.user.as_deref()))),
        }
    }
}

/// `multivar` as Salt takes it: a list (items stringified) or a string split at commas.
pub fn multivar_list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().map(halite_api::py::str_of).collect(),
        other => halite_api::py::str_of(other)
            .split(',')
            .map(str::to_string)
            .collect(),
    }
}

impl Git<'_> {
    /// `_config_getter(get_opt, key, value_regex, ...)`.
    fn getter(
        &self,
        opt: &str,
        key: &str,
        value_regex: Option<&str>,
        s: &Scope,
    ) -> Result<RunResult, ExecError> {
        let cwd = s.cwd()?;
        let mut argv = vec!["git".to_string(), "config".into()];
        argv.extend(self.which_config(s.global, cwd.as_deref().unwrap_or_default(), &s.who)?);
        argv.push(opt.into());
        argv.push(key.into());
        if let Some(v) = value_regex.filter(|_| opt == "--get-regexp") {
            argv.push(v.into());
        }
        self.run(&argv, cwd.as_deref(), &s.who, false)
    }

    /// `config_get(key, all=...)`: `None` for a missing key, the last value
    /// (or every value with `all`).
    pub fn config_get(&self, key: &str, all: bool, s: &Scope) -> Result<Value, ExecError> {
        let res = self.getter("--get-all", key, None, s)?;
        if res.retcode == 1 {
            return Ok(Value::Null);
        }
        let lines: Vec<Value> = res
            .stdout
            .lines()
            .map(|l| Value::String(l.into()))
            .collect();
        Ok(if all {
            Value::Array(lines)
        } else {
            lines
                .last()
                .cloned()
                .unwrap_or(Value::String(String::new()))
        })
    }

    /// `config_get_regexp(key, value_regex)`: `{key: [values]}`.
    pub fn config_get_regexp(
        &self,
        key: &str,
        value_regex: Option<&str>,
        s: &Scope,
    ) -> Result<Map, ExecError> {
        let res = self.getter("--get-regexp", key, value_regex, s)?;
        let mut ret = Map::new();
        if res.retcode == 1 {
            return Ok(ret);
        }
        for line in res.stdout.lines() {
            let mut it = line.trim_start().splitn(2, char::is_whitespace);
            let (Some(param), Some(value)) = (it.next(), it.next().map(str::trim_start)) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            let entry = ret
                .entry(param.to_string())
                .or_insert_with(|| Value::Array(vec![]));
            if let Value::Array(a) = entry {
                a.push(Value::String(value.into()));
            }
        }
        Ok(ret)
    }

    /// `config_set(key, value | multivar, add=...)`: every value after the change.
    pub fn config_set(
        &self,
        key: &str,
        value: Option<&str>,
        multivar: Option<&[String]>,
        add: bool,
        s: &Scope,
    ) -> Result<Value, ExecError> {
        let cwd = s.cwd()?;
        if value.is_some() && multivar.is_some() {
            return Err(invocation(
                "Only one of 'value' and 'multivar' is permitted",
            ));
        }
        let mut prefix = vec!["git".to_string(), "config".into()];
        if s.global {
            prefix.push("--global".into());
        }
        let targets: Vec<(&str, &str)> = match (value, multivar) {
            (Some(v), _) => vec![(if add { "--add" } else { "--replace-all" }, v)],
            (None, Some(m)) => m
                .iter()
                .enumerate()
                .map(|(i, t)| (if i == 0 { "--replace-all" } else { "--add" }, t.as_str()))
                .collect(),
            (None, None) => {
                return Err(ExecError::Failed(
                    "TypeError: 'NoneType' object is not iterable".into(),
                ))
            }
        };
        for (flag, target) in targets {
            let mut argv = prefix.clone();
            argv.extend([flag.to_string(), key.to_string(), target.to_string()]);
            self.run(&argv, cwd.as_deref(), &s.who, true)?;
        }
        let scope = Scope { cwd, ..s.clone() };
        self.config_get(key, true, &scope)
    }

    /// `config_unset(key, value_regex, all=...)`.
    pub fn config_unset(
        &self,
        key: &str,
        value_regex: Option<&str>,
        all: bool,
        s: &Scope,
    ) -> Result<bool, ExecError> {
        let cwd = s.cwd()?;
        let mut argv = vec!["git".to_string(), "config".into()];
        argv.push(if all { "--unset-all" } else { "--unset" }.into());
        argv.extend(self.which_config(s.global, cwd.as_deref().unwrap_or_default(), &s.who)?);
        argv.push(key.into());
        if let Some(v) = value_regex {
            argv.push(v.into());
        }
        let run_cwd = cwd.as_deref().filter(|c| *c != "global");
        let res = self.run(&argv, run_cwd, &s.who, false)?;
        let fail = |m: String| Err(ExecError::Failed(m));
        match res.retcode {
            0 => Ok(true),
            1 => fail("Section or key is invalid".into()),
            5 => {
                let scope = Scope {
                    cwd,
                    global: false,
                    who: s.who.clone(),
                };
                if self.config_get(key, false, &scope)?.is_null() {
                    return fail(format!("Key '{key}' does not exist"));
                }
                let mut msg = format!("Multiple values exist for key '{key}'");
                if value_regex.is_some() {
                    msg.push_str(" and value_regex matches multiple values");
                }
                fail(msg)
            }
            6 => fail("The value_regex is invalid".into()),
            rc => {
                let mut msg =
                    format!("Failed to unset key '{key}', git config returned exit code {rc}");
                if !res.stderr.is_empty() {
                    msg.push_str(&format!("; {}", res.stderr));
                }
                fail(msg)
            }
        }
    }
}
