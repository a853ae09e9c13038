"""Generate ``samples/demo-case``: a complete, realistic appeal case.

Run from the repository root: ``python samples/make_demo.py``. The output is
deterministic, and the files are committed, so a fresh clone has the demo ready.

The story: "Lumen Home" photographed its bottles on 10-12 March 2024 with a
Canon EOS R6. In October a competitor's listing shows the same photos (cropped,
padded onto a white square with a price sticker, mirrored and recompressed, and
in a screenshot of the listing page) and files an image-theft complaint against
Lumen Home.
"""

from __future__ import annotations

import io
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import piexif
from PIL import Image, ImageDraw, ImageFont

from devtools.synthetic import (
    crop,
    jpeg_recompress,
    listing_screenshot,
    make_shoot,
    orient,
    pad_square,
    rng,
    watermark,
)

HERE = Path(__file__).resolve().parent
CASE = HERE / "demo-case"
SIZE = (1600, 1200)
SERIAL = "032021004417"
SHOOT_START = datetime(2024, 3, 10, 14, 2, 11)

CASE_TOML = """\
# Demo case for appeal-kit: a seller accused of image theft who shot the photos.
# Regenerate the whole folder with: python samples/make_demo.py

platform = "aliexpress"
mode = "appeal"
case_id = "AE-IPR-2024-1015-0042"
store = "Lumen Home Official Store"
seller_id = "cn1520394417"
complainant = "Shenzhen Brightway Trading Co."
# When the penalty notice arrived (from Seller Center's message time).
notice_received = 2024-10-15T09:30:00+08:00
violation = "direct-copy"
points_at_stake = 4
own_listing_url = "https://www.aliexpress.com/item/1005006120000042.html"
own_listing_date = 2024-03-20
timezone = "Europe/Berlin"

[[accused]]
url = "https://www.aliexpress.com/item/1005007781234567.html"
title = "Brightway bottle 500 ml"
first_seen = 2024-10-10
images = [
    "accused/listing-main-cropped.jpg",
    "accused/listing-square-sticker.jpg",
    "accused/listing-mirrored.jpg",
    "accused/listing-page-screenshot.png",
]

# The appeal went in the day after the notice, well inside the 48 hours.
[[events]]
type = "submitted"
at = 2024-10-16T11:20:00+08:00
note = "Appeal submitted in Seller Center with this dossier"
"""


def exif_for(index: int, when: datetime, thumb: Image.Image) -> bytes:
    """Camera EXIF as a Canon EOS R6 writes it, with a matching thumbnail."""
    stamp = when.strftime("%Y:%m:%d %H:%M:%S").encode()
    buffer = io.BytesIO()
    thumb.save(buffer, format="JPEG", quality=80)
    return piexif.dump(
        {
            "0th": {
                piexif.ImageIFD.Make: b"Canon",
                piexif.ImageIFD.Model: b"Canon EOS R6",
                piexif.ImageIFD.DateTime: stamp,
                piexif.ImageIFD.Orientation: 1,
                piexif.ImageIFD.Artist: b"Mara Lindqvist",
                piexif.ImageIFD.Copyright: b"(c) 2024 Lumen Home",
                piexif.ImageIFD.XResolution: (300, 1),
                piexif.ImageIFD.YResolution: (300, 1),
            },
            "Exif": {
                piexif.ExifIFD.DateTimeOriginal: stamp,
                piexif.ExifIFD.DateTimeDigitized: stamp,
                piexif.ExifIFD.SubSecTimeOriginal: f"{index * 7 % 100:02d}".encode(),
                piexif.ExifIFD.OffsetTimeOriginal: b"+08:00",
                piexif.ExifIFD.OffsetTime: b"+08:00",
                piexif.ExifIFD.BodySerialNumber: SERIAL.encode(),
                piexif.ExifIFD.LensModel: b"RF24-105mm F4 L IS USM",
                piexif.ExifIFD.LensSerialNumber: b"5412000391",
                piexif.ExifIFD.ExposureTime: (1, 125),
                piexif.ExifIFD.FNumber: (8, 1),
                piexif.ExifIFD.ISOSpeedRatings: 200,
                piexif.ExifIFD.PixelXDimension: SIZE[0],
                piexif.ExifIFD.PixelYDimension: SIZE[1],
            },
            "GPS": {},
            "1st": {
                piexif.ImageIFD.JPEGInterchangeFormat: 0,
                piexif.ImageIFD.JPEGInterchangeFormatLength: 0,
            },
            "thumbnail": buffer.getvalue(),
        }
    )


