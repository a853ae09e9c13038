"""Deterministic synthetic "product photos" and the edits thieves make to them.

Tests, the matching benchmark and the demo case need photos with known truth and
no outside data. A photo here is a small 3-D scene: a textured table top with
props (far layer) and a product with a printed label (near layer), lit, shot
through a camera with vignetting and sensor noise. Because the layers sit at
different depths, moving the camera gives real parallax, so frames of one shoot,
bracketed exposures and stereo halves are honest hard negatives: no single
homography maps one onto the other.

Every edit (``crop``, ``pad_square``, ``listing_screenshot`` ...) returns a
``Derived``: the new image plus ``to_source``, the 3x3 matrix mapping its pixels
back to the input's pixels, so chained edits keep exact ground truth
(``source_region``, ``is_mirrored``, ``rotation_of``).

Example::

    photo = make_photo(7)
    copy = crop(photo, 0.4, rng(1)).then(orient, 4).then(jpeg_recompress, 50)
    region = source_region(copy, photo.size)   # [x, y, w, h] in photo pixels
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

Float = NDArray[np.float32]
Matrix = NDArray[np.float64]
Rect = tuple[int, int, int, int]

_SYLLABLES = ("ka", "lo", "mi", "ra", "ven", "to", "su", "no", "rix", "el", "da", "pro", "lux")
_PRODUCT_COLOURS = ((0.80, 0.18, 0.15), (0.15, 0.35, 0.70), (0.20, 0.55, 0.30), (0.90, 0.70, 0.20))


def rng(seed: int) -> np.random.Generator:
    """A seeded generator (shorthand used by callers of the edits)."""
    return np.random.default_rng(seed)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled font: the same glyphs on every machine, so output is reproducible.
    return ImageFont.load_default(size=max(8, size))


def _word(gen: np.random.Generator, parts: int = 3) -> str:
    return "".join(_SYLLABLES[int(i)] for i in gen.integers(0, len(_SYLLABLES), parts))


def _noise_field(gen: np.random.Generator, h: int, w: int, cells: Sequence[int]) -> Float:
    """Multi-octave value noise in [0, 1]: cheap, smooth, and full of blobs for features."""
    total = np.zeros((h, w), np.float32)
    weight = 0.0
    for i, cell in enumerate(cells):
        grid = gen.random((max(2, h // cell + 2), max(2, w // cell + 2))).astype(np.float32)
        layer = cv2.resize(grid, (w + 2 * cell, h + 2 * cell), interpolation=cv2.INTER_CUBIC)
        amp = 0.6**i
        total += amp * layer[cell : cell + h, cell : cell + w]
        weight += amp
    total /= weight
    lo, hi = float(total.min()), float(total.max())
    return (total - lo) / max(hi - lo, 1e-6)


# --------------------------------------------------------------------------- scene


@dataclass(frozen=True)
class Shot:
    """Camera and light for one frame; the default is the reference frame."""

    dx: float = 0.0  # camera shift as a fraction of the frame width
    dy: float = 0.0
    angle: float = 0.0  # camera roll in degrees
    zoom: float = 1.0
    product_dx: float = 0.0  # product moved on the table, fraction of width
    product_dy: float = 0.0
    parallax: float = 1.5  # the near layer moves this much more than the far one
    gain: float = 1.0
    tilt: tuple[float, float] = (0.08, -0.05)  # light falloff across x and y
    exposure_ev: float = 0.0
    noise_seed: int = 0


@dataclass(frozen=True)
class Scene:
    """The static content of a shoot, rendered larger than the frame so cameras can move."""

    seed: int
    size: tuple[int, int]
    background: Float = field(repr=False)  # canvas H x W x 3, reflectance 0..1
    product: Float = field(repr=False)  # sprite h x w x 4 (RGB + alpha)
    product_center: tuple[float, float] = (0.0, 0.0)  # in canvas pixels


def _background(gen: np.random.Generator, w: int, h: int) -> Float:
    base = np.array(gen.uniform(0.45, 0.85, 3), np.float32)
    kind = int(gen.integers(0, 3))
    fine = _noise_field(gen, h, w, (3, 7))
    broad = _noise_field(gen, h, w, (160, 60, 25))
    if kind == 0:  # wood grain: warped stripes
        ys = np.arange(h, dtype=np.float32)[:, None]
        grain = 0.5 + 0.5 * np.sin(ys / gen.uniform(6, 14) + 9.0 * broad)
        lum = 0.7 + 0.2 * grain + 0.1 * fine
    elif kind == 1:  # woven fabric: thread pitch and direction differ per cloth
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        angle, pitch = float(gen.uniform(0, math.pi)), float(gen.uniform(1.8, 3.6))
        u = (xx * math.cos(angle) + yy * math.sin(angle)) / pitch + 2.0 * broad
        v = (yy * math.cos(angle) - xx * math.sin(angle)) / pitch
        weave = np.sin(u) * np.sin(v)
        lum = 0.75 + 0.08 * weave + 0.12 * broad + 0.08 * fine
    else:  # stone / concrete
        lum = 0.55 + 0.3 * broad + 0.15 * fine
    img = lum[..., None] * base[None, None, :]
    return _draw_props(gen, np.clip(img, 0, 1).astype(np.float32))


def _draw_props(gen: np.random.Generator, canvas: Float) -> Float:
    """Small objects and printed cards scattered on the table, so every crop has detail."""
    h, w = canvas.shape[:2]
    pil = Image.fromarray((canvas * 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    unit = min(w, h)
    for _ in range(int(gen.integers(26, 40))):
        x, y = float(gen.uniform(0, w)), float(gen.uniform(0, h))
        r = float(gen.uniform(0.01, 0.04)) * unit
        colour = tuple(int(c) for c in gen.integers(20, 235, 3))
        shape = int(gen.integers(0, 4))
        if shape == 0:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour, outline=(30, 30, 30), width=2)
            draw.ellipse((x - r / 2, y - r / 3, x, y), fill=(240, 240, 230))
        elif shape == 1:
            pts = [
                (x + r * math.cos(a), y + r * math.sin(a))
                for a in np.sort(gen.uniform(0, 2 * math.pi, 5))
            ]
            draw.polygon(pts, fill=colour)
        elif shape == 2:
            draw.rectangle((x, y, x + 2.6 * r, y + 1.6 * r), fill=(245, 242, 235), outline=colour)
            draw.text((x + 4, y + 3), _word(gen, 2), fill=colour, font=_font(int(r * 0.55)))
            draw.text(
                (x + 4, y + r * 0.8), _word(gen, 3), fill=(40, 40, 40), font=_font(int(r * 0.35))
            )
        else:
            for k in range(5):
                draw.line((x, y + k * 4, x + 3 * r, y + k * 4 + r / 2), fill=colour, width=2)
    return np.asarray(pil, np.float32) / 255.0


def _product(gen: np.random.Generator, unit: int) -> Float:
    """A box or bottle with shading, a printed label, small print and a barcode."""
    pw, ph = int(unit * gen.uniform(0.32, 0.42)), int(unit * gen.uniform(0.45, 0.6))
    colour = np.array(_PRODUCT_COLOURS[int(gen.integers(0, len(_PRODUCT_COLOURS)))], np.float32)
    pil = Image.new("RGBA", (pw, ph), (0, 0, 0, 0))
    draw = ImageDraw.Draw(pil)
    rgb = tuple(int(c * 255) for c in colour)
    bottle = bool(gen.integers(0, 2))
    if bottle:
        neck = pw // 3
        draw.rectangle((neck, 0, pw - neck, ph // 6), fill=(*rgb, 255))
        draw.rounded_rectangle((0, ph // 7, pw - 1, ph - 1), radius=pw // 4, fill=(*rgb, 255))
    else:
        draw.rounded_rectangle((0, 0, pw - 1, ph - 1), radius=pw // 20, fill=(*rgb, 255))
    lx0, ly0, lx1, ly1 = pw * 0.1, ph * 0.3, pw * 0.9, ph * 0.85
    draw.rectangle((lx0, ly0, lx1, ly1), fill=(248, 245, 236, 255))
    draw.text(
        (lx0 + 6, ly0 + 6), _word(gen, 2).upper(), fill=(*rgb, 255), font=_font(int(pw * 0.14))
    )
    for i in range(6):
        draw.text(
            (lx0 + 6, ly0 + pw * 0.2 + i * pw * 0.05),
            " ".join(_word(gen, 2) for _ in range(3)),
            fill=(50, 50, 50, 255),
            font=_font(int(pw * 0.035)),
        )
    bar_x = int(lx0 + 6)
    for width in gen.integers(1, 5, 28):
        draw.rectangle(
            (bar_x, ly1 - pw * 0.14, bar_x + int(width) - 1, ly1 - 8), fill=(0, 0, 0, 255)
        )
        bar_x += int(width) + 2
    for cx in np.linspace(lx1 - pw * 0.3, lx1 - 12, 4):  # printed dot pattern
        for cy in np.linspace(ly1 - pw * 0.25, ly1 - 14, 3):
            draw.ellipse((cx - 4, cy - 4, cx + 4, cy + 4), fill=(*rgb, 255))
    sprite = np.asarray(pil, np.float32) / 255.0
    xs = np.linspace(-1, 1, pw, dtype=np.float32)[None, :]
    shade = 0.75 + 0.25 * np.cos(xs * (1.3 if bottle else 0.6))  # rounded side falloff
    highlight = 0.35 * np.exp(-(((xs + 0.45) / 0.12) ** 2)) * float(bottle)
    sprite[..., :3] = np.clip(sprite[..., :3] * shade[..., None] + highlight[..., None], 0, 1)
    return sprite


def build_scene(seed: int, size: tuple[int, int] = (1600, 1200)) -> Scene:
    """The shoot's content: table, props and product, deterministic in ``seed``."""
    gen = rng(seed)
    w, h = size
    cw, ch = int(w * 1.2), int(h * 1.2)
    background = _background(gen, cw, ch)
    product = _product(gen, min(w, h))
    center = (
        cw / 2 + float(gen.uniform(-0.12, 0.12)) * w,
        ch / 2 + float(gen.uniform(-0.08, 0.08)) * h,
    )
    return Scene(seed, size, background, product, center)


