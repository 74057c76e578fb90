"""evidence_app/multipart.py: the fast multipart parser gives what Werkzeug's gives, whatever the block size and
however the body arrives; it keeps Werkzeug's limits; a broken body leaves no file open; the body read straight
from gunicorn's socket is the body, and leaves gunicorn ready for the next request on the connection."""

from __future__ import annotations

import io
import socket
import threading

import pytest
from gunicorn.http.body import Body, LengthReader
from gunicorn.http.unreader import SocketUnreader
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser

from evidence_app.multipart import MAX_HEADER_BYTES, SocketBody, StreamingMultiPartParser

BOUNDARY = b"----WebKitFormBoundary7MA4YWxkTrZu0gW"


class Container(io.BytesIO):
    """A file part's container that keeps the views it is given, not copies: they must not change afterwards."""

    made: list[Container]

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[memoryview | bytes] = []
        self.closed_early = False

    def write(self, piece) -> int:
        self.pieces.append(piece)
        return len(piece)

    def content(self) -> bytes:
        return b"".join(bytes(p) for p in self.pieces)


def factory(made: list):
    def make(**_kwargs):
        made.append(Container())
        return made[-1]

    return make


class Trickle(io.RawIOBase):
    """A body that arrives in pieces of the given sizes (then the rest at once), as a socket gives it."""

    def __init__(self, data: bytes, sizes=()) -> None:
        super().__init__()
        self._data, self._at, self._sizes = data, 0, list(sizes)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self._sizes.pop(0) if self._sizes else len(buffer), len(self._data) - self._at)
        buffer[:n] = self._data[self._at : self._at + n]
        self._at += n
        return n


def body_of(parts: list[tuple[str, str | None, bytes]], boundary: bytes = BOUNDARY, newline: bytes = b"\r\n") -> bytes:
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += b"--" + boundary + newline + b"Content-Disposition: " + disposition.encode() + newline
        if filename is not None:
            out += b"Content-Type: application/octet-stream" + newline
        out += newline + content + newline
    return out + b"--" + boundary + b"--" + newline


def parse_fast(body: bytes, sizes=(), block_size: int = 64 * 1024, **limits):
    made: list[Container] = []
    parser = StreamingMultiPartParser(stream_factory=factory(made), block_size=block_size, **limits)
    form, files = parser.parse(Trickle(body, sizes), BOUNDARY, len(body))
    return form, {name: f.stream.content() for name, f in files.items()}, made


def parse_werkzeug(body: bytes):
    made: list[Container] = []
    form, files = MultiPartParser(stream_factory=factory(made)).parse(io.BytesIO(body), BOUNDARY, len(body))
    return form, {name: f.stream.content() for name, f in files.items()}


# Contents that look like the delimiter, or its start, anywhere: the parser must not stop early or late. (Never the
# whole boundary: a client chooses one that its contents do not hold.)
tricky = st.lists(
    st.sampled_from([b"\r", b"\n", b"\r\n", b"--", b"\r\n--", b"\r\n--" + BOUNDARY[:10], BOUNDARY[:-1], b"x" * 300]),
    max_size=12,
).map(b"".join)
contents = st.one_of(st.binary(max_size=3000), tricky).filter(lambda content: BOUNDARY not in content)


@given(
    parts=st.lists(
        st.tuples(
            st.sampled_from(["csrf_token", "files", "summary", "số"]),
            st.one_of(st.none(), st.sampled_from(["a.pdf", "Biên bản.pdf", ""])),
            contents,
        ),
        min_size=1,
        max_size=5,
    ),
    block_size=st.sampled_from([64, 100, 257, 4096]),
    sizes=st.lists(st.integers(1, 700), max_size=30),
)
def test_the_same_form_and_files_as_werkzeug(parts, block_size, sizes):
    body = body_of(parts)
    form, files, made = parse_fast(body, sizes, block_size)
    expected_form, expected_files = parse_werkzeug(body)
    assert form == expected_form
    assert files == expected_files
    assert sum(len(c.content()) for c in made) == sum(len(c) for _n, f, c in parts if f is not None)


def test_a_large_file_passes_in_whole_blocks_and_what_was_passed_never_changes():
    content = bytes(range(256)) * 4096 * 3 + b"\r\n--" + BOUNDARY[:-1]  # 3 MiB, ending like a delimiter
    body = body_of([("csrf_token", None, b"t0k3n"), ("files", "big.pdf", content), ("note", None, b"ok")])
    form, files, made = parse_fast(body, sizes=[1000, 70_000, 3], block_size=256 * 1024)
    assert form.to_dict() == {"csrf_token": "t0k3n", "note": "ok"}
    assert files["files"] == content  # joined from the views it was given, after the whole body was parsed
    assert max(len(p) for p in made[0].pieces) <= 256 * 1024
    assert len(made[0].pieces) < 20, "written in blocks, not in the pieces the socket gave"


