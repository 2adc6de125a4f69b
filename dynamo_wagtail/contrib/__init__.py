"""Optional apps built on dynamo_wagtail; add the ones you want to INSTALLED_APPS."""
