//! The check pipeline. Per input, the checkers (a rayon pool) take turns
//! at the reader: it tokenizes and follows the envelopes, and gives a
//! batch of pieces (items, and 837P transactions still to parse) at a
//! time. The checker that read a batch parses its transactions and checks
//! their claims, a part (some hundreds of items) at a time, and
//! delivers each part as it is checked (a transaction's claims are never
//! all held at once). The serial stage (the batch ledger and the writing)
//! runs on the checkers, one at a time: whichever delivers the part next in
//! input order writes it and the waiting parts after it, while later ones
//! are still being checked, so the report is byte-identical for any
//! `--threads`. This thread follows the progress; with `--threads 1` it does
//! everything (`run_inline`). A progress bar follows the bytes read
//! (stderr, TTY only).

use std::collections::BTreeMap;
use std::io::{self, IsTerminal};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::finding::Severity;
use crate::input::minutes::MinutesTable;
use crate::input::{self, Item, Limits, OpenError, Piece, ReadStats};
use crate::input::{RawClaim, RawEvent, ReadClaim};
use crate::policy::{PolicySet, Tables};
use crate::report::ack::Acks;
use crate::report::split::Split;
use crate::report::{csv_rows, RowScratch, Sink, Summary};
use crate::rules::{self, Engine, Ledger, Outcome, Selection};

/// Set by the CLI's SIGINT/SIGTERM handler: the run stops at the next batch
/// and writes nothing under a final name.
pub static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Items handed from the reader to the checkers at a time, at most.
pub const BATCH: usize = 512;
/// Input bytes handed on at a time, about (an 837P transaction is never split).
const BATCH_BYTES: usize = 1 << 20;

pub struct CheckConfig {
    pub inputs: Vec<String>,
    pub threads: usize,
    pub policies: PolicySet,
    pub selection: Selection,
    pub as_of: NaiveDate,
    pub show_info: bool,
    pub limits: Limits,
    pub progress: bool,
    pub tables: Arc<Tables>,
    /// `--minutes`: treatment minutes joined to lines that have none.
    pub minutes: Option<Arc<MinutesTable>>,
}

#[derive(Debug)]
pub enum RunError {
    /// An input could not be opened (exit 2).
    Open(OpenError),
    /// The report could not be written (exit 2), or a closed pipe.
    Write(io::Error),
    Threads(String),
    /// SIGINT or SIGTERM arrived (exit 2); the outputs are abandoned.
    Interrupted,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Open(e) => write!(f, "{e}"),
            RunError::Write(e) => write!(f, "cannot write the report: {e}"),
            RunError::Threads(e) => write!(f, "cannot start worker threads: {e}"),
            RunError::Interrupted => write!(f, "interrupted: no output file was written"),
        }
    }
}

impl std::error::Error for RunError {}

enum Checked {
    /// A claim, what the check concluded, and its report rows as rendered
    /// on the checker (see `Rendered`).
    Claim(Box<ReadClaim>, Outcome, Rendered),
    Finding(Outcome),
    Raw(RawEvent),
}

