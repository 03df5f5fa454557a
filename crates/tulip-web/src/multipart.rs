//! `multipart/form-data` bodies: aiohttp's `MultipartReader` and
//! `BodyPartReader` ([`Request::multipart`](crate::Request::multipart)),
//! and the form of `post()` with its file parts. `multer` parses; it
//! reads a `Stream` of `Bytes`, fed here from hyper's body (no runtime of
//! its own).

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_lite::Stream;
use http::HeaderMap;
use http_body::Body;
use hyper::body::Incoming;

use crate::{HTTPException, MultiDict};

/// What the body stream fails with, carried through multer's error.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    #[error("the body is broken: {0}")]
    Broken(String),
}

/// A request body as multer's stream: hyper's frames, or the bytes
/// `read()` already holds.
pub(crate) enum BodyBytes {
    Body(Incoming),
    Cached(Option<Bytes>),
}

impl Stream for BodyBytes {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match &mut *self {
            BodyBytes::Cached(b) => Poll::Ready(b.take().map(Ok)),
            BodyBytes::Body(body) => loop {
                match std::task::ready!(Pin::new(&mut *body).poll_frame(cx)) {
                    None => return Poll::Ready(None),
                    Some(Err(e)) => return Poll::Ready(Some(Err(BodyError::Broken(e.to_string())))),
                    Some(Ok(frame)) => {
                        if let Ok(data) = frame.into_data() {
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                }
            },
        }
    }
}

/// The encoding a `charset` parameter names: a WHATWG label, or Python's
/// spelling of one (`latin-1`, `utf_8`) without its `-`/`_`.
fn charset(content_type: Option<&str>) -> &'static encoding_rs::Encoding {
    let label = content_type.into_iter().flat_map(|ct| ct.split(';').skip(1)).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches('"'))
    });
    let Some(label) = label else { return encoding_rs::UTF_8 };
    let squeezed: String = label.chars().filter(|c| !matches!(c, '-' | '_')).collect();
    encoding_rs::Encoding::for_label(label.as_bytes())
        .or_else(|| encoding_rs::Encoding::for_label(squeezed.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8)
}

/// A multer error as the answer it deserves: a broken or malformed body
/// is the client's fault (400).
fn to_http(e: multer::Error) -> HTTPException {
    let text = match &e {
        multer::Error::StreamReadFailed(inner) => match inner.downcast_ref::<BodyError>() {
            Some(b) => format!("400: {b}"),
            None => format!("400: {inner}"),
        },
        other => format!("400: Bad multipart body: {other}"),
    };
    HTTPException::bad_request().with_text(text)
}

/// The boundary of a `multipart/*` content type; a 400 without one.
pub(crate) fn boundary(headers: &HeaderMap) -> Result<String, HTTPException> {
    let ct = headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    multer::parse_boundary(ct)
        .map_err(|e| HTTPException::bad_request().with_text(format!("400: Expected multipart/* with a boundary: {e}")))
}

/// The parts of a `multipart/*` body, read one at a time as they arrive
/// (aiohttp's `MultipartReader`, from `await request.multipart()`).
///
/// ```
/// use tulip::web::{self, Application, Request, Response, TestClient};
///
/// async fn upload(mut req: Request) -> web::Result<Response> {
///     let mut reader = req.multipart()?;
///     let mut out = Vec::new();
///     while let Some(mut part) = reader.next().await? {
///         let (name, file) = (part.name().unwrap_or("").to_string(), part.filename().map(str::to_string));
///         let mut size = 0;
///         while let Some(chunk) = part.read_chunk().await? {
///             size += chunk.len();
///         }
///         out.push(format!("{name}:{file:?}:{size}"));
///     }
///     Ok(Response::text(out.join(" ")))
/// }
///
/// let mut app = Application::new();
/// app.add_routes([web::post("/up", upload)]);
/// let body = "--XX\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\nhello\r\n\
///             --XX\r\ncontent-disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n\
///             content-type: text/plain\r\n\r\n12345678\r\n--XX--\r\n";
/// tulip::run(async {
///     let client = TestClient::start(app).await.unwrap();
///     let ct = [("content-type", "multipart/form-data; boundary=XX")];
///     let resp = client.request(http::Method::POST, "/up", &ct, body.into()).await.unwrap();
///     assert_eq!(resp.text(), r#"a:None:5 f:Some("x.txt"):8"#);
///     client.close().await;
/// });
/// ```
pub struct MultipartReader {
    inner: multer::Multipart<'static>,
    /// The most a part's `read()`/`text()` hold (`client_max_size`).
    max_part: usize,
}

impl std::fmt::Debug for MultipartReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultipartReader").finish_non_exhaustive()
    }
}

