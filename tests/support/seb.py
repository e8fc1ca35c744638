"""Writing .seb containers the way Safe Exam Browser does, for the containers no fixture has.

The encryption is RNCryptor's password format, v3 (and v2, as its reference implementation
wrote it); kiosk's reader, which the tests check against a file the real ``rncryptor``
package wrote (tests/data/seb), reads what this writes.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def _key(secret: bytes, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha1", secret, salt, 10_000, 32)


def rncryptor_v3(plaintext: bytes, password: str) -> bytes:
    return rncryptor(plaintext, password.encode("utf-8"), version=3)


def rncryptor_v2(plaintext: bytes, password: str) -> bytes:
    """As RNCryptor v2's reference implementation wrote it: a multi-byte password's UTF-8 bytes
    cut to its length in UTF-16 units."""
    secret = password.encode("utf-8")[: len(password.encode("utf-16-le")) // 2]
    return rncryptor(plaintext, secret, version=2)


def rncryptor(plaintext: bytes, secret: bytes, version: int) -> bytes:
    enc_salt, hmac_salt, iv = os.urandom(8), os.urandom(8), os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(_key(secret, enc_salt)), modes.CBC(iv)).encryptor()
    body = bytes([version, 1]) + enc_salt + hmac_salt + iv + encryptor.update(padded)
    body += encryptor.finalize()
    return body + hmac.new(_key(secret, hmac_salt), body, hashlib.sha256).digest()


def container(prefix: bytes, payload: bytes) -> bytes:
    """gzip(prefix + payload), as SEB writes every container."""
    return gzip.compress(prefix + payload)


def encrypted(xml: bytes, password: str, prefix: bytes = b"pswd") -> bytes:
    return container(prefix, rncryptor_v3(gzip.compress(xml), password))