/// Run the check over every input, writing findings to `sink`.
/// With `split`, every claim also goes to the clean or the rejected file.
pub fn run(
    cfg: &CheckConfig,
    sink: &mut Sink,
    mut split: Option<&mut Split>,
    mut acks: Option<&mut Acks>,
) -> Result<Summary, RunError> {
    // Every input must be readable before anything is written. A regular
    // file is opened to see; a FIFO or a device is not: opened and closed
    // here, a named pipe's writer could meet no reader (a broken pipe, its
    // claims lost, and the run then waiting for a writer that had gone).
    for path in &cfg.inputs {
        if path != "-" {
            let p = std::path::Path::new(path);
            let why = match std::fs::metadata(p) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => Some("no such file".to_string()),
                Err(e) => Some(e.to_string()),
                Ok(m) if m.is_dir() => Some("is a directory".to_string()),
                Ok(m) if m.is_file() => std::fs::File::open(p).err().map(|e| e.to_string()),
                Ok(_) => None,
            };
            if let Some(cause) = why {
                return Err(RunError::Open(OpenError {
                    path: path.clone(),
                    cause,
                }));
            }
        }
    }
    // `--threads 1`: the whole check on this thread (`run_inline`), no
    // worker pool.
    let pool = if cfg.threads > 1 {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(cfg.threads)
            .thread_name(|i| format!("cs-check-{i}"))
            .build()
            .map_err(|e| RunError::Threads(e.to_string()))?;
        Some(pool)
    } else {
        None
    };
    let mut summary = Summary::default();
    let total_bytes: u64 = cfg
        .inputs
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = (cfg.progress && io::stderr().is_terminal() && total_bytes > 0).then(|| {
        let b = ProgressBar::new(total_bytes);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} {bytes_per_sec} [{bar:30}] {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    });
    let mut done_bytes = 0u64;
    // The batch ledger spans every input of the run, in input order, its
    // tables sized from the inputs (`input::claims_hint`).
    let hints: Vec<usize> = cfg
        .inputs
        .iter()
        .map(|p| input::claims_hint(p).min(50_000_000))
        .collect();
    let hint = hints
        .iter()
        .fold(0usize, |a, &b| a.saturating_add(b))
        .min(50_000_000);
    let mut ledger = rules::ledger(&cfg.selection, &cfg.tables, hint);
    for (path, &claims) in cfg.inputs.iter().zip(&hints) {
        let count = Arc::new(AtomicU64::new(0));
        let limits = Limits {
            claims,
            ..cfg.limits
        };
        let source = input::open(path, limits, count.clone()).map_err(RunError::Open)?;
        summary.files += 1;
        let available = source.available();
        for (code, missing) in Engine::skipped_for_data(&available, &cfg.tables) {
            if cfg.selection.enabled(code) {
                summary
                    .skipped_rules
                    .entry(code)
                    .or_insert_with(|| missing.iter().map(|s| s.to_string()).collect());
            }
        }
        let mut engine = Engine::new(
            cfg.policies.clone(),
            cfg.selection.clone(),
            cfg.as_of,
            cfg.show_info,
            &available,
            cfg.tables.clone(),
        );
        engine.keys_for(&ledger);
        let progress = |read: u64| {
            if let Some(b) = &bar {
                b.set_position(done_bytes + read);
            }
        };
        let serial = Serial {
            ledger: &mut ledger,
            sink: &mut *sink,
            split: split.as_deref_mut(),
            acks: acks.as_deref_mut(),
            summary: &mut summary,
            result: Ok(()),
            parsed: ReadStats::default(),
            panic: None,
        };
        let minutes = cfg.minutes.as_deref();
        let run = match &pool {
            None => run_inline(source, &engine, minutes, serial, progress, &count),
            Some(pool) => run_pooled(pool, source, &engine, minutes, serial, progress, &count),
        };
        let stats = run?;
        summary.transactions_skipped += stats.transactions_skipped;
        summary.claims_skipped += stats.claims_skipped;
        done_bytes += count.load(Ordering::Relaxed);
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(m) = &cfg.minutes {
        summary.minutes_rows = Some((m.len() as u64, m.unmatched() as u64));
    }
    Ok(summary)
}

