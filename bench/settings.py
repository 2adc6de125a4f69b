"""Settings of the benchmarks (``python -m bench``): never the test databases.

The database comes from ``BENCH_DATABASE_URL`` (set by ``bench.__main__``, which
creates and drops it). ``BENCH_EXTRA_APPS`` (comma separated) adds apps, e.g. the
generated static models of the cold-start comparison.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url

BENCH_DIR = Path(__file__).resolve().parent
SCRATCH_DIR = Path(os.environ.get("BENCH_SCRATCH_DIR") or tempfile.mkdtemp(prefix="dynamo_bench_"))

SECRET_KEY = "dynamo-wagtail-bench-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]

#: The static side of the cold-start comparison runs without dynamo_wagtail at all.
STATIC_ONLY = bool(os.environ.get("BENCH_STATIC_ONLY"))

INSTALLED_APPS = [
    *([] if STATIC_ONLY else ["dynamo_wagtail", "dynamo_wagtail.runtime"]),
    *([] if STATIC_ONLY else ["dynamo_wagtail.contrib.api", "wagtail.api.v3"]),
    "bench.catalogue",
    *[a for a in os.environ.get("BENCH_EXTRA_APPS", "").split(",") if a],
    "eav",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    *([] if STATIC_ONLY else ["dynamo_wagtail.sync.SyncMiddleware"]),
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bench.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BENCH_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("BENCH_DATABASE_URL") or "sqlite:///" + str(SCRATCH_DIR / "bench.sqlite3"),
        conn_max_age=600,
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS.append("django.contrib.postgres")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    # As the test settings: the connection's collation must match the tables' (Wagtail's
    # migrations compare CAST(... AS char) values).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            "collation": "utf8mb4_unicode_ci",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = SCRATCH_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = SCRATCH_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

WAGTAIL_SITE_NAME = "dynamo_wagtail bench"
WAGTAILADMIN_BASE_URL = "http://testserver"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
#: The API listing (figure 10) asks for pages of 100.
WAGTAILAPI_LIMIT_MAX = 100
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
SILENCED_SYSTEM_CHECKS = ["wagtailadmin.W003"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"], "level": "CRITICAL"},
}
