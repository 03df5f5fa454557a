//! Sub-applications: `add_subapp` and `add_domain`, and what a request
//! of a sub-application needs, computed once when the
//! root application is frozen: the applications from the root down, and
//! the middleware chain in aiohttp's order (each application's
//! middlewares inside its parent's, `request.app()` switched to each
//! application for its own — aiohttp's `_fix_request_current_app`).

use std::collections::HashMap;
use std::rc::Rc;

use crate::app::LocalBoxFuture;
use crate::middleware::{BoxHandler, BoxMiddleware, Middleware, Next};
use crate::response::Result;
use crate::router::RouteError;
use crate::{Application, Request, Response};

impl Application {
    /// Serves `subapp` under `prefix` (aiohttp's `app.add_subapp`): every
    /// path below the prefix goes to the sub-application's router (its 404
    /// and 405 included), its routes and `url_for` carry the prefix, its
    /// middlewares run inside the parent's for its requests only, its
    /// state is `request.app()` there while
    /// [`Request::config_dict`](crate::Request::config_dict) reaches the
    /// parent's too, and its `on_startup`/`on_shutdown`/`on_cleanup`
    /// (and `cleanup_ctx`) run with the parent's, at the place of this
    /// call among the parent's hooks.
    ///
    /// ```
    /// use tulip::web::{self, AppKey, Application, Request, Response, TestClient};
    /// static NAME: AppKey<&str> = AppKey::new("name");
    ///
    /// async fn user(req: Request) -> Response {
    ///     let who = req.app().get(&NAME).unwrap();
    ///     let url = req.app().router().url_for("user", &[("id", "7")]).unwrap();
    ///     Response::text(format!("{who} {url}"))
    /// }
    ///
    /// let mut admin = Application::new();
    /// admin.insert(&NAME, "admin");
    /// admin.add_routes([web::get("/users/{id}", user).name("user")]);
    /// let mut app = Application::new();
    /// app.insert(&NAME, "root");
    /// app.add_subapp("/admin/", admin);
    /// tulip::run(async {
    ///     let client = TestClient::start(app).await.unwrap();
    ///     assert_eq!(client.get("/admin/users/1").await.unwrap().text(), "admin /admin/users/7");
    ///     assert_eq!(client.get("/users/1").await.unwrap().status(), 404);
    ///     client.close().await;
    /// });
    /// ```
    ///
    /// # Panics
    /// On an empty prefix (only '/'), one not starting with '/' or holding
    /// `{`/`}` (use [`try_add_subapp`](Self::try_add_subapp) for a value).
    pub fn add_subapp(&mut self, prefix: &str, subapp: Application) {
        #[allow(clippy::expect_used)]
        self.try_add_subapp(prefix, subapp).expect("a sub-application prefix must be valid");
    }

    /// [`add_subapp`](Self::add_subapp), with an error for a bad prefix.
    ///
    /// ```
    /// let mut app = tulip::web::Application::new();
    /// assert!(app.try_add_subapp("/", tulip::web::Application::new()).is_err());
    /// assert!(app.try_add_subapp("/api/", tulip::web::Application::new()).is_ok());
    /// ```
    pub fn try_add_subapp(&mut self, prefix: &str, subapp: Application) -> Result<(), RouteError> {
        let bad = |reason: &str| RouteError::InvalidPattern { pattern: prefix.to_string(), reason: reason.into() };
        let trimmed = prefix.trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(bad("a prefix cannot be empty"));
        }
        if !trimmed.starts_with('/') || trimmed.contains(['{', '}']) {
            return Err(bad("a prefix starts with '/' and has no '{' or '}'"));
        }
        let index = self.router.add_subapp(Some(trimmed), None, subapp)?;
        self.register_subapp(index);
        Ok(())
    }

    /// Serves `subapp` for requests whose `Host` is `domain` (aiohttp's
    /// `app.add_domain`): `example.com` (any port), `example.com:8080`, or
    /// a mask such as `*.example.com`. Domain sub-applications are tried
    /// before every path, and answer every path of their domain.
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, Response, TestClient};
    /// let mut local = Application::new();
    /// local.add_routes([web::get("/", |_: Request| async { Response::text("local") })]);
    /// let mut other = Application::new();
    /// other.add_routes([web::get("/", |_: Request| async { Response::text("other") })]);
    /// let mut app = Application::new();
    /// app.add_domain("*.example.com", other).unwrap();
    /// app.add_domain("127.0.0.1", local).unwrap(); // the test client's Host, any port
    /// tulip::run(async {
    ///     let client = TestClient::start(app).await.unwrap();
    ///     assert_eq!(client.get("/").await.unwrap().text(), "local");
    ///     client.close().await;
    /// });
    /// ```
    pub fn add_domain(&mut self, domain: &str, subapp: Application) -> Result<(), RouteError> {
        let rule = crate::domain::Domain::parse(domain)?;
        let index = self.router.add_subapp(None, Some(rule), subapp)?;
        self.register_subapp(index);
        Ok(())
    }
}

