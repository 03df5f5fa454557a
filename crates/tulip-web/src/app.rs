//! aiohttp's `web.Application`: the router, typed state, middlewares and
//! the start-up / shutdown / clean-up signals.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

use crate::middleware::{BoxMiddleware, Middleware};
use crate::router::{RouteDef, RouteError, Router};

/// The error of a start-up or clean-up hook.
pub type HookError = Box<dyn std::error::Error>;

pub(crate) type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;
type Hook = Box<dyn Fn(Rc<Application>) -> LocalBoxFuture<Result<(), HookError>>>;
/// One receiver of a signal: a hook, or a sub-application's own signal
/// (by its index in the router), at the place it was added (aiohttp's order).
enum Entry {
    Hook(Hook),
    SubApp(usize),
}
type Cleanup = Box<dyn FnOnce() -> LocalBoxFuture<()>>;
/// Application state: values by their key's type and name.
type State = RefCell<HashMap<(TypeId, &'static str), Rc<dyn Any>>>;
type CleanupCtx = Box<dyn Fn(Rc<Application>) -> LocalBoxFuture<Result<Cleanup, HookError>>>;

/// A typed key of application state (aiohttp's `web.AppKey`): the value
/// stored under it has type `T`, so `get` needs no cast.
///
/// ```
/// use tulip::web::{AppKey, Application};
/// static GREETING: AppKey<String> = AppKey::new("greeting");
/// let app = Application::new();
/// app.insert(&GREETING, "hi".to_string());
/// assert_eq!(*app.get(&GREETING).unwrap(), "hi");
/// ```
pub struct AppKey<T> {
    name: &'static str,
    _t: PhantomData<fn() -> T>,
}

impl<T> AppKey<T> {
    /// A key named `name` (names need not be unique across types).
    pub const fn new(name: &'static str) -> Self {
        AppKey { name, _t: PhantomData }
    }

    /// The key's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<T> std::fmt::Debug for AppKey<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AppKey({:?}, {})", self.name, std::any::type_name::<T>())
    }
}

/// aiohttp's `web.Application`: routes, state, middlewares and lifecycle
/// hooks. Build it, then hand it to [`run_app`](crate::run_app) or an
/// [`AppRunner`](crate::AppRunner), which freeze it (in an `Rc`).
///
/// ```
/// use tulip::web::{self, Application, Request, Response};
///
/// async fn handle(request: Request) -> Response {
///     let name = request.match_info().get("name").unwrap_or("Anonymous");
///     Response::text(format!("Hello, {name}"))
/// }
///
/// let mut app = Application::new();
/// app.add_routes([web::get("/", handle), web::get("/{name}", handle)]);
/// assert_eq!(app.router().resources().len(), 2);
/// ```
pub struct Application {
    pub(crate) router: Router,
    state: State,
    pub(crate) middlewares: Vec<BoxMiddleware>,
    on_startup: Vec<Entry>,
    on_shutdown: Vec<Entry>,
    on_cleanup: Vec<Entry>,
    cleanup_ctx: Vec<CleanupCtx>,
    pending_cleanups: RefCell<Vec<Cleanup>>,
    pub(crate) client_max_size: usize,
    pub(crate) client_max_fields: usize,
}

impl Default for Application {
    fn default() -> Self {
        Application::new()
    }
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("routes", &self.router.resources().len()).finish_non_exhaustive()
    }
}

impl Application {
    /// An empty application with aiohttp's defaults (`client_max_size` 1 MiB).
    pub fn new() -> Self {
        Application {
            router: Router::default(),
            state: RefCell::default(),
            middlewares: Vec::new(),
            on_startup: Vec::new(),
            on_shutdown: Vec::new(),
            on_cleanup: Vec::new(),
            cleanup_ctx: Vec::new(),
            pending_cleanups: RefCell::default(),
            client_max_size: 1024 * 1024,
            client_max_fields: 1000,
        }
    }

    /// The most fields `post()` accepts in a form, urlencoded or multipart
    /// (aiohttp's `client_max_fields`, 1000); more are answered 413. Like
    /// `client_max_size`, the root application's applies to every request.
    ///
    /// ```
    /// let app = tulip::web::Application::new().with_client_max_fields(10);
    /// assert_eq!(app.client_max_fields(), 10);
    /// ```
    pub fn with_client_max_fields(mut self, fields: usize) -> Self {
        self.client_max_fields = fields;
        self
    }

    /// See [`with_client_max_fields`](Self::with_client_max_fields).
    pub fn client_max_fields(&self) -> usize {
        self.client_max_fields
    }

    /// The largest request body `read()` and `post()` accept (aiohttp's
    /// `client_max_size`); larger ones are answered 413. The root
    /// application's applies to every request, sub-applications' too.
    ///
    /// ```
    /// let app = tulip::web::Application::new().with_client_max_size(10);
    /// assert_eq!(app.client_max_size(), 10);
    /// ```
    pub fn with_client_max_size(mut self, bytes: usize) -> Self {
        self.client_max_size = bytes;
        self
    }

