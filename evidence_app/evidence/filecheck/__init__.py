"""What an uploaded file really is, and whether Minh Chứng accepts it: `check_file()` and its helpers.

The type of a file comes from its content (sniffing.py) and is confirmed by a real parser for its
family (pdf.py, images.py, containers.py, ole.py); refusals and their messages are in messages.py.
Nothing here imports Flask or touches a database or a storage backend. Image previews are made by
evidence/previews.py.
"""

from .check import check_file
from .containers import (
    XML_SMALL_PART_MAX,
    ZIP_MAX_CENTRAL_DIRECTORY,
    ZIP_MAX_ENTRIES,
    ZIP_MAX_RATIO,
    ZIP_MAX_TOTAL_UNCOMPRESSED,
    ZIP_RATIO_MIN_SIZE,
)
from .images import DEFAULT_MAX_IMAGE_PIXELS, MAX_IMAGE_FRAMES, max_image_pixels, set_max_image_pixels
from .kinds import ALLOWED_KINDS, IMAGE_KINDS, CheckedFile
from .messages import REFUSAL_CODES, FileRefused, refusal_message
from .names import FALLBACK_STEM, MAX_NAME_BYTES, clean_filename

__all__ = [
    "CheckedFile",
    "FileRefused",
    "check_file",
    "clean_filename",
    "refusal_message",
    "ALLOWED_KINDS",
    "IMAGE_KINDS",
    "REFUSAL_CODES",
    "DEFAULT_MAX_IMAGE_PIXELS",
    "MAX_IMAGE_FRAMES",
    "max_image_pixels",
    "set_max_image_pixels",
    "MAX_NAME_BYTES",
    "FALLBACK_STEM",
    "XML_SMALL_PART_MAX",
    "ZIP_MAX_CENTRAL_DIRECTORY",
    "ZIP_MAX_ENTRIES",
    "ZIP_MAX_RATIO",
    "ZIP_MAX_TOTAL_UNCOMPRESSED",
    "ZIP_RATIO_MIN_SIZE",
]
