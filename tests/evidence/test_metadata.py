"""The metadata stage on files generated here, with known values written into them."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import zlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import piexif
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from appeal_kit.evidence.metadata import (
    clean_text,
    is_editor,
    parse_datetime,
    read_many,
    read_metadata,
)
from appeal_kit.evidence.xmp import parse_xmp

PLUS_TWO = timezone(timedelta(hours=2))


def scene(width: int, height: int, seed: int = 1) -> Image.Image:
    """A photo-like picture: smooth random blobs, so a shrunken copy still has structure."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(6, 9, 3), dtype=np.uint8)
    img = Image.fromarray(coarse, "RGB").resize((width, height), Image.Resampling.BICUBIC)
    return img


def jpeg_bytes(img: Image.Image, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def exif_block(
    *,
    zeroth: dict[int, Any] | None = None,
    exif: dict[int, Any] | None = None,
    gps: dict[int, Any] | None = None,
    thumbnail: Image.Image | None = None,
) -> bytes:
    data: dict[str, Any] = {"0th": zeroth or {}, "Exif": exif or {}, "GPS": gps or {}}
    if thumbnail is not None:
        data["1st"] = {piexif.ImageIFD.Compression: 6}
        data["thumbnail"] = jpeg_bytes(thumbnail, quality=75)
    return piexif.dump(data)


CAMERA_EXIF = {
    piexif.ExifIFD.DateTimeOriginal: b"2024:03:10 14:02:07",
    piexif.ExifIFD.DateTimeDigitized: b"2024:03:10 14:02:07",
    piexif.ExifIFD.SubSecTimeOriginal: b"123",
    piexif.ExifIFD.OffsetTimeOriginal: b"+02:00",
    piexif.ExifIFD.OffsetTime: b"+02:00",
    piexif.ExifIFD.BodySerialNumber: b"012345678901",
    piexif.ExifIFD.LensModel: b"RF24-105mm F4 L IS USM",
    piexif.ExifIFD.LensSerialNumber: b"9876543",
    piexif.ExifIFD.ImageUniqueID: b"A1B2C3D4E5F60718293A4B5C6D7E8F90",
}
CAMERA_ZEROTH = {
    piexif.ImageIFD.Make: b"Canon",
    piexif.ImageIFD.Model: b"Canon EOS R6",
    piexif.ImageIFD.Software: b"Firmware Version 1.8.1",
    piexif.ImageIFD.DateTime: b"2024:03:10 14:02:07",
    piexif.ImageIFD.Artist: b"Jane Seller",
    piexif.ImageIFD.Copyright: b"Jane Seller\x00\x00",
}
GPS_BERLIN = {
    piexif.GPSIFD.GPSLatitudeRef: b"N",
    piexif.GPSIFD.GPSLatitude: ((52, 1), (31, 1), (1200, 100)),
    piexif.GPSIFD.GPSLongitudeRef: b"E",
    piexif.GPSIFD.GPSLongitude: ((13, 1), (24, 1), (3600, 100)),
}


def write_jpeg(path: Path, img: Image.Image, exif: bytes | None = None, **extra: Any) -> Path:
    if exif is not None:
        extra["exif"] = exif
    img.save(path, "JPEG", quality=90, **extra)
    return path


def codes(meta: Any) -> list[str]:
    return sorted(f.code for f in meta.findings)


# --- a camera JPEG ------------------------------------------------------------------


def test_camera_jpeg_gives_every_field(tmp_path: Path) -> None:
    img = scene(600, 400)
    block = exif_block(
        zeroth=CAMERA_ZEROTH, exif=CAMERA_EXIF, gps=GPS_BERLIN, thumbnail=img.resize((160, 107))
    )
    path = write_jpeg(tmp_path / "IMG_0412.JPG", img, block)

    meta = read_metadata(path, display_path="originals/IMG_0412.JPG")

    assert meta.error is None, meta.error
    assert meta.display_path == "originals/IMG_0412.JPG"
    assert meta.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert meta.size_bytes == path.stat().st_size
    assert (meta.format, meta.width, meta.height, meta.orientation) == ("JPEG", 600, 400, None)
    assert meta.captured_at == datetime(2024, 3, 10, 14, 2, 7, 123000, tzinfo=PLUS_TWO)
    assert meta.captured_at_tag == "EXIF:DateTimeOriginal"
    assert meta.modified_at == datetime(2024, 3, 10, 14, 2, 7, tzinfo=PLUS_TWO)
    assert (meta.make, meta.model, meta.camera) == ("Canon", "Canon EOS R6", "Canon EOS R6")
    assert meta.serial == "012345678901"
    assert (meta.lens, meta.lens_serial) == ("RF24-105mm F4 L IS USM", "9876543")
    assert meta.software == "Firmware Version 1.8.1"
    assert (meta.artist, meta.copyright) == ("Jane Seller", "Jane Seller")
    assert meta.image_unique_id == "A1B2C3D4E5F60718293A4B5C6D7E8F90"
    assert meta.has_gps and meta.gps is not None
    assert meta.gps == pytest.approx((52.52, 13.41), abs=1e-4)
    assert meta.has_thumbnail and meta.thumbnail_matches is True
    assert meta.findings == []
    assert meta.warnings == []


def test_gps_stays_out_of_json_unless_asked(tmp_path: Path) -> None:
    path = write_jpeg(tmp_path / "a.jpg", scene(64, 48), exif_block(gps=GPS_BERLIN))
    meta = read_metadata(path)
    assert "gps" not in meta.to_json()
    assert meta.to_json()["has_gps"] is True
    assert meta.to_json(include_gps=True)["gps"] == pytest.approx([52.52, 13.41], abs=1e-4)


def test_input_file_is_not_modified(tmp_path: Path) -> None:
    img = scene(300, 200)
    path = write_jpeg(tmp_path / "a.jpg", img, exif_block(exif=CAMERA_EXIF, thumbnail=img))
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    read_metadata(path)
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg"]


def test_orientation_6_swaps_size_and_thumbnail_is_compared_upright(tmp_path: Path) -> None:
    stored = scene(600, 400, seed=3)  # the sensor's landscape pixels; shown as portrait
    block = exif_block(
        zeroth={piexif.ImageIFD.Orientation: 6},
        exif=CAMERA_EXIF,
        thumbnail=stored.resize((150, 100)),
    )
    meta = read_metadata(write_jpeg(tmp_path / "p.jpg", stored, block))
    assert (meta.orientation, meta.width, meta.height) == (6, 400, 600)
    assert meta.thumbnail_matches is True


# --- the thumbnail check ----------------------------------------------------------------


def test_thumbnail_of_another_picture_differs(tmp_path: Path) -> None:
    block = exif_block(exif=CAMERA_EXIF, thumbnail=scene(160, 107, seed=99))
    meta = read_metadata(write_jpeg(tmp_path / "a.jpg", scene(600, 400, seed=1), block))
    assert meta.has_thumbnail and meta.thumbnail_matches is False
    differs = [f for f in meta.findings if f.code == "thumbnail-differs"]
    assert len(differs) == 1 and differs[0].severity == "warning" and differs[0].fix


def test_local_edit_after_capture_is_caught(tmp_path: Path) -> None:
    original = scene(600, 400, seed=5)
    edited = original.copy()
    edited.paste((250, 250, 250), (360, 40, 560, 180))  # a pasted label over 12 % of it
    block = exif_block(exif=CAMERA_EXIF, thumbnail=original.resize((160, 107)))
    meta = read_metadata(write_jpeg(tmp_path / "a.jpg", edited, block))
    assert meta.thumbnail_matches is False


def test_letterboxed_thumbnail_matches(tmp_path: Path) -> None:
    img = scene(600, 400, seed=7)  # 3:2 photo, 4:3 thumbnail with black bars
    thumb = Image.new("RGB", (160, 120), (0, 0, 0))
    thumb.paste(img.resize((160, 107)), (0, 7))
    meta = read_metadata(write_jpeg(tmp_path / "a.jpg", img, exif_block(thumbnail=thumb)))
    assert meta.thumbnail_matches is True


def test_no_thumbnail_check_when_disabled_or_absent(tmp_path: Path) -> None:
    img = scene(300, 200)
    with_thumb = write_jpeg(tmp_path / "a.jpg", img, exif_block(thumbnail=img))
    without = write_jpeg(tmp_path / "b.jpg", img, exif_block(exif=CAMERA_EXIF))
    unchecked = read_metadata(with_thumb, check_thumbnail=False)
    assert unchecked.has_thumbnail and unchecked.thumbnail_matches is None
    absent = read_metadata(without)
    assert not absent.has_thumbnail and absent.thumbnail_matches is None


# --- findings ---------------------------------------------------------------------------


def test_editor_software_and_later_modify_date_are_reported(tmp_path: Path) -> None:
    zeroth = {
        **CAMERA_ZEROTH,
        piexif.ImageIFD.Software: b"Adobe Photoshop Lightroom Classic 13.2 (Windows)",
        piexif.ImageIFD.DateTime: b"2024:03:12 09:30:00",
    }
    meta = read_metadata(
        write_jpeg(tmp_path / "a.jpg", scene(64, 48), exif_block(zeroth=zeroth, exif=CAMERA_EXIF))
    )
    assert codes(meta) == ["edited-with-software", "modified-after-capture"]
    modified = next(f for f in meta.findings if f.code == "modified-after-capture")
    assert "43 hours" in modified.message
    assert all(f.path == str(tmp_path / "a.jpg") and f.fix for f in meta.findings)


def test_stripped_file_and_unknown_time_zone(tmp_path: Path) -> None:
    stripped = read_metadata(write_jpeg(tmp_path / "s.jpg", scene(64, 48)))
    assert codes(stripped) == ["metadata-stripped"]
    assert stripped.captured_at is None and stripped.camera is None

    naive_exif = {piexif.ExifIFD.DateTimeOriginal: b"2024:03:10 14:02:07"}
    naive = read_metadata(
        write_jpeg(
            tmp_path / "n.jpg", scene(64, 48), exif_block(zeroth=CAMERA_ZEROTH, exif=naive_exif)
        )
    )
    assert naive.captured_at == datetime(2024, 3, 10, 14, 2, 7)
    assert naive.captured_at.tzinfo is None
    assert codes(naive) == ["timezone-unknown"]


def test_create_date_is_the_fallback_capture_time(tmp_path: Path) -> None:
    exif = {
        piexif.ExifIFD.DateTimeOriginal: b"not a date at all",
        piexif.ExifIFD.DateTimeDigitized: b"2023:12:31 23:59:58",
        piexif.ExifIFD.SubSecTimeDigitized: b"5",
        piexif.ExifIFD.OffsetTimeDigitized: b"-05:00",
    }
    meta = read_metadata(write_jpeg(tmp_path / "a.jpg", scene(64, 48), exif_block(exif=exif)))
    assert meta.error is None
    assert meta.captured_at_tag == "EXIF:CreateDate"
    assert meta.captured_at == datetime(
        2023, 12, 31, 23, 59, 58, 500000, tzinfo=timezone(timedelta(hours=-5))
    )
    assert any("DateTimeOriginal ignored" in w for w in meta.warnings)


def test_editor_names() -> None:
    assert is_editor("Adobe Photoshop 25.0 (Macintosh)")
    assert is_editor("GIMP 2.10.36")
    assert is_editor("Snapseed 2.0")
    assert not is_editor("Ver.1.00")
    assert not is_editor("Adobe DNG Converter 17.4.1 (Windows)")
    assert not is_editor(None)


# --- XMP and other containers -------------------------------------------------------------

XMP_PACKET = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
    xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmp:CreateDate="2024-03-10T14:02:07.25+01:00"
    xmp:ModifyDate="2024-03-11T08:00:00+01:00"
    xmp:CreatorTool="Adobe Photoshop Lightroom Classic 13.2"
    xmpMM:DocumentID="xmp.did:0001"
    xmpMM:OriginalDocumentID="A1B2C3D4E5F60718293A4B5C6D7E8F90"
    tiff:Make="FUJIFILM" tiff:Model="X-T4">
   <dc:creator><rdf:Seq><rdf:li>Jane Seller</rdf:li></rdf:Seq></dc:creator>
   <xmpMM:History>
    <rdf:Seq>
     <rdf:li stEvt:action="converted" stEvt:parameters="from image/x-fuji-raf to image/jpeg"
       stEvt:when="2024-03-11T08:00:00+01:00" stEvt:softwareAgent="Adobe Photoshop Lightroom Classic 13.2"/>
     <rdf:li rdf:parseType="Resource">
      <stEvt:action>saved</stEvt:action>
      <stEvt:when>2024-03-11T08:01:30+01:00</stEvt:when>
      <stEvt:softwareAgent>Adobe Photoshop 25.0</stEvt:softwareAgent>
     </rdf:li>
    </rdf:Seq>
   </xmpMM:History>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""

HISTORY = [
    "2024-03-11T08:00 converted from image/x-fuji-raf to image/jpeg by Adobe Photoshop Lightroom Classic 13.2",
    "2024-03-11T08:01 saved by Adobe Photoshop 25.0",
]


def check_xmp_fields(meta: Any) -> None:
    assert meta.error is None, meta.error
    assert meta.captured_at == datetime(
        2024, 3, 10, 14, 2, 7, 250000, tzinfo=timezone(timedelta(hours=1))
    )
    assert meta.captured_at_tag == "XMP:CreateDate"
    assert meta.modified_at == datetime(2024, 3, 11, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    assert (meta.make, meta.model, meta.artist) == ("FUJIFILM", "X-T4", "Jane Seller")
    assert meta.document_id == "xmp.did:0001"
    assert meta.original_document_id == "A1B2C3D4E5F60718293A4B5C6D7E8F90"
    assert meta.history == HISTORY
    assert meta.software == "Adobe Photoshop Lightroom Classic 13.2"
    assert "edited-with-software" in codes(meta)


def test_xmp_packet_in_jpeg_app1(tmp_path: Path) -> None:
    path = write_jpeg(tmp_path / "x.jpg", scene(64, 48), xmp=XMP_PACKET.encode("utf-8"))
    assert b"http://ns.adobe.com/xap/1.0/\x00" in path.read_bytes()  # a real APP1 XMP segment
    check_xmp_fields(read_metadata(path))


def test_png_with_exif_chunk_and_xmp_itxt(tmp_path: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP_PACKET)
    path = tmp_path / "x.png"
    scene(64, 48).save(
        path, "PNG", pnginfo=info, exif=exif_block(zeroth={piexif.ImageIFD.Orientation: 8})
    )
    assert b"eXIf" in path.read_bytes()
    meta = read_metadata(path)
    check_xmp_fields(meta)
    assert (meta.format, meta.orientation, meta.width, meta.height) == ("PNG", 8, 48, 64)


def test_webp_with_exif(tmp_path: Path) -> None:
    path = tmp_path / "x.webp"
    scene(80, 60).save(path, "WEBP", exif=exif_block(zeroth=CAMERA_ZEROTH, exif=CAMERA_EXIF))
    meta = read_metadata(path)
    assert meta.error is None
    assert (meta.format, meta.width, meta.height, meta.model) == ("WEBP", 80, 60, "Canon EOS R6")
    assert meta.captured_at == datetime(2024, 3, 10, 14, 2, 7, 123000, tzinfo=PLUS_TWO)


def test_heic_with_exif(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif build cannot encode HEIC")
    path = tmp_path / "x.heic"
    scene(128, 96).save(
        path,
        "HEIF",
        exif=exif_block(zeroth={**CAMERA_ZEROTH, piexif.ImageIFD.Orientation: 6}, exif=CAMERA_EXIF),
    )
    meta = read_metadata(path)
    assert meta.error is None, meta.error
    # pillow-heif hands over upright pixels; the orientation is still reported.
    assert (meta.format, meta.orientation, meta.width, meta.height) == ("HEIF", 6, 96, 128)
    assert meta.make == "Canon"
    assert meta.captured_at == datetime(2024, 3, 10, 14, 2, 7, 123000, tzinfo=PLUS_TWO)


def test_raw_file_gets_metadata_but_no_pixels(tmp_path: Path) -> None:
    path = tmp_path / "DSC_0001.DNG"  # a TIFF container, as DNG is
    scene(120, 80).save(path, "TIFF", exif=exif_block(zeroth=CAMERA_ZEROTH, exif=CAMERA_EXIF))
    meta = read_metadata(path)
    assert meta.error is None
    assert meta.format == "DNG"
    assert (meta.make, meta.model, meta.serial) == ("Canon", "Canon EOS R6", "012345678901")
    assert meta.captured_at == datetime(2024, 3, 10, 14, 2, 7, 123000, tzinfo=PLUS_TWO)
    assert (meta.width, meta.height) == (120, 80)
    assert any("pixels not decoded" in w for w in meta.warnings)


# --- bad files ----------------------------------------------------------------------------


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    meta = read_metadata(path)
    # Reason and fix stay apart: the dossier shows the first, the terminal both.
    assert (meta.error, meta.error_fix) == ("is empty (0 bytes)", "copy or download the file again")
    assert meta.size_bytes == 0
    data = meta.to_json()
    assert (data["error"], data["error_fix"]) == (meta.error, meta.error_fix)
    usable = read_metadata(write_jpeg(tmp_path / "ok.jpg", scene(64, 48)))
    assert usable.error is None and "error_fix" not in usable.to_json()


def test_truncated_jpeg(tmp_path: Path) -> None:
    full = write_jpeg(tmp_path / "full.jpg", scene(800, 600), exif_block(exif=CAMERA_EXIF))
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    meta = read_metadata(cut)
    assert meta.error is not None and "truncated" in meta.error
    # Without a decode the missing end marker shows it; the headers were still read.
    headers = read_metadata(cut, check_thumbnail=False)
    assert headers.error == meta.error and headers.captured_at == meta.captured_at is not None


def test_text_named_jpg(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_text("<html>Access denied</html>")
    meta = read_metadata(path)
    assert meta.error is not None and "is not an image" in meta.error


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    psd = tmp_path / "layers.psd"
    psd.write_bytes(b"8BPS\x00\x01" + b"\x00" * 64)
    assert "unsupported format PSD" in (read_metadata(psd).error or "")
    missing = read_metadata(tmp_path / "gone.jpg")
    assert missing.error is not None and missing.error.startswith("cannot be read (")
    assert missing.error_fix == "check the path and permissions"


def test_malformed_exif_is_a_warning_not_an_error(tmp_path: Path) -> None:
    garbage = b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff" + b"\x01\x02" * 20
    path = write_jpeg(tmp_path / "bad.jpg", scene(64, 48), garbage)
    meta = read_metadata(path)
    assert meta.error is None
    assert (meta.width, meta.height) == (64, 48)
    assert any("EXIF block is damaged" in w for w in meta.warnings)


def raw_exif(entries: list[tuple[int, int, int, bytes]]) -> bytes:
    """A little-endian EXIF block with exactly these IFD0 entries (tag, type, count, data).

    Writers like piexif and Pillow refuse wrong types; a broken camera does not.
    """
    out_of_line = b""
    base = 8 + 2 + 12 * len(entries) + 4
    table = b""
    for tag, kind, count, data in entries:
        if len(data) <= 4:
            table += tag.to_bytes(2, "little") + kind.to_bytes(2, "little")
            table += count.to_bytes(4, "little") + data.ljust(4, b"\x00")
        else:
            offset = base + len(out_of_line)
            table += tag.to_bytes(2, "little") + kind.to_bytes(2, "little")
            table += count.to_bytes(4, "little") + offset.to_bytes(4, "little")
            out_of_line += data
    ifd = len(entries).to_bytes(2, "little") + table + b"\x00\x00\x00\x00"
    return b"Exif\x00\x00II*\x00\x08\x00\x00\x00" + ifd + out_of_line


def test_garbage_tag_values_degrade_to_warnings(tmp_path: Path) -> None:
    make = b"Canon\x00\x00\x00   \x00"  # NUL-padded
    model = b"\xc9OS R\xe9\x00"  # not UTF-8
    block = raw_exif(
        [
            (0x010F, 2, len(make), make),
            (0x0110, 2, len(model), model),
            (0x0112, 2, 4, b"six\x00"),  # Orientation as text
            (0x0131, 3, 1, (42).to_bytes(2, "little")),  # Software as a number
        ]
    )
    path = write_jpeg(tmp_path / "odd.jpg", scene(64, 48), block)
    meta = read_metadata(path)
    assert meta.error is None
    assert meta.make == "Canon"
    assert meta.model == "ÉOS Ré"
    assert meta.orientation is None and (meta.width, meta.height) == (64, 48)
    assert meta.software is None
    assert any("Orientation" in w for w in meta.warnings)
    assert any("Software" in w for w in meta.warnings)


# --- helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "subsec", "offset", "expected"),
    [
        ("2024:03:10 14:02:07", None, None, datetime(2024, 3, 10, 14, 2, 7)),
        (
            "2024:03:10 14:02:07\x00",
            "05",
            "+05:30",
            datetime(2024, 3, 10, 14, 2, 7, 50000, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
        ("2024-03-10T14:02:07Z", None, None, datetime(2024, 3, 10, 14, 2, 7, tzinfo=UTC)),
        (
            "2024-03-10T14:02:07.1234567-0800",
            None,
            None,
            datetime(2024, 3, 10, 14, 2, 7, 123456, tzinfo=timezone(timedelta(hours=-8))),
        ),
        ("2024-03-10T14:02", None, None, datetime(2024, 3, 10, 14, 2)),
        ("0000:00:00 00:00:00", None, None, None),
        ("    :  :     :  :  ", None, None, None),
        ("2024-03-10", None, None, None),
        ("2024:03:10 14:02:07", "abc", "+99:00", datetime(2024, 3, 10, 14, 2, 7)),
    ],
)
def test_parse_datetime(
    text: str, subsec: str | None, offset: str | None, expected: datetime | None
) -> None:
    assert parse_datetime(text, subsec, offset) == expected


@pytest.mark.parametrize("text", ["yesterday", "2024:13:45 10:00:00", "2024:03:10 25:61:00"])
def test_parse_datetime_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_clean_text() -> None:
    warnings: list[str] = []
    assert clean_text(b"Canon\x00\x00", "Make", warnings) == "Canon"
    assert (
        clean_text("  Jane\x00Editor Co \x00", "Copyright", warnings, two_parts=True)
        == "Jane / Editor Co"
    )
    # Any other string ends at its first NUL, as exiftool reads it (issue 14.14).
    assert clean_text(b"MAVICA\x003ghx7y", "Model", warnings) == "MAVICA"
    assert clean_text("\x00\x00  ", "Make", warnings) is None
    assert clean_text((1, 2), "Make", warnings) is None
    assert warnings == ["Make has an unexpected value type (tuple); ignored"]


def test_malformed_xmp_is_a_warning() -> None:
    data, problem = parse_xmp(b"<x:xmpmeta><rdf:RDF><broken")
    assert data.values == {} and problem is not None and "malformed" in problem


def test_utf16_xmp_packet() -> None:
    data, problem = parse_xmp(XMP_PACKET.encode("utf-16-be"))
    assert problem is None
    assert data.get("xmpMM:DocumentID") == "xmp.did:0001"


def test_read_many_keeps_order_with_two_workers(tmp_path: Path) -> None:
    paths = []
    for i in range(8):
        exif = {piexif.ExifIFD.DateTimeOriginal: f"2024:03:10 14:0{i}:00".encode()}
        paths.append(
            write_jpeg(tmp_path / f"IMG_{i:04d}.jpg", scene(64, 48, seed=i), exif_block(exif=exif))
        )
    paths.append(tmp_path / "missing.jpg")
    paths.reverse()
    progress: list[tuple[int, int]] = []
    parallel = read_many(
        paths, display=lambda p: p.name, jobs=2, on_progress=lambda d, t: progress.append((d, t))
    )
    serial = read_many(paths, display=lambda p: p.name, jobs=1)
    assert [m.display_path for m in parallel] == [p.name for p in paths]
    assert [m.to_json() for m in parallel] == [m.to_json() for m in serial]
    assert parallel[0].error is not None
    assert [m.captured_at.minute for m in parallel[1:] if m.captured_at] == list(range(7, -1, -1))
    assert sorted(progress) == [(i, 9) for i in range(1, 10)]


def png_claiming_size(width: int, height: int) -> bytes:
    """A valid 1x1 PNG whose IHDR is rewritten to claim another size."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize("side", [15_000, 30_000])
def test_decompression_bomb_header_is_refused_without_decoding(tmp_path: Path, side: int) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming_size(side, side))
    meta = read_metadata(path, check_thumbnail=False)
    assert meta.error is not None and "too large" in meta.error


def test_xmp_supplies_the_offset_exif_lacks(tmp_path: Path) -> None:
    packet = XMP_PACKET.replace(
        'xmp:CreateDate="2024-03-10T14:02:07.25+01:00"',
        'exif:DateTimeOriginal="2024-03-10T14:02:07+01:00" xmlns:exif="http://ns.adobe.com/exif/1.0/"',
    )
    naive_exif = {piexif.ExifIFD.DateTimeOriginal: b"2024:03:10 14:02:07"}
    path = write_jpeg(
        tmp_path / "a.jpg", scene(64, 48), exif_block(exif=naive_exif), xmp=packet.encode()
    )
    meta = read_metadata(path)
    assert meta.captured_at == datetime(2024, 3, 10, 14, 2, 7, tzinfo=timezone(timedelta(hours=1)))
    assert meta.captured_at_tag == "EXIF:DateTimeOriginal"
    assert "timezone-unknown" not in codes(meta)
    # A different wall-clock time in XMP is not the same moment: no offset is borrowed.
    other = packet.replace("2024-03-10T14:02:07+01:00", "2024-03-10T09:00:00+01:00")
    path2 = write_jpeg(
        tmp_path / "b.jpg", scene(64, 48), exif_block(exif=naive_exif), xmp=other.encode()
    )
    assert read_metadata(path2).captured_at == datetime(2024, 3, 10, 14, 2, 7)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=12))
def test_corrupted_bytes_never_raise(tmp_path: Path, edits: list[tuple[int, int]]) -> None:
    img = scene(120, 80)
    block = exif_block(zeroth=CAMERA_ZEROTH, exif=CAMERA_EXIF, gps=GPS_BERLIN, thumbnail=img)
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=80, exif=block, xmp=XMP_PACKET.encode())
    data = bytearray(buffer.getvalue())
    for position, value in edits:  # most land in the EXIF, XMP and thumbnail at the front
        data[position % len(data)] = value
    path = tmp_path / "fuzz.jpg"
    path.write_bytes(bytes(data))
    meta = read_metadata(path)
    # Every unusable file gets a fix of its own, never glued onto the reason.
    assert meta.error is None or (bool(meta.error_fix) and " — " not in meta.error)
    json.dumps(meta.to_json(include_gps=True))
