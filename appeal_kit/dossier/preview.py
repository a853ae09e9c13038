"""Render a built dossier to PNG pages (pypdfium2), so the seller sees what the reviewer sees."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from appeal_kit.errors import OutputError
from appeal_kit.fsutil import atomic_write_bytes
from appeal_kit.i18n import __

PREVIEW_DIR = "preview"


@dataclass(frozen=True)
class PreviewResult:
    """Where the page images went."""

    pdf_path: Path
    page_count: int
    pdf_size: int
    pages: list[Path]


def render_preview(pdf_path: Path, out_dir: Path, *, dpi: int = 80) -> PreviewResult:
    """Write ``page-001.png`` ... into ``out_dir`` (replacing older previews)."""
    import pypdfium2 as pdfium

    if not pdf_path.is_file():
        raise OutputError(
            __("no dossier at {pdf_path}", pdf_path=pdf_path),
            hint=__("build it first: appeal-kit build CASE_DIR"),
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("page-*.png"):
        old.unlink()
    document = pdfium.PdfDocument(pdf_path)
    pages: list[Path] = []
    try:
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=dpi / 72).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            target = out_dir / f"page-{index + 1:03d}.png"
            atomic_write_bytes(target, buffer.getvalue())
            pages.append(target)
            page.close()
    finally:
        document.close()
    return PreviewResult(pdf_path, len(pages), pdf_path.stat().st_size, pages)
