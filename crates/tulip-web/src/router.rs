//! aiohttp's `UrlDispatcher`: resources each with its routes by method;
//! 404 when no path matches, 405 (with `Allow`) when a path matches but not
//! its method. As in aiohttp (3.10 on), a path is tried against the
//! resources indexed under its longest prefix first (`/a/b`, then `/a`,
//! then `/`), in the order added within one prefix; domain sub-applications
//! before all.

use std::collections::HashSet;
use std::path::Path;
use std::rc::Rc;

use http::Method;

use crate::domain::Domain;
use crate::middleware::BoxHandler;
pub use crate::pattern::RouteError;
use crate::pattern::{Params, Pattern};
pub use crate::route_def::{delete, get, head, patch, post, put, route, RouteDef};
use crate::Application;

enum Kind {
    Pattern(Pattern),
    /// A static directory under this prefix (ending in '/').
    Prefix(String),
    /// A sub-application (by its index in `Router::subapps`) under this
    /// prefix (no trailing '/'): it answers every path below the prefix.
    SubApp(String, usize),
    /// A sub-application for requests whose `Host` matches.
    Domain(Domain, usize),
}

/// One path of the router (aiohttp's resource) and its routes by method.
pub struct Resource {
    kind: Kind,
    name: Option<String>,
    routes: Vec<(Option<Method>, BoxHandler)>,
    /// The prefix it is indexed under (aiohttp's resource index key).
    key: String,
}

/// aiohttp's index key: the canonical path up to its last '/' before a
/// variable, without trailing '/' (`/` for the root).
fn index_key(canonical: &str) -> String {
    let head = match canonical.find('{') {
        Some(i) => canonical[..i].rsplit_once('/').map_or("", |(a, _)| a),
        None => canonical,
    };
    let key = head.trim_end_matches('/');
    if key.is_empty() {
        "/".to_string()
    } else {
        key.to_string()
    }
}

/// Whether `key` is `path` or one of its parents up to a '/' (the parts
/// aiohttp's resolve walks: `/a/b`, `/a`, `/` for `/a/b`).
fn is_parent(key: &str, path: &str) -> bool {
    key == "/" || path.strip_prefix(key).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

impl std::fmt::Debug for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resource").field("path", &self.canonical()).field("name", &self.name).finish()
    }
}

impl Resource {
    /// The pattern, the prefix of a static resource or of a
    /// sub-application, or a sub-application's domain (aiohttp's
    /// `canonical`). A sub-application's own resources carry its prefix.
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, Response};
    /// async fn h(_: Request) -> Response { Response::new() }
    /// let mut admin = Application::new();
    /// admin.add_routes([web::get("/users/{id}", h)]);
    /// let mut app = Application::new();
    /// app.add_subapp("/admin/", admin);
    /// assert_eq!(app.router().resources()[0].canonical(), "/admin");
    /// ```
    pub fn canonical(&self) -> &str {
        match &self.kind {
            Kind::Pattern(p) => p.source(),
            Kind::Prefix(p) | Kind::SubApp(p, _) => p,
            Kind::Domain(d, _) => d.canonical(),
        }
    }

    /// The resource's name, if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn match_path(&self, path: &str) -> Option<Params> {
        match &self.kind {
            Kind::Pattern(p) => p.matches(path),
            Kind::Prefix(pre) => {
                path.strip_prefix(pre.as_str()).map(|rest| vec![(std::rc::Rc::from("filename"), rest.into())])
            }
            Kind::SubApp(..) | Kind::Domain(..) => None,
        }
    }
}

/// What the router found for a request.
pub(crate) enum Resolved {
    Found(BoxHandler, Params),
    NotAllowed(Vec<String>),
    NotFound,
}

/// aiohttp's `app.router`.
#[derive(Default, Debug)]
pub struct Router {
    resources: Vec<Resource>,
    /// The sub-applications, each the only owner of its `Rc` until the
    /// application is frozen (so a later prefix can still be added to it).
    subapps: Vec<Rc<Application>>,
    /// Whether a domain sub-application is among the resources (the `Host`
    /// is looked up only then).
    has_domains: bool,
    /// The resources by index key, longest key first (so the keys that
    /// are parents of a path come in aiohttp's walk order), each in the
    /// order added; rebuilt whenever a resource is added or re-keyed.
    index: Vec<(Box<str>, Vec<usize>)>,
}

