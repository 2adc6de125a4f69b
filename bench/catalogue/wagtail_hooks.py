"""The static snippet of the admin listing comparison, configured as the dynamic one is."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Product


class ProductViewSet(SnippetViewSet):
    # What dynamo_wagtail.admin.snippets.viewset_attrs gives the dynamic Product.
    model = Product
    icon = "snippet"
    menu_label = "Products"
    add_to_admin_menu = False
    list_display = ["title", "price", "stock", "color"]
    list_filter = {"created": ["gte", "lte"]}
    list_export = ["title", "price", "stock", "color", "created"]
    search_fields = None
    copy_view_enabled = True
    inspect_view_enabled = True


register_snippet(ProductViewSet)
