"""Copies of real photos made the way marketplace competitors dress stolen pictures.

For the matching benchmark's real-photo mode and the tests that use real camera
files (``../shared/corpus/real-photos``; never bundled). Each edit returns a
``Copy``: the new image plus ``to_source``, the 3x3 matrix from its pixels to
the original's full-resolution pixels (after EXIF orientation), so the region a
copy shows is known exactly (``source_region``).

The dressing follows real AliExpress-style listings: crops and white squares,
mirrors, recompression, a few degrees of turn, colour shifts, upscaled crops,
product-page screenshots, full-width banners of large dense Chinese text with a
price sticker, tiled diagonal semi-transparent shop-name watermarks, and promo
frames (coloured border, slogan band, corner ribbon) on a white square. Chinese
text is drawn in the bundled Droid Sans Fallback; Latin text and digits in
Pillow's bundled font (the CJK font has no Latin glyphs).

Example::

    photo = load_upright(path)
    copy = make_copy(photo, "banner", rng(3))
    truth = source_region(copy, photo.size)
"""

from __future__ import annotations

import functools
import gzip
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

# The truth's rectangle arithmetic is the synthetic generator's: one definition.
from devtools.synthetic import _bbox, _intersect

Matrix = NDArray[np.float64]
Rect = tuple[int, int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

FONT_PATH = (
    Path(__file__).resolve().parents[1] / "appeal_kit" / "fonts" / "DroidSansFallback.ttf.gz"
)
LISTING_SIDE = (800, 1000)  # long side of a marketplace listing picture, px

SLOGANS = (
    "欧式复古水晶吊灯 包邮 限时特价",
    "新款时尚 正品保证 七天无理由退换",
    "厂家直销 全国包邮 买二送一",
    "爆款热卖 品质保障 假一赔十",
    "限时抢购 今日特价 下单立减二十元",
    "高清实拍 现货速发 好评如潮",
    "官方旗舰 品质生活 优惠多多",
    "年终大促 全场五折 先到先得",
)
SHOPS = ("优品旗舰店", "华美家居专营店", "星辰数码官方店", "淘淘小铺", "佳品汇", "鑫源百货")
SHOP_LATIN = ("YOUPIN", "HUAMEI", "STAR SHOP", "TAOTAO", "JIAPIN", "XINYUAN")
RIBBONS = ("热卖", "新品", "特价", "包邮")
BANNER_COLOURS = ((214, 24, 32), (232, 92, 12), (20, 20, 20), (196, 18, 96), (250, 210, 0))


def rng(seed: int) -> np.random.Generator:
    """A seeded generator."""
    return np.random.default_rng(seed)


@functools.cache
def _cjk_bytes() -> bytes:
    return gzip.decompress(FONT_PATH.read_bytes())


@functools.cache
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The bundled Droid Sans Fallback at ``size`` px."""
    return ImageFont.truetype(io.BytesIO(_cjk_bytes()), size)


@functools.cache
def latin_font(size: int) -> Font:
    """Pillow's bundled font (ASCII), the same on every machine."""
    return ImageFont.load_default(size=max(8, size))


def draw_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    size: int,
    fill: tuple[int, ...] | int,
) -> float:
    """Draw mixed Chinese/Latin text left to right from ``xy`` (top-left); returns the width."""
    x, y = xy
    for run in _runs(text):
        font = latin_font(size) if run.isascii() else cjk_font(size)
        draw.text((x, y), run, font=font, fill=fill)
        x += draw.textlength(run, font=font)
    return x - xy[0]


def text_width(text: str, size: int) -> float:
    """Width of ``draw_text``'s output."""
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    return sum(
        probe.textlength(r, font=latin_font(size) if r.isascii() else cjk_font(size))
        for r in _runs(text)
    )


def _runs(text: str) -> list[str]:
    out: list[str] = []
    for ch in text:
        if out and out[-1][-1].isascii() == ch.isascii():
            out[-1] += ch
        else:
            out.append(ch)
    return out


