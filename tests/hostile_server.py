"""A raw socket server on loopback that misbehaves on purpose (trickles, never answers, answers
garbage), shared by the tests of every client that talks HTTP: the CLI, the gateway, plain_http."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from typing import Callable

Behaviour = Callable[[socket.socket, str], None]


def respond(status: str, body: str, content_type: str = "application/json") -> bytes:
    data = body.encode()
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    return head.encode() + data


def trickle(headers_too: bool) -> Behaviour:
    """One byte every 0.3 s, forever: each read succeeds, so only an overall deadline ends it."""

    def behave(conn: socket.socket, _request: str) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        data = head + b" " * 100000 if headers_too else b" " * 100000
        if not headers_too:
            conn.sendall(head)
        for byte in data:
            conn.sendall(bytes([byte]))
            time.sleep(0.3)  # the trickle is the behaviour under test, not synchronisation

    return behave


def never_answer(conn: socket.socket, _request: str) -> None:
    conn.recv(1)  # blocks until the client gives up and closes


class HostileServer:
    """A raw socket server on loopback; each connection runs `behaviour` after reading the request head."""

    def __init__(self, behaviour: Behaviour, tls: ssl.SSLContext | None = None) -> None:
        self.behaviour = behaviour
        self.sock = socket.create_server(("127.0.0.1", 0))
        if tls is not None:
            self.sock = tls.wrap_socket(self.sock, server_side=True)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            request = b""
            try:
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    request += chunk
                self.behaviour(conn, request.decode("latin-1"))
            except OSError:  # the client hung up: what a deadline is for
                return

    def close(self) -> None:
        self.sock.close()
