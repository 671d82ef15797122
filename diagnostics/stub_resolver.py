"""A DNS stub resolver for the diagnosis: A or AAAA for one name, the CNAME chain, and why it failed.

It asks the way dnspython's `Resolver.resolve(name, rdtype, search=False)` does (the servers of resolv.conf or the one
given, in order; UDP, TCP when the answer is truncated; a server that answers SERVFAIL/REFUSED/garbage is dropped, one
that is silent is asked again after a back-off until the lifetime runs out) and reads the same answer from the reply.
Why not dnspython itself: `import dns.resolver` costs about 100 modules and 50-70 ms, as much as the rest of
`tcr-doctor diagnose`'s start-up together (`python -X importtime`, see benchmarks/bench_startup.py).
tests/test_stub_resolver.py asks both the same questions of the tests' DNS server and compares the answers.

Only plain ASCII host names are handled here (`handles(name)`); anything else (IDN, escapes, odd labels) goes to
dnspython, whose rules for those are the reference.

resolv.conf (`read_config`) is read as the clients being diagnosed read it (glibc's resolver, resolv.conf(5); Go's
resolver, which docker and containerd use, reads nameserver, timeout, attempts and rotate the same way and sends
EDNS0 always), where that changes what they see:
* at most MAXNS = 3 `nameserver` lines count (glibc and Go ignore the rest; dnspython does not);
* `options timeout:n` is how long one server is waited for (capped to 30), `attempts:n` how many rounds over the
  servers are made (capped to 5) before the name is a timeout: the diagnosis gives up where the client would
  (dnspython reads timeout, not attempts; without them the stub keeps dnspython's 2 s per server, bounded by the
  diagnosis' deadline);
* `rotate`: each query starts at the next server, round-robin (glibc's RES_ROTATE; dnspython shuffles instead),
  so a bad second server shows up in a diagnosis as it does for the client;
* `edns0`: queries carry an EDNS0 OPT record (payload 1232, dnspython's default), so an answer too large for 512
  bytes comes over UDP as the client gets it, not truncated and asked again over TCP; a server that answers FORMERR
  is asked again without it, as glibc's resolver does (RES_F_EDNS0ERR);
* `RES_OPTIONS` in the environment amends `options` (glibc).
`use-vc`, `single-request` and the like are not read. `ndots` and `search` are not applied: the stub asks the name as an absolute one, as dnspython's
`resolve(search=False)` does. A registry name has dots, so with the default ndots:1 glibc and Go ask it as
absolute first too; only a larger ndots (Kubernetes pods: 5) makes them try the search domains first, which changes
the answer only when one of those has a matching or wildcard name.
"""

from __future__ import annotations

# The socket type itself, not the `socket` module: that module's enum conversions (AddressFamily, SocketKind, ...)
# and its selectors import are ~15 M instructions, an eighth of a diagnosis that ends at its DNS step (valgrind,
# benchmarks/bench_startup.py), for the two sockets asked here. The TCP and TLS steps use `socket` (ssl needs it).
import _socket
import itertools
import os
import re
import select
import struct
import time

from .ip_literal import is_ip
from .value import Record, Value

RESOLV_CONF = "/etc/resolv.conf"
TYPES = {"A": 1, "AAAA": 28}
CNAME, OPT, CLASS_IN = 5, 41, 1
QR, TC = 0x8000, 0x0200
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, YXDOMAIN = 0, 1, 2, 3, 4, 5, 6
RCODES = {
    0: "NOERROR",
    1: "FORMERR",
    2: "SERVFAIL",
    3: "NXDOMAIN",
    4: "NOTIMP",
    5: "REFUSED",
    6: "YXDOMAIN",
    7: "YXRRSET",
    8: "NXRRSET",
    9: "NOTAUTH",
    10: "NOTZONE",
    16: "BADVERS",
}
MAX_CHAIN = 16  # CNAMEs followed in one answer (dnspython's limit too)
MAXNS = 3  # nameservers glibc (resolv.conf(5), <resolv.h>) and Go read from resolv.conf
MAX_TIMEOUT, MAX_ATTEMPTS = 30, 5  # resolv.conf(5): timeout "silently capped to 30", attempts "capped to 5"
EDNS_PAYLOAD = 1232  # the UDP payload an EDNS0 query offers (dnspython's DEFAULT_EDNS_PAYLOAD)
# (a string, compiled by re on the first name asked: a diagnosis of an IP address never asks, and the compilation
# is ~0.9 M instructions of its start-up, valgrind)
_HOST = r"(?=.{1,253}\.?$)[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?"