# --------------------------------------------------------------------------- truth


def _translate(tx: float, ty: float) -> Matrix:
    return np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], np.float64)


def _scale(sx: float, sy: float) -> Matrix:
    return np.array([[sx, 0, 0], [0, sy, 0], [0, 0, 1]], np.float64)


@dataclass(frozen=True)
class Copy:
    """An edited image and how its pixels map back to the original.

    ``to_source``: copy px (pixel corners at integers) -> original px.
    ``photo_rect``: where the photo sits in the copy (``None`` = all of it).
    ``extent``: the part of the original the pixels come from (``None`` = all).
    ``covered``: share of the photo area painted over by overlays (banners,
    stickers, frames), for reporting.
    """

    image: Image.Image
    to_source: Matrix
    photo_rect: Rect | None = None
    extent: Rect | None = None
    covered: float = 0.0

    def then(self, edit: Callable[..., Copy], *args: object) -> Copy:
        """Apply another edit, keeping the mapping to the original."""
        nxt = edit(self.image, *args)
        rect = nxt.photo_rect
        if self.photo_rect is not None:
            back = np.asarray(np.linalg.inv(nxt.to_source), np.float64)
            inner = _bbox(_apply(back, _corners(self.photo_rect)))
            rect = _intersect(inner, rect) if rect is not None else inner
        extent = self.extent
        if nxt.extent is not None:
            inner = _bbox(_apply(self.to_source, _corners(nxt.extent)))
            extent = _intersect(inner, extent) if extent is not None else inner
        covered = 1 - (1 - self.covered) * (1 - nxt.covered)
        return Copy(nxt.image, self.to_source @ nxt.to_source, rect, extent, covered)


def _corners(rect: Rect) -> NDArray[np.float64]:
    x, y, w, h = rect
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float64)


def _apply(matrix: Matrix, pts: NDArray[np.float64]) -> NDArray[np.float64]:
    homog = np.hstack([pts, np.ones((len(pts), 1))]) @ matrix.T
    return np.asarray(homog[:, :2] / homog[:, 2:3], np.float64)


def source_region(copy: Copy, source_size: tuple[int, int]) -> Rect:
    """``[x, y, w, h]`` of the original that the copy shows (the truth for IoU)."""
    x, y, w, h = copy.photo_rect or (0, 0, *copy.image.size)
    gx, gy = np.meshgrid(np.linspace(x, x + w, 65), np.linspace(y, y + h, 65))
    pts = _apply(copy.to_source, np.stack([gx.ravel(), gy.ravel()], axis=1))
    sw, sh = source_size
    keep = (pts[:, 0] >= -1) & (pts[:, 1] >= -1) & (pts[:, 0] <= sw + 1) & (pts[:, 1] <= sh + 1)
    if not keep.any():
        return 0, 0, 0, 0
    shown = _intersect(_bbox(pts[keep]), (0, 0, sw, sh))
    return _intersect(shown, copy.extent) if copy.extent is not None else shown


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two ``[x, y, w, h]`` boxes."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    union = a[2] * a[3] + b[2] * b[3] - ix * iy
    return ix * iy / union if union > 0 else 0.0


def load_upright(path: Path) -> Image.Image:
    """The full-resolution photo, EXIF orientation applied, RGB."""
    with Image.open(path) as img:
        return ImageOps.exif_transpose(img).convert("RGB")


# --------------------------------------------------------------------------- edits


def resize_to(img: Image.Image, side: int) -> Copy:
    """Long side to ``side`` px (down with Lanczos, up with bicubic)."""
    w, h = img.size
    f = side / max(w, h)
    nw, nh = max(1, round(w * f)), max(1, round(h * f))
    method = Image.Resampling.LANCZOS if f < 1 else Image.Resampling.BICUBIC
    return Copy(img.resize((nw, nh), method), _scale(w / nw, h / nh))


