"""`minhchung reading …`: reading documents, and the search index built from what was read."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from .search import reindex

reading_cli = AppGroup("reading", help="Reading documents: their text, and the search index built from it.")


@reading_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index of every document (number, summary, file name, issuer, text read): derived data,
    safe to rebuild at any time, e.g. after restoring a backup or changing how text is folded."""
    started = time.monotonic()
    count = reindex()
    click.echo(f"{count} documents indexed in {time.monotonic() - started:.1f} s")
