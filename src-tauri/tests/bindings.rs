//! The UI's TypeScript types and client are generated from the Rust commands and types; this
//! fails when the committed files drift. `UPDATE_BINDINGS=1 cargo test -p frontdesk-app` rewrites them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use frontdesk_app::bindings::{BINDINGS_DIR, write_all};
use frontdesk_app::commands::signatures;

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(BINDINGS_DIR)
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ts") {
                files.insert(
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read_to_string(&path).unwrap(),
                );
            }
        }
    }
    files
}

#[test]
fn committed_bindings_match_the_rust_types_and_commands() {
    if std::env::var("UPDATE_BINDINGS").is_ok_and(|v| v == "1") {
        let dir = committed_dir();
        for name in read_tree(&dir).keys() {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        write_all(&dir, &signatures()).unwrap();
        return;
    }
    let fresh = tempfile::tempdir().unwrap();
    write_all(fresh.path(), &signatures()).unwrap();
    let expected = read_tree(fresh.path());
    let committed = read_tree(&committed_dir());
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&committed),
        names(&expected),
        "generated files differ; run UPDATE_BINDINGS=1 cargo test -p frontdesk-app"
    );
    for (name, text) in &expected {
        assert_eq!(&committed[name], text, "{name} is stale; run UPDATE_BINDINGS=1 cargo test -p frontdesk-app");
    }
}