def listing(img: Image.Image, g: np.random.Generator) -> Copy:
    """The photo as a listing shows it: long side 800-1000 px (never enlarged)."""
    side = int(g.integers(*LISTING_SIDE))
    return resize_to(img, min(side, max(img.size)))


def crop(img: Image.Image, area: float, g: np.random.Generator) -> Copy:
    """A crop of ``area`` of the picture, near its aspect, at a random place."""
    w, h = img.size
    aspect = float(g.uniform(0.8, 1.25))
    cw = min(w, round(w * math.sqrt(area * aspect)))
    ch = min(h, round(w * h * area / cw))
    x, y = int(g.integers(0, w - cw + 1)), int(g.integers(0, h - ch + 1))
    return Copy(img.crop((x, y, x + cw, y + ch)), _translate(x, y), extent=(x, y, cw, ch))


def mirror(img: Image.Image) -> Copy:
    """Left-right mirror image."""
    return Copy(
        img.transpose(Image.Transpose.FLIP_LEFT_RIGHT), _translate(img.width, 0) @ _scale(-1, 1)
    )


def jpeg(img: Image.Image, quality: int) -> Copy:
    """Saved and reloaded as JPEG (4:2:0) at ``quality``."""
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, subsampling=2)
    buf.seek(0)
    with Image.open(buf) as reloaded:
        return Copy(reloaded.convert("RGB"), np.eye(3))


def turn(img: Image.Image, degrees: float) -> Copy:
    """Turned counter-clockwise on an enlarged white canvas."""
    w, h = img.size
    out = img.rotate(
        degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255)
    )
    nw, nh = out.size
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    back = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], np.float64)
    return Copy(out, _translate(w / 2, h / 2) @ back @ _translate(-nw / 2, -nh / 2))


def colour(img: Image.Image, g: np.random.Generator) -> Copy:
    """Brightness, contrast, saturation and a warm or cool cast, as listing filters do."""
    out = ImageEnhance.Brightness(img).enhance(float(g.uniform(0.75, 1.3)))
    out = ImageEnhance.Contrast(out).enhance(float(g.uniform(0.75, 1.35)))
    out = ImageEnhance.Color(out).enhance(float(g.uniform(0.5, 1.7)))
    cast = np.array([1.0, 1.0, 1.0]) + g.uniform(-0.08, 0.08, 3)
    arr = np.clip(np.asarray(out, np.float32) * cast.astype(np.float32), 0, 255).astype(np.uint8)
    return Copy(Image.fromarray(arr), np.eye(3))


def pad_white(img: Image.Image, g: np.random.Generator) -> Copy:
    """Centred on a white square with a margin, as listing thumbnails are."""
    w, h = img.size
    side = int(max(w, h) * (1 + 2 * float(g.uniform(0.03, 0.12))))
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    x, y = (side - w) // 2, (side - h) // 2
    canvas.paste(img, (x, y))
    return Copy(canvas, _translate(-x, -y), (x, y, w, h))


def upscale(img: Image.Image, g: np.random.Generator) -> Copy:
    """A crop of the listing picture enlarged 1.5-2.5x (a thief's "HD" version)."""
    base = listing(img, g)
    cut = base.then(crop, float(g.uniform(0.2, 0.45)), g)
    f = float(g.uniform(1.5, 2.5))
    w, h = cut.image.size
    nw, nh = round(w * f), round(h * f)
    big = Copy(cut.image.resize((nw, nh), Image.Resampling.BICUBIC), _scale(w / nw, h / nh))
    return Copy(big.image, cut.to_source @ big.to_source, extent=cut.extent)


