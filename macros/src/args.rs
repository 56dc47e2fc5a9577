//! The `name = value` arguments of `#[edgeio::main(...)]` and
//! `#[edgeio::test(...)]`.

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, Meta, Token};

/// Timeout of `#[edgeio::test]` when `timeout_secs` is not given.
pub(crate) const DEFAULT_TIMEOUT_SECS: u64 = 60;

/// An integer argument with the span of the literal it came from, so that
/// errors rustc finds in the expansion point at the user's literal.
#[derive(Clone, Copy)]
pub(crate) struct IntArg<T> {
    pub(crate) value: T,
    pub(crate) span: Span,
}

#[derive(Default)]
pub(crate) struct Config {
    pub(crate) worker_threads: Option<IntArg<usize>>,
    pub(crate) timeout_secs: Option<IntArg<u64>>,
    /// `flavor = "current_thread"` or `"local"` (true), or `"multi_thread"`
    /// (false).
    pub(crate) current_thread: Option<bool>,
    pub(crate) start_paused: Option<bool>,
    /// `name = "..."`: the runtime's name, for `Handle::name`.
    pub(crate) name: Option<syn::LitStr>,
    /// `crate = "path"`: where the `edgeio` crate is, for code that
    /// renamed it (tokio's argument of the same name); `::edgeio` if unset.
    pub(crate) krate: Option<syn::Path>,
}

impl Config {
    /// Whether the runtime is the current-thread one: as asked, or by
    /// default `#[edgeio::test]` (as tokio's) unless it sets
    /// `worker_threads`, and never `#[edgeio::main]`.
    pub(crate) fn is_current_thread(&self, kind: Kind) -> bool {
        self.current_thread
            .unwrap_or(matches!(kind, Kind::Test) && self.worker_threads.is_none())
    }

    /// `::core::option::Option<usize>` expression for the support functions.
    pub(crate) fn workers_tokens(&self) -> TokenStream {
        match self.worker_threads {
            Some(IntArg { value, span }) => {
                let mut lit = Literal::usize_unsuffixed(value);
                lit.set_span(span);
                quote!(::core::option::Option::Some(#lit))
            }
            None => quote!(::core::option::Option::None),
        }
    }

    /// `::core::option::Option<&'static str>` expression for the runtime's
    /// name.
    pub(crate) fn name_tokens(&self) -> TokenStream {
        match &self.name {
            Some(name) => quote!(::core::option::Option::Some(#name)),
            None => quote!(::core::option::Option::None),
        }
    }

    /// The path of the `edgeio` crate in the expansion.
    pub(crate) fn crate_tokens(&self) -> TokenStream {
        match &self.krate {
            Some(path) => quote!(#path),
            None => quote!(::edgeio),
        }
    }

    /// The test timeout in seconds, as an unsuffixed literal.
    pub(crate) fn timeout_tokens(&self) -> Literal {
        match self.timeout_secs {
            Some(IntArg { value, span }) => {
                let mut lit = Literal::u64_unsuffixed(value);
                lit.set_span(span);
                lit
            }
            None => Literal::u64_unsuffixed(DEFAULT_TIMEOUT_SECS),
        }
    }
}

/// Parses the attribute's arguments. Every problem found is reported, not
/// just the first; on error the caller falls back to the defaults.
pub(crate) fn parse(kind: Kind, args: TokenStream) -> syn::Result<Config> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
    let mut config = Config::default();
    let mut errors = Errors::default();
    for meta in metas {
        let Some(name) = meta.path().get_ident().map(ToString::to_string) else {
            errors.push(syn::Error::new_spanned(
                meta.path(),
                unknown_argument(kind, &meta),
            ));
            continue;
        };
        match (name.as_str(), kind) {
            ("worker_threads", _) => {
                if config.worker_threads.is_some() {
                    errors.push(syn::Error::new_spanned(
                        meta.path(),
                        "duplicate `worker_threads` argument",
                    ));
                    continue;
                }
                match positive_int::<usize>(&meta, "worker_threads", "4") {
                    Ok(value) => config.worker_threads = Some(value),
                    Err(e) => errors.push(e),
                }
            }
            ("timeout_secs", Kind::Test) => {
                if config.timeout_secs.is_some() {
                    errors.push(syn::Error::new_spanned(
                        meta.path(),
                        "duplicate `timeout_secs` argument",
                    ));
                    continue;
                }
                match positive_int::<u64>(&meta, "timeout_secs", "10") {
                    Ok(value) => config.timeout_secs = Some(value),
                    Err(e) => errors.push(e),
                }
            }
            ("flavor", _) => match string_arg(&meta, "flavor") {
                Ok(value) if value == "current_thread" => config.current_thread = Some(true),
                // tokio's `LocalRuntime` flavor: edgeio's current-thread
                // runtime is one already (its `block_on` runs `spawn_local`
                // tasks), so the name is accepted for code ported from
                // tokio and left out of the error below.
                Ok(value) if value == "local" => config.current_thread = Some(true),
                Ok(value) if value == "multi_thread" => config.current_thread = Some(false),
                Ok(value) => errors.push(syn::Error::new_spanned(
                    &meta,
                    format!("unknown flavor `{value}`; expected `\"current_thread\"` or `\"multi_thread\"`"),
                )),
                Err(e) => errors.push(e),
            },
            ("start_paused", _) => match bool_arg(&meta, "start_paused") {
                Ok(value) => config.start_paused = Some(value),
                Err(e) => errors.push(e),
            },
            ("name", _) => match lit_str_arg(&meta, "name") {
                Ok(value) => config.name = Some(value),
                Err(e) => errors.push(e),
            },
            ("crate", _) => match lit_str_arg(&meta, "crate").and_then(|lit| lit.parse::<syn::Path>()) {
                Ok(path) => config.krate = Some(path),
                Err(e) => errors.push(e),
            },
            ("timeout_secs", Kind::Main) => errors.push(syn::Error::new_spanned(
                meta.path(),
                "`timeout_secs` is only supported by `#[edgeio::test]`",
            )),
            _ => errors.push(syn::Error::new_spanned(
                meta.path(),
                unknown_argument(kind, &meta),
            )),
        }
    }
    if config.current_thread == Some(true) {
        if let Some(workers) = config.worker_threads {
            errors.push(syn::Error::new(
                workers.span,
                "the `worker_threads` option requires the `multi_thread` flavor",
            ));
        }
    }
    if config.start_paused == Some(true) && !config.is_current_thread(kind) {
        errors.push(syn::Error::new(
            Span::call_site(),
            "`start_paused` requires the `current_thread` flavor: a paused clock is only sound with one thread",
        ));
    }
    errors.finish()?;
    Ok(config)
}

/// `name = "string"`.
fn string_arg(meta: &Meta, name: &str) -> syn::Result<String> {
    lit_str_arg(meta, name).map(|lit| lit.value())
}

/// `name = "string"`, the literal itself (with its span).
fn lit_str_arg(meta: &Meta, name: &str) -> syn::Result<syn::LitStr> {
    match meta {
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => Ok(lit.clone()),
            value => Err(syn::Error::new_spanned(
                value,
                format!("expected `{name} = \"...\"` with a string literal"),
            )),
        },
        _ => Err(syn::Error::new_spanned(
            meta,
            format!("expected `{name} = \"...\"` with a string literal"),
        )),
    }
}

/// `name = true|false`.
fn bool_arg(meta: &Meta, name: &str) -> syn::Result<bool> {
    match meta {
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Bool(lit), ..
            }) => Ok(lit.value),
            value => Err(syn::Error::new_spanned(
                value,
                format!("expected `{name} = true` or `{name} = false`"),
            )),
        },
        _ => Err(syn::Error::new_spanned(
            meta,
            format!("expected `{name} = true` or `{name} = false`"),
        )),
    }
}

