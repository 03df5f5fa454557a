//! Handlers and aiohttp's middlewares (`async def mw(request, handler)`).

use std::future::Future;
use std::rc::Rc;

use crate::app::LocalBoxFuture;
use crate::response::{IntoResponse, Result};
use crate::{Request, Response};

/// A request handler: any `Fn(Request) -> impl Future<Output = R>` where
/// `R` is a [`Response`], an [`HTTPException`](crate::HTTPException) or a
/// [`web::Result<Response>`](crate::Result) — so `async fn handle(request:
/// Request) -> web::Result<Response>` is one.
///
/// ```
/// use tulip::web::{Handler, Request, Response};
/// async fn hello(_req: Request) -> Response { Response::text("hi") }
/// fn takes(_: impl Handler) {}
/// takes(hello);
/// ```
pub trait Handler: 'static {
    /// Handles one request.
    fn call(&self, request: Request) -> LocalBoxFuture<Result<Response>>;
}

impl<F, Fut, R> Handler for F
where
    F: Fn(Request) -> Fut + 'static,
    Fut: Future<Output = R> + 'static,
    R: IntoResponse,
{
    fn call(&self, request: Request) -> LocalBoxFuture<Result<Response>> {
        let fut = self(request);
        Box::pin(async move { fut.await.into_result() })
    }
}

pub(crate) type BoxHandler = Rc<dyn Handler>;
pub(crate) type BoxMiddleware = Rc<dyn Middleware>;

/// A middleware: `Fn(Request, Next) -> impl Future<Output =
/// web::Result<Response>>`. It calls `next.run(request)` for the inner
/// middlewares and the handler (aiohttp's `await handler(request)`), and
/// may change the request before or the response after, or answer alone.
///
/// ```
/// use tulip::web::{Middleware, Next, Request};
/// fn takes(_: impl Middleware) {}
/// takes(|req: Request, next: Next| async move { next.run(req).await });
/// ```
pub trait Middleware: 'static {
    /// Handles one request, calling `next` for the rest of the chain.
    fn call(&self, request: Request, next: Next) -> LocalBoxFuture<Result<Response>>;
}

impl<F, Fut> Middleware for F
where
    F: Fn(Request, Next) -> Fut + 'static,
    Fut: Future<Output = Result<Response>> + 'static,
{
    fn call(&self, request: Request, next: Next) -> LocalBoxFuture<Result<Response>> {
        Box::pin(self(request, next))
    }
}

/// The rest of the middleware chain and the handler (aiohttp's `handler`
/// argument of a middleware).
pub struct Next {
    chain: Rc<[BoxMiddleware]>,
    index: usize,
    handler: BoxHandler,
}

impl std::fmt::Debug for Next {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next").field("remaining", &(self.chain.len() - self.index)).finish()
    }
}

impl Next {
    pub(crate) fn new(chain: Rc<[BoxMiddleware]>, handler: BoxHandler) -> Self {
        Next { chain, index: 0, handler }
    }

    /// Runs the inner middlewares and the handler on `request`.
    ///
    /// ```
    /// use tulip::web::{self, Application, Next, Request, Response, TestClient};
    /// let mut app = Application::new();
    /// app.add_middleware(|req: Request, next: Next| async move {
    ///     next.run(req).await.map(|r| r.with_header("x-outer", "1"))
    /// });
    /// app.add_routes([web::get("/", |_req: Request| async { Response::text("hi") })]);
    /// tulip::run(async {
    ///     let client = TestClient::start(app).await.unwrap();
    ///     let resp = client.get("/").await.unwrap();
    ///     assert_eq!(resp.headers()["x-outer"], "1");
    ///     client.close().await;
    /// });
    /// ```
    pub fn run(self, request: Request) -> LocalBoxFuture<Result<Response>> {
        match self.chain.get(self.index).cloned() {
            Some(mw) => {
                let next = Next { chain: self.chain, index: self.index + 1, handler: self.handler };
                mw.call(request, next)
            }
            None => self.handler.call(request),
        }
    }
}
