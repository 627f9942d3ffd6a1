"""Reading a confirmation page (cchc_portal/core/confirm.py) the way the browser posts it."""
import html
import re


def confirm_value(response) -> str | None:
    """The value of the confirm button, None when the page has none (blocked, or no page)."""
    m = re.search(r'<button[^>]*name="confirmed" value="([^"]*)"', response.content.decode())
    return html.unescape(m.group(1)) if m else None


def confirm_post(response) -> dict:
    """What the confirm button posts: the hidden fields plus `confirmed`."""
    page = response.content.decode()
    form = page[page.index('class="actions confirm-actions"'):]
    form = form[:form.index("</form>")]
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        if name != "csrfmiddlewaretoken":
            data.setdefault(html.unescape(name), []).append(html.unescape(value))
    data["confirmed"] = [confirm_value(response)]
    return data
