"""What the web engine may send past the request filter, decided as Chromium flags.

The URL filter decides every request the engine's interceptor sees. Some traffic never
reaches it: WebRTC (STUN, TURN, ICE checks, data channels), WebTransport (QUIC) and preconnects
open their own sockets. Chromium has no switch that turns WebRTC or WebTransport off, so the
kiosk closes the way out under them:

- ``--force-webrtc-ip-handling-policy=disable_non_proxied_udp``: WebRTC sends no UDP at all
  (no STUN, no TURN over UDP, no UDP candidates, so no ICE check over UDP, no mDNS);
- a proxy the kiosk itself answers (``network_gate``), with the URL filter's hosts bypassing
  it: every other TCP connection the engine opens (TURN over TCP, an ICE-TCP check, a
  preconnect, a request that got past the filter by a path it does not see) goes to the kiosk,
  which refuses it and records the host it was for; WebTransport refuses to run through a
  proxy at all, so it reaches only the filter's hosts;
- ``<-loopback>``: this computer's own addresses (another program listening on localhost) go
  through the same gate; Chromium would otherwise never proxy them.

The bypass list is the filter's hosts and ports (:meth:`UrlFilter.admitted_hosts`); a filter
with a regex allow rule names no host, and then every host bypasses the gate (WebRTC still
sends no UDP). Chromium reads flags once per process, so the hosts are those of the first run;
a later run's own hosts reach the gate, which carries a CONNECT to them (:func:`tunnel_admits`).
"""

from __future__ import annotations

import ipaddress
from fnmatch import fnmatchcase

from policies.urlfilter import AdmittedHost

#: The kiosk's own switches, never taken from the environment (policies/engine.py).
WEBRTC_POLICY = "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"
ANY_HOST = "*"


def bypass_rules(hosts: tuple[AdmittedHost, ...] | None) -> list[str]:
    """Chromium proxy-bypass patterns for the hosts and ports the URL filter admits."""
    if hosts is None or any(h.host == ANY_HOST for h in hosts):
        return [ANY_HOST]
    rules: list[str] = []
    for admitted in hosts:
        host = f"[{admitted.host}]" if ":" in admitted.host else admitted.host
        port = "" if admitted.port is None else f":{admitted.port}"
        rules.append(f"{host}{port}")
        if admitted.subdomains and not admitted.host.startswith("*") and not _ip(admitted.host):
            rules.append(f".{host}{port}")  # Chromium: ".a.org" is every name below a.org
    return list(dict.fromkeys(rules))


def _ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def engine_flags(gate_port: int, hosts: tuple[AdmittedHost, ...] | None) -> list[str]:
    """The flags that send everything the filter does not admit to the gate on ``gate_port``."""
    bypass = ";".join(["<-loopback>", *bypass_rules(hosts)])
    return [
        WEBRTC_POLICY,
        f"--proxy-server=http://127.0.0.1:{gate_port}",
        f"--proxy-bypass-list={bypass}",
    ]


def split_target(target: str) -> tuple[str, int] | None:
    """``host:port`` of a CONNECT line (IPv6 in brackets) as (lower-case host, port)."""
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    host = host.lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return (host, int(port)) if host else None


def tunnel_admits(hosts: tuple[AdmittedHost, ...] | None, target: str) -> bool:
    """Whether the run's URL filter admits some URL on ``target`` (``host:port``): the gate
    then carries the connection, as when a later run's filter admits a host the engine (whose
    bypass list is the first run's) sends to the gate."""
    split = split_target(target)
    if split is None:
        return False
    if hosts is None:
        return True  # as a bypass of every host (bypass_rules)
    host, port = split
    for admitted in hosts:
        if admitted.port is not None and admitted.port != port:
            continue
        name = admitted.host.lower()
        if fnmatchcase(host, name) or (admitted.subdomains and fnmatchcase(host, "*." + name)):
            return True
    return False


def gate_target(first_line: str) -> str:
    """The host a connection to the gate was for, from its first line: ``CONNECT host:port``
    (https, wss, WebRTC over TCP) or ``GET http://host/...`` (plain http)."""
    parts = first_line.split()
    if len(parts) < 2:
        return ""
    target = parts[1]
    if parts[0].upper() == "CONNECT":
        return target[:300]
    _, _, rest = target.partition("://")
    return rest.split("/", 1)[0][:300] if rest else target[:300]