class ResolverError(Exception):
    """The name could not be resolved (the subclass says why)."""


class NXDomain(ResolverError):
    """The name does not exist."""


class Timeout(ResolverError):
    """No server answered within the lifetime."""


class NoNameservers(ResolverError):
    """Every server failed (SERVFAIL, REFUSED, a broken reply, an error); the message lists each one's answer."""


class NoConfiguration(ResolverError):
    """resolv.conf is missing, unreadable or names no server."""


class _FormError(ResolverError):
    """A reply that is not a well-formed DNS message."""


class _Truncated(ResolverError):
    """A reply with the TC bit: ask again over TCP."""


class Answer(Record):
    """The addresses of the chain's last name (empty: NODATA) and every CNAME target in the answer section."""

    def __init__(self, addresses: list[str] | None = None, cnames: list[str] | None = None) -> None:
        self.addresses: list[str] = [] if addresses is None else addresses
        self.cnames: list[str] = [] if cnames is None else cnames


class Options(Value):
    """The resolv.conf options that change what a client sees (see the module's docstring)."""

    __slots__ = ("timeout", "attempts", "rotate", "edns0")

    def __init__(
        self, timeout: float | None = None, attempts: int | None = None, rotate: bool = False, edns0: bool = False
    ) -> None:
        self.timeout = timeout  # seconds one server is waited for; None: the caller's
        self.attempts = attempts  # rounds over the servers; None: until the lifetime runs out
        self.rotate = rotate  # start each query at the next server
        self.edns0 = edns0  # queries carry an EDNS0 OPT record


class Config(Value):
    """A resolv.conf: its nameservers (ip, 53) and options."""

    __slots__ = ("nameservers", "options")

    def __init__(self, nameservers: list[tuple[str, int]], options: Options | None = None) -> None:
        self.nameservers = nameservers
        self.options = Options() if options is None else options


class _Message:
    def __init__(
        self,
        id: int,
        flags: int,
        rcode: int,
        question: list[tuple[str, int, int]],
        answer: list[tuple[str, int, int, str]],  # (owner name in lower case, type, class, address or CNAME target)
    ) -> None:
        self.id = id
        self.flags = flags
        self.rcode = rcode
        self.question = question
        self.answer = answer


def handles(name: str) -> bool:
    """True for a plain ASCII host name (letters, digits, '-', '_'; labels of 1-63 bytes, at most 253 in all)."""
    return re.fullmatch(_HOST, name) is not None


def read_resolv_conf(path: str | None = None) -> list[tuple[str, int]]:
    """The nameservers of a resolv.conf file (default /etc/resolv.conf), as (ip, 53). Raises NoConfiguration."""
    return read_config(path).nameservers


def read_config(path: str | None = None, env: dict[str, str] | None = None) -> Config:
    """The nameservers (the first MAXNS) and the options of a resolv.conf file (default /etc/resolv.conf), the
    options amended by RES_OPTIONS from ENV (default os.environ). Raises NoConfiguration."""
    path = path or RESOLV_CONF
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        raise NoConfiguration(f"cannot open {path}") from None
    servers: list[tuple[str, int]] = []
    words: list[str] = []
    for line in lines:
        tokens = line.split()
        if len(tokens) < 2 or line[0] in "#;":
            continue
        if tokens[0] == "options":
            words += tokens[1:]
        if tokens[0] != "nameserver":
            continue
        if not is_ip(tokens[1].split("%", 1)[0]):
            raise NoConfiguration(f"nameserver {tokens[1]} is not an IP address")
        if len(servers) < MAXNS:
            servers.append((tokens[1], 53))
    if not servers:
        raise NoConfiguration("no nameservers")
    words += (os.environ if env is None else env).get("RES_OPTIONS", "").split()
    return Config(servers, _options(words))


