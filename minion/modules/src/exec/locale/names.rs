//! Salt's `salt.utils.locales`: split, join and normalize a locale name
//! `language[_territory][.codeset][@modifier] [charmap]`.

/// The parts of a locale name (`split_locale`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Locale {
    pub language: String,
    pub territory: String,
    pub codeset: String,
    pub modifier: String,
    pub charmap: String,
}

/// Split `st` once at `ch`; the second part is empty when `ch` is absent.
fn split(st: &str, ch: char) -> (String, String) {
    match st.split_once(ch) {
        Some((a, b)) => (a.into(), b.into()),
        None => (st.into(), String::new()),
    }
}

impl Locale {
    /// `split_locale`.
    pub fn split(loc: &str) -> Self {
        let (work, charmap) = split(loc, ' ');
        let (work, modifier) = split(&work, '@');
        let (work, codeset) = split(&work, '.');
        let (language, territory) = split(&work, '_');
        Locale {
            language,
            territory,
            codeset,
            modifier,
            charmap,
        }
    }

    /// `join_locale`.
    pub fn join(&self) -> String {
        let mut loc = self.language.clone();
        for (sep, part) in [
            ('_', &self.territory),
            ('.', &self.codeset),
            ('@', &self.modifier),
            (' ', &self.charmap),
        ] {
            if !part.is_empty() {
                loc.push(sep);
                loc.push_str(part);
            }
        }
        loc
    }
}

/// `normalize_locale`: the form `locale -a` prints (`en_US.utf8`).
pub fn normalize(loc: &str) -> String {
    let mut c = Locale::split(loc);
    c.territory = c.territory.to_uppercase();
    c.codeset = c.codeset.to_lowercase().replace('-', "");
    c.charmap.clear();
    c.join()
}

#[cfg(test)]
mod tests {
    use super::{normalize, Locale};

    #[test]
    fn split_join_normalize() {
        let l = Locale::split("ca_ES.UTF-8@valencia UTF-8");
        assert_eq!(
            (
                l.language.as_str(),
                l.territory.as_str(),
                l.codeset.as_str()
            ),
            ("ca", "ES", "UTF-8")
        );
        assert_eq!(
            (l.modifier.as_str(), l.charmap.as_str()),
            ("valencia", "UTF-8")
        );
        assert_eq!(l.join(), "ca_ES.UTF-8@valencia UTF-8");
        assert_eq!(normalize("en_us.UTF-8 UTF-8"), "en_US.utf8");
        assert_eq!(normalize("C.UTF-8"), "C.utf8");
        assert_eq!(normalize("c.utf8"), "c.utf8");
    }
}
