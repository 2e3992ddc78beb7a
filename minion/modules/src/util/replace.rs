//! Salt's `file.replace` and `file.search` execution functions as other
//! modules call them: flags `MULTILINE`, `count=0`, backup `.bak`,
//! optional `append_if_not_found` (the content check
//! `^<escaped repl>($|(?=\r\n))` included), the file resolved through its
//! symlinks and written atomically with its mode and owner kept.

use std::path::{Path, PathBuf};

use halite_api::ExecError;
use regex::Regex;

use crate::util::atomic;

fn invocation(msg: String) -> ExecError {
    ExecError::Invocation(msg)
}

/// Python `re.compile(pattern, re.MULTILINE)` (Rust's syntax; the patterns
/// the callers build are plain text with `^`, `$`, `\s` and `.`).
fn compile(pattern: &str) -> Result<Regex, ExecError> {
    Regex::new(&format!("(?m){pattern}")).map_err(|e| ExecError::Failed(format!("error: {e}")))
}

/// `os.path.realpath`, and Salt's `File not found: <path>` when missing.
fn resolve(path: &Path) -> Result<PathBuf, ExecError> {
    std::fs::canonicalize(path)
        .map_err(|_| invocation(format!("File not found: {}", path.display())))
}

fn read(path: &Path) -> Result<String, ExecError> {
    std::fs::read_to_string(path).map_err(|e| {
        ExecError::Failed(format!(
            "Unable to open file '{}'. Exception: {}",
            path.display(),
            crate::util::pyerr::os_error(&e, &path.to_string_lossy())
        ))
    })
}

/// `file.search(path, pattern, flags=re.MULTILINE)`.
pub fn search(path: &Path, pattern: &str) -> Result<bool, ExecError> {
    let real = resolve(path)?;
    let re = compile(pattern)?;
    Ok(re.is_match(&read(&real)?))
}

/// Python's `str.splitlines(True)` for `\n` line ends.
fn lines(text: &str) -> Vec<&str> {
    crate::util::diff::lines_keepends(text)
}

/// The new text `file.replace` would write, or `None` without a change.
pub fn replaced(
    text: &str,
    pattern: &str,
    repl: &str,
    append: bool,
) -> Result<Option<String>, ExecError> {
    let re = compile(pattern)?;
    let rust_repl = crate::states::file::edit::python_repl(repl, false);
    let mut found = re.is_match(text);
    let result = re.replace_all(text, rust_repl.as_str()).into_owned();
    if append {
        let content = Regex::new(&format!("(?m)^{}($|\r\n)", regex::escape(repl)))
            .map_err(|e| ExecError::Failed(format!("error: {e}")))?;
        found |= content.is_match(text);
    }
    let mut new_file: Vec<String> = lines(&result).into_iter().map(String::from).collect();
    let mut changed = lines(text) != lines(&result);
    if !found && append {
        if let Some(last) = new_file.last_mut() {
            if !last.ends_with('\n') {
                last.push('\n');
            }
        }
        new_file.push(format!("{repl}\n"));
        changed = true;
    }
    Ok(changed.then(|| new_file.concat()))
}

/// `file.replace(path, pattern, repl[, append_if_not_found=True])`: whether
/// the file changed; the old text is kept as `<path>.bak` when it did.
pub fn replace(path: &Path, pattern: &str, repl: &str, append: bool) -> Result<bool, ExecError> {
    let real = resolve(path)?;
    let text = read(&real)?;
    let Some(new) = replaced(&text, pattern, repl, append)? else {
        return Ok(false);
    };
    let fail = |e: std::io::Error| ExecError::Failed(format!("Exception: {e}"));
    let mut bak = real.clone().into_os_string();
    bak.push(".bak");
    atomic::write_atomic(Path::new(&bak), text.as_bytes(), 0o644).map_err(fail)?;
    atomic::write_atomic(&real, new.as_bytes(), 0o644).map_err(fail)?;
    Ok(true)
}

/// `file.touch` of a missing file (an existing one is left as it is).
pub fn touch(path: &Path) -> Result<(), ExecError> {
    if path.exists() {
        return Ok(());
    }
    atomic::write_atomic(path, b"", 0o644).map_err(|e| ExecError::Failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::replaced;

    const PAT: &str = r"^\s*#\s*en_US.UTF-8 UTF-8\s*$";
    const REPL: &str = "en_US.UTF-8 UTF-8\n";

    /// Each pair was produced by Salt 3008.4's `file.replace` with gen_locale's arguments.
    #[test]
    fn gen_locale_edits_as_salt() {
        let cases = [
            (
                "# en_US.UTF-8 UTF-8\n# de_DE.UTF-8 UTF-8\n",
                Some("en_US.UTF-8 UTF-8\n\n# de_DE.UTF-8 UTF-8\n"),
            ),
            (
                "# de_DE.UTF-8 UTF-8",
                Some("# de_DE.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\n\n"),
            ),
            ("x\nen_US.UTF-8 UTF-8\n", None),
            ("x\nen_US.UTF-8 UTF-8\n\n", None),
            (
                "x\n  #  en_US.UTF-8 UTF-8  \n",
                Some("x\nen_US.UTF-8 UTF-8\n"),
            ),
            (
                "x\n# en_US.UTF-8 UTF-8\n\ny\n",
                Some("x\nen_US.UTF-8 UTF-8\n\ny\n"),
            ),
        ];
        for (old, new) in cases {
            assert_eq!(
                replaced(old, PAT, REPL, true).unwrap().as_deref(),
                new,
                "{old:?}"
            );
        }
    }

    /// Salt 3008.4's `file.replace(f, '^LANG=.*', 'LANG="de"', append_if_not_found=True)`.
    #[test]
    fn set_locale_edits_as_salt() {
        let cases = [
            ("LANG=C\nLC_ALL=x\n", Some("LANG=\"de\"\nLC_ALL=x\n")),
            ("", Some("LANG=\"de\"\n")),
            ("LANG=\"de\"\n", None),
        ];
        for (old, new) in cases {
            assert_eq!(
                replaced(old, "^LANG=.*", "LANG=\"de\"", true)
                    .unwrap()
                    .as_deref(),
                new,
                "{old:?}"
            );
        }
        assert_eq!(
            replaced("LANG=C\n", "^LC_ALL=.*", "LC_ALL=C", false).unwrap(),
            None
        );
    }
}