def _options(words: list[str]) -> Options:
    """Options from `options` words, a later word overriding an earlier one (glibc reads them in order)."""
    numbers: dict[str, int] = {}
    flags: set[str] = set()
    for word in words:
        key, _, value = word.partition(":")
        if key in ("rotate", "edns0"):
            flags.add(key)
        elif key in ("timeout", "attempts") and value.isdigit():
            cap = MAX_TIMEOUT if key == "timeout" else MAX_ATTEMPTS
            numbers[key] = max(1, min(int(value), cap))  # glibc waits at least a second; 0 rounds would ask nobody
    timeout = numbers.get("timeout")
    return Options(
        timeout=float(timeout) if timeout is not None else None,
        attempts=numbers.get("attempts"),
        rotate="rotate" in flags,
        edns0="edns0" in flags,
    )


_rotation = itertools.count()  # RES_ROTATE: where the next query starts (per process, as glibc's)


def resolve(
    name: str,
    rdtype: str,
    nameservers: list[tuple[str, int]],
    timeout: float,
    lifetime: float,
    options: Options | None = None,
) -> Answer:
    """Ask NAMESERVERS for the RDTYPE ("A" | "AAAA") records of NAME, following the CNAME chain in the reply.

    TIMEOUT bounds one exchange (OPTIONS.timeout replaces it), LIFETIME the whole resolution; OPTIONS are
    resolv.conf's (attempts, rotate, edns0). Raises NXDomain, Timeout or NoNameservers."""
    opts = options or Options()
    asked = name.rstrip(".") + "."  # sent as given (a server may echo its case in compressed names)
    question = (asked, TYPES[rdtype])
    timeout = opts.timeout or timeout
    payload = EDNS_PAYLOAD if opts.edns0 else 0
    start = time.monotonic()
    servers = list(nameservers)
    if opts.rotate and servers:
        first = next(_rotation) % len(servers)
        servers = servers[first:] + servers[:first]
    errors: list[tuple[str, int, str]] = []  # (server ip, port, what it answered)
    backoff, rounds = 0.1, 0
    while servers:
        if opts.attempts is not None and rounds >= opts.attempts:
            raise Timeout(f"No server answered in {rounds} attempt(s) (resolv.conf attempts:{opts.attempts})")
        if rounds:  # every server was asked and some stayed silent: wait a little, then ask those again
            time.sleep(max(0.0, min(backoff, lifetime - (time.monotonic() - start))))
            backoff = min(backoff * 2, 2.0)
        rounds += 1
        for server in list(servers):
            reply = _exchange(server, question, timeout, start + lifetime, payload)
            if payload and isinstance(reply, _Message) and reply.rcode == FORMERR:
                payload = 0  # the server does not take EDNS0: ask again without it (glibc: RES_F_EDNS0ERR)
                reply = _exchange(server, question, timeout, start + lifetime, payload)
            answer = _answer_in(reply, question) if isinstance(reply, _Message) else reply
            if isinstance(answer, Answer):
                return answer
            if answer is None:
                errors.append((*server, "nothing (timed out)"))
                continue
            servers.remove(server)
            errors.append((*server, answer))
    detail = "; ".join(f"Server Do53:{ip}@{port} answered {why}" for ip, port, why in errors)
    raise NoNameservers(f"All nameservers failed to answer the query {asked} IN {rdtype}: {detail}")


def _exchange(
    server: tuple[str, int], question: tuple[str, int], timeout: float, ends: float, payload: int = 0
) -> _Message | str | None:
    """One server's reply (over UDP, then TCP when it is truncated); None when the server stayed silent; why it is
    no good otherwise. Raises Timeout when the resolution's time (ENDS) is up."""
    tcp = False
    while True:
        left = ends - time.monotonic()
        if left <= 0:
            raise Timeout("The resolution lifetime expired")
        query_id = int.from_bytes(os.urandom(2), "big")
        try:
            return (_tcp if tcp else _udp)(server, query_id, question, min(timeout, left), payload)
        except _Truncated:
            if tcp:
                return "a truncated reply over TCP"
            tcp = True
        except Timeout:
            return None
        except (_FormError, EOFError, OSError) as exc:
            return str(exc) or type(exc).__name__


