"""Remove the files of web imports that were uploaded and never applied."""

import time
from datetime import timedelta
from pathlib import Path

UPLOAD_FOLDER = "imports"  # inside the instance folder


def upload_folder(instance_path: str | Path) -> Path:
    """Return (and create) the folder that keeps uploads between the import steps."""
    folder = Path(instance_path) / UPLOAD_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def remove_abandoned_uploads(
    folder: Path, max_age: timedelta, now: float | None = None
) -> list[Path]:
    """Delete the stored uploads last written more than max_age ago; return what went."""
    cutoff = (time.time() if now is None else now) - max_age.total_seconds()
    removed = []
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:  # another worker removed it first
            continue
    return removed
