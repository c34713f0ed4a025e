//! How this run of the app was asked to start: data folder, site file, window mode.

use std::path::PathBuf;

/// Start-up options, from the command line and the environment (the command line wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Launch {
    /// `--data-dir DIR` or `FRONTDESK_DATA_DIR`; otherwise the OS's per-user app data folder.
    pub data_dir: Option<PathBuf>,
    /// `--kiosk` or `FRONTDESK_KIOSK=1`: full screen, always on top, no window decorations.
    pub kiosk_mode: bool,
}

impl Launch {
    pub fn from_env_and_args() -> Launch {
        Launch::parse(std::env::args().skip(1), |key| std::env::var(key).ok())
    }

    pub fn parse(args: impl IntoIterator<Item = String>, env: impl Fn(&str) -> Option<String>) -> Launch {
        let mut launch = Launch {
            data_dir: env("FRONTDESK_DATA_DIR").filter(|v| !v.is_empty()).map(PathBuf::from),
            kiosk_mode: env("FRONTDESK_KIOSK").is_some_and(|v| matches!(v.as_str(), "1" | "true" | "yes")),
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--kiosk" {
                launch.kiosk_mode = true;
            } else if let Some(dir) = arg.strip_prefix("--data-dir=") {
                launch.data_dir = Some(PathBuf::from(dir));
            } else if arg == "--data-dir"
                && let Some(dir) = args.next()
            {
                launch.data_dir = Some(PathBuf::from(dir));
            }
        }
        launch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string())
    }

    #[test]
    fn arguments_override_the_environment() {
        let launch = Launch::parse(
            ["--data-dir".to_string(), "/srv/desk".to_string()],
            env_of(&[("FRONTDESK_DATA_DIR", "/tmp/x")]),
        );
        assert_eq!(launch.data_dir, Some(PathBuf::from("/srv/desk")));
        assert!(!launch.kiosk_mode);
    }

    #[test]
    fn kiosk_mode_from_either_source() {
        assert!(Launch::parse(["--kiosk".to_string()], env_of(&[])).kiosk_mode);
        assert!(Launch::parse([], env_of(&[("FRONTDESK_KIOSK", "1")])).kiosk_mode);
        assert!(!Launch::parse([], env_of(&[("FRONTDESK_KIOSK", "0")])).kiosk_mode);
        assert_eq!(Launch::parse(["--data-dir=/a".to_string()], env_of(&[])).data_dir, Some(PathBuf::from("/a")));
    }
}
