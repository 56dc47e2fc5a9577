//! The hidden `server` sub-command: one runtime serving one application
//! on 127.0.0.1:0, announcing its port as `PORT <n>` on stdout.
//!
//! The accept loops are twins: the same lines, one per runtime.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::Duration;

use crate::app::App;
use crate::flags::Flags;
use crate::rt::{self, Flavor, Rt};
use crate::{floor, proc, serve_echo, serve_http, serve_hyper};

#[derive(Debug)]
pub struct ServerArgs {
    pub rt: Rt,
    pub flavor: Flavor,
    pub app: App,
}

impl ServerArgs {
    pub fn from_flags(flags: &Flags) -> Result<ServerArgs, String> {
        let rt: String = flags.require("rt")?;
        let app: String = flags.require("app")?;
        Ok(ServerArgs {
            rt: Rt::parse(&rt).ok_or_else(|| format!("unknown runtime `{rt}`"))?,
            flavor: flags.require("workers")?,
            app: App::parse(&app).ok_or_else(|| format!("unknown app `{app}`"))?,
        })
    }
}

/// Serves until killed or until the parent closes our stdin.
pub fn run(args: &ServerArgs) -> io::Result<()> {
    proc::raise_nofile()?;
    proc::exit_with_parent();
    match args.rt {
        Rt::Edgeio => {
            let runtime = rt::edgeio(args.flavor)?;
            let listener = runtime.block_on(async { edgeio::net::AsyncTcpListener::bind("127.0.0.1:0") })?;
            announce(listener.local_addr()?.port())?;
            if args.app == App::Hyper {
                return runtime
                    .block_on(runtime.spawn(serve_hyper::serve_edgeio(listener)))
                    .map_err(io::Error::other)?;
            }
            runtime
                .block_on(runtime.spawn(edgeio_accept_loop(listener, args.app)))
                .map_err(io::Error::other)
        }
        Rt::Tokio => {
            let runtime = rt::tokio(args.flavor)?;
            let listener =
                runtime.block_on(async { tokio_listener(SocketAddr::from(([127, 0, 0, 1], 0))) })?;
            announce(listener.local_addr()?.port())?;
            if args.app == App::Hyper {
                return runtime
                    .block_on(runtime.spawn(serve_hyper::serve_tokio(listener)))
                    .map_err(io::Error::other)?;
            }
            runtime
                .block_on(runtime.spawn(tokio_accept_loop(listener, args.app)))
                .map_err(io::Error::other)
        }
        Rt::Floor if args.app == App::Hyper => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "the floor does not speak hyper's protocols",
        )),
        Rt::Floor => floor::serve(args.app, announce),
    }
}

/// The `listen` backlog of edgeio's `AsyncTcpListener::bind`.
const BACKLOG: u32 = 1024;

/// A tokio listener with edgeio's backlog. `tokio::net::TcpListener::bind`
/// listens with 128 (mio's default): the client's burst of 1000 connects
/// overflowed that queue, and each dropped SYN cost a second's retry before
/// the run could start. That phase is outside the measured window, but the
/// late connections made tokio's server less likely to settle into its
/// faster mode at 1000 connections (findings 7 and 16): the same backlog
/// on both sides gives both the same start.
fn tokio_listener(addr: SocketAddr) -> io::Result<tokio::net::TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

fn announce(port: u16) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "PORT {port}")?;
    stdout.flush()
}

/// Pause after a failed `accept` (EMFILE and the like) instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

async fn edgeio_accept_loop(listener: edgeio::net::AsyncTcpListener, app: App) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                edgeio::spawn(async move {
                    let _ = match app {
                        App::Echo => serve_echo::serve_edgeio(stream).await,
                        App::EchoIdle => serve_echo::serve_idle_edgeio(stream).await,
                        App::Http => serve_http::serve_edgeio(stream).await,
                        // Served by `serve_hyper::serve_edgeio`, never by this loop (see `run`).
                        App::Hyper => Ok(()),
                    };
                })
                .detach();
            }
            Err(_) => edgeio::time::sleep(ACCEPT_BACKOFF).await,
        }
    }
}

async fn tokio_accept_loop(listener: tokio::net::TcpListener, app: App) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                drop(tokio::spawn(async move {
                    let _ = match app {
                        App::Echo => serve_echo::serve_tokio(stream).await,
                        App::EchoIdle => serve_echo::serve_idle_tokio(stream).await,
                        App::Http => serve_http::serve_tokio(stream).await,
                        // Served by `serve_hyper::serve_tokio`, never by this loop (see `run`).
                        App::Hyper => Ok(()),
                    };
                }));
            }
            Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
        }
    }
}