impl Router {
    pub(crate) fn add(&mut self, r: RouteDef) -> Result<(), RouteError> {
        let pattern = Pattern::parse(&r.path)?;
        // Routes of one path share a resource, as in aiohttp, when added in a row.
        let same = self.resources.last().is_some_and(|last| {
            last.canonical() == r.path
                && (r.name.is_none() || r.name == last.name)
                && matches!(last.kind, Kind::Pattern(_))
        });
        if !same {
            self.check_name(r.name.as_deref())?;
            let key = index_key(&r.path);
            self.resources.push(Resource { kind: Kind::Pattern(pattern), name: r.name, routes: Vec::new(), key });
            self.reindex();
        }
        let Some(res) = self.resources.last_mut() else { return Ok(()) };
        if r.any {
            res.routes.push((None, r.handler));
        } else {
            for m in r.methods {
                res.routes.push((Some(m), r.handler.clone()));
            }
        }
        Ok(())
    }

    fn check_name(&self, name: Option<&str>) -> Result<(), RouteError> {
        match name {
            Some(n) if self.resources.iter().any(|r| r.name.as_deref() == Some(n)) => {
                Err(RouteError::DuplicateName(n.to_string()))
            }
            _ => Ok(()),
        }
    }

    /// Serves the files under `directory` at `prefix` (aiohttp's
    /// `add_static`): GET and HEAD; `..`, percent-encoded dots and symlinks
    /// that lead outside the directory are refused (403/404), directories
    /// are 403 (no index). Named `name` for `url_for(name, &[("filename", ..)])`.
    ///
    /// ```
    /// let dir = std::env::temp_dir();
    /// let mut app = tulip::web::Application::new();
    /// app.router_mut().add_static("/static", &dir, Some("static")).unwrap();
    /// assert_eq!(app.router().url_for("static", &[("filename", "a b.css")]).unwrap(), "/static/a%20b.css");
    /// ```
    pub fn add_static(
        &mut self,
        prefix: &str,
        directory: impl AsRef<Path>,
        name: Option<&str>,
    ) -> Result<(), RouteError> {
        let bad = |reason: String| RouteError::InvalidPattern { pattern: prefix.to_string(), reason };
        if !prefix.starts_with('/') {
            return Err(bad("a prefix starts with '/'".into()));
        }
        let root =
            directory.as_ref().canonicalize().map_err(|e| bad(format!("{}: {e}", directory.as_ref().display())))?;
        self.check_name(name)?;
        let prefix = format!("{}/", prefix.trim_end_matches('/'));
        let handler = crate::file::static_handler(root);
        self.resources.push(Resource {
            key: index_key(&prefix),
            kind: Kind::Prefix(prefix),
            name: name.map(str::to_string),
            routes: vec![(Some(Method::GET), handler.clone()), (Some(Method::HEAD), handler)],
        });
        self.reindex();
        Ok(())
    }

    /// Adds `app` under `prefix` (already checked, no trailing '/'), or for
    /// `domain`; returns its index, for the parent's signals.
    pub(crate) fn add_subapp(
        &mut self,
        prefix: Option<&str>,
        domain: Option<Domain>,
        mut app: Application,
    ) -> Result<usize, RouteError> {
        if let Some(prefix) = prefix {
            app.router.add_prefix(prefix)?;
        }
        let index = self.subapps.len();
        self.has_domains |= domain.is_some();
        let (kind, key) = match domain {
            Some(d) => (Kind::Domain(d, index), String::new()),
            None => {
                let p = prefix.unwrap_or("/").to_string();
                (Kind::SubApp(p.clone(), index), index_key(&p))
            }
        };
        self.subapps.push(Rc::new(app));
        self.resources.push(Resource { kind, name: None, routes: Vec::new(), key });
        self.reindex();
        Ok(index)
    }

    /// The sub-application of this index (see [`Self::add_subapp`]).
    pub(crate) fn subapp(&self, index: usize) -> Option<&Rc<Application>> {
        self.subapps.get(index)
    }

    /// Every sub-application added to this router, in order.
    pub(crate) fn subapps(&self) -> &[Rc<Application>] {
        &self.subapps
    }

