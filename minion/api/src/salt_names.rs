//! The names of Salt 3008.4's execution and state functions (every module,
//! whatever its `__virtual__` says on a host), generated into
//! `data/salt-functions.txt` by `tests/scripts/compat-table.py`: a function
//! Halite lacks can be told apart from one Salt has not either.

use std::collections::BTreeSet;
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/salt-functions.txt");

/// Which loader a name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Exec,
    State,
}

fn names() -> &'static BTreeSet<(Kind, &'static str)> {
    static NAMES: OnceLock<BTreeSet<(Kind, &'static str)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        DATA.lines()
            .filter_map(|line| match line.split_once(' ') {
                Some(("exec", name)) => Some((Kind::Exec, name)),
                Some(("state", name)) => Some((Kind::State, name)),
                _ => None,
            })
            .collect()
    })
}

/// Is `name` (`mod.fun`) one of Salt 3008.4's functions of that kind?
pub fn is_salt(kind: Kind, name: &str) -> bool {
    names().contains(&(kind, name))
}

/// `'mod.fun' is a Salt function Halite does not implement yet` when Salt
/// has `name` (for a registry that lacks it), else `None`.
pub fn not_yet(kind: Kind, name: &str) -> Option<String> {
    let what = match kind {
        Kind::Exec => "function",
        Kind::State => "state",
    };
    is_salt(kind, name).then(|| {
        format!(
            "'{name}' is a Salt {what} Halite does not implement yet (halite audit lists them all)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_salt_functions_of_each_kind() {
        assert!(is_salt(Kind::Exec, "file.copy"));
        assert!(is_salt(Kind::Exec, "pkg.install")); // aptpkg, yumpkg, ... share `pkg`
        assert!(is_salt(Kind::Exec, "service.start")); // systemd_service
        assert!(is_salt(Kind::State, "file.copy"));
        assert!(!is_salt(Kind::State, "file.read")); // exec only
        assert!(!is_salt(Kind::Exec, "foo.bar"));
        assert!(!is_salt(Kind::Exec, "halite_net.show"));
    }

    #[test]
    fn not_yet_names_the_kind_only_for_salt_names() {
        assert_eq!(
            not_yet(Kind::State, "file.copy").as_deref(),
            Some("'file.copy' is a Salt state Halite does not implement yet (halite audit lists them all)")
        );
        assert_eq!(not_yet(Kind::Exec, "foo.bar"), None);
    }
}
