//! Path patterns of routes: `/users/{id}`, `/files/{tail:.*}`, `/{n:\d+}`.

use std::rc::Rc;

use regex::Regex;

/// Path parameters: names shared with the pattern, values decoded.
pub(crate) type Params = Vec<(Rc<str>, String)>;

/// A malformed route pattern, or a `url_for` that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The pattern does not parse (an unclosed `{`, an empty name, a bad regex).
    #[error("invalid route pattern {pattern:?}: {reason}")]
    InvalidPattern {
        /// The pattern given.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two routes share a name.
    #[error("duplicate route name {0:?}")]
    DuplicateName(String),
    /// `url_for` of a name no route has.
    #[error("no route named {0:?}")]
    UnknownName(String),
    /// `url_for` without a value for a parameter, or with one the pattern refuses.
    #[error("url_for: {0}")]
    BadParameter(String),
}

#[derive(Debug, Clone)]
enum Part {
    Lit(String),
    Var(Rc<str>, Option<Regex>),
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    source: String,
    parts: Vec<Part>,
    /// Set when the pattern has variables.
    regex: Option<Regex>,
    names: Vec<Rc<str>>,
    /// Every variable is a plain `{name}` ending at a '/' or the end: matched
    /// segment by segment, without the regex (the common case, and faster).
    segmented: bool,
}

/// The default of `{name}`: one path segment (aiohttp's `[^{}/]+`).
const SEGMENT: &str = "[^{}/]+";

