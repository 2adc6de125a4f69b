"""Relation kinds: links between dynamic types and to static models, reverse sides,
rebuilds of dependants, renames of linked types, self links and refused deletes."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import override_settings

from dynamo_wagtail import api
from dynamo_wagtail.definitions import DefinitionError
from dynamo_wagtail.models import MetaModel

pytestmark = pytest.mark.usefixtures("dynamo")


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def _foreign_keys(table: str) -> dict[str, tuple[str, str]]:
    """column → (referenced table, referenced column) as the database has them."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        c["columns"][0]: c["foreign_key"]
        for c in constraints.values()
        if c["foreign_key"] and len(c["columns"]) == 1
    }


def _link_table(model, field_name: str) -> str:
    return model._meta.get_field(field_name).remote_field.through._meta.db_table


def _root_collection():
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:  # flushed by an earlier test
        Collection.add_root(name="Root")


def _root_page():
    from wagtail.models import Locale, Page

    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(language_code="en")
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root


def test_fk_o2o_and_m2m_between_dynamic_types():
    api.create_type("Author", [{"name": "name", "kind": "char"}])
    api.create_type("Tag", [{"name": "label", "kind": "char"}])
    api.create_type(
        "Book",
        [
            {"name": "title", "kind": "char"},
            {"name": "author", "kind": "foreign_key", "related_model": "Author"},
            {"name": "tags", "kind": "many_to_many", "related_model": "Tag"},
        ],
    )
    api.create_type(
        "Bio",
        [
            {"name": "text", "kind": "text"},
            {"name": "person", "kind": "one_to_one", "related_model": "Author", "required": True},
        ],
    )
    Author, Tag, Book, Bio = (api.get_model(n) for n in ("Author", "Tag", "Book", "Bio"))
    assert Book._meta.get_field("author").related_model is Author
    assert Book._meta.get_field("tags").related_model is Tag
    assert Bio._meta.get_field("person").related_model is Author

    # Real constraints in the database, pointing at the target tables.
    fks = _foreign_keys(Book._meta.db_table)
    assert fks[Book._meta.get_field("author").column] == (Author._meta.db_table, "id")
    link = Book._meta.get_field("tags").remote_field.through
    link_fks = _foreign_keys(link._meta.db_table)
    assert sorted(link_fks.values()) == sorted(
        [(Book._meta.db_table, "id"), (Tag._meta.db_table, "id")]
    )

    ann, bob = Author.objects.create(name="Ann"), Author.objects.create(name="Bob")
    red, blue = Tag.objects.create(label="red"), Tag.objects.create(label="blue")
    b1 = Book.objects.create(title="One", author=ann)
    b2 = Book.objects.create(title="Two", author=ann)
    Book.objects.create(title="Three", author=bob)
    b1.tags.set([red, blue])
    b2.tags.add(blue)
    Bio.objects.create(text="about Ann", person=ann)

    ann = Author.objects.get(pk=ann.pk)
    assert Book.objects.get(pk=b1.pk).author == ann
    assert sorted(ann.book_set.values_list("title", flat=True)) == ["One", "Two"]
    assert {t.label for t in Book.objects.get(pk=b1.pk).tags.all()} == {"red", "blue"}
    assert sorted(blue.book_set.values_list("title", flat=True)) == ["One", "Two"]
    assert list(red.book_set.values_list("title", flat=True)) == ["One"]
    reverse_o2o = Bio._meta.get_field("person").remote_field.get_accessor_name()
    assert getattr(ann, reverse_o2o).text == "about Ann"
    # Queries across the links in both directions (Django's default reverse query name).
    query_name = Book._meta.get_field("author").related_query_name()
    blue_authors = Author.objects.filter(**{f"{query_name}__tags__label": "blue"})
    assert set(blue_authors.values_list("name", flat=True)) == {"Ann"}
    assert Book.objects.filter(author__name="Bob").get().title == "Three"

    # A one-to-one is unique in the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        Bio.objects.create(text="second", person=ann)

    # Optional links are cleared when the target goes, required ones protect it.
    with pytest.raises(ProtectedError):
        ann.delete()
    Bio.objects.filter(person=ann).delete()
    ann.delete()
    assert list(Book.objects.order_by("title").values_list("title", "author")) == [
        ("One", None),
        ("Three", bob.pk),
        ("Two", None),
    ]
    red.delete()
    assert list(Book.objects.get(pk=b1.pk).tags.values_list("label", flat=True)) == ["blue"]


