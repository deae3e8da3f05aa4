//! Apache Parquet, read column by column and row group by row group through polars, with
//! every value checked by the same rules as a CSV cell.

#[cfg(feature = "parquet")]
pub(crate) use imp::{read_counts, read_table};

#[cfg(not(feature = "parquet"))]
pub(crate) use without::{read_counts, read_table};

#[cfg(not(feature = "parquet"))]
mod without {
    use std::path::Path;

    use deltid_model::{Error, Result, Scenario};

    use crate::reading::{CountsOptions, Progress, Reading};

    fn refused(path: &Path) -> Error {
        Error::ReadParquet {
            path: path.to_owned(),
            message: "this build of deltid reads no Parquet (built without the `parquet` feature)"
                .to_owned(),
        }
    }

    pub(crate) fn read_table(path: &Path) -> Result<Vec<(u64, Vec<String>)>> {
        Err(refused(path))
    }

    pub(crate) fn read_counts(
        path: &Path,
        _: &CountsOptions,
        _: &Scenario,
        _: Option<&(dyn Fn(Progress) + Sync)>,
    ) -> Result<Reading> {
        Err(refused(path))
    }
}

#[cfg(feature = "parquet")]
mod imp {
    use std::collections::HashMap;
    use std::path::Path;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    use deltid_model::{
        CountsBuilder, CountsWriter, Error, Location, Refused, Result, Scenario, SplitValue,
        epoch_day,
    };
    use polars::io::parquet::metadata::FileMetadataRef;
    use polars::prelude::*;

    use crate::cell::{DateParser, NotPersons, check_persons};
    use crate::pages::{Coded, CountType, read_coded};
    use crate::reading::{
        Collector, CountsOptions, Progress, Reading, STORE_EVERY, choose_dates, header_batch,
        layout, store,
    };
    use crate::rows::{Batch, Cell, Layout, Problem, ProblemKind, RowReader, Rules, place_of};
    use crate::source::{Encoding, read_error};

    /// The arrow array of a text column's chunk.
    type Utf8ViewArray = <StringType as PolarsDataType>::Array;

    fn parquet_error(path: &Path, message: impl std::fmt::Display) -> Error {
        Error::ReadParquet {
            path: path.to_owned(),
            message: message.to_string(),
        }
    }