    /// See [`with_client_max_size`](Self::with_client_max_size).
    pub fn client_max_size(&self) -> usize {
        self.client_max_size
    }

    /// Adds routes (aiohttp's `app.add_routes([...])`).
    ///
    /// # Panics
    /// On a malformed path pattern (a programming error; use
    /// [`try_add_routes`](Self::try_add_routes) to get it as a value).
    pub fn add_routes(&mut self, routes: impl IntoIterator<Item = RouteDef>) {
        #[allow(clippy::expect_used)]
        self.try_add_routes(routes).expect("route patterns must be valid");
    }

    /// Adds routes; an error for a malformed pattern.
    ///
    /// ```
    /// let mut app = tulip::web::Application::new();
    /// async fn h(_: tulip::web::Request) -> tulip::web::Response { tulip::web::Response::new() }
    /// assert!(app.try_add_routes([tulip::web::get("/{unclosed", h)]).is_err());
    /// ```
    pub fn try_add_routes(&mut self, routes: impl IntoIterator<Item = RouteDef>) -> Result<(), RouteError> {
        for r in routes {
            self.router.add(r)?;
        }
        Ok(())
    }

    /// The sub-application's signals join the parent's here (aiohttp's
    /// `_reg_subapp_signals`).
    pub(crate) fn register_subapp(&mut self, index: usize) {
        self.on_startup.push(Entry::SubApp(index));
        self.on_shutdown.push(Entry::SubApp(index));
        self.on_cleanup.push(Entry::SubApp(index));
    }

    /// The router (aiohttp's `app.router`): static files, named routes,
    /// `url_for`.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// The router, to add to.
    pub fn router_mut(&mut self) -> &mut Router {
        &mut self.router
    }