def test_two_links_to_one_dynamic_type_get_distinct_reverse_names():
    api.create_type("Person", [{"name": "name", "kind": "char"}])
    api.create_type(
        "Match",
        [
            {"name": "home", "kind": "foreign_key", "related_model": "Person"},
            {"name": "away", "kind": "foreign_key", "related_model": "Person"},
        ],
    )
    Person, Match = api.get_model("Person"), api.get_model("Match")
    a, b = Person.objects.create(name="a"), Person.objects.create(name="b")
    Match.objects.create(home=a, away=b)
    Match.objects.create(home=a, away=a)
    assert a.match_home_set.count() == 2 and a.match_away_set.count() == 1
    assert b.match_home_set.count() == 0 and b.match_away_set.count() == 1


def test_links_to_static_models():
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Page

    User = get_user_model()
    api.create_type(
        "Product",
        [
            {"name": "title", "kind": "char"},
            {
                "name": "owner",
                "kind": "foreign_key",
                "related_model": "auth.User",
                "options": {"related_name": "products"},
            },
            {"name": "account", "kind": "one_to_one", "related_model": "auth.User"},
            {"name": "fans", "kind": "many_to_many", "related_model": "auth.User"},
            {"name": "picture", "kind": "foreign_key", "related_model": "wagtailimages.Image"},
            {"name": "photos", "kind": "many_to_many", "related_model": "wagtailimages.Image"},
            {"name": "landing", "kind": "foreign_key", "related_model": "wagtailcore.Page"},
            {"name": "home", "kind": "one_to_one", "related_model": "wagtailcore.Page"},
        ],
    )
    Product = api.get_model("Product")
    assert Product._meta.get_field("owner").related_model is User
    assert Product._meta.get_field("picture").related_model is Image
    assert Product._meta.get_field("landing").related_model is Page
    fks = _foreign_keys(Product._meta.db_table)
    assert fks[Product._meta.get_field("owner").column] == (User._meta.db_table, "id")
    assert fks[Product._meta.get_field("landing").column] == (Page._meta.db_table, "id")

    ann = User.objects.create_user("ann")
    bob = User.objects.create_user("bob")
    _root_collection()
    image = Image.objects.create(title="pic", file=get_test_image_file())
    root = _root_page()
    lamp = Product.objects.create(
        title="Lamp", owner=ann, account=bob, picture=image, landing=root, home=root
    )
    Product.objects.create(title="Desk", owner=ann)
    lamp.fans.set([ann, bob])
    lamp.photos.set([image])

    lamp = Product.objects.get(pk=lamp.pk)
    assert (lamp.owner, lamp.account, lamp.picture, lamp.landing) == (ann, bob, image, root)
    assert set(lamp.fans.all()) == {ann, bob}
    assert list(lamp.photos.all()) == [image]
    # The asked-for reverse name works on the static model, in both directions.
    ann = User.objects.get(pk=ann.pk)
    assert sorted(ann.products.values_list("title", flat=True)) == ["Desk", "Lamp"]
    assert all(type(p) is Product for p in ann.products.all())
    assert list(User.objects.filter(products__title="Lamp").values_list("username", flat=True)) == [
        "ann"
    ]
    # Links without a related_name leave static models alone.
    assert not hasattr(User, "product_set")
    assert not hasattr(Image, "product_set")
    assert not hasattr(Page, "product_set")


