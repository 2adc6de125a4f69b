"""Settings for the dynamo_wagtail test suite.

The database comes from ``DATABASE_URL`` (SQLite by default), e.g.::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pytest
    DATABASE_URL=mysql://root@127.0.0.1:3306/test pytest
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import dj_database_url
import django

BASE_DIR = Path(__file__).resolve().parent.parent
TESTS_DIR = Path(__file__).resolve().parent

# Scratch space of one test run: the SQLite test database file and uploaded media. A fresh
# directory per pytest process, so concurrent runs do not share files; it is passed on in the
# environment, so server processes started by the multiprocess tests (which inherit os.environ)
# open the same test database and media as the pytest process that started them.
if os.environ.get("DYNAMO_TEST_SCRATCH_DIR"):
    SCRATCH_DIR = Path(os.environ["DYNAMO_TEST_SCRATCH_DIR"])
    SCRATCH_DIR.mkdir(parents=True, exist_ok=True)
else:
    SCRATCH_DIR = Path(tempfile.mkdtemp(prefix="dynamo_wagtail_tests_"))
    os.environ["DYNAMO_TEST_SCRATCH_DIR"] = str(SCRATCH_DIR)
    atexit.register(shutil.rmtree, SCRATCH_DIR, ignore_errors=True)

SECRET_KEY = "dynamo-wagtail-tests-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "dynamo_wagtail",
    "dynamo_wagtail.runtime",
    "dynamo_wagtail.contrib.pages",
    "dynamo_wagtail.contrib.api",
    "wagtail.api.v3",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.contrib.table_block",
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
    "dynamo_wagtail.sync.SyncMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "tests.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [TESTS_DIR / "templates"],
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
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default="sqlite:///" + str(SCRATCH_DIR / "db.sqlite3"),
        # Server processes of the multiprocess tests may keep their connections.
        conn_max_age=int(os.environ.get("DYNAMO_TEST_CONN_MAX_AGE") or 0),
    ),
}
_engine = DATABASES["default"]["ENGINE"]
# One test database per test run, so runs side by side (two Django versions, two
# checkouts) never share one. Processes started by the tests get the real name.
_run = os.environ.get("DYNAMO_TEST_DB_SUFFIX") or str(os.getpid())
if _engine == "django.db.backends.sqlite3":
    # A file, not the in-memory default: separate OS processes (server processes in the
    # multiprocess tests) must open the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(SCRATCH_DIR / f"test_db_{_run}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_run}"}
if _engine == "django.db.backends.postgresql":
    # Django >= 6.1 checks that contrib.postgres is installed for the search vector fields
    # and GIN indexes of Wagtail's search index on PostgreSQL (postgres.E005).
    INSTALLED_APPS.append("django.contrib.postgres")
elif _engine == "django.db.backends.mysql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            # The connection collation must match the tables' (TEST COLLATION below); MariaDB's
            # default utf8mb4_general_ci fails Wagtail's migrations with "Illegal mix of
            # collations" on CAST(... AS char) comparisons.
            "collation": "utf8mb4_unicode_ci",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
        }
    )
    DATABASES["default"]["TEST"].update({"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"})

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

WAGTAIL_SITE_NAME = "dynamo_wagtail tests"
WAGTAILADMIN_BASE_URL = "http://testserver"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

if django.VERSION >= (6, 1):
    # Django 6.1 replaces the EMAIL_* settings with MAILERS (workflow emails are sent).
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"], "level": "CRITICAL"},
    "loggers": {
        "django": {"handlers": ["null"], "level": "CRITICAL", "propagate": False},
        "wagtail": {"handlers": ["null"], "level": "CRITICAL", "propagate": False},
    },
}
