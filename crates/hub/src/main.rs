//! `frontdesk-hub`: the site hub's command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use frontdesk_core::ids::{DeviceId, SiteId};
use frontdesk_core::site::SiteConfig;
use frontdesk_hub::server::now;
use frontdesk_hub::store::{DeviceRecord, GuardRole, HubStore, SqliteHubStore};
use frontdesk_hub::{HubConfig, Transport, author, console, enrol, tls};

#[derive(Parser)]
#[command(
    name = "frontdesk-hub",
    version,
    about = "Frontdesk site hub: enrols kiosks, syncs their data, serves the guards' console"
)]
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
    /// Guard accounts of the web console (https://HUB/console).
    Guards {
        #[command(subcommand)]
        command: GuardsCommand,
    },
    /// Alerts: the monthly report.
    Alerts {
        #[command(subcommand)]
        command: AlertsCommand,
    },
    /// The hub's audit trail (guard actions, alerts received, lost contact).
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print the Argon2id hash of a duress PIN for the site file's `[alerts] duress_pin_hash`.
    PinHash {
        /// Read the PIN from standard input instead of asking twice at the terminal.
        #[arg(long)]
        pin_stdin: bool,
    },
}

#[derive(Subcommand)]
enum GuardsCommand {
    /// Add a guard account (asks for the password twice, unless --password-stdin).
    Add {
        /// The login, e.g. wang.lei (lowercase letters, digits, '.', '_', '-').
        login: String,
        #[arg(long)]
        site: String,
        /// The name shown to others ("Wang Lei").
        #[arg(long)]
        name: String,
        /// guard (alarmed by every alert) or duty_manager (alarmed when an alert escalates).
        #[arg(long, default_value = "guard")]
        role: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Every guard account.
    List,
    /// Set a new password (ends the guard's sessions).
    Passwd {
        login: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account (ends its sessions).
    Disable { login: String },
    /// Enable a disabled account again.
    Enable { login: String },
}

#[derive(Subcommand)]
enum AlertsCommand {
    /// Alerts, false alarms per trigger, time to acknowledge and drills of one month.
    Report {
        #[arg(long)]
        site: String,
        /// YYYY-MM (default: this month)
        #[arg(long)]
        month: Option<String>,
        /// The site's time zone (default: the published site settings', else Asia/Shanghai).
        #[arg(long)]
        timezone: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit trail's hash chain.
    Verify,
    /// The latest entries, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
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
        Command::Guards { command } => guards(&data, command).await,
        Command::Alerts { command: AlertsCommand::Report { site, month, timezone } } => {
            let store = open(&data)?;
            let site = SiteId(site);
            let timezone = match timezone {
                Some(tz) => tz,
                None => {
                    let ops = store.ops_of_kind(site.clone(), "site.published").await.map_err(|e| e.to_string())?;
                    author::current_settings(&ops)
                        .map(|c| c.site.timezone)
                        .unwrap_or_else(|| SiteConfig::demo().expect("demo site").site.timezone)
                }
            };
            // This month at the site.
            let zone = jiff::tz::TimeZone::get(&timezone).map_err(|e| format!("time zone {timezone:?}: {e}"))?;
            let month = month.unwrap_or_else(|| now().to_zoned(zone).strftime("%Y-%m").to_string());
            let (year, m) = frontdesk_core::alert::parse_month(&month)
                .ok_or_else(|| format!("{month:?} is not a month; give it as YYYY-MM"))?;
            let report = frontdesk_hub::console::report_for(&store, &site, &timezone, year, m)
                .await
                .map_err(|e| e.to_string())?;
            print_report(&report);
            Ok(())
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let store = open(&data)?;
            let result = store.audit_verify().await.map_err(|e| e.to_string())?;
            match result.first_broken {
                None => {
                    println!("The hub's audit trail is intact: {} entries.", result.entries);
                    Ok(())
                }
                Some(seq) => {
                    Err(format!("the audit trail is broken at entry {seq}: {}", result.reason.unwrap_or_default()))
                }
            }
        }
        Command::Audit { command: AuditCommand::List { limit } } => {
            let store = open(&data)?;
            for e in store.audit_recent(limit.min(10_000)).await.map_err(|e| e.to_string())? {
                println!(
                    "{:>6}  {}  {:<28} {:<24} {}  {}",
                    e.seq,
                    short(e.at),
                    e.actor,
                    e.action,
                    e.subject,
                    e.details
                );
            }
            Ok(())
        }
        Command::PinHash { pin_stdin } => {
            let pin = if pin_stdin {
                read_stdin_line()?
            } else {
                let first = rpassword::prompt_password("Duress PIN: ").map_err(|e| e.to_string())?;
                let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
                if first != again {
                    return Err("the two PINs differ".into());
                }
                first
            };
            frontdesk_core::pin::validate_new_pin(&pin).map_err(|code| match code {
                frontdesk_core::FieldErrorCode::PinTooSimple => {
                    "too easy to guess: not 000000, one repeated digit or a run like 123456".to_owned()
                }
                _ => "a PIN is 6 to 12 digits".to_owned(),
            })?;
            println!("{}", frontdesk_core::pin::hash_pin(&pin));
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

fn read_stdin_line() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

fn read_password(from_stdin: bool) -> Result<String, String> {
    if from_stdin {
        return read_stdin_line();
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
    let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
    if first != again {
        return Err("the two passwords differ".into());
    }
    Ok(first)
}

async fn guards(data: &std::path::Path, command: GuardsCommand) -> Result<(), String> {
    let store = open(data)?;
    match command {
        GuardsCommand::Add { login, site, name, role, password_stdin } => {
            let role: GuardRole = role.parse()?;
            let password = read_password(password_stdin)?;
            let guard = console::auth::add_guard(&store, &login, &SiteId(site), &name, role, &password)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Added {} ({}) as {} at site {}. They sign in at https://HUB/console.",
                guard.login,
                guard.name,
                guard.role.as_str(),
                guard.site
            );
        }
        GuardsCommand::List => {
            let guards = store.guards().await.map_err(|e| e.to_string())?;
            if guards.is_empty() {
                println!("No guard accounts. `frontdesk-hub guards add LOGIN --site SITE --name NAME` makes one.");
            }
            for g in guards {
                let state = if g.disabled { "disabled" } else { "active" };
                println!("{:<20} {:<24} site {:<20} {:<13} {state}", g.login, g.name, g.site, g.role.as_str());
            }
        }
        GuardsCommand::Passwd { login, password_stdin } => {
            let password = read_password(password_stdin)?;
            console::auth::change_guard(&store, &login, Some(&password), None).await.map_err(|e| e.to_string())?;
            println!("New password set for {login}; their open sessions have ended.");
        }
        GuardsCommand::Disable { login } => {
            console::auth::change_guard(&store, &login, None, Some(true)).await.map_err(|e| e.to_string())?;
            println!("Disabled {login}; their open sessions have ended.");
        }
        GuardsCommand::Enable { login } => {
            console::auth::change_guard(&store, &login, None, Some(false)).await.map_err(|e| e.to_string())?;
            println!("Enabled {login}.");
        }
    }
    Ok(())
}

fn print_report(r: &frontdesk_core::alert::AlertReport) {
    let secs = |s: Option<i64>| s.map_or_else(|| "-".to_owned(), |s| format!("{s} s"));
    println!("Alerts in {} ({})", r.month, r.timezone);
    println!("  alerts {}, false alarms {}, cancelled {}", r.alerts, r.false_alarms, r.cancelled);
    println!(
        "  time to acknowledge: median {}, 90% within {}, longest {}; never acknowledged {}",
        secs(r.time_to_ack.median_seconds),
        secs(r.time_to_ack.p90_seconds),
        secs(r.time_to_ack.max_seconds),
        r.time_to_ack.unacknowledged
    );
    println!("  by kind:");
    for k in &r.by_kind {
        println!(
            "    {:<14} {:>4} alerts, {:>3} real, {:>3} false alarms, {:>3} cancelled, {:>3} open",
            k.kind.as_str(),
            k.alerts,
            k.real,
            k.false_alarms,
            k.cancelled,
            k.open
        );
    }
    println!("  false alarms by trigger:");
    for t in &r.by_trigger {
        println!(
            "    {:<12} {:>4} alerts, {:>3} false alarms, {:>3} cancelled",
            t.trigger.as_str(),
            t.alerts,
            t.false_alarms,
            t.cancelled
        );
    }
    println!("  drills: {} (median time to acknowledge {})", r.drills.len(), secs(r.drill_time_to_ack.median_seconds));
    for d in &r.drills {
        println!(
            "    {}  {:<14} {:<24} acknowledged after {}",
            short(d.raised_at),
            d.kind.as_str(),
            d.desk,
            secs(d.seconds_to_ack)
        );
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
