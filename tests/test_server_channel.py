"""The waitress channel of the production worker (bot/server.py `channel_class`): its event loop does not spin
while a request's task writes, and output still reaches slow readers whole."""

from __future__ import annotations

import http.client
import select
import socket
import threading
import time

import pytest
from waitress import create_server, wasyncore

from bot.server import channel_class

BIG = 8 << 20  # far more than the socket buffers: the loop has to send the rest when the reader catches up


def app(environ, start_response):
    if environ["PATH_INFO"] == "/big":
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(BIG))])
        return (bytes([i % 251]) * (1 << 20) for i in range(BIG >> 20))
    time.sleep(0.002)  # a little work, during which the output of the last write is in the buffer
    body = b'{"ok": true}'
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def server():
    """waitress with the project's channel, in a thread; yields (port, polls) with polls[0] counting poll()s."""
    polls = [0]
    real_poll = select.poll

    class CountingPoll:
        def __init__(self):
            self._poll = real_poll()

        def register(self, fd, flags):
            self._poll.register(fd, flags)

        def poll(self, timeout):
            polls[0] += 1
            return self._poll.poll(timeout)

    socket_map: dict = {}
    srv = create_server(app, map=socket_map, host="127.0.0.1", port=0, threads=4)
    srv.channel_class = channel_class()
    running = threading.Event()
    running.set()

    def loop():
        while running.is_set():
            wasyncore.loop(timeout=0.2, map=socket_map, use_poll=True, count=1)

    wasyncore.select.poll = CountingPoll
    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield srv.effective_port, polls
    finally:
        running.clear()
        thread.join(5)
        wasyncore.select.poll = real_poll
        wasyncore.close_all(socket_map)


def test_the_event_loop_does_not_spin_while_tasks_write(server):
    port, polls = server
    per_client = 50

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(per_client):
            conn.request("GET", "/small")
            assert conn.getresponse().read() == b'{"ok": true}'
        conn.close()

    before = polls[0]
    clients = [threading.Thread(target=client) for _ in range(4)]
    for c in clients:
        c.start()
    for c in clients:
        c.join(60)
    per_request = (polls[0] - before) / (4 * per_client)
    # waitress's own channel: about 36 polls per request here (the loop spun while a task held the output lock);
    # this one: one or two (a read, a wake-up). A wide bound: a loaded machine adds a few, never dozens.
    assert per_request < 10, per_request


def test_a_large_response_reaches_a_slow_reader_whole(server):
    port, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        s.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        time.sleep(0.5)  # the reader lags: the server's socket buffer fills and the task cannot send it all
        data = bytearray()
        while chunk := s.recv(1 << 16):
            data += chunk
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and len(body) == BIG
    assert all(body[i << 20] == i % 251 for i in range(BIG >> 20))
