"""A store that hangs: a TCP server on 127.0.0.1 that accepts connections, reads what it is
sent, and never answers. DynamoDB clients pointed at it (AWS_ENDPOINT_URL_DYNAMODB) connect
at once and then wait for an answer that never comes.

It notes the DynamoDB operation of every request it receives (from the X-Amz-Target header),
so a test can see how often the skill kept asking. The benchmarks use it too.
"""

from __future__ import annotations

import re
import selectors
import socket
import threading
from types import TracebackType

_TARGET = re.compile(rb"x-amz-target:\s*DynamoDB_\d+\.(\w+)", re.IGNORECASE)


class HungStore:
    """Use as a context manager; ``endpoint`` is its http:// URL while it runs."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._operations: list[str] = []
        self._received: dict[socket.socket, bytes] = {}
        self._thread = threading.Thread(target=self._serve, name="hung-store", daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def operations(self) -> list[str]:
        """The operations asked for so far, in order ("GetItem", "PutItem", ...)."""
        with self._lock:
            return list(self._operations)

    def __enter__(self) -> HungStore:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        for connection in self._received:
            connection.close()
        self._selector.close()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            for key, _ in self._selector.select(timeout=0.05):
                if key.fileobj is self._listener:
                    self._accept()
                else:
                    self._read(key.fileobj)  # type: ignore[arg-type]

    def _accept(self) -> None:
        try:
            connection, _ = self._listener.accept()
        except BlockingIOError:
            return
        connection.setblocking(False)
        self._received[connection] = b""
        self._selector.register(connection, selectors.EVENT_READ)

    def _read(self, connection: socket.socket) -> None:
        try:
            data = connection.recv(65536)
        except (BlockingIOError, ConnectionError):
            return
        if not data:  # the client gave up and closed
            self._selector.unregister(connection)
            return
        before = self._received[connection]
        received = before + data
        self._received[connection] = received
        # A header cut across two reads is counted once, when it is whole.
        new = _TARGET.findall(received)[len(_TARGET.findall(before)) :]
        with self._lock:
            self._operations.extend(name.decode() for name in new)
