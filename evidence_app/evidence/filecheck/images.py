"""Image checks with Pillow (JPEG, PNG, WebP, TIFF, HEIC/HEIF), restricted to the one detected decoder.

A 60-megapixel cap is checked on the header before decoding, then the image is decoded in full to
catch truncation: JPEG at 1/8 scale, other formats at full size (so at most 60 MP × 4 bytes ≈ 240 MB).
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
MAX_IMAGE_PIXELS = 60_000_000  # 60 MP: above every normal phone photo (12-50 MP) and A4 scan at 600 dpi (35 MP)

_PIL_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "tiff": "TIFF", "heic": "HEIF"}


def open_image(path: str, kind: str) -> Image.Image:
    """Open with only the detected decoder, refusing pixel floods from the header (before decoding).

    Call inside `bomb_warnings_as_errors()`. Pillow's own check (MAX_IMAGE_PIXELS, 89 MP by
    default) runs in Image.open; ours is stricter and does not change Pillow's global setting.
    """
    try:
        im = Image.open(path, formats=[_PIL_FORMAT[kind]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Refusal("image_bomb", str(exc)[:200], limit=MAX_IMAGE_PIXELS // 1_000_000) from None
    except UnidentifiedImageError as exc:
        raise Refusal("image_corrupt", str(exc)[:200]) from None
    except Exception as exc:
        raise Refusal("image_corrupt", f"{type(exc).__name__}: {exc}"[:200]) from None
    width, height = im.size
    if width < 1 or height < 1:
        im.close()
        raise Refusal("image_corrupt", f"size {im.size}")
    if width * height > MAX_IMAGE_PIXELS:
        im.close()
        raise Refusal("image_bomb", f"{width}x{height}", limit=MAX_IMAGE_PIXELS // 1_000_000)
    return im


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
            im.load()  # truncated data → OSError (LOAD_TRUNCATED_IMAGES is never set)
    orientation = exif.get(0x0112) if exif is not None else None
    if orientation in (5, 6, 7, 8):
        size = (size[1], size[0])
    return accepted_as(kind, image_size=size, taken_at=_taken_at(exif))


def _safe_exif(im: Image.Image):
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
