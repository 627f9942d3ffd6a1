"""English translation: the catalogue is complete and compiled, and the language switch works.

Vietnamese msgids are the source text; locale/en/LC_MESSAGES/django.po holds the English.
After adding strings: `make messages`, translate every new entry (no empty msgstr, no
`#, fuzzy`), then commit the .po together with the regenerated .mo.
"""
import ast
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE_DIR / "django.po"
MO = LOCALE_DIR / "django.mo"

# A few letters only Vietnamese uses: any of them in the English UI means an untranslated string.
VIETNAMESE = re.compile(r"[ăắằẳẵặâấầẩẫậđêếềểễệôốồổỗộơớờởỡợưứừửữựĂĐÊÔƠƯạảẹẻẽịỉọỏụủỳỷỹỵ]")


# ------------------------------------------------------------------ a tiny .po / .mo reader


def _unquote(line):
    return ast.literal_eval(line)  # a PO string is a valid Python string literal


def parse_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list), flags, obsolete."""
    entries, cur, field = [], None, None

    def flush():
        if cur is not None and cur.get("msgid") is not None:
            entries.append(cur)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            if cur is None or cur.get("msgid") is not None:
                flush()
                cur = {"flags": [], "msgstr": [], "obsolete": True}
            cur["obsolete"] = True
            continue
        if line.startswith("#"):
            if cur is None or cur.get("msgid") is not None:
                flush()
                cur = {"flags": [], "msgstr": [], "obsolete": False}
            if line.startswith("#,"):
                cur["flags"] += [f.strip() for f in line[2:].split(",") if f.strip()]
            continue
        m = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if m:
            keyword, value = m.group(1), _unquote(m.group(3))
            if keyword == "msgctxt" or (keyword == "msgid" and (cur is None or cur.get("msgid") is not None)):
                if cur is None or cur.get("msgid") is not None:
                    flush()
                    cur = {"flags": [], "msgstr": [], "obsolete": False}
            if keyword.startswith("msgstr"):
                cur["msgstr"].append(value)
                field = ("msgstr", len(cur["msgstr"]) - 1)
            else:
                cur[keyword] = value
                field = keyword
            continue
        assert line.startswith('"'), f"unexpected line in {path.name}: {raw!r}"
        value = _unquote(line)
        if isinstance(field, tuple):
            cur["msgstr"][field[1]] += value
        else:
            cur[field] += value
    flush()
    return entries


def read_mo(path):
    """The catalogue of a GNU .mo file: {msgid (with context and plural joined by NUL): msgstr}."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic == 0x950412DE else ">"
    _revision, count, ids_at, strs_at = struct.unpack(endian + "4I", data[4:20])
    catalogue = {}
    for i in range(count):
        id_len, id_off = struct.unpack(endian + "2I", data[ids_at + 8 * i:ids_at + 8 * i + 8])
        str_len, str_off = struct.unpack(endian + "2I", data[strs_at + 8 * i:strs_at + 8 * i + 8])
        catalogue[data[id_off:id_off + id_len].decode()] = data[str_off:str_off + str_len].decode()
    return catalogue


def po_catalogue(entries):
    """What msgfmt compiles from the entries: translated, not fuzzy, not obsolete."""
    catalogue = {}
    for e in entries:
        if e["obsolete"] or (e["msgid"] and "fuzzy" in e["flags"]) or not all(e["msgstr"]):
            continue
        key = e["msgid"] if e.get("msgid_plural") is None else e["msgid"] + "\x00" + e["msgid_plural"]
        if e.get("msgctxt") is not None:
            key = e["msgctxt"] + "\x04" + key
        catalogue[key] = "\x00".join(e["msgstr"])
    return catalogue


@pytest.fixture(scope="module")
def entries():
    assert PO.exists(), "locale/en/LC_MESSAGES/django.po is missing: run `make messages`"
    return [e for e in parse_po(PO) if not e["obsolete"]]


# ------------------------------------------------------------------ the catalogue


def test_po_has_entries_and_english_header(entries):
    header = next(e for e in entries if e["msgid"] == "")
    assert "Language: en" in header["msgstr"][0]
    assert "nplurals=2" in header["msgstr"][0]
    assert len(entries) > 100


def test_no_untranslated_entries(entries):
    untranslated = [e["msgid"] for e in entries if e["msgid"] and not (e["msgstr"] and all(e["msgstr"]))]
    assert not untranslated, f"{len(untranslated)} untranslated, first: {untranslated[:5]}"


def test_no_fuzzy_entries(entries):
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"{len(fuzzy)} fuzzy (check the translation, then drop the flag): {fuzzy[:5]}"


def test_plural_entries_have_both_forms(entries):
    bad = [e["msgid"] for e in entries if e.get("msgid_plural") is not None and len(e["msgstr"]) != 2]
    assert not bad, bad[:5]


PLACEHOLDER = re.compile(r"%%|%\(\w+\)[sdif]|%[sdif]|<[^>]+>")


