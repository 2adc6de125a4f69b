"""StreamField blocks that show entries, the index page that serves a type's list and
detail URLs, and the public form page that saves visitors' submissions as entries."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from wagtail.blocks import StreamBlock
from wagtail.blocks.struct_block import StructBlockValidationError

from dynamo_wagtail import api
from dynamo_wagtail.blocks import EntriesBlock, EntryBlock
from dynamo_wagtail.contrib.pages.models import EntryFormPage, EntryIndexPage
from dynamo_wagtail.models import MetaModel
from tests.site_utils import make_site

pytestmark = pytest.mark.usefixtures("dynamo")


@pytest.fixture
def home() -> Any:
    return make_site()


def make_products(drafts: bool = False) -> type:
    options = {"drafts": True, "revisions": True} if drafts else {}
    api.create_type(
        "Product",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "price", "kind": "decimal"},
            {"name": "colour", "kind": "choice", "choices": "red|Red\nblue|Blue"},
        ],
        title_field="title",
        **options,
    )
    Product = api.get_model("Product")
    for title, price in (("Anvil", 50), ("Bell", 80), ("Crane", 120)):
        Product.objects.create(title=title, price=Decimal(price), colour="blue")
    return Product


def uid(name: str) -> str:
    return str(MetaModel.objects.get(name=name).uid)


# -- blocks ----------------------------------------------------------------------

BODY = StreamBlock([("entries", EntriesBlock()), ("entry", EntryBlock())])


def render_body(raw: list[dict[str, Any]]) -> str:
    """Render stored StreamField JSON the way a page template does."""
    value = BODY.to_python(raw)
    template = Template("{% load wagtailcore_tags %}{% include_block body %}")
    return template.render(Context({"body": value, "request": RequestFactory().get("/")}))


def test_blocks_render_in_a_stream_and_survive_a_type_rename(home: Any) -> None:
    Product = make_products()
    bell = Product.objects.get(title="Bell")
    raw = [
        {
            "type": "entries",
            "value": {
                "content_type": uid("Product"),
                "filters": "price__lt=100\n# a comment\ncolour=blue",
                "order_by": "-price",
                "count": 5,
            },
        },
        {"type": "entry", "value": {"content_type": uid("Product"), "entry": bell.pk}},
    ]
    out = render_body(raw)
    assert '<ul class="dynamo-list dynamo-list--product">' in out
    assert out.index("<li>Bell</li>") < out.index("<li>Anvil</li>") and "Crane" not in out
    assert '<article class="dynamo-entry dynamo-entry--product">' in out and "80.00" in out

    api.rename_type("Product", "Article")
    out = render_body(raw)
    assert '<ul class="dynamo-list dynamo-list--article">' in out
    assert "<li>Bell</li>" in out and "<li>Anvil</li>" in out and "Crane" not in out
    assert '<article class="dynamo-entry dynamo-entry--article">' in out and "80.00" in out


def test_blocks_show_published_entries_only(home: Any) -> None:
    Product = make_products(drafts=True)
    Product.objects.filter(title="Bell").update(live=False)
    bell = Product.objects.get(title="Bell")
    raw = [
        {"type": "entries", "value": {"content_type": uid("Product"), "count": 10}},
        {"type": "entry", "value": {"content_type": uid("Product"), "entry": bell.pk}},
    ]
    out = render_body(raw)
    assert "<li>Anvil</li>" in out and "Bell" not in out


def test_entries_block_validates_filters_and_ordering() -> None:
    make_products()
    block = EntriesBlock()

    def clean(**value: Any) -> Any:
        data = {"content_type": uid("Product"), "filters": "", "order_by": "", "count": 3}
        return block.clean(block.to_python({**data, **value}))

    assert clean(filters="price__lt=100", order_by="-price,title")["count"] == 3
    with pytest.raises(StructBlockValidationError) as error:
        clean(filters="weight__lt=3")
    assert "weight" in str(error.value.block_errors["filters"].messages)
    with pytest.raises(StructBlockValidationError) as error:
        clean(filters="just words")
    assert "field__lookup=value" in str(error.value.block_errors["filters"].messages)
    # Editors may not reach into static models (users, images …) through relations.
    api.add_field("Product", "owner", "foreign_key", related_model="auth.User")
    assert clean(filters="owner__isnull=True\nowner__pk=1")
    with pytest.raises(StructBlockValidationError) as error:
        clean(filters="owner__password__startswith=pbkdf2")
    assert "auth.User is not allowed" in str(error.value.block_errors["filters"].messages)
    with pytest.raises(StructBlockValidationError) as error:
        clean(order_by="-weight")
    assert "weight" in str(error.value.block_errors["order_by"].messages)


def test_entry_block_validates_the_entry() -> None:
    Product = make_products()
    block = EntryBlock()
    value = {"content_type": uid("Product"), "entry": Product.objects.first().pk}
    assert block.clean(block.to_python(value))["entry"] == value["entry"]
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({**value, "entry": 9999}))
    assert "no Product with id 9999" in str(error.value.block_errors["entry"].messages)


def test_a_block_of_a_deleted_type_renders_nothing(
    home: Any, caplog: pytest.LogCaptureFixture
) -> None:
    make_products()
    raw = [{"type": "entries", "value": {"content_type": uid("Product"), "count": 10}}]
    api.delete_type("Product")
    with caplog.at_level(logging.WARNING, logger="dynamo_wagtail.templates"):
        out = render_body(raw)
    assert out.strip() == '<div class="w-block-entries block-entries"></div>'  # an empty block
    assert "no longer exists" in caplog.text


# -- index page --------------------------------------------------------------------


def add_index(home: Any, name: str, **kwargs: Any) -> EntryIndexPage:
    page = EntryIndexPage(
        title="Products", slug="products", entry_type=MetaModel.objects.get(name=name), **kwargs
    )
    return home.add_child(instance=page)


def test_index_page_lists_and_shows_entries(home: Any, client: Client) -> None:
    Product = make_products()
    add_index(home, "Product", per_page=2)
    bell = Product.objects.get(title="Bell")

    response = client.get("/products/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="/products/{bell.pk}-bell/">Bell</a>' in html and "Crane" not in html
    assert 'href="?page=2"' in html
    response = client.get("/products/?page=2")
    assert response.status_code == 200 and "Crane" in response.content.decode()

    response = client.get(f"/products/{bell.pk}-bell/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Bell – Products</title>" in html and "80.00" in html and "Blue" in html

    # The readable address is canonical: the bare id and an old slug redirect to it.
    for old in (f"/products/{bell.pk}/", f"/products/{bell.pk}-old-name/"):
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == f"/products/{bell.pk}-bell/"

    assert client.get("/products/9999/").status_code == 404
    assert client.get("/products/9999-bell/").status_code == 404


def test_index_page_hides_unpublished_entries(home: Any, client: Client) -> None:
    Product = make_products(drafts=True)
    Product.objects.filter(title="Bell").update(live=False)
    bell = Product.objects.get(title="Bell")
    add_index(home, "Product")
    html = client.get("/products/").content.decode()
    assert "Anvil" in html and "Bell" not in html
    assert client.get(f"/products/{bell.pk}-bell/").status_code == 404


def test_index_page_of_a_deleted_type_answers_404(home: Any, client: Client) -> None:
    make_products()
    add_index(home, "Product")
    api.delete_type("Product")
    assert client.get("/products/").status_code == 404


# -- form page --------------------------------------------------------------------


def make_survey(drafts: bool = False) -> type:
    options = {"drafts": True, "revisions": True} if drafts else {}
    api.create_type(
        "Answer",
        [
            {"name": "name", "kind": "char", "required": True},
            {"name": "rating", "kind": "integer", "choices": "1|Poor\n5|Great"},
            {"name": "comment", "kind": "rich_text"},
            {"name": "photo", "kind": "image"},
        ],
        title_field="name",
        **options,
    )
    return api.get_model("Answer")


def add_form(home: Any) -> EntryFormPage:
    page = EntryFormPage(
        title="Survey",
        slug="survey",
        entry_type=MetaModel.objects.get(name="Answer"),
        intro="<p>Tell us</p>",
        thank_you_text="<p>Thanks a lot!</p>",
    )
    return home.add_child(instance=page)


def test_form_page_shows_the_form_and_saves_an_entry(home: Any, client: Client) -> None:
    Answer = make_survey()
    add_form(home)

    html = client.get("/survey/").content.decode()
    assert "Tell us" in html and 'name="csrfmiddlewaretoken"' in html
    assert 'name="name"' in html and 'name="rating"' in html and 'name="comment"' in html
    assert 'name="photo"' not in html  # visitors never see the site's images
    assert "live" not in html and "latest_revision" not in html

    response = client.post(
        "/survey/", {"name": "Ann", "rating": "5", "comment": "Nice <script>x</script>"}
    )
    assert response.status_code == 302 and response["Location"] == "/survey/?submitted=1"
    thanks = client.get(response["Location"])
    assert "Thanks a lot!" in thanks.content.decode()
    assert client.get(response["Location"]).status_code == 200  # a reload saves nothing
    answer = Answer.objects.get()
    assert answer.name == "Ann" and answer.rating == 5
    assert answer.comment == "<p>Nice &lt;script&gt;x&lt;/script&gt;</p>"


def test_invalid_submissions_show_errors_and_save_nothing(home: Any, client: Client) -> None:
    Answer = make_survey()
    add_form(home)
    response = client.post("/survey/", {"name": "", "rating": "3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html and "Select a valid choice." in html
    assert "Thanks a lot!" not in html
    assert not Answer.objects.exists()


def test_submissions_to_a_type_with_drafts_wait_for_review(home: Any, client: Client) -> None:
    Answer = make_survey(drafts=True)
    add_form(home)
    assert client.post("/survey/", {"name": "Bob"}).status_code == 302
    answer = Answer.objects.get()
    assert not answer.live and answer.latest_revision is not None


def test_form_page_needs_a_csrf_token(home: Any) -> None:
    Answer = make_survey()
    add_form(home)
    response = Client(enforce_csrf_checks=True).post("/survey/", {"name": "Eve"})
    assert response.status_code == 403 and not Answer.objects.exists()


def test_form_page_refuses_a_type_with_required_fields_visitors_cannot_fill(home: Any) -> None:
    from django.core.exceptions import ValidationError

    make_survey()
    api.alter_field(
        "Answer", "photo", required=True, options={"on_delete": "protect"}, confirm=True
    )
    page = EntryFormPage(
        title="Survey", slug="survey", entry_type=MetaModel.objects.get(name="Answer")
    )
    with pytest.raises(ValidationError) as error:
        page.clean()
    assert "photo" in str(error.value.message_dict["entry_type"])


def test_page_types_can_be_added_in_the_admin(
    home: Any, client: Client, django_user_model: Any
) -> None:
    from django.urls import reverse

    make_survey()
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.com", "pw"))
    for model in ("entryindexpage", "entryformpage"):
        url = reverse("wagtailadmin_pages:add", args=("dynamo_wagtail_pages", model, home.pk))
        response = client.get(url)
        assert response.status_code == 200
        assert 'name="entry_type"' in response.content.decode()
