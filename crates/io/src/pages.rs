//! A Parquet row group's date, area and count columns decoded straight from their pages by
//! polars' own decoder, with the areas as indices into the group's dictionary of area cells:
//! a cell read once per distinct area, not once per row.
//!
//! Only for the common shape of counts (a `Date` column, text areas written with a
//! dictionary, numeric counts, no nulls); any other row group (a page written without a
//! dictionary, a null, another type, damage) gives `None` here and is read through polars'
//! DataFrame, which reports what is wrong with it.

use std::io::{Cursor, Read, Seek, SeekFrom};

use polars_arrow::array::{Array, DictionaryArray, PrimitiveArray, Utf8ViewArray};
use polars_arrow::datatypes::{ArrowDataType, DTYPE_CATEGORICAL_NEW, Field, IntegerType, Metadata};
use polars_buffer::Buffer;
use polars_parquet::read::{
    BasicDecompressor, ColumnChunkMetadata, Filter, PageReader, PhysicalType, RowGroupMetadata,
    column_iter_to_arrays,
};

/// How the counts column is stored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum CountType {
    Double,
    Int64,
    Int32,
}

/// The columns of one row group, each with a value on every row.
pub(crate) struct Coded {
    /// Days since 1970.
    pub(crate) days: PrimitiveArray<i32>,
    /// The area cell of each row, as an index into `areas`.
    pub(crate) keys: PrimitiveArray<u32>,
    /// The distinct area cells of the group.
    pub(crate) areas: Utf8ViewArray,
    /// The counts.
    pub(crate) counts: Numbers,
}

/// A column of numbers as floating-point numbers: in place, or converted from whole numbers
/// (as polars casts them).
pub(crate) enum Numbers {
    Double(PrimitiveArray<f64>),
    Whole(Vec<f64>),
}

impl Numbers {
    pub(crate) fn values(&self) -> &[f64] {
        match self {
            Numbers::Double(array) => array.values(),
            Numbers::Whole(values) => values,
        }
    }
}

/// One column chunk decoded as `field`: `None` on any failure, or when it has a null or not
/// the group's `rows`.
fn decoded(
    file: &mut std::fs::File,
    file_size: u64,
    chunk: &ColumnChunkMetadata,
    field: Field,
    rows: usize,
) -> Option<Box<dyn Array>> {
    let range = chunk.byte_range();
    if range.start > range.end || range.end > file_size {
        return None;
    }
    let mut bytes = vec![0; usize::try_from(range.end - range.start).ok()?];
    file.seek(SeekFrom::Start(range.start)).ok()?;
    file.read_exact(&mut bytes).ok()?;
    let pages = PageReader::new(Cursor::new(Buffer::from(bytes)), chunk, vec![], usize::MAX);
    let primitive = &chunk.descriptor().descriptor.primitive_type;
    // polars' decoder panics on some damage: that is a group for the DataFrame's reader.
    let (mut arrays, _) = crate::source::caught(|| {
        column_iter_to_arrays(
            vec![BasicDecompressor::new(pages, vec![])],
            vec![primitive],
            field,
            Some(Filter::new_ranged(0, rows)),
        )
    })
    .ok()?
    .ok()?;
    let array = arrays.pop().filter(|_| arrays.is_empty())?;
    (array.len() == rows && array.null_count() == 0).then_some(array)
}

/// The date, area and count columns (each its position in the file and its name) of a row
/// group, if the group is in the common shape (see the module's note); `None` otherwise, or
/// when anything goes wrong.
pub(crate) fn read_coded(
    file: &mut std::fs::File,
    file_size: u64,
    group: &RowGroupMetadata,
    [date, area, count]: [(usize, &str); 3],
    count_type: CountType,
) -> Option<Coded> {
    let rows = group.num_rows();
    let chunk = |name: &str, physical: PhysicalType| {
        let mut columns = group.columns_under_root_iter(name)?;
        let chunk = columns.next().filter(|_| columns.len() == 0)?;
        (chunk.physical_type() == physical).then_some(chunk)
    };
    let (count_physical, count_arrow) = match count_type {
        CountType::Double => (PhysicalType::Double, ArrowDataType::Float64),
        CountType::Int64 => (PhysicalType::Int64, ArrowDataType::Int64),
        CountType::Int32 => (PhysicalType::Int32, ArrowDataType::Int32),
    };
    // A dictionary of text marked as polars' categorical: decoded as the dictionary's indices
    // (refused, so read otherwise, where a page of the group is written without it).
    let categorical: Metadata = [(DTYPE_CATEGORICAL_NEW.into(), "".into())].into();
    let areas = ArrowDataType::Dictionary(
        IntegerType::UInt32,
        Box::new(ArrowDataType::Utf8View),
        false,
    );
    // An area column without a dictionary page (written plain: many distinct areas in a
    // group) is refused before any page is decompressed, not after the dates are.
    let area_chunk = chunk(area.1, PhysicalType::ByteArray)?;
    area_chunk.dictionary_page_offset()?;
    let columns = [
        (
            date.0,
            chunk(date.1, PhysicalType::Int32)?,
            Field::new("date".into(), ArrowDataType::Int32, true),
        ),
        (
            area.0,
            area_chunk,
            Field::new("area".into(), areas, true).with_metadata(categorical),
        ),
        (
            count.0,
            chunk(count.1, count_physical)?,
            Field::new("count".into(), count_arrow, true),
        ),
    ];
    // Decoded as polars' DataFrame reader decodes them: in the file's order, each limited to
    // the group's rows (a page may claim more values than the group has), so that a damaged
    // group fails here where it would fail there, not on a column read before its turn.
    let mut order = [0, 1, 2];
    order.sort_by_key(|&i| columns[i].0);
    let mut arrays: [Option<Box<dyn Array>>; 3] = [None, None, None];
    let mut columns = columns.map(Some);
    for i in order {
        let (_, chunk, field) = columns[i].take()?;
        arrays[i] = Some(decoded(file, file_size, chunk, field, rows)?);
    }
    let [Some(days), Some(areas), Some(counts)] = arrays else {
        return None;
    };
    let days = days.as_any().downcast_ref::<PrimitiveArray<i32>>()?.clone();
    let areas = areas.as_any().downcast_ref::<DictionaryArray<u32>>()?;
    let dictionary = areas
        .values()
        .as_any()
        .downcast_ref::<Utf8ViewArray>()?
        .clone();
    if dictionary.null_count() != 0 {
        return None;
    }
    let any = counts.as_any();
    let counts = match count_type {
        CountType::Double => Numbers::Double(any.downcast_ref::<PrimitiveArray<f64>>()?.clone()),
        CountType::Int64 => Numbers::Whole(
            any.downcast_ref::<PrimitiveArray<i64>>()?
                .values()
                .iter()
                .map(|&v| v as f64)
                .collect(),
        ),
        CountType::Int32 => Numbers::Whole(
            any.downcast_ref::<PrimitiveArray<i32>>()?
                .values()
                .iter()
                .map(|&v| f64::from(v))
                .collect(),
        ),
    };
    Some(Coded {
        days,
        keys: areas.keys().clone(),
        areas: dictionary,
        counts,
    })
}
