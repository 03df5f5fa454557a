//! What a request of a sub-application needs, computed once when the
//! root application is frozen: the applications from the root down, and
//! the middleware chain in aiohttp's order (each application's
//! middlewares inside its parent's, `request.app()` switched to each
//! application for its own — aiohttp's `_fix_request_current_app`).

use std::collections::HashMap;
use std::rc::Rc;

use crate::app::LocalBoxFuture;
use crate::middleware::{BoxHandler, BoxMiddleware, Middleware, Next};
use crate::response::Result;
use crate::{Application, Request, Response};

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
    pub(crate) fn call(
        &self,
        sub: Option<&Rc<Application>>,
        mut request: Request,
        handler: BoxHandler,
        chain: &Rc<[BoxMiddleware]>,
    ) -> LocalBoxFuture<Result<Response>> {
        let chain = match sub.and_then(|s| Some((s, self.paths.get(&Rc::as_ptr(s))?))) {
            Some((sub, path)) => {
                request.set_apps(sub.clone(), path.apps.clone());
                &path.chain
            }
            None => chain,
        };
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

/// The state of an application and the ones above it, nearest first
/// (aiohttp's `ChainMapProxy`, [`Request::config_dict`]).
///
/// ```
/// use tulip::web::{self, AppKey, Application, Request, Response, TestClient};
/// static LEVEL: AppKey<u32> = AppKey::new("level");
/// let mut app = Application::new();
/// app.insert(&LEVEL, 1);
/// app.add_routes([web::get("/", |req: Request| async move {
///     let conf = req.config_dict();
///     Response::text(format!("{} {}", conf.contains_key(&LEVEL), conf.len()))
/// })]);
/// tulip::run(async {
///     let client = TestClient::start(app).await.unwrap();
///     assert_eq!(client.get("/").await.unwrap().text(), "true 1");
///     client.close().await;
/// });
/// ```
#[doc(alias = "ChainMapProxy")]
#[derive(Clone, Copy)]
pub struct ConfigDict<'a> {
    /// The root first, the current application last.
    apps: &'a [Rc<Application>],
}

impl std::fmt::Debug for ConfigDict<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigDict").field("applications", &self.apps.len()).finish()
    }
}

impl<'a> ConfigDict<'a> {
    pub(crate) fn new(apps: &'a [Rc<Application>]) -> Self {
        ConfigDict { apps }
    }

    /// The value under `key` in the nearest application that has it.
    pub fn get<T: 'static>(&self, key: &crate::AppKey<T>) -> Option<Rc<T>> {
        self.apps.iter().rev().find_map(|a| a.get(key))
    }

    /// Whether any of the applications has `key`.
    pub fn contains_key<T: 'static>(&self, key: &crate::AppKey<T>) -> bool {
        self.get(key).is_some()
    }

    /// How many applications are chained (1 for the root's own routes).
    pub fn len(&self) -> usize {
        self.apps.len()
    }

    /// Never: at least the current application is there (for clippy's
    /// `len_without_is_empty`).
    pub fn is_empty(&self) -> bool {
        self.apps.is_empty()
    }

    /// The applications, nearest (the current one) first (aiohttp's `maps`).
    pub fn maps(&self) -> impl Iterator<Item = &'a Application> {
        self.apps.iter().rev().map(|a| &**a)
    }
}