def _camera(scene: Scene, shot: Shot, depth_factor: float) -> Matrix:
    """Affine canvas -> frame for a layer; nearer layers (factor > 1) shift more."""
    w, h = scene.size
    ch, cw = scene.background.shape[:2]
    rot = cv2.getRotationMatrix2D((cw / 2, ch / 2), shot.angle, shot.zoom).astype(np.float64)
    rot[0, 2] += (w - cw) / 2 + shot.dx * w * depth_factor
    rot[1, 2] += (h - ch) / 2 + shot.dy * w * depth_factor
    return rot


def render(scene: Scene, shot: Shot = Shot()) -> Image.Image:
    """One frame of ``scene`` as the camera records it."""
    w, h = scene.size
    ch, cw = scene.background.shape[:2]
    bg = cv2.warpAffine(
        scene.background,
        _camera(scene, shot, 1.0),
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REFLECT,
    )
    layer = np.zeros((ch, cw, 4), np.float32)
    sh, sw = scene.product.shape[:2]
    px = int(scene.product_center[0] + shot.product_dx * w - sw / 2)
    py = int(scene.product_center[1] + shot.product_dy * w - sh / 2)
    layer[py : py + sh, px : px + sw] = scene.product
    near = cv2.warpAffine(
        layer, _camera(scene, shot, shot.parallax), (w, h), flags=cv2.INTER_LINEAR
    )
    alpha = near[..., 3:4]
    shadow = cv2.GaussianBlur(alpha, (0, 0), 18)
    shadow = np.roll(shadow, (int(0.015 * w), int(0.02 * w)), axis=(0, 1))
    if shadow.ndim == 2:
        shadow = shadow[..., None]
    lit = bg * (1 - 0.45 * shadow)
    img = lit * (1 - alpha) + near[..., :3] * alpha
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    nx, ny = xx / w - 0.5, yy / h - 0.5
    light = shot.gain * (1 + shot.tilt[0] * 2 * nx + shot.tilt[1] * 2 * ny)
    vignette = 1 - 0.35 * (nx**2 + ny**2) * 2
    img = img * (light * vignette * 2.0**shot.exposure_ev)[..., None]
    img = cv2.GaussianBlur(img, (0, 0), 0.6)  # lens softness
    img = np.clip(img, 0, 1) ** (1 / 1.15)  # gentle tone curve; brackets clip for real
    noise = rng(scene.seed * 1000 + shot.noise_seed).normal(0, 0.012, img.shape).astype(np.float32)
    out = np.clip((img + noise) * 255 + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(out, "RGB")


def make_photo(seed: int, size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    """One product photo; ``make_shoot(seed, n)[0]`` is the same picture."""
    return render(build_scene(seed, size))


def make_shoot(seed: int, frames: int, size: tuple[int, int] = (1600, 1200)) -> list[Image.Image]:
    """Frames of one scene seconds apart: camera moved and turned, product nudged, light changed."""
    scene = build_scene(seed, size)
    shots = [Shot()]
    for i in range(1, frames):
        gen = rng(seed * 7919 + i)
        sign = gen.choice([-1.0, 1.0], 2)
        shots.append(
            Shot(
                dx=float(sign[0] * gen.uniform(0.006, 0.02)),
                dy=float(sign[1] * gen.uniform(0.004, 0.015)),
                angle=float(gen.uniform(-1.5, 1.5)),
                zoom=float(gen.uniform(0.98, 1.03)),
                product_dx=float(gen.uniform(-0.02, 0.02)),
                product_dy=float(gen.uniform(-0.015, 0.015)),
                gain=float(gen.uniform(0.9, 1.1)),
                tilt=(float(gen.uniform(-0.15, 0.15)), float(gen.uniform(-0.15, 0.15))),
                noise_seed=i,
            )
        )
    return [render(scene, shot) for shot in shots]


def bracketed(seed: int, ev: float = 1.0, size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    """The same scene at another exposure, hand-held: a few pixels of shake, fresh noise."""
    gen = rng(seed * 31 + 17)
    sign = gen.choice([-1.0, 1.0], 2)
    shot = Shot(
        dx=float(sign[0] * gen.uniform(0.003, 0.006)),
        dy=float(sign[1] * gen.uniform(0.002, 0.004)),
        angle=float(gen.uniform(-0.3, 0.3)),
        exposure_ev=ev,
        noise_seed=101,
    )
    return render(build_scene(seed, size), shot)


def stereo_other_half(
    seed: int, size: tuple[int, int] = (1600, 1200), baseline: float = 0.03
) -> Image.Image:
    """The other half of a stereo pair: the camera moved sideways, so near things shift more."""
    shot = Shot(dx=baseline, parallax=1.6, noise_seed=202)
    return render(build_scene(seed, size), shot)


# --------------------------------------------------------------------------- edits


def _translate(tx: float, ty: float) -> Matrix:
    return np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], np.float64)


def _scale(sx: float, sy: float) -> Matrix:
    return np.array([[sx, 0, 0], [0, sy, 0], [0, 0, 1]], np.float64)


@dataclass(frozen=True)
class Derived:
    """An edited image and how its pixels map back to the image it was made from.

    ``to_source`` maps a point of ``image`` (pixel corners at integers) to the
    source image. ``photo_rect`` is the part of ``image`` that shows the source
    (``None`` = all of it); screenshots and padded squares set it. ``extent`` is
    the part of the source its pixels come from (``None`` = all of it); crops set
    it, so a crop turned on a larger canvas does not claim the fill around it.
    """

    image: Image.Image
    to_source: Matrix = field(default_factory=lambda: np.eye(3))
    photo_rect: Rect | None = None
    extent: Rect | None = None

    def then(self, edit: Callable[..., Derived], *args: Any, **kwargs: Any) -> Derived:
        """Apply another edit to this image, keeping the mapping to the first source."""
        nxt = edit(self.image, *args, **kwargs)
        rect = nxt.photo_rect
        if self.photo_rect is not None:
            back = np.linalg.inv(nxt.to_source).astype(np.float64)
            inner = _bbox(_apply(back, _corners(self.photo_rect)))
            rect = _intersect(inner, rect) if rect is not None else inner
        extent = self.extent
        if nxt.extent is not None:
            inner = _bbox(_apply(self.to_source.astype(np.float64), _corners(nxt.extent)))
            extent = _intersect(inner, extent) if extent is not None else inner
        return Derived(nxt.image, self.to_source @ nxt.to_source, rect, extent)


def _corners(rect: Rect) -> NDArray[np.float64]:
    x, y, w, h = rect
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float64)


