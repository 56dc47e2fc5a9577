//! The benchmark groups: the suite's sub-commands, each a set of rows
//! measured together.

/// A benchmark group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Echo,
    Scaling,
    Http,
    Micro,
    Timer,
    C10k,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::Echo,
        Group::Scaling,
        Group::Http,
        Group::Micro,
        Group::Timer,
        Group::C10k,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Group::Echo => "echo",
            Group::Scaling => "scaling",
            Group::Http => "http",
            Group::Micro => "micro",
            Group::Timer => "timer",
            Group::C10k => "c10k",
        }
    }
}
