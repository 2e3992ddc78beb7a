//! The ZIP central directory, read natively: member names in archive order,
//! Unix modes (`external_attr >> 16`) and the encryption flag, which is all
//! Salt's `archive.list`, `archive.unzip` and `archive.is_encrypted` look at.

use std::path::Path;

/// One member of a ZIP archive.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    /// `external_attr >> 16` (st_mode on Unix-made archives, else 0).
    pub mode: u32,
    /// General purpose flag bit 0.
    pub encrypted: bool,
}

const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CDH_SIG: u32 = 0x0201_4b50;

fn u16_at(d: &[u8], at: usize) -> Option<u64> {
    d.get(at..at + 2)
        .map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(d: &[u8], at: usize) -> Option<u64> {
    d.get(at..at + 4)
        .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

fn u64_at(d: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = d.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

/// Offset of the end-of-central-directory record (searched from the end,
/// past a comment of up to 64 KiB).
fn find_eocd(d: &[u8]) -> Option<usize> {
    let last = d.len().checked_sub(22)?;
    let first = last.saturating_sub(0xFFFF);
    (first..=last)
        .rev()
        .find(|&i| u32_at(d, i) == Some(u64::from(EOCD_SIG)))
}

/// (entry count, central directory offset), through the Zip64 record when
/// the classic one is saturated.
fn directory(d: &[u8]) -> Option<(u64, u64)> {
    let eocd = find_eocd(d)?;
    let count = u16_at(d, eocd + 10)?;
    let offset = u32_at(d, eocd + 16)?;
    if count != 0xFFFF && offset != 0xFFFF_FFFF {
        return Some((count, offset));
    }
    let loc = eocd.checked_sub(20)?;
    if u32_at(d, loc)? != u64::from(ZIP64_LOCATOR_SIG) {
        return Some((count, offset));
    }
    let z = usize::try_from(u64_at(d, loc + 8)?).ok()?;
    if u32_at(d, z)? != u64::from(ZIP64_EOCD_SIG) {
        return None;
    }
    Some((u64_at(d, z + 32)?, u64_at(d, z + 48)?))
}

/// Every member, in central-directory order (Python's `namelist()`).
pub fn parse(d: &[u8]) -> Option<Vec<Entry>> {
    let (count, offset) = directory(d)?;
    let mut at = usize::try_from(offset).ok()?;
    let mut out = Vec::new();
    for _ in 0..count {
        if u32_at(d, at)? != u64::from(CDH_SIG) {
            return None;
        }
        let flags = u16_at(d, at + 8)?;
        let name_len = usize::try_from(u16_at(d, at + 28)?).ok()?;
        let extra_len = usize::try_from(u16_at(d, at + 30)?).ok()?;
        let comment_len = usize::try_from(u16_at(d, at + 32)?).ok()?;
        let attr = u32_at(d, at + 38)?;
        let name = d.get(at + 46..at + 46 + name_len)?;
        out.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            mode: u32::try_from(attr >> 16).ok()?,
            encrypted: flags & 1 == 1,
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(out)
}

/// Read and parse `path`; the error is Salt's `{name} is not a ZIP file`.
pub fn read(path: &Path, name: &str) -> Result<Vec<Entry>, String> {
    let data = std::fs::read(path).map_err(|e| e.to_string())?;
    parse(&data).ok_or_else(|| format!("{name} is not a ZIP file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored (uncompressed) archive built by hand: one dir, one file.
    fn sample(encrypted: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut cd = Vec::new();
        let members: [(&str, u32); 2] = [("d/", 0o40755), ("d/f.txt", 0o100644)];
        for (name, mode) in members {
            let off = out.len() as u32;
            out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            out.extend_from_slice(&[0u8; 22]);
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            cd.extend_from_slice(&CDH_SIG.to_le_bytes());
            cd.extend_from_slice(&[0u8; 4]);
            cd.extend_from_slice(&u16::from(encrypted).to_le_bytes());
            cd.extend_from_slice(&[0u8; 18]);
            cd.extend_from_slice(&(name.len() as u16).to_le_bytes());
            cd.extend_from_slice(&[0u8; 8]);
            cd.extend_from_slice(&(mode << 16).to_le_bytes());
            cd.extend_from_slice(&off.to_le_bytes());
            cd.extend_from_slice(name.as_bytes());
        }
        let cd_off = out.len() as u32;
        out.extend_from_slice(&cd);
        out.extend_from_slice(&EOCD_SIG.to_le_bytes());
        out.extend_from_slice(&[0u8; 4]);
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&(cd.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_off.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn members_in_order_with_modes() {
        let e = parse(&sample(false)).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name, "d/");
        assert_eq!(e[0].mode, 0o40755);
        assert_eq!(e[1].name, "d/f.txt");
        assert_eq!(e[1].mode, 0o100644);
        assert!(!e[1].encrypted);
        assert!(parse(&sample(true)).unwrap()[0].encrypted);
    }

    #[test]
    fn not_a_zip() {
        assert_eq!(parse(b"plain text, no directory"), None);
        let d = std::env::temp_dir().join(format!("halite-zip-{}", std::process::id()));
        std::fs::write(&d, b"nope").unwrap();
        assert_eq!(read(&d, "x.zip").unwrap_err(), "x.zip is not a ZIP file");
        std::fs::remove_file(&d).unwrap();
    }
}
