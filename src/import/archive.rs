//! The guard every XLSX workbook passes before the spreadsheet reader sees it: limits on what its
//! ZIP archive unpacks to.
//!
//! [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES) bounds the file as packed, and DEFLATE packs a run of
//! one byte about 1,000 to 1 (RFC 1951's longest match, 258 bytes, costs a bit or two): a 2 MB
//! workbook can hold shared strings that unpack to 2 GiB, which the reader would build in memory
//! (in the 32-bit WebAssembly worker it panics with "capacity overflow"). So [`check`] reads the
//! archive first:
//!
//! 1. from the central directory, without unpacking anything: the number of entries
//!    ([`MAX_ENTRIES`]), each entry's declared unpacked size ([`MAX_ENTRY_BYTES`]), their total
//!    ([`MAX_TOTAL_BYTES`]) and each entry's ratio of unpacked to packed size ([`MAX_RATIO`], for
//!    entries above [`RATIO_FLOOR`]);
//! 2. then, since the declared sizes are only what the file says, each entry is unpacked as a
//!    stream into a small buffer and dropped, with a cap of its declared size plus one byte: an
//!    entry that unpacks to more than it declares is refused there, so no more than the declared
//!    sizes checked in step 1 is ever unpacked, here or by the reader afterwards (which reads the
//!    same entries through the same ZIP reader).
//!
//! The limits are far above real workbooks: RMI's CMRT and EMRT templates and the real CMRT files
//! the tests read have 68 to 89 entries, unpack to 9 to 11 MB in all (the largest entry about
//! 6 MB) and pack at most 20 to 1.
//!
//! ```
//! use chokepoint::import::SpreadsheetError;
//! use chokepoint::import::archive::check;
//! assert!(matches!(check(b"not a zip"), Err(SpreadsheetError::NotWorkbook { .. })));
//! ```

use super::SpreadsheetError;
use serde::{Deserialize, Serialize};
use std::io::{Cursor, Read};

/// The most entries a workbook's archive may have (real ones have under 100).
pub const MAX_ENTRIES: usize = 1_000;

/// The largest unpacked entry: 100 MiB (a real workbook's largest is about 6 MB; a sheet of
/// [`MAX_ROWS`](super::MAX_ROWS) rows of 100 short cells is about 60 MB).
pub const MAX_ENTRY_BYTES: u64 = 100 * 1024 * 1024;

/// The most all entries may unpack to together: 200 MiB (real workbooks: 9 to 11 MB).
pub const MAX_TOTAL_BYTES: u64 = 200 * 1024 * 1024;

/// The highest ratio of unpacked to packed size accepted for an entry above [`RATIO_FLOOR`]:
/// 200 to 1. Spreadsheet XML packs 5 to 20 to 1 (20 at most in the real files); only long runs
/// of one byte pack further, and DEFLATE cannot pack beyond about 1,032 to 1.
pub const MAX_RATIO: u64 = 200;

/// Entries up to this unpacked size (1 MiB) are not held to [`MAX_RATIO`]: small entries cannot
/// do harm, and a short part of repeated markup can pack far.
pub const RATIO_FLOOR: u64 = 1024 * 1024;

/// Which archive limit a workbook passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArchiveLimit {
    /// More entries than [`MAX_ENTRIES`].
    Entries,
    /// An entry declared larger than [`MAX_ENTRY_BYTES`].
    EntryBytes,
    /// Entries declared larger than [`MAX_TOTAL_BYTES`] together.
    TotalBytes,
    /// An entry packed more than [`MAX_RATIO`] to 1.
    Ratio,
    /// An entry that unpacks to more bytes than its header declares.
    Undeclared,
}

fn refuse(entry: Option<&str>, limit: ArchiveLimit, found: u64, max: u64) -> SpreadsheetError {
    SpreadsheetError::Unpacked {
        entry: entry.map(str::to_string),
        limit,
        found,
        max,
    }
}

fn damaged(detail: impl std::fmt::Display) -> SpreadsheetError {
    SpreadsheetError::NotWorkbook {
        detail: detail.to_string(),
    }
}

/// Refuses a workbook whose archive passes one of the limits above (see the module notes), with
/// [`SpreadsheetError::Unpacked`]; a file that is not a ZIP archive, or one whose entries cannot be
/// unpacked, with [`SpreadsheetError::NotWorkbook`].
pub fn check(bytes: &[u8]) -> Result<(), SpreadsheetError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    let entries = archive.len();
    if entries > MAX_ENTRIES {
        return Err(refuse(
            None,
            ArchiveLimit::Entries,
            entries as u64,
            MAX_ENTRIES as u64,
        ));
    }
    // 1. The declared sizes, from the central directory: nothing is unpacked.
    let mut total: u64 = 0;
    for index in 0..entries {
        let entry = archive.by_index_raw(index).map_err(damaged)?;
        let (name, size, packed) = (entry.name(), entry.size(), entry.compressed_size());
        if size > MAX_ENTRY_BYTES {
            return Err(refuse(
                Some(name),
                ArchiveLimit::EntryBytes,
                size,
                MAX_ENTRY_BYTES,
            ));
        }
        if size > RATIO_FLOOR && size > packed.saturating_mul(MAX_RATIO) {
            let ratio = size / packed.max(1);
            return Err(refuse(Some(name), ArchiveLimit::Ratio, ratio, MAX_RATIO));
        }
        total = total.saturating_add(size);
        if total > MAX_TOTAL_BYTES {
            return Err(refuse(
                None,
                ArchiveLimit::TotalBytes,
                total,
                MAX_TOTAL_BYTES,
            ));
        }
    }
    // 2. The actual sizes: each entry unpacked as a stream, capped one byte past its declared
    // size, into a buffer that is reused and dropped.
    let mut buffer = vec![0u8; 64 * 1024];
    for index in 0..entries {
        let entry = archive.by_index(index).map_err(damaged)?;
        let name = entry.name().to_string();
        let declared = entry.size();
        let mut capped = entry.take(declared.saturating_add(1));
        let mut unpacked: u64 = 0;
        loop {
            let read = capped
                .read(&mut buffer)
                .map_err(|e| damaged(format!("part “{name}” cannot be unpacked ({e})")))?;
            if read == 0 {
                break;
            }
            unpacked += read as u64;
        }
        if unpacked > declared {
            return Err(refuse(
                Some(&name),
                ArchiveLimit::Undeclared,
                unpacked,
                declared,
            ));
        }
    }
    Ok(())
}
