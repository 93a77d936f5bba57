//! The parallel pipeline: one reader thread cuts the input into chunks, worker threads map
//! chunks to results in parallel, and results reach the consumer in input order.
//!
//! ```text
//! reader ──chunks──► worker × N ──(chunk, result)──► consumer (reorders by chunk seq)
//!    ▲                                                   │
//!    └───────────────────── permits ◄────────────────────┘
//! ```
//!
//! The consumer merges results while workers go on with later chunks (no batch barrier), so
//! a serial merge overlaps with parallel parsing. Memory is bounded: the reader takes a
//! permit for each chunk and the consumer returns it once the chunk is consumed, so at most
//! `2 × threads` chunks exist at once (with their results), whatever the input size: one
//! being mapped per worker and one waiting per worker. More buys no speed (1 GiB bench logs:
//! the same time within noise with 4 × threads) but costs memory where results are large (a
//! log of mostly distinct paths: 410 → 280 MB peak RSS from this alone). Because results are
//! consumed in chunk order, the output does not depend on the thread count
//! (`tests/determinism.rs`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::bounded;

use crate::input::{read_inputs, Chunk, InputConfig, InputStats};

/// Runs the pipeline. `map` runs on worker threads, once per chunk; `consume` runs on the
/// calling thread, in chunk order, and returns false to stop reading early (`--head`).
pub fn run<R, M, C>(
    cfg: &InputConfig,
    threads: usize,
    map: M,
    mut consume: C,
) -> anyhow::Result<InputStats>
where
    R: Send,
    M: Fn(&Chunk) -> R + Sync,
    C: FnMut(Chunk, R) -> bool,
{
    let threads = threads.max(1);
    let in_flight = threads * 2;
    let (chunk_tx, chunk_rx) = bounded::<Chunk>(threads * 2);
    let (result_tx, result_rx) = bounded::<(Chunk, R)>(in_flight);
    let (permit_tx, permit_rx) = bounded::<()>(in_flight);
    for _ in 0..in_flight {
        // The channel has room for every permit; this cannot block or fail.
        let _ = permit_tx.send(());
    }
    let stop = AtomicBool::new(false);
    let map = &map;
    let stats = std::thread::scope(|scope| {
        let reader = std::thread::Builder::new().spawn_scoped(scope, || {
            let mut sink = |chunk: Chunk| {
                !stop.load(Ordering::Relaxed)
                    && permit_rx.recv().is_ok()
                    && chunk_tx.send(chunk).is_ok()
            };
            let stats = read_inputs(cfg, &mut sink);
            drop(chunk_tx);
            stats
        });
        let reader = match reader {
            Ok(r) => r,
            Err(e) => return Err(anyhow::anyhow!("cannot start the input reader thread: {e}")),
        };
        let mut workers = 0;
        for _ in 0..threads {
            let rx = chunk_rx.clone();
            let tx = result_tx.clone();
            let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                for chunk in rx {
                    let r = map(&chunk);
                    if tx.send((chunk, r)).is_err() {
                        break;
                    }
                }
            });
            match spawned {
                Ok(_) => workers += 1,
                // The OS refused more threads: go on with the ones running (the output does
                // not depend on their number), or fail if there are none.
                Err(e) if workers == 0 => {
                    stop.store(true, Ordering::Relaxed);
                    drop(permit_tx);
                    drop(result_rx);
                    let _ = reader.join();
                    return Err(anyhow::anyhow!("cannot start a worker thread: {e}"));
                }
                Err(_) => break,
            }
        }
        drop(chunk_rx);
        drop(result_tx);

        // Results arrive in any order; consume them strictly by chunk sequence number.
        let mut pending: BTreeMap<u64, (Chunk, R)> = BTreeMap::new();
        let mut next = 0u64;
        'results: for (chunk, r) in result_rx.iter() {
            pending.insert(chunk.seq, (chunk, r));
            while let Some((chunk, r)) = pending.remove(&next) {
                next += 1;
                let _ = permit_tx.send(());
                if !consume(chunk, r) {
                    stop.store(true, Ordering::Relaxed);
                    break 'results;
                }
            }
        }
        // Shut down: with the result receiver and the permits gone, workers stop at their
        // next send and the reader at its next chunk, whatever they were waiting on.
        drop(pending);
        drop(result_rx);
        drop(permit_tx);
        reader
            .join()
            .map_err(|_| anyhow::anyhow!("the input reader thread panicked"))
    });
    stats
}
