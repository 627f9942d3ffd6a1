"""Evidence files are checked by content, never by name; refusals say why in Vietnamese."""
import hashlib
import io
import struct
import unicodedata
import zipfile

import filetype
import pytest

from cchc_portal.core.exceptions import ApplicationError
from evidence import validation
from evidence.validation import CHUNK, Refused, check_file, display_name, sanitize_filename

from . import files

SCANNED = []


def fake_scanner(file):
    """A stand-in for ClamAV: refuses files containing the EICAR marker."""
    data = file.read()
    SCANNED.append(len(data))
    if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in data:
        raise RuntimeError("Eicar-Test-Signature FOUND")


def scanner_with_message(file):
    raise ApplicationError("Tệp nhiễm mã độc Eicar-Test-Signature.")


@pytest.mark.parametrize("code", sorted(files.ACCEPTED))
def test_every_accepted_kind_is_recognised_by_content(code):
    name, build = files.ACCEPTED[code]
    checked = check_file(files.upload(name, build()))
    assert checked.kind.code == code
    assert checked.name == name


@pytest.mark.parametrize("code", sorted(files.ACCEPTED))
def test_a_wrong_name_does_not_change_the_kind(code):
    name, build = files.ACCEPTED[code]
    checked = check_file(files.upload("tai-lieu.txt", build()))
    assert checked.kind.code == code
    assert checked.name == f"tai-lieu.txt{checked.kind.extension}"


def test_containers_are_read_where_filetype_guesses_wrong():
    # an OLE2 Word file whose first sector is not the Word header: filetype cannot tell
    word = bytearray(files.doc())
    word[512:516] = b"\0\0\0\0"
    assert filetype.guess(bytes(word)) is None
    assert check_file(io.BytesIO(bytes(word)), name="cu.doc").kind.code == "doc"
    # an ODT whose mimetype entry is compressed: filetype says "zip"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    assert filetype.guess(out.getvalue()).mime == "application/zip"
    assert check_file(io.BytesIO(out.getvalue()), name="van-ban.odt").kind.code == "odt"


@pytest.mark.parametrize(("name", "content", "code"), [
    ("chuong-trinh.pdf", files.exe(), "type"),
    ("bao-cao.pdf", files.html_as_pdf(), "type"),
    ("ke-hoach.docx", files.random_zip(), "type"),
    ("rong.pdf", b"", "empty"),
    ("cat-ngang.pdf", files.pdf()[:-60], "corrupt"),
    ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "corrupt"),
    ("ghi-chu.pdf", "Chỉ là văn bản thường".encode(), "type"),
    ("trinh-chieu.doc", files._cfb("PowerPoint Document", b""), "type"),
    ("mat-khau.xlsx", files._cfb("EncryptedPackage", b""), "encrypted"),
])
def test_impostors_are_refused_with_a_vietnamese_reason(name, content, code):
    with pytest.raises(Refused) as exc:
        check_file(files.upload(name, content))
    assert exc.value.code == code
    assert exc.value.status == 400
    assert sanitize_filename(name) in exc.value.message
    assert exc.value.extra["errors"]["file"] == [exc.value.message]


def test_macro_enabled_office_files_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", '<Types><Override PartName="/word/document.xml" '
                                          'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
                                          "</Types>")
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/vbaProject.bin", b"\0" * 32)
    with pytest.raises(Refused) as exc:
        check_file(files.upload("bao-cao.docx", out.getvalue()))
    assert exc.value.code == "macro"


VBA = "application/vnd.ms-office.vbaProject"


