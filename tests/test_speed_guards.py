"""Guards for start-up and build speed that never time anything.

Timings on a shared machine are noise; what makes a command slow is what it
loads and how often it decodes. So these tests check module sets in a fresh
process and count decodes, and the benchmarks (``benchmarks/``) measure seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CASE = ROOT / "samples" / "demo-case"

# Never needed to print help or the status dashboard: image decoding, PDF writing,
# and the network stack (reportlab's URL support pulls in urllib.request, http, ssl).
HEAVY = ("cv2", "numpy", "PIL", "reportlab", "pypdf", "pillow_heif", "sqlite3")
NETWORK = ("urllib.request", "http", "ssl")
# Loaded only by the commands that write or export (log, calendar).
WRITERS = ("tomlkit", "icalendar")

_PROBE = """
import json, sys
from appeal_kit.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _loaded_by(*args: str) -> set[str]:
    """Module names a fresh ``appeal-kit ARGS`` process has imported when it ends."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, proc.stdout + proc.stderr
    return set(report["modules"])


def _offenders(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


def test_help_loads_no_library_heavyweights() -> None:
    loaded = _loaded_by("--help")
    assert _offenders(loaded, (*HEAVY, *NETWORK, *WRITERS, "holidays")) == []
    # The case reader and the deadline rules are imported by the commands that use them.
    assert _offenders(loaded, ("appeal_kit.tracking", "appeal_kit.case", "appeal_kit.models")) == []


# Typer's rich help renderer (markdown, syntax highlighting) and its pydantic coercion:
# the help we print uses neither (rich_markup_mode=None, no value to convert).
HELP_RENDERING = ("typer.rich_utils", "rich.markdown", "markdown_it", "pygments", "pydantic")


@pytest.mark.parametrize("args", [("--help",), ("build", "--help"), ("status", "--help")])
def test_help_loads_no_markdown_renderer_or_pydantic(args: tuple[str, ...]) -> None:
    loaded = _loaded_by(*args)
    assert "appeal_kit.cli.localize" in loaded  # the probe ran the real command
    assert _offenders(loaded, HELP_RENDERING) == []
    # Tables are drawn by the commands that print them, not by --help.
    assert _offenders(loaded, ("rich.table", "fractions", "decimal")) == []


def test_status_loads_no_image_pdf_or_network_modules() -> None:
    loaded = _loaded_by("status", str(SAMPLE_CASE))
    assert "appeal_kit.tracking.workspace" in loaded  # the probe ran the real command
    assert _offenders(loaded, (*HEAVY, *NETWORK, *WRITERS)) == []


@pytest.mark.parametrize("command", ["deadlines", "points"])
def test_reading_commands_load_no_writers(command: str) -> None:
    target = SAMPLE_CASE if command == "deadlines" else SAMPLE_CASE.parent / "workspace"
    loaded = _loaded_by(command, str(target), "--as-of", "2024-10-11T12:00:00+08:00")
    assert _offenders(loaded, (*HEAVY, *NETWORK, *WRITERS)) == []


def _heic(path: Path, *, thumbnail: bool) -> Path:
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif build cannot encode HEIC")
    from tests.conftest import exif_bytes, textured_photo

    heif = pillow_heif.from_pillow(textured_photo(7, (640, 480)))
    if thumbnail:
        heif.info["thumbnails"] = [128]
    heif.save(path, quality=70, exif=exif_bytes())
    return path


def test_heic_thumbnail_check_decodes_the_thumbnail_not_the_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appeal_kit.evidence import metadata

    full_decodes: list[Path] = []

    def counting_open_image(path: Path, **kwargs: object) -> object:
        full_decodes.append(path)
        raise AssertionError("the full HEIC image was decoded")

    monkeypatch.setattr(metadata, "open_image", counting_open_image)
    meta = metadata.read_metadata(_heic(tmp_path / "IMG_0001.HEIC", thumbnail=True))
    assert meta.error is None and (meta.width, meta.height) == (640, 480)
    assert full_decodes == []


def test_heic_without_thumbnail_still_gets_its_pixels_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appeal_kit.evidence import metadata

    decoded: list[Path] = []
    real = metadata.open_image

    def counting_open_image(path: Path, **kwargs: object) -> object:
        decoded.append(path)
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(metadata, "open_image", counting_open_image)
    path = _heic(tmp_path / "IMG_0002.HEIC", thumbnail=False)
    assert metadata.read_metadata(path).error is None
    assert decoded == [path]  # no thumbnail to stand in: one decode, as before


def test_one_layout_pass_and_pictures_embedded_as_encoded(
    make_case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Laid out once, the comparison step's JPEG bytes embedded untouched, originals decoded once.

    Two accused images are cut from the same original: it is decoded once for both.
    """
    from pypdf import PdfReader
    from reportlab.lib.utils import ImageReader

    from appeal_kit import BuildOptions, build_dossier
    from appeal_kit.comparison import cache, pictures, store
    from appeal_kit.dossier import render
    from tests.conftest import save_jpeg, textured_photo

    layouts: list[int] = []
    real_build = render._build

    def counting_build(*args: object, **kwargs: object) -> object:
        layouts.append(1)
        return real_build(*args, **kwargs)  # type: ignore[arg-type]

    decodes: list[Path] = []
    real_open = pictures.open_image

    def counting_open(path: Path, **kwargs: object) -> object:
        decodes.append(path.resolve())
        return real_open(path, **kwargs)  # type: ignore[arg-type]

    # reportlab decodes an image in full to name it (ImageReader.getRGBData).
    decoded_by_reportlab: list[tuple[int, int]] = []
    real_rgb = ImageReader.getRGBData

    def counting_rgb(self: ImageReader) -> object:
        data = real_rgb(self)
        decoded_by_reportlab.append(tuple(self.getSize()))
        return data

    drawn: list[pictures.ComparisonImage] = []
    real_render = pictures.render_comparison

    def keeping_render(*args: object, **kwargs: object) -> pictures.ComparisonImage:
        image = real_render(*args, **kwargs)  # type: ignore[arg-type]
        drawn.append(image)
        return image

    monkeypatch.setattr(render, "_build", counting_build)
    monkeypatch.setattr(pictures, "open_image", counting_open)
    monkeypatch.setattr(store, "open_image", counting_open)
    monkeypatch.setattr(cache, "render_comparison", keeping_render)  # where it is called
    monkeypatch.setattr(ImageReader, "getRGBData", counting_rgb)
    case = make_case(2)
    photo = textured_photo(100, (1200, 900))  # the first original, cut another way
    save_jpeg(photo.crop((300, 200, 1100, 800)), case / "accused" / "listing-3.jpg", quality=80)
    result = build_dossier(case, BuildOptions(cache_dir=tmp_path / "cache", jobs=2))

    assert layouts == [1]
    assert len(drawn) == 3
    originals = {c.original.resolve() for c in drawn}
    assert len(originals) == 2
    # Every accused image once, and each original once although one is in two comparisons.
    expected = [c.accused.resolve() for c in drawn] + sorted(originals)
    assert sorted(decodes) == sorted(expected)
    embedded = {
        obj._data
        for page in PdfReader(result.pdf_path).pages
        for obj in (x.get_object() for x in page["/Resources"].get("/XObject", {}).values())
        if obj.get("/Subtype") == "/Image"
    }
    for comparison in drawn:
        assert comparison.page_picture is not None and comparison.page_proof is not None
        # Embedded byte for byte as the comparison step encoded them, never decoded again.
        assert comparison.page_picture[0] in embedded
        assert comparison.page_proof[0] in embedded
        assert comparison.page_picture[1] not in decoded_by_reportlab
        assert comparison.page_proof[1] not in decoded_by_reportlab
        # The full-size JPEGs are still written beside the PDF.
        assert (result.out_dir / "comparisons" / comparison.path.name).is_file()