def test_reverse_name_on_a_static_model_follows_rebuilds_and_goes_with_the_field():
    User = get_user_model()
    api.create_type(
        "Product",
        [
            {"name": "title", "kind": "char"},
            {
                "name": "owner",
                "kind": "foreign_key",
                "related_model": "auth.User",
                "options": {"related_name": "products"},
            },
        ],
    )
    ann = User.objects.create_user("ann")
    api.get_model("Product").objects.create(title="Lamp", owner=ann)
    api.add_field("Product", "price", "integer")
    Product = api.get_model("Product")
    product = User.objects.get(pk=ann.pk).products.get()
    assert type(product) is Product and product.price is None
    assert User.objects.filter(products__price__isnull=True).count() == 1

    api.remove_field("Product", "owner")
    assert not hasattr(User, "products")
    assert "products" not in {r.name for r in User._meta.get_fields()}


def test_source_is_rebuilt_to_point_at_the_new_target_class():
    api.create_type("Target", [{"name": "label", "kind": "char"}])
    api.create_type(
        "Source",
        [
            {"name": "one", "kind": "foreign_key", "related_model": "Target"},
            {"name": "many", "kind": "many_to_many", "related_model": "Target"},
        ],
    )
    OldTarget, OldSource = api.get_model("Target"), api.get_model("Source")
    target = OldTarget.objects.create(label="t")
    source = OldSource.objects.create(one=target)
    source.many.add(target)

    api.add_field("Target", "rank", "integer")

    Target, Source = api.get_model("Target"), api.get_model("Source")
    assert Target is not OldTarget and Source is not OldSource
    assert Source._meta.get_field("one").related_model is Target
    assert Source._meta.get_field("many").related_model is Target
    through = Source._meta.get_field("many").remote_field.through
    assert {f.related_model for f in through._meta.fields if f.is_relation} == {Source, Target}
    Target.objects.filter(pk=target.pk).update(rank=7)
    again = Source.objects.select_related("one").get(pk=source.pk)
    assert type(again.one) is Target and again.one.rank == 7
    assert [t.rank for t in again.many.all()] == [7]
    fresh_target = Target.objects.get(pk=target.pk)
    assert [type(s) for s in fresh_target.source_many_set.all()] == [Source]
    assert Target.objects.filter(source_one__pk=source.pk).get().rank == 7


def test_renaming_types_with_m2m_links_keeps_every_link():
    api.create_type("Tag", [{"name": "label", "kind": "char"}])
    api.create_type(
        "Product",
        [
            {"name": "title", "kind": "char"},
            {"name": "tags", "kind": "many_to_many", "related_model": "Tag"},
        ],
    )
    api.create_type(
        "Shelf",
        [
            {"name": "name", "kind": "char"},
            {"name": "products", "kind": "many_to_many", "related_model": "Product"},
        ],
    )
    Tag, Product, Shelf = (api.get_model(n) for n in ("Tag", "Product", "Shelf"))
    tags = [Tag.objects.create(label=f"t{i}") for i in range(3)]
    products = [Product.objects.create(title=f"p{i}") for i in range(3)]
    products[0].tags.set(tags[:2])
    products[2].tags.set(tags[1:])
    shelf = Shelf.objects.create(name="s")
    shelf.products.set(products[:2])

    def links() -> tuple[set, set]:
        Item = api.get_model(MetaModel.objects.get(uid=item_uid).name)
        ShelfModel = api.get_model("Shelf")
        tagged = {(p.title, t.label) for p in Item.objects.all() for t in p.tags.all()}
        shelved = {(s.name, p.title) for s in ShelfModel.objects.all() for p in s.products.all()}
        return tagged, shelved

    item_uid = MetaModel.objects.get(name="Product").uid
    before = links()
    assert before == (
        {("p0", "t0"), ("p0", "t1"), ("p2", "t1"), ("p2", "t2")},
        {("s", "p0"), ("s", "p1")},
    )
    product_links = _link_table(Product, "tags")
    shelf_links = _link_table(Shelf, "products")

    # Product has an M2M and is the target of Shelf's M2M.
    api.rename_type("Product", "Item")
    assert links() == before
    Item = api.get_model("Item")
    assert Item._meta.db_table == Product._meta.db_table
    assert _link_table(Item, "tags") == product_links
    assert _link_table(api.get_model("Shelf"), "products") == shelf_links
    assert {"item_id", "tag_id"} <= _columns(product_links)
    assert "product_id" not in _columns(product_links)
    assert {"shelf_id", "item_id"} <= _columns(shelf_links)
    assert "product_id" not in _columns(shelf_links)
    # The reverse accessor on the target follows the new name.
    t1 = api.get_model("Tag").objects.get(label="t1")
    assert sorted(p.title for p in t1.item_set.all()) == ["p0", "p2"]
    assert not hasattr(api.get_model("Tag"), "product_set")

    # The target of an M2M renamed.
    api.rename_type("Tag", "Label")
    assert links() == before
    assert {"item_id", "label_id"} <= _columns(product_links)
    assert "tag_id" not in _columns(product_links)
    # New links can be made through the renamed classes.
    Label, Item = api.get_model("Label"), api.get_model("Item")
    Item.objects.get(title="p1").tags.add(Label.objects.get(label="t0"))
    api.get_model("Shelf").objects.get().products.add(Item.objects.get(title="p2"))
    tagged, shelved = links()
    assert tagged == before[0] | {("p1", "t0")}
    assert shelved == before[1] | {("s", "p2")}


