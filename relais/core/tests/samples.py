"""Real files for upload tests, built on the fly (Pillow, pypdf): good ones, and the bad ones people or
attackers send."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png(width=40, height=30, color=(200, 30, 30), **info):
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), color)
    if info:
        from PIL.PngImagePlugin import PngInfo

        meta = PngInfo()
        for key, value in info.items():
            meta.add_text(key, value)
        image.save(out, "PNG", pnginfo=meta)
    else:
        image.save(out, "PNG")
    return out.getvalue()


GPS_LATITUDE = 2  # EXIF GPS tags
GPS_IFD = 0x8825


def jpeg_with_gps(width=64, height=48):
    """A JPEG photo whose EXIF says where it was taken (a person's home, often) and with which camera."""
    image = Image.new("RGB", (width, height), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Fabricant"  # Make
    exif[0x0131] = "Logiciel de test"  # Software
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[GPS_LATITUDE] = (44.0, 55.0, 49.0)
    gps[3] = "E"
    gps[4] = (2.0, 26.0, 42.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def webp(width=20, height=20):
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 200, 0, 128)).save(out, "WEBP")
    return out.getvalue()


def huge_png(side=30000):
    """A PNG of side × side pixels that weighs a few kilobytes: one filter byte and zeros per row, deflated
    (a decompression bomb)."""
    raw = zlib.compress(b"\x00" * (side // 8 + 1) * side, 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def pdf(pages=1, javascript=False):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if javascript:  # run when the document opens
        from pypdf.generic import DictionaryObject, NameObject, TextStringObject

        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('bonjour');"),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


GIF_JS_POLYGLOT = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00;*/=1;alert(document.domain);//" + b"\x00" * 16
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def upload(content, name="fichier.bin", content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