fn unknown_argument(kind: Kind, meta: &Meta) -> String {
    let path = meta.path();
    let segments: Vec<String> = path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    let name = format!(
        "{}{}",
        if path.leading_colon.is_some() { "::" } else { "" },
        segments.join("::")
    );
    match kind {
        Kind::Main => format!(
            "unknown argument `{name}`; `#[edgeio::main]` accepts `flavor = \"...\"`, `worker_threads = N`, `start_paused = BOOL`, `name = \"...\"` and `crate = \"...\"`"
        ),
        Kind::Test => format!(
            "unknown argument `{name}`; `#[edgeio::test]` accepts `flavor = \"...\"`, `worker_threads = N`, `start_paused = BOOL`, `name = \"...\"`, `crate = \"...\"` and `timeout_secs = N`"
        ),
    }
}

/// `name = <integer literal>`, with the integer at least 1.
fn positive_int<T>(meta: &Meta, name: &str, example: &str) -> syn::Result<IntArg<T>>
where
    T: std::str::FromStr + PartialEq + From<u8>,
    T::Err: std::fmt::Display,
{
    let expected =
        || format!("expected `{name} = N` with N a positive integer literal, e.g. `{name} = {example}`");
    let value = match meta {
        Meta::NameValue(nv) => &nv.value,
        Meta::Path(_) | Meta::List(_) => return Err(syn::Error::new_spanned(meta, expected())),
    };
    let Expr::Lit(ExprLit {
        lit: Lit::Int(lit), ..
    }) = value
    else {
        return Err(syn::Error::new_spanned(value, expected()));
    };
    if lit.base10_digits().starts_with('-') {
        return Err(syn::Error::new_spanned(value, expected()));
    }
    let parsed: T = lit
        .base10_parse()
        .map_err(|e| syn::Error::new_spanned(lit, format!("invalid `{name}`: {e}")))?;
    if parsed == T::from(0) {
        return Err(syn::Error::new_spanned(
            lit,
            format!("`{name}` must be at least 1"),
        ));
    }
    Ok(IntArg {
        value: parsed,
        span: lit.span(),
    })
}

/// Several errors reported together.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(existing) => existing.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Main,
    Test,
}

impl Kind {
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Kind::Main => "#[edgeio::main]",
            Kind::Test => "#[edgeio::test]",
        }
    }
}