@pytest.mark.parametrize(
    "body",
    [
        b"a preamble\r\n" + body_of([("files", "a.pdf", b"%PDF-1.4 one"), ("csrf_token", None, b"t")]),
        body_of([("files", "a.pdf", b"%PDF-1.4 one"), ("csrf_token", None, b"t")], newline=b"\n"),
    ],
    ids=["preamble", "bare LF line breaks"],
)
def test_a_body_it_does_not_take_goes_whole_to_werkzeug(body):
    form, files, _made = parse_fast(body, sizes=[5, 5])
    assert (form, files) == parse_werkzeug(body)
    assert files == {"files": b"%PDF-1.4 one"} and form["csrf_token"] == "t"


@pytest.mark.parametrize("cut", [10, 150, -30, -3])
def test_a_body_cut_short_is_refused_and_its_file_closed(cut):
    body = body_of([("csrf_token", None, b"t"), ("files", "a.pdf", b"x" * 200), ("files", "b.pdf", b"y" * 50)])
    made: list[Container] = []
    parser = StreamingMultiPartParser(stream_factory=factory(made), block_size=64)
    with pytest.raises(ValueError):
        parser.parse(Trickle(body[:cut]), BOUNDARY, len(body))
    assert all(c.closed for c in made), "every file it opened is closed (a temporary file is deleted on close)"


def test_werkzeugs_limits_hold():
    big_field = body_of([("summary", None, b"x" * 2000)])
    with pytest.raises(RequestEntityTooLarge):
        parse_fast(big_field, max_form_memory_size=1000)
    assert parse_fast(big_field, max_form_memory_size=2000)[0]["summary"] == "x" * 2000

    many = body_of([("f", None, b"1")] * 5)
    with pytest.raises(RequestEntityTooLarge):
        parse_fast(many, max_form_parts=4)

    long_headers = b"--" + BOUNDARY + b"\r\nX-Padding: " + b"p" * MAX_HEADER_BYTES + b"\r\n\r\nv\r\n--" + BOUNDARY
    with pytest.raises(RequestEntityTooLarge):
        parse_fast(long_headers + b"--\r\n")

    with pytest.raises(ValueError, match="Content-Disposition"):
        parse_fast(b"--" + BOUNDARY + b"\r\nContent-Type: text/plain\r\n\r\nv\r\n--" + BOUNDARY + b"--\r\n")


# ---------------------------------------------------------------- gunicorn's socket
def gunicorn_body(data: bytes, length: int, ahead: bytes, consumed: int):
    """gunicorn's wsgi.input for a body of `length` bytes over a real socket: `ahead` already read from the socket
    (what came with the headers), `data` still to come; the app has read `consumed` bytes through wsgi.input."""
    client, server = socket.socketpair()
    sender = threading.Thread(target=lambda: (client.sendall(data), client.shutdown(socket.SHUT_WR)))
    sender.start()
    unreader = SocketUnreader(server)
    unreader.unread(ahead)
    body = Body(LengthReader(unreader, length))
    start = body.read(consumed) if consumed else b""
    return body, server, unreader, start, (client, sender)


@pytest.mark.parametrize("consumed", [0, 3])
def test_the_body_read_from_gunicorns_socket_is_the_body_and_the_next_request_stays(consumed):
    content = bytes(range(256)) * 8000  # about 2 MB
    following = b"GET /next HTTP/1.1\r\n\r\n"
    ahead, rest = content[:5000], content[5000:] + following
    body, sock, unreader, start, (client, sender) = gunicorn_body(rest, len(content), ahead, consumed)
    try:
        reader = SocketBody.of({"wsgi.input": body, "gunicorn.socket": sock})
        assert reader is not None and reader.left == len(content) - consumed
        got = bytearray()
        buffer = bytearray(300_000)
        while n := reader.readinto(memoryview(buffer)):
            got += buffer[:n]
        assert start + bytes(got) == content
        assert body.reader.length == 0 and body.read(10) == b""  # gunicorn sees the body read to its end
        assert unreader.read() == following  # and the next request on the connection is where it was
    finally:
        sender.join()
        client.close()
        sock.close()


def test_a_client_gone_before_the_end_of_its_body_is_a_disconnection():
    body, sock, _unreader, _start, (client, sender) = gunicorn_body(b"x" * 1000, 5000, b"", 0)
    try:
        reader = SocketBody.of({"wsgi.input": body, "gunicorn.socket": sock})
        buffer = memoryview(bytearray(4096))
        got = 0
        with pytest.raises(ClientDisconnected):
            while True:
                got += reader.readinto(buffer)
        assert got == 1000
        assert body.failed, "gunicorn is told not to reuse the connection"
    finally:
        sender.join()
        client.close()
        sock.close()


def test_only_gunicorns_body_of_known_length_is_read_from_the_socket():
    client, server = socket.socketpair()
    try:
        assert SocketBody.of({"wsgi.input": io.BytesIO(b"x")}) is None  # the test client, the development server
        assert SocketBody.of({"wsgi.input": io.BytesIO(b"x"), "gunicorn.socket": server}) is None
        chunked = Body(object())  # a reader that is not gunicorn's LengthReader (a chunked body)
        assert SocketBody.of({"wsgi.input": chunked, "gunicorn.socket": server}) is None
        other = Body(LengthReader(SocketUnreader(client), 10))  # a body from another socket than this request's
        assert SocketBody.of({"wsgi.input": other, "gunicorn.socket": server}) is None
    finally:
        client.close()
        server.close()
