//! Key files in the minion `pki_dir` (§4): `minion.pem` (PKCS#1 private key,
//! mode 0400), `minion.pub` (SPKI public key, 0644) and `minion_master.pub`
//! (the cached master key, "clean" text without trailing newline, 0644).

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::rsa::Rsa;

use crate::crypto;
use crate::error::ProtoError;

/// File name of the minion private key.
pub const MINION_PEM: &str = "minion.pem";
/// File name of the minion public key.
pub const MINION_PUB: &str = "minion.pub";
/// File name of the cached master public key.
pub const MASTER_PUB: &str = "minion_master.pub";

/// Salt's "clean key": strip surrounding whitespace, re-join lines with `\n`.
pub fn clean_key(text: &str) -> String {
    text.trim()
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The minion's RSA key pair and the derived `tok`.
pub struct MinionKeys {
    rsa: Rsa<Private>,
    pkey: PKey<Private>,
    public_clean: String,
    tok: Vec<u8>,
}

impl std::fmt::Debug for MinionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MinionKeys")
            .field("bits", &self.rsa.size())
            .finish_non_exhaustive()
    }
}

impl MinionKeys {
    /// Generate a new key pair (`keysize` bits, exponent 65537).
    pub fn generate(bits: u32) -> Result<Self, ProtoError> {
        let rsa = Rsa::generate(bits).map_err(ProtoError::crypto("RSA key generation"))?;
        Self::from_rsa(rsa)
    }

    /// Parse a PEM private key (PKCS#1 or PKCS#8); `origin` names it in errors.
    pub fn from_private_pem(pem: &[u8], origin: &str) -> Result<Self, ProtoError> {
        let rsa = Rsa::private_key_from_pem(pem).map_err(|e| ProtoError::KeyParse {
            path: origin.to_string(),
            reason: format!("not an RSA private key in PEM format ({e})"),
        })?;
        Self::from_rsa(rsa)
    }

    fn from_rsa(rsa: Rsa<Private>) -> Result<Self, ProtoError> {
        let pkey = PKey::from_rsa(rsa.clone()).map_err(ProtoError::crypto("loading RSA key"))?;
        let spki = pkey
            .public_key_to_pem()
            .map_err(ProtoError::crypto("encoding public key"))?;
        let public_clean = clean_key(&String::from_utf8_lossy(&spki));
        let tok = crypto::x931_sign(&rsa, b"salt")?;
        Ok(MinionKeys {
            rsa,
            pkey,
            public_clean,
            tok,
        })
    }

    /// Load `minion.pem` from `pki_dir`, or generate and write both key files.
    /// Returns the keys and whether they were generated now.
    pub fn load_or_generate(pki_dir: &Path, keysize: u32) -> Result<(Self, bool), ProtoError> {
        let pem_path = pki_dir.join(MINION_PEM);
        let pub_path = pki_dir.join(MINION_PUB);
        if pem_path.exists() {
            let pem = fs::read(&pem_path).map_err(io_err(&pem_path))?;
            let keys = Self::from_private_pem(&pem, &pem_path.display().to_string())?;
            if !pub_path.exists() {
                write_file(&pub_path, keys.public_pem_file().as_bytes(), 0o644)?;
            }
            return Ok((keys, false));
        }
        create_dir(pki_dir)?;
        let keys = Self::generate(keysize)?;
        write_file(&pem_path, &keys.private_pem()?, 0o400)?;
        write_file(&pub_path, keys.public_pem_file().as_bytes(), 0o644)?;
        Ok((keys, true))
    }

    /// PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`).
    pub fn private_pem(&self) -> Result<Vec<u8>, ProtoError> {
        self.rsa
            .private_key_to_pem()
            .map_err(ProtoError::crypto("encoding private key"))
    }

    /// SPKI PEM as written to `minion.pub` (ends with a newline).
    pub fn public_pem_file(&self) -> String {
        format!("{}\n", self.public_clean)
    }

    /// SPKI PEM in clean form, as sent in `_auth` (`pub`).
    pub fn public_pem_clean(&self) -> &str {
        &self.public_clean
    }

    /// The private key for OAEP decryption and signing.
    pub fn pkey(&self) -> &PKey<Private> {
        &self.pkey
    }

    /// The raw RSA key (X9.31).
    pub fn rsa(&self) -> &Rsa<Private> {
        &self.rsa
    }

    /// The request token `tok` = X9.31-sign(minion key, `b"salt"`).
    pub fn tok(&self) -> &[u8] {
        &self.tok
    }
}

/// The master's public key (from `minion_master.pub` or an auth reply).
#[derive(Clone)]
pub struct MasterKey {
    rsa: Rsa<Public>,
    pkey: PKey<Public>,
    clean: String,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("fingerprint", &self.fingerprint("sha256"))
            .finish()
    }
}

impl PartialEq for MasterKey {
    fn eq(&self, other: &Self) -> bool {
        self.clean == other.clean
    }
}

impl MasterKey {
    /// Parse SPKI PEM text; `origin` names it in errors.
    pub fn from_pem(text: &str, origin: &str) -> Result<Self, ProtoError> {
        let clean = clean_key(text);
        let rsa = Rsa::public_key_from_pem(clean.as_bytes()).map_err(|e| ProtoError::KeyParse {
            path: origin.to_string(),
            reason: format!("not an RSA public key in SPKI PEM format ({e})"),
        })?;
        let pkey = crypto::public_pkey(&rsa)?;
        Ok(MasterKey { rsa, pkey, clean })
    }

