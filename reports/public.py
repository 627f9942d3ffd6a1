"""The public results pages (no login): the ranking, each agency over the published years,
and the official publication as PDF and Excel named by the year."""
from types import SimpleNamespace
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cchc_portal.core.utils import q2

from . import charts, exports, selectors
from .views import (
    PAGE_SIZE,
    as_decimal,
    field_averages,
    grouped_rows,
    pdf_response,
    request_filters,
    xlsx_response,
)


def group_summaries(publication) -> dict[str, dict]:
    """Per group of a publication: agency count, average index, field averages (cached:
    a publication never changes)."""
    key = f"reports:groups:v1:{publication.pk}"
    found = cache.get(key)
    if found is None:
        found = {}
        for group in grouped_rows(selectors.publication_rows(publication=publication)):
            indices = [as_decimal(r["index"]) for r in group["rows"] if r["index"] is not None]
            found[group["code"]] = {
                "count": len(group["rows"]), "name": group["name"],
                "average": q2(sum(indices) / len(indices)) if indices else None,
                "fields": field_averages(group["rows"]),
            }
        cache.set(key, found, None)
    return found


def _publication_context(campaign, publication):
    return {"campaign": campaign, "publication": publication, "method": publication.method,
            "publications": list(selectors.publication_list(campaign=campaign)),
            "files": _public_files(campaign, publication)}


def _not_published(request, campaign_pk=None, agency_code=None):
    """The public's answer for an unknown or unpublished campaign, or an agency not in the
    publication: a page in plain Vietnamese with where to go instead (status 404)."""
    return render(request, "reports/public_missing.html", {
        "campaigns": selectors.published_campaigns()[:20], "agency_code": agency_code,
        "campaign_pk": campaign_pk}, status=404)


def public_file_name(campaign, publication) -> str:
    """The official files' name without extension: the year, the owner's code for a
    district's own campaign, the correction's number (chi-so-cchc-2024, …-lan-2)."""
    from django.utils.text import slugify

    parts = ["chi-so-cchc", str(campaign.year)]
    if campaign.owner_id:
        parts.append(slugify(campaign.owner.code))
    if publication.number > 1:
        parts.append(f"lan-{publication.number}")
    return "-".join(parts)


def public_file(request, pk, name, fmt):
    """The latest publication as the official ranking (PDF, A4 with the header frozen at
    publication) or as a workbook; any other name redirects to today's name."""
    found = selectors.published_campaign_find(pk=pk)
    if found is None:
        return _not_published(request)
    campaign, publication = found
    expected = public_file_name(campaign, publication)
    if name != expected:
        return redirect(f"public-{fmt}", pk=campaign.pk, name=expected)
    rows = selectors.publication_rows(publication=publication)
    if fmt == "xlsx":
        return xlsx_response(exports.ranking_workbook(rows, title=campaign.name), f"{expected}.xlsx")
    key = f"reports:public-pdf:v1:{publication.pk}:{publication.published_at.timestamp()}"
    content = cache.get(key)
    if content is None:  # a publication never changes: drawn once
        frozen = publication.method.get("header") or {}
        if frozen.get("authority_name"):  # the names as they were then
            # a publication from before the closing block was configurable lacks it: "" gets the defaults
            names = SimpleNamespace(**{f: frozen.get(f, "") for f in (
                "authority_name", "office_name", "place_name", *exports.CLOSING_FIELDS)})
        else:
            names = selectors.result_settings_for(campaign)
        header = exports.report_header(names, now=publication.published_at)  # dated the day it was published
        content = exports.render_pdf("reports/pdf/ranking.html", {
            "campaign": campaign, "groups": grouped_rows(rows), "publication": publication, "header": header})
        cache.set(key, content, None)
    return pdf_response(content, f"{expected}.pdf")


def _public_files(campaign, publication):
    name = public_file_name(campaign, publication)
    return {"pdf": reverse("public-pdf", args=[campaign.pk, name]),
            "xlsx": reverse("public-xlsx", args=[campaign.pk, name]), "name": name}