    /// Runs a polars call, turning its panics (a damaged file, a value it cannot convert) into
    /// an error instead of a crash.
    fn guarded<T>(path: &Path, f: impl FnOnce() -> PolarsResult<T>) -> Result<T> {
        match crate::source::caught(f) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(parquet_error(path, e)),
            Err(message) => Err(parquet_error(
                path,
                format!("damaged file, or a value the Parquet reader cannot convert ({message})"),
            )),
        }
    }

    /// A column as the file declares it: its name, its type where polars reads it (else the
    /// type's name), and for a timestamp its time zone.
    struct Declared {
        name: String,
        dtype: std::result::Result<DataType, String>,
        zone: Option<String>,
    }

    /// Whether polars (with deltid's features) can take a column of this Arrow type without
    /// panicking: plain numbers, text, dates and timestamps. Decimals, nested and other types
    /// are named instead, and refused only if deltid needs the column.
    fn takes(dtype: &ArrowDataType) -> bool {
        use ArrowDataType as A;
        matches!(
            dtype,
            A::Null
                | A::Boolean
                | A::Int32
                | A::Int64
                | A::UInt32
                | A::UInt64
                | A::Float32
                | A::Float64
                | A::Date32
                | A::Date64
                | A::Timestamp(_, _)
                | A::Utf8
                | A::LargeUtf8
                | A::Utf8View
                | A::Binary
                | A::LargeBinary
                | A::BinaryView
        )
    }

    /// An Arrow type's name for a message: `decimal(10, 2)`.
    fn type_name(dtype: &ArrowDataType) -> String {
        use ArrowDataType as A;
        match dtype {
            A::Decimal(p, s) | A::Decimal32(p, s) | A::Decimal64(p, s) | A::Decimal256(p, s) => {
                format!("decimal({p}, {s})")
            }
            A::Dictionary(..) => "dictionary (categorical)".to_owned(),
            other => format!("{other:?}").to_lowercase(),
        }
    }

    /// Checks the metadata in the file's footer before polars decodes it (see
    /// [`crate::thrift`]): a footer declaring more items than it has bytes is refused, not
    /// given to polars, which would reserve memory for them all and abort on failing.
    /// Whatever else is wrong (no footer, a footer longer than the file) is left to polars to
    /// report.
    fn check_footer(path: &Path, file: &mut std::fs::File) -> Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let io = |e| read_error(path, e);
        let size = file.metadata().map_err(io)?.len();
        if size < 12 {
            return Ok(());
        }
        let mut tail = [0u8; 8];
        file.seek(SeekFrom::End(-8)).map_err(io)?;
        file.read_exact(&mut tail).map_err(io)?;
        let length = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
        if &tail[4..] != b"PAR1" || length > size - 12 {
            return Ok(());
        }
        let mut footer = vec![0u8; length as usize];
        file.seek(SeekFrom::Start(size - 8 - length)).map_err(io)?;
        file.read_exact(&mut footer).map_err(io)?;
        file.rewind().map_err(io)?;
        crate::thrift::check_struct(&footer).map_err(|reason| {
            parquet_error(path, format!("damaged metadata in the footer: {reason}"))
        })
    }

    /// The file's metadata and columns.
    fn open(path: &Path) -> Result<(FileMetadataRef, Vec<Declared>)> {
        let mut file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
        check_footer(path, &mut file)?;
        guarded(path, || {
            let mut reader = ParquetReader::new(file);
            let metadata = reader.get_metadata()?.clone();
            let schema = reader.schema()?;
            let columns = schema
                .iter()
                .map(|(name, field)| {
                    let arrow = field.dtype();
                    Declared {
                        name: name.to_string(),
                        dtype: if takes(arrow) {
                            Ok(DataType::from_arrow_field(field))
                        } else {
                            Err(type_name(arrow))
                        },
                        zone: match arrow {
                            ArrowDataType::Timestamp(_, Some(zone)) if !zone.is_empty() => {
                                Some(zone.to_string())
                            }
                            _ => None,
                        },
                    }
                })
                .collect();
            Ok((metadata, columns))
        })
    }

    /// [`Error::ColumnType`] for a column of a type polars does not read here.
    fn unread(path: &Path, column: &Declared, expected: &str) -> Error {
        Error::ColumnType {
            path: path.to_owned(),
            column: column.name.clone(),
            found: match &column.dtype {
                Ok(dtype) => dtype.to_string(),
                Err(name) if name.starts_with("decimal") => format!(
                    "{name}, which deltid does not read (write the column as floating-point numbers, DOUBLE)"
                ),
                Err(name) if ["int8", "int16", "uint8", "uint16"].contains(&name.as_str()) => {
                    format!(
                        "{name}, which deltid does not read (write the column as 32- or 64-bit integers, INT32 or INT64)"
                    )
                }
                Err(name) if name.starts_with("dictionary") => format!(
                    "{name}, which deltid does not read (write the column as plain text, not as categories)"
                ),
                Err(name) => name.clone(),
            },
            expected: expected.to_owned(),
        }
    }

    /// Rows `offset..offset + len` of the columns at `projection`.
    fn read_rows(
        path: &Path,
        metadata: &FileMetadataRef,
        projection: &[usize],
        (offset, len): (usize, usize),
    ) -> Result<DataFrame> {
        let file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
        guarded(path, || {
            let mut reader = ParquetReader::new(file)
                .with_projection(Some(projection.to_vec()))
                .with_slice(Some((offset, len)))
                .read_parallel(ParallelStrategy::None);
            reader.set_metadata(metadata.clone());
            reader.finish()
        })
    }

    /// The rows of one row group: `group` is the file's metadata with that row group only (the
    /// reader decodes every row group its metadata lists, even those outside a slice, so a
    /// group read through a slice would decompress the whole file again).
    fn read_group(path: &Path, group: &FileMetadataRef, projection: &[usize]) -> Result<DataFrame> {
        let file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
        guarded(path, || {
            let mut reader = ParquetReader::new(file)
                .with_projection(Some(projection.to_vec()))
                .read_parallel(ParallelStrategy::None);
            reader.set_metadata(group.clone());
            reader.finish()
        })
    }

    /// A small Parquet table as text: the column names (as record 0), then each row.
    pub(crate) fn read_table(path: &Path) -> Result<Vec<(u64, Vec<String>)>> {
        let (metadata, columns) = open(path)?;
        if let Some(column) = columns.iter().find(|c| c.dtype.is_err()) {
            return Err(unread(path, column, "text, numbers, dates or timestamps"));
        }
        let projection: Vec<usize> = (0..columns.len()).collect();
        let frame = read_rows(path, &metadata, &projection, (0, metadata.num_rows))?;
        let mut rows = vec![(
            0,
            columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        )];
        let text: Vec<Vec<Option<String>>> = frame
            .columns()
            .iter()
            .map(|c| {
                guarded(path, || {
                    let s = c.cast(&DataType::String)?;
                    Ok(s.str()?.iter().map(|v| v.map(str::to_owned)).collect())
                })
            })
            .collect::<Result<_>>()?;
        for i in 0..frame.height() {
            rows.push((
                i as u64 + 1,
                text.iter()
                    .map(|c| c[i].clone().unwrap_or_default())
                    .collect(),
            ));
        }
        Ok(rows)
    }

    /// How a typed column is read for its role.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Read {
        /// Text, by the rules of a CSV cell.
        Text,
        /// Whole or decimal numbers.
        Number,
        /// Days (a `Date` column).
        Days,
        /// A timestamp of a unit: its date in its time zone, or as written without one.
        Timestamp(TimeUnit, Option<Zone>),
        /// A timestamp of hourly counts, as the text of a CSV cell that the reader's
        /// [`crate::cell::TimeParser`] reads: with a time zone (adjusted to UTC) the instant
        /// written in UTC (`2024-10-26T23:00:00Z`), without one the local time as written
        /// (`2024-10-27T01:00:00`, in the scenario's zone).
        Instant(TimeUnit, bool),
    }

    /// A timestamp column's time zone.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Zone {
        Named(chrono_tz::Tz),
        Fixed(chrono::FixedOffset),
    }

    impl Zone {
        /// A zone as Arrow writes it: an IANA name (`Europe/Oslo`, `UTC`) or an offset
        /// (`+01:00`); `None` if it is neither.
        fn parse(zone: &str) -> Option<Zone> {
            if let Ok(tz) = zone.parse::<chrono_tz::Tz>() {
                return Some(Zone::Named(tz));
            }
            let (sign, rest) = match zone.as_bytes().first()? {
                b'+' => (1, &zone[1..]),
                b'-' => (-1, &zone[1..]),
                _ => return None,
            };
            let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
            let seconds = hours.parse::<i32>().ok()? * 3600 + minutes.parse::<i32>().ok()? * 60;
            chrono::FixedOffset::east_opt(sign * seconds).map(Zone::Fixed)
        }

        /// The local date of an instant in this zone.
        fn date(self, instant: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
            match self {
                Zone::Named(tz) => instant.with_timezone(&tz).date_naive(),
                Zone::Fixed(offset) => instant.with_timezone(&offset).date_naive(),
            }
        }
    }

    /// The day (since 1970) of a timestamp of `unit` since 1970 UTC, in `zone` (as written
    /// without one); days beyond chrono's range are beyond every year deltid takes.
    fn timestamp_day(value: i64, unit: TimeUnit, zone: Option<Zone>) -> i32 {
        let per_second: i64 = match unit {
            TimeUnit::Nanoseconds => 1_000_000_000,
            TimeUnit::Microseconds => 1_000_000,
            TimeUnit::Milliseconds => 1_000,
        };
        let seconds = value.div_euclid(per_second);
        let instant = chrono::DateTime::from_timestamp(seconds, 0);
        match (instant, zone) {
            (Some(instant), Some(zone)) => epoch_day(zone.date(instant)),
            (Some(instant), None) => epoch_day(instant.date_naive()),
            (None, _) => {
                let days = seconds.div_euclid(86_400);
                i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX })
            }
        }
    }

    /// How a column of a type is read as dates, areas or counts; `None` if it is not.
    fn reading(dtype: &DataType, zone: Option<Zone>, role: Role) -> Option<Read> {
        use DataType::*;
        match (role, dtype) {
            (_, String) => Some(Read::Text),
            (Role::Date, Date) => Some(Read::Days),
            (Role::Date, Datetime(unit, _)) => Some(Read::Timestamp(*unit, zone)),
            (Role::Date | Role::Area, dtype) if dtype.is_integer() => Some(Read::Text),
            (Role::Count, dtype) if dtype.is_primitive_numeric() => Some(Read::Number),
            _ => None,
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Role {
        Date,
        Area,
        Count,
    }

    impl Role {
        fn expected(self) -> &'static str {
            match self {
                Role::Date => "a date, a timestamp, text or whole numbers",
                Role::Area => "text or whole numbers",
                Role::Count => "numbers or text",
            }
        }
    }

    /// Reads counts from Parquet, row group by row group on every core, column by column.
    pub(crate) fn read_counts(
        path: &Path,
        options: &CountsOptions,
        scenario: &Scenario,
        progress: Option<&(dyn Fn(Progress) + Sync)>,
    ) -> Result<Reading> {
        read(path, options, scenario, progress, Route::Pages).map(|(reading, _)| reading)
    }

    /// How row groups of the common shape are read: from their pages where they can be (see
    /// [`crate::pages`]), or every group through polars' DataFrame (to test that both read the
    /// same).
    #[derive(Clone, Copy, PartialEq)]
    pub(super) enum Route {
        Pages,
        #[cfg_attr(not(test), allow(dead_code))]
        Frames,
    }

    /// The reading, and how many row groups were read from their pages.
    pub(super) fn read(
        path: &Path,
        options: &CountsOptions,
        scenario: &Scenario,
        progress: Option<&(dyn Fn(Progress) + Sync)>,
        route: Route,
    ) -> Result<(Reading, usize)> {
        let (metadata, columns) = open(path)?;
        let header: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        let (layout, header_problems, times) = layout(path, &header, options, scenario)?;
        let mut roles: Vec<(usize, Role)> = match &layout {
            Layout::Long {
                date,
                area,
                count,
                foreign,
                origin,
            } => {
                let mut roles = vec![
                    (*date, Role::Date),
                    (*area, Role::Area),
                    (*count, Role::Count),
                ];
                roles.extend(foreign.map(|f| (f, Role::Count)));
                roles.extend(origin.map(|o| (o, Role::Area)));
                roles
            }
            Layout::Wide { date, areas } => std::iter::once((*date, Role::Date))
                .chain(areas.iter().map(|(c, _)| (*c, Role::Count)))
                .collect(),
        };
        let mut reads = HashMap::new();
        for (column, role) in &roles {
            let declared = &columns[*column];
            let zone = match &declared.zone {
                Some(name) => Some(Zone::parse(name).ok_or_else(|| Error::ColumnType {
                    path: path.to_owned(),
                    column: declared.name.clone(),
                    found: format!("timestamp in the time zone {}", deltid_model::quoted(name)),
                    expected: "a time zone such as Europe/Oslo, UTC or +01:00".to_owned(),
                })?),
                None => None,
            };
            let read = declared
                .dtype
                .as_ref()
                .ok()
                .and_then(|dtype| reading(dtype, zone, *role))
                .ok_or_else(|| unread(path, declared, role.expected()))?;
            // Hourly counts: the timestamps in the date column's place, read as text.
            let read = match (times.is_some() && *role == Role::Date, read) {
                (false, read) => read,
                (true, Read::Timestamp(unit, zone)) => Read::Instant(unit, zone.is_some()),
                (true, Read::Text) => Read::Text,
                (true, _) => {
                    return Err(unread(
                        path,
                        declared,
                        "a timestamp (with or without a time zone) or text",
                    ));
                }
            };
            reads.insert(*column, read);
        }
        roles.sort_unstable_by_key(|(column, _)| *column);
        roles.dedup_by_key(|(column, _)| *column);
        let projection: Vec<usize> = roles.iter().map(|(c, _)| *c).collect();
        let date_column = match &layout {
            Layout::Long { date, .. } | Layout::Wide { date, .. } => *date,
        };
        // The date format of a text date column, from the first row group's distinct values.
        // Each row group as (its first row, the metadata with that group only).
        let groups: Vec<(usize, FileMetadataRef)> = {
            let mut offset = 0;
            metadata
                .row_groups
                .iter()
                .map(|g| {
                    let mut one = (*metadata).clone();
                    one.row_groups = vec![g.clone()];
                    one.num_rows = g.num_rows();
                    let group = (offset, std::sync::Arc::new(one));
                    offset += g.num_rows();
                    group
                })
                .collect()
        };
        let dates = if reads[&date_column] == Read::Text && times.is_none() {
            let frame = match groups.first() {
                Some((_, first)) => read_group(path, first, &[date_column])?,
                None => read_rows(path, &metadata, &[date_column], (0, 0))?,
            };
            let values = text_values(path, &frame, &columns[date_column].name)?;
            let mut distinct: Vec<String> = values.into_iter().flatten().collect();
            distinct.sort_unstable();
            distinct.dedup();
            choose_dates(
                path,
                &columns[date_column].name,
                options,
                distinct.iter().map(String::as_str),
            )?
        } else {
            DateParser::choose(&options.dates, std::iter::empty())
                .unwrap_or(DateParser::ExcelSerial { detected: false })
        };
        let rules = Rules {
            path,
            scenario,
            layout,
            header,
            dates,
            times,
            numbers: options.numbers,
            encoding: Encoding::Utf8,
            refuse_extra_fields: false,
        };
        let builder = CountsBuilder::new(scenario, options.columns.foreign.is_some());
        let mut collector = Collector::new(&rules);
        collector.take(header_batch(&rules, 0, header_problems), |record, _| {
            (record, Location::Row(record))
        });

        // The common shape's columns, for reading a row group's pages straight (crate::pages).
        let coded = match &rules.layout {
            Layout::Long {
                date,
                area,
                count,
                foreign: None,
                origin: None,
            } if route == Route::Pages
                && rules.times.is_none()
                && columns[*date].dtype == Ok(DataType::Date)
                && columns[*area].dtype == Ok(DataType::String) =>
            {
                let count_type = match columns[*count].dtype {
                    Ok(DataType::Float64) => Some(CountType::Double),
                    Ok(DataType::Int64) => Some(CountType::Int64),
                    Ok(DataType::Int32) => Some(CountType::Int32),
                    _ => None,
                };
                count_type.map(|t| ([*date, *area, *count], t))
            }
            _ => None,
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let next = AtomicUsize::new(0);
        let from_pages = AtomicUsize::new(0);
        let total = std::fs::metadata(path).ok().map(|m| m.len());
        let mut rows_done = 0u64;
        let mut failure = None;
        std::thread::scope(|scope| {
            let (done_tx, done_rx) = mpsc::channel::<(usize, Result<Batch>)>();
            for _ in 0..threads {
                let done_tx = done_tx.clone();
                let (next, groups, rules, reads, projection, builder) =
                    (&next, &groups, &rules, &reads, &projection, &builder);
                let (coded, columns, from_pages) = (&coded, &columns, &from_pages);
                scope.spawn(move || {
                    let mut reader = RowReader::new(rules);
                    let mut writer = builder.writer();
                    let mut file = std::fs::File::open(path).ok();
                    let mut last_areas = None;
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some((first, group)) = groups.get(index) else {
                            break;
                        };
                        let pages = match (coded, file.as_mut(), total) {
                            (Some((at, count_type)), Some(file), Some(size)) => {
                                group.row_groups.first().and_then(|g| {
                                    let named = |c: usize| (at[c], columns[at[c]].name.as_str());
                                    let named = [named(0), named(1), named(2)];
                                    read_coded(file, size, g, named, *count_type)
                                })
                            }
                            _ => None,
                        };
                        if let (Some(pages), Some((at, _))) = (pages, coded) {
                            from_pages.fetch_add(1, Ordering::Relaxed);
                            let batch = convert_coded(
                                &mut reader,
                                rules,
                                &pages,
                                *at,
                                *first as u64,
                                &mut writer,
                                &mut last_areas,
                            );
                            if done_tx.send((index, Ok(batch))).is_err() {
                                break;
                            }
                            continue;
                        }
                        let batch = read_group(path, group, projection).and_then(|frame| {
                            let converted = convert(
                                &mut reader,
                                rules,
                                reads,
                                &frame,
                                *first as u64,
                                Some(&mut writer),
                            )?;
                            Ok(converted.batch)
                        });
                        if done_tx.send((index, batch)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            let mut pending = std::collections::BTreeMap::new();
            let mut expected = 0;
            for (index, batch) in done_rx {
                pending.insert(index, batch);
                while let Some(batch) = pending.remove(&expected) {
                    match batch {
                        Ok(batch) => {
                            rows_done += batch.records;
                            collector.take(batch, |record, _| (record, Location::Row(record)));
                        }
                        Err(e) => {
                            failure.get_or_insert(e);
                        }
                    }
                    expected += 1;
                    if let Some(progress) = progress {
                        let bytes =
                            total.map_or(0, |t| t * expected as u64 / groups.len().max(1) as u64);
                        progress(Progress {
                            bytes,
                            total,
                            rows: rows_done,
                        });
                    }
                }
            }
        });
        if let Some(e) = failure {
            return Err(e);
        }
        let replay = |visit: &mut dyn FnMut(u64, &Cell)| -> Result<()> {
            let mut reader = RowReader::new(&rules);
            for (first, group) in &groups {
                let frame = read_group(path, group, &projection)?;
                let converted = convert(&mut reader, &rules, &reads, &frame, *first as u64, None)?;
                for (row, cell) in converted.rows.iter().zip(&converted.batch.cells) {
                    visit(*row, cell);
                }
            }
            Ok(())
        };
        let reading = collector.finish(builder, (None, None), (&replay, &Location::Row))?;
        Ok((reading, from_pages.into_inner()))
    }

    /// A column's values as text (`None` for nulls).
    fn text_values(path: &Path, frame: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
        guarded(path, || {
            let column = frame.column(name)?.cast(&DataType::String)?;
            Ok(column.str()?.iter().map(|v| v.map(str::to_owned)).collect())
        })
    }

    /// One column as the values a row needs.
    enum Values<'a> {
        /// Text borrowed from the (cast) column: no string per row.
        Text(Texts<'a>),
        Numbers(Plain<'a, f64>),
        Days(Plain<'a, i32>),
        /// Text made per row (timestamps of hourly counts).
        Owned(Vec<Option<String>>),
    }

    /// The text of a column's rows: read in place from a column of one chunk (as a row
    /// group's column mostly is), else gathered from its chunks.
    enum Texts<'a> {
        Array(&'a Utf8ViewArray),
        Rows(Vec<Option<&'a str>>),
    }

    impl<'a> Texts<'a> {
        /// Row `i`'s text, `None` for a null.
        #[inline]
        fn get(&self, i: usize) -> Option<&'a str> {
            match self {
                Texts::Array(array) => array.get(i),
                Texts::Rows(rows) => rows[i],
            }
        }
    }

    /// A timestamp of `unit` since 1970 as the text of a CSV cell: in UTC with `Z` when the
    /// column is adjusted to UTC, else the local time as written; a value beyond chrono's range
    /// as its number (no timestamp, refused by the reader as such).
    fn timestamp_text(value: i64, unit: TimeUnit, utc: bool) -> String {
        let per_second: i64 = match unit {
            TimeUnit::Nanoseconds => 1_000_000_000,
            TimeUnit::Microseconds => 1_000_000,
            TimeUnit::Milliseconds => 1_000,
        };
        let seconds = value.div_euclid(per_second);
        let nanos = value.rem_euclid(per_second) * (1_000_000_000 / per_second);
        match chrono::DateTime::from_timestamp(seconds, nanos as u32) {
            Some(t) if utc => t.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string(),
            Some(t) => t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
            None => value.to_string(),
        }
    }

    /// Numbers of a column: borrowed in place when the column has one chunk and no nulls (as
    /// a row group's column mostly has), else copied with their nulls.
    enum Plain<'a, T> {
        Borrowed(&'a [T]),
        Nullable(Vec<Option<T>>),
    }

    impl<T: Copy> Plain<'_, T> {
        #[inline]
        fn get(&self, i: usize) -> Option<T> {
            match self {
                Plain::Borrowed(values) => Some(values[i]),
                Plain::Nullable(values) => values[i],
            }
        }
    }

    /// The numbers of a cast column, borrowed when they can be.
    fn plain<T>(column: &ChunkedArray<T>) -> Plain<'_, T::Native>
    where
        T: PolarsNumericType,
    {
        match column.cont_slice() {
            Ok(values) => Plain::Borrowed(values),
            Err(_) => Plain::Nullable(column.iter().collect()),
        }
    }

    /// A column cast to the type its values are read from.
    fn cast(path: &Path, frame: &DataFrame, name: &str, read: Read) -> Result<Column> {
        guarded(path, || {
            let column = frame.column(name)?;
            match read {
                Read::Text => column.cast(&DataType::String),
                Read::Number => column.cast(&DataType::Float64),
                Read::Days => column.cast(&DataType::Int32),
                Read::Timestamp(..) | Read::Instant(..) => column.cast(&DataType::Int64),
            }
        })
    }

    /// The values of a cast column.
    fn values<'a>(path: &Path, column: &'a Column, read: Read) -> Result<Values<'a>> {
        guarded(path, || {
            Ok(match read {
                Read::Text => {
                    let text = column.str()?;
                    Values::Text(if text.chunks().len() == 1 {
                        Texts::Array(text.downcast_as_array())
                    } else {
                        Texts::Rows(text.iter().collect())
                    })
                }
                Read::Number => Values::Numbers(plain(column.f64()?)),
                Read::Days => Values::Days(plain(column.i32()?)),
                Read::Timestamp(unit, zone) => Values::Days(Plain::Nullable(
                    column
                        .i64()?
                        .iter()
                        .map(|v| v.map(|v| timestamp_day(v, unit, zone)))
                        .collect(),
                )),
                Read::Instant(unit, utc) => Values::Owned(
                    column
                        .i64()?
                        .iter()
                        .map(|v| v.map(|v| timestamp_text(v, unit, utc)))
                        .collect(),
                ),
            })
        })
    }

    /// A converted row group: its batch, and the row of each cell (when asked for).
    struct Converted {
        batch: Batch,
        rows: Vec<u64>,
    }

    /// The area of row `i` of a text column in one chunk, read as a CSV cell is (a null as an
    /// empty cell). A short cell's view is its packed form: no bytes to look at for an area
    /// seen before.
    #[inline]
    fn array_area(
        reader: &mut RowReader<'_>,
        array: &Utf8ViewArray,
        i: usize,
        (row, column): (u64, usize),
        batch: &mut Batch,
    ) -> Option<u32> {
        match array.get(i) {
            // A longer cell's view is no packed form: area_packed then packs its bytes itself
            // (none over 12 bytes), as RowReader::area does.
            Some(text) => {
                let view = array.views()[i];
                let packed = view.is_inline().then(|| view.as_u128());
                reader.area_packed(packed, text.as_bytes(), row, column, batch)
            }
            None => reader.area(b"", row, column, batch),
        }
    }

    /// Adds a cell read at `row`: with a writer, the batch's cells are stored a few at a time,
    /// while they are still in cache; without one, the cell stays in the batch with its row
    /// (for the search of repeats). Inlined always: called on every row, a call costs 5 % of
    /// the read.
    #[inline(always)]
    fn keep(
        cell: Cell,
        row: u64,
        (batch, rows): (&mut Batch, &mut Vec<u64>),
        writer: &mut Option<&mut CountsWriter<'_>>,
        rules: &Rules<'_>,
    ) {
        batch.cells.push(cell);
        match writer.as_deref_mut() {
            None => rows.push(row),
            Some(writer) if batch.cells.len() >= STORE_EVERY => store(writer, rules, batch),
            Some(_) => {}
        }
    }

    /// A row of the common shape (a day, an area, a count): its cells checked in that order,
    /// the area by `area` (given the batch for its problem), and the row kept (see [`keep`]).
    /// Inlined always: the loops of [`convert`] and [`convert_coded`] call it on every row.
    #[inline(always)]
    fn common_row(
        (row, day, number): (u64, i32, f64),
        [date, count]: [usize; 2],
        area: impl FnOnce(&mut Batch) -> Option<u32>,
        (batch, rows): (&mut Batch, &mut Vec<u64>),
        writer: &mut Option<&mut CountsWriter<'_>>,
        rules: &Rules<'_>,
    ) {
        let day = checked_day(Some(day), row, date, batch);
        let key = area(batch);
        let observed = checked_persons(Some(number), row, count, batch);
        if let (Some(day), Some(key), Some(observed)) = (day, key, observed) {
            let cell = Cell {
                key,
                day,
                observed,
                foreign: 0.0,
            };
            keep(cell, row, (batch, rows), writer, rules);
        }
    }

    /// Reads a row group's rows into a batch. With a writer, the cells are stored as they are
    /// made, a few at a time while they are still in cache; without one, they stay in the
    /// batch with their rows (for the search of repeats).
    fn convert(
        reader: &mut RowReader<'_>,
        rules: &Rules<'_>,
        reads: &HashMap<usize, Read>,
        frame: &DataFrame,
        offset: u64,
        mut writer: Option<&mut CountsWriter<'_>>,
    ) -> Result<Converted> {
        let path = rules.path;
        let mut batch = Batch::default();
        let mut rows = Vec::new();
        // Every column this layout reads, cast once; their values borrow from these.
        let mut cast_columns = HashMap::new();
        for (&c, &read) in reads {
            cast_columns.insert(c, cast(path, frame, &rules.header[c], read)?);
        }
        let column = |c: usize| values(path, &cast_columns[&c], reads[&c]);
        let height = frame.height();
        // The common shape: a date column, areas as text, counts as numbers, none with a
        // null, no foreign SIMs, no origins and no hours. Read with the same checks as by the
        // loops below, in the same order, without asking each column's kind on every row.
        if let Layout::Long {
            date,
            area,
            count,
            foreign: None,
            origin: None,
        } = &rules.layout
            && rules.times.is_none()
            && (reads[date], reads[area], reads[count]) == (Read::Days, Read::Text, Read::Number)
            && cast_columns[area].null_count() == 0
            && let (
                Values::Days(Plain::Borrowed(days)),
                Values::Text(Texts::Array(texts)),
                Values::Numbers(Plain::Borrowed(numbers)),
            ) = (column(*date)?, column(*area)?, column(*count)?)
            && days.len() == height
            && numbers.len() == height
            && texts.len() == height
        {
            batch.records += height as u64;
            let cells = days.iter().zip(numbers.iter()).zip(texts.views().iter());
            for (i, ((&day, &number), view)) in cells.enumerate() {
                let row = offset + i as u64 + 1;
                // As array_area reads it, without asking for a null on every row.
                let packed = view.is_inline().then(|| view.as_u128());
                let text = texts.value(i).as_bytes();
                common_row(
                    (row, day, number),
                    [*date, *count],
                    |batch| reader.area_packed(packed, text, row, *area, batch),
                    (&mut batch, &mut rows),
                    &mut writer,
                    rules,
                );
            }
            if let Some(writer) = writer {
                store(writer, rules, &mut batch);
            }
            return Ok(Converted { batch, rows });
        }
        match &rules.layout {
            Layout::Long {
                date,
                area,
                count,
                origin: Some(origin),
                ..
            } => {
                let (dates, areas, counts) = (column(*date)?, column(*area)?, column(*count)?);
                let origins = column(*origin)?;
                for i in 0..height {
                    let row = offset + i as u64 + 1;
                    batch.records += 1;
                    let day = day(reader, &dates, i, row, *date, &mut batch);
                    fn text<'a>(values: &Values<'a>, i: usize) -> &'a str {
                        match values {
                            Values::Text(t) => t.get(i).unwrap_or(""),
                            _ => "",
                        }
                    }
                    let key = reader.area(text(&areas, i).as_bytes(), row, *area, &mut batch);
                    let from =
                        reader.origin(text(&origins, i).as_bytes(), row, *origin, &mut batch);
                    let marked = match &counts {
                        Values::Numbers(n) => n.get(i) == Some(-1.0),
                        Values::Text(t) => {
                            crate::rows::is_marker(t.get(i).unwrap_or("").as_bytes())
                        }
                        Values::Owned(t) => {
                            crate::rows::is_marker(t[i].as_deref().unwrap_or("").as_bytes())
                        }
                        Values::Days(_) => false,
                    };
                    let value = if marked {
                        Some(SplitValue::Marked)
                    } else {
                        persons(reader, &counts, i, row, *count, &mut batch)
                            .map(SplitValue::Published)
                    };
                    if let (Some(day), Some(key), Some(from), Some(value)) = (day, key, from, value)
                    {
                        reader.split(key, day, from, value, (row, *area), &mut batch);
                    }
                }
            }
            Layout::Long {
                date,
                area,
                count,
                foreign,
                origin: None,
            } => {
                let (dates, areas, counts) = (column(*date)?, column(*area)?, column(*count)?);
                let foreigns = foreign.map(column).transpose()?;
                for i in 0..height {
                    let row = offset + i as u64 + 1;
                    batch.records += 1;
                    if let Some(times) = &rules.times {
                        // Hourly counts: the timestamp read as a CSV cell is.
                        let stamp = match &dates {
                            Values::Text(t) => t.get(i),
                            Values::Owned(t) => t[i].as_deref(),
                            _ => None,
                        };
                        let time = reader.time(
                            times,
                            stamp.unwrap_or("").as_bytes(),
                            row,
                            *date,
                            &mut batch,
                        );
                        let key = match &areas {
                            Values::Text(t) => reader.area(
                                t.get(i).unwrap_or("").as_bytes(),
                                row,
                                *area,
                                &mut batch,
                            ),
                            _ => None,
                        };
                        let persons = persons(reader, &counts, i, row, *count, &mut batch);
                        if let (Some((instant, local)), Some(key), Some(persons)) =
                            (time, key, persons)
                        {
                            batch.hours.push(deltid_model::TimedCount {
                                key: key as usize,
                                instant,
                                local,
                                persons,
                                order: row,
                            });
                        }
                        continue;
                    }
                    let day = day(reader, &dates, i, row, *date, &mut batch);
                    let key = match &areas {
                        Values::Text(Texts::Array(array)) => {
                            array_area(reader, array, i, (row, *area), &mut batch)
                        }
                        Values::Text(t) => {
                            reader.area(t.get(i).unwrap_or("").as_bytes(), row, *area, &mut batch)
                        }
                        _ => None,
                    };
                    let observed = persons(reader, &counts, i, row, *count, &mut batch);
                    let foreign = match (foreign, &foreigns) {
                        (Some(c), Some(values)) => {
                            match (persons(reader, values, i, row, *c, &mut batch), observed) {
                                (Some(f), Some(o)) if f > o => {
                                    batch.push_problem(Problem {
                                        record: row,
                                        column: *c,
                                        kind: ProblemKind::ForeignAboveCount {
                                            foreign: f,
                                            count: o,
                                        },
                                        value: String::new(),
                                    });
                                    None
                                }
                                (f, _) => f,
                            }
                        }
                        _ => Some(0.0),
                    };
                    if let (Some(day), Some(key), Some(observed), Some(foreign)) =
                        (day, key, observed, foreign)
                    {
                        keep(
                            Cell {
                                key,
                                day,
                                observed,
                                foreign,
                            },
                            row,
                            (&mut batch, &mut rows),
                            &mut writer,
                            rules,
                        );
                    }
                }
            }
            Layout::Wide { date, areas } => {
                let dates = column(*date)?;
                let counts: Vec<(usize, Option<u32>, Values)> = areas
                    .iter()
                    .map(|(c, place)| {
                        Ok((
                            *c,
                            place.map(|p| crate::rows::key_of(p, rules.scenario)),
                            column(*c)?,
                        ))
                    })
                    .collect::<Result<_>>()?;
                for i in 0..height {
                    let row = offset + i as u64 + 1;
                    batch.records += 1;
                    let day = day(reader, &dates, i, row, *date, &mut batch);
                    for (c, key, values) in &counts {
                        let empty = match values {
                            Values::Numbers(v) => v.get(i).is_none(),
                            Values::Text(v) => v
                                .get(i)
                                .is_none_or(|t| deltid_model::trim_cell(t).is_empty()),
                            Values::Days(v) => v.get(i).is_none(),
                            Values::Owned(v) => v[i].is_none(),
                        };
                        if empty {
                            continue;
                        }
                        if key.is_none() && rules.header[*c].trim().is_empty() {
                            let value = match values {
                                Values::Numbers(v) => v.get(i).map(|v| v.to_string()),
                                Values::Text(v) => v.get(i).map(str::to_owned),
                                Values::Days(v) => v.get(i).map(|v| v.to_string()),
                                Values::Owned(v) => v[i].clone(),
                            };
                            batch.push_problem(Problem {
                                record: row,
                                column: *c,
                                kind: ProblemKind::Unnamed,
                                value: value.unwrap_or_default(),
                            });
                            continue;
                        }
                        let observed = persons(reader, values, i, row, *c, &mut batch);
                        if let (Some(day), Some(key), Some(observed)) = (day, key, observed) {
                            keep(
                                Cell {
                                    key: *key,
                                    day,
                                    observed,
                                    foreign: 0.0,
                                },
                                row,
                                (&mut batch, &mut rows),
                                &mut writer,
                                rules,
                            );
                        }
                    }
                }
            }
        }
        if let Some(writer) = writer {
            store(writer, rules, &mut batch);
        }
        Ok(Converted { batch, rows })
    }

    /// Reads a row group decoded from its pages (see [`crate::pages`]) into a batch, with the
    /// checks and in the order of [`convert`]'s loop for the common shape: each distinct area
    /// cell is resolved once, and a row's cell again only if it is not an area (for its
    /// problem, at its row).
    fn convert_coded(
        reader: &mut RowReader<'_>,
        rules: &Rules<'_>,
        coded: &Coded,
        [date, area, count]: [usize; 3],
        offset: u64,
        writer: &mut CountsWriter<'_>,
        last_areas: &mut Option<(Utf8ViewArray, Vec<u32>)>,
    ) -> Batch {
        const NOT_AN_AREA: u32 = u32::MAX;
        let mut batch = Batch::default();
        let mut ignored = Batch::default();
        let dictionary = &coded.areas;
        // A file's row groups mostly list the same areas in the same order: their places are
        // those of the group before, found again only when the list differs.
        let places: Vec<u32> = match last_areas.take() {
            Some((areas, places))
                if areas.len() == dictionary.len()
                    && (0..areas.len()).all(|j| areas.value(j) == dictionary.value(j)) =>
            {
                places
            }
            _ => (0..dictionary.len())
                .map(|j| {
                    // With its packed form, as a row's view gives it: the dictionary lists a
                    // group's areas in the order they first come, so mostly the next area
                    // after the last, which the reader finds without a lookup.
                    let text = dictionary.value(j).as_bytes();
                    reader
                        .area_packed(crate::rows::pack(text), text, 0, area, &mut ignored)
                        .unwrap_or(NOT_AN_AREA)
                })
                .collect(),
        };
        let days = coded.days.values();
        let keys = coded.keys.values();
        let numbers = coded.counts.values();
        batch.records += days.len() as u64;
        // Rows whose three cells are all good (nearly every row of a file) go straight to the
        // counts; from the first row with a problem on, each is checked and reported below.
        let mut taken = 0;
        let days_taken = deltid_model::days_taken();
        let (first_day, last_day) = (*days_taken.start(), *days_taken.end());
        let cells = days.iter().zip(keys.iter()).zip(numbers);
        let good = cells.map_while(|((&day, &index), &number)| {
            let key = *places.get(index as usize)?;
            let good = key != NOT_AN_AREA
                && (first_day..=last_day).contains(&day)
                && check_persons(number).is_ok();
            good.then(|| {
                taken += 1;
                (place_of(key, rules.scenario), day, number, 0.0)
            })
        });
        writer.insert_days(good, |why| match why {
            Refused::Duplicate => batch.repeats += 1,
            // The checks above refuse every other case first.
            _ => batch.more += 1,
        });
        let mut writer = Some(writer);
        let mut rows = Vec::new();
        let cells = days.iter().zip(keys.iter()).zip(numbers);
        for (i, ((&day, &index), &number)) in cells.enumerate().skip(taken) {
            let row = offset + i as u64 + 1;
            common_row(
                (row, day, number),
                [date, count],
                |batch| match places.get(index as usize) {
                    Some(&key) if key != NOT_AN_AREA => Some(key),
                    _ => {
                        let text = dictionary.get(index as usize).unwrap_or("").as_bytes();
                        reader.area_packed(crate::rows::pack(text), text, row, area, batch)
                    }
                },
                (&mut batch, &mut rows),
                &mut writer,
                rules,
            );
        }
        if let Some(writer) = writer {
            store(writer, rules, &mut batch);
        }
        *last_areas = Some((dictionary.clone(), places));
        batch
    }

    fn day(
        reader: &mut RowReader<'_>,
        values: &Values,
        i: usize,
        row: u64,
        column: usize,
        batch: &mut Batch,
    ) -> Option<i32> {
        match values {
            Values::Text(t) => reader.day(t.get(i).unwrap_or("").as_bytes(), row, column, batch),
            Values::Days(d) => checked_day(d.get(i), row, column, batch),
            Values::Numbers(_) | Values::Owned(_) => None,
        }
    }

    /// A value of a `Date` column (`None` for a null) as a day deltid takes, or its problem.
    #[inline]
    fn checked_day(value: Option<i32>, row: u64, column: usize, batch: &mut Batch) -> Option<i32> {
        let problem = |kind, value: String| Problem {
            record: row,
            column,
            kind,
            value,
        };
        match value {
            None => {
                batch.push_problem(problem(ProblemKind::ParseDate, String::new()));
                None
            }
            Some(day) => {
                if deltid_model::days_taken().contains(&day) {
                    Some(day)
                } else {
                    batch.push_problem(problem(
                        ProblemKind::DateOutOfRange,
                        format!("{day} days after 1970-01-01"),
                    ));
                    None
                }
            }
        }
    }

    fn persons(
        reader: &mut RowReader<'_>,
        values: &Values,
        i: usize,
        row: u64,
        column: usize,
        batch: &mut Batch,
    ) -> Option<f64> {
        match values {
            Values::Text(t) => {
                reader.persons(t.get(i).unwrap_or("").as_bytes(), row, column, batch)
            }
            Values::Numbers(n) => checked_persons(n.get(i), row, column, batch),
            Values::Days(_) | Values::Owned(_) => None,
        }
    }

    /// A value of a numeric column (`None` for a null) as persons, or its problem.
    #[inline]
    fn checked_persons(
        value: Option<f64>,
        row: u64,
        column: usize,
        batch: &mut Batch,
    ) -> Option<f64> {
        let kind = match value.map(check_persons) {
            Some(Ok(persons)) => return Some(persons),
            Some(Err(NotPersons::Negative)) => ProblemKind::Negative,
            Some(Err(NotPersons::TooLarge)) => ProblemKind::TooLarge,
            Some(Err(_)) | None => ProblemKind::ParseNumber,
        };
        batch.push_problem(Problem {
            record: row,
            column,
            kind,
            value: value.map_or_else(String::new, |v| v.to_string()),
        });
        None
    }
}

#[cfg(test)]
#[cfg(feature = "parquet")]
mod tests {
    use std::path::Path;

    use deltid_model::{Place, Scenario};
    use polars::prelude::*;

    use super::imp::{Route, read};
    use crate::reading::CountsOptions;

    type Views = <StringType as PolarsDataType>::Array;

    /// Three areas and a region code.
    fn scenario() -> Scenario {
        let text = r#"
            name = "Test"
            uplift = 0.06
            region_code = "0300"
            [deductions]
            commuters = 0
            transit = 0
            day_visitors = 0
            [[area]]
            code = "0001"
            name = "Alpha"
            residents = 10
            [[area]]
            code = "0002"
            name = "Beta"
            residents = 20
            [[area]]
            code = "0003"
            name = "Gamma"
            residents = 30
        "#;
        crate::scenario::scenario_from_toml(text, Path::new("test.toml")).expect("a scenario")
    }

    /// A reading as text: its error, or its problems and every place's counts.
    fn described(result: deltid_model::Result<crate::Reading>, scenario: &Scenario) -> String {
        match result {
            Err(e) => format!("error: {e}"),
            Ok(reading) => {
                let counts = reading.counts();
                let places = (0..scenario.areas().len())
                    .map(Place::Area)
                    .chain([Place::Region]);
                let series: Vec<Vec<_>> = places.map(|p| counts.series(p).collect()).collect();
                format!(
                    "{} counts, problems {:?} and {} more, series {series:?}",
                    counts.len(),
                    reading
                        .problems()
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>(),
                    reading.more()
                )
            }
        }
    }

    /// Writes `count` (with dates from 2020-01-01 on `days` and areas `areas`) in row groups
    /// of 4 rows, reads it both ways and returns (from pages, from frames, groups from pages).
    fn both_ways(days: &[i32], areas: &[&str], count: Column) -> (String, String, usize) {
        both_ways_in(days, areas, count, (4, None))
    }

    /// [`both_ways`] in row groups of `rows` rows and data pages of about `page` bytes.
    fn both_ways_in(
        days: &[i32],
        areas: &[&str],
        count: Column,
        (rows, page): (usize, Option<usize>),
    ) -> (String, String, usize) {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("counts.parquet");
        let first = 18_262; // 2020-01-01
        let days: Vec<i32> = days.iter().map(|d| first + d).collect();
        let mut frame = DataFrame::new_infer_height(vec![
            Column::new("date".into(), days)
                .cast(&DataType::Date)
                .expect("dates"),
            Column::new("area".into(), areas),
            count,
        ])
        .expect("a frame");
        ParquetWriter::new(std::fs::File::create(&path).expect("a file"))
            .with_row_group_size(Some(rows))
            .with_data_page_size(page)
            .finish(&mut frame)
            .expect("written");
        let scenario = scenario();
        let options = CountsOptions::default();
        let pages = read(&path, &options, &scenario, None, Route::Pages);
        let groups = pages.as_ref().map_or(0, |(_, groups)| *groups);
        let pages = described(pages.map(|(r, _)| r), &scenario);
        let frames = described(
            read(&path, &options, &scenario, None, Route::Frames).map(|(r, _)| r),
            &scenario,
        );
        (pages, frames, groups)
    }

    #[test]
    fn row_groups_read_from_their_pages_read_as_through_frames() {
        let days = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3];
        let good = [
            "0001", "0002", "0003", "0001", "0002", "0003", "0001", "0002", "0003", "0001", "0300",
            "0003",
        ];
        let counts = [
            5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 40.0, 16.0,
        ];
        let whole: Vec<i64> = counts.iter().map(|&c| c as i64).collect();
        let narrow: Vec<i32> = counts.iter().map(|&c| c as i32).collect();
        // Areas by code, with spaces, by name, unknown, empty; a second row for a day; bad
        // counts and a day beyond the years deltid takes.
        let messy = [
            "0001", " 0002 ", "Gamma", "0001", "9999", "", "0001", "0002", "0003", "0001", "0002",
            "0002",
        ];
        let bad = [
            5.0,
            -1.0,
            f64::NAN,
            1.5,
            9.0,
            10.0,
            f64::INFINITY,
            1e12,
            13.0,
            14.0,
            2.0,
            3.0,
        ];
        let cases: Vec<(&str, &[i32], &[&str], Column)> = vec![
            ("doubles", &days, &good, Column::new("count".into(), counts)),
            (
                "int64",
                &days,
                &good,
                Column::new("count".into(), whole.clone()),
            ),
            ("int32", &days, &good, Column::new("count".into(), narrow)),
            (
                "messy areas",
                &days,
                &messy,
                Column::new("count".into(), counts),
            ),
            ("bad counts", &days, &good, Column::new("count".into(), bad)),
            (
                "a day in 9999",
                &[0, 0, 0, 1, 1, 1, 2, 2, 2, 2_900_000, 3, 3],
                &good,
                Column::new("count".into(), counts),
            ),
            (
                "a repeat in another group",
                &[0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 0],
                &good,
                Column::new("count".into(), counts),
            ),
        ];
        for (name, days, areas, count) in cases {
            let (pages, frames, groups) = both_ways(days, areas, count);
            // Of two rows of a place and day in different groups, the one stored is the one
            // whose thread stores first (and the reading is refused for the repeat either
            // way): that case is compared up to the counts held.
            let told = |d: &str| match name {
                "a repeat in another group" => d.split(", series").next().unwrap_or(d).to_owned(),
                _ => d.to_owned(),
            };
            assert_eq!(told(&pages), told(&frames), "{name}");
            // Every group of 4 rows read from its pages.
            assert_eq!(groups, 3, "{name}: {pages}");
        }
        // A spot check of what both give: area 0002 on 2020-01-02 is 9 persons, the region's
        // own count 40 on 2020-01-04.
        let (pages, _, _) = both_ways(&days, &good, Column::new("count".into(), counts));
        assert!(pages.starts_with("12 counts"), "{pages}");
        assert!(pages.contains("(2020-01-02, 9.0)"), "{pages}");
        assert!(pages.contains("[(2020-01-04, 40.0)]"), "{pages}");
    }

    #[test]
    fn row_groups_listing_the_same_areas_read_as_through_frames() {
        // Groups of 3 rows, each the three areas of a day: the second and third list the same
        // areas as the first (their places found again from it); the last lists an unknown
        // area in the place of one, and then areas by name and with spaces.
        let days = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4];
        let counts: Vec<f64> = (0..15).map(f64::from).collect();
        let cases: [(&str, [&str; 15]); 2] = [
            (
                "the same areas",
                [
                    "0001", "0002", "0003", "0001", "0002", "0003", "0001", "0002", "0003", "0001",
                    "0002", "0003", "0001", "0002", "0003",
                ],
            ),
            (
                "one area changed",
                [
                    "0001", "0002", "0003", "0001", "0002", "0003", "0001", "9999", "0003", "0001",
                    "0002", "0003", "Alpha", " 0002", "0003",
                ],
            ),
        ];
        for (name, areas) in cases {
            let count = Column::new("count".into(), counts.clone());
            let (pages, frames, groups) = both_ways_in(&days, &areas, count, (3, None));
            assert_eq!(pages, frames, "{name}");
            assert_eq!(groups, 5, "{name}: {pages}");
        }
        let count = Column::new("count".into(), counts);
        let (pages, _, _) = both_ways_in(&days, &cases[1].1, count, (3, None));
        // The unknown area is named, on its row (2020-01-03, the second of its group).
        assert!(pages.contains("9999"), "{pages}");
    }

    #[test]
    fn repeats_across_groups_are_all_counted_whatever_the_timing() {
        // Blocks of 48 rows, each written twice in a row as two groups: the two workers read
        // the groups of a pair side by side, so that both often add the same place and day at
        // the same moment. Every row of a second copy is a repeat: 2 880, on every reading.
        let (mut days, mut areas) = (Vec::new(), Vec::new());
        for block in 0..60 {
            for _copy in 0..2 {
                for row in block * 48..(block + 1) * 48 {
                    days.push(18_262 + row / 3);
                    areas.push(["0001", "0002", "0003"][(row % 3) as usize]);
                }
            }
        }
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("counts.parquet");
        let mut frame = DataFrame::new_infer_height(vec![
            Column::new("date".into(), &days)
                .cast(&DataType::Date)
                .expect("dates"),
            Column::new("area".into(), &areas),
            Column::new("count".into(), vec![1.0; days.len()]),
        ])
        .expect("a frame");
        ParquetWriter::new(std::fs::File::create(&path).expect("a file"))
            .with_row_group_size(Some(48))
            .finish(&mut frame)
            .expect("written");
        let scenario = scenario();
        for _ in 0..5 {
            let (reading, _) = read(
                &path,
                &CountsOptions::default(),
                &scenario,
                None,
                Route::Pages,
            )
            .expect("read");
            assert_eq!(reading.problems().len() + reading.more(), 2_880);
            assert_eq!(reading.counts().len(), 2_880);
        }
    }

    #[test]
    fn many_pages_or_pages_without_a_dictionary_read_as_through_frames() {
        // 300 rows in one group: 100 days of the three areas, in data pages of about 64
        // bytes (many pages a column), read from the pages.
        let days: Vec<i32> = (0..300).map(|i| i / 3).collect();
        let codes = ["0001", "0002", "0003"];
        let areas: Vec<&str> = (0..300).map(|i| codes[i % 3]).collect();
        let counts: Vec<f64> = (0..300).map(|i| f64::from(i) * 10.0).collect();
        let (pages, frames, groups) = both_ways_in(
            &days,
            &areas,
            Column::new("count".into(), counts.clone()),
            (300, Some(64)),
        );
        assert_eq!(pages, frames);
        assert_eq!(groups, 1, "{pages:.200}");
        assert!(pages.starts_with("300 counts, problems []"), "{pages:.200}");
        // Area 0002 on day 50 (row 152): 1 510 persons.
        assert!(pages.contains("(2020-02-20, 1510.0)"), "{pages:.300}");
        // 300 distinct area cells (3 known, the rest unknown): written without a dictionary,
        // so read through frames, with the same counts and problems.
        let cells: Vec<String> = (0..300)
            .map(|i| match i {
                0..3 => codes[i].to_owned(),
                _ => format!("x{i}"),
            })
            .collect();
        let areas: Vec<&str> = cells.iter().map(String::as_str).collect();
        let (pages, frames, groups) = both_ways_in(
            &days,
            &areas,
            Column::new("count".into(), counts),
            (300, None),
        );
        assert_eq!(pages, frames);
        assert_eq!(groups, 0, "{pages:.200}");
        assert!(pages.starts_with("3 counts"), "{pages:.200}");
        // (The problems as Debug text: quotes escaped.)
        assert!(
            pages.contains(r#"row 4, column `area`: area \"x3\" is not in the scenario"#),
            "{pages:.400}"
        );
    }

    #[test]
    fn required_columns_are_read_from_their_pages_as_through_frames() {
        // Every Hallingdal row, the columns declared REQUIRED (no definition levels in the
        // pages), counts as INT32: made by data/hostile/make.py.
        let path = Path::new("../../data/hostile/required_columns.parquet");
        let scenario =
            crate::read_scenario("../../data/hallingdal/plan-2021.toml").expect("the plan");
        let options = CountsOptions::default();
        let (pages, groups) =
            read(path, &options, &scenario, None, Route::Pages).expect("read from pages");
        assert_eq!(groups, 1);
        let frames = read(path, &options, &scenario, None, Route::Frames).map(|(r, _)| r);
        let pages = described(Ok(pages), &scenario);
        assert_eq!(pages, described(frames, &scenario));
        // 547 days × 6 areas; Flå (3039) counted 1 868 persons on the first day, as the CSV.
        assert!(
            pages.starts_with("3282 counts, problems []"),
            "{pages:.200}"
        );
        assert!(pages.contains("[(2019-09-01, 1868.0)"), "{pages:.300}");
    }

    #[test]
    fn row_groups_with_a_null_are_read_through_frames() {
        let days = [0, 0, 0, 1];
        let areas = ["0001", "0002", "0003", "0001"];
        let count = Column::new("count".into(), [Some(1.0), None, Some(3.0), Some(4.0)]);
        let (pages, frames, groups) = both_ways(&days, &areas, count);
        assert_eq!(pages, frames);
        assert_eq!(groups, 0, "{pages}");
        assert!(pages.contains("row 2"), "{pages}");
    }

    #[test]
    fn a_short_cells_view_is_its_packed_form() {
        // The area reader takes a Parquet view of up to 12 bytes as the cell's packed form.
        let cells = ["", "3043", "K-3043 Ål", "123456789012", "1234567890123"];
        let column = StringChunked::from_slice("area".into(), &cells);
        let array: &Views = column.downcast_as_array();
        for (i, cell) in cells.iter().enumerate() {
            let view = array.views()[i];
            let packed = crate::rows::pack(cell.as_bytes());
            if cell.len() <= 12 {
                assert!(view.is_inline());
                assert_eq!(packed, Some(view.as_u128()), "{cell}");
            } else {
                assert_eq!(packed, None, "{cell}");
            }
        }
    }
}
