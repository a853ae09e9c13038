"""Metadata where exiftool finds it (issue 14.14): NUL-ended strings, misnamed files, XMP safety."""

from __future__ import annotations

import io
from pathlib import Path

import piexif
import pytest
from PIL import Image

from appeal_kit.evidence.metadata import read_metadata
from appeal_kit.evidence.xmp import parse_xmp


def jpeg(path: Path, zeroth: dict[int, object], exif: dict[int, object] | None = None) -> Path:
    block = piexif.dump(
        {"0th": zeroth, "Exif": exif or {}, "GPS": {}, "1st": {}, "thumbnail": None}
    )
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(buffer, "JPEG", exif=block)
    path.write_bytes(buffer.getvalue())
    return path


def test_strings_end_at_the_first_nul(tmp_path: Path) -> None:
    path = jpeg(
        tmp_path / "a.jpg",
        {
            piexif.ImageIFD.Make: b"SONY\x00junk",
            piexif.ImageIFD.Model: b"MAVICA\x003ghx7y",
            piexif.ImageIFD.Copyright: b"Jane Seller\x00Studio Edit",
        },
    )
    meta = read_metadata(path)
    assert (meta.make, meta.model) == ("SONY", "MAVICA")
    assert meta.copyright == "Jane Seller / Studio Edit"  # Copyright alone holds two strings


def test_a_jpeg_named_nef_has_its_exif_read_and_the_name_named(tmp_path: Path) -> None:
    path = jpeg(
        tmp_path / "DSC_0042.nef",
        {piexif.ImageIFD.Make: b"NIKON CORPORATION", piexif.ImageIFD.Model: b"NIKON D750"},
        {piexif.ExifIFD.DateTimeOriginal: b"2024:05:01 10:20:30"},
    )
    meta = read_metadata(path)
    assert meta.error is not None and "wrongly named" in meta.error and ".nef" in meta.error
    assert meta.error_fix and "DSC_0042.jpg" in meta.error_fix
    assert (meta.make, meta.model) == ("NIKON CORPORATION", "NIKON D750")
    assert meta.captured_at is not None and meta.captured_at.hour == 10
    assert (meta.width, meta.height) == (64, 48)


XMP_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Make="&lol2;"/>
</rdf:RDF></x:xmpmeta>"""


def test_xmp_entities_are_refused_not_expanded() -> None:
    data, problem = parse_xmp(XMP_BOMB)
    assert data.values == {}
    assert problem is not None and "DTD" in problem


def test_heif_rotation_is_in_the_reported_size(tmp_path: Path) -> None:
    """HEIF stores rotation as an ``irot`` box; the size reported is the upright one."""
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif build cannot encode HEIC")
    path = tmp_path / "IMG_0001.HEIC"
    block = piexif.dump(
        {
            "0th": {piexif.ImageIFD.Orientation: 6},
            "Exif": {},
            "GPS": {},
            "1st": {},
            "thumbnail": None,
        }
    )
    Image.new("RGB", (64, 32), (200, 10, 10)).save(path, exif=block)
    for check_thumbnail in (True, False):
        meta = read_metadata(path, check_thumbnail=check_thumbnail)
        assert (meta.width, meta.height) == (32, 64), check_thumbnail
