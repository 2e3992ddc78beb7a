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

/// Random access to the archive's bytes: a whole archive in memory (tests)
/// or a file read only where the directory is.
trait Source {
    fn size(&self) -> u64;
    /// `n` bytes at offset `at` (None past the end).
    fn bytes(&self, at: u64, n: usize) -> Option<Vec<u8>>;
}

impl Source for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn bytes(&self, at: u64, n: usize) -> Option<Vec<u8>> {
        let at = usize::try_from(at).ok()?;
        self.get(at..at.checked_add(n)?).map(<[u8]>::to_vec)
    }
}

struct FileSource(std::fs::File, u64);

impl Source for FileSource {
    fn size(&self) -> u64 {
        self.1
    }
    fn bytes(&self, at: u64, n: usize) -> Option<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        let mut buf = vec![0; n];
        self.0.read_exact_at(&mut buf, at).ok()?;
        Some(buf)
    }
}

/// The end-of-central-directory record's offset (searched from the end,
/// past a comment of up to 64 KiB) and the bytes from there to the end.
fn find_eocd(src: &(impl Source + ?Sized)) -> Option<(u64, Vec<u8>)> {
    let tail_len = src.size().min(22 + 0xFFFF);
    let tail_at = src.size() - tail_len;
    let tail = src.bytes(tail_at, usize::try_from(tail_len).ok()?)?;
    let last = tail.len().checked_sub(22)?;
    let i = (0..=last)
        .rev()
        .find(|&i| u32_at(&tail, i) == Some(u64::from(EOCD_SIG)))?;
    Some((tail_at + i as u64, tail[i..].to_vec()))
}

/// (entry count, central directory offset, where the directory ends),
/// through the Zip64 record when the classic one is saturated.
fn directory(src: &(impl Source + ?Sized)) -> Option<(u64, u64, u64)> {
    let (eocd_at, eocd) = find_eocd(src)?;
    let count = u16_at(&eocd, 10)?;
    let offset = u32_at(&eocd, 16)?;
    if count != 0xFFFF && offset != 0xFFFF_FFFF {
        return Some((count, offset, eocd_at));
    }
    let loc_at = eocd_at.checked_sub(20)?;
    let loc = src.bytes(loc_at, 20)?;
    if u32_at(&loc, 0)? != u64::from(ZIP64_LOCATOR_SIG) {
        return Some((count, offset, eocd_at));
    }
    let z_at = u64_at(&loc, 8)?;
    let z = src.bytes(z_at, 56)?;
    if u32_at(&z, 0)? != u64::from(ZIP64_EOCD_SIG) {
        return None;
    }
    Some((u64_at(&z, 32)?, u64_at(&z, 48)?, z_at))
}

/// Every member, in central-directory order (Python's `namelist()`).
fn entries(src: &(impl Source + ?Sized)) -> Option<Vec<Entry>> {
    let (count, offset, end) = directory(src)?;
    let d = src.bytes(offset, usize::try_from(end.checked_sub(offset)?).ok()?)?;
    let mut at = 0usize;
    let mut out = Vec::new();
    for _ in 0..count {
        if u32_at(&d, at)? != u64::from(CDH_SIG) {
            return None;
        }
        let flags = u16_at(&d, at + 8)?;
        let name_len = usize::try_from(u16_at(&d, at + 28)?).ok()?;
        let extra_len = usize::try_from(u16_at(&d, at + 30)?).ok()?;
        let comment_len = usize::try_from(u16_at(&d, at + 32)?).ok()?;
        let attr = u32_at(&d, at + 38)?;
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

/// Every member of an archive held in memory.
pub fn parse(d: &[u8]) -> Option<Vec<Entry>> {
    entries(d)
}

/// Read the directory of `path` (only the directory is read, not the
/// members); the error is Salt's `{name} is not a ZIP file`.
pub fn read(path: &Path, name: &str) -> Result<Vec<Entry>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    entries(&FileSource(file, size)).ok_or_else(|| format!("{name} is not a ZIP file"))
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

    #[test]
    fn a_file_is_read_at_its_directory_only() {
        // members' data ahead of the directory are never read: garbage there
        // (a large archive's bodies) does not matter
        let data = sample(false);
        let d = std::env::temp_dir().join(format!("halite-zip-file-{}", std::process::id()));
        std::fs::write(&d, &data).unwrap();
        assert_eq!(read(&d, "x.zip").unwrap(), parse(&data).unwrap());
        std::fs::remove_file(&d).unwrap();
    }
}
