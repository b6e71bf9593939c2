"""Languages: every string of the console translated, the language chosen per request."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from caseworks.auth.principal import Role
from caseworks.console.rendering import environment
from caseworks.console.translations import LOCALES, catalog, negotiate
from tests.support.console import csrf_token_of, signed_in
from tests.support.tenants import Tenant

CONSOLE = Path(LOCALES).parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted_messages() -> set[str]:
    """Every translatable string of the console's templates and Python, as Babel extracts it."""
    method_map = [("templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        CONSOLE, method_map, options_map=options, keywords=KEYWORDS
    ):
        found.update([message] if isinstance(message, str) else message)
    return found


def test_every_string_has_a_norwegian_translation() -> None:
    messages = extracted_messages()
    assert "Sign in" in messages  # the extraction itself works
    # A word the same in both languages is written out in full ("Import"), never left blank.
    missing = sorted(message for message in messages if not catalog("nb").get(message))
    assert missing == []


def test_no_string_is_translated_twice_across_the_areas() -> None:
    seen: dict[str, str] = {}
    for po_file in sorted((LOCALES / "nb" / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as stream:
            for message in read_po(stream, locale="nb"):
                if message.id:
                    assert message.id not in seen, f"{message.id!r}: {seen.get(message.id)}"
                    seen[str(message.id)] = po_file.name


def test_accept_language_picks_english_or_bokmal() -> None:
    assert negotiate("nb") == "nb"
    assert negotiate("nb-NO,nb;q=0.9") == "nb"
    assert negotiate("no") == "nb"
    assert negotiate("de-DE, en;q=0.5") == "en"
    assert negotiate("en;q=0.4, nb;q=0.8") == "nb"
    assert negotiate("fr") == negotiate(None) == negotiate("nb;q=x") == "en"


async def test_with_accept_language_nb_the_sign_in_button_reads_logg_inn(tenant: Tenant) -> None:
    async with tenant.client() as client:
        page = await client.get("/sign-in", headers={"Accept-Language": "nb-NO"})
    html = BeautifulSoup(page.text, "html.parser")
    assert html.html is not None
    assert html.html["lang"] == "nb"
    assert html.select_one("form[action='/sign-in'] button").get_text() == "Logg inn"  # type: ignore[union-attr]


async def test_a_visitor_chooses_a_language_and_keeps_it_in_a_cookie(tenant: Tenant) -> None:
    async with tenant.client() as client:
        token = csrf_token_of((await client.get("/sign-in")).text)
        chosen = await client.post(
            "/language", data={"language": "nb", "next": "/sign-in", "csrf_token": token}
        )
        page = await client.get("/sign-in", headers={"Accept-Language": "en"})
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/sign-in"
    assert "<h1>Logg inn</h1>" in page.text


async def test_the_users_own_choice_overrides_accept_language(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        english = await client.get("/", headers={"Accept-Language": "nb"})
        assert "<h1>Saksoversikt</h1>" in english.text  # Accept-Language alone
        chosen = await client.post("/language", data={"language": "en", "next": "//evil/"})
        page = await client.get("/", headers={"Accept-Language": "nb"})
    assert chosen.headers["location"] == "/"
    assert "<h1>Caseload overview</h1>" in page.text
    label = BeautifulSoup(page.text, "html.parser").select_one("label[for='footer-language']")
    assert label is not None
    assert label.get_text() == "Language"


async def test_an_unoffered_language_is_refused(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post("/language", data={"language": "de"})
    assert answer.status_code == 400


def test_dates_times_and_numbers_in_the_agencys_zone_and_the_readers_language() -> None:
    moment = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)  # already 5 March in Oslo
    template = environment.from_string(
        "{{ moment | date }} | {{ moment | datetime }} | {{ 12345.5 | number }}"
    )
    norwegian = template.render(moment=moment, locale="nb", time_zone="Europe/Oslo")
    english = template.render(moment=moment, locale="en", time_zone="UTC")
    assert norwegian.startswith("5. mars 2026 | 5. mars 2026, 00:30")
    assert norwegian.endswith("12\xa0345,5")
    assert english.startswith("4 Mar 2026 | 4 Mar 2026, 23:30")
    assert english.endswith("12,345.5")
