"""The installed app that owns generated models.

It has no migrations package, so ``makemigrations`` leaves generated models alone.
Its label comes from ``DYNAMO_DEFAULT_APP`` (default "dynamo").
"""
