//! Route definitions: aiohttp's `web.get(path, handler)` and friends.

use std::rc::Rc;

use http::Method;

use crate::middleware::{BoxHandler, Handler};

/// A route to add: method, path pattern, handler, optional name (aiohttp's
/// `web.get(path, handler, name=..)` and friends).
pub struct RouteDef {
    pub(crate) methods: Vec<Method>,
    pub(crate) any: bool,
    pub(crate) path: String,
    pub(crate) handler: BoxHandler,
    pub(crate) name: Option<String>,
}

impl std::fmt::Debug for RouteDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteDef").field("methods", &self.methods).field("path", &self.path).finish_non_exhaustive()
    }
}

impl RouteDef {
    /// Names the route, for [`Router::url_for`](crate::Router::url_for).
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, Response};
    /// async fn user(_: Request) -> Response { Response::new() }
    /// let mut app = Application::new();
    /// app.add_routes([web::get("/users/{id}", user).name("user")]);
    /// assert_eq!(app.router().url_for("user", &[("id", "7")]).unwrap(), "/users/7");
    /// ```
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }
}

fn def(methods: Vec<Method>, path: &str, handler: impl Handler) -> RouteDef {
    RouteDef { methods, any: false, path: path.to_string(), handler: Rc::new(handler), name: None }
}

/// A GET route, which answers HEAD too (aiohttp's `web.get`, `allow_head=True`).
///
/// ```
/// use tulip::web::{self, Request, Response};
/// async fn handle(_: Request) -> Response { Response::text("hi") }
/// let route = web::get("/", handle);
/// # let _ = route;
/// ```
pub fn get(path: &str, handler: impl Handler) -> RouteDef {
    def(vec![Method::GET, Method::HEAD], path, handler)
}

/// A POST route (aiohttp's `web.post`).
///
/// ```
/// use tulip::web::{self, Request, Response};
/// let route = web::post("/items", |_: Request| async { Response::new().with_status(201) });
/// # let _ = route;
/// ```
pub fn post(path: &str, handler: impl Handler) -> RouteDef {
    def(vec![Method::POST], path, handler)
}

/// A PUT route (aiohttp's `web.put`).
///
/// ```
/// let route = tulip::web::put("/x", |_: tulip::web::Request| async { tulip::web::Response::new() });
/// # let _ = route;
/// ```
pub fn put(path: &str, handler: impl Handler) -> RouteDef {
    def(vec![Method::PUT], path, handler)
}

/// A PATCH route (aiohttp's `web.patch`).
///
/// ```
/// let route = tulip::web::patch("/x", |_: tulip::web::Request| async { tulip::web::Response::new() });
/// # let _ = route;
/// ```
pub fn patch(path: &str, handler: impl Handler) -> RouteDef {
    def(vec![Method::PATCH], path, handler)
}

/// A DELETE route (aiohttp's `web.delete`).
///
/// ```
/// let route = tulip::web::delete("/x", |_: tulip::web::Request| async { tulip::web::Response::new() });
/// # let _ = route;
/// ```
pub fn delete(path: &str, handler: impl Handler) -> RouteDef {
    def(vec![Method::DELETE], path, handler)
}

/// A HEAD-only route (aiohttp's `web.head`).
///
/// ```
/// let route = tulip::web::head("/x", |_: tulip::web::Request| async { tulip::web::Response::new() });
/// # let _ = route;
/// ```
pub fn head(path: &str, handler: impl Handler) -> RouteDef {
    def(vec![Method::HEAD], path, handler)
}

/// A route for `method` (aiohttp's `web.route`); `"*"` takes every method.
/// An invalid method name makes a route no request reaches.
///
/// ```
/// use tulip::web::{self, Request, Response};
/// let any = web::route("*", "/echo", |r: Request| async move { Response::text(r.method().as_str()) });
/// # let _ = any;
/// ```
pub fn route(method: &str, path: &str, handler: impl Handler) -> RouteDef {
    if method == "*" {
        let mut d = def(Vec::new(), path, handler);
        d.any = true;
        d
    } else {
        let m = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).ok();
        def(m.into_iter().collect(), path, handler)
    }
}
