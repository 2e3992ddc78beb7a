//! Salt's `file.replace` and `file.search` execution functions as other
//! modules call them (`__salt__["file.replace"](path, pattern, repl,
//! append_if_not_found=...)`): a thin front over the one implementation,
//! `exec::file::replace`, with Salt's defaults.

use std::path::Path;

use halite_api::{ExecError, Value};

use crate::exec::file::replace::{self as file_replace, ReplaceOpts};
use crate::util::atomic;

/// `file.search(path, pattern)` (MULTILINE).
pub fn search(path: &Path, pattern: &str) -> Result<bool, ExecError> {
    let mut o = ReplaceOpts::new(&path.to_string_lossy(), pattern, "");
    o.search_only = true;
    Ok(file_replace::replace(&o)? == Value::Bool(true))
}

/// `file.replace(path, pattern, repl[, append_if_not_found=True])`: whether
/// the file changed; the old text is kept as `<path>.bak` when it did.
pub fn replace(path: &Path, pattern: &str, repl: &str, append: bool) -> Result<bool, ExecError> {
    let mut o = ReplaceOpts::new(&path.to_string_lossy(), pattern, repl);
    o.append_if_not_found = append;
    o.show_changes = false;
    Ok(file_replace::replace(&o)? == Value::Bool(true))
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
    use super::replace;

    const PAT: &str = r"^\s*#\s*en_US.UTF-8 UTF-8\s*$";
    const REPL: &str = "en_US.UTF-8 UTF-8\n";

    /// `replace` on a file holding `old`: the text after it (None: unchanged).
    fn replaced(old: &str, pattern: &str, repl: &str, append: bool) -> Option<String> {
        let dir = crate::testutil::TempDir::new("util-replace");
        let f = dir.path("f");
        std::fs::write(&f, old).unwrap();
        let changed = replace(&f, pattern, repl, append).unwrap();
        let now = std::fs::read_to_string(&f).unwrap();
        assert_eq!(changed, now != old, "{old:?}");
        changed.then_some(now)
    }

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
            assert_eq!(replaced(old, PAT, REPL, true).as_deref(), new, "{old:?}");
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
                replaced(old, "^LANG=.*", "LANG=\"de\"", true).as_deref(),
                new,
                "{old:?}"
            );
        }
        assert_eq!(replaced("LANG=C\n", "^LC_ALL=.*", "LC_ALL=C", false), None);
    }
}
