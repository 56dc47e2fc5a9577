//! The `name = value` arguments of `#[edgeio::main(...)]` and
//! `#[edgeio::test(...)]`.

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, Meta, Token};

use crate::expand::Kind;

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
}

impl Config {
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
    errors.finish()?;
    Ok(config)
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
        Kind::Main => format!("unknown argument `{name}`; `#[edgeio::main]` accepts `worker_threads = N`"),
        Kind::Test => format!(
            "unknown argument `{name}`; `#[edgeio::test]` accepts `worker_threads = N` and `timeout_secs = N`"
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
