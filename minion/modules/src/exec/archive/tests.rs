//! Tests of the `archive` execution functions.

use super::*;

fn contents(dirs: &[&str], files: &[&str], links: &[&str]) -> Contents {
    let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
    Contents {
        dirs: v(dirs),
        files: v(files),
        links: v(links),
    }
}

#[test]
fn guesses_formats_like_salt() {
    assert_eq!(guess_format("salt://a/b.TAR.GZ"), Some("tar"));
    assert_eq!(guess_format("/x.tgz"), Some("tar"));
    assert_eq!(guess_format("/x.tar.xz?saltenv=dev"), Some("tar"));
    assert_eq!(guess_format("/x.zip"), Some("zip"));
    assert_eq!(guess_format("/x.rar"), Some("rar"));
    assert_eq!(guess_format("/x.gz"), None);
}

#[test]
fn verbose_top_levels() {
    let v = verbose(&contents(
        &["app/", "app/bin/"],
        &["app/bin/run", "app/README"],
        &["app/start"],
    ));
    assert_eq!(v.dirs, ["app/", "app/bin/"]);
    assert_eq!(v.files, ["app/README", "app/bin/run"]);
    assert_eq!(v.top_level_dirs, ["app/"]);
    assert!(v.top_level_files.is_empty());
    // No directory member, but one common top directory (Salt adds it).
    let v = verbose(&contents(&[], &["d/a", "d/b"], &[]));
    assert_eq!(v.top_level_dirs, ["d/"]);
    let v = verbose(&contents(&["multi/"], &["multi/a", "top.txt"], &[]));
    assert_eq!(v.top_level_dirs, ["multi/"]);
    assert_eq!(v.top_level_files, ["top.txt"]);
}

#[test]
fn strip_components_drops_leading_parts() {
    let mut c = contents(&["multi/"], &["multi/a", "top.txt"], &[]);
    strip(&mut c, 1);
    assert_eq!(c, contents(&[], &["a"], &[]));
}

#[test]
fn location_info_like_salt() {
    assert_eq!(
        with_location("x.zip is not a ZIP file", Path::new("/c/x.zip")),
        "x.zip is not a ZIP file. Additional info follows:\n\narchive location:\n    /c/x.zip"
    );
    assert!(with_location("Done.", Path::new("/a")).starts_with("Done. Additional"));
}

#[test]
fn zip_parents_are_directories() {
    let d = std::env::temp_dir().join(format!("halite-arc-zip-{}", std::process::id()));
    // A zip whose only member is "d/sub/f" (no directory entries, mode 0).
    let name = b"d/sub/f";
    let mut z = Vec::new();
    z.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    z.extend_from_slice(&[0u8; 22]);
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&[0u8; 2]);
    z.extend_from_slice(name);
    let cd_off = z.len() as u32;
    let mut cd = Vec::new();
    cd.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    cd.extend_from_slice(&[0u8; 24]);
    cd.extend_from_slice(&(name.len() as u16).to_le_bytes());
    cd.extend_from_slice(&[0u8; 16]);
    cd.extend_from_slice(name);
    z.extend_from_slice(&cd);
    z.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    z.extend_from_slice(&[0u8; 4]);
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&(cd.len() as u32).to_le_bytes());
    z.extend_from_slice(&cd_off.to_le_bytes());
    z.extend_from_slice(&[0u8; 2]);
    std::fs::write(&d, &z).unwrap();
    let c = list_zip("x.zip", &d).unwrap();
    std::fs::remove_file(&d).unwrap();
    assert_eq!(c, contents(&["d/sub/"], &["d/sub/f"], &[]));
    assert_eq!(verbose(&c).top_level_dirs, ["d/"]);
}
