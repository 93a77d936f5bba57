//! The parallel pipeline: one reader thread cuts the input into chunks, a rayon pool maps
//! chunks to results in parallel, and results reach the consumer in input order.
//!
//! Memory is bounded: at most `2 × threads` chunks wait in the channel and `2 × threads` are
//! being mapped, whatever the input size. Because results are consumed in chunk order, the
//! output does not depend on the thread count (see `tests/determinism.rs`).

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

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
    M: Fn(&Chunk) -> R + Sync + Send,
    C: FnMut(Chunk, R) -> bool,
{
    let threads = threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let batch_size = threads * 2;
    let (tx, rx) = crossbeam_channel::bounded::<Chunk>(batch_size);
    let stop = AtomicBool::new(false);
    let stats = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut sink = |chunk: Chunk| !stop.load(Ordering::Relaxed) && tx.send(chunk).is_ok();
            let stats = read_inputs(cfg, &mut sink);
            drop(tx);
            stats
        });
        let mut batch: Vec<Chunk> = Vec::with_capacity(batch_size);
        'outer: loop {
            batch.clear();
            match rx.recv() {
                Ok(c) => batch.push(c),
                Err(_) => break,
            }
            while batch.len() < batch_size {
                match rx.recv() {
                    Ok(c) => batch.push(c),
                    Err(_) => break,
                }
            }
            let results: Vec<R> = pool.install(|| batch.par_iter().map(&map).collect());
            for (chunk, r) in batch.drain(..).zip(results) {
                if !consume(chunk, r) {
                    stop.store(true, Ordering::Relaxed);
                    break 'outer;
                }
            }
        }
        // Unblock the reader if it waits on a full channel, then let it finish.
        drop(rx);
        reader.join()
    });
    stats.map_err(|_| anyhow::anyhow!("the input reader thread panicked"))
}
