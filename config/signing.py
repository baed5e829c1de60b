"""Signed documents: Ed25519 over a canonical JSON, with the `cryptography` library. Generic, imports no app.

A signed document is `{"record": {...}, "signature": {"alg": "Ed25519", "key_id": ..., "value": ...}}`. The
signature covers the canonical JSON of `record` alone:

- keys sorted (by code point), no whitespace between tokens (`","` and `":"` separators);
- strings as they are, not escaped to ASCII (`ensure_ascii=False`), the whole encoded as UTF-8;
- only objects, arrays, strings, integers, `true`, `false` and `null`: no floats (dates are ISO 8601 strings).

For such values this is the JSON Canonicalization Scheme's output (RFC 8785) as well. `value` is the 64-byte
signature in base64url without padding. `key_id` names the public key: the first 16 hex digits of the SHA-256 of
its 32 raw bytes, so a receiver can check that a published key is the one it claims to be.

The private key comes from the setting `EUMAM_RECORD_SIGNING_KEY` (the environment in production): a 32-byte seed in
base64, or a PKCS#8 PEM. Left empty (local and test profiles only; production requires it), a development key is
derived from `SECRET_KEY`, which signs nothing anyone should trust.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ALGORITHM = "Ed25519"
DEV_KEY_CONTEXT = b"eumam-record-signing-dev-key:"


class SignatureError(Exception):
    """A document that does not verify: malformed, signed by an unknown key, or changed since it was signed."""


def canonical_json(value: Any) -> bytes:
    """The bytes that are signed: sorted keys, no insignificant whitespace, UTF-8, no floats."""
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("A signed document holds no floats: their text form is not canonical.")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(public_key_raw: bytes) -> str:
    return hashlib.sha256(public_key_raw).hexdigest()[:16]


@dataclass(frozen=True)
class Signer:
    """The key that signs: its private half, and the public half and key id that verifiers look up."""

    private_key: Ed25519PrivateKey

    @property
    def public_key_raw(self) -> bytes:
        return raw_public_key(self.private_key.public_key())

    @property
    def public_key(self) -> str:
        """The public key as published: its 32 raw bytes in base64url, no padding."""
        return b64url(self.public_key_raw)

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key_raw)

    def sign(self, record: dict) -> dict:
        """The signed document of `record`."""
        value = self.private_key.sign(canonical_json(record))
        return {"record": record, "signature": {"alg": ALGORITHM, "key_id": self.key_id, "value": b64url(value)}}


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    """A private key from a PKCS#8 PEM or a base64 (or base64url) 32-byte seed."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("The PEM key is not an Ed25519 key.")
        return key
    try:
        seed = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except binascii.Error as error:
        raise ValueError("The key is neither a PEM nor base64.") from error
    if len(seed) != 32:
        raise ValueError(f"An Ed25519 seed is 32 bytes; this one is {len(seed)}.")
    return Ed25519PrivateKey.from_private_bytes(seed)


_signers: dict[str, Signer] = {}


def active_signer() -> Signer:
    """The signer of the configured key (or, with none configured, the development key)."""
    configured = getattr(settings, "EUMAM_RECORD_SIGNING_KEY", "")
    cache_key = configured or f"dev:{settings.SECRET_KEY}"
    signer = _signers.get(cache_key)
    if signer is None:
        if configured:
            try:
                private_key = private_key_from_text(configured)
            except ValueError as error:
                raise ImproperlyConfigured(f"EUMAM_RECORD_SIGNING_KEY: {error}") from error
        else:
            seed = hashlib.sha256(DEV_KEY_CONTEXT + settings.SECRET_KEY.encode("utf-8")).digest()
            private_key = Ed25519PrivateKey.from_private_bytes(seed)
        signer = _signers[cache_key] = Signer(private_key)
    return signer


def verify(document: Any, public_keys: dict[str, str]) -> dict:
    """The record of a signed document, once its signature verifies against one of `public_keys`
    ({key_id: public key in base64url}); `SignatureError`, saying why, otherwise."""
    if not isinstance(document, dict) or set(document) != {"record", "signature"}:
        raise SignatureError("Not a signed document: it must hold exactly `record` and `signature`.")
    record, signature = document["record"], document["signature"]
    if not isinstance(record, dict) or not isinstance(signature, dict):
        raise SignatureError("Not a signed document: `record` and `signature` must be objects.")
    if signature.get("alg") != ALGORITHM:
        raise SignatureError(f"Unknown signature algorithm {signature.get('alg')!r}; expected {ALGORITHM}.")
    key_id = signature.get("key_id")
    public_key_text = public_keys.get(key_id) if isinstance(key_id, str) else None
    if public_key_text is None:
        raise SignatureError(f"Signed by key {key_id!r}, which is not among the published keys.")
    try:
        public_key_raw = b64url_decode(public_key_text)
        public_key = Ed25519PublicKey.from_public_bytes(public_key_raw)
        value = b64url_decode(str(signature.get("value", "")))
    except (ValueError, binascii.Error) as error:
        raise SignatureError(f"A key or the signature is not valid base64url: {error}") from error
    if key_id_of(public_key_raw) != key_id:
        raise SignatureError(f"The public key published as {key_id!r} does not have that key id.")
    try:
        public_key.verify(value, canonical_json(record))
    except (InvalidSignature, TypeError) as error:
        raise SignatureError("The signature does not match: the record was changed or not signed by this key.") from (
            error
        )
    return record
