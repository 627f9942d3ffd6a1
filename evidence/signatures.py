"""Digital signatures of a PDF, validated with pyHanko against the trust roots an admin
uploaded (evidence.models.TrustRoot). Without a trust root the chain is "not checked";
integrity (the signed bytes' digest) and coverage (what was added after signing) are
always checked. No network access: revocation is not fetched."""
import io
import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@dataclass
class SignatureResult:
    field_name: str = ""
    signer_name: str = ""
    organisation: str = ""
    signing_time: object = None
    intact: bool = False
    coverage: str = ""
    modified_after: bool = False
    trusted: str = "not_checked"  # yes / no / not_checked
    problem: str = ""


def load_certificates(pems: list[str]):
    """asn1crypto certificates from PEM (or base64 DER) texts; unreadable ones are skipped."""
    from asn1crypto import pem, x509

    certificates = []
    for text in pems:
        data = text.encode() if isinstance(text, str) else text
        try:
            if pem.detect(data):
                for _, _, der in pem.unarmor(data, multiple=True):
                    certificates.append(x509.Certificate.load(der))
            else:
                certificates.append(x509.Certificate.load(data))
        except (ValueError, TypeError):
            logger.warning("unreadable trust root skipped")
    return certificates


def _name_part(certificate, key):
    try:
        value = certificate.subject.native.get(key, "")
    except (ValueError, TypeError):
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value or "")[:255]


def verify_pdf(data: bytes, *, roots=None) -> list[SignatureResult]:
    """Every signature of the PDF in `data`, in document order. `roots` are asn1crypto
    certificates; None or [] means the chain is not checked. pyHanko runs its own asyncio
    loop: from a thread that already runs one (an ASGI view), it runs in a helper thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _verify(data, roots)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_verify, data, roots).result()


def _verify(data: bytes, roots) -> list[SignatureResult]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    signatures = reader.embedded_signatures
    results = []
    for embedded in signatures:
        result = SignatureResult(field_name=str(embedded.field_name or "")[:255])
        try:
            context = ValidationContext(trust_roots=list(roots or []), allow_fetching=False)
            status = validate_pdf_signature(embedded, context)
        except Exception as exc:  # noqa: BLE001 - a malformed signature is reported, not raised
            result.problem = (_("không kiểm tra được chữ ký: %(error)s") % {"error": exc.__class__.__name__})[:500]
            try:
                certificate = embedded.signer_cert
                result.signer_name = _name_part(certificate, "common_name")
                result.organisation = _name_part(certificate, "organization_name")
            except Exception:  # noqa: BLE001
                pass
            result.trusted = "no" if roots else "not_checked"
            results.append(result)
            continue
        certificate = status.signing_cert
        result.signer_name = _name_part(certificate, "common_name")
        result.organisation = _name_part(certificate, "organization_name")
        result.signing_time = status.signer_reported_dt
        if status.timestamp_validity is not None and status.timestamp_validity.timestamp:
            result.signing_time = status.timestamp_validity.timestamp
        result.intact = bool(status.intact and status.valid)
        coverage = status.coverage
        result.coverage = coverage.name.lower() if coverage is not None else ""
        level = status.modification_level
        whole = coverage == SignatureCoverageLevel.ENTIRE_FILE
        harmless = level is not None and level <= ModificationLevel.LTA_UPDATES
        result.modified_after = not whole and not (harmless and status.docmdp_ok is not False)
        if roots:
            result.trusted = "yes" if status.trusted else "no"
        problems = []
        if not result.intact:
            problems.append(_("nội dung đã ký bị thay đổi (sai mã băm)"))
        if result.modified_after:
            problems.append(_("tài liệu bị sửa sau khi ký"))
        if result.trusted == "no":
            problems.append(_("chứng thư không chuỗi tới chứng thư gốc tin cậy"))
        result.problem = "; ".join(problems)[:500]
        results.append(result)
    return results
