//! `locale.gen_locale` (Salt's `gen_locale`): check the locale against
//! `/usr/share/i18n/SUPPORTED` (Debian, Gentoo) or a locales directory,
//! enable it in `/etc/locale.gen` (or Ubuntu's `supported.d`), then run
//! `locale-gen` or `localedef`.

use std::path::Path;

use halite_api::Value;

use super::host::{Host, LocaleError, Result};
use super::names::{normalize, Locale};
use crate::util::replace;

/// What `gen_locale` answers: the `run_all` dict with `verbose`, else
/// whether the generator exited 0.
#[derive(Debug, Clone, PartialEq)]
pub enum Generated {
    Bool(bool),
    Verbose(Value),
}

impl Host<'_> {
    /// Whether Salt finds `locale` among the supported ones.
    fn supported(&self, locale: &str, search_str: &str) -> Result<(bool, String)> {
        if self.os == "Debian" || self.os_family == "Gentoo" {
            let search = self.path("/usr/share/i18n/SUPPORTED");
            let valid = replace::search(Path::new(&search), &format!("^{locale}$"))?;
            return Ok((valid, search));
        }
        let search = if self.os_family == "Suse" {
            self.path("/usr/share/locale")
        } else {
            self.path("/usr/share/i18n/locales")
        };
        let names = std::fs::read_dir(&search).map_err(|e| {
            tracing::error!("{}", crate::util::pyerr::os_error(&e, &search));
            LocaleError::Command(format!("Locale \"{locale}\" is not available."))
        })?;
        let valid = names
            .flatten()
            .any(|e| e.file_name().to_string_lossy() == search_str);
        Ok((valid, search))
    }

    /// Enable the locale where the generator reads its list.
    fn enable(&self, locale: &str, info: &Locale) -> Result<()> {
        let locale_gen = self.path("/etc/locale.gen");
        if Path::new(&locale_gen).exists() {
            let pattern = format!(r"^\s*#\s*{locale}\s*$");
            replace::replace(
                Path::new(&locale_gen),
                &pattern,
                &format!("{locale}\n"),
                true,
            )?;
        } else if self.os == "Ubuntu" {
            let f = self.path(&format!("/var/lib/locales/supported.d/{}", info.language));
            replace::touch(Path::new(&f))?;
            replace::replace(Path::new(&f), locale, locale, true)?;
        }
        Ok(())
    }

    /// The generator's argv (`locale-gen` first, else `localedef`).
    fn generator(
        &self,
        locale: &str,
        info: &Locale,
        search_str: &str,
        verbose: bool,
    ) -> Result<Vec<String>> {
        if self.tools.locale_gen.is_some() {
            let mut cmd = vec!["locale-gen".to_string()];
            if self.os_family == "Gentoo" {
                cmd.push("--generate".into());
            }
            cmd.push(if self.os == "Ubuntu" {
                normalize(locale)
            } else {
                locale.to_string()
            });
            return Ok(cmd);
        }
        if self.tools.localedef.is_some() {
            return Ok(vec![
                "localedef".into(),
                "--force".into(),
                "-i".into(),
                search_str.into(),
                "-f".into(),
                info.codeset.clone(),
                format!("{search_str}.{}", info.codeset),
                if verbose { "--verbose" } else { "--quiet" }.into(),
            ]);
        }
        Err(LocaleError::Command(
            "Command \"locale-gen\" or \"localedef\" was not found on this system.".into(),
        ))
    }

    /// `gen_locale(locale, verbose=...)`.
    pub fn gen_locale(&self, locale: &str, verbose: bool) -> Result<Generated> {
        if self.os_family == "Solaris" {
            let all = self.list_avail()?;
            return Ok(Generated::Bool(all.iter().any(|l| l == locale)));
        }
        let mut info = Locale::split(locale);
        let search_str = format!("{}_{}", info.language, info.territory);
        let mut locale = locale.to_string();
        if info.charmap.is_empty() && self.os != "Ubuntu" {
            info.charmap = info.codeset.clone();
            locale = info.join();
        }
        let (valid, search) = self.supported(&locale, &search_str)?;
        if !valid {
            tracing::error!("The provided locale \"{locale}\" is not found in {search}");
            return Ok(Generated::Bool(false));
        }
        self.enable(&locale, &info)?;
        let cmd = self.generator(&locale, &info, &search_str, verbose)?;
        let res = self.exec_argv(&cmd)?;
        if res.retcode != 0 {
            tracing::error!("{}", res.stderr);
        }
        Ok(if verbose {
            Generated::Verbose(crate::exec::cmd::result_dict(&res))
        } else {
            Generated::Bool(res.retcode == 0)
        })
    }
}
