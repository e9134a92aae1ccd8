//! Group commit for lookups. Every search must be on disk before its answer is
//! sent; committing each one alone costs an fsync per search on SQLite's single
//! writer. One thread collects the lookups that arrive while the previous commit
//! runs and commits them together, with their hit-rate roll-up; each request
//! waits for its own commit.

use std::sync::mpsc;
use std::thread;

use tokio::sync::oneshot;

use chrono::FixedOffset;

use super::hit_rollup;
use super::lookups::LookupRow;
use super::{DbPool, PooledConn};

/// Most lookups committed in one transaction.
const MAX_BATCH: usize = 512;

type Job = (LookupRow, oneshot::Sender<Result<(), String>>);

/// Handle to the writer thread; cloning shares the thread.
#[derive(Clone)]
pub struct LookupWriter {
    tx: mpsc::Sender<Job>,
}

impl LookupWriter {
    /// Starts the writer thread on `pool`.
    pub fn start(pool: DbPool, offset: FixedOffset) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let spawned = thread::Builder::new()
            .name("eir-lookup-writer".into())
            .spawn(move || run(pool, offset, rx));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the lookup writer");
        }
        Self { tx }
    }

    /// Writes one lookup durably; resolves once it is committed.
    pub async fn write(&self, row: LookupRow) -> Result<(), String> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send((row, done))
            .map_err(|_| "lookup writer stopped".to_owned())?;
        wait.await.map_err(|_| "lookup writer stopped".to_owned())?
    }
}

fn run(pool: DbPool, offset: FixedOffset, rx: mpsc::Receiver<Job>) {
    // The writer keeps its connection between batches (checking a connection out
    // of the pool costs PostgreSQL a round trip); after a failed batch it takes a
    // fresh, checked one.
    let mut held: Option<PooledConn> = None;
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let conn = match held.take() {
            Some(conn) => Ok(conn),
            None => pool.get().map_err(|e| e.to_string()),
        };
        let (rows, waiting): (Vec<LookupRow>, Vec<_>) = batch.into_iter().unzip();
        let result = conn.and_then(|mut conn| {
            // Like every write, after the audit chain's head (one lock per
            // batch), retried when the database reports a deadlock.
            let written = crate::service::tx::write(&mut conn, None, |tx| {
                Ok(hit_rollup::insert_lookups(tx, &rows, offset)?)
            })
            .map_err(|e| e.to_string());
            if written.is_ok() {
                held = Some(conn);
            }
            written
        });
        if let Err(e) = &result {
            tracing::error!(error = %e, lookups = rows.len(), "lookup batch not written");
        }
        for done in waiting {
            let _ = done.send(result.clone());
        }
    }
}
