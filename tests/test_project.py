"""Smoke test: the test project is consistent with the installed apps."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_system_checks_pass():
    call_command("check")


@pytest.mark.django_db
def test_no_missing_migrations():
    # makemigrations --check exits with SystemExit(1) when a migration is missing.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
