//! Command-line operations that run without the window: `frontdesk backup`, `frontdesk
//! restore FILE` and `frontdesk backup-key`. They are parsed before Tauri starts, so they work
//! on a machine with no display (over SSH, from a rescue shell).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use frontdesk_core::backup;
use frontdesk_core::secrets::{OsKeyring, SecretStore};

use crate::launch::Launch;

/// The app's identifier (tauri.conf.json): the per-user data folder is named after it.
const IDENTIFIER: &str = "org.frontdesk.kiosk";

const USAGE: &str = "usage:
  frontdesk backup [--data-dir DIR]
      make an encrypted backup of the kiosk's database now (Frontdesk may keep running)
  frontdesk restore FILE [--data-dir DIR] [--recovery-key KEY]
      restore a backup (close Frontdesk first); KEY is needed when this machine's keyring
      does not hold the site's backup key (a replacement machine)
  frontdesk backup-key [--data-dir DIR]
      show the recovery key that opens this site's backups (asks for the admin PIN); keep it
      safe, off this machine";

/// If the command line names a command, run it and return the process's exit code.
pub fn run_if_command() -> Option<i32> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first()?.as_str();
    if !matches!(command, "backup" | "restore" | "backup-key" | "help" | "--help") {
        return None;
    }
    let secrets: Arc<dyn SecretStore> = Arc::new(OsKeyring::new());
    let read_pin = || rpassword::prompt_password("Admin PIN: ").ok();
    Some(match run(&args, secrets, |key| std::env::var(key).ok(), default_data_dir, read_pin) {
        Ok(message) => {
            println!("{message}");
            0
        }
        Err(message) => {
            eprintln!("frontdesk: {message}");
            1
        }
    })
}

fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(IDENTIFIER))
}

/// Run one command; `Ok` is what to print, `Err` why it failed.
/// `read_pin` asks for the admin PIN (without echo on a terminal).
pub fn run(
    args: &[String],
    secrets: Arc<dyn SecretStore>,
    env: impl Fn(&str) -> Option<String>,
    default_dir: impl Fn() -> Option<PathBuf>,
    read_pin: impl Fn() -> Option<String>,
) -> Result<String, String> {
    let secrets_arc = secrets.clone();
    let secrets = secrets.as_ref();
    let command = args.first().map(String::as_str).unwrap_or("help");
    let mut rest: Vec<String> = Vec::new();
    let mut recovery = None;
    let mut it = args.iter().skip(1).cloned();
    while let Some(arg) = it.next() {
        if arg == "--recovery-key" {
            recovery = Some(it.next().ok_or("--recovery-key needs a value")?);
        } else if let Some(v) = arg.strip_prefix("--recovery-key=") {
            recovery = Some(v.to_owned());
        } else {
            rest.push(arg);
        }
    }
    let launch = Launch::parse(rest.iter().cloned(), &env);
    let positional: Vec<&String> = {
        let mut skip = false;
        rest.iter()
            .filter(|a| {
                if skip {
                    skip = false;
                    return false;
                }
                if *a == "--data-dir" {
                    skip = true;
                    return false;
                }
                !a.starts_with("--")
            })
            .collect()
    };
    let data_dir = match launch.data_dir {
        Some(dir) => dir,
        None => default_dir().ok_or("cannot find the per-user data folder; give --data-dir")?,
    };
    let site = crate::state::load_site(&data_dir).map_err(|e| e.to_string())?.config;
    let now = jiff::Timestamp::now();
    match command {
        "backup" => {
            let info = backup::backup_data_dir(&data_dir, &site.site.id, secrets, now).map_err(|e| e.to_string())?;
            Ok(format!("backup written: {}", data_dir.join(backup::BACKUP_FOLDER).join(info.file_name).display()))
        }
        "restore" => {
            let file = positional.first().ok_or(format!("restore needs the backup file\n{USAGE}"))?;
            let key = recovery.as_deref().map(backup::parse_recovery_key).transpose().map_err(|e| e.to_string())?;
            let report =
                backup::restore_data_dir(Path::new(file.as_str()), &data_dir, &site.site.id, secrets, key, now)
                    .map_err(|e| format!("restore refused, nothing was changed: {e}"))?;
            let mut message = format!(
                "restored the backup of {} made {} into {}",
                report.restored.device,
                report.restored.created_at,
                data_dir.display()
            );
            if let Some(previous) = report.previous {
                message.push_str(&format!("\nthe replaced database was kept as backup {previous}"));
            }
            if report.new_identity {
                message.push_str(
                    "\nthis kiosk was enrolled at a site hub: it continues as a new device; enrol it again \
                     (Admin → Site hub) and revoke the old device at the hub",
                );
            }
            if report.keys_restored > 0 {
                message.push_str(&format!("\n{} device key(s) were put back into the keyring", report.keys_restored));
            }
            Ok(message)
        }
        "backup-key" => {
            // The key opens every backup of the site: only an administrator sees it. The PIN
            // check is the kiosk's own (lockout, audit).
            let kiosk = frontdesk_core::Kiosk::open(frontdesk_core::KioskOptions {
                data_dir: data_dir.clone(),
                site: site.clone(),
                secrets: secrets_arc,
                os_locale: None,
                wall: frontdesk_core::hlc::system_millis,
            })
            .map_err(|e| e.to_string())?;
            let pin = read_pin().ok_or("the admin PIN is needed to show the recovery key")?;
            match kiosk.admin_login(pin.trim()).map_err(|e| e.to_string())? {
                frontdesk_core::kiosk::AdminLogin::Granted(session) if session.must_change_pin => {
                    kiosk.admin_logout(&session.token);
                    return Err(
                        "the admin PIN is still the first-run default; set one on the admin screen first".into()
                    );
                }
                frontdesk_core::kiosk::AdminLogin::Granted(session) => kiosk.admin_logout(&session.token),
                frontdesk_core::kiosk::AdminLogin::Refused(refusal) => {
                    return Err(match refusal.locked_until {
                        Some(until) => format!("too many wrong PINs: locked until {until}"),
                        None => format!("wrong admin PIN; {} tries left before a lockout", refusal.attempts_left),
                    });
                }
            }
            let key = backup::backup_key(secrets, &site.site.id, true).map_err(|e| e.to_string())?.ok_or("no key")?;
            Ok(format!(
                "recovery key for site {}:\n{}\nKeep it off this machine (a password manager or a sealed envelope): with it and a backup file, a replacement machine restores this kiosk.",
                site.site.id,
                backup::recovery_key_text(&key)
            ))
        }
        _ => Ok(USAGE.to_owned()),
    }
}
