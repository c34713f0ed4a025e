//! Documents published by the site's author, kept whole: the latest by HLC wins.

use rusqlite::{OptionalExtension, Transaction, params};

use super::{Reader, Result};
use crate::hlc::Hlc;

/// The site settings (one document per site, id = site id).
pub const SITE: &str = "site";
/// Emergency card files published by the site's author (id = `role/scenario.toml`, body = the
/// file's TOML text).
pub const CARDS: &str = "cards";

pub(super) fn put(tx: &Transaction<'_>, collection: &str, id: &str, body: &str, hlc: Hlc) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO authored_docs (collection, id, hlc, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (collection, id) DO UPDATE SET hlc = excluded.hlc, body = excluded.body
         WHERE excluded.hlc > authored_docs.hlc",
    )?
    .execute(params![collection, id, hlc.to_string(), body])?;
    Ok(())
}

impl Reader<'_> {
    /// Every document of a collection: id → body.
    pub fn authored_docs(&self, collection: &str) -> Result<std::collections::BTreeMap<String, String>> {
        let mut stmt = self.0.prepare_cached("SELECT id, body FROM authored_docs WHERE collection = ?1")?;
        let rows = stmt.query_map([collection], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A published document's JSON and version (the stamp of the op that wrote it).
    pub fn authored_doc(&self, collection: &str, id: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .0
            .query_row(
                "SELECT body, hlc FROM authored_docs WHERE collection = ?1 AND id = ?2",
                params![collection, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}
