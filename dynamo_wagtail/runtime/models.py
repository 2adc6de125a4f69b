"""Generated models are added to this app at runtime; this module stays empty.

It exists so that Django treats the app as one with models: ``dumpdata`` and
``loaddata`` include its entries, and ``migrate`` sends it ``post_migrate`` (the
content types and permissions of the types loaded then). The app has no
migrations package, so ``makemigrations`` still leaves generated models alone.
"""