impl Pattern {
    pub(crate) fn parse(source: &str) -> Result<Pattern, RouteError> {
        let bad = |reason: &str| RouteError::InvalidPattern { pattern: source.to_string(), reason: reason.to_string() };
        if !source.starts_with('/') {
            return Err(bad("a path starts with '/'"));
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' => {
                    // The closing brace at depth 0: regexes may hold `{3}`.
                    let mut depth = 1;
                    let mut end = None;
                    for (j, d) in chars.by_ref() {
                        match d {
                            '{' => depth += 1,
                            '}' => {
                                depth -= 1;
                                if depth == 0 {
                                    end = Some(j);
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    let end = end.ok_or_else(|| bad("unclosed '{'"))?;
                    let inner = &source[i + 1..end];
                    let (name, re) = match inner.split_once(':') {
                        Some((n, r)) => (n, Some(r)),
                        None => (inner, None),
                    };
                    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        return Err(bad("a parameter name is letters, digits and '_'"));
                    }
                    let re = match re {
                        Some(r) => {
                            Some(Regex::new(&format!("^(?:{r})$")).map_err(|e| bad(&format!("bad regex: {e}")))?)
                        }
                        None => None,
                    };
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Var(Rc::from(name), re));
                }
                '}' => return Err(bad("unmatched '}'")),
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        let names: Vec<Rc<str>> = parts
            .iter()
            .filter_map(|p| match p {
                Part::Var(n, _) => Some(n.clone()),
                Part::Lit(_) => None,
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        if !names.iter().all(|n| seen.insert(n)) {
            return Err(bad("a parameter name appears twice"));
        }
        let regex = if names.is_empty() {
            None
        } else {
            let mut re = String::from("^");
            for p in &parts {
                match p {
                    Part::Lit(l) => re.push_str(&regex::escape(l)),
                    Part::Var(n, r) => {
                        let body = r.as_ref().map_or(SEGMENT.to_string(), |r| {
                            let s = r.as_str();
                            s[4..s.len() - 2].to_string()
                        });
                        re.push_str(&format!("(?P<{n}>{body})"));
                    }
                }
            }
            re.push('$');
            Some(Regex::new(&re).map_err(|e| bad(&format!("bad regex: {e}")))?)
        };
        let segmented = parts.iter().enumerate().all(|(i, p)| match p {
            Part::Var(_, Some(_)) => false,
            Part::Var(_, None) => match parts.get(i + 1) {
                None => true,
                Some(Part::Lit(l)) => l.starts_with('/'),
                Some(Part::Var(..)) => false,
            },
            Part::Lit(_) => true,
        });
        Ok(Pattern { source: source.to_string(), parts, regex, names, segmented })
    }

    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// The parameters when `path` (percent-decoded) matches.
    pub(crate) fn matches(&self, path: &str) -> Option<Params> {
        match &self.regex {
            None => (path == self.source).then(Vec::new),
            Some(_) if self.segmented => self.match_segments(path),
            Some(re) => {
                let caps = re.captures(path)?;
                Some(
                    self.names
                        .iter()
                        .map(|n| (n.clone(), caps.name(n).map_or("", |m| m.as_str()).to_string()))
                        .collect(),
                )
            }
        }
    }

    /// `matches` without the regex, for `segmented` patterns: the same as
    /// `[^{}/]+` for each variable.
    fn match_segments(&self, path: &str) -> Option<Params> {
        let mut rest = path;
        let mut out = Vec::with_capacity(self.names.len());
        for p in &self.parts {
            match p {
                Part::Lit(l) => rest = rest.strip_prefix(l.as_str())?,
                Part::Var(n, _) => {
                    let end = rest.find('/').unwrap_or(rest.len());
                    let seg = &rest[..end];
                    if seg.is_empty() || seg.contains(['{', '}']) {
                        return None;
                    }
                    out.push((n.clone(), seg.to_string()));
                    rest = &rest[end..];
                }
            }
        }
        rest.is_empty().then_some(out)
    }

    /// The path for these parameters, percent-encoded (aiohttp's `url_for`).
    pub(crate) fn build(&self, params: &[(&str, &str)]) -> Result<String, RouteError> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(l) => out.push_str(l),
                Part::Var(n, re) => {
                    let v = params
                        .iter()
                        .find(|(k, _)| *k == &**n)
                        .map(|(_, v)| *v)
                        .ok_or_else(|| RouteError::BadParameter(format!("no value for {{{n}}}")))?;
                    let ok = match re {
                        Some(re) => re.is_match(v),
                        None => !v.is_empty() && !v.contains('/'),
                    };
                    if !ok {
                        return Err(RouteError::BadParameter(format!("{v:?} does not match {{{n}}}")));
                    }
                    out.push_str(&crate::urlenc::encode_path(v));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_pattern_matches_only_itself() {
        let p = Pattern::parse("/about").unwrap();
        assert_eq!(p.matches("/about"), Some(vec![]));
        assert_eq!(p.matches("/about/"), None);
    }

    #[test]
    fn a_name_takes_one_segment() {
        let p = Pattern::parse("/{name}").unwrap();
        assert_eq!(p.matches("/bob"), Some(vec![("name".into(), "bob".into())]));
        assert_eq!(p.matches("/bob/x"), None);
        assert_eq!(p.matches("/"), None);
    }

    #[test]
    fn a_regex_with_braces_and_a_tail() {
        let p = Pattern::parse(r"/n/{id:\d{3}}/{tail:.*}").unwrap();
        let m = p.matches("/n/123/a/b").unwrap();
        assert_eq!(m, vec![("id".into(), "123".into()), ("tail".into(), "a/b".into())]);
        assert!(p.matches("/n/12/a").is_none());
        assert_eq!(p.build(&[("id", "042"), ("tail", "x y")]).unwrap(), "/n/042/x%20y");
        assert!(p.build(&[("id", "4"), ("tail", "")]).is_err());
    }

    /// The segment matcher agrees with the regex on every shape.
    #[test]
    fn segment_matching_agrees_with_the_regex() {
        for pat in ["/{a}", "/x/{a}/y/{b}", "/{a}/", "/p{a}"] {
            let p = Pattern::parse(pat).unwrap();
            for path in ["/", "/v", "/v/", "/x/1/y/2", "/x//y/2", "/x/1/y/", "/pq", "/p", "/{v}", "/v/w", "/x/1/y/2/"] {
                let slow = p.regex.as_ref().and_then(|re| {
                    let caps = re.captures(path)?;
                    Some(p.names.iter().map(|n| (n.clone(), caps[&**n].to_string())).collect::<Vec<_>>())
                });
                assert_eq!(p.matches(path), slow, "{pat} on {path}");
            }
        }
    }

    #[test]
    fn malformed_patterns_are_errors() {
        for bad in ["/{x", "/x}", "/{}", "/{a}/{a}", "no-slash", "/{a:(}"] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }
}
