//! `frontdesk-hub`: the site hub's command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use frontdesk_core::ids::{DeviceId, SiteId};
use frontdesk_core::site::SiteConfig;
use frontdesk_hub::server::now;
use frontdesk_hub::store::{DeviceRecord, HubStore, SqliteHubStore};
use frontdesk_hub::{HubConfig, Transport, author, enrol, tls};

#[derive(Parser)]
#[command(name = "frontdesk-hub", version, about = "Frontdesk site hub: enrols kiosks and syncs their data")]
struct Cli {
    /// The hub's data folder: database, TLS certificate and key. Default: FRONTDESK_HUB_DATA,
    /// else the per-user data folder (~/.local/share/frontdesk-hub on Linux).
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve kiosks over HTTPS (a self-signed certificate is made on first start).
    Serve {
        /// Address and port to listen on. Default 0.0.0.0:8443 (127.0.0.1:8080 with --insecure-dev).
        #[arg(long, value_name = "HOST:PORT")]
        listen: Option<SocketAddr>,
        /// Plain HTTP without TLS, for development on one machine only.
        #[arg(long)]
        insecure_dev: bool,
        /// A PEM certificate (chain) to serve instead of the self-signed one; needs --key.
        #[arg(long, value_name = "FILE", requires = "key", conflicts_with = "insecure_dev")]
        cert: Option<PathBuf>,
        /// The PEM private key of --cert.
        #[arg(long, value_name = "FILE", requires = "cert")]
        key: Option<PathBuf>,
    },
    /// Print a one-time enrolment code (valid 15 minutes) for a kiosk.
    Enrol {
        /// The site id, as in the kiosk's site file (e.g. riverside-tower).
        #[arg(long)]
        site: String,
        /// A name for the kiosk, shown in `devices list` (e.g. "Lobby desk 1").
        #[arg(long)]
        device: String,
    },
    /// List or revoke enrolled devices.
    Devices {
        #[command(subcommand)]
        command: DevicesCommand,
    },
    /// Publish site data to the site's kiosks.
    Site {
        #[command(subcommand)]
        command: SiteCommand,
    },
    /// Publish a site's watch list to its kiosks.
    Watchlist {
        #[command(subcommand)]
        command: WatchlistCommand,
    },
    /// Publish emergency cards to a site's kiosks.
    Cards {
        #[command(subcommand)]
        command: CardsCommand,
    },
    /// Print the SHA-256 fingerprint of the hub's certificate.
    Fingerprint,
}

#[derive(Subcommand)]
enum DevicesCommand {
    /// Every enrolled device with its site, state and when it was last seen.
    List,
    /// Revoke a device's credential: it is refused from now on.
    Revoke {
        /// The device id, or its name if that is unique.
        device: String,
    },
}