def test_translations_keep_placeholders_and_markup(entries):
    """%(name)s, %s, %% and HTML tags of the msgid come back in the msgstr, no more, no fewer."""
    bad = []
    for e in entries:
        if not e["msgid"]:
            continue
        sources = [e["msgid"]] if e.get("msgid_plural") is None else [e["msgid"], e["msgid_plural"]]
        for i, msgstr in enumerate(e["msgstr"]):
            source = sources[min(i, len(sources) - 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(msgstr)):
                bad.append((e["msgid"], msgstr))
    assert not bad, bad[:5]


def test_translations_are_not_copies_of_the_vietnamese(entries):
    """A msgstr that repeats the Vietnamese msgid is not a translation (the language's own name aside)."""
    bad = [e["msgid"] for e in entries if e["msgid"] and e["msgid"] != "Tiếng Việt"
           and VIETNAMESE.search(e["msgid"]) and e["msgid"] in e["msgstr"]]
    assert not bad, bad[:5]


def test_mo_is_compiled_from_the_current_po(entries):
    """The committed .mo says exactly what the .po says (content, not modification times)."""
    assert MO.exists(), "locale/en/LC_MESSAGES/django.mo is missing: run `make messages`"
    compiled = read_mo(MO)
    expected = po_catalogue(entries)
    for catalogue in (compiled, expected):  # msgfmt drops the POT-Creation-Date of the header
        catalogue[""] = re.sub(r"(?m)^POT-Creation-Date:.*\n", "", catalogue.get("", ""))
    stale = sorted(k for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k))
    assert not stale, (f"django.mo is out of date with django.po ({len(stale)} entries differ, "
                       f"first: {stale[:3]}): run `python manage.py compilemessages --ignore=.venv`")


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext tools are not installed")
def test_msgfmt_check_format():
    """msgfmt agrees: valid syntax, python-format placeholders consistent with the msgid."""
    result = subprocess.run(["msgfmt", "--check-format", "--check-header", "-o", "/dev/null", str(PO)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext tools are not installed")
def test_msgattrib_finds_nothing_untranslated_or_fuzzy():
    for option in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(["msgattrib", option, "--no-obsolete", str(PO)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        msgids = [ln for ln in result.stdout.splitlines() if ln.startswith("msgid ") and ln != 'msgid ""']
        assert not msgids, f"msgattrib {option}: {msgids[:5]}"


# ------------------------------------------------------------------ the language switch


def _switch(client, language, next_url="/"):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    return response


@pytest.mark.django_db
def test_switching_to_english_and_back(login, staff_a, campaign):
    client = login(staff_a)

    home = client.get("/").content.decode()
    assert '<html lang="vi">' in home and "Đợt đánh giá" in home and "Trang chủ" in home

    _switch(client, "en")
    home = client.get("/").content.decode()
    assert '<html lang="en">' in home
    assert ">Campaigns</a>" in home and ">Home</a>" in home and "Log out" in home
    assert "Your agency&#x27;s tasks" in home or "Your agency's tasks" in home
    assert "Self-assessment and scoring" in home  # the open step's label, from a model choice
    assert "Trang chủ" not in home and "Đăng xuất" not in home and "Đợt đánh giá" not in home

    listing = client.get("/campaigns/").content.decode()
    assert '<html lang="en">' in listing
    assert "PAR index campaigns" in listing and "In progress" in listing
    assert "Các đợt đánh giá" not in listing and "Đang triển khai" not in listing

    _switch(client, "vi", "/campaigns/")
    listing = client.get("/campaigns/").content.decode()
    assert '<html lang="vi">' in listing
    assert "Các đợt đánh giá Chỉ số CCHC" in listing and "Đang triển khai" in listing
    assert "PAR index campaigns" not in listing and ">Campaigns</a>" not in listing
    home = client.get("/").content.decode()
    assert '<html lang="vi">' in home and "Trang chủ" in home and ">Home</a>" not in home


@pytest.mark.django_db
def test_english_campaign_list_has_no_vietnamese_ui_text(login, staff_a, campaign):
    """Everything Vietnamese left on the page is data (names), not interface text; years are not grouped."""
    client = login(staff_a)
    _switch(client, "en", "/campaigns/")
    html = client.get("/campaigns/").content.decode()
    assert f"<td>{campaign.year}</td>" in html
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    for value in (staff_a.display_name, campaign.name, "Tiếng Việt"):
        html = html.replace(value, "")
    leftovers = [line.strip() for line in html.splitlines() if VIETNAMESE.search(line)]
    assert not leftovers, leftovers[:5]


@pytest.mark.django_db
def test_domain_errors_follow_the_active_language(campaign, agency_a, officer):
    from django.utils import translation

    from campaigns import services
    from cchc_portal.core.exceptions import ApplicationError

    step = campaign.steps.get()
    for language, expected in (("vi", "Cần nêu lý do gia hạn."), ("en", "Give a reason for the extension.")):
        with translation.override(language), pytest.raises(ApplicationError) as caught:
            services.extension_grant(step=step, agency=agency_a, closes_at=step.closes_at, reason=" ", user=officer)
        assert caught.value.message == expected


@pytest.mark.django_db
def test_anonymous_login_page_in_english(client):
    _switch(client, "en", "/accounts/login/")
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html and "Log in" in html and "Forgot your password?" in html