def _answer_in(reply: _Message, question: tuple[str, int]) -> Answer | str:
    """The answer in REPLY, or why the server is no good. Raises NXDomain (and ResolverError on YXDOMAIN)."""
    if reply.rcode == NXDOMAIN:
        raise NXDomain(f"The DNS query name does not exist: {question[0]}")
    if reply.rcode == YXDOMAIN:
        raise ResolverError("The DNS query name is too long after DNAME substitution.")
    if reply.rcode != NOERROR:
        return RCODES.get(reply.rcode, str(reply.rcode))
    try:
        return _answer(reply, question[0].lower(), question[1])
    except _FormError as exc:
        return str(exc)


def _answer(reply: _Message, qname: str, qtype: int) -> Answer:
    """The addresses at the end of the CNAME chain from QNAME, and every CNAME target in the answer section."""
    out = Answer(cnames=[])
    for _owner, rtype, rclass, value in reply.answer:
        if rtype == CNAME and rclass == CLASS_IN and value.rstrip(".") not in out.cnames:
            out.cnames.append(value.rstrip("."))
    name = qname
    for _ in range(MAX_CHAIN + 1):
        found = [v for o, t, c, v in reply.answer if o == name and t == qtype and c == CLASS_IN]
        if found:
            out.addresses = list(dict.fromkeys(found))
            return out
        target = next((v for o, t, c, v in reply.answer if o == name and t == CNAME and c == CLASS_IN), None)
        if target is None:
            return out  # NODATA, or a chain that ends without the asked type
        name = target.lower()
    raise _FormError("the CNAME chain is too long")


# ------------------------------------------------------------------------------------------------ wire format
def _query(query_id: int, qname: str, qtype: int, payload: int = 0) -> bytes:
    """A query (RD set); with PAYLOAD, an EDNS0 OPT record offering that UDP payload size (RFC 6891)."""
    labels = b"".join(bytes([len(part)]) + part.encode("ascii") for part in qname.rstrip(".").split("."))
    header = struct.pack("!HHHHHH", query_id, 0x0100, 1, 0, 0, 1 if payload else 0)
    opt = b"\0" + struct.pack("!HHIH", OPT, payload, 0, 0) if payload else b""
    return header + labels + b"\0" + struct.pack("!HH", qtype, CLASS_IN) + opt


def _name(wire: bytes, offset: int) -> tuple[str, int]:
    """The name at OFFSET (text as on the wire, trailing dot) and the offset after it; pointers must point back."""
    labels: list[str] = []
    end = None
    biggest = offset
    size = 0
    while (count := _byte(wire, offset)) != 0:
        if count >= 0xC0:  # a compression pointer: the rest of the name is earlier in the reply
            pointer = (count & 0x3F) << 8 | _byte(wire, offset + 1)
            end = offset + 2 if end is None else end
            if pointer >= biggest:
                raise _FormError("a compression pointer points forward")
            biggest = offset = pointer
            continue
        if count >= 0x40:
            raise _FormError("a label of an unknown type")
        label = wire[offset + 1 : offset + 1 + count]
        size += count + 1
        if len(label) != count or size > 254:
            raise _FormError("a name runs past the end of the reply or is longer than 255 bytes")
        labels.append(_text(label))
        offset += 1 + count
    return ".".join(labels) + ".", (end if end is not None else offset + 1)


def _byte(wire: bytes, offset: int) -> int:
    if offset >= len(wire):
        raise _FormError("a name runs past the end of the reply")
    return wire[offset]


def _text(label: bytes) -> str:
    """A label as text, escaped like dnspython's `Name.to_text()`."""
    out = []
    for byte in label:
        char = chr(byte)
        if char in '"().;\\@$':
            out.append("\\" + char)
        elif 0x20 < byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return "".join(out)


def _parse(wire: bytes) -> _Message:
    if len(wire) < 12:
        raise _FormError("a reply shorter than a DNS header")
    query_id, flags, qdcount, ancount, nscount, arcount = struct.unpack("!HHHHHH", wire[:12])
    offset = 12
    question = []
    for _ in range(qdcount):
        name, offset = _name(wire, offset)
        qtype, qclass = struct.unpack("!HH", _slice(wire, offset, 4))
        offset += 4
        question.append((name.lower(), qtype, qclass))
    if flags & TC:
        return _Message(query_id, flags, flags & 0xF, question, [])  # the rest may be cut anywhere
    message = _Message(query_id, flags, flags & 0xF, question, [])
    for section, count in enumerate((ancount, nscount, arcount)):
        for _ in range(count):
            offset = _record(wire, offset, section, message)
    if offset != len(wire):
        raise _FormError("trailing bytes after the reply")
    return message


