//! [`ToSocketAddrs`]: what `connect` and `send_to` accept as a destination,
//! resolved without blocking a worker thread.
//!
//! `std::net::ToSocketAddrs` calls `getaddrinfo` for host names, which can
//! take seconds (a slow DNS server, a timeout) and would stall every task
//! on the worker that made the call. Here IP literals are parsed in place,
//! and only a real host name goes to the blocking pool, as in tokio.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use edgeio_runtime::Handle;

/// A destination for [`AsyncTcpStream::connect`](crate::AsyncTcpStream::connect)
/// and [`AsyncUdpSocket::send_to`](crate::AsyncUdpSocket::send_to): a
/// socket address, an `(ip, port)` pair, a slice of addresses, or a
/// `"host:port"` string or `(host, port)` pair.
///
/// Addresses and IP literals are used as they are; a host name is looked
/// up with `getaddrinfo` on the runtime's blocking pool, so the worker
/// keeps running other tasks meanwhile. A string that is not of the form
/// `host:port` fails at once with `io::ErrorKind::InvalidInput`.
///
/// Sealed: implemented for the types listed above and references to them.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::{AsyncTcpListener, AsyncTcpStream};
///
/// let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
/// let port = listener.local_addr()?.port();
/// // An IP literal: parsed in place.
/// AsyncTcpStream::connect(("127.0.0.1", port)).await?;
/// // A malformed destination: an error, never a lookup.
/// let err = AsyncTcpStream::connect("127.0.0.1").await.unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

pub(crate) mod sealed {
    use std::io;
    use std::net::SocketAddr;

    /// How a destination turns into addresses.
    #[derive(Debug)]
    pub enum Lookup {
        /// Known without asking the resolver (or invalid).
        Done(io::Result<Vec<SocketAddr>>),
        /// A host name and port for `getaddrinfo`.
        Name(String, u16),
    }

    /// The hidden half of [`super::ToSocketAddrs`].
    pub trait Sealed {
        fn lookup(&self) -> Lookup;
    }
}

use sealed::{Lookup, Sealed};

/// The addresses `addr` stands for, looking host names up on the blocking
/// pool.
pub(crate) async fn resolve(addr: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    match addr.lookup() {
        Lookup::Done(addrs) => addrs,
        Lookup::Name(host, port) => {
            let lookup = move || -> io::Result<Vec<SocketAddr>> {
                Ok(std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))?.collect())
            };
            Handle::try_current()?.spawn_blocking(lookup).await?
        }
    }
}

fn invalid(message: &'static str) -> Lookup {
    Lookup::Done(Err(io::Error::new(io::ErrorKind::InvalidInput, message)))
}

fn host_port(host: &str, port: u16) -> Lookup {
    match host.parse::<IpAddr>() {
        Ok(ip) => Lookup::Done(Ok(vec![SocketAddr::new(ip, port)])),
        Err(_) => Lookup::Name(host.to_owned(), port),
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrs + ?Sized> Sealed for &T {
    fn lookup(&self) -> Lookup {
        (**self).lookup()
    }
}

macro_rules! addr_types {
    ($($ty:ty),*) => {$(
        impl ToSocketAddrs for $ty {}
        impl Sealed for $ty {
            fn lookup(&self) -> Lookup {
                Lookup::Done(Ok(vec![SocketAddr::from(*self)]))
            }
        }
    )*};
}

addr_types!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16)
);

impl ToSocketAddrs for [SocketAddr] {}
impl Sealed for [SocketAddr] {
    fn lookup(&self) -> Lookup {
        Lookup::Done(Ok(self.to_vec()))
    }
}

impl ToSocketAddrs for str {}
impl Sealed for str {
    /// `"ip:port"` (`"[v6]:port"` for IPv6) or `"host:port"`, split at the
    /// last colon as `std` does.
    fn lookup(&self) -> Lookup {
        if let Ok(addr) = self.parse::<SocketAddr>() {
            return Lookup::Done(Ok(vec![addr]));
        }
        let Some((host, port)) = self.rsplit_once(':') else {
            return invalid("invalid socket address: expected host:port");
        };
        match port.parse::<u16>() {
            Ok(port) => host_port(host, port),
            Err(_) => invalid("invalid port value"),
        }
    }
}

impl ToSocketAddrs for String {}
impl Sealed for String {
    fn lookup(&self) -> Lookup {
        self.as_str().lookup()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl Sealed for (&str, u16) {
    fn lookup(&self) -> Lookup {
        host_port(self.0, self.1)
    }
}

impl ToSocketAddrs for (String, u16) {}
impl Sealed for (String, u16) {
    fn lookup(&self) -> Lookup {
        host_port(&self.0, self.1)
    }
}

/// Looks `host` up, as tokio's `net::lookup_host`: the addresses a
/// `"host:port"` string, a `(host, port)` pair or an address stands for.
///
/// A host *name* is resolved with `getaddrinfo` on the runtime's blocking
/// pool (`spawn_blocking`), so the worker keeps running other tasks during
/// a slow DNS answer; IP literals are parsed in place. Fails outside a
/// runtime only when a name actually has to be looked up.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let addrs: Vec<_> = edgeio_net::lookup_host("127.0.0.1:80").await?.collect();
/// assert_eq!(addrs, ["127.0.0.1:80".parse().unwrap()]);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn lookup_host(host: impl ToSocketAddrs) -> io::Result<impl Iterator<Item = SocketAddr>> {
    Ok(resolve(host).await?.into_iter())
}
