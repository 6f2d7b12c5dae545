"""A TCP forwarder on loopback that a fault drill can cut, standing in for a network failure.

The scaled stack under test reaches PostgreSQL and Redis through one of these each, so a drill can
make one store unreachable without touching the shared servers other people are using: ``cut()``
resets every open connection and refuses new ones (as a stopped server or a dropped route would);
``restore()`` listens again on the same port.
"""

from __future__ import annotations

import socket
import struct
import threading
from typing import Set, Tuple


class FaultProxy:
    def __init__(self, target: Tuple[str, int], name: str = ""):
        self.target, self.name = target, name
        self._listener: socket.socket | None = None
        self._open: Set[socket.socket] = set()
        self._lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    @property
    def up(self) -> bool:
        return self._listener is not None

    @property
    def address(self) -> Tuple[str, int]:
        return "127.0.0.1", self.port

    def start(self) -> FaultProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(self.address)
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), name=f"proxy-{self.name}", daemon=True).start()
        return self

    restore = start

    def cut(self) -> None:
        """Refuse new connections and reset the open ones."""
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)
        with self._lock:
            doomed, self._open = self._open, set()
        for sock in doomed:
            # SO_LINGER 0: close with RST, as when the peer is gone, rather than an orderly FIN.
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            _close(sock)

    stop = cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut(): the listener was shut down
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    _close(client), _close(upstream)
                    continue
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(source)
                self._open.discard(sink)
            _close(source), _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept()/recv() on Linux
    except OSError:
        pass
    sock.close()