    /// Puts `prefix` before every path of this router and of its
    /// sub-applications' (aiohttp's `add_prefix`), so their matching and
    /// `url_for` see the whole path.
    fn add_prefix(&mut self, prefix: &str) -> Result<(), RouteError> {
        for res in &mut self.resources {
            match &mut res.kind {
                Kind::Pattern(p) => *p = Pattern::parse(&format!("{prefix}{}", p.source()))?,
                Kind::Prefix(p) | Kind::SubApp(p, _) => *p = format!("{prefix}{p}"),
                Kind::Domain(..) => {}
            }
            if !matches!(res.kind, Kind::Domain(..)) {
                res.key = index_key(res.canonical());
            }
        }
        for sub in &mut self.subapps {
            // Only the router holds a sub-application before it is frozen.
            let sub = Rc::get_mut(sub).ok_or_else(|| RouteError::InvalidPattern {
                pattern: prefix.to_string(),
                reason: "a sub-application is already shared".into(),
            })?;
            sub.router.add_prefix(prefix)?;
        }
        self.reindex();
        Ok(())
    }

    fn reindex(&mut self) {
        let mut index: Vec<(Box<str>, Vec<usize>)> = Vec::new();
        for (i, res) in self.resources.iter().enumerate() {
            if matches!(res.kind, Kind::Domain(..)) {
                continue;
            }
            match index.iter_mut().find(|(k, _)| **k == *res.key) {
                Some((_, v)) => v.push(i),
                None => index.push((res.key.as_str().into(), vec![i])),
            }
        }
        // Stable: resources of one key stay in the order added.
        index.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        self.index = index;
    }

    /// The resources, in the order added.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// The path of the route named `name` with these parameters
    /// (aiohttp's `router[name].url_for(**params)`), percent-encoded.
    pub fn url_for(&self, name: &str, params: &[(&str, &str)]) -> Result<String, RouteError> {
        let res = self
            .resources
            .iter()
            .find(|r| r.name.as_deref() == Some(name))
            .ok_or_else(|| RouteError::UnknownName(name.to_string()))?;
        match &res.kind {
            Kind::Pattern(p) => p.build(params),
            Kind::SubApp(..) | Kind::Domain(..) => Err(RouteError::UnknownName(name.to_string())),
            Kind::Prefix(pre) => {
                let f = params
                    .iter()
                    .find(|(k, _)| *k == "filename")
                    .ok_or_else(|| RouteError::BadParameter("no value for {filename}".into()))?;
                Ok(format!("{pre}{}", crate::urlenc::encode_path(f.1.trim_start_matches('/'))))
            }
        }
    }

