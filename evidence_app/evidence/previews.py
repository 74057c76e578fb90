"""Previews of uploaded images: a thumbnail (≤ 320 px) and a preview (≤ 1600 px), pixels only.

Policy (OWASP File Upload Cheat Sheet: rewrite images, strip EXIF/GPS, defeat polyglots): the original upload is
kept byte-exact (it is the evidence, hashed and access-restricted); what the browser shows is a re-encoded copy.

- EXIF orientation is applied (ImageOps.exif_transpose), so phone photos stand the right way up.
- Nothing but pixels is written: the output image is rebuilt from raw pixel bytes, so it has no EXIF
  (hence no GPS), no XMP, no JPEG comment, no PNG text chunks, no ICC profile.
- ICC profiles are applied, not kept: pixels are converted to sRGB with littlecms (a Display-P3
  iPhone photo keeps its colours), then the profile is dropped. A profile that cannot be read is
  ignored (pixels kept as they are).
- Re-encoding also removes anything appended to or hidden in the file (polyglots, payloads).
- PNG sources (screenshots: sharp text) and images with transparency give PNG previews; the rest JPEG.
- Memory and time: JPEGs are decoded with libjpeg's DCT scaling straight to about 1600 px; other formats are
  decoded at full size (at most MINHCHUNG_MAX_IMAGE_PIXELS, 52 MP, checked on the header: see
  filecheck/images.py), shrunk by a whole factor (Image.reduce), and only then converted and resampled.

Multi-frame files (multi-page TIFF, animated WebP/PNG, HEIC collections) are previewed by their first
(primary) frame. PDFs and Office files get no preview here ({}).
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from .filecheck.images import bomb_warnings_as_errors, open_image, refused_as_corrupt
from .filecheck.kinds import ALLOWED_KINDS, IMAGE_KINDS
from .filecheck.messages import Refusal

THUMB_MAX = 320
PREVIEW_MAX = 1600
JPEG_QUALITY = 85


def make_previews(path: str | os.PathLike, kind: str, out_dir: str | os.PathLike) -> dict[str, str]:
    """For image kinds: {"thumb": ..., "preview": ...}, paths of new files in out_dir named
    "<stem of path>.thumb.jpg|png" and "<stem>.preview.jpg|png" (long side ≤ 320 / ≤ 1600 px, never
    upscaled), written atomically. Other kinds: {}. `kind` is CheckedFile.kind.

    Raises FileRefused (image_bomb / image_corrupt) if the image cannot be decoded safely, and
    ValueError for an unknown kind. The file at `path` is only read.
    """
    if kind not in ALLOWED_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if kind not in IMAGE_KINDS:
        return {}
    path = os.fspath(path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    try:
        image = _load_reduced(path, kind)
    except Refusal as r:
        raise r.for_file(Path(path).name) from None

    fmt, suffix = ("PNG", ".png") if (kind == "png" or image.mode == "RGBA") else ("JPEG", ".jpg")
    stem = Path(path).name.split(".")[0] or "image"
    preview = image  # already ≤ PREVIEW_MAX
    thumb = image.copy()
    thumb.thumbnail((THUMB_MAX, THUMB_MAX), Image.Resampling.LANCZOS)
    result = {}
    for label, img in (("thumb", thumb), ("preview", preview)):
        dest = out / f"{stem}.{label}{suffix}"
        _save_pixels_only(img, dest, fmt)
        result[label] = str(dest)
    return result


def _load_reduced(path: str, kind: str) -> Image.Image:
    """Decode (header-checked for pixel floods), reduce to PREVIEW_MAX, orient, convert to sRGB."""
    with bomb_warnings_as_errors():
        src = open_image(path, kind)
        with refused_as_corrupt("preview", src):
            width, height = src.size
            if kind == "jpeg" and max(width, height) > PREVIEW_MAX:
                ratio = PREVIEW_MAX / max(width, height)
                # libjpeg picks the largest 1/2, 1/4, 1/8 scale that still gives at least this size
                src.draft(None, (max(1, int(width * ratio)), max(1, int(height * ratio))))
            src.load()  # truncated data → OSError (LOAD_TRUNCATED_IMAGES is never set)
            icc = src.info.get("icc_profile")
            image = _normalise_mode(_reduced(src))  # keeps .info (EXIF needed for the orientation below)
            image.thumbnail((PREVIEW_MAX, PREVIEW_MAX), Image.Resampling.LANCZOS)  # in place
            image = _oriented(image)
    image = _to_srgb(image, icc)
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")  # alpha that is opaque everywhere (animated WebP, many PNGs)
    return image


def _reduced(image: Image.Image) -> Image.Image:
    """A large image shrunk by a whole factor (box averaging, fast and light) to no less than twice the preview
    size, before any mode conversion copies it and before the finer resampling; as it is for modes that
    Image.reduce does not take (palette, 1-bit, 16-bit: converted first)."""
    factor = max(image.size) // (2 * PREVIEW_MAX)
    if factor < 2:
        return image
    try:
        reduced = image.reduce(factor)
    except ValueError:
        return image
    reduced.info = image.info
    return reduced


def _oriented(image: Image.Image) -> Image.Image:
    """A new image turned as the camera meant (EXIF orientation); unturned if the EXIF is unreadable."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image.copy()


def _normalise_mode(image: Image.Image) -> Image.Image:
    """RGB, RGBA, L or CMYK, so that resampling is smooth (palette and 1-bit images would resample
    with NEAREST) and 16-bit greys are scaled, not clipped."""
    mode = image.mode
    if mode in ("RGB", "RGBA", "L", "CMYK"):
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if mode in ("LA", "PA", "La", "RGBa") or (mode == "P" and "transparency" in image.info):
        return image.convert("RGBA")
    if mode in ("1", "F"):
        return image.convert("L")
    return image.convert("RGB")  # P, YCbCr, LAB, HSV, ...


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB, RGBA or L pixels in sRGB (the ICC profile, if any, applied)."""
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        converted = _apply_icc(image, icc, "RGBA" if image.mode == "RGBA" else "RGB")
        if converted is not None:
            return converted
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGB")
    return image


def _apply_icc(image: Image.Image, icc: bytes, out_mode: str) -> Image.Image | None:
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=out_mode)
    except Exception:  # malformed profile, or Pillow built without littlecms: keep the pixels as they are
        return None


def _save_pixels_only(image: Image.Image, dest: Path, fmt: str) -> None:
    """Write a brand-new image built from the pixel bytes alone (empty .info: no EXIF, XMP, comment,
    ICC or text chunk can leak), atomically: a temporary file in the same directory, then os.replace.
    Files are created with mode 0600 (mkstemp)."""
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    params = {"quality": JPEG_QUALITY, "optimize": True} if fmt == "JPEG" else {}
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".preview-", suffix=dest.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            clean.save(f, fmt, **params)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
