"""Tiny real files of every accepted kind (and some impostors), built in memory."""
import io
import struct
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reports.management.demo.evidence import pdf_bytes


def pdf(text="Ke hoach cai cach hanh chinh nam 2026") -> bytes:
    """A minimal valid one-page PDF with a correct xref table (the demo's builder)."""
    return pdf_bytes([text])


def _image(fmt, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, fmt)
    return out.getvalue()


def png(color=(200, 30, 30)) -> bytes:
    return _image("PNG", color)


def jpg(color=(30, 30, 200)) -> bytes:
    return _image("JPEG", color)


def docx(text="Báo cáo CCHC") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?>'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?>'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                   f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body>'
                   '</w:document>')
    return out.getvalue()


def xlsx(value="Số liệu") -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _odf(mime, body) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mime, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                                  f'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">{body}'
                                  '</office:document-content>')
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                                            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return out.getvalue()


def odt() -> bytes:
    return _odf("application/vnd.oasis.opendocument.text", "<office:body/>")


def ods() -> bytes:
    return _odf("application/vnd.oasis.opendocument.spreadsheet", "<office:body/>")


def _cfb(stream_name, first_bytes) -> bytes:
    """A structurally valid OLE2 compound file ([MS-CFB] v3, 512-byte sectors) holding one
    4096-byte stream: sectors 0–7 the stream, 8 the FAT, 9 the directory."""
    end, free, fatsect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, 1, 9, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 0x4C, 8, *([free] * 108))
    stream = (first_bytes + b"\0" * 4096)[:4096]
    fat = [1, 2, 3, 4, 5, 6, 7, end, fatsect, end] + [free] * 118
    directory = bytearray(512)

    def entry(index, name, kind, child, start, size):
        raw = name.encode("utf-16-le") + b"\0\0"
        base = index * 128
        directory[base:base + len(raw)] = raw
        struct.pack_into("<HBBIII", directory, base + 64, len(raw), kind, 1, free, free, child)
        struct.pack_into("<IQ", directory, base + 116, start, size)

    entry(0, "Root Entry", 5, 1, end, 0)
    entry(1, stream_name, 2, free, 0, 4096)
    for index in (2, 3):
        struct.pack_into("<III", directory, index * 128 + 68, free, free, free)
    return bytes(header) + stream + struct.pack("<128I", *fat) + bytes(directory)


def doc() -> bytes:
    return _cfb("WordDocument", b"\xec\xa5\xc1\x00")


def xls() -> bytes:
    return _cfb("Workbook", b"\x09\x08\x10\x00\x00\x06\x05\x00")


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def html_as_pdf() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script>%PDF-1.4 %%EOF</body></html>"


def random_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("ghi-chu.txt", "không phải tài liệu Word")
        z.writestr("word/document.xml", "<x/>")
    return out.getvalue()


def upload(name, content, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


ACCEPTED = {
    "pdf": ("bao-cao.pdf", pdf),
    "doc": ("quyet-dinh.doc", doc),
    "docx": ("ke-hoach.docx", docx),
    "xls": ("so-lieu.xls", xls),
    "xlsx": ("so-lieu.xlsx", xlsx),
    "odt": ("cong-van.odt", odt),
    "ods": ("bang-tinh.ods", ods),
    "jpg": ("anh-chup.jpg", jpg),
    "png": ("anh-chup.png", png),
}


def ooxml_with(types, extra=()) -> bytes:
    """A .docx whose `[Content_Types].xml` body is `types` (Override/Default tags), with
    word/document.xml and any `extra` (name, bytes) entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?>'
                   f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{types}</Types>')
        z.writestr("word/document.xml", "<w:document/>")
        for name, data in extra:
            z.writestr(name, data)
    return out.getvalue()


DOCX_MAIN = ('<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.wordprocessingml.document.main+xml"/>')


def odf_with(entries, manifest_entries="", mime="application/vnd.oasis.opendocument.text") -> bytes:
    """An ODF file with extra zip `entries` (name, text) and manifest file-entry tags."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mime, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", '<office:document-content '
                                  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                                            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                                            f'{manifest_entries}</manifest:manifest>')
        for name, data in entries:
            z.writestr(name, data)
    return out.getvalue()
