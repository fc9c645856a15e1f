"""Kong 3.x ``certificates`` and ``snis``: the https port's certificates, picked by server name.

Field names and messages are Kong's (``kong/db/schema/entities/certificates.lua``, ``snis.lua``
and ``validate_wildcard_host`` in ``typedefs.lua``). A certificate is a PEM chain and its
private key, optionally with an alternative chain of another key type (RSA + ECDSA) that
OpenSSL picks by the client's signature algorithms. An SNI maps a server name (exact,
``*.example.com``, ``example.*`` or ``*``) to one certificate. Keys never appear in a repr.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from authgate.config.fields import EntityRef, Tag, Uuid, is_valid_hostname

__all__ = [
    "Certificate",
    "Sni",
    "certificate_issues",
    "key_type",
    "load_certificates",
    "load_private_key",
]

_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)
_PORT = re.compile(r":[0-9*]*\Z")


def load_certificates(pem: str) -> list[x509.Certificate]:
    """The certificates of a PEM chain, leaf first; ValueError when there is none."""
    try:
        chain = x509.load_pem_x509_certificates(pem.encode())
    except ValueError:
        raise ValueError("invalid certificate: not a PEM certificate chain") from None
    return chain


def load_private_key(pem: str) -> PrivateKeyTypes:
    """The private key of an unencrypted PEM (PKCS#8, PKCS#1 or SEC1); ValueError otherwise."""
    try:
        return serialization.load_pem_private_key(pem.encode(), password=None)
    except TypeError:
        raise ValueError("invalid key: encrypted keys are not supported") from None
    except (ValueError, UnsupportedAlgorithm):
        raise ValueError("invalid key: not a PEM private key") from None


def _unresolved(value: str | None) -> bool:
    """A vault reference left as written: the loader has reported why it did not resolve."""
    return value is not None and value.startswith("{vault://")


def _check_cert(value: str) -> str:
    if not _unresolved(value):
        load_certificates(value)
    return value


def _check_key(value: str) -> str:
    if not _unresolved(value):
        load_private_key(value)
    return value


def _check_sni_name(value: str) -> str:
    """Kong's ``wildcard_host``; a wildcard must also be a whole label, or it never matches."""
    name = value.lower()
    if name == "*":
        return name
    if "*" in name:
        if name.count("*") > 1:
            raise ValueError("only one wildcard must be specified")
        if not (name.startswith("*") or name.endswith("*")):
            raise ValueError("wildcard must be leftmost or rightmost character")
        if not (name.startswith("*.") or name.endswith(".*")):
            raise ValueError('the wildcard must be a whole label: "*.example.com" or "example.*"')
    host = name.replace("*", "wildcard")
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        raise ValueError("must not be an IP")
    if _PORT.search(host) and not host.startswith("["):
        try:
            ipaddress.ip_address(host.rpartition(":")[0])
        except ValueError:
            raise ValueError("must not have a port") from None
        raise ValueError("must not be an IP")
    if host.startswith("[") or not is_valid_hostname(host):
        raise ValueError(f"invalid value: {value}")
    return name


CertPem = Annotated[str, AfterValidator(_check_cert)]
KeyPem = Annotated[str, AfterValidator(_check_key)]
SniName = Annotated[str, AfterValidator(_check_sni_name)]


class Certificate(BaseModel):
    """A certificate chain and its key for the https port, served to the names of its SNIs.

    Cross-field rules: :func:`certificate_issues` (the loader reports them with their paths).
    """

    model_config = _STRICT

    id: Uuid = Field(description="UUID; generated from its first SNI name (or position).")
    cert: CertPem = Field(description="PEM certificate chain, leaf first; a vault reference works.")
    key: KeyPem = Field(
        repr=False, description="PEM private key of `cert` (unencrypted); never shown by the API."
    )
    cert_alt: CertPem | None = Field(
        default=None, description="Alternative PEM chain of another key type (RSA + ECDSA)."
    )
    key_alt: KeyPem | None = Field(
        default=None, repr=False, description="PEM private key of `cert_alt`."
    )
    snis: list[str] = Field(
        default_factory=list,
        description=(
            "Shorthand for `snis` entities of this certificate: names, or mappings with"
            " `name` (and `tags`). After loading: every SNI name of the certificate."
        ),
    )
    tags: list[Tag] = Field(default_factory=list, description="Free-form labels.")


class Sni(BaseModel):
    """A server name whose TLS handshakes get one certificate (exact, `*.x.y`, `x.*` or `*`)."""

    model_config = _STRICT

    id: Uuid = Field(description="UUID; generated from the name when omitted.")
    name: SniName = Field(
        description='Hostname, with at most one wildcard label: "*.example.com" or "example.*".'
    )
    certificate: EntityRef | None = Field(
        default=None,
        description=(
            "Top-level SNIs: the certificate's id (`{id: ...}` too); nested SNIs get their"
            " parent. After loading: the certificate id."
        ),
    )
    tags: list[Tag] = Field(default_factory=list, description="Free-form labels.")


def key_type(key: object) -> str:
    """The key's algorithm as TLS names it: RSA, ECDSA, DSA, Ed25519, Ed448 (or its class)."""
    kinds: tuple[tuple[tuple[type, ...], str], ...] = (
        ((rsa.RSAPrivateKey, rsa.RSAPublicKey), "RSA"),
        ((ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey), "ECDSA"),
        ((dsa.DSAPrivateKey, dsa.DSAPublicKey), "DSA"),
        ((ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey), "Ed25519"),
        ((ed448.Ed448PrivateKey, ed448.Ed448PublicKey), "Ed448"),
    )
    return next((name for classes, name in kinds if isinstance(key, classes)), type(key).__name__)


def _matches(cert_pem: str, key_pem: str) -> bool:
    """Kong compares the certificate's public key with the key's public half."""
    der, spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    leaf = load_certificates(cert_pem)[0].public_key().public_bytes(der, spki)
    return leaf == load_private_key(key_pem).public_key().public_bytes(der, spki)


def certificate_issues(certificate: Certificate) -> list[tuple[str, str]]:
    """Kong's cross-field rules of a certificate: (field, message) for each one broken."""
    problems: list[tuple[str, str]] = []
    pems = (certificate.cert, certificate.key, certificate.cert_alt, certificate.key_alt)
    if any(_unresolved(pem) for pem in pems):
        return problems
    if not _matches(certificate.cert, certificate.key):
        problems.append(("key", "certificate does not match key"))
    cert_alt, key_alt = certificate.cert_alt, certificate.key_alt
    if (cert_alt is None) != (key_alt is None):
        missing = "key_alt" if key_alt is None else "cert_alt"
        problems.append((missing, "all or none of these fields must be set: 'cert_alt', 'key_alt'"))
    elif cert_alt is not None and key_alt is not None:
        if not _matches(cert_alt, key_alt):
            problems.append(("key_alt", "alternative certificate does not match key"))
        main = key_type(load_certificates(certificate.cert)[0].public_key())
        if main == key_type(load_certificates(cert_alt)[0].public_key()):
            problems.append(
                (
                    "cert_alt",
                    "certificate and alternative certificate need to have different type"
                    f" (e.g. RSA and ECDSA), the provided certificates were both of the same"
                    f" type ({main})",
                )
            )
    return problems
