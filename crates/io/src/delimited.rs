//! CSV (delimited text) counts read in one pass: a first block finds the header, separator and date format,
//! then chunks split at record boundaries are parsed on every core, with memory that grows
//! with areas × days, not with the file.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use deltid_model::{CountsBuilder, CountsWriter, Error, FileDigest, Location, Result, Scenario};

use crate::cell::{DateFormat, DateParser};
use crate::reading::{
    Collector, CountsOptions, Progress, Reading, STORE_EVERY, choose_dates, header_batch, layout,
    store,
};
use crate::rows::{Batch, Cell, Cells, Layout, Line, RowReader, Rules};
use crate::source::{
    csv_reader, decode, find_header, header_name, line_ends, looks_utf16, read_error, skip_blank,
    sniff_delimiter, strip_bom,
};

/// How a CSV file is cut for its workers: bytes per chunk and threads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chunking {
    pub(crate) bytes: usize,
    pub(crate) threads: usize,
}

impl Default for Chunking {
    /// Chunks of 1 MiB: a chunk a worker parses is still in its core's cache from the read.
    /// On 10 M rows (202 MiB) the read took 280 ms with 1 MiB, 289 with 2 MiB, 303 with
    /// 4 MiB, 281 with 512 KiB and 293 with 256 KiB (medians of 6 interleaved runs, 2 cores).
    fn default() -> Self {
        Chunking {
            bytes: 1 << 20,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// The first block of a CSV file read to find its header and date format.
const FIRST_BLOCK: usize = 1 << 20;

pub(crate) fn read_counts(
    path: &Path,
    options: &CountsOptions,
    scenario: &Scenario,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
    chunking: Chunking,
) -> Result<Reading> {
    let mut file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    let total = file.metadata().ok().map(|m| m.len());
    let mut block = Vec::with_capacity(FIRST_BLOCK);
    (&mut file)
        .take(FIRST_BLOCK as u64)
        .read_to_end(&mut block)
        .map_err(|e| read_error(path, e))?;
    let whole = block.len() < FIRST_BLOCK;
    let bom = block.len() - strip_bom(&block).len();
    if looks_utf16(&block[bom..]) {
        return Err(Error::ReadCsv {
            path: path.to_owned(),
            line: 1,
            message: "the file is UTF-16 text: save it as UTF-8 (or as CSV from Excel)".to_owned(),
        });
    }
    // Only whole lines of the first block, unless it is the whole file (lines end in `\n`,
    // `\r\n` or a lone `\r`).
    let sample_end = if whole {
        block.len()
    } else {
        memchr::memrchr2(b'\n', b'\r', &block).map_or(block.len(), |i| i + 1)
    };
    let sample = &block[bom..sample_end];
    let delimiter = options
        .source
        .delimiter
        .unwrap_or_else(|| sniff_delimiter(sample));

    // The first records, decoded, to find the header.
    let encoding = options.source.encoding;
    let mut first = Vec::new();
    let mut reader = csv_reader(delimiter, sample);
    let mut record = csv::ByteRecord::new();
    while first.len() < 50 {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(crate::source::csv_error(path, sample, &e)),
        }
        let start = skip_blank(sample, record.position().map_or(0, |p| p.byte() as usize));
        let cells: Vec<String> = record
            .iter()
            .map(|c| {
                decode(c, encoding).map_or_else(
                    || String::from_utf8_lossy(c).into_owned(),
                    |t| t.into_owned(),
                )
            })
            .collect();
        first.push((start, reader.position().byte() as usize, cells));
    }
    let cells: Vec<Vec<String>> = first.iter().map(|r| r.2.clone()).collect();
    let Some(header_at) = find_header(&cells, &options.columns.date_names()) else {
        return Err(Error::EmptyInput {
            path: path.to_owned(),
        });
    };
    let header: Vec<String> = cells[header_at].iter().map(|c| header_name(c)).collect();
    let header_line = 1 + line_ends(&sample[..first[header_at].0]);
    // Bytes after the header record, from the start of the file. The CSV reader ends a record
    // at the `\r` of a `\r\n`: its `\n` is the header line's too, not a line of its own.
    let mut data_start = bom + first[header_at].1;
    if data_start > 0
        && block.get(data_start - 1) == Some(&b'\r')
        && block.get(data_start) == Some(&b'\n')
    {
        data_start += 1;
    }
    let data_line = 1 + line_ends(&block[bom..data_start]);
    let (layout, header_problems, times) = layout(path, &header, options, scenario)?;
    let date_column = match &layout {
        Layout::Long { date, .. } | Layout::Wide { date, .. } => *date,
    };

    // The date format, from the first block's dates; from every date of the file only when
    // they cannot choose between day-first and month-first.
    // Hourly counts have timestamps, read by `times`, in the date column's place.
    let sample_dates: Vec<String> = if times.is_some() {
        Vec::new()
    } else {
        let mut reader = csv_reader(delimiter, &block[data_start..sample_end.max(data_start)]);
        let mut dates = Vec::new();
        let mut seen = HashSet::new();
        while let Ok(true) = reader.read_byte_record(&mut record) {
            if let Some(text) = record.get(date_column).and_then(|c| decode(c, encoding))
                && !deltid_model::trim_cell(&text).is_empty()
                && seen.insert(text.to_string())
            {
                dates.push(text.into_owned());
            }
        }
        dates
    };
    let all_dates;
    let dates_for_choice: &[String] = if options.dates == DateFormat::Auto
        && times.is_none()
        && !whole
        && DateParser::undecided(sample_dates.iter().map(String::as_str))
    {
        all_dates = distinct_dates(path, data_start, delimiter, date_column, encoding)?;
        &all_dates
    } else {
        &sample_dates
    };
    let dates = choose_dates(
        path,
        header.get(date_column).map_or("", String::as_str),
        options,
        dates_for_choice.iter().map(String::as_str),
    )?;

    let rules = Rules {
        path,
        scenario,
        layout,
        header,
        dates,
        times,
        numbers: options.numbers,
        encoding,
        refuse_extra_fields: true,
    };
    let builder = CountsBuilder::new(scenario, options.columns.foreign.is_some());
    let mut collector = Collector::new(&rules);
    collector.take(header_batch(&rules, 0, header_problems), |_, _| {
        (header_line, Location::Line(header_line))
    });

    let rows_done = AtomicU64::new(0);
    let report = |bytes: u64| {
        if let Some(progress) = progress {
            progress(Progress {
                bytes,
                total,
                rows: rows_done.load(Ordering::Relaxed),
            });
        }
    };
    let carry = block[data_start..].to_vec();
    let mut hasher = blake3::Hasher::new();
    hasher.update(&block);
    let digest = run_chunks(
        path,
        (&rules, &builder),
        delimiter,
        (file, carry, block.len() as u64, hasher),
        chunking,
        |mut batch, first_line, bytes_done| {
            rows_done.fetch_add(batch.records, Ordering::Relaxed);
            for hour in &mut batch.hours {
                hour.order += first_line;
            }
            collector.take(batch, |record, _| {
                let line = first_line + record;
                (line, Location::Line(line))
            });
            report(bytes_done);
        },
        data_line,
    )?;
    let replay = |visit: &mut dyn FnMut(u64, &Cell)| {
        replay_csv(&rules, delimiter, data_start, data_line, visit)
    };
    let reading = collector.finish(builder, (None, None), (&replay, &Location::Line))?;
    Ok(reading.with_file_digest(digest))
}

/// Every distinct date cell of a CSV file's date column, in file order.
fn distinct_dates(
    path: &Path,
    data_start: usize,
    delimiter: u8,
    column: usize,
    encoding: crate::source::Encoding,
) -> Result<Vec<String>> {
    let mut file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    std::io::copy(
        &mut (&mut file).take(data_start as u64),
        &mut std::io::sink(),
    )
    .map_err(|e| read_error(path, e))?;
    let mut reader = csv_reader(delimiter, std::io::BufReader::with_capacity(1 << 20, file));
    let mut record = csv::ByteRecord::new();
    let mut seen = HashSet::new();
    let mut dates = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(Error::ReadCsv {
                    path: path.to_owned(),
                    line: 0,
                    message: e.to_string(),
                });
            }
        }
        if let Some(text) = record.get(column).and_then(|c| decode(c, encoding))
            && !deltid_model::trim_cell(&text).is_empty()
            && seen.len() < 1_000_000
            && seen.insert(text.to_string())
        {
            dates.push(text.into_owned());
        }
    }
    Ok(dates)
}

