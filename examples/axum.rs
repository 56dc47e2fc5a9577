//! An axum application on edgeio: JSON bodies, path and query extractors,
//! shared state, a handler that sleeps on edgeio's timers, and graceful
//! shutdown on Ctrl-C (and SIGTERM, see [`terminate`]).
//!
//! ```text
//! cargo run --example axum --features example-axum [ADDR]   # default 127.0.0.1:3000
//! curl -X POST -H 'content-type: application/json' -d '{"title":"write docs"}' http://127.0.0.1:3000/todos
//! curl http://127.0.0.1:3000/todos/1
//! curl 'http://127.0.0.1:3000/todos?done=false&limit=10'
//! ```
//!
//! axum is used without its default `tokio` feature: that feature only
//! adds `axum::serve`, which needs tokio's reactor; `edgeio::hyper::serve`
//! takes its place. `tests/axum.rs` runs this application.

use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use edgeio::net::AsyncTcpListener;
use serde::{Deserialize, Serialize};

/// A to-do item, as stored and as sent back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Todo {
    pub id: u64,
    pub title: String,
    pub done: bool,
}

/// The body of `POST /todos`.
#[derive(Debug, Deserialize)]
pub struct NewTodo {
    pub title: String,
}

/// The query of `GET /todos`.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub done: Option<bool>,
    pub limit: Option<usize>,
}

/// The state every handler shares: cloned per request, so an `Arc`.
#[derive(Clone, Default)]
pub struct AppState {
    todos: Arc<Mutex<BTreeMap<u64, Todo>>>,
}

/// The routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/todos", post(create).get(list))
        .route("/todos/{id}", get(fetch))
        .route("/todos/{id}/done", post(mark_done))
        .route("/slow/{millis}", get(slow))
        .with_state(state)
}

async fn create(State(state): State<AppState>, Json(new): Json<NewTodo>) -> (StatusCode, Json<Todo>) {
    let mut todos = state.todos.lock().unwrap();
    let id = todos.keys().next_back().map_or(1, |last| last + 1);
    let todo = Todo {
        id,
        title: new.title,
        done: false,
    };
    todos.insert(id, todo.clone());
    (StatusCode::CREATED, Json(todo))
}

async fn fetch(State(state): State<AppState>, Path(id): Path<u64>) -> Result<Json<Todo>, StatusCode> {
    let todos = state.todos.lock().unwrap();
    todos.get(&id).cloned().map(Json).ok_or(StatusCode::NOT_FOUND)
}

async fn mark_done(State(state): State<AppState>, Path(id): Path<u64>) -> Result<Json<Todo>, StatusCode> {
    let mut todos = state.todos.lock().unwrap();
    let todo = todos.get_mut(&id).ok_or(StatusCode::NOT_FOUND)?;
    todo.done = true;
    Ok(Json(todo.clone()))
}

async fn list(State(state): State<AppState>, Query(params): Query<ListParams>) -> Json<Vec<Todo>> {
    let todos = state.todos.lock().unwrap();
    let matching = todos
        .values()
        .filter(|todo| params.done.is_none_or(|done| todo.done == done));
    Json(
        matching
            .take(params.limit.unwrap_or(usize::MAX))
            .cloned()
            .collect(),
    )
}

/// Answers after `millis` ms (at most 10 s), on edgeio's timers.
async fn slow(Path(millis): Path<u64>) -> String {
    edgeio::time::sleep(Duration::from_millis(millis.min(10_000))).await;
    format!("slept {millis} ms")
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = edgeio::signal::ctrl_c().await {
            eprintln!("axum: cannot wait for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    futures_util::future::select(std::pin::pin!(ctrl_c), std::pin::pin!(terminate())).await;
}

/// Completes on SIGTERM (what `kill` and container runtimes send). If the
/// handler cannot be installed, only Ctrl-C stops the server.
async fn terminate() {
    use edgeio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut sigterm) => {
            sigterm.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

/// Serves the application on `listener` until [`shutdown_signal`], then
/// lets the requests in flight finish.
pub async fn run(listener: AsyncTcpListener) -> io::Result<()> {
    edgeio::hyper::serve(listener, app(AppState::default()))
        .with_graceful_shutdown(async {
            shutdown_signal().await;
            eprintln!("axum: shutting down");
        })
        .await
}

#[edgeio::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let listener = AsyncTcpListener::bind(&addr)?;
    eprintln!("axum: listening on http://{}", listener.local_addr()?);
    run(listener).await
}
