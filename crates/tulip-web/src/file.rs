//! aiohttp's `web.FileResponse` and the handler behind `add_static`.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, IF_MODIFIED_SINCE, LAST_MODIFIED};
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::body::{pipe, ResBody};
use crate::middleware::BoxHandler;
use crate::response::Payload;
use crate::{HTTPException, Request, Response};

/// Files up to this size go out in one piece.
const CHUNK: usize = 256 * 1024;

/// A file sent as the response (aiohttp's `web.FileResponse`): its type
/// from the extension, `Content-Length`, `Last-Modified`, a 304 for an
/// `If-Modified-Since` that is not older; 404 if it is missing. Read on
/// the blocking pool, streamed in 256 KiB pieces.
///
/// ```
/// use tulip::web::{self, Application, FileResponse, Request, TestClient};
/// let path = std::env::temp_dir().join(format!("tulip-web-doc-{}.txt", std::process::id()));
/// std::fs::write(&path, "file body").unwrap();
/// let p = path.clone();
/// let mut app = Application::new();
/// app.add_routes([web::get("/f", move |_: Request| {
///     let p = p.clone();
///     async move { FileResponse::new(p) }
/// })]);
/// tulip::run(async {
///     let client = TestClient::start(app).await.unwrap();
///     let resp = client.get("/f").await.unwrap();
///     assert_eq!(resp.headers()["content-type"], "text/plain");
///     assert_eq!(resp.text(), "file body");
///     client.close().await;
/// });
/// std::fs::remove_file(path).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct FileResponse {
    path: PathBuf,
}

impl FileResponse {
    /// A response sending the file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileResponse { path: path.into() }
    }
}

impl From<FileResponse> for Response {
    fn from(f: FileResponse) -> Self {
        let mut r = Response::new();
        r.payload = Payload::File(f.path);
        r
    }
}

impl crate::IntoResponse for FileResponse {
    fn into_result(self) -> crate::Result<Response> {
        Ok(self.into())
    }
}

/// What the blocking pool found: the file, its length and mtime, and the
/// whole content when it is small.
type Opened = (File, u64, Option<SystemTime>, Option<Vec<u8>>);

/// Opens `path` and turns the response into a hyper response.
pub(crate) async fn send_file(
    path: PathBuf,
    mut head: hyper::Response<()>,
    request_headers: &HeaderMap,
) -> Result<hyper::Response<ResBody>, HTTPException> {
    let guess = mime_guess::from_path(&path).first_raw().unwrap_or("application/octet-stream");
    let opened: std::io::Result<Opened> = tulip_blocking::to_thread(move || {
        let mut f = File::open(&path)?;
        let meta = f.metadata()?;
        if meta.is_dir() {
            return Err(std::io::ErrorKind::IsADirectory.into());
        }
        let len = meta.len();
        let small = if len as usize <= CHUNK {
            let mut buf = Vec::with_capacity(len as usize);
            f.read_to_end(&mut buf)?;
            Some(buf)
        } else {
            None
        };
        Ok((f, len, meta.modified().ok(), small))
    })
    .await;
    let (file, len, mtime, small) = opened.map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::IsADirectory => HTTPException::forbidden(),
        _ => HTTPException::not_found(),
    })?;
    let h = head.headers_mut();
    if !h.contains_key(CONTENT_TYPE) {
        h.insert(CONTENT_TYPE, HeaderValue::from_static(guess));
    }
    if let Some(m) = mtime {
        if let Ok(v) = HeaderValue::try_from(httpdate::fmt_http_date(m)) {
            h.insert(LAST_MODIFIED, v);
        }
        let since = request_headers.get(IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok());
        if let Some(since) = since.and_then(|s| httpdate::parse_http_date(s).ok()) {
            // HTTP dates have whole seconds: compare at that precision.
            let secs = |t: SystemTime| t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
            if secs(m) <= secs(since) {
                let (mut parts, ()) = head.into_parts();
                parts.status = StatusCode::NOT_MODIFIED;
                parts.headers.remove(CONTENT_TYPE);
                return Ok(hyper::Response::from_parts(parts, ResBody::Full(None)));
            }
        }
    }
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    let (parts, ()) = head.into_parts();
    if let Some(all) = small {
        return Ok(hyper::Response::from_parts(parts, ResBody::full(Bytes::from(all))));
    }
    let (w, r) = pipe();
    // Ends when the file is sent or hyper drops the body (client gone).
    drop(tulip_reactor::get_running_loop().create_internal_task(async move {
        let mut file = Some(file);
        loop {
            let Some(mut f) = file.take() else { break };
            let read = tulip_blocking::to_thread(move || {
                let mut buf = vec![0; CHUNK];
                let n = f.read(&mut buf)?;
                buf.truncate(n);
                Ok::<_, std::io::Error>((f, buf))
            })
            .await;
            match read {
                Ok((_, buf)) if buf.is_empty() => {
                    w.eof();
                    break;
                }
                Ok((f, buf)) => {
                    if w.write(Bytes::from(buf)).await.is_err() {
                        break;
                    }
                    file = Some(f);
                }
                // Dropping the writer without eof aborts the response.
                Err(_) => break,
            }
        }
    }));
    Ok(hyper::Response::from_parts(parts, ResBody::Pipe(r)))
}

/// Whether a decoded relative path stays below its root by its own
/// components: no `..`, no root or prefix (symlinks are checked after
/// resolving it).
fn is_contained(rel: &str) -> bool {
    !rel.contains('\0')
        && !rel.contains('\\')
        && Path::new(rel).components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// The handler of a static directory (`add_static`).
pub(crate) fn static_handler(root: PathBuf) -> BoxHandler {
    let root = Rc::new(root);
    Rc::new(move |req: Request| {
        let root = root.clone();
        async move {
            let rel = req.match_info().get("filename").unwrap_or("").to_string();
            if !is_contained(&rel) {
                return Err::<Response, _>(HTTPException::forbidden());
            }
            let joined = root.join(&rel);
            let resolved = tulip_blocking::to_thread(move || joined.canonicalize())
                .await
                .map_err(|_| HTTPException::not_found())?;
            // A symlink inside may point outside: refuse what resolves out.
            if !resolved.starts_with(&*root) {
                return Err(HTTPException::forbidden());
            }
            Ok(FileResponse::new(resolved).into())
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_with_dots_or_roots_are_not_contained() {
        assert!(is_contained("a/b.txt"));
        assert!(is_contained("./a"));
        for bad in ["../x", "a/../../x", "/etc/passwd", "a\\..\\b", "a\0b", ".."] {
            assert!(!is_contained(bad), "{bad:?}");
        }
    }
}
