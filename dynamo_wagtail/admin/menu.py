"""Menu items of the definitions admin."""

from __future__ import annotations

from typing import Any

from wagtail.admin.menu import MenuItem


class TrashMenuItem(MenuItem):
    """Settings → Content type trash, for people who may change content types."""

    def is_shown(self, request: Any) -> bool:
        return request.user.has_perm("dynamo_wagtail.change_metamodel")
