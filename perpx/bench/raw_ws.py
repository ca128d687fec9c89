"""A WebSocket client on a plain blocking socket (websockets' sans-I/O protocol), for load generators.

A benchmark's client must cost little and keep time: no event loop between the clock and the
socket. The handshake happens here; then frames are written with `send_texts` (many at once, one
syscall) and read with `receive_texts`. After a fork, one process may only send on a connection and
another only receive (their protocol copies then never disagree: the sending half keeps no state
about what arrives, and the receiving half none about what leaves).
"""

import socket
from urllib.parse import urlsplit

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri


class RawWebSocket:
    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        parts = urlsplit(url)
        self.protocol = ClientProtocol(parse_uri(url), max_size=None)
        self.sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout_s)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        self.pending: list[str] = []  # text frames received with the handshake's last read
        while True:
            self._feed(self.sock.recv(65536))
            if self.protocol.handshake_exc is not None:
                raise self.protocol.handshake_exc
            if self.handshaken:
                break
        self.sock.settimeout(None)

    handshaken = False

    def _feed(self, data: bytes) -> None:
        if not data:
            raise ConnectionError("the server closed the connection")
        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Response):
                self.handshaken = True
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self.pending.append(bytes(event.data).decode())

    def _flush(self) -> None:
        self.sock.sendall(b"".join(self.protocol.data_to_send()))

    def send_texts(self, texts: list[str]) -> None:
        for text in texts:
            self.protocol.send_text(text.encode())
        self._flush()

    def receive_texts(self) -> list[str]:
        """The text frames that have arrived, waiting for at least one."""
        while not self.pending:
            self._feed(self.sock.recv(1 << 20))
        return self.take_pending()

    def receive_once(self) -> list[str]:
        """One read (the socket is known to be readable): the text frames it completed, maybe none."""
        self._feed(self.sock.recv(1 << 20))
        return self.take_pending()

    def take_pending(self) -> list[str]:
        texts, self.pending = self.pending, []
        return texts

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        try:
            self.protocol.send_close()
            self._flush()
        except OSError:
            pass
        self.sock.close()
