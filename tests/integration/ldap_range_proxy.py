"""An LDAP proxy that makes a real slapd answer like Active Directory for large multi-valued attributes.

Active Directory returns at most MaxValRange (1500) values of an attribute such as a group's
``member`` at once: a large group comes back as ``member;range=0-1499`` (and no plain ``member``),
and the client fetches the next slice with a base search asking for ``member;range=1500-*``; the
last slice is named ``member;range=3000-*``. OpenLDAP knows nothing of this (``range=...`` is not
even a legal attribute option there), so the tests put this proxy between the client and slapd:
it rewrites ``member;range=LOW-HIGH`` in search requests to ``member``, remembers the range per
message id, and cuts the attribute of each search result entry into the AD-style slice. Every
other message is forwarded byte for byte. Messages are decoded and re-encoded with ldap3's own
ASN.1 definitions (pyasn1), so what the client reads is what an LDAP server could send.

Plain LDAP only (no StartTLS, no SASL security layer): the proxy must read the messages.
A requested range starting past the last value returns the attribute absent.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Callable, Iterable
from functools import partial
from types import TracebackType

from ldap3.protocol.rfc4511 import LDAPMessage, PartialAttribute, PartialAttributeList
from pyasn1.codec.ber import decoder, encoder
from pyasn1.error import PyAsn1Error

_RANGE = re.compile(r"^(?P<attr>[^;]+);range=(?P<low>\d+)-(?P<high>\d+|\*)$", re.IGNORECASE)

Range = tuple[int, int | None]  # (low, high); high None is "*"


def message_size(buffer: bytes | bytearray) -> int | None:
    """The byte length of the BER-encoded LDAPMessage at the head of ``buffer``, None if incomplete.

    An LDAPMessage is a SEQUENCE with a definite length (RFC 4511 section 5.1): one tag byte, then
    the length in short form (one byte below 0x80) or long form (0x80 + n, then n bytes).
    """
    if len(buffer) < 2:
        return None
    first = buffer[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if len(buffer) < 2 + count:
        return None
    return 2 + count + int.from_bytes(buffer[2 : 2 + count], "big")


def ad_slice(name: str, values: list[bytes], wanted: Range, max_values: int) -> tuple[str, list[bytes]] | None:
    """AD's answer for ``values`` of attribute ``name`` when the client asked for ``wanted``.

    At most ``max_values`` values from ``low``; the returned range names the last index served,
    or ``*`` when the slice reaches the last value (how the client knows it is done).
    """
    low, high = wanted
    if low >= len(values):
        return None
    end = len(values) if high is None else min(high + 1, len(values))
    end = min(end, low + max_values)
    tail = "*" if end == len(values) else str(end - 1)
    return f"{name};range={low}-{tail}", values[low:end]


class RangeProxy:
    """A TCP proxy on 127.0.0.1 applying AD's ranged retrieval to ``attributes`` of a slapd.

    An entry's ranged attribute holding more than ``max_values`` values (AD's MaxValRange), or
    asked for with a range, is returned as one slice. ``start()`` listens on a free port and
    returns it; each client connection gets its own upstream connection and two threads (one per
    direction). ``stop()`` closes everything.
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        attributes: Iterable[str] = ("member",),
        max_values: int = 1500,
    ) -> None:
        if max_values < 1:
            raise ValueError("max_values must be at least 1")
        self.upstream = (upstream_host, upstream_port)
        self.attributes = {a.lower() for a in attributes}
        self.max_values = max_values
        self.port: int | None = None
        self._listener: socket.socket | None = None
        self._accepter: threading.Thread | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> int:
        """Listen on a free loopback port and accept clients in a thread; returns the port."""
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)  # lets the accept loop notice stop()
        self.port = self._listener.getsockname()[1]
        self._accepter = self._spawn(self._accept_loop)
        return self.port

    def stop(self) -> None:
        """Stop accepting, cut every open connection and wait for the threads."""
        self._stopping.set()
        if self._accepter is not None:
            self._accepter.join()  # from here on no connection or thread is added
        if self._listener is not None:
            self._listener.close()  # resets the connections still waiting in the backlog
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            _shutdown(sock)
        for thread in threads:
            thread.join(timeout=5)

    def __enter__(self) -> RangeProxy:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _spawn(self, target: Callable[..., None], *args: object) -> threading.Thread:
        thread = threading.Thread(target=target, args=args, daemon=True, name=f"ldap-range-proxy-{self.port}")
        with self._lock:
            self._threads.append(thread)
        thread.start()
        return thread

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._serve(client)

    def _serve(self, client: socket.socket) -> None:
        """Connect ``client`` to its own upstream connection, one pump thread per direction."""
        client.settimeout(None)
        try:
            upstream = socket.create_connection(self.upstream, timeout=10)
            upstream.settimeout(None)
        except OSError:
            client.close()
            return
        with self._lock:
            self._sockets.update((client, upstream))
        ranges: dict[int, dict[str, Range]] = {}  # message id -> attribute -> range asked
        self._spawn(self._pump, client, upstream, partial(self._rewrite_request, ranges=ranges))
        self._spawn(self._pump, upstream, client, partial(self._rewrite_response, ranges=ranges))

    def _pump(self, source: socket.socket, sink: socket.socket, rewrite: Callable[[bytes], bytes]) -> None:
        """Forward whole LDAPMessages from ``source`` to ``sink`` through ``rewrite`` until EOF."""
        buffer = bytearray()
        try:
            while chunk := source.recv(65536):
                buffer += chunk
                while (size := message_size(buffer)) is not None and len(buffer) >= size:
                    sink.sendall(rewrite(bytes(buffer[:size])))
                    del buffer[:size]
        except OSError:
            pass  # the other direction or stop() closed the connection
        finally:
            for sock in (source, sink):
                _shutdown(sock)
                sock.close()
            with self._lock:
                self._sockets.difference_update((source, sink))

    def _rewrite_request(self, data: bytes, ranges: dict[int, dict[str, Range]]) -> bytes:
        """Replace ``member;range=L-H`` by ``member`` in a SearchRequest and remember the range."""
        message = _decode(data)
        if message is None or message["protocolOp"].getName() != "searchRequest":
            return data
        op = message["protocolOp"]
        selection = op["searchRequest"]["attributes"]
        wanted: dict[str, Range] = {}
        for index, selector in enumerate(list(selection)):
            match = _RANGE.match(str(selector))
            if match and match["attr"].lower() in self.attributes:
                high = None if match["high"] == "*" else int(match["high"])
                wanted[match["attr"].lower()] = (int(match["low"]), high)
                selection[index] = match["attr"]
        if not wanted:
            return data
        ranges[int(message["messageID"])] = wanted
        return encoder.encode(message)

    def _rewrite_response(self, data: bytes, ranges: dict[int, dict[str, Range]]) -> bytes:
        """Cut the ranged attributes of a SearchResultEntry into AD slices; forget done searches."""
        message = _decode(data)
        if message is None:
            return data
        op = message["protocolOp"]
        kind = op.getName()
        if kind == "searchResDone":
            ranges.pop(int(message["messageID"]), None)
        if kind != "searchResEntry":
            return data
        wanted = ranges.get(int(message["messageID"]), {})
        entry = op["searchResEntry"]
        changed = False
        attributes = PartialAttributeList()
        for attribute in entry["attributes"]:
            name = str(attribute["type"])
            values = [bytes(v) for v in attribute["vals"]]
            asked = wanted.get(name.lower())
            if name.lower() in self.attributes and (asked is not None or len(values) > self.max_values):
                changed = True
                cut = ad_slice(name, values, asked or (0, None), self.max_values)
                if cut is None:
                    continue
                attribute = PartialAttribute()
                attribute["type"] = cut[0]
                attribute["vals"].extend(cut[1])
            attributes.append(attribute)
        if not changed:
            return data
        entry["attributes"] = attributes
        return encoder.encode(message)


def _decode(data: bytes) -> LDAPMessage | None:
    """The LDAPMessage in ``data``; None for what ldap3's ASN.1 cannot read (forwarded as is)."""
    try:
        message, _ = decoder.decode(data, asn1Spec=LDAPMessage())
    except PyAsn1Error:
        return None
    return message


def _shutdown(sock: socket.socket) -> None:
    """Wake a thread blocked in ``recv`` on ``sock`` (closing alone does not)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
