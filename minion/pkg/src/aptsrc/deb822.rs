//! deb822 `.sources` sections, as Salt 3008.4's `Deb822Section` and
//! `Deb822SourceEntry` read and render them: `Tag: value` fields
//! (case-insensitive names, indented continuation lines), `#` lines before
//! the fields (header) and after them (footer).

use super::classic::{split_source_line, string_to_bool, ParseError};

/// One section of a `.sources` file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    /// (tag as written, value) in file order.
    pub tags: Vec<(String, String)>,
    pub header: Vec<String>,
    pub footer: Vec<String>,
}

/// `\A(\S+):\s*(\S.*|)`: the tag (up to the last `:` of the first word)
/// and the value of a field line.
fn field(line: &str) -> Option<(String, String)> {
    let word_end = line.find(char::is_whitespace).unwrap_or(line.len());
    let colon = line[..word_end].rfind(':').filter(|c| *c > 0)?;
    Some((
        line[..colon].to_string(),
        line[colon + 1..].trim_start().to_string(),
    ))
}

impl Section {
    /// `Deb822Section(text)`.
    pub fn parse(text: &str) -> Section {
        let mut s = Section::default();
        let mut raw: Vec<&str> = Vec::new();
        for line in halite_api::py::splitlines(text) {
            if line.starts_with('#') {
                if raw.is_empty() {
                    s.header.push(line.to_string());
                } else {
                    s.footer.push(line.to_string());
                }
            } else {
                raw.push(line);
            }
        }
        let mut current: Option<(String, String)> = None;
        for line in raw {
            match field(line) {
                Some(next) => {
                    if let Some((tag, value)) = current.replace(next) {
                        s.set(&tag, value.trim().to_string());
                    }
                }
                None => {
                    if let Some((_, value)) = current.as_mut() {
                        value.push('\n');
                        value.push_str(line);
                    }
                }
            }
        }
        if let Some((tag, value)) = current {
            s.set(&tag, value.trim().to_string());
        }
        s
    }

    /// The value of `key`, any case.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// Set `key`: an existing tag keeps its place (and spelling).
    pub fn set(&mut self, key: &str, value: String) {
        match self
            .tags
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            Some((_, v)) => *v = value,
            None => self.tags.push((key.to_string(), value)),
        }
    }

    /// Delete `key`; `false` when it was not there (Python's KeyError).
    pub fn remove(&mut self, key: &str) -> bool {
        let before = self.tags.len();
        self.tags.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        self.tags.len() != before
    }

    /// `str(section)`: header, `Tag: value` lines (empty values left
    /// out), footer.
    pub fn render(&self) -> String {
        let mut out = self.header.join("\n");
        if !self.header.is_empty() {
            out.push('\n');
        }
        for (k, v) in &self.tags {
            if !v.is_empty() {
                out.push_str(&format!("{k}: {v}\n"));
            }
        }
        out.push_str(&self.footer.join("\n"));
        if !self.footer.is_empty() {
            out.push('\n');
        }
        out
    }

    /// A multi-valued field as a list (`split_source_line`).
    pub fn multi(&self, key: &str) -> Vec<String> {
        split_source_line(self.get(key).unwrap_or(""))
    }

    /// `Enabled: no` → disabled.
    pub fn disabled(&self) -> Result<bool, ParseError> {
        Ok(!string_to_bool(self.get("Enabled").unwrap_or("yes"))?)
    }

    /// `Trusted`, when set.
    pub fn trusted(&self) -> Result<Option<bool>, ParseError> {
        self.get("Trusted").map(string_to_bool).transpose()
    }
}

/// `SourcesList.load_deb822_sections`: sections end at whitespace-only lines.
pub fn sections(text: &str) -> Vec<Section> {
    let mut out = Vec::new();
    let mut section = String::new();
    for line in text.split_inclusive('\n') {
        if !line.chars().all(char::is_whitespace) {
            section.push_str(line);
        } else if !section.is_empty() {
            out.push(Section::parse(&std::mem::take(&mut section)));
        }
    }
    if !section.is_empty() {
        out.push(Section::parse(&section));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_fields_and_comments() {
        let text = "# head\nTypes: deb deb-src\nURIs: http://a/\n  http://b/\nSuites: s1 s2\n# foot\n\n\nTypes: deb\nuris: http://c\n";
        let s = sections(text);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].header, ["# head"]);
        assert_eq!(s[0].footer, ["# foot"]);
        assert_eq!(s[0].multi("uris"), ["http://a/", "http://b/"]);
        assert_eq!(s[0].multi("Types"), ["deb", "deb-src"]);
        assert_eq!(s[1].get("URIs"), Some("http://c"));
        assert_eq!(
            s[0].render(),
            "# head\nTypes: deb deb-src\nURIs: http://a/\n  http://b/\nSuites: s1 s2\n# foot\n"
        );
        assert!(!s[0].disabled().unwrap());
    }
}
