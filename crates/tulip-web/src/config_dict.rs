//! aiohttp's `request.config_dict`: the state of the current application
//! and of the ones above it.

use std::rc::Rc;

use crate::Application;

/// The state of an application and the ones above it, nearest first
/// (aiohttp's `ChainMapProxy`, [`Request::config_dict`](crate::Request::config_dict)).
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
