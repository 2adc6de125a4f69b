"""The Wagtail admin of dynamo_wagtail."""