def _apply(matrix: Matrix, pts: NDArray[np.float64]) -> NDArray[np.float64]:
    homog = np.hstack([pts, np.ones((len(pts), 1))]) @ matrix.T
    return homog[:, :2] / homog[:, 2:3]


def _bbox(pts: NDArray[np.float64]) -> Rect:
    x0, y0 = np.floor(pts.min(axis=0))
    x1, y1 = np.ceil(pts.max(axis=0))
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def _intersect(a: Rect, b: Rect) -> Rect:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


def source_region(derived: Derived, source_size: tuple[int, int]) -> Rect:
    """``[x, y, w, h]`` of the source that the derived image shows (the truth for IoU)."""
    rect = derived.photo_rect or (0, 0, *derived.image.size)
    x, y, w, h = rect
    gx, gy = np.meshgrid(np.linspace(x, x + w, 65), np.linspace(y, y + h, 65))
    pts = _apply(derived.to_source, np.stack([gx.ravel(), gy.ravel()], axis=1))
    sw, sh = source_size
    inside = pts[
        (pts[:, 0] >= -1) & (pts[:, 1] >= -1) & (pts[:, 0] <= sw + 1) & (pts[:, 1] <= sh + 1)
    ]
    if len(inside) == 0:
        return 0, 0, 0, 0
    shown = _intersect(_bbox(inside), (0, 0, sw, sh))
    return _intersect(shown, derived.extent) if derived.extent is not None else shown