@pytest.mark.parametrize(("types", "extra"), [
    # a normal main part listed before a macro-enabled one
    (files.DOCX_MAIN + '<Override PartName="/word/other.xml" '
     'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>', [("word/other.xml", "<x/>")]),
    # a VBA project declared by a Default on the .bin extension
    (f'<Default Extension="bin" ContentType="{VBA}"/>' + files.DOCX_MAIN, [("word/vbaProject.bin", b"\0" * 32)]),
    # a VBA project declared by an Override after the main part
    (files.DOCX_MAIN + f'<Override PartName="/word/vbaProject.bin" ContentType="{VBA}"/>',
     [("word/vbaProject.bin", b"\0" * 32)]),
    # a vbaProject.bin present but not declared at all
    (files.DOCX_MAIN, [("word/vbaProject.bin", b"\0" * 32)]),
    # an ActiveX control
    (files.DOCX_MAIN + '<Override PartName="/word/activeX/activeX1.bin" '
                       'ContentType="application/vnd.ms-office.activeX"/>',
     [("word/activeX/activeX1.bin", b"\0" * 32)]),
    (files.DOCX_MAIN, [("word/activeX/activeX1.bin", b"\0" * 32)]),
    # a macro-enabled template, single quotes, any case
    (files.DOCX_MAIN + "<Override PartName='/word/t.xml' "
     "ContentType='APPLICATION/VND.MS-WORD.TEMPLATE.MACROENABLEDTEMPLATE.MAIN+XML'/>", []),
], ids=["macro-after-main", "default-bin", "override-after-main", "undeclared-bin", "activex", "activex-undeclared",
        "template"])
def test_office_files_with_code_in_any_part_are_refused(types, extra):
    with pytest.raises(Refused) as exc:
        check_file(files.upload("bao-cao.docx", files.ooxml_with(types, extra)))
    assert exc.value.code == "macro"
    assert "macro" in exc.value.message


def test_an_office_file_without_code_passes_the_part_check():
    content = files.ooxml_with('<Default Extension="png" ContentType="image/png"/>' + files.DOCX_MAIN,
                               [("word/media/image1.png", files.png())])
    assert check_file(files.upload("bao-cao.docx", content)).kind.code == "docx"
    assert check_file(files.upload("so-lieu.xlsx", files.xlsx())).kind.code == "xlsx"


@pytest.mark.parametrize(("entries", "manifest"), [
    ([("Basic/Standard/Module1.xml", "<script:module/>"), ("Basic/script-lc.xml", "<x/>")], ""),
    ([("Scripts/python/macro.py", "import os")], ""),
    ([], '<manifest:file-entry manifest:full-path="Basic/Standard/Module1.xml" manifest:media-type="text/xml"/>'),
    ([], '<manifest:file-entry manifest:full-path="Scripts/javascript/" manifest:media-type=""/>'),
], ids=["basic-module", "python-script", "manifest-basic", "manifest-scripts"])
def test_opendocument_files_with_macros_are_refused(entries, manifest):
    for mime, name in (("application/vnd.oasis.opendocument.text", "cong-van.odt"),
                       ("application/vnd.oasis.opendocument.spreadsheet", "bang-tinh.ods")):
        with pytest.raises(Refused) as exc:
            check_file(files.upload(name, files.odf_with(entries, manifest, mime=mime)))
        assert exc.value.code == "macro"


def test_an_opendocument_file_with_pictures_passes_the_macro_check():
    content = files.odf_with([("Pictures/1.png", "x")], '<manifest:file-entry manifest:full-path="Pictures/1.png" '
                                                       'manifest:media-type="image/png"/>')
    assert check_file(files.upload("cong-van.odt", content)).kind.code == "odt"


def test_html_posing_as_pdf_is_named_in_the_message():
    with pytest.raises(Refused) as exc:
        check_file(files.upload("bao-cao.pdf", files.html_as_pdf()))
    assert "không thuộc các loại được nhận" in exc.value.message
    assert "không dựa vào tên tệp" in exc.value.message


def test_an_exe_renamed_pdf_names_its_real_kind():
    with pytest.raises(Refused) as exc:
        check_file(files.upload("chuong-trinh.pdf", files.exe()))
    assert "EXE" in exc.value.message


def test_the_size_limit_comes_from_settings_and_is_checked_before_reading(settings):
    settings.EVIDENCE_MAX_MB = 1
    big = files.pdf() + b"%" + b"0" * (1024 * 1024)

    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the content must not be read")

    upload = Unreadable(big)
    upload.size = len(big)
    with pytest.raises(Refused) as exc:
        check_file(upload, name="lon.pdf")
    assert exc.value.code == "too_large"
    assert "1 MB" in exc.value.message
    settings.EVIDENCE_MAX_MB = 2
    assert check_file(io.BytesIO(big[:-len(b"0" * 100)] + b"\n%%EOF\n"), name="lon.pdf").kind.code == "pdf"


