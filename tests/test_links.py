"""The link indexes follow specs one by one, and a copy never changes its original."""

from __future__ import annotations

from dynamo_wagtail.links import Links
from dynamo_wagtail.spec import FieldSpec, ModelSpec


def _type(uid: str, name: str, *links: tuple[str, str]) -> ModelSpec:
    fields = tuple(
        FieldSpec(uid=f"{uid}-{n}", name=n, kind=kind, column=n, target=target)
        for n, (kind, target) in zip(("a", "b", "c"), links, strict=False)
    )
    return ModelSpec(uid=uid, name=name, app_label="dynamo", table=f"t_{uid}", fields=fields)


def test_the_indexes_answer_who_links_where_and_follow_a_removal():
    tag = _type("tag", "Tag")
    product = _type("p", "Product", ("foreign_key", "type:tag"), ("many_to_many", "type:tag"))
    note = _type("n", "Note", ("foreign_key", "auth.user"))
    links = Links.of([tag, product, note])
    assert links.linking("tag") == {"p"}
    assert links.linking("auth.user") == {"n"}
    assert links.by_name["dynamo", "product"] == "p"
    assert links.link_names["product_b"] == {"p": "Product"}
    links.remove(product)
    assert links.linking("tag") == set()
    assert "product_b" not in links.link_names
    assert ("dynamo", "product") not in links.by_name


def test_a_copy_changes_alone():
    tag = _type("tag", "Tag")
    product = _type("p", "Product", ("foreign_key", "type:tag"))
    review = _type("r", "Review", ("foreign_key", "type:tag"))
    original = Links.of([tag, product])
    copy = original.copy()
    copy.add(review)
    copy.remove(product)
    assert original.linking("tag") == {"p"}
    assert copy.linking("tag") == {"r"}
    again = copy.copy()
    again.remove(review)
    assert copy.linking("tag") == {"r"} and again.linking("tag") == set()
