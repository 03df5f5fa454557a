//! The errors of asyncio's `StreamReader`.

use std::io;

/// `readexactly` or `readuntil` met the end of the stream first (asyncio's
/// `IncompleteReadError`); `partial` holds what was read, and is not lost.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} bytes read on a total of {} expected bytes", partial.len(), expected.map_or("undefined".to_string(), |n| n.to_string()))]
pub struct IncompleteReadError {
    /// The bytes read before the end of the stream.
    pub partial: Vec<u8>,
    /// How many were asked for (`None` for `readuntil`).
    pub expected: Option<usize>,
}

/// The separator was not found within the buffer limit, or was found past
/// it (asyncio's `LimitOverrunError`). `readuntil` leaves the data in the
/// buffer; `readline` discards it first (see their docs), as CPython 3.11.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", if *found { "Separator is found, but chunk is longer than limit" } else { "Separator is not found, and chunk exceed the limit" })]
pub struct LimitOverrunError {
    /// CPython's `consumed`: where the separator starts, if found; else how
    /// far the search got (the buffered length, less the separator's length
    /// minus one).
    pub consumed: usize,
    /// Whether the separator was in the buffer (past the limit).
    pub found: bool,
}

/// Why a `StreamReader` call failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The socket failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The stream ended early.
    #[error(transparent)]
    IncompleteRead(#[from] IncompleteReadError),
    /// The line or chunk is longer than the limit.
    #[error(transparent)]
    LimitOverrun(#[from] LimitOverrunError),
}

impl From<StreamError> for io::Error {
    /// For `?` in functions returning `io::Result`: an early end becomes
    /// `UnexpectedEof`, a limit overrun `InvalidData` (the message says which).
    fn from(e: StreamError) -> io::Error {
        match e {
            StreamError::Io(e) => e,
            StreamError::IncompleteRead(e) => io::Error::new(io::ErrorKind::UnexpectedEof, e),
            StreamError::LimitOverrun(e) => io::Error::new(io::ErrorKind::InvalidData, e),
        }
    }
}