impl MultipartReader {
    pub(crate) fn new(body: BodyBytes, boundary: String, max_part: usize) -> Self {
        MultipartReader { inner: multer::Multipart::new(body, boundary), max_part }
    }

    /// The next part, once the one before is dropped (the borrow makes
    /// sure); `None` after the last. A malformed body is a 400; the rest
    /// of a part left unread is skipped.
    pub async fn next(&mut self) -> Result<Option<BodyPart<'_>>, HTTPException> {
        let field = self.inner.next_field().await.map_err(to_http)?;
        Ok(field.map(|field| BodyPart { field, max: self.max_part, _reader: PhantomData }))
    }
}

/// One part of a multipart body (aiohttp's `BodyPartReader`): its
/// headers, and its content as chunks ([`read_chunk`](Self::read_chunk),
/// or as a `Stream`) or whole ([`read`](Self::read), [`text`](Self::text)).
///
/// ```
/// use tulip::StreamExt;
/// use tulip::web::{self, Application, Request, Response, TestClient};
///
/// async fn first(mut req: Request) -> web::Result<Response> {
///     let mut reader = req.multipart()?;
///     let Some(mut part) = reader.next().await? else { return Ok(Response::text("none")) };
///     let ct = part.content_type().unwrap_or("-").to_string();
///     let disposition = part.headers()["content-disposition"].to_str().unwrap_or("").to_string();
///     let mut body = Vec::new();
///     while let Some(chunk) = part.next().await {
///         body.extend_from_slice(&chunk?);
///     }
///     Ok(Response::text(format!("{ct} | {disposition} | {}", String::from_utf8_lossy(&body))))
/// }
///
/// let mut app = Application::new();
/// app.add_routes([web::post("/", first)]);
/// let body = "--b\r\ncontent-disposition: form-data; name=\"j\"\r\ncontent-type: application/json\r\n\r\n{}\r\n--b--\r\n";
/// tulip::run(async {
///     let client = TestClient::start(app).await.unwrap();
///     let ct = [("content-type", "multipart/form-data; boundary=b")];
///     let resp = client.request(http::Method::POST, "/", &ct, body.into()).await.unwrap();
///     assert_eq!(resp.text(), "application/json | form-data; name=\"j\" | {}");
///     client.close().await;
/// });
/// ```
pub struct BodyPart<'r> {
    field: multer::Field<'static>,
    max: usize,
    _reader: PhantomData<&'r mut MultipartReader>,
}

impl std::fmt::Debug for BodyPart<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyPart").field("name", &self.name()).field("filename", &self.filename()).finish()
    }
}

impl BodyPart<'_> {
    /// The `name` of its `Content-Disposition` (aiohttp's `part.name`).
    pub fn name(&self) -> Option<&str> {
        self.field.name()
    }

    /// The `filename` of its `Content-Disposition` (aiohttp's `part.filename`).
    pub fn filename(&self) -> Option<&str> {
        self.field.file_name()
    }

    /// Its `Content-Type` header as sent, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.field.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// Its headers (aiohttp's `part.headers`).
    pub fn headers(&self) -> &HeaderMap {
        self.field.headers()
    }

    /// The next chunk of its content; `None` at its end (aiohttp's
    /// `read_chunk`). Not limited: count what you keep.
    pub async fn read_chunk(&mut self) -> Result<Option<Bytes>, HTTPException> {
        self.field.chunk().await.map_err(to_http)
    }

    /// Its whole content (aiohttp's `part.read()`), at most the
    /// application's `client_max_size` (else a 413).
    pub async fn read(mut self) -> Result<Bytes, HTTPException> {
        let mut buf = BytesMut::new();
        while let Some(chunk) = self.read_chunk().await? {
            if buf.len() + chunk.len() > self.max {
                return Err(HTTPException::request_entity_too_large(self.max, buf.len() + chunk.len()));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }

    /// Its content as text (aiohttp's `part.text()`), decoded by the
    /// `charset` of its `Content-Type` (UTF-8 if none or unknown; invalid
    /// bytes replaced); limited as [`read`](Self::read).
    pub async fn text(self) -> Result<String, HTTPException> {
        let encoding = charset(self.content_type());
        let b = self.read().await?;
        Ok(encoding.decode(&b).0.into_owned())
    }
}

impl Stream for BodyPart<'_> {
    type Item = Result<Bytes, HTTPException>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.field).poll_next(cx).map(|o| o.map(|r| r.map_err(to_http)))
    }
}

