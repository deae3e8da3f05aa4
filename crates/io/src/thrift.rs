//! A check of Thrift compact-protocol bytes (the metadata in a Parquet file's footer) before
//! polars decodes them: every size they declare must fit in the bytes that follow.
//!
//! polars reserves memory for each list of the metadata (row groups, columns, key-value pairs)
//! as soon as it reads the list's declared length, before reading any item; a damaged or
//! hostile footer declaring two billion row groups in a few bytes made it ask for a hundred
//! gigabytes, which aborts the process (found by fuzzing). Each item of a list takes at least
//! one byte, so a list longer than the bytes left cannot be right, and is refused here.

/// How deep structs and lists may nest (Parquet's metadata nests about six deep).
const MAX_DEPTH: u32 = 64;

/// Walks one Thrift struct in the compact protocol (a Parquet file's `FileMetaData`) and
/// checks that every list, set, map and byte string fits in the bytes after it, and that
/// nothing nests deeper than [`MAX_DEPTH`].
///
/// # Errors
/// What is wrong, for a message: a size larger than the bytes left, bytes ending inside a
/// value, an unknown type, or nesting too deep.
pub(crate) fn check_struct(bytes: &[u8]) -> Result<(), String> {
    Compact { bytes, at: 0 }.structure(0)
}

/// A reader of compact-protocol bytes.
struct Compact<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Compact<'_> {
    fn left(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn byte(&mut self) -> Result<u8, String> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| format!("the metadata ends early (at byte {})", self.at))?;
        self.at += 1;
        Ok(byte)
    }

    /// An unsigned LEB128 varint of at most ten bytes.
    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift.min(63);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(format!(
            "a number longer than ten bytes at byte {}",
            self.at
        ))
    }

    fn skip(&mut self, n: u64) -> Result<(), String> {
        match usize::try_from(n) {
            Ok(n) if n <= self.left() => {
                self.at += n;
                Ok(())
            }
            _ => Err(format!(
                "a value of {n} bytes where {} are left (at byte {})",
                self.left(),
                self.at
            )),
        }
    }

    /// A declared number of items, each taking at least `least` bytes, that must fit.
    fn items(&mut self, declared: u64, least: u64) -> Result<u64, String> {
        let left = self.left() as u64;
        if declared.saturating_mul(least) > left {
            return Err(format!(
                "it declares {declared} items where {left} bytes are left (at byte {})",
                self.at
            ));
        }
        Ok(declared)
    }

    fn structure(&mut self, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("values nest more than {MAX_DEPTH} deep"));
        }
        loop {
            let header = self.byte()?;
            if header == 0 {
                return Ok(());
            }
            if header >> 4 == 0 {
                // The field id as a zigzag varint (no delta to the previous one).
                self.varint()?;
            }
            match header & 0x0f {
                // A boolean field holds its value in its type.
                1 | 2 => {}
                kind => self.value(kind, depth)?,
            }
        }
    }

    fn value(&mut self, kind: u8, depth: u32) -> Result<(), String> {
        match kind {
            // A boolean in a list or map: one byte.
            1..=3 => self.skip(1),
            4..=6 => self.varint().map(drop),
            7 => self.skip(8),
            8 => {
                let length = self.varint()?;
                self.skip(length)
            }
            9 | 10 => {
                let header = self.byte()?;
                let short = u64::from(header >> 4);
                let declared = if short == 15 { self.varint()? } else { short };
                let element = header & 0x0f;
                for _ in 0..self.items(declared, 1)? {
                    self.value(element, depth + 1)?;
                }
                Ok(())
            }
            11 => {
                let declared = self.varint()?;
                if declared == 0 {
                    return Ok(());
                }
                let types = self.byte()?;
                for _ in 0..self.items(declared, 2)? {
                    self.value(types >> 4, depth + 1)?;
                    self.value(types & 0x0f, depth + 1)?;
                }
                Ok(())
            }
            12 => self.structure(depth + 1),
            other => Err(format!("unknown type {other} at byte {}", self.at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A struct with field 1 an i32 (150), field 2 a list of two structs each with a string
    /// field, and field 5 (a delta of 3) a boolean true; then stop.
    const GOOD: &[u8] = &[
        0x15, 0xac, 0x02, // field 1, i32, zigzag 150
        0x19, 0x2c, // field 2, list of 2 structs
        0x18, 0x01, b'a', 0x00, // struct: field 1 binary "a", stop
        0x18, 0x02, b'b', b'c', 0x00, // struct: field 1 binary "bc", stop
        0x31, // field 5, boolean true
        0x00, // stop
    ];

    #[test]
    fn sizes_that_fit_pass_and_sizes_beyond_the_bytes_are_refused() {
        assert_eq!(check_struct(GOOD), Ok(()));
        // The list declared as 2 147 483 647 structs (0xf0 | 12, then a varint).
        let mut huge = GOOD[..4].to_vec();
        huge.extend([0xfc, 0xff, 0xff, 0xff, 0xff, 0x07]);
        huge.extend(&GOOD[5..]);
        let err = check_struct(&huge).unwrap_err();
        assert!(
            err.contains("declares 2147483647 items where 11 bytes are left"),
            "{err}"
        );
        // A string longer than the bytes left.
        let mut long = GOOD.to_vec();
        long[6] = 0x7f;
        assert!(
            check_struct(&long)
                .unwrap_err()
                .contains("a value of 127 bytes")
        );
        // Cut short, an unknown type, nesting too deep.
        assert!(check_struct(&GOOD[..8]).unwrap_err().contains("ends early"));
        assert!(
            check_struct(&[0x1e, 0x00])
                .unwrap_err()
                .contains("unknown type 14")
        );
        let deep: Vec<u8> = std::iter::repeat_n(0x1c, 100).collect();
        assert!(
            check_struct(&deep)
                .unwrap_err()
                .contains("nest more than 64")
        );
        // A map of 3 entries needs at least 6 bytes after its header.
        assert!(
            check_struct(&[0x1b, 0x03, 0x55, 0x00, 0x00])
                .unwrap_err()
                .contains("declares 3 items")
        );
    }
}