def public_results(request, pk):
    found = selectors.published_campaign_find(pk=pk)
    if found is None:
        return _not_published(request, campaign_pk=pk)
    campaign, publication = found
    q, group = request_filters(request)
    method = publication.method
    summaries = group_summaries(publication)
    previous = selectors.previous_publication(campaign=campaign)
    sections = []
    for g in method.get("groups", []):
        if group and g["code"] != group:
            continue
        qs = selectors.public_ranking(publication=publication, group=g["code"], q=q)
        paginate = bool(group or q)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")) if paginate else None
        rows = page.object_list if page else list(qs[:PAGE_SIZE])
        title = _("Chỉ số CCHC – %(group)s") % {"group": g["name"]}

        def bars(compact, code=g["code"], title=title):
            data = selectors.public_ranking(publication=publication, group=code).values_list("agency_name", "index")
            return charts.index_bars(list(data), title=title, axis_label=_("Chỉ số (%)"), compact=compact,
                                     salt=f"g-{code}{'-n' if compact else ''}")

        section = {"code": g["code"], "name": g["name"], "rows": rows, "page": page,
                   "count": summaries.get(g["code"], {}).get("count", 0),
                   "average": summaries.get(g["code"], {}).get("average"),
                   "chart": charts.cached_pair(publication, "group", bars, g["code"], request.LANGUAGE_CODE)}
        if previous is not None:
            section["yoy_chart"] = charts.cached_pair(publication, "group-yoy", lambda compact, g=g: _group_yoy_chart(
                publication, previous, g, compact), g["code"], previous.pk, request.LANGUAGE_CODE)
        sections.append(section)
    if group and not sections:
        raise Http404
    context = _publication_context(campaign, publication)
    context.update({"sections": sections, "q": q, "group": group, "groups": method.get("groups", []),
                    "previous": previous,
                    "query": urlencode({k: v for k, v in (("q", q), ("group", group)) if v})})
    return render(request, "reports/public_results.html", context)


def _group_yoy_chart(publication, previous, group, compact=False):
    now = dict(selectors.public_ranking(publication=publication, group=group["code"])
               .values_list("agency_code", "index"))
    names = dict(selectors.public_ranking(publication=publication, group=group["code"])
                 .values_list("agency_code", "agency_name"))
    before = dict(selectors.public_ranking(publication=previous, group=group["code"])
                  .values_list("agency_code", "index"))
    both = [code for code in now if code in before]
    this_year = publication.method["campaign"]["year"]
    last_year = previous.method.get("campaign", {}).get("year", this_year - 1)
    if len(both) <= charts.MAX_BARS:
        rows = [(names[c], now[c], before[c]) for c in both]
    else:
        avg = lambda values: q2(sum(values) / len(values)) if values else None  # noqa: E731
        rows = [(_("Chỉ số trung bình"), avg([now[c] for c in both if now[c] is not None]),
                 avg([before[c] for c in both if before[c] is not None]))]
    return charts.year_over_year(rows, title=_("So sánh với năm %(year)s") % {"year": last_year},
                                 this_label=str(this_year), last_label=str(last_year), compact=compact,
                                 salt=f"gy-{group['code']}{'-n' if compact else ''}")


def public_agency(request, pk, code):
    found = selectors.published_campaign_find(pk=pk)
    if found is None:
        return _not_published(request, campaign_pk=pk)
    campaign, publication = found
    row = selectors.public_ranking(publication=publication).filter(agency_code=code).first()
    if row is None:
        return _not_published(request, campaign_pk=pk, agency_code=code)
    data, method = row.data, publication.method
    titles = dict(method.get("criteria", {}).get(row.group_code, []))
    summary = group_summaries(publication).get(row.group_code, {})
    fields = exports.field_rows(data["fields"], summary.get("fields"))
    lines = exports.item_lines(data, titles)
    for f in fields:
        f["lines"] = [line for line in lines if line["depth"] > 1 and line["code"].split(".")[0] == f["code"]]
        f["diff"] = f["percent"] - f["average"] if f["percent"] is not None and f["average"] is not None else None
    chart_fields = [(f"{f['code']}. {f['title']}", f["percent"], f["average"]) for f in fields
                    if f["percent"] is not None]
    context = _publication_context(campaign, publication)
    context.update({
        "row": row, "data": data, "fields": fields, "summary": summary,
        "fields_chart": charts.cached_pair(publication, "agency-fields", lambda compact: charts.field_bars(
            chart_fields, title=_("Chỉ số thành phần theo lĩnh vực (%)"), own_label=row.agency_name,
            avg_label=_("Trung bình nhóm"), compact=compact, salt=f"a-{row.agency_code}{'-n' if compact else ''}"),
            row.agency_code, request.LANGUAGE_CODE),
    })
    history = selectors.agency_years(campaign=campaign, publication=publication, row=row)
    if len(history.years) > 1:
        history.lines[0].label = _("Chỉ số chung")
        context["history"] = history
        context["previous_row"] = history.rows[-2]
        context["years_chart"] = charts.cached_pair(
            publication, "agency-years", lambda compact: charts.years_lines(
                history.years, [(line.label, line.values) for line in history.lines],
                title=_("Chỉ số qua các năm (%)"), compact=compact,
                salt=f"ay-{row.agency_code}{'-n' if compact else ''}"),
            row.agency_code, *[p.pk for p in history.publications], request.LANGUAGE_CODE)
    return render(request, "reports/public_agency.html", context)
