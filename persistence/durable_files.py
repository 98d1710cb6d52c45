"""Files that survive a crash: what a rename needs beyond the file's own fsync."""

from __future__ import annotations

import os
from pathlib import Path


def sync_folder(folder: Path) -> None:
    """Put `folder`'s entries on disk: a file renamed into it is there after a crash only once this returns."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
