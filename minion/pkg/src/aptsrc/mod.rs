//! apt sources as Salt 3008.4's `salt.utils.pkg.deb.SourcesList` sees them
//! (the path salt-call takes on Debian without python-apt): `sources.list`
//! and `sources.list.d/*.list` line by line ([`classic`]), `*.sources` as
//! deb822 sections ([`deb822`]), read in directory order and saved file by
//! file; [`repos`] has aptpkg's `list_repos`, `get_repo`, `del_repo`,
//! `mod_repo` and `_expand_repo_def` over them.

use std::path::{Path, PathBuf};

pub mod classic;
pub mod deb822;
pub mod expand;
pub mod repos;

use classic::{Classic, ParseError};
use deb822::Section;

/// A deb822 section and its file.
#[derive(Debug, Clone, PartialEq)]
pub struct Deb822 {
    pub section: Section,
    pub file: String,
}

/// One entry of the sources, either format.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Classic(Classic),
    Deb822(Deb822),
}

impl Entry {
    pub fn file(&self) -> &str {
        match self {
            Entry::Classic(c) => &c.file,
            Entry::Deb822(d) => &d.file,
        }
    }

    pub fn set_file(&mut self, file: String) {
        match self {
            Entry::Classic(c) => c.file = file,
            Entry::Deb822(d) => d.file = file,
        }
    }

    /// `invalid`: a line that is no entry, a section without fields.
    pub fn invalid(&self) -> bool {
        match self {
            Entry::Classic(c) => c.invalid,
            Entry::Deb822(d) => d.section.tags.is_empty(),
        }
    }

    /// `type`: the line's type, or the raw `Types` field.
    pub fn kind(&self) -> String {
        match self {
            Entry::Classic(c) => c.kind.clone(),
            Entry::Deb822(d) => d.section.get("Types").unwrap_or("").to_string(),
        }
    }

    pub fn types(&self) -> Vec<String> {
        match self {
            Entry::Classic(c) => vec![c.kind.clone()],
            Entry::Deb822(d) => d.section.multi("Types"),
        }
    }

    pub fn uris(&self) -> Vec<String> {
        match self {
            Entry::Classic(c) => vec![c.uri.clone()],
            Entry::Deb822(d) => d.section.multi("URIs"),
        }
    }

    pub fn suites(&self) -> Vec<String> {
        match self {
            Entry::Classic(c) => c.suites(),
            Entry::Deb822(d) => d.section.multi("Suites"),
        }
    }

    pub fn comps(&self) -> Vec<String> {
        match self {
            Entry::Classic(c) => c.comps.clone(),
            Entry::Deb822(d) => d.section.multi("Components"),
        }
    }

    pub fn architectures(&self) -> Vec<String> {
        match self {
            Entry::Classic(c) => c.architectures.clone(),
            Entry::Deb822(d) => d.section.multi("Architectures"),
        }
    }

    pub fn disabled(&self) -> Result<bool, ParseError> {
        match self {
            Entry::Classic(c) => Ok(c.disabled),
            Entry::Deb822(d) => d.section.disabled(),
        }
    }

    /// `signedby`: a line's (maybe empty) text; a section's field or `None`.
    pub fn signedby(&self) -> Option<String> {
        match self {
            Entry::Classic(c) => Some(c.signedby.clone()),
            Entry::Deb822(d) => d.section.get("Signed-By").map(String::from),
        }
    }

    pub fn trusted(&self) -> Result<Option<bool>, ParseError> {
        match self {
            Entry::Classic(c) => Ok(c.trusted),
            Entry::Deb822(d) => d.section.trusted(),
        }
    }

    /// `str(entry)`.
    pub fn render(&self) -> String {
        match self {
            Entry::Classic(c) => c.render(),
            Entry::Deb822(d) => d.section.render().trim().to_string(),
        }
    }
}

/// Every entry of `root`'s sources, in Salt's order.
#[derive(Debug, Clone)]
pub struct SourcesList {
    pub root: PathBuf,
    pub entries: Vec<Entry>,
}

/// The default file of a new entry (`_APT_SOURCES_LIST`).
pub fn default_file(root: &Path) -> String {
    root.join("sources.list").display().to_string()
}

impl SourcesList {
    /// `SourcesList()`: `sources.list`, then `sources.list.d/` in directory
    /// order (`*.list`, `*.sources`, regular files only).
    pub fn load(root: &Path) -> SourcesList {
        let mut list = SourcesList {
            root: root.to_path_buf(),
            entries: Vec::new(),
        };
        let main = root.join("sources.list");
        if main.is_file() {
            list.load_file(&main);
        }
        if let Ok(rd) = std::fs::read_dir(root.join("sources.list.d")) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let path = e.path();
                if (name.ends_with(".sources") || name.ends_with(".list")) && path.is_file() {
                    list.load_file(&path);
                }
            }
        }
        list
    }

    /// One file; an unreadable entry ends the file, as Salt's `load` logs
    /// the error and goes on with the next file.
    fn load_file(&mut self, path: &Path) {
        let file = path.display().to_string();
        let Ok(text) = std::fs::read_to_string(path) else {
            tracing::error!("Could not parse source file '{file}'");
            return;
        };
        let text = text.replace("\r\n", "\n");
        if file.ends_with(".sources") {
            for section in deb822::sections(&text) {
                self.entries.push(Entry::Deb822(Deb822 {
                    section,
                    file: file.clone(),
                }));
            }
            return;
        }
        for line in text.split_inclusive('\n') {
            match Classic::parse(line, &file) {
                Ok(c) => self.entries.push(Entry::Classic(c)),
                Err(e) => {
                    tracing::error!("Could not parse source file '{file}': {e}");
                    return;
                }
            }
        }
    }

    /// `save()`: each file rewritten from its entries (deb822 sections
    /// separated by a blank line); no entries at all: `sources.list` gets
    /// Salt's header. Files whose text is unchanged are left alone.
    pub fn save(&self) -> std::io::Result<()> {
        if self.entries.is_empty() {
            let header = "## See sources.list(5) for more information, especialy\n# Remember that you can only use http, ftp or file URIs\n# CDROMs are managed through the apt-cdrom tool.\n";
            if self.root.is_dir() {
                write_if_changed(&self.root.join("sources.list"), header)?;
            }
            return Ok(());
        }
        let mut files: Vec<(String, String)> = Vec::new();
        for e in &self.entries {
            let at = match files.iter().position(|(f, _)| f == e.file()) {
                Some(at) => {
                    if matches!(e, Entry::Deb822(_)) {
                        files[at].1.push('\n');
                    }
                    at
                }
                None => {
                    files.push((e.file().to_string(), String::new()));
                    files.len() - 1
                }
            };
            files[at].1.push_str(&e.render());
            files[at].1.push('\n');
        }
        for (file, text) in files {
            write_if_changed(Path::new(&file), &text)?;
        }
        Ok(())
    }
}

fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|t| t == text) {
        return Ok(());
    }
    halite_api::atomic::write_atomic(path, text.as_bytes(), 0o644)
}
