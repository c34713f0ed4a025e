//! The site file's health as the admin screen shows it: when the file in the data folder was
//! refused at start, the kiosk runs on the last good copy and says why here.

use super::Kiosk;
use crate::error::CoreError;
use crate::site::SiteError;

const META_SITE_PROBLEM: &str = "site_problem";

impl Kiosk {
    /// Record how the site file loaded at start: `Some` when it was refused and the last good
    /// copy is in use (a device-local fact, cleared by the next good start).
    pub fn record_site_problem(&self, problem: Option<&SiteError>) -> Result<(), CoreError> {
        match problem {
            Some(problem) => {
                eprintln!("frontdesk: the site file was refused; running on the last good copy: {problem}");
                self.store().set_meta(META_SITE_PROBLEM, &problem.to_string())?;
            }
            None => self.store().set_meta(META_SITE_PROBLEM, "")?,
        }
        Ok(())
    }

    /// Why the site file was refused at the last start (file and field named), if it was
    /// (admin).
    pub fn site_problem(&self, token: &str) -> Result<Option<String>, CoreError> {
        self.require_admin(token)?;
        Ok(self.store().meta(META_SITE_PROBLEM)?.filter(|p| !p.is_empty()))
    }
}
