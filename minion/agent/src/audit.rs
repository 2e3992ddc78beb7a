//! `halite audit PATH...`: before a state tree is rolled out, the Salt
//! states and execution functions it names that Halite does not implement.
//! A static scan of `.sls` and `.jinja` files (the text before rendering,
//! so branches for other grains count too): state declarations
//! (`pkg.installed:` and the short form `pkg:` + `- installed`) and calls
//! (`salt['mod.fun']`, `salt.mod.fun(`), checked against the registry of
//! `halite call` and `halite minion`. Exit 0: nothing missing; 2: some.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use halite_api::Registry;
use regex::Regex;

/// What a tree names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    State,
    Function,
}

/// One place a state or function is named.
#[derive(Debug, Clone, PartialEq)]
pub struct Use {
    pub kind: Kind,
    pub name: String,
    pub file: PathBuf,
    pub line: usize,
}

struct Patterns {
    dotted_state: Regex,
    short_key: Regex,
    bare_item: Regex,
    call_index: Regex,
    call_attr: Regex,
}

impl Patterns {
    fn new() -> Patterns {
        let re = |p: &str| Regex::new(p).expect("audit pattern");
        Patterns {
            dotted_state: re(
                r"^(\s+)(?:-\s+)?([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*):\s*(?:\[\]|\{\})?\s*(?:#.*)?$",
            ),
            short_key: re(r"^(\s+)([a-z_][a-z0-9_]*):\s*(?:#.*)?$"),
            bare_item: re(r"^\s+-\s+([a-z_][a-z0-9_]*)\s*(?:#.*)?$"),
            call_index: re(r#"salt\[\s*['"]([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)['"]\s*\]"#),
            call_attr: re(r"\bsalt\.([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\s*\("),
        }
    }
}

/// Every use in one file's text.
pub fn scan_text(text: &str, file: &Path) -> Vec<Use> {
    let p = Patterns::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut push = |kind, name: String, line| {
        out.push(Use {
            kind,
            name,
            file: file.to_path_buf(),
            line,
        })
    };
    for (i, line) in lines.iter().enumerate() {
        for re in [&p.call_index, &p.call_attr] {
            for c in re.captures_iter(line) {
                push(Kind::Function, c[1].to_string(), i + 1);
            }
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("{%") || trimmed.starts_with("{#") {
            continue;
        }
        if let Some(c) = p.dotted_state.captures(line) {
            if is_state_level(&lines, i, c[1].len()) {
                push(Kind::State, format!("{}.{}", &c[2], &c[3]), i + 1);
            }
            continue;
        }
        if let Some(c) = p.short_key.captures(line) {
            let indent = c[1].len();
            let next = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
            let fun = next
                .and_then(|n| p.bare_item.captures(n))
                .map(|m| m[1].to_string());
            if let Some(fun) = fun.filter(|_| is_state_level(&lines, i, indent)) {
                push(Kind::State, format!("{}.{fun}", &c[2]), i + 1);
            }
        }
    }
    out
}

/// Is the key on line `i` (indented `indent`) directly under a top-level
/// ID (or under an `extend:` ID)?
fn is_state_level(lines: &[&str], i: usize, indent: usize) -> bool {
    let parent = lines[..i].iter().rev().find(|l| {
        let t = l.trim_start();
        !t.is_empty() && !t.starts_with('#') && !t.starts_with("{%") && l.len() - t.len() < indent
    });
    match parent {
        Some(l) => {
            let parent_indent = l.len() - l.trim_start().len();
            parent_indent == 0 || lines[..i].iter().rev().any(|x| x.trim_end() == "extend:")
        }
        None => false,
    }
}

/// The `.sls` and `.jinja` files under `path` (or `path` itself), sorted.
fn files_of(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "sls" || e == "jinja") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Uses of what `registry` lacks, by kind and name: (count, first use).
pub fn missing(uses: &[Use], registry: &Registry) -> BTreeMap<(Kind, String), (usize, Use)> {
    let mut out: BTreeMap<(Kind, String), (usize, Use)> = BTreeMap::new();
    for u in uses {
        let known = match u.kind {
            Kind::State => registry.state(&u.name).is_some(),
            Kind::Function => registry.exec(&u.name).is_some(),
        };
        if !known {
            out.entry((u.kind, u.name.clone()))
                .and_modify(|(n, _)| *n += 1)
                .or_insert((1, u.clone()));
        }
    }
    out
}

/// `halite audit [--json] PATH...`.
pub fn main(args: &[String]) -> i32 {
    let json = args.iter().any(|a| a == "--json");
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if paths.is_empty() || args.iter().any(|a| a == "-h" || a == "--help") {
        println!("Usage: halite audit [--json] PATH...\n\nLists the Salt states and functions a state tree names that Halite does not implement yet.\nExit status: 0 none, 2 some, 1 error.");
        return if paths.is_empty() { 64 } else { 0 };
    }
    let mut uses = Vec::new();
    for path in &paths {
        let files = match files_of(Path::new(path)) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("halite audit: {path}: {e}");
                return 1;
            }
        };
        for f in files {
            match std::fs::read_to_string(&f) {
                Ok(text) => uses.extend(scan_text(&text, &f)),
                Err(e) => {
                    eprintln!("halite audit: {}: {e}", f.display());
                    return 1;
                }
            }
        }
    }
    let registry = crate::call::context::registry();
    let lacking = missing(&uses, &registry);
    if json {
        let rows: Vec<serde_json::Value> = lacking
            .iter()
            .map(|((kind, name), (n, first))| {
                serde_json::json!({
                    "kind": if *kind == Kind::State { "state" } else { "function" },
                    "name": name, "uses": n,
                    "first": format!("{}:{}", first.file.display(), first.line),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
    } else if lacking.is_empty() {
        println!(
            "{} uses of Salt states and functions, all implemented by Halite",
            uses.len()
        );
    } else {
        println!(
            "{} Salt state(s)/function(s) this tree uses that Halite does not implement yet:",
            lacking.len()
        );
        for ((kind, name), (n, first)) in &lacking {
            let kind = if *kind == Kind::State {
                "state"
            } else {
                "function"
            };
            println!(
                "  {kind:<9} {name:<32} {n:>3} use(s), first {}:{}",
                first.file.display(),
                first.line
            );
        }
    }
    if lacking.is_empty() {
        0
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLS: &str = r#"{% set os = salt['grains.filter_by']({'Debian': {}}) %}
{% if salt['pkg.version']('nginx') %}
nginx:
  pkg.installed:
    - name: nginx
  service:
    - running
    - require:
      - pkg: nginx
/etc/motd:
  file.managed:
    - contents: {{ salt.cmd.run('hostname') }}
extend:
  nginx:
    service.dead: []
{% endif %}
"#;

    #[test]
    fn states_long_and_short_and_calls_are_found() {
        let uses = scan_text(SLS, Path::new("init.sls"));
        let got: Vec<(Kind, &str, usize)> = uses
            .iter()
            .map(|u| (u.kind, u.name.as_str(), u.line))
            .collect();
        assert_eq!(
            got,
            [
                (Kind::Function, "grains.filter_by", 1),
                (Kind::Function, "pkg.version", 2),
                (Kind::State, "pkg.installed", 4),
                (Kind::State, "service.running", 6),
                (Kind::State, "file.managed", 11),
                (Kind::Function, "cmd.run", 12),
                (Kind::State, "service.dead", 15),
            ]
        );
    }

    #[test]
    fn only_what_the_registry_lacks_is_reported() {
        let uses = scan_text(SLS, Path::new("init.sls"));
        let reg = crate::call::context::registry();
        let lacking: Vec<String> = missing(&uses, &reg)
            .keys()
            .map(|(_, n)| n.clone())
            .collect();
        assert!(
            !lacking.contains(&"file.managed".to_string()),
            "{lacking:?}"
        );
        assert!(!lacking.contains(&"cmd.run".to_string()), "{lacking:?}");
        for name in &lacking {
            assert!(
                reg.exec(name).is_none() && reg.state(name).is_none(),
                "{name}"
            );
        }
    }
}
