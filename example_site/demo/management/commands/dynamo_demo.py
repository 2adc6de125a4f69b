"""Create the example site's demo content; running it again creates nothing new.

Content types are looked up by name, entries by their title field, images by title and pages by
slug, so a second run (or a run after editors changed things in the admin) only fills in what is
missing and never overwrites an edit.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Page

from dynamo_wagtail import api
from dynamo_wagtail.kinds.tags import tag_fields
from dynamo_wagtail.models import MetaModel

from ... import content, pages


class Command(BaseCommand):
    help = "Create the demo content types, entries, images and pages (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.created: list[str] = []
        self.ensure_types()
        images = self.ensure_images()
        self.ensure_entries(images)
        self.ensure_pages()
        if self.created:
            self.stdout.write(self.style.SUCCESS(f"Created {len(self.created)} demo objects:"))
            for line in self.created:
                self.stdout.write(f"  {line}")
        else:
            self.stdout.write("Demo content is already there; nothing created.")

    # -- content types ---------------------------------------------------------------------

    def ensure_types(self) -> None:
        for definition in content.TYPES:
            definition = dict(definition)
            fields = definition.pop("fields")
            meta_model = MetaModel.objects.filter(name__iexact=definition["name"]).first()
            if meta_model is None:
                name = definition.pop("name")
                api.create_type(name, fields, **definition)
                names = ", ".join(field["name"] for field in fields)
                self.created.append(f"content type {name} ({names})")
                continue
            if meta_model.is_trashed:
                continue  # an editor deleted it: leave it in the trash
            # Fields added to the demo later are added; existing ones are left as edited.
            have = set(meta_model.fields.values_list("name", flat=True))
            for field in fields:
                if field["name"] not in have:
                    attrs = {k: v for k, v in field.items() if k not in ("name", "kind")}
                    api.add_field(meta_model, field["name"], field["kind"], **attrs)
                    self.created.append(f"field {meta_model.name}.{field['name']}")

    # -- images ----------------------------------------------------------------------------

    def ensure_images(self) -> dict[str, Any]:
        Image = get_image_model()
        result = {}
        for title, (background, accent) in content.IMAGES.items():
            image = Image.objects.filter(title=title).first()
            if image is None:
                data = draw_image(title, background, accent)
                filename = title.lower().replace(" ", "-").replace("(", "").replace(")", "")
                image = Image(title=title, file=ImageFile(data, name=f"{filename}.png"))
                image.save()
                self.created.append(f"image {title!r}")
            result[title] = image
        return result

    # -- entries ---------------------------------------------------------------------------

    def ensure_entries(self, images: dict[str, Any]) -> None:
        Event = api.get_model("Event")
        TeamMember = api.get_model("TeamMember")
        Category = api.get_model("Category")
        Product = api.get_model("Product")
        SurveyAnswer = api.get_model("SurveyAnswer")

        for values in content.events(timezone.now()):
            self.ensure_entry(Event, "title", values)
        for values in content.TEAM:
            self.ensure_entry(TeamMember, "name", {**values, "photo": images[values["photo"]]})
        categories = {
            name: self.ensure_entry(Category, "name", {"name": name}) for name in content.CATEGORIES
        }
        for values in content.PRODUCTS:
            values = {
                **values,
                "category": categories[values["category"]],
                "image": images[values["image"]],
            }
            self.ensure_entry(Product, "title", values)
        if not SurveyAnswer.objects.exists():
            for values in content.SURVEY_ANSWERS:
                SurveyAnswer.objects.create(**values)
                self.created.append("survey answer")

    def ensure_entry(self, model: type, key: str, values: dict[str, Any]) -> Any:
        entry = model.objects.filter(**{key: values[key]}).first()
        if entry is not None:
            return entry
        with transaction.atomic():
            tags = {f.name: values.pop(f.name) for f in tag_fields(model) if f.name in values}
            groups = {
                f.name: values.pop(f.name)
                for f in model.dynamo_spec.active_fields
                if f.kind == "group" and f.name in values
            }
            entry = model(**values)
            for name, names in tags.items():
                getattr(entry, name).add(*names)  # kept with the entry (a cluster)
            for name, items in groups.items():
                item_model = model._meta.get_field(name).related_model
                setattr(entry, name, [item_model(**item) for item in items])
            entry.save()
            if hasattr(entry, "save_revision"):
                revision = entry.save_revision(log_action=True)
                if hasattr(entry, "live"):
                    revision.publish()
        self.created.append(f"{model._meta.verbose_name} {values[key]!r}")
        return entry

    # -- pages -----------------------------------------------------------------------------

    def ensure_pages(self) -> None:
        home = Page.objects.filter(depth=2, slug="home").first()
        if home is None:
            self.stderr.write("No home page (slug 'home'): pages not created.")
            return
        self.created += pages.ensure_pages(home.specific)


def draw_image(title: str, background: str, accent: str) -> io.BytesIO:
    """A simple 800×600 PNG: a coloured card with a shape and the title."""
    image = PILImage.new("RGB", (800, 600), background)
    draw = ImageDraw.Draw(image)
    if "portrait" in title:
        draw.ellipse((300, 120, 500, 320), fill=accent)  # head
        draw.rounded_rectangle((220, 340, 580, 640), radius=120, fill=accent)  # shoulders
    else:
        draw.rounded_rectangle((200, 150, 600, 450), radius=40, fill=accent)
        draw.ellipse((330, 230, 470, 370), fill=background)
    draw.text((24, 560), title, fill=accent, font_size=28)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer
