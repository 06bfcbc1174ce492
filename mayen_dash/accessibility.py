"""The Erklärung zur Barrierefreiheit as BITV 2.0 § 7 asks for it, as Markdown for the page "Barrierefreiheit".

The text is a template beside this module (templates/barrierefreiheit.md.j2), so that it can be
read and changed as a text; this module fills in what the operator configured (settings.SiteInfo).
Every configured value is escaped for Markdown, and links are built here from http(s) addresses
only (settings.site_info drops others), so a value can never become markup or a script link.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .formatting import escape_markdown, format_date
from .settings import SiteInfo

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "barrierefreiheit.md.j2"
TITLE = "Erklärung zur Barrierefreiheit"


def _link(address: str, text: str = "") -> str:
    """A Markdown link to an http(s) address; the address is percent-encoded where Markdown would end it."""
    target = urllib.parse.quote(address, safe=":/?#@!$&'*+,;=%~")
    return f"[{escape_markdown(text or address)}]({target})"


def _mail(address: str) -> str:
    """A mailto link for an e-mail address."""
    return f"[{escape_markdown(address)}](mailto:{urllib.parse.quote(address, safe='@+.')})"


def _lines(text: str) -> str:
    """A multi-line value (an address) with its line breaks kept in Markdown."""
    return "  \n  ".join(escape_markdown(line.strip()) for line in text.splitlines() if line.strip())


def statement_markdown(site: SiteInfo) -> str:
    """The Erklärung for this installation: Stand der Vereinbarkeit, what is not yet accessible, contact,
    Schlichtungsverfahren; its sections open with "## ", the page title is the page's."""
    return _ENVIRONMENT.get_template(TEMPLATE).render(site=site, date=format_date(site.statement_date))


def statement_sections(site: SiteInfo) -> list[tuple[str, str]]:
    """The Erklärung as (heading, Markdown body) pairs, the first without heading.

    A page sets each heading itself: Streamlit gives Markdown headings a link icon named in English.
    """
    first, *rest = re.split(r"^## ", statement_markdown(site), flags=re.M)
    sections = [("", first.strip())]
    for part in rest:
        heading, _, body = part.partition("\n")
        sections.append((heading.strip(), body.strip()))
    return sections


_ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=False,  # Markdown, not HTML: values are escaped by the filters below
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENVIRONMENT.filters.update(md=escape_markdown, link=_link, mail=_mail, lines=_lines)
