//! The applications a benchmark server can answer with, named as on the
//! hidden `server` sub-command's command line.

/// What a server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    Echo,
    /// Echo with a per-connection idle timeout, reset on every request.
    EchoIdle,
    Http,
    /// hyper's HTTP/1 and HTTP/2 (auto-detected), hello world.
    Hyper,
}

impl App {
    const ALL: [App; 4] = [App::Echo, App::EchoIdle, App::Http, App::Hyper];

    pub fn name(self) -> &'static str {
        match self {
            App::Echo => "echo",
            App::EchoIdle => "echo-idle",
            App::Http => "http",
            App::Hyper => "hyper",
        }
    }

    /// The app called `name` on the command line.
    pub fn parse(name: &str) -> Option<App> {
        App::ALL.into_iter().find(|a| a.name() == name)
    }
}
