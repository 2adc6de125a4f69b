from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from dynamo_wagtail.blocks import EntriesBlock, EntryBlock


class HomePage(Page):
    """The demo's home page: headings and text, plus entries of content types chosen by editors."""

    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", icon="title")),
            ("paragraph", blocks.RichTextBlock(icon="pilcrow")),
            ("entries", EntriesBlock()),
            ("entry", EntryBlock()),
        ],
        blank=True,
    )

    content_panels = [*Page.content_panels, FieldPanel("body")]

    def get_context(self, request, *args, **kwargs):
        from dynamo_wagtail.models import MetaModel

        context = super().get_context(request, *args, **kwargs)
        # The template lists team members with {% dynamo_entries %} if the type exists.
        context["has_team"] = MetaModel.objects.active().filter(name="TeamMember").exists()
        return context