/// One input's check on the pool's threads (`--threads` 2 or more): each
/// takes turns at reading a batch, checks it and delivers its parts; the
/// serial stage runs on whichever delivers the part next in input order.
/// This thread follows the progress and an interrupt.
fn run_pooled(
    pool: &rayon::ThreadPool,
    source: Box<dyn input::ClaimSource>,
    engine: &Engine,
    minutes: Option<&MinutesTable>,
    serial: Serial<'_>,
    progress: impl Fn(u64),
    count: &AtomicU64,
) -> Result<ReadStats, RunError> {
    let threads = pool.current_num_threads();
    // The checkers read their own batches, one at a time, in turn
    // (`feed`): a batch's bytes are parsed on the core that read them,
    // still in its cache (read on a reader thread and parsed on
    // another, they were fetched across; BENCHMARKS.md, session 20).
    let feed = Mutex::new(Feed {
        source,
        next: 0,
        done: false,
        small: false,
    });
    // Batches being checked, at most `threads` (`depth`; CSV batches,
    // small, one more: see where one is read). A batch comes back in
    // parts, as its claims are checked (a transaction's claims are not
    // all held at once), then its end. The serial stage runs on the
    // checkers: the thread that delivers the part next in input order
    // writes it, and every part after it that is waiting (`deliver`),
    // up to another checker's part while that checker's batch is open;
    // a part delivered out of turn waits in `parts`. Written where it
    // was checked, a part's claims are still in that core's cache, and
    // no thread is woken to write it (with this thread writing, every
    // output took 2.85-2.90 s, now 2.51-2.65 s; BENCHMARKS.md, session
    // 20).
    let order = Mutex::new(Order {
        parts: BTreeMap::new(),
        ends: BTreeMap::new(),
        written: 0,
        next_part: 0,
        writing: false,
    });
    let render = serial.sink.renders_csv();
    let serial = Mutex::new(serial);
    // Set on a write error, a panic or an interrupt: parts are no longer
    // written (the batches in flight run out), no batch is read.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let written_cv = std::sync::Condvar::new();
    let deliver = |seq: u64, back: Back| {
        let mut o = lock(&order);
        match back {
            Back::Part(i, part) => {
                o.parts.insert((seq, i), part);
            }
            Back::End(end) => {
                o.ends.insert(seq, end);
            }
        }
        if o.writing {
            // The thread writing will come to it.
            return;
        }
        o.writing = true;
        loop {
            let at = (o.written, o.next_part);
            // Another checker's part is left to that checker while its
            // batch is open (it will deliver again, its end at least): a
            // part is written on the core that checked it, its claims
            // still in that core's cache. Written by whichever thread came
            // first, half the parts crossed cores (1,000,000 claims: -3.5%
            // wall, every output -7%; BENCHMARKS.md, session 23).
            if at.0 != seq && !o.ends.contains_key(&at.0) {
                break;
            }
            if let Some(part) = o.parts.remove(&at) {
                o.next_part += 1;
                drop(o);
                let mut spent = None;
                {
                    let mut s = lock(&serial);
                    let s = &mut *s;
                    if s.result.is_ok() && !stop.load(Ordering::Relaxed) {
                        let wrote = panic::catch_unwind(AssertUnwindSafe(|| s.write(part, engine)));
                        match wrote {
                            Ok(Ok(claims)) => spent = Some(claims),
                            Ok(Err(e)) => {
                                s.result = Err(e);
                                stop.store(true, Ordering::Relaxed);
                            }
                            Err(p) => {
                                s.panic.get_or_insert(p);
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                }
                // The claims are freed outside the locks.
                drop(spent);
                o = lock(&order);
                continue;
            }
            // A batch is written when its end has come and every part
            // before it.
            let whole = match o.ends.get(&o.written) {
                Some(Ok((n, _))) => *n == o.next_part,
                Some(Err(_)) => true,
                None => false,
            };
            if !whole {
                break;
            }
            let written = o.written;
            let end = o.ends.remove(&written).expect("looked up");
            o.written += 1;
            o.next_part = 0;
            let mut s = lock(&serial);
            match end {
                Ok((_, stats)) => s.parsed.add(&stats),
                Err(p) => {
                    s.panic.get_or_insert(p);
                    stop.store(true, Ordering::Relaxed);
                }
            }
            drop(s);
            written_cv.notify_all();
        }
        o.writing = false;
    };
    let deliver = &deliver;
    let feed = &feed;
    let (stop, order, written_cv) = (&stop, &order, &written_cv);
    let running = std::sync::atomic::AtomicUsize::new(threads);
    let running = &running;
    let fault: Mutex<Option<Box<dyn std::any::Any + Send>>> = Mutex::new(None);
    let fault = &fault;
    let mut interrupted = false;
    // One checker's turn after turn: read the next batch, check it,
    // deliver its parts. A batch is begun only while fewer than `depth`
    // are ahead of the one being written (a checker ahead waits, taking
    // up the pool's other work meanwhile: a giant transaction's chunks).
    let work = move || {
        let turns = panic::catch_unwind(AssertUnwindSafe(|| loop {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let (seq, batch) = {
                let mut f = lock(feed);
                if f.done {
                    return;
                }
                let seq = f.next;
                // A CSV job is a batch of its own, 128 KiB: one more in
                // flight holds little, and without it the checkers ran
                // dry behind the serial stage (CSV with notes 10%
                // slower; BENCHMARKS.md, session 18).
                let depth = threads as u64 + u64::from(f.small);
                if seq - lock(order).written >= depth {
                    drop(f);
                    if rayon::yield_now() != Some(rayon::Yield::Executed) {
                        let o = lock(order);
                        if seq - o.written >= depth && !stop.load(Ordering::Relaxed) {
                            let _ =
                                written_cv.wait_timeout(o, std::time::Duration::from_millis(10));
                        }
                    }
                    continue;
                }
                let batch = next_batch(&mut *f.source);
                if batch.is_empty() {
                    f.done = true;
                    return;
                }
                f.small = matches!(batch.first(), Some(Piece::Rows(_)));
                f.next += 1;
                (seq, batch)
            };
            // A batch is checked by the thread it went to: the batches
            // in flight keep the threads busy. Spread over the threads,
            // a batch's chunks left threads waiting on one another
            // (1,000,000 claims 2.45 -> 2.05 s, every output 2.95 ->
            // 2.55 s; BENCHMARKS.md, session 20). Only a transaction too
            // big for that (one batch for a long while) has its parts'
            // chunks spread.
            let giant = batch.iter().map(Piece::weight).sum::<usize>() > GIANT_BATCH;
            let end = panic::catch_unwind(AssertUnwindSafe(|| {
                let mut n = 0;
                let stats = check_batch(batch, engine, minutes, render, giant, |part| {
                    deliver(seq, Back::Part(n, part));
                    n += 1;
                });
                (n, stats)
            }));
            deliver(seq, Back::End(end));
        }));
        if let Err(p) = turns {
            lock(fault).get_or_insert(p);
            stop.store(true, Ordering::Relaxed);
        }
        // Under the lock the main thread checks `running` with, so
        // that it is not left waiting for a wake-up already sent.
        let o = lock(order);
        running.fetch_sub(1, Ordering::Relaxed);
        drop(o);
        written_cv.notify_all();
    };
    pool.in_place_scope(|scope| {
        // One turn-taker on each of the pool's threads, for it alone: a
        // thread waiting inside a giant batch's parallel chunks takes up
        // only other chunks, never a second turn-taker (which could wait
        // on the very batch it sits on).
        scope.spawn_broadcast(move |_, _| work());
        // This thread follows: the progress bar, an interrupt.
        while running.load(Ordering::Relaxed) > 0 {
            if INTERRUPTED.load(Ordering::Relaxed) {
                interrupted = true;
                stop.store(true, Ordering::Relaxed);
                written_cv.notify_all();
            }
            progress(count.load(Ordering::Relaxed));
            let o = lock(order);
            if running.load(Ordering::Relaxed) > 0 {
                let _ = written_cv.wait_timeout(o, std::time::Duration::from_millis(100));
            }
        }
    });
    if let Some(p) = lock(fault).take() {
        panic::resume_unwind(p);
    }
    let Serial {
        result,
        parsed,
        panic: panicked,
        ..
    } = serial.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = panicked {
        panic::resume_unwind(p);
    }
    let mut stats = feed
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .source
        .stats();
    stats.add(&parsed);
    if interrupted || INTERRUPTED.load(Ordering::Relaxed) {
        return Err(RunError::Interrupted);
    }
    result.map_err(RunError::Write)?;
    Ok(stats)
}

/// One input's check on this thread (`--threads 1`): batches read as the
/// checkers read them, each checked and written part by part before
/// the next is read. One thread at work, no batch in flight; the outputs'
/// writer threads still take the blocks to disk. The same outputs as the
/// pipeline, batch for batch.
fn run_inline(
    mut source: Box<dyn input::ClaimSource>,
    engine: &Engine,
    minutes: Option<&MinutesTable>,
    mut serial: Serial<'_>,
    progress: impl Fn(u64),
    count: &AtomicU64,
) -> Result<ReadStats, RunError> {
    let render = serial.sink.renders_csv();
    let s = &mut serial;
    loop {
        let batch = next_batch(&mut *source);
        if batch.is_empty() {
            break;
        }
        if INTERRUPTED.load(Ordering::Relaxed) {
            return Err(RunError::Interrupted);
        }
        let stats = check_batch(batch, engine, minutes, render, false, |part| {
            if s.result.is_ok() {
                s.result = s.write(part, engine).map(drop);
            }
        });
        std::mem::replace(&mut s.result, Ok(())).map_err(RunError::Write)?;
        s.parsed.add(&stats);
        progress(count.load(Ordering::Relaxed));
    }
    if INTERRUPTED.load(Ordering::Relaxed) {
        return Err(RunError::Interrupted);
    }
    let mut stats = source.stats();
    stats.add(&s.parsed);
    Ok(stats)
}

/// A claim's CSV report rows (CSV reports only), rendered by the checker
/// that checked it (while the claim is in its cache, and off the serial
/// stage), for the `findings` findings it had then. The serial stage writes
/// them as they are unless the batch ledger added findings (then it renders
/// them anew).
struct Rendered {
    rows: Option<Vec<u8>>,
    findings: usize,
}

/// The lock, also where a panic poisoned it (what it guards is claims to
/// free, whole or not at all).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Part of a batch checked: its items in input order (chunk by chunk as
/// checked, not copied into one vector).
type Part = Vec<Vec<Checked>>;

/// What a batch's task sends back: its parts, numbered, then its end (how
/// many parts, and the counts its transactions added), or its panic.
enum Back {
    Part(u32, Part),
    End(thread::Result<(u32, ReadStats)>),
}

/// Items of a transaction checked at a time, about: its claims need not
/// all be held at once (a parsed claim is some 2 KB; a transaction of 5,000
/// claims held whole, three or four in flight, was most of the memory).
const PART: usize = 256;

/// A batch of more input bytes than this (one 837P transaction, never
/// split) has each part's chunks checked on every thread.
const GIANT_BATCH: usize = 16 * BATCH_BYTES;

/// The parallel part: parse the batch's transactions, check their claims
/// (the chunks of each part spread over the pool's threads when `parallel`,
/// else on this thread), and hand each part to `send` in input order as it
/// is checked.
fn check_batch(
    batch: Vec<Piece>,
    engine: &Engine,
    minutes: Option<&MinutesTable>,
    render: bool,
    parallel: bool,
    mut send: impl FnMut(Part),
) -> ReadStats {
    let mut stats = ReadStats::default();
    let mut items: Vec<Item> = Vec::new();
    let check = |items: Vec<Item>| -> Part {
        if !parallel {
            // On this thread, chunk by chunk as the workers would.
            let mut scratch = RowScratch::default();
            let mut items = items.into_iter();
            let mut part = Vec::new();
            loop {
                let chunk: Vec<Item> = items.by_ref().take(CHUNK).collect();
                if chunk.is_empty() {
                    return part;
                }
                part.push(check_chunk(chunk, engine, minutes, render, &mut scratch));
            }
        }
        items
            .into_par_iter()
            .chunks(CHUNK)
            .map_init(RowScratch::default, |scratch, chunk| {
                check_chunk(chunk, engine, minutes, render, scratch)
            })
            .collect()
    };
    for piece in batch {
        match piece {
            Piece::Item(i) => items.push(i),
            Piece::Deferred(job) => {
                let mut held = std::mem::take(&mut items);
                let s = job.parse_each(PART, |part| {
                    if held.is_empty() {
                        held = part;
                    } else {
                        held.extend(part);
                    }
                    if held.len() >= PART {
                        send(check(std::mem::take(&mut held)));
                    }
                });
                stats.add(&s);
                items = held;
            }
            piece => {
                let (more, s) = piece.into_items();
                stats.add(&s);
                if items.is_empty() {
                    items = more;
                } else {
                    items.extend(more);
                }
            }
        }
    }
    if !items.is_empty() {
        send(check(items));
    }
    stats
}

/// Claims a worker checks together, rule by rule (`Engine::check_all`):
/// enough for a rule's code to be fetched once for many claims, few enough
/// for their data to stay in the L2 cache.
const CHUNK: usize = 32;

/// Check a chunk of a batch's items: the claims together, in order.
fn check_chunk(
    mut chunk: Vec<Item>,
    engine: &Engine,
    minutes: Option<&MinutesTable>,
    render: bool,
    scratch: &mut RowScratch,
) -> Vec<Checked> {
    let mut reads = Vec::with_capacity(chunk.len());
    for item in &mut chunk {
        if let Item::Claim(rc) = item {
            if let Some(m) = minutes {
                m.join(&mut rc.claim);
            }
            reads.push(std::mem::take(&mut rc.findings));
        }
    }
    let claims = chunk.iter().filter_map(Item::claim).map(|rc| &rc.claim);
    let mut outcomes = engine.check_all(claims.zip(reads).collect()).into_iter();
    chunk
        .into_iter()
        .map(|item| match item {
            Item::Claim(rc) => {
                let outcome = outcomes.next().expect("an outcome for each claim");
                let rows = render.then(|| {
                    // Room for the rows at once (a row is about 300 bytes):
                    // grown by doubling, a claim's rows were copied over and
                    // over.
                    let mut rows = Vec::with_capacity(outcome.findings.len() * 320);
                    csv_rows(&mut rows, &rc.claim, &outcome.findings, scratch);
                    rows
                });
                let findings = outcome.findings.len();
                Checked::Claim(rc, outcome, Rendered { rows, findings })
            }
            Item::Raw(ev) => Checked::Raw(ev),
            Item::Finding(f) => {
                Checked::Finding(engine.settle(vec![f], engine.policies.fallback()))
            }
        })
        .collect()
}

/// A part written, its claims to be freed outside the serial stage's lock
/// (handed back whole: moving each claim's outcome out into a new list
/// was 2% of a run, in copies to fresh memory).
type Spent = Part;

/// The input, read a batch at a time by the checkers in turn.
struct Feed {
    source: Box<dyn input::ClaimSource>,
    /// The next batch's number, in input order.
    next: u64,
    done: bool,
    /// The last batch read was a CSV job (small: one more may be in flight).
    small: bool,
}

/// The next batch of pieces: up to `BATCH` of them or about `BATCH_BYTES`
/// of input, a CSV job alone (`csv::JOB_BYTES`); empty at the input's end.
fn next_batch(source: &mut dyn input::ClaimSource) -> Vec<Piece> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut weight = 0;
    while let Some(piece) = source.next_piece() {
        weight += piece.weight();
        let whole = matches!(piece, Piece::Rows(_));
        batch.push(piece);
        if batch.len() == BATCH || weight >= BATCH_BYTES || whole {
            break;
        }
    }
    batch
}

/// Where the serial stage is in input order, and what waits for it.
struct Order {
    parts: BTreeMap<(u64, u32), Part>,
    ends: BTreeMap<u64, thread::Result<(u32, ReadStats)>>,
    /// Batches written, and parts written of the next.
    written: u64,
    next_part: u32,
    /// A thread is writing (and will write what comes in meanwhile).
    writing: bool,
}

/// The serial stage's state: held by the thread writing.
struct Serial<'s> {
    ledger: &'s mut Ledger,
    sink: &'s mut Sink,
    split: Option<&'s mut Split>,
    acks: Option<&'s mut Acks>,
    summary: &'s mut Summary,
    result: io::Result<()>,
    parsed: ReadStats,
    panic: Option<Box<dyn std::any::Any + Send>>,
}

impl Serial<'_> {
    /// Write a checked part in input order (`write_batch`).
    fn write(&mut self, part: Part, engine: &Engine) -> io::Result<Spent> {
        write_batch(
            part,
            engine,
            self.ledger,
            self.sink,
            self.split.as_deref_mut(),
            self.acks.as_deref_mut(),
            self.summary,
        )
    }
}