def is_mirrored(derived: Derived) -> bool:
    """True when the derived image is a mirror image of its source."""
    return bool(np.linalg.det(derived.to_source[:2, :2]) < 0)


def rotation_of(derived: Derived) -> float:
    """Counter-clockwise turn (degrees, -180..180] of the content, after undoing any mirror.

    Same convention as ``MatchResult.rotation`` and ``PIL.Image.rotate``.
    """
    forward = np.linalg.inv(derived.to_source)[:2, :2]
    if is_mirrored(derived):
        forward = forward @ np.diag([-1.0, 1.0])
    angle = -math.degrees(math.atan2(forward[1, 0], forward[0, 0]))
    return (angle + 360.0 if angle <= -180.0 else angle) + 0.0  # + 0.0 turns -0.0 into 0.0


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two ``[x, y, w, h]`` boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def crop(img: Image.Image, area_fraction: float, gen: np.random.Generator) -> Derived:
    """A crop covering ``area_fraction`` of the image, at a random place and near its aspect."""
    w, h = img.size
    aspect = float(gen.uniform(0.8, 1.25))
    cw = min(w, round(w * math.sqrt(area_fraction * aspect)))
    ch = min(h, round(w * h * area_fraction / cw))
    x, y = int(gen.integers(0, w - cw + 1)), int(gen.integers(0, h - ch + 1))
    return Derived(img.crop((x, y, x + cw, y + ch)), _translate(x, y), extent=(x, y, cw, ch))


