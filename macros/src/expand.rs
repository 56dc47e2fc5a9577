//! Parsing of the annotated function and the expansion of both macros.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::{ParseStream, Parser};
use syn::{braced, AttrStyle, Attribute, ReturnType, Signature, Token, Type, Visibility};

use crate::args::{self, Config, Errors, Kind};

/// The annotated function. The body is kept as raw tokens (with their
/// spans) rather than parsed: the macros never look inside it, and this
/// way syntax that `syn` does not know still passes through to rustc.
struct AsyncFn {
    attrs: Vec<Attribute>,
    vis: Visibility,
    sig: Signature,
    /// `#![...]` at the top of the body; re-emitted as outer attributes of
    /// the generated function, which is what they applied to.
    inner_attrs: Vec<Attribute>,
    body: TokenStream,
    brace_span: Span,
}

impl AsyncFn {
    fn parse(kind: Kind, input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let looks_like_fn = input.peek(Token![fn])
            || input.peek(Token![async])
            || input.peek(Token![const])
            || input.peek(Token![unsafe])
            || input.peek(Token![extern]);
        if !looks_like_fn {
            let msg = format!("{} can only be applied to an `async fn`", kind.attribute());
            return Err(input.error(msg));
        }
        let sig: Signature = input.parse()?;
        let content;
        let brace = braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let body: TokenStream = content.parse()?;
        Ok(AsyncFn {
            attrs,
            vis,
            sig,
            inner_attrs,
            body,
            brace_span: brace.span.join(),
        })
    }
}

pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let parser = |input: ParseStream| AsyncFn::parse(kind, input);
    let mut func = match parser.parse2(item.clone()) {
        Ok(func) => func,
        Err(e) => {
            let error = e.to_compile_error();
            // The item as written, so that it still exists for the rest
            // of the crate and no "cannot find" errors follow.
            return quote!(#error #item);
        }
    };

    let mut errors = Errors::default();
    let config = args::parse(kind, args).unwrap_or_else(|e| {
        errors.push(e);
        Config::default()
    });

    // Problems the expansion can paper over: report them, expand anyway.
    if func.sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            func.sig.fn_token,
            "the `async` keyword is missing from the function declaration",
        ));
    }
    if let Some(constness) = func.sig.constness.take() {
        errors.push(syn::Error::new_spanned(
            constness,
            format!("{} functions cannot be `const`", kind.attribute()),
        ));
    }
    if kind == Kind::Test {
        func.attrs.retain(|attr| {
            let is_test = attr
                .path()
                .segments
                .last()
                .is_some_and(|segment| segment.ident == "test");
            if is_test {
                errors.push(syn::Error::new_spanned(
                    attr,
                    "second test attribute: `#[edgeio::test]` already adds `#[test]`; remove this one",
                ));
            }
            !is_test
        });
    }

    // Problems that leave no sensible `fn name()` to generate.
    // `#[edgeio::main]` may also run any other function's body on a
    // runtime of its own (a method taking `self`, a generic helper), as
    // tokio's does; only the entry point and tests have a fixed signature.
    let mut bad_signature = Errors::default();
    let fixed_signature = kind == Kind::Test || func.sig.ident == "main";
    if fixed_signature && (!func.sig.inputs.is_empty() || func.sig.variadic.is_some()) {
        let msg = match kind {
            Kind::Main => "the main function cannot accept arguments",
            Kind::Test => "test functions cannot accept arguments",
        };
        let error = match &func.sig.variadic {
            Some(variadic) if func.sig.inputs.is_empty() => syn::Error::new_spanned(variadic, msg),
            _ => syn::Error::new_spanned(&func.sig.inputs, msg),
        };
        bad_signature.push(error);
    }
    if fixed_signature {
        if !func.sig.generics.params.is_empty() {
            bad_signature.push(syn::Error::new_spanned(
                &func.sig.generics,
                format!("{} functions cannot have generic parameters", kind.attribute()),
            ));
        } else if let Some(where_clause) = &func.sig.generics.where_clause {
            bad_signature.push(syn::Error::new_spanned(
                where_clause,
                format!("{} functions cannot have a `where` clause", kind.attribute()),
            ));
        }
    }
    if let Err(e) = bad_signature.finish() {
        errors.push(e);
        let error = errors.finish().unwrap_err().to_compile_error();
        let fallback = fallback(kind, &func, item);
        return quote!(#error #fallback);
    }

    let expanded = generate(kind, &config, func);
    match errors.finish() {
        Ok(()) => expanded,
        Err(e) => {
            let error = e.to_compile_error();
            quote!(#error #expanded)
        }
    }
}

/// What to emit next to an error about the function's signature: the
/// function as written (so its body is still type-checked and errors in it
/// still show), but neither as the crate's entry point nor as a test, which
/// would only add errors about its signature.
fn fallback(kind: Kind, func: &AsyncFn, item: TokenStream) -> TokenStream {
    match kind {
        // Nested inside a stand-in `fn main()`, it is not the entry point
        // and the crate still has one.
        Kind::Main => {
            let vis = &func.vis;
            let ident = &func.sig.ident;
            quote! {
                #[allow(dead_code)]
                #vis fn #ident() {
                    #[allow(dead_code)]
                    #item
                }
            }
        }
        Kind::Test => quote! {
            #[allow(dead_code)]
            #item
        },
    }
}

