//! aiohttp's `Domain` and `MaskDomain` rules, for `add_domain`: which
//! `Host` a domain sub-application answers.

use crate::RouteError;

/// A domain (`example.com`, `example.com:8080`) or a mask with `*`
/// (`*.example.com`).
#[derive(Debug)]
pub(crate) struct Domain {
    /// Lower case, without a trailing '.', `:80` dropped (aiohttp's canonical).
    domain: String,
    mask: bool,
}

impl Domain {
    /// aiohttp's validation: labels of letters, digits and '-' (and '*' in
    /// a mask), not starting or ending with '-', an optional port.
    pub(crate) fn parse(domain: &str) -> Result<Domain, RouteError> {
        let bad = |reason: &str| RouteError::InvalidPattern { pattern: domain.to_string(), reason: reason.into() };
        let d = domain.trim_end_matches('.').to_ascii_lowercase();
        if d.is_empty() {
            return Err(bad("a domain cannot be empty"));
        }
        if d.contains("://") {
            return Err(bad("a domain has no scheme"));
        }
        let mask = d.contains('*');
        let (host, port) = match d.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (d.as_str(), None),
        };
        if port.is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(bad("a port is digits"));
        }
        let label_ok = |l: &str| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || (mask && b == b'*'))
        };
        if !host.split('.').all(label_ok) {
            return Err(bad("a domain is labels of letters, digits and '-'"));
        }
        let domain = match port {
            Some("80") => host.to_string(),
            _ => d.clone(),
        };
        Ok(Domain { domain, mask })
    }

    pub(crate) fn canonical(&self) -> &str {
        &self.domain
    }

    /// Whether a request's `Host` header matches: the port only matters
    /// when the domain was given one.
    pub(crate) fn matches(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let (name, port) = host.split_once(':').unwrap_or((&host, ""));
        if !self.mask {
            return host == self.domain || name == self.domain;
        }
        let (mask, want_port) = self.domain.split_once(':').unwrap_or((&self.domain, ""));
        (want_port.is_empty() || port == want_port) && glob(mask.as_bytes(), name.as_bytes())
    }
}

/// `*` matches any run of characters, dots included (fnmatch's); the
/// usual backtrack to the last star, so a long `Host` costs O(mask × host).
fn glob(mask: &[u8], s: &[u8]) -> bool {
    let (mut m, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if m < mask.len() && mask[m] == b'*' {
            star = Some((m, i));
            m += 1;
        } else if m < mask.len() && mask[m] == s[i] {
            m += 1;
            i += 1;
        } else if let Some((sm, si)) = star {
            m = sm + 1;
            i = si + 1;
            star = Some((sm, si + 1));
        } else {
            return false;
        }
    }
    mask[m..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn domains_match_as_aiohttps() {
        let d = Domain::parse("Example.COM.").unwrap();
        assert_eq!(d.canonical(), "example.com");
        assert!(d.matches("example.com") && d.matches("EXAMPLE.com:8080"));
        assert!(!d.matches("www.example.com"));
        let p = Domain::parse("example.com:8080").unwrap();
        assert!(p.matches("example.com:8080") && !p.matches("example.com:9000"));
        assert_eq!(Domain::parse("example.com:80").unwrap().canonical(), "example.com");
        let m = Domain::parse("*.example.com").unwrap();
        assert!(m.matches("a.example.com") && m.matches("a.b.example.com:1") && !m.matches("example.com"));
        assert!(glob(b"*a*b", b"xxaxxb") && !glob(b"*a*b", b"xxaxx") && glob(b"**", b""));
        for bad in ["", "http://x.com", "-a.com", "a_b.com", "a..com", "a.com:x"] {
            assert!(Domain::parse(bad).is_err(), "{bad}");
        }
    }
}
