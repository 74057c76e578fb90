"""Image checks with Pillow (JPEG, PNG, WebP, TIFF, HEIC/HEIF), restricted to the one detected decoder.

Bounded before anything is decoded, from the header alone (Image.open reads no pixels): the pixel cap
(`MINHCHUNG_MAX_IMAGE_PIXELS`, 52 MP unless configured; it is also Pillow's own MAX_IMAGE_PIXELS, whose
DecompressionBombWarning and Error are refusals too) and, for multi-page files, at most MAX_IMAGE_FRAMES
frames, counted without decoding any. Then the least decoding that proves the file whole: PNG's verify()
reads every chunk and checks its CRC, so a PNG is not decoded here at all; JPEG is decoded at 1/8 scale;
TIFF, WebP and HEIC at full size (at most 52 MP × 4 bytes ≈ 210 MB). Only the first frame is ever decoded.
`open_image()` and `bomb_warnings_as_errors` are shared with the previews (evidence/previews.py).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from PIL import Image, UnidentifiedImageError

from .kinds import CheckedFile, accepted_as
from .messages import Refusal

try:  # HEIC/HEIF photos from iPhones; registers the "HEIF" Pillow format
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a hard dependency; degrade to "not allowed"
    pillow_heif = None

HEIF_SUPPORTED = pillow_heif is not None
# 52 MP: above every phone photo (12-50 MP: 8160 × 6144 is 50.1 MP) and an A4 scan at 600 dpi (35 MP); a
# single-colour 7745 × 7745 PNG (60 MP in 250 KB) is refused before decoding.
DEFAULT_MAX_IMAGE_PIXELS = 52_000_000
MAX_IMAGE_FRAMES = 100  # pages of a multi-page TIFF, frames of an animation (only the first is decoded)


def set_max_image_pixels(limit: int) -> None:
    """The one pixel cap, for our checks and for Pillow's own (Image.open warns above it, fails above twice it):
    set at import and by create_app from MINHCHUNG_MAX_IMAGE_PIXELS."""
    if limit < 1:
        raise ValueError("the pixel cap must be positive")
    Image.MAX_IMAGE_PIXELS = limit


def max_image_pixels() -> int:
    return Image.MAX_IMAGE_PIXELS or DEFAULT_MAX_IMAGE_PIXELS


set_max_image_pixels(DEFAULT_MAX_IMAGE_PIXELS)

_PIL_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "tiff": "TIFF", "heic": "HEIF"}


def open_image(path: str, kind: str) -> Image.Image:
    """Open with only the detected decoder, refusing pixel floods and frame floods from the headers (before
    decoding). Call inside `bomb_warnings_as_errors()`: Pillow's check (the same cap) then refuses too."""
    limit = max_image_pixels()
    try:
        im = Image.open(path, formats=[_PIL_FORMAT[kind]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Refusal("image_bomb", str(exc)[:200], limit=limit // 1_000_000) from None
    except UnidentifiedImageError as exc:
        raise Refusal("image_corrupt", str(exc)[:200]) from None
    except Exception as exc:
        raise Refusal("image_corrupt", f"{type(exc).__name__}: {exc}"[:200]) from None
    width, height = im.size
    if width < 1 or height < 1:
        im.close()
        raise Refusal("image_corrupt", f"size {im.size}")
    if width * height > limit:
        im.close()
        raise Refusal("image_bomb", f"{width}x{height}", limit=limit // 1_000_000)
    try:
        too_many = _more_frames_than(im, MAX_IMAGE_FRAMES)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # a later page over the cap
        im.close()
        raise Refusal("image_bomb", str(exc)[:200], limit=limit // 1_000_000) from None
    except Exception as exc:
        im.close()
        raise Refusal("image_corrupt", f"frames: {type(exc).__name__}: {exc}"[:200]) from None
    if too_many:
        im.close()
        raise Refusal("image_frames", f"over {MAX_IMAGE_FRAMES} frames", limit=MAX_IMAGE_FRAMES)
    return im


def _more_frames_than(im: Image.Image, limit: int) -> bool:
    """Whether the file has more than `limit` frames, reading at most limit + 1 frame headers (a TIFF's
    n_frames would walk every page, however many there are); the image is left on its first frame."""
    if not getattr(im, "is_animated", False) and im.format != "TIFF":
        return False
    if im.format != "TIFF":
        return getattr(im, "n_frames", 1) > limit  # WebP, PNG, HEIF: counted from the header
    try:
        im.seek(limit)  # TIFF: follows the chain of page headers only, decoding nothing
    except EOFError:
        return False
    finally:
        im.seek(0)
    return True


class bomb_warnings_as_errors(warnings.catch_warnings):
    """DecompressionBombWarning → exception, for the duration of the block only."""

    def __enter__(self):
        result = super().__enter__()
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return result


@contextmanager
def refused_as_corrupt(step: str, image: Image.Image) -> Iterator[None]:
    """Whatever fails inside is the image's fault: refused as `image_corrupt`, naming the step; closed after."""
    try:
        yield
    except Refusal:
        raise
    except Exception as exc:
        raise Refusal("image_corrupt", f"{step}: {type(exc).__name__}: {exc}"[:200]) from None
    finally:
        image.close()


def check_image(path: str, kind: str) -> CheckedFile:
    with bomb_warnings_as_errors():
        im = open_image(path, kind)
        with refused_as_corrupt("verify", im):
            im.verify()  # structure (PNG chunk CRCs, ...) without decoding
        im = open_image(path, kind)  # verify() leaves the image unusable: open again
        with refused_as_corrupt("load", im):
            size = im.size
            exif = _safe_exif(im)
            if kind == "jpeg":
                im.draft(None, (max(1, size[0] // 8), max(1, size[1] // 8)))  # decode at 1/8 scale
            if kind != "png":  # a PNG's verify() read every chunk up to IEND: a truncated one is refused there
                im.load()  # truncated data → OSError (LOAD_TRUNCATED_IMAGES is never set)
    orientation = exif.get(0x0112) if exif is not None else None
    if orientation in (5, 6, 7, 8):
        size = (size[1], size[0])
    return accepted_as(kind, image_size=size, taken_at=_taken_at(exif))


def _safe_exif(im: Image.Image):
    if im.format == "PNG" and "exif" not in im.info:
        return None  # an eXIf chunk after the pixels: Pillow would decode them all to reach it
    try:
        return im.getexif()
    except Exception:
        return None


_EXIF_DT = re.compile(r"\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"\s*([+-])(\d{2}):(\d{2})")


def _taken_at(exif) -> datetime | None:
    """EXIF DateTimeOriginal (0x9003 in the Exif IFD), with OffsetTimeOriginal (0x9011) when present."""
    if exif is None:
        return None
    try:
        ifd = exif.get_ifd(0x8769)
    except Exception:
        return None
    raw = ifd.get(0x9003)
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    if not isinstance(raw, str):
        return None
    m = _EXIF_DT.match(raw)
    if not m:
        return None
    try:
        taken = datetime(*(int(g) for g in m.groups()))
    except ValueError:  # "0000:00:00 00:00:00", month 13...
        return None
    if taken.year < 1900:
        return None
    offset = ifd.get(0x9011)
    if isinstance(offset, bytes):
        offset = offset.decode("ascii", "ignore")
    if isinstance(offset, str) and (om := _EXIF_OFFSET.match(offset)):
        delta = timedelta(hours=int(om.group(2)), minutes=int(om.group(3)))
        if delta < timedelta(hours=15):
            taken = taken.replace(tzinfo=timezone(-delta if om.group(1) == "-" else delta))
    return taken
