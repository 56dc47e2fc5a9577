//! Command-line parsing.

use std::path::PathBuf;

use crate::client::ClientArgs;
use crate::flags::Flags;
use crate::group::Group;
use crate::options::Options;
use crate::server::ServerArgs;
use crate::timer::TimersArgs;

pub const USAGE: &str = "\
usage: edgeio-benches <all|echo|scaling|http|micro|timer|c10k> [--quick] [--runs N] [--out PATH]
       edgeio-benches pool RESULTS.md...

  all     every group below, then writes the results file
  echo    TCP echo ping-pong: 1/64/1000 connections, 64 B and 16 KiB messages
          (1-worker rows also against the floor: a bare epoll loop, no runtime)
  scaling echo, 1000 connections, at 1, 2, 4... workers up to nproc, and 2 × nproc
  http    HTTP/1.1 keep-alive hello world (wrk if available, else the built-in client);
          hyper on both runtimes: HTTP/1 under wrk, HTTP/2 under h2load (if installed)
  micro   spawn+join, yield_now, wake chains, JoinSet spawn+join_next
  timer   insert+cancel and insert+fire with 1 / 10k / 1M timers pending, memory
          per pending timer, echo with an idle timeout reset per request
  c10k    10 000 idle connections plus echo traffic on 100 of them

  --quick      short smoke run (3 runs per figure, short durations)
  --runs N     runs per figure (default 7, 3 with --quick)
  --out PATH   results file (default benches/RESULTS.md); the charts go to
               charts/ beside it

  pool    adds up the pairs of several results files (runs saved with --out)
          per figure, with a sign test: tells a tie from a steady difference";

#[derive(Debug)]
pub enum Command {
    Suite(Options),
    /// Hidden: one server process (`server --rt edgeio --workers 1 --app echo`).
    Server(ServerArgs),
    /// Hidden: the load generator process.
    Client(ClientArgs),
    /// Hidden: one run of the timer benchmarks in a fresh process.
    Timers(TimersArgs),
    /// `pool FILE...`: the pairs of several results files, added up.
    Pool(Vec<PathBuf>),
}

pub fn parse(args: &[String]) -> Result<Command, String> {
    let (first, rest) = args.split_first().ok_or("missing sub-command")?;
    if first == "pool" {
        if rest.is_empty() {
            return Err("pool needs at least one results file".to_owned());
        }
        return Ok(Command::Pool(rest.iter().map(PathBuf::from).collect()));
    }
    let flags = Flags::parse(rest)?;
    let groups = match first.as_str() {
        "server" => return ServerArgs::from_flags(&flags).map(Command::Server),
        "client" => return ClientArgs::from_flags(&flags).map(Command::Client),
        "timers" => return TimersArgs::from_flags(&flags).map(Command::Timers),
        "all" => Group::ALL.to_vec(),
        name => vec![Group::ALL
            .into_iter()
            .find(|g| g.name() == name)
            .ok_or_else(|| format!("unknown sub-command `{name}`"))?],
    };
    let command = format!("cargo run --release -p edgeio-benches -- {}", args.join(" "));
    Options::from_flags(groups, &flags, command).map(Command::Suite)
}
