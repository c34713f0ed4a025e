//! Generates the UI's TypeScript: one file per Rust type (ts-rs) and a typed client with one
//! function per command. `cargo test` checks the committed files match; run it with
//! `UPDATE_BINDINGS=1` to rewrite them after changing a command or a type.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ts_rs::{Config, TS, TypeVisitor};

/// Where the generated TypeScript lives, relative to the repository root.
pub const BINDINGS_DIR: &str = "ui/src/lib/bindings";

pub struct CommandSignature {
    pub name: &'static str,
    pub doc: &'static str,
    pub args: Vec<(&'static str, TypeInfo)>,
    pub ret: TypeInfo,
}

/// A Rust type as the TypeScript side sees it.
pub struct TypeInfo {
    /// The TypeScript type expression, e.g. `Array<Visit>`.
    pub ts: String,
    /// Named types it refers to, with the file each is exported to.
    pub imports: Vec<(String, PathBuf)>,
    /// Writes the type and everything it depends on into a directory.
    export: fn(&Config) -> Result<(), ts_rs::ExportError>,
}

pub fn type_info<T: TS + 'static + ?Sized>() -> TypeInfo {
    let cfg = Config::default();
    let mut imports = Vec::new();
    collect_named::<T>(&cfg, &mut imports);
    TypeInfo { ts: T::name(&cfg), imports, export: export_with_dependencies::<T> }
}

/// `T` itself if it is a named type, its dependencies, and the type arguments of wrappers such
/// as `Vec<T>` or `Option<T>` (which ts-rs reports as generics, not dependencies).
fn collect_named<T: TS + 'static + ?Sized>(cfg: &Config, out: &mut Vec<(String, PathBuf)>) {
    struct Generics<'a> {
        cfg: &'a Config,
        out: &'a mut Vec<(String, PathBuf)>,
    }
    impl TypeVisitor for Generics<'_> {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            collect_named::<U>(self.cfg, self.out);
        }
    }
    if let Some(path) = T::output_path() {
        out.push((T::ident(cfg), path));
    }
    out.extend(T::dependencies(cfg).into_iter().map(|d| (d.ts_name, d.output_path)));
    T::visit_generics(&mut Generics { cfg, out });
}

/// Export `T` if it is a named type, and every named type it depends on.
fn export_with_dependencies<T: TS + 'static + ?Sized>(cfg: &Config) -> Result<(), ts_rs::ExportError> {
    struct Exporter<'a> {
        cfg: &'a Config,
        result: Result<(), ts_rs::ExportError>,
    }
    impl TypeVisitor for Exporter<'_> {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            if self.result.is_ok() && U::output_path().is_some() {
                self.result = U::export_all(self.cfg);
            }
        }
    }
    if T::output_path().is_some() {
        return T::export_all(cfg);
    }
    let mut exporter = Exporter { cfg, result: Ok(()) };
    T::visit_dependencies(&mut exporter);
    // Wrappers such as `Vec<T>` report `T` as a generic, not a dependency.
    T::visit_generics(&mut exporter);
    exporter.result
}

fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn import_path(path: &Path) -> String {
    let stem = path.with_extension("");
    format!("./{}", stem.display())
}

/// The typed client: one function per command.
pub fn client_source(commands: &[CommandSignature]) -> String {
    // Import only the names the signatures spell out, not everything they depend on.
    let mut imports: BTreeMap<String, String> = BTreeMap::new();
    for command in commands {
        for info in command.args.iter().map(|(_, t)| t).chain([&command.ret]) {
            let words: Vec<&str> = info.ts.split(|c: char| !c.is_alphanumeric() && c != '_').collect();
            for (name, path) in &info.imports {
                if words.contains(&name.as_str()) {
                    imports.insert(name.clone(), import_path(path));
                }
            }
        }
    }
    let mut out = String::from(
        "// Generated from src-tauri/src/commands.rs by `cargo test -p frontdesk-app`.\n\
         // Do not edit: change the command in Rust and run the tests with UPDATE_BINDINGS=1.\n\
         import { invoke } from \"@tauri-apps/api/core\";\n",
    );
    for (name, path) in &imports {
        let _ = writeln!(out, "import type {{ {name} }} from \"{path}\";");
    }
    for command in commands {
        out.push('\n');
        let doc: Vec<&str> = command.doc.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if !doc.is_empty() {
            let _ = writeln!(out, "/** {} */", doc.join(" "));
        }
        let params: Vec<String> =
            command.args.iter().map(|(name, info)| format!("{}: {}", camel_case(name), info.ts)).collect();
        let keys: Vec<String> = command.args.iter().map(|(name, _)| camel_case(name)).collect();
        let payload = if keys.is_empty() { String::new() } else { format!(", {{ {} }}", keys.join(", ")) };
        let _ = writeln!(
            out,
            "export function {}({}): Promise<{}> {{\n  return invoke<{}>(\"{}\"{});\n}}",
            camel_case(command.name),
            params.join(", "),
            command.ret.ts,
            command.ret.ts,
            command.name,
            payload
        );
    }
    out
}

/// Types the UI needs beyond those in command signatures: the error shape of every rejection.
fn extra_types() -> Vec<TypeInfo> {
    vec![type_info::<frontdesk_core::ApiError>()]
}

/// Write every binding into `dir`: the type files and `commands.ts`.
pub fn write_all(dir: &Path, commands: &[CommandSignature]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let cfg = Config::default().with_out_dir(dir);
    let extra = extra_types();
    let infos = commands.iter().flat_map(|c| c.args.iter().map(|(_, t)| t).chain([&c.ret])).chain(extra.iter());
    for info in infos {
        (info.export)(&cfg).map_err(std::io::Error::other)?;
    }
    std::fs::write(dir.join("commands.ts"), client_source(commands))?;
    std::fs::write(dir.join("events.ts"), events_source())
}

/// The names of the events the app emits.
pub fn events_source() -> String {
    let mut out = String::from(
        "// Generated from src-tauri/src/events.rs by `cargo test -p frontdesk-app`. Do not edit.\n\nexport const EVENTS = {\n",
    );
    for (key, name) in crate::events::ALL {
        let _ = writeln!(out, "  {key}: \"{name}\",");
    }
    out.push_str("} as const;\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_matches_tauris_argument_renaming() {
        assert_eq!(camel_case("visit_id"), "visitId");
        assert_eq!(camel_case("lang"), "lang");
        assert_eq!(camel_case("on_site"), "onSite");
    }
}
