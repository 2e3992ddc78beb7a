//! Salt's `ini` execution module (`salt/modules/ini_manage.py`):
//! get_option, set_option, remove_option, get_section, remove_section,
//! get_ini over the shared [`model`]. Like Salt, every call re-reads the
//! file, and the mutating ones write it back whole (normalised).

pub mod model;

use halite_api::{ExecCall, ExecError, ExecSpec, Map, Value};

use super::{ok, reject_unknown_kwargs, required_str, ExecResult};
use model::{Entry, Ini, IniError};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "ini.set_option", doc: "Edit an ini file, replacing one or more sections. Returns a dictionary containing the changes made.", run: set_option },
    ExecSpec { name: "ini.get_option", doc: "Get value of a key from a section in an ini file. Returns ``None`` if no matching key was found.", run: get_option },
    ExecSpec { name: "ini.remove_option", doc: "Remove a key/value pair from a section in an ini file. Returns the value of the removed key, or ``None`` if nothing was removed.", run: remove_option },
    ExecSpec { name: "ini.get_section", doc: "Retrieve a section from an ini file. Returns the section as a dictionary. If the section is not found, an empty dictionary is returned.", run: get_section },
    ExecSpec { name: "ini.remove_section", doc: "Remove a section in an ini file. Returns the removed section as a dictionary, or ``None`` if nothing is removed.", run: remove_section },
    ExecSpec { name: "ini.get_ini", doc: "Retrieve the whole structure from an ini file and return it as a dictionary.", run: get_ini },
];

/// Where the ini functions' shared arguments sit and what they hold.
pub struct Opts {
    pub separator: String,
    pub no_spaces: bool,
    pub test: bool,
}

impl Opts {
    fn from_call(call: &ExecCall<'_>, sep_idx: usize) -> Result<Opts, ExecError> {
        check_encoding(call.arg(sep_idx + 1, "encoding"))?;
        Ok(Opts {
            separator: call
                .arg_str(sep_idx, "separator")
                .unwrap_or_else(|| "=".into()),
            no_spaces: call
                .arg(sep_idx + 2, "no_spaces")
                .is_some_and(halite_api::module::value_to_bool),
            test: call.ctx.test,
        })
    }

    pub fn load(&self, file: &str) -> Result<Ini, IniError> {
        Ini::load(file, &self.separator, self.no_spaces, self.test)
    }
}

/// Only UTF-8 (Salt's default system encoding here) is read and written.
pub fn check_encoding(v: Option<&Value>) -> Result<(), ExecError> {
    match v {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s))
            if matches!(
                s.to_ascii_lowercase().replace('_', "-").as_str(),
                "utf-8" | "utf8"
            ) =>
        {
            Ok(())
        }
        Some(other) => Err(ExecError::Failed(format!(
            "encoding {} is not supported by Halite (only utf-8)",
            halite_api::py::str_of(other)
        ))),
    }
}

fn fail(e: IniError) -> ExecError {
    ExecError::Failed(e.to_string())
}

/// A `section` argument: None or a string (Salt compares with `if section`).
fn section_arg(call: &ExecCall<'_>) -> Option<String> {
    call.arg(1, "section")
        .filter(|v| !v.is_null())
        .map(halite_api::py::str_of)
}

/// `set_option`: merge `sections` in, write, return the changes.
pub fn set(file: &str, sections: &Map, o: &Opts) -> Result<Map, IniError> {
    let mut ini = o.load(file)?;
    let changes = ini.root.update(sections)?;
    ini.flush()?;
    Ok(changes)
}

/// `remove_option`: pop from the section when it is one, else from the top.
pub fn remove_opt(
    file: &str,
    section: Option<&str>,
    option: &str,
    o: &Opts,
) -> Result<Option<Entry>, IniError> {
    let mut ini = o.load(file)?;
    let target = match section.and_then(|s| ini.root.entries.iter_mut().find(|(k, _)| k == s)) {
        Some((_, Entry::Section(s))) => s,
        _ => &mut ini.root,
    };
    let value = target.pop(option);
    ini.flush()?;
    Ok(value)
}