def save(img: Image.Image, path: Path, *, quality: int = 85, exif: bytes | None = None) -> None:
    buffer = io.BytesIO()
    if path.suffix.lower() == ".png":
        img.save(buffer, format="PNG", optimize=True)
    else:
        kwargs: dict[str, object] = {"quality": quality, "optimize": True}
        if exif:
            kwargs["exif"] = exif
        img.save(buffer, format="JPEG", **kwargs)
    path.write_bytes(buffer.getvalue())


def certificate() -> Image.Image:
    """The staff photographer's copyright assignment to the store."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    big, mid, small = (ImageFont.load_default(size=s) for s in (54, 30, 24))
    draw.rectangle((40, 40, 1200, 1714), outline=(30, 60, 110), width=6)
    draw.text((620, 200), "Copyright Assignment", font=big, fill=(30, 60, 110), anchor="mm")
    lines = [
        "Photographer: Mara Lindqvist, staff photographer of Lumen Home",
        "Owner: Lumen Home Official Store (seller id cn1520394417)",
        "Work: product photographs of Lumen bottles, frames",
        "      IMG_0412 to IMG_0419, shot 10 and 12 March 2024",
        "      with the store's Canon EOS R6 serial 032021004417",
        "The photographer took these photographs in the course of",
        "her employment; all rights belong to Lumen Home.",
        "",
        "Signed in Shenzhen on 15 March 2024",
    ]
    for i, line in enumerate(lines):
        draw.text((140, 420 + i * 56), line, font=mid, fill=(20, 20, 20))
    script = ImageFont.load_default(size=40)
    draw.text((150, 1340), "M. Lindqvist", font=script, fill=(20, 40, 120))
    draw.text((710, 1340), "Chen Wei", font=script, fill=(20, 40, 120))
    draw.line((140, 1400, 600, 1400), fill=(20, 20, 20), width=2)
    draw.text((140, 1420), "Mara Lindqvist", font=small, fill=(60, 60, 60))
    draw.line((700, 1400, 1100, 1400), fill=(20, 20, 20), width=2)
    draw.text((700, 1420), "Chen Wei, owner, Lumen Home", font=small, fill=(60, 60, 60))
    return page


def main() -> None:
    if CASE.exists():
        shutil.rmtree(CASE)
    for name in ("originals", "accused", "documents"):
        (CASE / name).mkdir(parents=True)
    (CASE / "case.toml").write_text(CASE_TOML, encoding="utf-8")

    frames = make_shoot(7, 6, SIZE)  # one shoot: the hero shot and its outtakes
    second = make_shoot(23, 2, SIZE)  # a second shoot two days later
    times = [SHOOT_START + timedelta(seconds=s) for s in (0, 9, 21, 34, 50, 73)]
    times += [SHOOT_START + timedelta(days=2, hours=-3, seconds=s) for s in (0, 14)]
    for index, (frame, when) in enumerate(zip(frames + second, times, strict=True)):
        thumb = frame.copy()
        thumb.thumbnail((160, 120))
        save(
            frame,
            CASE / "originals" / f"IMG_{412 + index:04d}.JPG",
            exif=exif_for(index, when, thumb),
        )

    hero, side, detail, back = frames[0], frames[2], frames[3], second[0]
    cropped = crop(hero, 0.45, rng(5)).then(jpeg_recompress, 70)
    save(cropped.image, CASE / "accused" / "listing-main-cropped.jpg", quality=80)
    square = pad_square(side.resize((800, 600)), "US $7.99").then(watermark, "BRIGHTWAY", 0.3)
    save(square.image, CASE / "accused" / "listing-square-sticker.jpg", quality=80)
    mirrored = orient(detail.resize((900, 675)), 4).then(jpeg_recompress, 50)
    save(mirrored.image, CASE / "accused" / "listing-mirrored.jpg", quality=60)
    shot = listing_screenshot(back, rng(11))
    save(shot.image, CASE / "accused" / "listing-page-screenshot.png")
    save(certificate(), CASE / "documents" / "copyright-assignment.jpg", quality=80)
    print(f"wrote {CASE}")


if __name__ == "__main__":
    main()