    /// The route for a request, and the innermost sub-application that
    /// answered (`None` for this router's own). A sub-application's answer
    /// is final, 404 and 405 included, as in aiohttp.
    pub(crate) fn resolve<'a>(
        &'a self,
        method: &Method,
        path: &str,
        headers: &http::HeaderMap,
    ) -> (Resolved, Option<&'a Rc<Application>>) {
        let mut allowed: Vec<String> = Vec::new();
        let sub = |i: usize| {
            let app = self.subapps.get(i)?;
            let (r, inner) = app.router.resolve(method, path, headers);
            Some((r, Some(inner.unwrap_or(app))))
        };
        if self.has_domains {
            for res in &self.resources {
                if let Kind::Domain(d, i) = &res.kind {
                    let host = headers.get(http::header::HOST).and_then(|v| v.to_str().ok());
                    if host.is_some_and(|h| d.matches(h)) {
                        if let Some(found) = sub(*i) {
                            return found;
                        }
                    }
                }
            }
        }
        // The keys that are parents of `path`, longest first: aiohttp's walk.
        for (_, members) in self.index.iter().filter(|(k, _)| is_parent(k, path)) {
            for res in members.iter().filter_map(|&i| self.resources.get(i)) {
                if let Kind::SubApp(_, i) = &res.kind {
                    if let Some(found) = sub(*i) {
                        return found;
                    }
                    continue;
                }
                let Some(params) = res.match_path(path) else { continue };
                for (m, h) in &res.routes {
                    if m.as_ref().is_none_or(|m| m == method) {
                        return (Resolved::Found(h.clone(), params), None);
                    }
                }
                allowed.extend(res.routes.iter().filter_map(|(m, _)| m.as_ref().map(|m| m.to_string())));
            }
        }
        let resolved = if allowed.is_empty() {
            Resolved::NotFound
        } else {
            let mut seen = HashSet::new();
            allowed.retain(|m| seen.insert(m.clone()));
            Resolved::NotAllowed(allowed)
        };
        (resolved, None)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Request, Response};

    async fn h(_: Request) -> Response {
        Response::new()
    }

    fn res(r: &Router, m: &Method, path: &str) -> Resolved {
        r.resolve(m, path, &http::HeaderMap::new()).0
    }

    fn methods(r: Resolved) -> Vec<String> {
        match r {
            Resolved::NotAllowed(m) => m,
            _ => panic!("expected 405"),
        }
    }

    #[test]
    fn first_matching_resource_wins_and_others_give_405() {
        let mut r = Router::default();
        r.add(get("/", h)).unwrap();
        r.add(get("/{name}", h)).unwrap();
        r.add(post("/{name}", h)).unwrap();
        assert!(matches!(res(&r, &Method::GET, "/"), Resolved::Found(_, p) if p.is_empty()));
        assert!(matches!(res(&r, &Method::HEAD, "/bob"), Resolved::Found(_, p) if p[0].1 == "bob"));
        assert!(matches!(res(&r, &Method::POST, "/bob"), Resolved::Found(..)));
        assert_eq!(methods(res(&r, &Method::PUT, "/bob")), ["GET", "HEAD", "POST"]);
        assert!(matches!(res(&r, &Method::GET, "/a/b"), Resolved::NotFound));
    }

    #[test]
    fn the_longest_prefix_is_tried_first_as_in_aiohttp() {
        let mut r = Router::default();
        r.add(get("/{tail:.*}", h).name("tail")).unwrap();
        r.add(get("/about", h).name("about")).unwrap();
        r.add(post("/a/{x}", h)).unwrap();
        // `/about` is indexed under itself, the tail under `/`.
        assert!(matches!(res(&r, &Method::GET, "/about"), Resolved::Found(_, p) if p.is_empty()));
        assert!(matches!(res(&r, &Method::GET, "/a/b"), Resolved::Found(_, p) if p[0].1 == "a/b"));
        assert_eq!(index_key("/a/{x}"), "/a");
        assert_eq!(index_key("/core/locations{tail:.*}"), "/core");
        assert_eq!(index_key("/{name}"), "/");
        assert_eq!(index_key("/static/"), "/static");
        assert_eq!(parents("/a/b/").collect::<Vec<_>>(), ["/a/b/", "/a/b", "/a", "/"]);
        assert_eq!(parents("*").collect::<Vec<_>>(), ["*", "/"]);
    }

    /// aiohttp's walk, literally: the model `is_parent` stands for.
    /// The prefixes of `path` tried in turn: itself, then up to each '/'.
    fn parents(path: &str) -> impl Iterator<Item = &str> {
        let mut next = Some(path);
        std::iter::from_fn(move || {
            let cur = next?;
            next = match cur {
                "/" => None,
                _ => Some(cur.rsplit_once('/').map_or("", |(a, _)| a)).map(|a| if a.is_empty() { "/" } else { a }),
            };
            Some(cur)
        })
    }

    #[test]
    fn is_parent_picks_the_parts_aiohttp_walks() {
        let paths = ["/", "/a", "/a/", "/a/b", "/a/b/", "/ab", "/a//b", "*", "/a/b/c", "//"];
        let keys = ["/", "/a", "/a/b", "/ab", "/a/b/c", "/b"];
        for path in paths {
            for key in keys {
                assert_eq!(is_parent(key, path), parents(path).any(|p| p == key), "{key} of {path}");
            }
        }
    }

    #[test]
    fn a_star_route_takes_any_method() {
        let mut r = Router::default();
        r.add(route("*", "/any", h)).unwrap();
        assert!(matches!(res(&r, &Method::DELETE, "/any"), Resolved::Found(..)));
    }

    #[test]
    fn names_are_unique() {
        let mut r = Router::default();
        r.add(get("/a", h).name("x")).unwrap();
        assert_eq!(r.add(get("/b", h).name("x")).unwrap_err(), RouteError::DuplicateName("x".into()));
        assert_eq!(r.url_for("nope", &[]).unwrap_err(), RouteError::UnknownName("nope".into()));
    }
}
