"""Registration, passwords and throttled sign-in on real databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from meeting.accounts.service import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    authenticate,
    register,
)
from meeting.db import SessionFactory, transaction
from meeting.errors import InvalidInput, TooManyRequests
from tests.conftest import NOW
from tests.factories import make_registration, make_user

pytestmark = pytest.mark.integration


def login(
    factory: SessionFactory,
    email: str,
    password: str,
    address: str = "10.0.0.1",
    at: timedelta = timedelta(),
) -> int | None:
    with transaction(factory) as db:
        user = authenticate(db, email, password, address=address, now=NOW + at)
        return user.id if user else None


def test_passwords_are_stored_as_argon2_hashes(db_factory: SessionFactory) -> None:
    with transaction(db_factory) as db:
        user = register(db, make_registration(email="Fellow@Example.org"))

    assert user.email == "fellow@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash


def test_every_registration_problem_is_listed(db_factory: SessionFactory) -> None:
    form = make_registration(
        email="nope", name=" ", password="short", career_stage="wizard", timezone="Mars/Base"
    )

    with pytest.raises(InvalidInput) as caught, transaction(db_factory) as db:
        register(db, form)

    assert [p.field for p in caught.value.problems] == [
        "email",
        "name",
        "password",
        "career_stage",
        "timezone",
    ]


def test_an_email_can_register_once(db_factory: SessionFactory) -> None:
    with transaction(db_factory) as db:
        register(db, make_registration())

    with pytest.raises(InvalidInput) as caught, transaction(db_factory) as db:
        register(db, make_registration(email="FELLOW@example.org"))

    assert [p.message for p in caught.value.problems] == [
        "An account with this email already exists."
    ]


def test_sign_in_with_the_right_password_only(db_factory: SessionFactory) -> None:
    with transaction(db_factory) as db:
        user = make_user(db, email="a@example.org")

    assert login(db_factory, "A@example.org", "correct horse battery") == user.id
    assert login(db_factory, "a@example.org", "wrong password!") is None
    assert login(db_factory, "nobody@example.org", "correct horse battery") is None


def test_an_account_is_throttled_after_repeated_failures(db_factory: SessionFactory) -> None:
    with transaction(db_factory) as db:
        make_user(db, email="a@example.org")
    for i in range(MAX_FAILURES_PER_ACCOUNT):
        login(db_factory, "a@example.org", "wrong password!", address=f"10.0.0.{i}")

    with pytest.raises(TooManyRequests):
        login(db_factory, "a@example.org", "correct horse battery", address="10.9.9.9")
    assert (
        login(db_factory, "a@example.org", "correct horse battery", at=timedelta(minutes=16))
        is not None
    )


def test_an_address_is_throttled_across_accounts(db_factory: SessionFactory) -> None:
    for i in range(MAX_FAILURES_PER_ADDRESS):
        login(db_factory, f"guess{i}@example.org", "wrong password!", address="10.6.6.6")

    with pytest.raises(TooManyRequests):
        login(db_factory, "someone@example.org", "anything at all", address="10.6.6.6")
    assert login(db_factory, "someone@example.org", "anything at all", address="10.7.7.7") is None