fn generate(kind: Kind, config: &Config, func: AsyncFn) -> TokenStream {
    let AsyncFn {
        mut attrs,
        vis,
        mut sig,
        inner_attrs,
        body,
        brace_span,
    } = func;
    sig.asyncness = None;
    attrs.extend(inner_attrs.into_iter().map(|mut attr| {
        attr.style = AttrStyle::Outer;
        attr
    }));
    let future = async_block(&sig.output, body, brace_span);
    let workers = config.workers_tokens();
    let current_thread = config.is_current_thread(kind);
    let start_paused = config.start_paused.unwrap_or(false);
    let name = config.name_tokens();
    let krate = config.crate_tokens();
    let workers = quote! {
        #krate::__private::RuntimeConfig {
            current_thread: #current_thread,
            workers: #workers,
            start_paused: #start_paused,
            name: #name,
        }
    };
    match kind {
        Kind::Main => quote! {
            #(#attrs)*
            #vis #sig {
                #krate::__private::main_runtime(#workers).block_on(#future)
            }
        },
        Kind::Test => {
            let timeout = config.timeout_tokens();
            quote! {
                #[::core::prelude::v1::test]
                #(#attrs)*
                #vis #sig {
                    #krate::__private::run_test_with(
                        #workers,
                        ::core::time::Duration::from_secs(#timeout),
                        move || #future,
                    )
                }
            }
        }
    }
}

/// `async move { <body> }`, with the body's value checked against the
/// declared return type right where it is produced, so that a mismatch is
/// reported at the body's tail expression rather than at the attribute.
fn async_block(output: &ReturnType, body: TokenStream, brace_span: Span) -> TokenStream {
    let mut block = Group::new(Delimiter::Brace, body);
    block.set_span(brace_span);
    let ty = match output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) if can_annotate(ty) => ty.to_token_stream(),
        // `impl Trait`, `_` and `!` cannot be written as a `let` type.
        ReturnType::Type(..) => return quote!(async move #block),
    };
    let ret = quote_spanned!(Span::mixed_site()=> __edgeio_ret);
    quote! {
        async move {
            #[allow(clippy::let_unit_value, clippy::diverging_sub_expression)]
            let #ret: #ty = #block;
            #[allow(unreachable_code, clippy::needless_return)]
            return #ret;
        }
    }
}

fn can_annotate(ty: &Type) -> bool {
    fn ok(tokens: TokenStream) -> bool {
        tokens.into_iter().all(|tree| match tree {
            TokenTree::Ident(ident) => ident != "impl",
            TokenTree::Punct(punct) => punct.as_char() != '!',
            TokenTree::Group(group) => ok(group.stream()),
            TokenTree::Literal(_) => true,
        })
    }
    !matches!(ty, Type::Infer(_) | Type::Never(_)) && ok(ty.to_token_stream())
}