/// `remove_section`: pop the section (flushing), its visible entries.
pub fn remove_sect(file: &str, section: &str, o: &Opts) -> Result<Option<Map>, IniError> {
    let mut ini = o.load(file)?;
    let Some(entry) = ini.root.pop(section) else {
        return Ok(None);
    };
    ini.flush()?;
    match entry {
        Entry::Section(s) => Ok(Some(s.visible(false))),
        Entry::Text(_) => Err(IniError::Python(
            "'str' object has no attribute 'items'".into(),
        )),
    }
}

/// `get_section`: the visible entries of a section (`{}` when missing).
pub fn section_of(file: &str, section: &str, o: &Opts) -> Result<Map, IniError> {
    let ini = o.load(file)?;
    match ini.root.get(section) {
        None => Ok(Map::new()),
        Some(Entry::Section(s)) => Ok(s.visible(false)),
        Some(Entry::Text(_)) => Err(IniError::Python(
            "'str' object has no attribute 'items'".into(),
        )),
    }
}

/// `get_option`: a section's option, or a top-level one without `section`.
pub fn option_of(
    file: &str,
    section: Option<&str>,
    option: &str,
    o: &Opts,
) -> Result<Value, IniError> {
    let ini = o.load(file)?;
    let entry = match section.filter(|s| !s.is_empty()) {
        Some(s) => match ini.root.get(s) {
            Some(Entry::Section(sect)) => sect.get(option),
            _ => None,
        },
        None => ini.root.get(option),
    };
    Ok(entry.map_or(Value::Null, Entry::to_value))
}

fn set_option(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(
        call,
        &[
            "file_name",
            "sections",
            "separator",
            "encoding",
            "no_spaces",
        ],
    )?;
    let file = required_str(call, 0, "file_name")?;
    let sections = match call.arg(1, "sections") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => {
            return Err(ExecError::Failed(format!(
                "'{}' object has no attribute 'items'",
                model::py_type(other)
            )))
        }
    };
    let o = Opts::from_call(call, 2)?;
    ok(Value::Object(set(&file, &sections, &o).map_err(fail)?))
}

/// `(file_name, section, option, separator, encoding)` of `get_option`
/// and `remove_option`.
fn option_args(call: &ExecCall<'_>) -> Result<(String, String, Opts), ExecError> {
    reject_unknown_kwargs(
        call,
        &["file_name", "section", "option", "separator", "encoding"],
    )?;
    let file = required_str(call, 0, "file_name")?;
    let option = required_str(call, 2, "option")?;
    Ok((file, option, Opts::from_call(call, 3)?))
}

fn get_option(call: &ExecCall<'_>) -> ExecResult {
    let (file, option, o) = option_args(call)?;
    ok(option_of(&file, section_arg(call).as_deref(), &option, &o).map_err(fail)?)
}

fn remove_option(call: &ExecCall<'_>) -> ExecResult {
    let (file, option, o) = option_args(call)?;
    let v = remove_opt(&file, section_arg(call).as_deref(), &option, &o).map_err(fail)?;
    ok(v.map_or(Value::Null, |e| e.to_value()))
}

fn get_section(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["file_name", "section", "separator", "encoding"])?;
    let file = required_str(call, 0, "file_name")?;
    let section = required_str(call, 1, "section")?;
    let o = Opts::from_call(call, 2)?;
    ok(Value::Object(
        section_of(&file, &section, &o).map_err(fail)?,
    ))
}

fn remove_section(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["file_name", "section", "separator", "encoding"])?;
    let file = required_str(call, 0, "file_name")?;
    let section = required_str(call, 1, "section")?;
    let o = Opts::from_call(call, 2)?;
    let v = remove_sect(&file, &section, &o).map_err(fail)?;
    ok(v.map_or(Value::Null, Value::Object))
}

fn get_ini(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["file_name", "separator", "encoding"])?;
    let file = required_str(call, 0, "file_name")?;
    let o = Opts::from_call(call, 1)?;
    let ini = o.load(&file).map_err(fail)?;
    ok(Value::Object(ini.root.visible(true)))
}

#[cfg(test)]
mod tests;
