//! A JSON API in the shape of aiohttp.web's: routes with parameters, a
//! middleware that times requests and turns errors into JSON, and
//! application state under a typed key.
//!
//! ```text
//! curl -s localhost:8080/todos
//! curl -s -X POST localhost:8080/todos -d '{"title":"write docs"}'
//! curl -s localhost:8080/todos/1
//! curl -s -X DELETE localhost:8080/todos/1
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tulip::web::{self, AppKey, Application, HTTPException, Next, Request, Response};

#[derive(Clone, Serialize)]
struct Todo {
    id: u64,
    title: String,
    done: bool,
}

#[derive(Deserialize)]
struct NewTodo {
    title: String,
}

#[derive(Default)]
struct Store {
    next_id: u64,
    todos: BTreeMap<u64, Todo>,
}

static STORE: AppKey<RefCell<Store>> = AppKey::new("store");

fn store(request: &Request) -> web::Result<std::rc::Rc<RefCell<Store>>> {
    request.app().get(&STORE).ok_or_else(HTTPException::internal_server_error)
}

fn todo_id(request: &Request) -> web::Result<u64> {
    let raw = request.match_info().get("id").unwrap_or("");
    raw.parse().map_err(|_| HTTPException::bad_request().with_text(format!("bad id {raw:?}")))
}

async fn list(request: Request) -> web::Result<Response> {
    let store = store(&request)?;
    let todos: Vec<Todo> = store.borrow().todos.values().cloned().collect();
    web::json_response(&todos)
}

async fn create(mut request: Request) -> web::Result<Response> {
    let new: NewTodo = request.json().await?;
    let store = store(&request)?;
    let mut s = store.borrow_mut();
    s.next_id += 1;
    let todo = Todo { id: s.next_id, title: new.title, done: false };
    s.todos.insert(todo.id, todo.clone());
    Ok(web::json_response(&todo)?.with_status(201))
}

async fn show(request: Request) -> web::Result<Response> {
    let id = todo_id(&request)?;
    let store = store(&request)?;
    let todo = store.borrow().todos.get(&id).cloned().ok_or_else(HTTPException::not_found)?;
    web::json_response(&todo)
}

async fn remove(request: Request) -> web::Result<Response> {
    let id = todo_id(&request)?;
    let store = store(&request)?;
    let removed = store.borrow_mut().todos.remove(&id);
    removed.map(|_| Response::new().with_status(204)).ok_or_else(HTTPException::not_found)
}

/// Times each request and answers errors as JSON objects.
async fn json_errors(request: Request, next: Next) -> web::Result<Response> {
    let started = std::time::Instant::now();
    let response = match next.run(request).await {
        Ok(r) => r,
        Err(e) => web::json_response(&serde_json::json!({"error": e.text(), "status": e.status().as_u16()}))?
            .with_status(e.status().as_u16()),
    };
    Ok(response.with_header("x-elapsed-us", &started.elapsed().as_micros().to_string()))
}

fn main() -> Result<(), web::WebError> {
    let mut app = Application::new();
    app.insert(&STORE, RefCell::new(Store::default()));
    app.add_middleware(json_errors);
    app.add_routes([
        web::get("/todos", list),
        web::post("/todos", create),
        web::get("/todos/{id}", show),
        web::delete("/todos/{id}", remove),
    ]);
    web::run_app(app)
}
