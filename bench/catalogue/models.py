"""The static side of the comparisons.

* :class:`Product`: the catalogue type written as static code, with the same
  columns and indexes as the dynamic ``Product`` (title, price, stock and color
  indexed); also the static snippet of the admin listing comparison.
* :class:`JsonProduct` / :class:`JsonProductIndexed`: every attribute in one
  JSONField, without and with expression indexes on the attributes queried.
* :class:`EavProduct`: an entity of django-eav2 (attributes in its Value table).
* :class:`Event` / :class:`EventSession`: an event with a programme, written as Wagtail
  documents child items (a ``ClusterableModel`` and an ``Orderable`` with a ``ParentalKey``).
* :class:`Article` with three relations (:class:`Writer`, :class:`Imprint`, :class:`Topic`):
  the static side of the API listing, served by the hand-written ninja endpoint of
  :mod:`bench.ninja_api`.
"""

from django.db import models
from django.db.models.fields.json import KeyTransform
from eav.decorators import register_eav
from eav.managers import EntityManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable


class Product(models.Model):
    title = models.CharField(max_length=255, db_index=True)
    price = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, db_index=True
    )
    stock = models.IntegerField(null=True, blank=True, db_index=True)
    color = models.CharField(max_length=32, blank=True, db_index=True)
    created = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class JsonProduct(models.Model):
    attrs = models.JSONField(default=dict)

    def __str__(self) -> str:
        return str(self.attrs.get("title"))


ATTRS = ("title", "price", "stock", "color")


class JsonProductIndexed(models.Model):
    attrs = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(KeyTransform(name, "attrs"), name=f"jsonidx_{name}") for name in ATTRS
        ]

    def __str__(self) -> str:
        return str(self.attrs.get("title"))


@register_eav()
class EavProduct(models.Model):
    objects = EntityManager()

    def __str__(self) -> str:
        return f"EavProduct {self.pk}"


class Event(ClusterableModel):
    title = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.title


class EventSession(Orderable):
    event = ParentalKey(Event, on_delete=models.CASCADE, related_name="programme")
    talk = models.CharField(max_length=255)
    speaker = models.CharField(max_length=255, blank=True)


class Writer(models.Model):
    name = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.name


class Imprint(models.Model):
    name = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    name = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    title = models.CharField(max_length=255)
    writer = models.ForeignKey(Writer, null=True, blank=True, on_delete=models.SET_NULL)
    imprint = models.ForeignKey(Imprint, null=True, blank=True, on_delete=models.SET_NULL)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return self.title