    /// Read `pki_dir/minion_master.pub` if it exists.
    pub fn load_cached(pki_dir: &Path) -> Result<Option<Self>, ProtoError> {
        let path = pki_dir.join(MASTER_PUB);
        match fs::read_to_string(&path) {
            Ok(text) => Self::from_pem(&text, &path.display().to_string()).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    /// Write `pki_dir/minion_master.pub` (clean text, no trailing newline, 0644).
    pub fn write_cached(&self, pki_dir: &Path) -> Result<PathBuf, ProtoError> {
        create_dir(pki_dir)?;
        let path = pki_dir.join(MASTER_PUB);
        write_file(&path, self.clean.as_bytes(), 0o644)?;
        Ok(path)
    }

    /// The clean PEM text.
    pub fn clean_pem(&self) -> &str {
        &self.clean
    }

    /// For signature checks and OAEP encryption.
    pub fn pkey(&self) -> &PKey<Public> {
        &self.pkey
    }

    /// For X9.31 recovery.
    pub fn rsa(&self) -> &Rsa<Public> {
        &self.rsa
    }

    /// Salt's `pem_finger` (body lines with their `\n`, hashed, colon-separated).
    /// `hash_type` is Salt's `hash_type` option (sha256 by default).
    pub fn fingerprint(&self, hash_type: &str) -> String {
        let lines: Vec<&str> = self
            .clean
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        let inner = lines.get(1..lines.len().saturating_sub(1)).unwrap_or(&[]);
        let body: String = inner.iter().map(|l| format!("{l}\n")).collect();
        finger(body.as_bytes(), hash_type)
    }

    /// The hash of the whole clean PEM text (what 3008.4's `salt-key -F` prints).
    pub fn fingerprint_whole_text(&self, hash_type: &str) -> String {
        finger(self.clean.as_bytes(), hash_type)
    }
}

fn finger(data: &[u8], hash_type: &str) -> String {
    let md = match hash_type {
        "md5" => MessageDigest::md5(),
        "sha1" => MessageDigest::sha1(),
        "sha224" => MessageDigest::sha224(),
        "sha384" => MessageDigest::sha384(),
        "sha512" => MessageDigest::sha512(),
        _ => MessageDigest::sha256(),
    };
    let digest = openssl::hash::hash(md, data).expect("digest is available");
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Compare a configured `master_finger` with a key, accepting both Salt methods.
pub fn finger_matches(key: &MasterKey, configured: &str, hash_type: &str) -> bool {
    let want = configured.trim().to_ascii_lowercase();
    want == key.fingerprint(hash_type) || want == key.fingerprint_whole_text(hash_type)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ProtoError + '_ {
    move |source| ProtoError::KeyFile {
        path: path.display().to_string(),
        source,
    }
}

fn create_dir(dir: &Path) -> Result<(), ProtoError> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err(dir))
}

/// Write a key file atomically (temp file, fsync, rename) with `mode`.
fn write_file(path: &Path, data: &[u8], mode: u32) -> Result<(), ProtoError> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)
        .map_err(io_err(&tmp))?;
    file.write_all(data)
        .and_then(|_| file.sync_all())
        .map_err(io_err(&tmp))?;
    fs::set_permissions(&tmp, fs::Permissions::from_mode(mode)).map_err(io_err(&tmp))?;
    if path.exists() {
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
    }
    fs::rename(&tmp, path).map_err(io_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_key_normalises_crlf_and_whitespace() {
        assert_eq!(clean_key("\n a\r\nb\r\n\n"), "a\nb");
    }

    #[test]
    fn generate_writes_salt_files_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        let pki = dir.path().join("pki/minion");
        let (keys, generated) = MinionKeys::load_or_generate(&pki, 1024).unwrap();
        assert!(generated);
        let pem = fs::read_to_string(pki.join(MINION_PEM)).unwrap();
        assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let public = fs::read_to_string(pki.join(MINION_PUB)).unwrap();
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----") && public.ends_with("-----\n"));
        let mode = |f: &str| fs::metadata(pki.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(MINION_PEM), mode(MINION_PUB)), (0o400, 0o644));
        let (again, generated) = MinionKeys::load_or_generate(&pki, 1024).unwrap();
        assert!(!generated);
        assert_eq!(again.public_pem_clean(), keys.public_pem_clean());
        assert_eq!(again.tok(), keys.tok());
    }

    #[test]
    fn bad_private_key_names_the_file() {
        let err = MinionKeys::from_private_pem(b"junk", "/x/minion.pem").unwrap_err();
        assert!(err.to_string().contains("/x/minion.pem"));
    }

    #[test]
    fn master_key_cache_round_trip_without_newline() {
        let dir = tempfile::tempdir().unwrap();
        let keys = MinionKeys::generate(1024).unwrap();
        let master = MasterKey::from_pem(&keys.public_pem_file(), "reply").unwrap();
        assert!(MasterKey::load_cached(dir.path()).unwrap().is_none());
        let path = master.write_cached(dir.path()).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("-----END PUBLIC KEY-----"));
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o644
        );
        assert_eq!(MasterKey::load_cached(dir.path()).unwrap(), Some(master));
    }
}
