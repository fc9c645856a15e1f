"""Cognito's password policy (rules and wording) and argon2id hashing."""

from __future__ import annotations

import argon2
import pytest

from authgate.idp.domain.cognito_errors import InvalidParameterException, InvalidPasswordException
from authgate.idp.domain.passwords import (
    PasswordHasher,
    PasswordPolicy,
    check_password,
    generate_password,
)

DEFAULT = PasswordPolicy()
LENIENT = PasswordPolicy(
    minimum_length=6,
    require_uppercase=False,
    require_lowercase=False,
    require_numbers=False,
    require_symbols=False,
)
PREFIX = "Password did not conform with policy: "

POLICY_TABLE = [
    (DEFAULT, "Correct-Horse-9", None),
    (DEFAULT, "Aa1!aaaa", None),
    (DEFAULT, "Aa1!aaa", "Password not long enough"),
    (DEFAULT, "AAAA1111!!", "Password must have lowercase characters"),
    (DEFAULT, "aaaa1111!!", "Password must have uppercase characters"),
    (DEFAULT, "aaaaAAAA!!", "Password must have numeric characters"),
    (DEFAULT, "aaaaAAAA11", "Password must have symbol characters"),
    (DEFAULT, "aaaa AAAA11", None),  # an inner space counts as a symbol
    (DEFAULT, "Ünïcode-Horse", "Password must have numeric characters"),
    (DEFAULT, "ÄÖÜäöü1!", "Password must have lowercase characters"),
    (PasswordPolicy(minimum_length=12), "Correct-Hor9", None),
    (PasswordPolicy(minimum_length=12), "Correct-Ho9", "Password not long enough"),
    (LENIENT, "aaaaaa", None),
    (LENIENT, "aaaaa", "Password not long enough"),
]


@pytest.mark.parametrize(("policy", "password", "error"), POLICY_TABLE)
def test_password_policy_table(policy: PasswordPolicy, password: str, error: str | None) -> None:
    if error is None:
        check_password(policy, password)
        return
    with pytest.raises(InvalidPasswordException) as caught:
        check_password(policy, password)
    assert caught.value.message == PREFIX + error


@pytest.mark.parametrize("symbol", list("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"))
def test_every_cognito_symbol_counts(symbol: str) -> None:
    check_password(DEFAULT, f"Abcdefg1{symbol}")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (" Leading-Space1", r"^[\S]+.*[\S]+$"),
        ("Trailing-Space1 ", r"^[\S]+.*[\S]+$"),
        ("A1!a" * 65, "less than or equal to 256"),
    ],
)
def test_password_shape_errors_are_validation_errors(password: str, message: str) -> None:
    with pytest.raises(InvalidParameterException) as caught:
        check_password(DEFAULT, password)
    assert message in caught.value.message


@pytest.mark.parametrize("length", [5, 100])
def test_policy_minimum_length_range(length: int) -> None:
    with pytest.raises(InvalidParameterException, match="between 6 and 99"):
        PasswordPolicy(minimum_length=length)


@pytest.mark.parametrize("policy", [DEFAULT, PasswordPolicy(minimum_length=40), LENIENT])
def test_generated_passwords_satisfy_the_policy(policy: PasswordPolicy) -> None:
    passwords = {generate_password(policy) for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        check_password(policy, password)
        check_password(DEFAULT, password)


async def test_hasher_round_trip_and_rehash_detection() -> None:
    cheap = PasswordHasher(argon2.profiles.CHEAPEST)
    encoded = await cheap.hash("Correct-Horse-9")
    assert encoded.startswith("$argon2id$")
    assert await cheap.verify(encoded, "Correct-Horse-9")
    assert not await cheap.verify(encoded, "Correct-Horse-8")
    assert not await cheap.verify("not a hash", "Correct-Horse-9")
    assert not await cheap.verify(None, "Correct-Horse-9")
    assert not cheap.needs_rehash(encoded)
    stronger = PasswordHasher(argon2.Parameters(argon2.Type.ID, 19, 16, 32, 2, 1024, 1))
    assert stronger.needs_rehash(encoded)
    assert await stronger.verify(encoded, "Correct-Horse-9")  # old hashes still verify