@pytest.mark.parametrize("target", ["Category", "self"])
def test_self_referential_foreign_key(target):
    api.create_type(
        "Category",
        [
            {"name": "name", "kind": "char"},
            {"name": "parent", "kind": "foreign_key", "related_model": target},
        ],
    )
    Category = api.get_model("Category")
    assert Category._meta.get_field("parent").related_model is Category
    fks = _foreign_keys(Category._meta.db_table)
    assert fks[Category._meta.get_field("parent").column] == (Category._meta.db_table, "id")
    root = Category.objects.create(name="root")
    child = Category.objects.create(name="child", parent=root)
    Category.objects.create(name="grandchild", parent=child)
    assert Category.objects.get(name="grandchild").parent.parent == root
    assert list(root.category_set.values_list("name", flat=True)) == ["child"]
    assert Category.objects.filter(parent__parent__name="root").get().name == "grandchild"
    # Still one class pointing at itself after a rebuild.
    api.add_field("Category", "rank", "integer")
    Rebuilt = api.get_model("Category")
    assert Rebuilt is not Category
    assert Rebuilt._meta.get_field("parent").related_model is Rebuilt
    assert type(Rebuilt.objects.get(name="child").parent) is Rebuilt


@pytest.mark.parametrize("kind", ["foreign_key", "one_to_one", "many_to_many"])
def test_trashing_a_type_others_link_to_is_refused(kind):
    api.create_type("Author", [{"name": "name", "kind": "char"}])
    api.create_type(
        "Book",
        [
            {"name": "title", "kind": "char"},
            {"name": "by", "kind": kind, "related_model": "Author"},
        ],
    )
    Author = api.get_model("Author")
    Author.objects.create(name="Ann")
    version = MetaModel.objects.get(name="Author").schema_version
    with pytest.raises(DefinitionError) as caught:
        api.delete_type("Author")
    assert "Book" in caught.value.message_dict["name"][0]
    author = MetaModel.objects.get(name="Author")
    assert author.trashed_at is None and author.schema_version == version
    assert api.get_model("Author").objects.get().name == "Ann"

    # Once the link is gone (in the trash), the target may go too.
    api.remove_field("Book", "by")
    api.delete_type("Author")
    assert MetaModel.objects.get(name="Author").trashed_at is not None


def test_a_link_to_an_unknown_type_or_a_disallowed_model_is_refused():
    with pytest.raises(DefinitionError) as caught:
        api.create_type("Book", [{"name": "by", "kind": "foreign_key", "related_model": "Nobody"}])
    assert "no content type called 'Nobody'" in caught.value.message_dict["by.related_model"][0]
    allowed = override_settings(DYNAMO_RELATION_TARGETS=["auth.User"])
    with allowed, pytest.raises(DefinitionError) as caught:
        api.create_type(
            "Book",
            [
                {"name": "owner", "kind": "foreign_key", "related_model": "auth.User"},
                {"name": "page", "kind": "foreign_key", "related_model": "wagtailcore.Page"},
            ],
        )
    assert list(caught.value.message_dict) == ["page.related_model"]
    assert not MetaModel.objects.filter(name="Book").exists()