/// A part of a `multipart/form-data` form that is not a text field: a file
/// (it has a `filename`), or a part of another content type (aiohttp's
/// `FileField`, or the bytes aiohttp puts in the form for the latter).
/// Held in memory: the whole form is within `client_max_size`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileField {
    /// The field's name.
    pub name: String,
    /// The file's name as the client sent it; `None` for a non-text part
    /// that is not a file.
    pub filename: Option<String>,
    /// Its `Content-Type` (`application/octet-stream` when none was sent).
    pub content_type: String,
    /// The part's headers.
    pub headers: HeaderMap,
    /// Its content.
    pub content: Bytes,
}

/// The form of [`Request::post`](crate::Request::post): the text fields
/// (what it derefs to, a [`MultiDict`]) and the file parts.
///
/// ```
/// use tulip::web::{self, Application, Request, Response, TestClient};
///
/// async fn upload(mut req: Request) -> web::Result<Response> {
///     let form = req.post().await?;
///     let file = form.file("doc").ok_or_else(web::HTTPException::bad_request)?;
///     Ok(Response::text(format!(
///         "{} {:?} {} {}",
///         form.get("title").unwrap_or("-"),
///         file.filename,
///         file.content_type,
///         file.content.len()
///     )))
/// }
///
/// let mut app = Application::new();
/// app.add_routes([web::post("/", upload)]);
/// let body = "--b\r\ncontent-disposition: form-data; name=\"title\"\r\n\r\nReport\r\n\
///             --b\r\ncontent-disposition: form-data; name=\"doc\"; filename=\"r.pdf\"\r\n\
///             content-type: application/pdf\r\n\r\n%PDF-\r\n--b--\r\n";
/// tulip::run(async {
///     let client = TestClient::start(app).await.unwrap();
///     let ct = [("content-type", "multipart/form-data; boundary=b")];
///     let resp = client.request(http::Method::POST, "/", &ct, body.into()).await.unwrap();
///     assert_eq!(resp.text(), r#"Report Some("r.pdf") application/pdf 5"#);
///     client.close().await;
/// });
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PostData {
    fields: MultiDict,
    files: Vec<FileField>,
}

impl std::ops::Deref for PostData {
    type Target = MultiDict;

    fn deref(&self) -> &MultiDict {
        &self.fields
    }
}

impl PostData {
    pub(crate) fn from_fields(fields: MultiDict) -> Self {
        PostData { fields, files: Vec::new() }
    }

    /// The text fields.
    pub fn fields(&self) -> &MultiDict {
        &self.fields
    }

    /// The first file part named `name`.
    pub fn file(&self, name: &str) -> Option<&FileField> {
        self.files.iter().find(|f| f.name == name)
    }

    /// Every file part, in order.
    pub fn files(&self) -> &[FileField] {
        &self.files
    }
}

/// The form of a whole `multipart/form-data` body (already within
/// `client_max_size`): parts without a filename and of no or a `text/*`
/// type are text fields (decoded by their charset), the others files; more than `max_fields` parts
/// is a 413 (aiohttp's), a part without a name a 400.
pub(crate) async fn parse_form(body: Bytes, boundary: String, max_fields: usize) -> Result<PostData, HTTPException> {
    let mut reader = MultipartReader::new(BodyBytes::Cached(Some(body)), boundary, usize::MAX);
    let (mut fields, mut files) = (Vec::new(), Vec::new());
    while let Some(part) = reader.next().await? {
        if fields.len() + files.len() >= max_fields {
            return Err(crate::request::too_many_fields(max_fields));
        }
        let name = part
            .name()
            .ok_or_else(|| HTTPException::bad_request().with_text("400: Multipart field missing name"))?
            .to_string();
        let content_type = part.content_type().map(str::to_string);
        let filename = part.filename().map(str::to_string);
        let is_text = filename.is_none() && content_type.as_deref().is_none_or(|c| c.starts_with("text/"));
        if is_text {
            fields.push((name, part.text().await?));
        } else {
            let headers = part.headers().clone();
            let content = part.read().await?;
            let content_type = content_type.unwrap_or_else(|| "application/octet-stream".into());
            files.push(FileField { name, filename, content_type, headers, content });
        }
    }
    Ok(PostData { fields: MultiDict::from_pairs(fields), files })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn charsets_by_whatwg_or_python_names() {
        let name = |ct| charset(ct).name();
        assert_eq!(name(None), "UTF-8");
        assert_eq!(name(Some("text/plain")), "UTF-8");
        assert_eq!(name(Some("text/plain; charset=latin-1")), "windows-1252");
        assert_eq!(name(Some("text/plain; CHARSET=\"ISO-8859-2\"")), "ISO-8859-2");
        assert_eq!(name(Some("text/plain; charset=shift_jis")), "Shift_JIS");
        assert_eq!(name(Some("text/plain; charset=no-such")), "UTF-8");
    }
}