#[derive(Subcommand)]
enum WatchlistCommand {
    /// Publish a watch-list file (TOML, [[entry]] with id, name and/or id_type + id_number,
    /// reason): ID numbers are kept only masked and hashed with the site's key; entries the file
    /// no longer lists are deactivated. One bad entry publishes nothing.
    Publish {
        /// The site id (e.g. riverside-tower).
        #[arg(long)]
        site: String,
        /// The watch-list file.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum CardsCommand {
    /// Publish a folder of card files laid out like assets/cards (<role>/<scenario>.toml, any
    /// subset): each replaces the built-in card of that name on the site's kiosks. Every file is
    /// checked first; one bad file publishes nothing.
    Publish {
        /// The site id (e.g. riverside-tower).
        #[arg(long)]
        site: String,
        /// The folder of card files.
        folder: PathBuf,
    },
}

#[derive(Subcommand)]
enum SiteCommand {
    /// Publish a site file (settings and host directory): kiosks of that site take it up and
    /// can no longer change it themselves. Hosts missing from the file are deactivated.
    Publish {
        /// The site file (same format as the kiosk's site.toml).
        file: PathBuf,
    },
}

fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FRONTDESK_HUB_DATA").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let base = if cfg!(target_os = "windows") {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        home.map(|h| h.join("Library/Application Support"))
    } else {
        std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or(home.map(|h| h.join(".local/share")))
    };
    base.unwrap_or_else(|| PathBuf::from(".")).join("frontdesk-hub")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let data = cli.data.clone().unwrap_or_else(default_data_dir);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("frontdesk-hub: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, data)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("frontdesk-hub: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, data: PathBuf) -> Result<(), String> {
    match command {
        Command::Serve { listen, insecure_dev, cert, key } => serve(data, listen, insecure_dev, cert.zip(key)).await,
        Command::Enrol { site, device } => {
            let store = open(&data)?;
            let (code, record) =
                enrol::issue_code(&store, &SiteId(site), &device, now()).await.map_err(|e| e.to_string())?;
            println!("Enrolment code for \"{}\" at site {}:", record.device_name, record.site);
            println!();
            println!("    {code}");
            println!();
            println!("It works once, until {} (15 minutes).", record.expires_at.strftime("%Y-%m-%d %H:%M:%S UTC"));
            match tls::existing_fingerprint(&data) {
                Some(fp) => println!("The kiosk will pin this hub's certificate, SHA-256 {fp}"),
                None => println!("The hub has no certificate yet; it makes one when it first serves."),
            }
            Ok(())
        }
        Command::Devices { command: DevicesCommand::List } => {
            let store = open(&data)?;
            let devices = store.devices().await.map_err(|e| e.to_string())?;
            let counts: std::collections::HashMap<DeviceId, u64> =
                store.op_counts().await.map_err(|e| e.to_string())?.into_iter().collect();
            if devices.is_empty() {
                println!("No devices are enrolled. `frontdesk-hub enrol --site SITE --device NAME` makes a code.");
            }
            for d in devices {
                let state = match d.revoked_at {
                    Some(at) => format!("revoked {}", short(at)),
                    None => "active".to_owned(),
                };
                let seen = d.last_seen_at.map_or_else(|| "never".to_owned(), short);
                println!(
                    "{}  {:<24} site {:<20} {:<20} enrolled {}  last seen {}  ops {}",
                    d.id,
                    d.name,
                    d.site,
                    state,
                    short(d.enrolled_at),
                    seen,
                    counts.get(&d.id).copied().unwrap_or(0)
                );
            }
            Ok(())
        }
        Command::Devices { command: DevicesCommand::Revoke { device } } => {
            let store = open(&data)?;
            let target = find_device(&store, &device).await?;
            if store.revoke(target.id, now()).await.map_err(|e| e.to_string())? {
                println!(
                    "Revoked {} ({}) at site {}. A running hub refuses it from now on.",
                    target.name, target.id, target.site
                );
            } else {
                println!("{} ({}) was revoked already.", target.name, target.id);
            }
            Ok(())
        }
        Command::Site { command: SiteCommand::Publish { file } } => {
            let store = open(&data)?;
            let config = SiteConfig::load(&file).map_err(|e| e.to_string())?;
            let report = author::publish_site(&store, &config).await.map_err(|e| e.to_string())?;
            println!(
                "Published site {}: settings {}, {} host(s) written, {} deactivated.",
                config.site.id,
                if report.settings_changed { "updated" } else { "unchanged" },
                report.hosts_written,
                report.hosts_deactivated
            );
            Ok(())
        }
        Command::Watchlist { command: WatchlistCommand::Publish { site, file } } => {
            let store = open(&data)?;
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let site = SiteId(site);
            let report = author::publish_watchlist(&store, &site, &text).await.map_err(|e| e.to_string())?;
            println!(
                "Published the watch list of site {site}: {} entr(y/ies) written, {} deactivated.",
                report.written, report.deactivated
            );
            Ok(())
        }
        Command::Cards { command: CardsCommand::Publish { site, folder } } => {
            let store = open(&data)?;
            let site = SiteId(site);
            let report = author::publish_cards(&store, &site, &folder).await.map_err(|e| e.to_string())?;
            println!("Published cards for site {site}: {} written, {} unchanged.", report.written, report.unchanged);
            Ok(())
        }
        Command::Fingerprint => {
            let fp = tls::existing_fingerprint(&data)
                .ok_or_else(|| format!("no certificate in {} yet; `frontdesk-hub serve` makes one", data.display()))?;
            println!("{fp}");
            Ok(())
        }
    }
}

fn short(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M").to_string()
}

fn open(data: &std::path::Path) -> Result<SqliteHubStore, String> {
    SqliteHubStore::open(data).map_err(|e| e.to_string())
}

async fn find_device(store: &SqliteHubStore, wanted: &str) -> Result<DeviceRecord, String> {
    let devices = store.devices().await.map_err(|e| e.to_string())?;
    if let Ok(id) = wanted.parse::<DeviceId>() {
        return devices.into_iter().find(|d| d.id == id).ok_or_else(|| format!("no device with id {id}"));
    }
    let matches: Vec<DeviceRecord> = devices.into_iter().filter(|d| d.name == wanted).collect();
    match matches.len() {
        0 => Err(format!("no device named {wanted:?}; `frontdesk-hub devices list` shows them")),
        1 => Ok(matches.into_iter().next().expect("one")),
        _ => Err(format!(
            "{} devices are named {wanted:?}; give the id: {}",
            matches.len(),
            matches.iter().map(|d| d.id.to_string()).collect::<Vec<_>>().join(", ")
        )),
    }
}

async fn serve(
    data: PathBuf,
    listen: Option<SocketAddr>,
    insecure_dev: bool,
    cert_and_key: Option<(PathBuf, PathBuf)>,
) -> Result<(), String> {
    let listen = listen.unwrap_or_else(|| {
        if insecure_dev { SocketAddr::from(([127, 0, 0, 1], 8080)) } else { SocketAddr::from(([0, 0, 0, 0], 8443)) }
    });
    let transport = if insecure_dev { Transport::InsecureDev } else { Transport::Tls { cert_and_key } };
    let hub = frontdesk_hub::start(HubConfig { data_dir: data.clone(), listen, transport })
        .await
        .map_err(|e| e.to_string())?;
    // A server keeps serving when whoever started it stops reading its output (a closed pipe
    // must not bring it down), so it reports through `say`, which ignores write errors.
    say(format_args!("frontdesk-hub {} serving {}", env!("CARGO_PKG_VERSION"), data.display()));
    match hub.fingerprint {
        Some(fp) => say(format_args!("certificate SHA-256 fingerprint {fp}")),
        None => say(format_args!("WARNING: plain HTTP (--insecure-dev): for development on this machine only")),
    }
    // Tests and scripts read this line for the port (listening on port 0 picks a free one).
    say(format_args!("listening on {} ({})", hub.url(), hub.addr));
    shutdown_signal().await;
    say(format_args!("frontdesk-hub: stopping"));
    hub.shutdown(Duration::from_secs(5)).await;
    Ok(())
}

fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