def sticker(
    draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, g: np.random.Generator
) -> None:
    """A round price sticker: ``￥89.9``-style price under a two-character tag."""
    fill = ((230, 30, 40), (255, 200, 0), (255, 90, 0))[int(g.integers(0, 3))]
    ink = (255, 255, 255) if fill != (255, 200, 0) else (200, 0, 0)
    draw.ellipse(
        (cx - r, cy - r, cx + r, cy + r),
        fill=fill,
        outline=(255, 255, 255),
        width=max(2, int(r / 12)),
    )
    price = f"￥{int(g.integers(19, 299))}.{int(g.integers(0, 10))}"
    size = int(r * 0.48)
    tag = RIBBONS[int(g.integers(0, len(RIBBONS)))]
    draw_text(draw, (cx - text_width(tag, size) / 2, cy - r * 0.62), tag, size, ink)
    draw_text(draw, (cx - text_width(price, size) / 2, cy + r * 0.02), price, size, ink)


def banner(img: Image.Image, g: np.random.Generator, top: bool | None = None) -> Copy:
    """A full-width banner of dense 40-60 px Chinese text, top or bottom, and a price sticker."""
    out = img.copy()
    w, h = out.size
    draw = ImageDraw.Draw(out)
    size = int(g.integers(40, 61))
    lines = 1 if g.random() < 0.6 else 2
    pad = int(size * 0.35)
    band = lines * int(size * 1.25) + 2 * pad
    top = bool(g.random() < 0.5) if top is None else top
    y0 = 0 if top else h - band
    fill = BANNER_COLOURS[int(g.integers(0, len(BANNER_COLOURS)))]
    draw.rectangle((0, y0, w, y0 + band), fill=fill)
    ink = (255, 236, 0) if g.random() < 0.6 else (255, 255, 255)
    ink = (200, 0, 0) if fill == (250, 210, 0) else ink
    for i in range(lines):
        text = SLOGANS[int(g.integers(0, len(SLOGANS)))]
        while text_width(text, size) > w - 2 * pad and len(text) > 4:
            text = text[:-1]
        x = (w - text_width(text, size)) / 2
        draw_text(draw, (x, y0 + pad + i * int(size * 1.25)), text, size, ink)
    r = float(g.uniform(0.09, 0.14)) * min(w, h)
    cx = w - r * 1.15 if g.random() < 0.5 else r * 1.15
    cy = (band + r * 1.15) if top else (h - band - r * 1.15)
    sticker(draw, cx, cy, r, g)
    covered = (band * w + math.pi * r * r) / (w * h)
    return Copy(out, np.eye(3), covered=covered)


