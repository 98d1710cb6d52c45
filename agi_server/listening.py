"""Where the FastAGI server listens and which peers it lets in: the allow-list's networks and checks, and the
dual-stack socket for `--host ::`.

A peer is checked against the allow-list (`peer_allowed`) before a single byte is read; an IPv4 peer of a
dual-stack listener (::ffff:a.b.c.d) is checked, logged and recorded as the IPv4 address it is (`ipv4_form`).
At start the server warns when the allow-list lets in loopback peers only while it listens beyond loopback
(`only_loopback`, `loopback_address`): no remote Asterisk could get in.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def loopback_address(host: str) -> bool:
    """Is `host` (the address listened on) a loopback address? A name such as `localhost` counts as one; an empty
    host or 0.0.0.0 / :: (every address) does not."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def unmapped(network: IpNetwork) -> IpNetwork:
    """An allow-list entry in IPv4-mapped form (::ffff:10.0.0.0/104) as the IPv4 network it means: peers are
    checked as IPv4 once unmapped (`peer_allowed`), and an IPv6 network never contains an IPv4 address."""
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return ipaddress.IPv4Network(f"{mapped}/{network.prefixlen - 96}")
    return network


def only_loopback(networks: Iterable[IpNetwork]) -> bool:
    """Do `networks` let in loopback peers only (the default allow-list)?"""
    return all(network.network_address.is_loopback and network.broadcast_address.is_loopback for network in networks)


def every_ipv6_address(host: str) -> bool:
    """Is `host` the IPv6 wildcard (`::`), where one dual-stack socket takes IPv4 peers too?"""
    try:
        return ipaddress.ip_address(host) == ipaddress.IPv6Address("::")
    except ValueError:
        return False


def _accept_ipv4_too(sock: socket.socket) -> None:
    """Clear IPV6_V6ONLY, so IPv4 peers reach this IPv6 socket as ::ffff:a.b.c.d; OSError where the host cannot."""
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)


def ipv6_listener(port: int, networks: Iterable[IpNetwork]) -> socket.socket:
    """A socket bound to [::]:`port` that IPv4 peers reach too, for `--host ::`.

    asyncio's own listener for `::` sets IPV6_V6ONLY: every IPv4 Asterisk was refused by the kernel, while the start
    line said its network was allowed (SRE review). Dual-stack, an IPv4 peer arrives as ::ffff:a.b.c.d, which the
    allow-list checks (`peer_allowed`) and the logs show (`ipv4_form`) as IPv4. On a host where IPv6 sockets cannot
    take IPv4 peers the listener stays IPv6-only, which is refused (OSError) when `networks` allows IPv4 peers."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        if os.name == "posix":  # as asyncio does: a restart binds at once, not after TIME_WAIT
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            _accept_ipv4_too(sock)
        except OSError as error:
            ipv4 = [str(network) for network in networks if network.version == 4]
            if ipv4:
                raise OSError(
                    error.errno,
                    f"this host cannot take IPv4 peers on an IPv6 socket ({error.strerror or error}), and the "
                    f"allow-list names IPv4 networks ({', '.join(ipv4)}): listen on 0.0.0.0 or an IPv4 address",
                ) from error
        try:
            sock.bind(("::", port))
        except OSError as error:  # worded as asyncio words it for the other addresses ("address already in use")
            raise OSError(error.errno, (error.strerror or str(error)).lower()) from error
    except BaseException:
        sock.close()
        raise
    return sock


def ipv4_form(host: str) -> str:
    """A peer's address as the socket reports it, an IPv4 peer of a dual-stack listener (::ffff:a.b.c.d) as the
    IPv4 address it is: what the allow-list's cache, the logs and the call record say."""
    return host[7:] if host.startswith("::ffff:") and "." in host else host


def peer_allowed(host: str, networks: Iterable[IpNetwork]) -> bool:
    """Is `host` (an address as the socket reports it) inside one of `networks`?"""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)