    /// Stores `value` under `key` (aiohttp's `app[key] = value`). Takes
    /// `&self` so start-up hooks can fill state in; keep what handlers
    /// change behind a `Cell`/`RefCell`.
    pub fn insert<T: 'static>(&self, key: &AppKey<T>, value: T) {
        self.state.borrow_mut().insert((TypeId::of::<T>(), key.name), Rc::new(value));
    }

    /// The value under `key` (aiohttp's `app[key]`), if set.
    pub fn get<T: 'static>(&self, key: &AppKey<T>) -> Option<Rc<T>> {
        let v = self.state.borrow().get(&(TypeId::of::<T>(), key.name)).cloned()?;
        v.downcast::<T>().ok()
    }

    /// Adds a middleware (aiohttp's `middlewares=[...]`); the first added is
    /// the outermost, as in aiohttp.
    ///
    /// ```
    /// use tulip::web::{Application, Next, Request};
    /// let mut app = Application::new();
    /// app.add_middleware(|req: Request, next: Next| async move {
    ///     let mut resp = next.run(req).await?;
    ///     resp.headers_mut().insert("x-mw", http::HeaderValue::from_static("1"));
    ///     Ok(resp)
    /// });
    /// ```
    pub fn add_middleware(&mut self, mw: impl Middleware) {
        self.middlewares.push(Rc::new(mw));
    }

    /// Runs `hook` when the application starts (aiohttp's `on_startup`),
    /// after the `cleanup_ctx` set-ups (aiohttp's order).
    ///
    /// ```
    /// use std::rc::Rc;
    /// use tulip::web::{AppKey, Application};
    /// static READY: AppKey<bool> = AppKey::new("ready");
    /// let mut app = Application::new();
    /// app.on_startup(|app: Rc<Application>| async move {
    ///     app.insert(&READY, true);
    ///     Ok(())
    /// });
    /// ```
    pub fn on_startup<F, Fut>(&mut self, hook: F)
    where
        F: Fn(Rc<Application>) -> Fut + 'static,
        Fut: Future<Output = Result<(), HookError>> + 'static,
    {
        self.on_startup.push(Entry::Hook(Box::new(move |a| Box::pin(hook(a)))));
    }

    /// Runs `hook` when shutdown begins, while in-flight requests still run
    /// (aiohttp's `on_shutdown`).
    pub fn on_shutdown<F, Fut>(&mut self, hook: F)
    where
        F: Fn(Rc<Application>) -> Fut + 'static,
        Fut: Future<Output = Result<(), HookError>> + 'static,
    {
        self.on_shutdown.push(Entry::Hook(Box::new(move |a| Box::pin(hook(a)))));
    }

    /// Runs `hook` after the server stopped (aiohttp's `on_cleanup`), after
    /// the `cleanup_ctx` tear-downs.
    pub fn on_cleanup<F, Fut>(&mut self, hook: F)
    where
        F: Fn(Rc<Application>) -> Fut + 'static,
        Fut: Future<Output = Result<(), HookError>> + 'static,
    {
        self.on_cleanup.push(Entry::Hook(Box::new(move |a| Box::pin(hook(a)))));
    }

    /// aiohttp's `cleanup_ctx`: `setup` runs at start-up and returns the
    /// tear-down, run at clean-up in reverse order of set-up (the code
    /// after aiohttp's `yield`).
    ///
    /// ```
    /// use std::rc::Rc;
    /// use tulip::web::Application;
    /// let mut app = Application::new();
    /// app.cleanup_ctx(|_app: Rc<Application>| async move {
    ///     let pool = "connected";
    ///     Ok(move || async move { drop(pool) })
    /// });
    /// ```
    pub fn cleanup_ctx<F, Fut, C, CFut>(&mut self, setup: F)
    where
        F: Fn(Rc<Application>) -> Fut + 'static,
        Fut: Future<Output = Result<C, HookError>> + 'static,
        C: FnOnce() -> CFut + 'static,
        CFut: Future<Output = ()> + 'static,
    {
        self.cleanup_ctx.push(Box::new(move |a| {
            let fut = setup(a);
            Box::pin(async move {
                let c = fut.await?;
                Ok(Box::new(move || Box::pin(c()) as LocalBoxFuture<()>) as Cleanup)
            })
        }));
    }

    /// Runs the start-up: `cleanup_ctx` set-ups, then `on_startup` hooks
    /// (sub-applications' where they were added).
    pub(crate) fn startup(self: &Rc<Self>) -> LocalBoxFuture<Result<(), HookError>> {
        let this = self.clone();
        Box::pin(async move {
            for ctx in &this.cleanup_ctx {
                let cleanup = ctx(this.clone()).await?;
                this.pending_cleanups.borrow_mut().push(cleanup);
            }
            for entry in &this.on_startup {
                this.send(entry, Application::startup).await?;
            }
            Ok(())
        })
    }

    pub(crate) fn shutdown(self: &Rc<Self>) -> LocalBoxFuture<Result<(), HookError>> {
        let this = self.clone();
        Box::pin(async move {
            for entry in &this.on_shutdown {
                this.send(entry, Application::shutdown).await?;
            }
            Ok(())
        })
    }

    /// Runs the clean-up: `cleanup_ctx` tear-downs (last set up first),
    /// then `on_cleanup` hooks; every hook runs, the first error is returned.
    pub(crate) fn cleanup(self: &Rc<Self>) -> LocalBoxFuture<Result<(), HookError>> {
        let this = self.clone();
        Box::pin(async move {
            loop {
                let next = this.pending_cleanups.borrow_mut().pop();
                match next {
                    Some(c) => c().await,
                    None => break,
                }
            }
            let mut first = None;
            for entry in &this.on_cleanup {
                if let Err(e) = this.send(entry, Application::cleanup).await {
                    first.get_or_insert(e);
                }
            }
            first.map_or(Ok(()), Err)
        })
    }

    /// One receiver of a signal: a hook gets this application, a
    /// sub-application runs its own signal (`sub`).
    fn send(
        self: &Rc<Self>,
        entry: &Entry,
        sub: fn(&Rc<Application>) -> LocalBoxFuture<Result<(), HookError>>,
    ) -> LocalBoxFuture<Result<(), HookError>> {
        match entry {
            Entry::Hook(hook) => hook(self.clone()),
            Entry::SubApp(i) => match self.router.subapp(*i) {
                Some(app) => sub(app),
                None => Box::pin(async { Ok(()) }),
            },
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn keys_of_the_same_name_and_other_types_do_not_collide() {
        let app = Application::new();
        let a: AppKey<u32> = AppKey::new("k");
        let b: AppKey<String> = AppKey::new("k");
        app.insert(&a, 7);
        app.insert(&b, "s".into());
        assert_eq!(*app.get(&a).unwrap(), 7);
        assert_eq!(*app.get(&b).unwrap(), "s");
        assert!(app.get(&AppKey::<u32>::new("other")).is_none());
    }

    #[test]
    fn hooks_run_in_aiohttps_order() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut app = Application::new();
        for name in ["ctx1", "ctx2"] {
            let log = log.clone();
            app.cleanup_ctx(move |_| {
                let log = log.clone();
                async move {
                    log.borrow_mut().push(format!("{name} up"));
                    Ok(move || async move { log.borrow_mut().push(format!("{name} down")) })
                }
            });
        }
        let l = log.clone();
        app.on_startup(move |_| {
            let l = l.clone();
            async move {
                l.borrow_mut().push("startup".into());
                Ok(())
            }
        });
        let l = log.clone();
        app.on_cleanup(move |_| {
            let l = l.clone();
            async move {
                l.borrow_mut().push("cleanup".into());
                Ok(())
            }
        });
        let app = Rc::new(app);
        tulip::run(async move {
            app.startup().await.unwrap();
            app.cleanup().await.unwrap();
        });
        assert_eq!(*log.borrow(), ["ctx1 up", "ctx2 up", "startup", "ctx2 down", "ctx1 down", "cleanup"]);
    }
}