def watermark(img: Image.Image, g: np.random.Generator) -> Copy:
    """A shop name tiled diagonally over the whole picture at 25-45 % opacity."""
    w, h = img.size
    name = (
        SHOPS[int(g.integers(0, len(SHOPS)))]
        + " "
        + SHOP_LATIN[int(g.integers(0, len(SHOP_LATIN)))]
    )
    size = max(18, int(max(w, h) * float(g.uniform(0.035, 0.06))))
    layer = Image.new("L", (w * 2, h * 2), 0)
    draw = ImageDraw.Draw(layer)
    step_x = int(text_width(name, size) * float(g.uniform(1.3, 1.8)))
    step_y = int(size * float(g.uniform(3.0, 5.0)))
    for row, yy in enumerate(range(0, h * 2, step_y)):
        for xx in range(-(row % 2) * step_x // 2, w * 2, step_x):
            draw_text(draw, (xx, yy), name, size, 255)
    angle = float(g.uniform(25, 45)) * (1 if g.random() < 0.5 else -1)
    layer = layer.rotate(angle, resample=Image.Resampling.BILINEAR).crop(
        (w // 2, h // 2, w // 2 + w, h // 2 + h)
    )
    opacity = float(g.uniform(0.25, 0.45))
    mask = layer.point(lambda v: int(v * opacity))
    ink = (255, 255, 255) if g.random() < 0.6 else (60, 60, 60)
    out = img.copy()
    out.paste(Image.new("RGB", (w, h), ink), mask=mask)
    return Copy(out, np.eye(3))


def promo_frame(img: Image.Image, g: np.random.Generator) -> Copy:
    """On a white square: a coloured border, a slogan band and a corner ribbon."""
    side = int(g.integers(*LISTING_SIDE))
    colour_ = BANNER_COLOURS[int(g.integers(0, len(BANNER_COLOURS) - 1))]
    border = int(side * float(g.uniform(0.025, 0.05)))
    band = int(side * float(g.uniform(0.1, 0.15)))
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, side - 1, side - 1), outline=colour_, width=border)
    band_top = bool(g.random() < 0.5)
    by = border if band_top else side - border - band
    draw.rectangle((border, by, side - border, by + band), fill=colour_)
    size = int(band * 0.5)
    text = SLOGANS[int(g.integers(0, len(SLOGANS)))]
    while text_width(text, size) > side - 4 * border and len(text) > 4:
        text = text[:-1]
    draw_text(
        draw,
        ((side - text_width(text, size)) / 2, by + (band - size) / 2 - size * 0.1),
        text,
        size,
        (255, 255, 255),
    )
    # The photo in the space left, as large as fits.
    room_y0 = border + (band if band_top else 0)
    room_h = side - 2 * border - band
    room_w = side - 2 * border
    f = min(room_w / img.width, room_h / img.height)
    pw, ph = max(1, round(img.width * f)), max(1, round(img.height * f))
    photo = img.resize((pw, ph), Image.Resampling.LANCZOS if f < 1 else Image.Resampling.BICUBIC)
    px, py = border + (room_w - pw) // 2, room_y0 + (room_h - ph) // 2
    canvas.paste(photo, (px, py))
    # Corner ribbon over the photo's corner, opposite the band.
    rib = int(side * float(g.uniform(0.16, 0.22)))
    rx, ry = (px + pw, py + ph) if band_top else (px + pw, py)
    if band_top:
        tri = [(rx, ry - rib), (rx, ry), (rx - rib, ry)]
    else:
        tri = [(rx - rib, ry), (rx, ry), (rx, ry + rib)]
    draw.polygon(tri, fill=(230, 30, 40))
    tag = RIBBONS[int(g.integers(0, len(RIBBONS)))]
    tsize = int(rib * 0.22)
    tx = rx - rib * 0.38 - text_width(tag, tsize) / 2
    ty = (ry - rib * 0.3 - tsize / 2) if band_top else (ry + rib * 0.3 - tsize / 2)
    draw_text(draw, (tx, ty), tag, tsize, (255, 255, 255))
    matrix = _scale(img.width / pw, img.height / ph) @ _translate(-px, -py)
    covered = (rib * rib / 2) / (pw * ph)
    return Copy(canvas, matrix, (px, py, pw, ph), covered=covered)


def screenshot(img: Image.Image, g: np.random.Generator) -> Copy:
    """A product page: header, thumbnails, Chinese title, price, buttons; the photo in a panel."""
    pw, ph = (1366, 900) if g.random() < 0.5 else (1280, 800)
    canvas = Image.new("RGB", (pw, ph), (246, 246, 248))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, pw, 64), fill=(230, 60, 20))
    draw_text(draw, (24, 14), SHOPS[int(g.integers(0, len(SHOPS)))], 30, (255, 255, 255))
    draw.rounded_rectangle((pw * 0.3, 14, pw * 0.75, 50), radius=16, fill=(255, 255, 255))
    draw_text(draw, (pw * 0.31, 20), "搜索商品 Search", 20, (150, 150, 150))
    box = int(ph * float(g.uniform(0.55, 0.7)))
    f = box / max(img.size)
    sw, sh = max(1, round(img.width * f)), max(1, round(img.height * f))
    x0, y0 = int(pw * float(g.uniform(0.05, 0.12))), int(96 + g.integers(0, 30))
    canvas.paste(img.resize((sw, sh), Image.Resampling.LANCZOS), (x0, y0))
    for i in range(5):
        tx = x0 + i * 86
        if y0 + sh + 90 < ph:
            draw.rectangle(
                (tx, y0 + sh + 14, tx + 76, y0 + sh + 90),
                fill=(215, 215, 220),
                outline=(180, 180, 180),
            )
    ix = x0 + sw + 40
    draw_text(draw, (ix, y0 + 4), SLOGANS[int(g.integers(0, len(SLOGANS)))][:12], 28, (30, 30, 30))
    draw_text(
        draw,
        (ix, y0 + 50),
        f"￥{int(g.integers(19, 299))}.{int(g.integers(10, 99))}",
        38,
        (230, 60, 20),
    )
    for i in range(5):
        draw_text(
            draw,
            (ix, y0 + 110 + i * 30),
            SLOGANS[int(g.integers(0, len(SLOGANS)))][:14],
            18,
            (90, 90, 90),
        )
    for i, label in enumerate(("立即购买", "加入购物车")):
        bx = ix + i * 190
        draw.rounded_rectangle(
            (bx, y0 + 290, bx + 170, y0 + 340), radius=22, fill=((230, 60, 20), (255, 160, 0))[i]
        )
        draw_text(draw, (bx + 85 - text_width(label, 22) / 2, y0 + 303), label, 22, (255, 255, 255))
    matrix = _scale(img.width / sw, img.height / sh) @ _translate(-x0, -y0)
    return Copy(canvas, matrix, (x0, y0, sw, sh))