def test_the_default_limit_is_20_mb(settings):
    del settings.EVIDENCE_MAX_MB
    assert validation.max_bytes() == 20 * 1024 * 1024


def test_reading_is_in_chunks_and_the_hash_is_sha256():
    content = files.pdf() + b"%" + b"1" * (3 * CHUNK) + b"\n%%EOF\n"
    sizes = []

    class Spy(io.BytesIO):
        def read(self, size=-1):
            sizes.append(size)
            return super().read(size)

    checked = check_file(Spy(content), name="x.pdf")
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.size == len(content)
    assert sizes and all(0 < s <= CHUNK for s in sizes)


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../x.pdf", "x.pdf"),
    ("..\\..\\Windows\\x.pdf", "x.pdf"),
    ("C:\\Users\\canbo\\Desktop\\Kế hoạch.pdf", "Kế hoạch.pdf"),
    ("bao\x00cao\x1b.pdf", "baocao.pdf"),
    ("anh\u202egnp.exe", "anhgnp.exe"),
    ("  Báo   cáo\tquý  .pdf", "Báo cáo quý .pdf"),
    ("Quyết định <số> 12?.pdf", "Quyết định _số_ 12_.pdf"),
    ("..", "tai-lieu"),
    ("", "tai-lieu"),
])
def test_names_are_sanitized(raw, clean):
    assert sanitize_filename(raw) == clean


def test_vietnamese_letters_are_kept_in_composed_form():
    decomposed = unicodedata.normalize("NFD", "Tờ trình Ủy ban nhân dân đặc khu.pdf")
    assert sanitize_filename(decomposed) == "Tờ trình Ủy ban nhân dân đặc khu.pdf"


def test_long_names_are_capped_keeping_the_extension():
    name = sanitize_filename("Báo cáo " * 40 + ".docx")
    assert len(name) <= validation.NAME_MAX and name.endswith(".docx")


def test_the_display_name_tells_the_truth_about_the_content():
    pdf = validation.KINDS["pdf"]
    assert display_name("bao-cao.docx", pdf) == "bao-cao.pdf"
    assert display_name("QĐ 12.2024", pdf) == "QĐ 12.2024.pdf"
    assert display_name("../../x.pdf", pdf) == "x.pdf"
    assert display_name("ANH.JPEG", validation.KINDS["jpg"]) == "ANH.jpeg"


def test_the_virus_scan_hook_is_off_by_default():
    SCANNED.clear()
    check_file(files.upload("a.pdf", files.pdf()))
    assert SCANNED == []


def test_the_virus_scan_hook_refuses_what_the_scanner_refuses(settings):
    settings.EVIDENCE_VIRUS_SCAN = "tests.evidence.test_validation.fake_scanner"
    SCANNED.clear()
    clean = files.pdf()
    assert check_file(files.upload("sach.pdf", clean)).kind.code == "pdf"
    assert SCANNED == [len(clean)]  # the scanner got the whole file from its start
    infected = files.pdf() + b"%X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*\n%%EOF\n"
    with pytest.raises(Refused) as exc:
        check_file(files.upload("nhiem.pdf", infected))
    assert exc.value.code == "virus"
    assert exc.value.message == "Tệp “nhiem.pdf” bị từ chối khi quét virus."


def test_a_scanner_message_is_shown_as_is(settings):
    settings.EVIDENCE_VIRUS_SCAN = "tests.evidence.test_validation.scanner_with_message"
    with pytest.raises(Refused) as exc:
        check_file(files.upload("nhiem.pdf", files.pdf()))
    assert exc.value.message == "Tệp nhiễm mã độc Eicar-Test-Signature."


def test_a_corrupt_ole_directory_is_refused_not_crashing():
    broken = bytearray(files.doc())
    struct.pack_into("<I", broken, 0x30, 4000)  # directory sector beyond the end of the file
    with pytest.raises(Refused) as exc:
        check_file(io.BytesIO(bytes(broken)), name="hong.doc")
    assert exc.value.code == "corrupt"
