"""Template tags: fetching entries with filters, ordering and limits, each kind's natural
output, drafts, per-type templates and what unknown names do in DEBUG and production."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.template.loader import get_template
from django.test import RequestFactory, override_settings

from dynamo_wagtail import api
from tests.site_utils import make_image, make_site

pytestmark = pytest.mark.usefixtures("dynamo")


def render(source: str, **context: Any) -> str:
    context.setdefault("request", RequestFactory().get("/"))
    return Template("{% load dynamo_tags %}" + source).render(Context(context))


def make_gadgets() -> type:
    api.create_type("Maker", [{"name": "name", "kind": "char"}], title_field="name")
    api.create_type(
        "Gadget",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "price", "kind": "decimal", "indexed": True},
            {"name": "description", "kind": "rich_text"},
            {"name": "photo", "kind": "image"},
            {"name": "colour", "kind": "choice", "choices": "red|Red\nblue|Bright blue"},
            {"name": "tags", "kind": "multiple_choice", "choices": "new|New\nsale|On sale"},
            {"name": "in_stock", "kind": "boolean"},
            {"name": "released", "kind": "date"},
            {"name": "maker", "kind": "foreign_key", "related_model": "Maker"},
            {"name": "notes", "kind": "text"},
        ],
        title_field="title",
    )
    return api.get_model("Gadget")


def test_entries_filter_order_and_limit() -> None:
    Gadget = make_gadgets()
    for title, price in (("Anvil", 50), ("Bell", 80), ("Crane", 120), ("Drum", 30)):
        Gadget.objects.create(title=title, price=Decimal(price))

    out = render(
        '{% dynamo_entries "gadget" price__lt=100 order_by="-price" limit=2 as items %}'
        "{% for item in items %}{{ item.title }};{% endfor %}"
    )
    assert out == "Bell;Anvil;"

    # Type, filter values, ordering and limit may come from variables; names are
    # case-insensitive and several orderings are separated by commas.
    out = render(
        "{% dynamo_entries kind price__gte=low order_by=order limit=n as items %}"
        "{% for item in items %}{{ item.title }};{% endfor %}",
        kind="GADGET",
        low=50,
        order="-price,title",
        n=10,
    )
    assert out == "Crane;Bell;Anvil;"

    out = render(
        '{% dynamo_entries "Gadget" title__in=names as items %}{{ items|length }}',
        names=["Anvil", "Drum", "Nothing"],
    )
    assert out == "2"


def test_filters_follow_relations_to_other_types() -> None:
    Gadget = make_gadgets()
    Maker = api.get_model("Maker")
    acme, zeta = Maker.objects.create(name="Acme"), Maker.objects.create(name="Zeta")
    Gadget.objects.create(title="Anvil", maker=acme)
    Gadget.objects.create(title="Bell", maker=zeta)
    Gadget.objects.create(title="Crane")
    out = render(
        '{% dynamo_entries "gadget" maker__name__startswith="A" as items %}'
        "{% for item in items %}{{ item.title }};{% endfor %}"
    )
    assert out == "Anvil;"
    out = render(
        '{% dynamo_entries "gadget" maker__isnull=False order_by="-maker__name" as items %}'
        "{% for item in items %}{{ item.title }};{% endfor %}"
    )
    assert out == "Bell;Anvil;"
    with override_settings(DEBUG=True), pytest.raises(TemplateSyntaxError, match="nme"):
        render('{% dynamo_entries "gadget" maker__nme="Acme" as items %}')


def test_each_kind_renders_its_natural_output() -> None:
    home = make_site()
    Gadget = make_gadgets()
    Maker = api.get_model("Maker")
    acme = Maker.objects.create(name="Acme & Sons")
    image = make_image("pic")
    gadget = Gadget.objects.create(
        title="<b>Anvil</b>",
        price=Decimal("12.50"),
        description=f'<p>Made <a linktype="page" id="{home.pk}">at home</a></p>',
        photo=image,
        colour="blue",
        tags=["new", "sale"],
        in_stock=True,
        released=date(2024, 3, 5),
        maker=acme,
        notes="line one\nline <two>",
    )

    def field(name: str, **options: str) -> str:
        args = "".join(f' {k}="{v}"' for k, v in options.items())
        return render(f'{{% dynamo_field entry "{name}"{args} %}}', entry=gadget)

    assert field("title") == "&lt;b&gt;Anvil&lt;/b&gt;"
    assert field("price") == "12.50"
    assert field("description") == '<p>Made <a href="/">at home</a></p>'
    photo = field("photo")
    assert photo.startswith("<img ") and "max-800x600" in photo and 'width="640"' in photo
    thumb = field("photo", rendition="fill-80x80")
    assert "fill-80x80" in thumb and 'width="80"' in thumb and 'height="80"' in thumb
    assert field("colour") == "Bright blue"
    assert field("tags") == "New, On sale"
    assert field("in_stock") == "Yes"
    assert field("released") == "March 5, 2024"
    assert field("notes") == "<p>line one<br>line &lt;two&gt;</p>"
    # No index page serves makers: the link is the entry's name, escaped.
    assert field("maker") == "Acme &amp; Sons"

    # The detail template lists every field with its label and HTML.
    out = render("{% dynamo_render entry %}", entry=gadget)
    assert "<dt " in out and "Colour</dt>" in out and "Bright blue" in out
    assert "&lt;b&gt;Anvil&lt;/b&gt;" in out and "<b>Anvil</b>" not in out
    assert '<a href="/">at home</a>' in out

    # The filter of the admin preview keeps working.
    assert render('{{ entry|dynamo_value:"colour" }}', entry=gadget) == "Bright blue"


def test_relations_link_to_the_detail_page_of_an_index_page() -> None:
    from dynamo_wagtail.contrib.pages.models import EntryIndexPage
    from dynamo_wagtail.models import MetaModel

    home = make_site()
    Gadget = make_gadgets()
    Maker = api.get_model("Maker")
    acme = Maker.objects.create(name="Acme")
    gadget = Gadget.objects.create(title="Anvil", maker=acme)
    home.add_child(
        instance=EntryIndexPage(
            title="Makers", slug="makers", entry_type=MetaModel.objects.get(name="Maker")
        )
    )
    out = render('{% dynamo_field entry "maker" %}', entry=gadget)
    assert out == f'<a href="/makers/{acme.pk}-acme/">Acme</a>'
    out = render('{% dynamo_entries "maker" as makers %}{% dynamo_list makers %}')
    assert f'<a href="/makers/{acme.pk}-acme/">Acme</a>' in out


def test_unpublished_entries_are_not_listed_for_types_with_drafts() -> None:
    api.create_type(
        "Notice",
        [{"name": "title", "kind": "char"}],
        title_field="title",
        drafts=True,
        revisions=True,
    )
    Notice = api.get_model("Notice")
    Notice.objects.create(title="Public", live=True)
    Notice.objects.create(title="Draft", live=False)
    out = render(
        '{% dynamo_entries "notice" order_by="title" as items %}'
        "{% for item in items %}{{ item.title }};{% endfor %}"
    )
    assert out == "Public;"
    out = render('{% dynamo_entries "notice" title="Draft" as items %}{{ items|length }}')
    assert out == "0"


def test_a_per_type_template_beats_the_fallback() -> None:
    api.create_type("Gizmo", [{"name": "name", "kind": "char"}], title_field="name")
    make_gadgets()
    gizmo = api.get_model("Gizmo").objects.create(name="Sprocket")
    gadget = api.get_model("Gadget").objects.create(title="Anvil")

    out = render("{% dynamo_render entry %}", entry=gizmo)
    assert out.strip() == '<div class="gizmo-override">GIZMO Sprocket [Name: Sprocket]</div>'
    out = render('{% dynamo_entries "gizmo" as items %}{% dynamo_list items %}')
    assert out.strip() == '<ol class="gizmo-list"><li>Sprocket</li></ol>'

    # Other types fall back to the package's templates.
    out = render("{% dynamo_render entry %}", entry=gadget)
    assert '<article class="dynamo-entry dynamo-entry--gadget">' in out
    out = render('{% dynamo_entries "gadget" as items %}{% dynamo_list items %}')
    assert '<ul class="dynamo-list dynamo-list--gadget">' in out and "<li>Anvil</li>" in out


UNKNOWN = [
    ('{% dynamo_entries "nosuchtype" as items %}', "nosuchtype"),
    ('{% dynamo_entries "gadget" colour_typo="red" as items %}', "colour_typo"),
    ('{% dynamo_entries "gadget" order_by="-weight" as items %}', "weight"),
    ('{% dynamo_entries "gadget" price__near=3 as items %}', "near"),
    ('{% dynamo_entries "gadget" limit="many" as items %}', "many"),
    ('{% dynamo_entries "gadget" price__lt="cheap" as items %}', "cheap"),
    ('{% dynamo_field entry "weight" %}', "weight"),
]


@pytest.mark.parametrize(("source", "name"), UNKNOWN)
def test_unknown_names_raise_with_debug(source: str, name: str) -> None:
    Gadget = make_gadgets()
    entry = Gadget.objects.create(title="Anvil")
    with override_settings(DEBUG=True), pytest.raises(TemplateSyntaxError, match=name):
        render(source, entry=entry)


@pytest.mark.parametrize(("source", "name"), UNKNOWN)
def test_unknown_names_give_nothing_and_a_warning_in_production(
    source: str, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    Gadget = make_gadgets()
    entry = Gadget.objects.create(title="Anvil")
    with caplog.at_level(logging.WARNING, logger="dynamo_wagtail.templates"):
        out = render(source + "[{% for i in items %}{{ i }}{% endfor %}]", entry=entry)
    assert out == "[]"
    assert [r.name for r in caplog.records] == ["dynamo_wagtail.templates"]
    assert name in caplog.records[0].getMessage()


def test_the_warning_names_the_template(caplog: pytest.LogCaptureFixture) -> None:
    make_gadgets()
    with caplog.at_level(logging.WARNING, logger="dynamo_wagtail.templates"):
        assert get_template("dynamo_tests/unknown_field.html").render({}).strip() == "[]"
        assert get_template("dynamo_tests/unknown_type.html").render({}).strip() == "[]"
    first, second = (r.getMessage() for r in caplog.records)
    assert "dynamo_tests/unknown_field.html" in first and "colour_typo" in first
    assert "dynamo_tests/unknown_type.html" in second and "nosuchtype" in second


def test_bad_tag_syntax_is_a_syntax_error() -> None:
    with pytest.raises(TemplateSyntaxError, match="Usage"):
        render('{% dynamo_entries "gadget" %}')
    with pytest.raises(TemplateSyntaxError, match="name=value"):
        render('{% dynamo_entries "gadget" "oops" as items %}')
