"""Reading the XMP packet: capture dates, document ids and the edit history.

XMP is where editors (Lightroom, Photoshop, phone apps) record what they did to a
file, so it complements EXIF: ``xmpMM:History`` is the edit chain and
``xmpMM:OriginalDocumentID`` ties an export back to its source file. Only a
handful of properties matter to an appeal; everything else in the packet is
ignored. Parsing never raises: a malformed packet yields an empty result and a
warning for the caller.

The packet is untrusted input inside a seller's (or a copier's) file, so it is
parsed with ``defusedxml``: a DOCTYPE with entities (the "billion laughs" bomb,
external entities that would read local files) is refused instead of expanded.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# The prefixes we report, by namespace URI. Files may use other prefixes for the
# same URIs; the URI is what counts.
NAMESPACES: dict[str, str] = {
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://cipa.jp/exif/1.0/": "exifEX",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": "stEvt",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
}

# A packet is a few kB; anything far larger is not worth parsing for our fields.
MAX_PACKET_BYTES = 4 << 20
_PACKET_RE = re.compile(rb"<x:xmpmeta.*?</x:xmpmeta>|<rdf:RDF.*?</rdf:RDF>", re.DOTALL)


@dataclass
class XmpData:
    """The XMP properties appeal-kit uses, keyed ``prefix:Name`` (first value wins)."""

    values: dict[str, str] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)

    def get(self, key: str) -> str | None:
        """The text of one property, or ``None`` when absent or empty."""
        value = self.values.get(key)
        return value or None


def find_packet(info: Mapping[str, Any]) -> bytes | None:
    """The raw XMP packet Pillow exposed for an opened image, if any.

    Pillow puts JPEG APP1, PNG iTXt, WebP and AVIF/HEIF packets in ``info["xmp"]``;
    older PNG readers used ``XML:com.adobe.xmp``.
    """
    for key in ("xmp", "XML:com.adobe.xmp"):
        value = info.get(key)
        if isinstance(value, str):
            value = value.encode("utf-8", "replace")
        if isinstance(value, bytes | bytearray) and value.strip(b"\x00 \r\n\t"):
            return bytes(value)
    return None


def _decode(packet: bytes) -> str:
    """Text of a packet; XMP may be UTF-8 or UTF-16 (the BOM or NULs tell which)."""
    if packet.startswith((b"\xfe\xff", b"\x00<")):
        return packet.decode("utf-16-be", "replace").lstrip("\ufeff")
    if packet.startswith((b"\xff\xfe", b"<\x00")):
        return packet.decode("utf-16-le", "replace").lstrip("\ufeff")
    return packet.decode("utf-8", "replace").lstrip("\ufeff")


def _name(tag: str) -> str | None:
    """``{uri}Local`` to ``prefix:Local`` for the namespaces we know."""
    if not tag.startswith("{"):
        return None
    uri, _, local = tag[1:].partition("}")
    prefix = NAMESPACES.get(uri)
    return f"{prefix}:{local}" if prefix else None


def _resource(element: ET.Element) -> dict[str, str]:
    """Fields of a structured value (an ``rdf:li`` holding attributes or children)."""
    fields: dict[str, str] = {}
    for key, value in element.attrib.items():
        name = _name(key)
        if name:
            fields[name] = value.strip()
    for child in element.iter():
        name = _name(child.tag)
        if name and child.text and child.text.strip() and name not in fields:
            fields[name] = child.text.strip()
    return fields


def _first_text(element: ET.Element) -> str:
    """A property's text, or the first item of its Seq/Bag/Alt."""
    if element.text and element.text.strip():
        return element.text.strip()
    resource = element.get(f"{{{RDF}}}resource")
    if resource:
        return resource.strip()
    for item in element.iter(f"{{{RDF}}}li"):
        if item.text and item.text.strip():
            return item.text.strip()
    return ""


def _event_line(event: Mapping[str, str]) -> str | None:
    """One history entry as ``2024-03-10T14:02 converted by Adobe Lightroom``."""
    action = event.get("stEvt:action", "").strip()
    when = event.get("stEvt:when", "").strip()[:16]
    agent = event.get("stEvt:softwareAgent", "").strip()
    parameters = event.get("stEvt:parameters", "").strip()
    if not (action or agent):
        return None
    parts = [when, action or "edited"]
    if parameters and action == "converted":
        parts.append(parameters)
    if agent:
        parts.append(f"by {agent}")
    return " ".join(p for p in parts if p)


def parse_xmp(packet: bytes) -> tuple[XmpData, str | None]:
    """Parse a packet; returns the data and a warning (``None`` when it parsed)."""
    data = XmpData()
    if len(packet) > MAX_PACKET_BYTES:
        return data, "XMP packet is implausibly large and was ignored"
    text = _decode(packet).replace("\x00", "")
    root: ET.Element | None = None
    try:
        root = fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        return data, "XMP packet declares a DTD or entities (unsafe XML) and was ignored"
    except ET.ParseError:
        # Trailing padding or a bad wrapper: retry on the xmpmeta/RDF element alone.
        match = _PACKET_RE.search(text.encode("utf-8", "replace"))
        if match:
            try:
                root = fromstring(match.group(0).decode("utf-8", "replace"), forbid_dtd=True)
            except (ET.ParseError, DefusedXmlException):
                root = None
    if root is None:
        return data, "XMP packet is malformed and was ignored"
    for description in root.iter(f"{{{RDF}}}Description"):
        for key, value in description.attrib.items():
            name = _name(key)
            if name and value.strip() and name not in data.values:
                data.values[name] = value.strip()
        for child in description:
            name = _name(child.tag)
            if name is None:
                continue
            if name == "xmpMM:History":
                for item in child.iter(f"{{{RDF}}}li"):
                    line = _event_line(_resource(item))
                    if line:
                        data.history.append(line)
                continue
            value = _first_text(child)
            if value and name not in data.values:
                data.values[name] = value
    return data, None