/// Reads a CSV file's records after its header in chunks cut at record boundaries, parses
/// them on `chunking.threads` workers, and hands each chunk's batch to `merge` in file order
/// with the line of the chunk's first byte and the bytes read so far. Returns the file's
/// digest: `hasher` has the bytes before `carry`, and is given every byte read after them.
fn run_chunks(
    path: &Path,
    (rules, builder): (&Rules<'_>, &CountsBuilder),
    delimiter: u8,
    (file, carry, offset, hasher): (std::fs::File, Vec<u8>, u64, blake3::Hasher),
    chunking: Chunking,
    mut merge: impl FnMut(Batch, u64, u64),
    first_line: u64,
) -> Result<Option<FileDigest>> {
    let threads = chunking.threads.max(1);
    std::thread::scope(|scope| -> Result<Option<FileDigest>> {
        let (work_tx, work_rx) = mpsc::sync_channel::<Chunk>(threads * 2);
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = mpsc::channel::<(usize, Batch, u64, u64)>();
        // Chunk buffers go back to the reader to be filled again: no fresh memory per chunk.
        let (pool_tx, pool_rx) = mpsc::channel::<Vec<u8>>();
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            let pool_tx = pool_tx.clone();
            scope.spawn(move || {
                let mut reader = RowReader::new(rules);
                let mut writer = builder.writer();
                let mut cells = Vec::new();
                loop {
                    let job = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok((index, chunk, read)) = job else {
                        break;
                    };
                    let (mut batch, lines) = parse_chunk(
                        (&mut reader, &mut writer),
                        delimiter,
                        &chunk,
                        std::mem::take(&mut cells),
                    );
                    cells = std::mem::take(&mut batch.cells);
                    // The reader may have stopped; the buffer is then simply dropped.
                    let _ = pool_tx.send(chunk);
                    if done_tx.send((index, batch, lines, read)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        drop(pool_tx);
        let splitter = scope.spawn(move || {
            split_chunks(
                (file, hasher),
                carry,
                offset,
                delimiter,
                chunking.bytes,
                (work_tx, pool_rx),
            )
        });
        // Merge in file order.
        let mut pending: BTreeMap<usize, (Batch, u64, u64)> = BTreeMap::new();
        let mut next = 0usize;
        let mut line = first_line;
        for (index, batch, lines, read) in done_rx {
            pending.insert(index, (batch, lines, read));
            while let Some((batch, lines, read)) = pending.remove(&next) {
                merge(batch, line, read);
                line += lines;
                next += 1;
            }
        }
        match splitter.join() {
            Ok(result) => result.map_err(|e| read_error(path, e)),
            Err(_) => Err(read_error(
                path,
                std::io::Error::other("the reader stopped"),
            )),
        }
    })
}

/// A chunk of a file for a worker: its number in file order, its bytes, and the bytes read
/// when it was cut.
type Chunk = (usize, Vec<u8>, u64);

/// The digest of `bytes` bytes hashed by `hasher`.
fn digest(hasher: blake3::Hasher, bytes: u64) -> FileDigest {
    FileDigest {
        blake3: hasher.finalize().to_hex().to_string(),
        bytes,
    }
}

/// Reads the file on and sends chunks that end at record boundaries, numbered in order, with
/// the bytes read so far; buffers come back through `pool` to be filled again. Every byte read
/// goes through `hasher` as well: the file's digest, when every byte was read.
fn split_chunks(
    (mut file, mut hasher): (std::fs::File, blake3::Hasher),
    mut buffer: Vec<u8>,
    mut read_so_far: u64,
    delimiter: u8,
    chunk_bytes: usize,
    (work, pool): (mpsc::SyncSender<Chunk>, mpsc::Receiver<Vec<u8>>),
) -> std::io::Result<Option<FileDigest>> {
    let mut index = 0;
    let mut eof = false;
    let mut target = chunk_bytes;
    loop {
        // Fill the buffer to the target without growing it past its capacity.
        while !eof && buffer.len() < target {
            buffer.reserve_exact(target - buffer.len());
            let before = buffer.len();
            (&mut file)
                .take((target - before) as u64)
                .read_to_end(&mut buffer)?;
            hasher.update(&buffer[before..]);
            read_so_far += (buffer.len() - before) as u64;
            eof = buffer.len() == before;
        }
        if buffer.is_empty() {
            return Ok(Some(digest(hasher, read_so_far)));
        }
        let split = if eof {
            buffer.len()
        } else {
            record_boundary(&buffer, delimiter)
        };
        if split == 0 {
            // One record longer than a chunk: read on.
            target = buffer.len() * 2;
            continue;
        }
        target = chunk_bytes;
        let mut next = pool
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(chunk_bytes));
        next.clear();
        next.extend_from_slice(&buffer[split..]);
        buffer.truncate(split);
        if work.send((index, buffer, read_so_far)).is_err() {
            return Ok(None);
        }
        index += 1;
        buffer = next;
    }
}

/// The end of the last whole record in `bytes` (which start at a record boundary), or 0 if
/// there is none: after the last line end when there is no quote (no record then spans
/// lines), else where the CSV reader itself ends its last record.
fn record_boundary(bytes: &[u8], delimiter: u8) -> usize {
    // A `\r` at the very end may be followed by `\n`: not a place to cut.
    let usable = &bytes[..bytes.len() - usize::from(bytes.last() == Some(&b'\r'))];
    if memchr::memchr(b'"', usable).is_none() {
        return memchr::memrchr2(b'\n', b'\r', usable).map_or(0, |i| {
            if usable[i] == b'\r' && usable.get(i + 1) == Some(&b'\n') {
                i + 2
            } else {
                i + 1
            }
        });
    }
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut output = vec![0u8; 1 << 16];
    let mut ends = vec![0usize; 1 << 10];
    let (mut at, mut last) = (0usize, 0usize);
    loop {
        let (result, read, _, _) = reader.read_record(&usable[at..], &mut output, &mut ends);
        at += read;
        match result {
            csv_core::ReadRecordResult::Record => last = at,
            csv_core::ReadRecordResult::OutputFull | csv_core::ReadRecordResult::OutputEndsFull => {
            }
            csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => break,
        }
        if at >= usable.len() && result != csv_core::ReadRecordResult::Record {
            break;
        }
    }
    // A record ended by `\r` of a `\r\n`: the `\n` goes with it.
    if last > 0 && usable[last - 1] == b'\r' && usable.get(last) == Some(&b'\n') {
        last += 1;
    }
    last
}

/// Parses one chunk: its batch (problems numbered by their line within the chunk, from 0) and
/// the chunk's line ends.
///
/// A chunk with a quote is read by the CSV reader (the `csv` crate); one without is split at
/// line ends and separators directly, which is how the CSV reader splits a text without
/// quotes (`\n`, `\r\n` or `\r` end a record, empty lines are skipped, fields are the bytes
/// between separators) and several times faster. A test keeps the two equal.
fn parse_chunk(
    (reader, writer): (&mut RowReader<'_>, &mut CountsWriter<'_>),
    delimiter: u8,
    chunk: &[u8],
    cells: Vec<Cell>,
) -> (Batch, u64) {
    let rules = reader.rules();
    let mut batch = Batch::default();
    batch.cells = cells;
    // Problems are numbered by the byte where their record starts, then by line.
    let lines = for_each_record(chunk, delimiter, |start, record| {
        reader.read(record, start as u64, &mut batch);
        if batch.cells.len() >= STORE_EVERY {
            store(writer, rules, &mut batch);
        }
    });
    store(writer, rules, &mut batch);
    // Byte offsets to lines within the chunk: of problems, of split rows and of hourly counts
    // (for messages naming the lines of a cell read twice).
    to_lines(chunk, batch.problems.iter_mut().map(|p| &mut p.record));
    to_lines(chunk, batch.split_records.iter_mut());
    to_lines(chunk, batch.hours.iter_mut().map(|h| &mut h.order));
    (batch, lines)
}

/// Turns byte offsets of records within `chunk` (in file order) into their lines within it,
/// counting line ends in one pass.
fn to_lines<'a>(chunk: &[u8], offsets: impl Iterator<Item = &'a mut u64>) {
    let mut at = (0usize, 0u64);
    for offset in offsets {
        let start = *offset as usize;
        if start >= at.0 {
            at.1 += line_ends(&chunk[at.0..start]);
            at.0 = start;
        }
        *offset = at.1;
    }
}

/// Splits text without quotes into records as the CSV reader does: each record's first byte
/// and its fields.
/// Returns the line ends it passed (`\n`, `\r\n` or a lone `\r`, as [`line_ends`] counts),
/// and where it stopped before a line with a quote, which needs the CSV reader.
pub(crate) fn split_plain(
    bytes: &[u8],
    delimiter: u8,
    each: impl FnMut(usize, Line<'_>),
) -> (u64, Option<usize>) {
    let mut split = Split {
        bytes,
        delimiter,
        ends: Vec::with_capacity(16),
        start: 0,
        lines: 0,
        each,
    };
    // Only the delimiter, quotes and line ends matter: found eight bytes at a time (a word),
    // then taken in order. Below a comma (where digits, letters, `-` and `.` are not) every
    // byte that matters is found by one test, and the few others taken are passed over.
    let targets = [delimiter, b'"', b'\n', b'\r'];
    let highest = targets.into_iter().max().unwrap_or(delimiter);
    let found = if highest < b'0' {
        split.words(|word| bytes_below(word, highest + 1))
    } else {
        let splats = targets.map(|b| u64::from(b) * ONES);
        split.words(|word| {
            splats
                .iter()
                .fold(0, |found, splat| found | zero_bytes(word ^ splat))
        })
    };
    if found {
        return (split.lines, Some(split.start));
    }
    let tail = bytes.len() % 8;
    for i in bytes.len() - tail..bytes.len() {
        if split.at(i) {
            return (split.lines, Some(split.start));
        }
    }
    let Split {
        mut ends,
        start,
        lines,
        mut each,
        ..
    } = split;
    if start < bytes.len() {
        ends.push(bytes.len() - start);
        each(
            start,
            Line {
                bytes: &bytes[start..],
                ends: &ends,
            },
        );
    }
    (lines, None)
}

/// [`split_plain`]'s state: the record being split (its first byte and its fields' ends so
/// far) and the line ends passed.
struct Split<'a, F> {
    bytes: &'a [u8],
    delimiter: u8,
    ends: Vec<usize>,
    start: usize,
    lines: u64,
    each: F,
}

impl<F: FnMut(usize, Line<'_>)> Split<'_, F> {
    /// Takes the bytes that matter of each whole word (eight bytes) of the text, in order;
    /// `found(word)` has the high bit of each of them set (and perhaps of others). `true` at a
    /// quote.
    #[inline(always)]
    fn words(&mut self, found: impl Fn(u64) -> u64) -> bool {
        let bytes = self.bytes;
        for (w, word) in bytes.chunks_exact(8).enumerate() {
            let mut found = found(u64::from_le_bytes(word.try_into().unwrap_or_default()));
            while found != 0 {
                let i = w * 8 + found.trailing_zeros() as usize / 8;
                found &= found - 1;
                if self.at(i) {
                    return true;
                }
            }
        }
        false
    }

    /// Takes the byte at `i`: one that matters by the steps of a line, any other passed over;
    /// `true` at a quote, which needs the CSV reader from the line's start on.
    #[inline(always)]
    fn at(&mut self, i: usize) -> bool {
        let b = self.bytes[i];
        if b == self.delimiter {
            self.ends.push(i - self.start);
        } else if b == b'"' {
            return true;
        } else if b == b'\n' || b == b'\r' {
            if i > self.start {
                self.ends.push(i - self.start);
                (self.each)(
                    self.start,
                    Line {
                        bytes: &self.bytes[self.start..i],
                        ends: &self.ends,
                    },
                );
            }
            // `\r\n` is one line end: its `\r` is not counted.
            self.lines += u64::from(b == b'\n' || self.bytes.get(i + 1) != Some(&b'\n'));
            self.ends.clear();
            self.start = i + 1;
        }
        false
    }
}

/// A byte of 1 in each of a word's eight.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `word` below `n` (1 to 128), and no other bit (exact: no
/// carry runs from one byte into the next).
#[inline(always)]
fn bytes_below(word: u64, n: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((word & LOW7) + u64::from(0x80 - n) * ONES) | word | LOW7)
}

/// The high bit of each byte of `word` that is 0, and no other bit (exact: no carry runs
/// from one byte into the next).
#[inline(always)]
fn zero_bytes(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((word & LOW7) + LOW7) | word | LOW7)
}

/// A record of CSV bytes: a line split by hand, or a record the CSV reader read.
pub(crate) enum Record<'a> {
    Plain(Line<'a>),
    Quoted(&'a csv::ByteRecord),
}

impl Cells for Record<'_> {
    #[inline]
    fn len(&self) -> usize {
        match self {
            Record::Plain(line) => line.len(),
            Record::Quoted(record) => record.len(),
        }
    }

    #[inline]
    fn get(&self, i: usize) -> Option<&[u8]> {
        match self {
            Record::Plain(line) => line.get(i),
            Record::Quoted(record) => record.get(i),
        }
    }

    #[inline]
    fn may_span_lines(&self) -> bool {
        matches!(self, Record::Quoted(_))
    }
}

/// Calls `each` with every record of CSV bytes and the byte where it starts; returns the
/// line ends in the bytes. Lines are split by hand ([`split_plain`], which splits as the CSV
/// reader does) up to the first line with a quote; from there on the CSV reader reads them.
fn for_each_record(bytes: &[u8], delimiter: u8, mut each: impl FnMut(usize, &Record<'_>)) -> u64 {
    let (lines, quoted) = split_plain(bytes, delimiter, |start, line| {
        each(start, &Record::Plain(line));
    });
    let Some(from) = quoted else {
        return lines;
    };
    let rest = &bytes[from..];
    let mut csv = csv_reader(delimiter, rest);
    let mut record = csv::ByteRecord::new();
    // Records of bytes from memory: the reader has no other error than the end.
    while let Ok(true) = csv.read_byte_record(&mut record) {
        let start = skip_blank(rest, record.position().map_or(0, |p| p.byte() as usize));
        each(from + start, &Record::Quoted(&record));
    }
    lines + line_ends(rest)
}

/// Replays every count of a CSV file after its header, in file order, with its line: for
/// the search of repeats, which a failing file gets (a second pass, one thread).
fn replay_csv(
    rules: &Rules<'_>,
    delimiter: u8,
    data_start: usize,
    data_line: u64,
    visit: &mut dyn FnMut(u64, &Cell),
) -> Result<()> {
    let path = rules.path;
    let bytes = std::fs::read(path).map_err(|e| read_error(path, e))?;
    let data = &bytes[data_start.min(bytes.len())..];
    let mut reader = RowReader::new(rules);
    let mut lines = (0usize, data_line);
    let mut batch = Batch::default();
    let mut each = |start: usize, record: &dyn Fn(&mut RowReader<'_>, &mut Batch)| {
        batch.cells.clear();
        batch.problems.clear();
        record(&mut reader, &mut batch);
        if !batch.cells.is_empty() {
            lines.1 += line_ends(&data[lines.0..start]);
            lines.0 = start;
        }
        for cell in &batch.cells {
            visit(lines.1, cell);
        }
    };
    for_each_record(data, delimiter, |start, record| {
        each(start, &|reader, batch| reader.read(record, 0, batch));
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Records = Vec<Vec<Vec<u8>>>;

    /// Records as the `csv` crate reads them and as [`split_plain`] splits them.
    fn both(text: &[u8], delimiter: u8) -> (Records, Records) {
        let mut reader = csv_reader(delimiter, text);
        let crate_records = reader
            .byte_records()
            .map(|r| r.map(|r| r.iter().map(<[u8]>::to_vec).collect()))
            .collect::<std::result::Result<Vec<Vec<Vec<u8>>>, _>>()
            .unwrap_or_default();
        let mut split = Vec::new();
        let _ = split_plain(text, delimiter, |_, line| {
            split.push(
                (0..line.ends.len())
                    .map(|i| line.get(i).unwrap_or_default().to_vec())
                    .collect(),
            );
        });
        (crate_records, split)
    }

    #[test]
    fn text_without_quotes_splits_as_the_csv_crate_reads_it() {
        // Each way of finding the bytes that matter: a comma or a tab (every byte below the
        // highest of them), a semicolon (each of them).
        for (expected, split) in texts(b"a1,;\n\r \t")
            .iter()
            .flat_map(|t| [b',', b';', b'\t'].map(|delimiter| both(t, delimiter)))
        {
            assert_eq!(split, expected);
        }
    }

    #[test]
    fn records_with_quotes_anywhere_read_as_the_csv_crate_reads_them() {
        // Lines are split by hand up to the first quote, then read by the CSV reader: the
        // records must be the csv crate's for the whole text, and the starts must be where
        // each record begins.
        for text in texts(b"a1,\n\r\" ") {
            let mut reader = csv_reader(b',', text.as_slice());
            let Ok(expected) = reader
                .byte_records()
                .map(|r| r.map(|r| r.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()))
                .collect::<std::result::Result<Vec<_>, _>>()
            else {
                continue;
            };
            let mut records = Vec::new();
            let lines = for_each_record(&text, b',', |start, record| {
                assert!(start < text.len());
                records.push(
                    (0..record.len())
                        .map(|i| record.cell(i).to_vec())
                        .collect::<Vec<_>>(),
                );
            });
            assert_eq!(records, expected, "{:?}", String::from_utf8_lossy(&text));
            assert_eq!(lines, line_ends(&text));
        }
    }

    /// Every text over an alphabet up to 5 bytes, and 2 000 random ones of 200 bytes.
    fn texts(alphabet: &[u8]) -> Vec<Vec<u8>> {
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<u8>> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, Vec::len))
                .flat_map(|t| alphabet.iter().map(move |c| [t.as_slice(), &[*c]].concat()))
                .collect();
            texts.extend(longer);
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2_000 {
            let text: Vec<u8> = (0..200)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            texts.push(text);
        }
        texts
    }

    #[test]
    fn records_cut_where_the_csv_reader_ends_them() {
        let cases: [(&[u8], usize); 6] = [
            (b"a,b\nc,d\ne", 8),
            (b"a,b\r\nc,d\r\ne", 10),
            (b"a,b\rc,d\re", 8),
            (b"a,b\r", 0),
            (b"\"a\nb\",c\nd,\"e", 8),
            (b"\"a\"\"\n\",c\r\nd", 10),
        ];
        for (text, cut) in cases {
            assert_eq!(
                record_boundary(text, b','),
                cut,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }
}
