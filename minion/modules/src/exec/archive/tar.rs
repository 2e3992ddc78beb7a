//! Tar archives through the `tar` command (`ctx.runner`): member names and
//! types for `archive.list`, extraction for `archive.extracted`. GNU tar
//! detects gzip/bzip2/xz compression itself, as Python's `tarfile` does.

use std::path::Path;

use halite_api::{CmdSpec, Ctx};

/// The kind of a tar member, as Python's `TarInfo` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    Link,
    File,
}

/// One member: its stored name (a directory without its trailing `/`, as
/// `TarInfo.name`) and kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub name: String,
    pub kind: Kind,
}

fn run(ctx: &Ctx, spec: &CmdSpec) -> Result<Vec<u8>, String> {
    let out = ctx.runner.run(spec).map_err(|e| e.to_string())?;
    if out.retcode != 0 {
        return Err(out.stderr_text());
    }
    Ok(out.stdout)
}

/// `tar -t` of `archive`; with `decompress` (Salt's `options` of
/// `archive.list`, e.g. `lzop -d`) the archive is decompressed by that
/// command first and listed from its output.
fn listing(
    ctx: &Ctx,
    archive: &Path,
    decompress: Option<&[String]>,
    verbose: bool,
) -> Result<Vec<u8>, String> {
    let flags: &[&str] = if verbose {
        &["tar", "-tvf"]
    } else {
        &["tar", "--quoting-style=literal", "-tf"]
    };
    let mut argv: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    let file = archive.to_string_lossy().into_owned();
    let mut spec = match decompress {
        Some(cmd) => {
            let mut d = cmd.to_vec();
            d.push(file);
            let data = run(ctx, &CmdSpec::argv(d))?;
            argv.push("-".into());
            let mut s = CmdSpec::argv(argv);
            s.stdin = Some(data);
            s
        }
        None => {
            argv.push(file);
            CmdSpec::argv(argv)
        }
    };
    spec.env.insert("LC_ALL".into(), "C".into());
    run(ctx, &spec)
}

fn kind_of(line: &str) -> Kind {
    match line.chars().next() {
        Some('d') => Kind::Dir,
        Some('l') => Kind::Link,
        _ => Kind::File,
    }
}

/// Every member of `archive` in archive order. Names come from a literal
/// `tar -tf`, kinds from the mode column of `tar -tvf` (one escaped line per
/// member); a name holding a newline makes the two disagree and is refused.
pub fn members(
    ctx: &Ctx,
    archive: &Path,
    decompress: Option<&[String]>,
) -> Result<Vec<Member>, String> {
    let names = String::from_utf8_lossy(&listing(ctx, archive, decompress, false)?).into_owned();
    let long = String::from_utf8_lossy(&listing(ctx, archive, decompress, true)?).into_owned();
    let names: Vec<&str> = names.lines().collect();
    let kinds: Vec<Kind> = long.lines().map(kind_of).collect();
    if names.len() != kinds.len() {
        return Err("member names and listing disagree".into());
    }
    Ok(names
        .into_iter()
        .zip(kinds)
        .map(|(n, kind)| Member {
            name: if kind == Kind::Dir {
                n.trim_end_matches('/').to_string()
            } else {
                n.to_string()
            },
            kind,
        })
        .collect())
}

/// `tar -xf archive` inside `dest` (as root: owners and modes from the
/// archive, as `tarfile.extractall`).
pub fn extract(ctx: &Ctx, archive: &Path, dest: &Path) -> Result<(), String> {
    let mut spec = CmdSpec::argv(["tar", "-xf", &archive.to_string_lossy()]);
    spec.cwd = Some(dest.to_path_buf());
    run(ctx, &spec).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{ctx_with, FakeRunner, TempDir};

    #[test]
    fn names_and_kinds_from_two_listings() {
        let d = TempDir::new("tarlist");
        let r = FakeRunner::new();
        r.on("-tvf", 0, "drwxr-xr-x root/root 0 2024-01-02 03:04 a/\nlrwxrwxrwx root/root 0 2024-01-02 03:04 a/l -> x\n-rw-r--r-- root/root 1 2024-01-02 03:04 a/f\n");
        r.on("-tf", 0, "a/\na/l\na/f\n");
        let ctx = ctx_with(r.clone(), &d.0);
        let m = members(&ctx, Path::new("/x.tar"), None).unwrap();
        assert_eq!(
            m,
            vec![
                Member {
                    name: "a".into(),
                    kind: Kind::Dir
                },
                Member {
                    name: "a/l".into(),
                    kind: Kind::Link
                },
                Member {
                    name: "a/f".into(),
                    kind: Kind::File
                },
            ]
        );
        assert_eq!(r.commands()[0], "tar --quoting-style=literal -tf /x.tar");
    }

    #[test]
    fn disagreeing_listings_are_refused() {
        let d = TempDir::new("tarlist2");
        let r = FakeRunner::new();
        r.on("-tvf", 0, "-rw-r--r-- root/root 1 2024-01-02 03:04 a\\nb\n");
        r.on("-tf", 0, "a\nb\n");
        let ctx = ctx_with(r, &d.0);
        assert!(members(&ctx, Path::new("/x.tar"), None).is_err());
    }

    #[test]
    fn decompress_command_feeds_tar() {
        let d = TempDir::new("tarlist3");
        let r = FakeRunner::new();
        r.on("lzop", 0, "TARDATA");
        r.on("-tvf", 0, "-rw-r--r-- root/root 1 2024-01-02 03:04 f\n");
        r.on("-tf", 0, "f\n");
        let ctx = ctx_with(r.clone(), &d.0);
        let cmd = vec!["lzop".to_string(), "-d".to_string()];
        members(&ctx, Path::new("/x.tar.lzo"), Some(&cmd)).unwrap();
        let calls = r.calls.lock().unwrap();
        assert_eq!(calls[0].argv.join(" "), "lzop -d /x.tar.lzo");
        assert_eq!(calls[1].argv.join(" "), "tar --quoting-style=literal -tf -");
        assert_eq!(calls[1].stdin.as_deref(), Some(&b"TARDATA"[..]));
    }
}
