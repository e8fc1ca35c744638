"""Signed statements: a JWS (RS256) over each statement, with a key of this installation.

xAPI 1.0.3 carries a statement's signature as an attachment sent in a multipart request; LRSs
that take no attachments (Ralph among them) refuse that, so the kiosk puts the same JWS in the
statement's ``context.extensions`` under :data:`SIGNATURE` instead (docs/xapi.md). Its payload
is the statement without that extension, as canonical JSON. PKCS#1 v1.5 signatures are
deterministic: a statement sent again carries the very same signature, and stays one statement.

The private key is made on first use and kept in the OS keyring (``report-signing-key``); the
school pins its public key (``kiosk report key``) and ``kiosk report verify`` checks a session's
statements in the LRS against it.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kiosk.platform import secrets
from kiosk.report.statements import NS

SIGNATURE = NS + "extensions/signature"
KEY_NAME = "report-signing-key"
#: What an LRS adds to a statement it stores: not part of what the kiosk signed.
LRS_ADDED = ("stored", "authority", "version")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(statement: dict[str, Any]) -> bytes:
    return json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(public: rsa.RSAPublicKey) -> str:
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:32]


@dataclass(frozen=True)
class Signer:
    key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> Signer:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem(cls, pem: str) -> Signer:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the signing key is not an RSA key")
        return cls(key)

    def pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    def public_pem(self) -> str:
        return (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def sign(self, statement: dict[str, Any]) -> dict[str, Any]:
        header = {"alg": "RS256", "kid": key_id(self.key.public_key())}
        head = _b64(json.dumps(header, separators=(",", ":")).encode())
        body = _b64(canonical(statement))
        signed = f"{head}.{body}".encode("ascii")
        sig = self.key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
        out = copy.deepcopy(statement)
        out.setdefault("context", {}).setdefault("extensions", {})[SIGNATURE] = (
            f"{head}.{body}.{_b64(sig)}"
        )
        return out


def installation_signer() -> Signer:
    """This installation's key from the keyring, made and stored there on first use (a
    ``NoKeyring`` KioskExit when there is none)."""
    pem = secrets.get(KEY_NAME)
    if pem is not None:
        return Signer.from_pem(pem)
    made = Signer.generate()
    secrets.put(KEY_NAME, made.pem())
    return made


def check(statement: dict[str, Any], public: rsa.RSAPublicKey) -> str | None:
    """None when the stored statement is what this key signed, else what is wrong with it."""
    st = {k: v for k, v in statement.items() if k not in LRS_ADDED}
    st = copy.deepcopy(st)
    extensions = st.get("context", {}).get("extensions", {})
    jws = extensions.pop(SIGNATURE, None)
    if not isinstance(jws, str):
        return "not signed"
    if not extensions:
        st["context"].pop("extensions")
    try:
        head, body, sig = jws.split(".")
        header = json.loads(_unb64(head))
        public.verify(
            _unb64(sig), f"{head}.{body}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        return "its signature is not this installation's key's"
    except ValueError:
        return "its signature is not a JWS"
    if header.get("alg") != "RS256":
        return f"signed with {header.get('alg')!r}, not RS256"
    if json.loads(_unb64(body)) != st:
        return "altered after it was signed"
    return None