def pad_square(img: Image.Image, sticker_text: str = "$19.99", margin: float = 0.06) -> Derived:
    """The photo centred on a white square, with a round price sticker over one corner."""
    w, h = img.size
    side = int(max(w, h) * (1 + 2 * margin))
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    x, y = (side - w) // 2, (side - h) // 2
    canvas.paste(img, (x, y))
    draw = ImageDraw.Draw(canvas)
    r = side * 0.09
    cx, cy = x + w - r * 0.6, y + r * 0.6
    draw.ellipse(
        (cx - r, cy - r, cx + r, cy + r), fill=(220, 30, 40), outline=(255, 255, 255), width=4
    )
    font = _font(int(r * 0.5))
    draw.text((cx, cy), sticker_text, fill=(255, 255, 255), font=font, anchor="mm")
    return Derived(canvas, _translate(-x, -y), (x, y, w, h))


def watermark(img: Image.Image, text: str = "© SHOP", opacity: float = 0.35) -> Derived:
    """Semi-transparent text tiled diagonally over the whole image."""
    w, h = img.size
    layer = Image.new("L", (w * 2, h * 2), 0)
    draw = ImageDraw.Draw(layer)
    font = _font(max(w, h) // 14)
    step_x, step_y = max(w, h) // 3, max(w, h) // 6
    for row, yy in enumerate(range(0, h * 2, step_y)):
        for xx in range(-(row % 2) * step_x // 2, w * 2, step_x):
            draw.text((xx, yy), text, fill=255, font=font)
    layer = layer.rotate(30, resample=Image.Resampling.BILINEAR).crop(
        (w // 2, h // 2, w // 2 + w, h // 2 + h)
    )
    mask = layer.point(lambda v: int(v * opacity))
    out = img.copy()
    out.paste(Image.new("RGB", (w, h), (255, 255, 255)), mask=mask)
    return Derived(out)


def overlay_banner(img: Image.Image, text: str = "HOT SALE -50% FREE SHIPPING") -> Derived:
    """An opaque sale banner across the lower part of the photo."""
    w, h = img.size
    out = img.copy()
    draw = ImageDraw.Draw(out)
    top = int(h * 0.82)
    draw.rectangle((0, top, w, int(h * 0.95)), fill=(230, 40, 30))
    draw.text(
        (w // 2, int(h * 0.885)), text, fill=(255, 255, 0), font=_font(int(h * 0.07)), anchor="mm"
    )
    return Derived(out)


def jpeg_recompress(img: Image.Image, quality: int = 50) -> Derived:
    """Save and reload as JPEG at ``quality`` (4:2:0 subsampling, as marketplaces do)."""
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, subsampling=2)
    buf.seek(0)
    with Image.open(buf) as reloaded:
        return Derived(reloaded.convert("RGB"))


def orient(img: Image.Image, k: int) -> Derived:
    """One of the 8 orientations: ``k % 4`` quarter turns counter-clockwise, mirrored first if ``k >= 4``."""
    w = img.width
    out, matrix = img, np.eye(3)
    if k >= 4:
        out = out.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        matrix = _translate(w, 0) @ _scale(-1, 1)  # output -> source
    for _ in range(k % 4):
        cw, _ch = out.size
        out = out.transpose(Image.Transpose.ROTATE_90)
        # ROTATE_90 (counter-clockwise): new (x, y) came from old (cw - y, x).
        matrix = matrix @ np.array([[0, -1, cw], [1, 0, 0], [0, 0, 1]], np.float64)
    return Derived(out, matrix)


def rotate_small(
    img: Image.Image, degrees: float, fill: tuple[int, int, int] = (255, 255, 255)
) -> Derived:
    """Turn counter-clockwise by ``degrees`` on an enlarged canvas filled with ``fill``."""
    w, h = img.size
    out = img.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
    nw, nh = out.size
    theta = math.radians(degrees)
    c, s = math.cos(theta), math.sin(theta)
    # Output -> source: move to the centre, turn back, move to the source centre.
    back = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], np.float64)
    matrix = _translate(w / 2, h / 2) @ back @ _translate(-nw / 2, -nh / 2)
    return Derived(out, matrix)


def colour_shift(
    img: Image.Image, brightness: float = 1.0, contrast: float = 1.0, saturation: float = 1.0
) -> Derived:
    """Brightness, contrast and saturation factors as in ``PIL.ImageEnhance`` (1.0 = unchanged)."""
    out = ImageEnhance.Brightness(img).enhance(brightness)
    out = ImageEnhance.Contrast(out).enhance(contrast)
    return Derived(ImageEnhance.Color(out).enhance(saturation))


def resize(img: Image.Image, factor: float) -> Derived:
    """Scale both sides by ``factor``."""
    w, h = img.size
    nw, nh = max(1, round(w * factor)), max(1, round(h * factor))
    out = img.resize((nw, nh), Image.Resampling.LANCZOS if factor < 1 else Image.Resampling.BICUBIC)
    return Derived(out, _scale(w / nw, h / nh))


def listing_screenshot(
    img: Image.Image, gen: np.random.Generator, page: tuple[int, int] = (1366, 900)
) -> Derived:
    """A marketplace page: header, thumbnails, title, price, buttons; the photo in one panel.

    ``photo_rect`` is where the photo sits in the screenshot.
    """
    pw, ph = page
    canvas = Image.new("RGB", page, (246, 246, 248))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, pw, 64), fill=(230, 60, 20))
    draw.text(
        (24, 18), _word(gen, 2).capitalize() + "Express", fill=(255, 255, 255), font=_font(26)
    )
    draw.rounded_rectangle((pw * 0.3, 14, pw * 0.75, 50), radius=16, fill=(255, 255, 255))
    draw.text((pw * 0.31, 22), "Search products", fill=(150, 150, 150), font=_font(18))
    box = int(ph * float(gen.uniform(0.55, 0.7)))
    scale = box / max(img.size)
    sw, sh = max(1, round(img.width * scale)), max(1, round(img.height * scale))
    x0, y0 = int(pw * float(gen.uniform(0.08, 0.14))), int(96 + gen.integers(0, 30))
    canvas.paste(img.resize((sw, sh), Image.Resampling.LANCZOS), (x0, y0))
    for i in range(4):  # thumbnail strip under the photo
        tx = x0 + i * 86
        draw.rectangle(
            (tx, y0 + sh + 14, tx + 76, y0 + sh + 90), fill=(215, 215, 220), outline=(180, 180, 180)
        )
    info_x = x0 + sw + 48
    title = " ".join(_word(gen, 2).capitalize() for _ in range(4))
    draw.text((info_x, y0 + 4), title, fill=(30, 30, 30), font=_font(26))
    draw.text(
        (info_x, y0 + 48),
        f"US ${gen.integers(3, 90)}.{gen.integers(10, 99)}",
        fill=(230, 60, 20),
        font=_font(34),
    )
    for i in range(5):
        draw.text(
            (info_x, y0 + 110 + i * 28),
            " ".join(_word(gen, 2) for _ in range(4)),
            fill=(90, 90, 90),
            font=_font(17),
        )
    for i, label in enumerate(("Buy Now", "Add to Cart")):
        bx = info_x + i * 190
        draw.rounded_rectangle(
            (bx, y0 + 290, bx + 170, y0 + 340), radius=22, fill=((230, 60, 20), (255, 160, 0))[i]
        )
        draw.text((bx + 85, y0 + 315), label, fill=(255, 255, 255), font=_font(20), anchor="mm")
    matrix = _scale(img.width / sw, img.height / sh) @ _translate(-x0, -y0)
    return Derived(canvas, matrix, (x0, y0, sw, sh))


def apply(img: Image.Image, *steps: tuple[Callable[..., Derived], tuple[Any, ...]]) -> Derived:
    """Apply ``(edit, args)`` steps in order, e.g. ``apply(img, (crop, (0.5, g)), (orient, (4,)))``."""
    out = Derived(img)
    for edit, args in steps:
        out = out.then(edit, *args)
    return out