def _slice(wire: bytes, offset: int, length: int) -> bytes:
    part = wire[offset : offset + length]
    if len(part) != length:
        raise _FormError("a record runs past the end of the reply")
    return part


def _record(wire: bytes, offset: int, section: int, message: _Message) -> int:
    """Read the resource record at OFFSET into MESSAGE (A, AAAA and CNAME of the answer section; an OPT record's
    extended rcode); returns the offset after it."""
    owner, offset = _name(wire, offset)
    rtype, rclass, ttl, length = (int(x) for x in struct.unpack("!HHIH", _slice(wire, offset, 10)))
    offset += 10
    rdata = _slice(wire, offset, length)
    if section == 2 and rtype == OPT:
        message.rcode |= (ttl >> 24) << 4
    if section != 0 or rclass != CLASS_IN or rtype not in (1, 28, CNAME):
        return offset + length
    if rtype == CNAME:
        target, after = _name(wire, offset)
        if after != offset + length:
            raise _FormError("a CNAME record of the wrong length")
        message.answer.append((owner.lower(), rtype, rclass, target))
    elif length != (4 if rtype == 1 else 16):
        raise _FormError("an address record of the wrong length")
    else:
        family = _socket.AF_INET if rtype == 1 else _socket.AF_INET6
        message.answer.append((owner.lower(), rtype, rclass, _socket.inet_ntop(family, rdata)))
    return offset + length


def _is_response(reply: _Message, query_id: int, question: tuple[str, int]) -> bool:
    """Whether REPLY answers our query (dnspython's `Message.is_response`)."""
    if not reply.flags & QR or reply.id != query_id or (reply.flags >> 11) & 0xF != 0:
        return False
    if reply.rcode in (FORMERR, SERVFAIL, NOTIMP, REFUSED) and not reply.question:
        return True
    return reply.question == [(question[0].lower(), question[1], CLASS_IN)]


def _open(server: tuple[str, int], kind: int) -> _socket.socket:
    """A socket of KIND (SOCK_DGRAM, SOCK_STREAM) for SERVER's address family; non-inheritable, as every socket
    Python makes."""
    return _socket.socket(_socket.AF_INET6 if ":" in server[0] else _socket.AF_INET, kind)


def _udp(
    server: tuple[str, int], query_id: int, question: tuple[str, int], timeout: float, payload: int = 0
) -> _Message:
    """One UDP exchange. Replies from elsewhere, broken or not ours are ignored (as dnspython does)."""
    wire = _query(query_id, *question, payload)
    expires = time.monotonic() + timeout
    sock = _open(server, _socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        sock.sendto(wire, server)
        while True:
            left = expires - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                raise Timeout("timed out")
            try:
                data, peer = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionRefusedError:
                continue  # an ICMP error for an earlier datagram: dnspython's unconnected socket never sees it
            if peer[0] != server[0] or peer[1] != server[1]:
                continue
            try:
                reply = _parse(data)
            except _FormError:
                continue
            if not _is_response(reply, query_id, question):
                continue
            if reply.flags & TC:
                raise _Truncated()
            return reply
    finally:
        sock.close()


def _tcp(
    server: tuple[str, int], query_id: int, question: tuple[str, int], timeout: float, payload: int = 0
) -> _Message:
    """One TCP exchange (length-prefixed)."""
    wire = _query(query_id, *question, payload)
    expires = time.monotonic() + timeout
    sock = _open(server, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(server)
        sock.sendall(struct.pack("!H", len(wire)) + wire)
        size = struct.unpack("!H", _read(sock, 2, expires))[0]
        data = _read(sock, size, expires)
    except TimeoutError:
        raise Timeout("timed out") from None
    finally:
        sock.close()
    reply = _parse(data)
    if not _is_response(reply, query_id, question):
        raise _FormError("a reply that does not answer the query")
    if reply.flags & TC:
        raise _Truncated()
    return reply


def _read(sock: _socket.socket, size: int, expires: float) -> bytes:
    data = b""
    while len(data) < size:
        left = expires - time.monotonic()
        if left <= 0:
            raise TimeoutError()
        sock.settimeout(left)
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError("the server closed the connection")
        data += chunk
    return data
