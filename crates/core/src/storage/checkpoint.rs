//! Checkpoints off the commit path. In WAL mode SQLite copies committed pages back into the
//! database file (a checkpoint: writes and two syncs) inside whichever commit crosses its
//! threshold, so now and then one commit (an alert's) paid for all of them; and desks with the
//! same load cross it in the same moment. Here a thread of its own, on a connection of its
//! own, checkpoints every `EVERY` without holding the writer's lock, and the WAL is reused from
//! its start rather than grown (appending to it makes every sync also a file-size change).
//! The writer keeps SQLite's own checkpoint at `FALLBACK_PAGES` as a bound should this thread
//! ever fall behind.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How often the checkpointer folds the WAL into the database file.
pub const EVERY: Duration = Duration::from_millis(500);
/// The writer's own checkpoint threshold (pages; SQLite's default is 1,000), reached only if
/// the checkpointer falls behind.
pub const FALLBACK_PAGES: u32 = 10_000;

/// Checkpoints `path` on its own thread until dropped.
pub struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Start checkpointing the WAL-mode database at `path`, whose writer `writer` is: its own
    /// checkpoints are moved to `FALLBACK_PAGES`. `None` when no thread can be started: then
    /// SQLite goes on checkpointing inside commits, as without this (said on stderr).
    pub fn start(path: &Path, writer: &Connection) -> rusqlite::Result<Option<Checkpointer>> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread =
            match std::thread::Builder::new().name("sqlite-checkpoint".into()).spawn(move || run(&conn, &stopped)) {
                Ok(thread) => thread,
                Err(e) => {
                    eprintln!("frontdesk: no checkpoint thread ({e}); SQLite checkpoints inside commits");
                    return Ok(None);
                }
            };
        writer.pragma_update(None, "wal_autocheckpoint", FALLBACK_PAGES)?;
        Ok(Some(Checkpointer { stop: Some(stop), thread: Some(thread) }))
    }
}

fn run(conn: &Connection, stopped: &mpsc::Receiver<()>) {
    let mut reported = false;
    while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
        // PASSIVE: copies what no reader still needs and never waits for anyone. Busy (another
        // checkpoint running, e.g. a backup's) is simply tried again next time.
        match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            Ok(()) => reported = false,
            Err(e) if !reported => {
                eprintln!("frontdesk: checkpoint: {e} (SQLite checkpoints on its own meanwhile)");
                reported = true;
            }
            Err(_) => {}
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Closing the channel ends the thread; wait for it, so its connection is closed when
        // the owner goes on (a restore replaces the file).
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (frames in the WAL, of which copied into the database file), without checkpointing.
    fn wal_frames(conn: &Connection) -> (i64, i64) {
        conn.query_row("PRAGMA wal_checkpoint(NOOP)", [], |r| Ok((r.get(1)?, r.get(2)?))).unwrap()
    }

    #[test]
    fn commits_are_folded_into_the_database_by_the_checkpointer_not_by_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let writer = Connection::open(&path).unwrap();
        writer.pragma_update(None, "journal_mode", "WAL").unwrap();
        writer.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
        let checkpointer = Checkpointer::start(&path, &writer).unwrap().expect("a checkpoint thread");
        let threshold: u32 = writer.pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0)).unwrap();
        assert_eq!(threshold, FALLBACK_PAGES);

        // 1,500 pages: past SQLite's default threshold, under the fallback one.
        for _ in 0..1_500 {
            writer.execute("INSERT INTO t VALUES (zeroblob(3000))", []).unwrap();
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let folded = loop {
            let (frames, done) = wal_frames(&writer);
            if frames > 0 && done == frames {
                break true;
            }
            if std::time::Instant::now() > deadline {
                break false;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(folded, "the checkpointer copied every frame into the database file");
        drop(checkpointer);
        // The next write starts the WAL over instead of growing it.
        writer.execute("INSERT INTO t VALUES (1)", []).unwrap();
        assert!(wal_frames(&writer).0 < 10, "the WAL was reused from its start");
    }
}