/// The serial part, in input order: the batch ledger, then the writing.
fn write_batch(
    mut batch: Vec<Vec<Checked>>,
    engine: &Engine,
    ledger: &mut Ledger,
    sink: &mut Sink,
    mut split: Option<&mut Split>,
    mut acks: Option<&mut Acks>,
    s: &mut Summary,
) -> io::Result<Spent> {
    // The ledger's tables are larger than the caches: the slots of the next
    // chunk's keys are fetched while this chunk is observed.
    fn prefetch(ledger: &Ledger, chunk: &[Checked]) {
        for c in chunk {
            if let Checked::Claim(_, outcome, _) = c {
                ledger.prefetch(&outcome.ledger);
            }
        }
    }
    if let Some(first) = batch.first() {
        prefetch(ledger, first);
    }
    for at in 0..batch.len() {
        if let Some(next) = batch.get(at + 1) {
            prefetch(ledger, next);
        }
        for c in &mut batch[at] {
            match c {
                Checked::Raw(ev) => {
                    if let Some(a) = acks.as_deref_mut() {
                        a.event(ev)?;
                    }
                    if let Some(sp) = split.as_deref_mut() {
                        // Taken: the split keeps what it needs.
                        sp.event(std::mem::replace(ev, RawEvent::TransactionEnd))?;
                    }
                }
                Checked::Claim(rc, outcome, rendered) => {
                    let raw = rc.raw.take();
                    let claim = &rc.claim;
                    engine.observe(ledger, claim, outcome);
                    if let Some(a) = acks.as_deref_mut() {
                        let hl = match &raw {
                            Some(RawClaim::X12 { hl, .. }) => *hl,
                            _ => None,
                        };
                        a.claim(claim, outcome, hl);
                    }
                    if let (Some(sp), Some(raw)) = (split.as_deref_mut(), raw) {
                        sp.claim(raw, outcome.rejected)?;
                    }
                    s.claims += 1;
                    if outcome.rejected {
                        s.rejected += 1;
                        let charges = claim
                            .total
                            .unwrap_or_else(|| claim.lines.iter().filter_map(|l| l.charge).sum());
                        s.held_back_cents += charges.cents();
                    } else {
                        s.clean += 1;
                    }
                    let provider = claim
                        .lines
                        .first()
                        .map_or(&claim.billing.npi, |l| &claim.rendering_for(l).npi);
                    for (map, key) in [
                        (&mut s.by_payer, &claim.payer.id),
                        (&mut s.by_provider, provider),
                    ] {
                        let key = if key.is_empty() { "(none)" } else { key };
                        // Look up first: a key is new once, not once a claim.
                        let t = match map.get_mut(key) {
                            Some(t) => t,
                            None => map.entry(key.to_string()).or_default(),
                        };
                        t.claims += 1;
                        t.rejected += u64::from(outcome.rejected);
                        t.findings += outcome.findings.len() as u64;
                    }
                    s.lines += claim.lines.len() as u64;
                    s.lines_97530 += claim.lines.iter().filter(|l| l.is_97530()).count() as u64;
                    s.hidden_info += u64::from(outcome.hidden_info);
                    s.review_flagged +=
                        u64::from(outcome.findings.iter().any(|f| f.is_review_flag()));
                    for f in &outcome.findings {
                        s.count(f.code, f.severity);
                    }
                    // Rendered anew where the ledger added findings (they are
                    // sorted in among the others).
                    let findings = outcome.findings.len();
                    if let Some(rows) = rendered
                        .rows
                        .as_ref()
                        .filter(|_| rendered.findings == findings)
                    {
                        sink.write_rendered(rows)?;
                    } else {
                        for f in &outcome.findings {
                            sink.write(Some(claim), f)?;
                        }
                    }
                }
                Checked::Finding(outcome) => {
                    if let Some(a) = acks.as_deref_mut() {
                        for f in &outcome.findings {
                            a.finding(f);
                        }
                    }
                    s.hidden_info += u64::from(outcome.hidden_info);
                    for f in &outcome.findings {
                        s.count(f.code, f.severity);
                        if f.severity == Severity::Error {
                            s.file_errors += 1;
                        }
                        sink.write(None, f)?;
                    }
                }
            }
        }
    }
    Ok(batch)
}
