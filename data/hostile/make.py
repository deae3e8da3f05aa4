#!/usr/bin/env python3
"""Writes the hostile-input corpus beside this file (see data/README.md, "hostile/").

Run from anywhere: python3 data/hostile/make.py. Needs pyarrow for the Parquet files. Every
file is small; each is read by tests/hostile.rs against data/hallingdal/plan-2021.toml.
"""
import io
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


GOOD = "date,area,count\n2020-01-01,3039,1868\n2020-01-02,3039,1870\n2020-01-03,3039,1902\n"

# Text files.
write("esc_header.csv", "\x1b]0;pwned\x07\x1b[2Jdate,area,count\n2020-01-01,3039,5\n")
write("nul_header.csv", b"da\x00te,ar\x00ea,count\n2020-01-01,3039,5\n")
write("long_cell.csv", "date,area,count\n2020-01-01,3039," + "9" * 20000 + "\n")
write("unterminated_quote.csv", 'date,area,count\n2020-01-01,"3039,5\n2020-01-02,3039,6\n')
write("no_such_day.csv", "date,area,count\n28.02.2023,3039,5\n29.02.2023,3039,6\n")
write("stray_date.csv", GOOD + "2150-06-30,3039,1900\n")
write("placeholder_date.csv", GOOD + "9999-12-31,3039,1900\n")
write("formula_area.csv", 'date,area,count\n2020-01-01,"=HYPERLINK(""http://x.invalid"")",5\n')
write("huge_count.csv", "date,area,count\n2020-01-01,3039,1e400\n")
write("negative_count.csv", "date,area,count\n2020-01-01,3039,-5\n")
write("empty.csv", b"")
write("header_only.csv", "date,area,count\n")
write("bom_only.csv", b"\xef\xbb\xbf")
write("utf16.csv", GOOD.encode("utf-16"))
write("zip_not_workbook.csv", b"PK\x03\x04 not really a workbook")
write("garbage.csv", bytes((i * 97 + 13) % 256 for i in range(2048)))
write("crlf_cr.csv", GOOD.replace("\n", "\r\n", 2).replace("\n", "\r"))
write("truncated.parquet", b"PAR1\x15\x04\x15\x10garbage")


