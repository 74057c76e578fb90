"""Receiving a multipart/form-data body fast: large blocks read straight from the server's socket, file parts
handed to their file as views of those blocks (no copy in between), while another thread hashes them (files.py).

Werkzeug's parser copies each byte three times in 64 KiB steps, and gunicorn's `wsgi.input` five more times
(its own buffers); with the SHA-256 that made a 200 MiB upload take four times a copy of the file. Under gunicorn
the body is read here with `recv_into` from the connection's socket, after what gunicorn had already buffered;
under any other server, or a body gunicorn does not read by its length (chunked), through `wsgi.input`.

The parser takes the form every browser and HTTP library sends (the first line is the boundary, CRLF line
breaks, RFC 7578); a body that starts otherwise is given, whole, to Werkzeug's parser, which accepts more.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from werkzeug.datastructures import FileStorage, Headers
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import File

BLOCK_SIZE = 1024 * 1024  # one read from the socket, and the largest piece a file part is written and hashed in
MAX_HEADER_BYTES = 16 * 1024  # the headers of one part (a name, a file name, a type)

_HEADER_CONTINUATION = re.compile(rb"\r\n[ \t]")


# ---------------------------------------------------------------- the body
class SocketBody(io.RawIOBase):
    """The rest of a request body that gunicorn reads by its Content-Length, read from the socket into the
    caller's buffer: first what gunicorn had already taken from the socket, then `recv_into`. gunicorn's own
    count of what is left is kept up to date, so the connection can serve its next request."""

    def __init__(self, body: Any, sock: Any) -> None:
        super().__init__()
        self._body, self._sock = body, sock
        self._reader = body.reader
        unreader = self._reader.unreader
        ahead = unreader.buf.getvalue()  # read from the socket beyond the headers: the body's start, maybe more
        taken = ahead[: self._reader.length]
        unreader.buf = io.BytesIO()
        unreader.buf.write(ahead[len(taken) :])  # a pipelined next request stays with gunicorn
        self._reader.length -= len(taken)
        self._pending = memoryview(body.buf.getvalue() + taken)
        body.buf = io.BytesIO()

    @classmethod
    def of(cls, environ: dict) -> SocketBody | None:
        """The body of this request read from gunicorn's socket, or None when it is not gunicorn reading a body
        of known length (a test client, the development server, a chunked body, another gunicorn)."""
        body, sock = environ.get("wsgi.input"), environ.get("gunicorn.socket")
        reader = getattr(body, "reader", None)
        unreader = getattr(reader, "unreader", None)
        if (
            sock is None
            or type(reader).__name__ != "LengthReader"
            or type(unreader).__name__ != "SocketUnreader"
            or getattr(unreader, "sock", None) is not sock
            or not isinstance(getattr(body, "buf", None), io.BytesIO)
            or not isinstance(getattr(unreader, "buf", None), io.BytesIO)
            or not isinstance(getattr(reader, "length", None), int)
        ):
            return None
        return cls(body, sock)

    @property
    def left(self) -> int:
        return len(self._pending) + self._reader.length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._pending:
            n = min(len(view), len(self._pending))
            view[:n] = self._pending[:n]
            self._pending = self._pending[n:]
            return n
        size = min(len(view), self._reader.length)
        if size <= 0:
            return 0
        try:
            n = self._sock.recv_into(view, size)
        except OSError as exc:  # a reset connection, or gunicorn's socket timeout
            self._failed()
            raise ClientDisconnected() from exc
        if n == 0:  # the client went away before the end of its body
            self._failed()
            raise ClientDisconnected()
        self._reader.length -= n
        return n

    def _failed(self) -> None:
        if hasattr(self._body, "failed"):
            self._body.failed = True  # where the next request starts is unknown: gunicorn closes the connection


# ---------------------------------------------------------------- the parser
class _Blocks:
    """The unparsed bytes of the body, `data[start:end]` of the current block. What a file part was given of a
    block is never written again while it may be waiting to be hashed: more is read into the block's free end,
    a full block is followed by another (with the unparsed bytes moved into it), and a block is used again only
    once no view of it is left (new memory costs more than a copy: the kernel zeroes each page on first use)."""

    SPARE_BLOCKS = 4

    def __init__(self, readinto: Callable[[memoryview], int | None], block_size: int) -> None:
        self._readinto, self._block_size = readinto, block_size
        self._spare: list[bytearray] = []
        self.data = bytearray(block_size)
        self.view = memoryview(self.data)
        self.start = self.end = 0

    def _next_block(self) -> None:
        kept = bytes(self.view[self.start : self.end])  # less than a delimiter, or part headers
        self.view.release()  # the views given out keep the block alive as long as they need it
        self._spare = [self.data, *self._spare][: self.SPARE_BLOCKS]
        size = max(self._block_size, 2 * len(kept))
        self.data = next((b for b in self._spare if len(b) == size and _unshared(b)), None) or bytearray(size)
        self._spare = [b for b in self._spare if b is not self.data]
        self.view = memoryview(self.data)
        self.view[: len(kept)] = kept
        self.start, self.end = 0, len(kept)

    @property
    def full(self) -> bool:
        return self.end == len(self.data)

    def __len__(self) -> int:
        return self.end - self.start

    def fill(self) -> bool:
        """Read more of the body; False at its end."""
        if self.full:
            self._next_block()
        n = self._readinto(self.view[self.end :])
        if not n:
            return False
        self.end += n
        return True

    def take(self, n: int) -> bytes:
        piece = bytes(self.view[self.start : self.start + n])
        self.start += len(piece)
        return piece

    def peek(self, n: int) -> bytes:
        """The next `n` bytes (fewer at the end of the body), without taking them."""
        while len(self) < n and self.fill():
            pass
        return bytes(self.view[self.start : self.start + n])


def _unshared(block: bytearray) -> bool:
    """No view of `block` is left: a bytearray that has one cannot change its size (shrinking it by one byte
    and growing it back moves no memory)."""
    try:
        last = block.pop()
    except BufferError:
        return False
    block.append(last)
    return True


class StreamingMultiPartParser(MultiPartParser):
    """Werkzeug's MultiPartParser, with the same results and limits (max_form_memory_size for a text field,
    max_form_parts), parsing in large blocks; file parts go to `stream_factory`'s file as they arrive."""

    def __init__(self, *args: Any, block_size: int = BLOCK_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.block_size = block_size

    def parse(self, stream: Any, boundary: bytes, content_length: int | None) -> tuple[Any, Any]:
        blocks = _Blocks(_readinto_of(stream), self.block_size)
        delimiter = b"\r\n--" + boundary
        opening = delimiter[2:] + b"\r\n"
        if blocks.peek(len(opening)) != opening:  # a preamble, other line breaks, an empty form: Werkzeug's
            replay = io.BufferedReader(_Replay(blocks.take(len(blocks)), stream))
            return super().parse(replay, boundary, content_length)
        blocks.start += len(opening)
        fields: list[tuple[str, str]] = []
        files: list[tuple[str, FileStorage]] = []
        try:
            self._parse_parts(blocks, delimiter, content_length, fields, files)
        except BaseException:
            for _name, file in files:
                file.close()
            raise
        return self.cls(fields), self.cls(files)

    def _parse_parts(self, blocks: _Blocks, delimiter: bytes, content_length: int | None, fields, files) -> None:
        parts = 0
        while True:
            headers = _read_headers(blocks)
            parts += 1
            if self.max_form_parts is not None and parts > self.max_form_parts:
                raise RequestEntityTooLarge()
            if "content-disposition" not in headers:
                raise ValueError("Missing Content-Disposition header")
            _disposition, options = parse_options_header(headers["content-disposition"])
            name = options.get("name", "")
            filename = options.get("filename")
            if filename is not None:
                container = self.start_file_streaming(
                    File(name=name, filename=filename, headers=headers), content_length
                )
                try:
                    _copy_part(blocks, delimiter, container.write)
                    container.seek(0)
                except BaseException:
                    container.close()  # a broken upload leaves no temporary file
                    raise
                files.append((name, FileStorage(container, filename, name, headers=headers)))
            else:
                value = _FieldValue(self.max_form_memory_size)
                _copy_part(blocks, delimiter, value.write)
                fields.append((name, value.text(self.get_part_charset(headers))))
            # After a delimiter: "--" ends the form; otherwise blanks (transport padding) and CRLF, then a part.
            if blocks.peek(2) == b"--":
                _drain(blocks)
                return
            while blocks.peek(1) in (b" ", b"\t"):
                blocks.start += 1
            if blocks.peek(2) != b"\r\n":
                raise ValueError("Invalid form-data: no line break after a boundary")
            blocks.start += 2


class _FieldValue:
    """A text field's bytes, at most `limit` of them (Werkzeug's max_form_memory_size)."""

    def __init__(self, limit: int | None) -> None:
        self._limit, self._pieces, self._size = limit, [], 0

    def write(self, piece: memoryview) -> None:
        self._size += len(piece)
        if self._limit is not None and self._size > self._limit:
            raise RequestEntityTooLarge()
        self._pieces.append(bytes(piece))

    def text(self, charset: str) -> str:
        return b"".join(self._pieces).decode(charset, "replace")


def _read_headers(blocks: _Blocks) -> Headers:
    searched = 0
    while True:
        end = blocks.data.find(b"\r\n\r\n", blocks.start + searched, blocks.end)
        if end - blocks.start > MAX_HEADER_BYTES or (end < 0 and len(blocks) > MAX_HEADER_BYTES):
            raise RequestEntityTooLarge()
        if end >= 0:
            raw = blocks.take(end - blocks.start)
            blocks.start += 4
            return _parse_headers(raw)
        searched = max(0, len(blocks) - 3)
        if not blocks.fill():
            raise ValueError("Invalid form-data: the body ended inside the headers of a part")


def _parse_headers(raw: bytes) -> Headers:
    """As Werkzeug's MultipartDecoder: continued lines joined, one `Name: value` per line."""
    headers = []
    for line in _HEADER_CONTINUATION.sub(b" ", raw).split(b"\r\n"):
        line = line.strip(b" \t")
        if line:
            name, _sep, value = line.decode().partition(":")
            headers.append((name.strip(" \t"), value.strip(" \t")))
    return Headers(headers)


def _copy_part(blocks: _Blocks, delimiter: bytes, write: Callable[[memoryview], Any]) -> None:
    """Give `write` the part's bytes up to the next delimiter (taken too), a block at a time."""
    searched = 0  # bytes after blocks.start where no delimiter can begin
    while True:
        at = blocks.data.find(delimiter, blocks.start + searched, blocks.end)
        if at >= 0:
            if at > blocks.start:
                write(blocks.view[blocks.start : at])
            blocks.start = at + len(delimiter)
            return
        searched = max(0, len(blocks) - len(delimiter) + 1)
        if blocks.full and searched:  # the bytes where no delimiter begins are the part's: pass them on
            write(blocks.view[blocks.start : blocks.start + searched])
            blocks.start += searched
            searched = 0
        if not blocks.fill():
            raise ValueError("Invalid form-data: the body ended inside a part")


def _drain(blocks: _Blocks) -> None:
    """Read the epilogue (normally CRLF), so that the whole body has been read, as Werkzeug does."""
    blocks.start = blocks.end
    while blocks.fill():
        blocks.start = blocks.end


def _readinto_of(stream: Any) -> Callable[[memoryview], int | None]:
    if hasattr(stream, "readinto"):
        return stream.readinto

    def readinto(view: memoryview) -> int:
        data = stream.read(len(view))
        view[: len(data)] = data
        return len(data)

    return readinto


class _Replay(io.RawIOBase):
    """Bytes already read from `stream`, then the rest of it."""

    def __init__(self, head: bytes, stream: Any) -> None:
        super().__init__()
        self._head, self._readinto = memoryview(head), _readinto_of(stream)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        return self._readinto(view) or 0


class StreamingFormDataParser(FormDataParser):
    """Werkzeug's FormDataParser with StreamingMultiPartParser for multipart/form-data."""

    def _parse_multipart(self, stream, mimetype, content_length, options):
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        parser = StreamingMultiPartParser(
            stream_factory=self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
        )
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files
