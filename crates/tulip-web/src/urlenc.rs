//! Percent-encoding of paths and the decoding of paths and query strings.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

/// What a path segment may not hold unencoded (RFC 3986's path characters
/// stay; '/' too, for `{tail:.*}` values).
const PATH: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}').add(b'%');

/// `value` percent-encoded for a URL path.
pub(crate) fn encode_path(value: &str) -> String {
    utf8_percent_encode(value, PATH).to_string()
}

/// The percent-decoded path routes match against (aiohttp matches the
/// decoded path too); `None` if the decoded bytes are not UTF-8.
pub(crate) fn decode_path(raw: &str) -> Option<String> {
    if !raw.contains('%') {
        return Some(raw.to_string());
    }
    percent_decode_str(raw).decode_utf8().ok().map(|c| c.into_owned())
}

/// `a=1&b=2&a=3` as ordered pairs (`+` is a space, as in forms).
pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip() {
        let v = "a b/ü?#%";
        assert_eq!(decode_path(&encode_path(v)).unwrap(), v);
        assert!(decode_path("/%ff").is_none());
    }

    #[test]
    fn queries_keep_order_and_repeats() {
        assert_eq!(
            parse_query("a=1&b=x+y&a=%33"),
            vec![("a".into(), "1".into()), ("b".into(), "x y".into()), ("a".into(), "3".into())]
        );
    }
}