def xlsx(sheet_xml):
    """A minimal workbook whose one sheet holds sheet_xml."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="counts" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        for name in sorted(parts):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, parts[name])
    return buffer.getvalue()


def cells(rows):
    out = []
    for r, row in enumerate(rows, start=1):
        cs = "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in enumerate(row)
        )
        out.append(f'<row r="{r}">{cs}</row>')
    return '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + "".join(out) + "</sheetData></worksheet>"


rows = [["date", "area", "count"], ["2020-01-01", "3039", "1868"], ["2020-01-02", "3039", "1870"]]
workbook = xlsx(cells(rows))
write("xlsx_named.csv", workbook)
write("truncated.xlsx", workbook[: len(workbook) // 2])
write("bad_sheet_xml.xlsx", xlsx("<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>99</v></c>"))

# Parquet files (pyarrow).
import datetime as dt  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402


def parquet(name, table):
    pq.write_table(table, os.path.join(HERE, name), compression="NONE")


parquet(
    "date_max.parquet",
    pa.table({"date": pa.array([18262, 2147483647], type=pa.date32()), "area": ["3039"] * 2, "count": [5.0, 6.0]}),
)
parquet(
    "decimal_count.parquet",
    pa.table({"date": pa.array([18262, 18263], type=pa.date32()), "area": ["3039"] * 2, "count": pa.array([5, 6], type=pa.decimal128(10, 2))}),
)
oslo = ZoneInfo("Europe/Oslo")
parquet(
    "timestamp_oslo.parquet",
    pa.table({
        "date": pa.array([dt.datetime(2020, 1, d, tzinfo=oslo) for d in (1, 2, 3)], type=pa.timestamp("us", tz="Europe/Oslo")),
        "area": ["3039"] * 3,
        "count": [1868.0, 1870.0, 1902.0],
    }),
)
with open(os.path.join(HERE, "parquet_named.csv"), "wb") as f:
    sink = io.BytesIO()
    pq.write_table(pa.table({"date": pa.array([18262], type=pa.date32()), "area": ["3039"], "count": [5.0]}), sink, compression="NONE")
    f.write(sink.getvalue())

# The same file with its footer's key-value list declared as 2 147 483 647 items in a few
# bytes: polars reserved memory for them all (100 GB) and the process aborted (found by
# fuzzing); deltid checks the footer first.
good = sink.getvalue()
length = int.from_bytes(good[-8:-4], "little")
footer = good[-8 - length:-8]
at = footer.index(b"\x19\x1c\x18\x0cARROW:schema")
footer = footer[:at] + b"\x19\xfc\xff\xff\xff\xff\x07" + footer[at + 2:]
write("footer_huge_list.parquet", good[:-8 - length] + footer + len(footer).to_bytes(4, "little") + b"PAR1")

# Damage only polars' decoder meets, beside a good read. Both from the first rows of the
# Hallingdal counts, without compression.
import pyarrow.csv as pcsv  # noqa: E402

hallingdal = pcsv.read_csv(
    os.path.join(HERE, "..", "hallingdal", "counts.csv"),
    convert_options=pcsv.ConvertOptions(column_types={"date": pa.date32(), "area": pa.string(), "count": pa.int32()}),
)


def zigzag(n):
    """A Thrift compact-protocol i32: zigzag, then a varint."""
    z, out = (n << 1) ^ (n >> 63), bytearray()
    while True:
        b, z = z & 0x7F, z >> 7
        if not z:
            return bytes(out + bytes([b]))
        out.append(b | 0x80)


# 282 rows in version-2 data pages, the date column's first page header claiming -283 values
# (one bit of its varint): the page holds 282, and a read limited to the row group's rows
# reads them all (read with no limit, the claim asked for 2^61 bytes and aborted).
sink = io.BytesIO()
pq.write_table(hallingdal.slice(0, 282), sink, compression="NONE", data_page_version="2.0")
data = bytearray(sink.getvalue())
date = pq.ParquetFile(io.BytesIO(bytes(data))).metadata.row_group(0).column(0)
assert date.path_in_schema == "date"
at = bytes(data).index(zigzag(282), date.data_page_offset)
data[at:at + 2] = zigzag(-283)
write("page_values_negative.parquet", bytes(data))

# 300 rows with the columns in the order area, date, count; every 50th area cell is not
# UTF-8, and one byte of the date column's definition levels is damaged (0xd8 -> 0xd9) so that
# decoding it asks for 2^61 bytes. Read in the file's order, the area column's error comes
# first (a column read out of turn aborted the process).
table = hallingdal.slice(0, 300)
cells = [a.encode() if i % 50 else b"\xff3043" for i, a in enumerate(table["area"].to_pylist())]
table = table.set_column(1, "area", pa.array(cells, pa.binary()).view(pa.string()))
sink = io.BytesIO()
pq.write_table(table.select(["area", "date", "count"]), sink, compression="NONE")
data = bytearray(sink.getvalue())
date = pq.ParquetFile(io.BytesIO(bytes(data))).metadata.row_group(0).column(1)
assert date.path_in_schema == "date"
at = (date.dictionary_page_offset if date.has_dictionary_page else date.data_page_offset) + 226
assert data[at] == 0xD8, "another pyarrow writes other bytes: find the damage again"
data[at] = 0xD9
write("utf8_before_damaged_date.parquet", bytes(data))

# Every Hallingdal row with the columns declared REQUIRED (not nullable), as Spark, DuckDB's
# NOT NULL columns and pyarrow's non-nullable fields write them: read as the CSV is.
sink = io.BytesIO()
required = pa.schema([pa.field(name, hallingdal.schema.field(name).type, nullable=False) for name in ("date", "area", "count")])
pq.write_table(hallingdal.cast(required), sink, compression="NONE")
write("required_columns.parquet", sink.getvalue())
