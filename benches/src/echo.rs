//! TCP echo ping-pong: the `echo` and `scaling` groups.

use crate::app::App;
use crate::client::{ClientArgs, Mode};
use crate::group::Group;
use crate::netrun::{one_run, setup, trace, WORKERS};
use crate::rt::Flavor;
use crate::suite::{Spec, Suite};

const CONNECTIONS: [usize; 3] = [1, 64, 1000];
const SIZES: [usize; 2] = [64, 16 * 1024];
/// The rows whose system calls are counted (connections, size, workers):
/// one connection (nothing to batch), 64 (the client and a 1-worker server
/// both busy), 1000 (queues), and 64 on two workers (wake-ups between
/// workers: futex, eventfd).
const TRACED: [(usize, usize, usize); 4] = [(1, 64, 1), (64, 64, 1), (1000, 64, 1), (64, 64, 2)];
/// The row run on both runtimes' current-thread flavour too (issue 22):
/// 64 connections × 64 B, where a 1-worker server and the load generator
/// both use nearly all of their CPU, so a scheduler's cost shows. Beside
/// the 1-worker row of the same load, it shows what each runtime's
/// current-thread flavour saves over its multi-thread one with one
/// worker. Its system calls are counted too.
const CURRENT_THREAD: (usize, usize) = (64, 64);

pub fn size_name(size: usize) -> String {
    if size.is_multiple_of(1024) {
        format!("{} KiB", size / 1024)
    } else {
        format!("{size} B")
    }
}

/// The `echo` group: every connection count × message size × worker count,
/// the floor beside every 1-worker row, then the system calls of the
/// `TRACED` rows.
pub fn run(suite: &mut Suite) {
    let (warmup, duration) = suite.durations();
    let args = |conns, size| ClientArgs {
        mode: Mode::Echo,
        conns,
        size,
        warmup,
        duration,
        ..ClientArgs::default()
    };
    for workers in WORKERS {
        for conns in CONNECTIONS {
            for size in SIZES {
                let flavor = Flavor::MultiThread(workers);
                let label = label(conns, size, flavor);
                let args = args(conns, size);
                let spec = Spec::new(suite.network_run(setup(conns))).with_floor(workers == 1);
                suite.measure("echo", &label, spec, |suite, rt| {
                    one_run(suite, rt, flavor, App::Echo, &args, &label)
                });
            }
        }
    }
    // No floor beside it: the floor has no flavours, and it ran beside
    // the 1-worker row of the same load.
    let (conns, size) = CURRENT_THREAD;
    let current = label(conns, size, Flavor::CurrentThread);
    let spec = Spec::new(suite.network_run(setup(conns)));
    suite.measure("echo", &current, spec, |suite, rt| {
        one_run(
            suite,
            rt,
            Flavor::CurrentThread,
            App::Echo,
            &args(conns, size),
            &current,
        )
    });
    let traced = TRACED
        .map(|(conns, size, workers)| (conns, size, Flavor::MultiThread(workers)))
        .into_iter()
        .chain([(conns, size, Flavor::CurrentThread)]);
    for (conns, size, flavor) in traced {
        let label = label(conns, size, flavor);
        let floor = flavor == Flavor::MultiThread(1);
        trace(
            suite,
            "echo",
            App::Echo,
            &label,
            flavor,
            &args(conns, size),
            floor,
        );
    }
}

fn label(conns: usize, size: usize, flavor: Flavor) -> String {
    format!("{conns} conn × {}, {flavor}", size_name(size))
}

/// The `scaling` group: echo, 1000 connections × 64 B, at 1, 2, 4...
/// workers up to the CPU count, and twice the CPU count. Worker counts the
/// echo group measures in the same invocation are not measured twice; the
/// chart takes them from there.
pub fn scaling(suite: &mut Suite) {
    let cpus = suite.cpus.cpus;
    let mut counts: Vec<usize> = std::iter::successors(Some(1), |w| Some(w * 2))
        .take_while(|&w| w < cpus)
        .collect();
    counts.extend([cpus, 2 * cpus]);
    counts.dedup();
    let echo_ran = suite.opts.groups.contains(&Group::Echo);
    let (warmup, duration) = suite.durations();
    for workers in counts {
        if echo_ran && WORKERS.contains(&workers) {
            continue;
        }
        let args = ClientArgs {
            conns: SCALING_CONNS,
            size: 64,
            warmup,
            duration,
            ..ClientArgs::default()
        };
        let flavor = Flavor::MultiThread(workers);
        let label = label(SCALING_CONNS, 64, flavor);
        let spec = Spec::new(suite.network_run(setup(SCALING_CONNS)));
        suite.measure("scaling", &label, spec, |suite, rt| {
            one_run(suite, rt, flavor, App::Echo, &args, &label)
        });
    }
}

/// Connections of the scaling group's load.
pub const SCALING_CONNS: usize = 1000;
