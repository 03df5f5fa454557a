//! Text decoding for `text()`: the encodings std can do without tables.

use crate::errors::ClientError;

/// Decodes `body` in `encoding`, strictly (Python's `errors="strict"`).
pub(crate) fn decode_text(body: &[u8], encoding: &str) -> Result<String, ClientError> {
    let fail = |reason: String| ClientError::Decode { encoding: encoding.to_string(), reason };
    let norm = encoding.trim().to_ascii_lowercase().replace('_', "-");
    match norm.as_str() {
        "utf-8" | "utf8" => String::from_utf8(body.to_vec()).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            fail(format!("invalid byte at position {at}"))
        }),
        "ascii" | "us-ascii" => match body.iter().position(|b| !b.is_ascii()) {
            Some(at) => Err(fail(format!("byte 0x{:02x} at position {at} is not ASCII", body[at]))),
            None => Ok(body.iter().map(|&b| char::from(b)).collect()),
        },
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" => Ok(body.iter().map(|&b| char::from(b)).collect()),
        "utf-16le" | "utf-16be" => {
            if !body.len().is_multiple_of(2) {
                return Err(fail("truncated data: an odd number of bytes".into()));
            }
            let units = body.chunks_exact(2).map(|p| {
                let pair = [p[0], p[1]];
                if norm == "utf-16le" {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            });
            char::decode_utf16(units).collect::<Result<String, _>>().map_err(|e| fail(e.to_string()))
        }
        _ => Err(fail("unknown encoding".into())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(decode_text("héllo".as_bytes(), "UTF-8").unwrap(), "héllo");
        assert_eq!(decode_text(&[0x68, 0xe9], "latin-1").unwrap(), "hé");
        assert!(matches!(decode_text(&[0x68, 0xe9], "utf-8"), Err(ClientError::Decode { .. })));
        assert!(decode_text(b"x", "klingon").is_err());
        assert_eq!(decode_text(&[0x68, 0, 0x69, 0], "utf-16le").unwrap(), "hi");
        assert!(decode_text(&[0xff], "ascii").is_err());
    }
}