/// A sub-application's place in the tree.
pub(crate) struct AppPath {
    /// The root first, this sub-application last.
    pub(crate) apps: Rc<[Rc<Application>]>,
    /// Empty when no application on the path has a middleware.
    pub(crate) chain: Rc<[BoxMiddleware]>,
}

/// Every sub-application's path, by the address of its `Application`.
#[derive(Default)]
pub(crate) struct AppPaths {
    paths: HashMap<*const Application, AppPath>,
}

impl AppPaths {
    /// The paths of every sub-application under `root`.
    pub(crate) fn of(root: &Rc<Application>) -> Self {
        let mut out = AppPaths::default();
        out.walk(std::slice::from_ref(root));
        out
    }

    fn walk(&mut self, above: &[Rc<Application>]) {
        let Some(parent) = above.last() else { return };
        for sub in parent.router.subapps() {
            let mut apps = above.to_vec();
            apps.push(sub.clone());
            self.walk(&apps);
            let chain = chain_of(&apps);
            self.paths.insert(Rc::as_ptr(sub), AppPath { apps: apps.into(), chain });
        }
    }

    /// Calls `handler` through the middlewares: the root's `chain`, or,
    /// when the sub-application `sub` answered, its path's (with
    /// `request.app()` pointed at it).
    #[inline]
    pub(crate) fn call(
        &self,
        sub: Option<&Rc<Application>>,
        mut request: Request,
        handler: BoxHandler,
        chain: &Rc<[BoxMiddleware]>,
    ) -> LocalBoxFuture<Result<Response>> {
        let mut chain = chain;
        if let Some((sub, path)) = sub.and_then(|s| Some((s, self.paths.get(&Rc::as_ptr(s))?))) {
            request.set_apps(sub.clone(), path.apps.clone());
            chain = &path.chain;
        }
        if chain.is_empty() {
            handler.call(request)
        } else {
            Next::new(chain.clone(), handler).run(request)
        }
    }
}

/// Each application's middlewares, outermost first, each application's
/// entered before its own run (and the innermost's before the handler).
fn chain_of(apps: &[Rc<Application>]) -> Rc<[BoxMiddleware]> {
    if apps.iter().all(|a| a.middlewares.is_empty()) {
        return Rc::from(Vec::new());
    }
    let mut chain: Vec<BoxMiddleware> = Vec::new();
    for (i, app) in apps.iter().enumerate() {
        if !app.middlewares.is_empty() || i + 1 == apps.len() {
            chain.push(Rc::new(EnterApp(app.clone())));
            chain.extend(app.middlewares.iter().cloned());
        }
    }
    chain.into()
}

/// Makes `request.app()` this application for the rest of the chain.
struct EnterApp(Rc<Application>);

impl Middleware for EnterApp {
    fn call(&self, mut request: Request, next: Next) -> LocalBoxFuture<Result<Response>> {
        request.enter_app(self.0.clone());
        next.run(request)
    }
}
