//! `--name value` flags: the one syntax of every sub-command's options,
//! parsed once and read by name, each sub-command's arguments from their
//! own `from_flags`.

use std::collections::HashMap;
use std::str::FromStr;

/// `--name value` pairs and bare `--switch`es.
#[derive(Debug, Default)]
pub struct Flags(HashMap<String, Option<String>>);

impl Flags {
    pub fn parse(args: &[String]) -> Result<Flags, String> {
        let mut flags = HashMap::new();
        let mut args = args.iter().peekable();
        while let Some(arg) = args.next() {
            let name = arg
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument `{arg}`"))?;
            let value = args.next_if(|v| !v.starts_with("--")).cloned();
            flags.insert(name.to_owned(), value);
        }
        Ok(Flags(flags))
    }

    pub fn switch(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn get<T: FromStr>(&self, name: &str) -> Result<Option<T>, String> {
        match self.0.get(name) {
            None => Ok(None),
            Some(None) => Err(format!("--{name} needs a value")),
            Some(Some(v)) => v
                .parse()
                .map(Some)
                .map_err(|_| format!("bad value for --{name}: `{v}`")),
        }
    }

    pub fn require<T: FromStr>(&self, name: &str) -> Result<T, String> {
        self.get(name)?.ok_or_else(|| format!("--{name} is required"))
    }
}