# --------------------------------------------------------------------------- categories


def _crop_listing(
    img: Image.Image, g: np.random.Generator, low: float = 0.3, high: float = 0.7
) -> Copy:
    cut = crop(img, float(g.uniform(low, high)), g)
    return cut.then(listing, g)


def _start(img: Image.Image, g: np.random.Generator) -> Copy:
    return Copy(img, np.eye(3)).then(listing, g)


CATEGORIES: dict[str, Callable[[Image.Image, np.random.Generator], Copy]] = {
    "crop": lambda img, g: _crop_listing(img, g, 0.2, 0.6),
    "pad_white": lambda img, g: _start(img, g).then(pad_white, g),
    "mirror": lambda img, g: _start(img, g).then(mirror),
    "jpeg55-70": lambda img, g: _start(img, g).then(jpeg, int(g.integers(55, 71))),
    "turn3-8": lambda img, g: _crop_listing(img, g, 0.5, 0.9).then(
        turn, float(g.uniform(3, 8)) * (1 if g.random() < 0.5 else -1)
    ),
    "colour": lambda img, g: _start(img, g).then(colour, g),
    "upscale": lambda img, g: Copy(img, np.eye(3)).then(upscale, g),
    "screenshot": lambda img, g: Copy(img, np.eye(3)).then(screenshot, g),
    "banner_top": lambda img, g: _crop_listing(img, g).then(banner, g, True),
    "banner_bottom": lambda img, g: _crop_listing(img, g).then(banner, g, False),
    "watermark": lambda img, g: _start(img, g).then(watermark, g),
    "promo_frame": lambda img, g: Copy(img, np.eye(3)).then(promo_frame, g),
    "banner+jpeg": lambda img, g: (
        _crop_listing(img, g).then(banner, g).then(jpeg, int(g.integers(55, 71)))
    ),
    "watermark+upscale": lambda img, g: Copy(img, np.eye(3)).then(upscale, g).then(watermark, g),
    "frame+mirror": lambda img, g: _start(img, g).then(mirror).then(promo_frame, g),
    "colour+turn": lambda img, g: (
        _crop_listing(img, g).then(colour, g).then(turn, float(g.uniform(3, 8)))
    ),
}
PNG_CATEGORIES = ("screenshot",)


def make_copy(img: Image.Image, category: str, g: np.random.Generator) -> Copy:
    """One copy of ``img`` (full resolution, upright) in ``category``."""
    return CATEGORIES[category](img, g)


def save_copy(copy: Copy, path: Path, g: np.random.Generator) -> Path:
    """Saved as a listing would be: PNG for screenshots, otherwise JPEG at 80-92."""
    if path.suffix == ".png":
        copy.image.save(path)
    else:
        copy.image.save(path, quality=int(g.integers(80, 93)))
    return path
