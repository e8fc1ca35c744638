"""RNCryptor's password format (v2 and v3), which SEB uses for password-protected .seb files.

``[version][options][encryption salt 8][HMAC salt 8][IV 16][ciphertext][HMAC 32]``: the keys are
PBKDF2-HMAC-SHA1 of the password (10,000 rounds, 32 bytes) with each salt, the ciphertext is
AES-256-CBC with PKCS#7 padding, and the HMAC-SHA256 covers everything before it. The HMAC is
checked first, in constant time: a wrong password is told apart from a damaged file only by
that check failing, never by a decryption that yields garbage.

Version 2 differs in one thing, the bug version 3 fixed: its reference implementation cut a
multi-byte password's UTF-8 bytes to the password's length in characters (UTF-16 units). A v2
file is tried with the whole password first, then with the cut one; the HMAC says which.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

VERSIONS = frozenset({2, 3})
_PASSWORD_OPTION = 0x01
_HEADER = 2 + 8 + 8 + 16
_HMAC = 32
_ROUNDS = 10_000


class DecryptionError(ValueError):
    """The data is not RNCryptor data this module can read, or the password is wrong."""


class WrongPassword(DecryptionError):
    pass


def _key(password: bytes, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha1", password, salt, _ROUNDS, 32)


def _secrets(password: str, version: int) -> list[bytes]:
    whole = password.encode("utf-8")
    if version != 2:
        return [whole]
    cut = whole[: len(password.encode("utf-16-le")) // 2]
    return [whole] if cut == whole else [whole, cut]


def decrypt(data: bytes, password: str) -> bytes:
    """The plaintext of RNCryptor v2/v3 password-encrypted ``data``."""
    if len(data) < _HEADER + 16 + _HMAC:
        raise DecryptionError("too short for encrypted settings")
    version, options = data[0], data[1]
    if version not in VERSIONS:
        raise DecryptionError(f"RNCryptor version {version} is not supported (only 2 and 3)")
    if not options & _PASSWORD_OPTION:
        raise DecryptionError("encrypted with a key, not a password")
    enc_salt, hmac_salt, iv = data[2:10], data[10:18], data[18:34]
    body, tag = data[:-_HMAC], data[-_HMAC:]
    for secret in _secrets(password, version):
        expected = hmac.new(_key(secret, hmac_salt), body, hashlib.sha256).digest()
        if hmac.compare_digest(expected, tag):
            break
    else:
        raise WrongPassword("the password is wrong (or the file is damaged)")
    ciphertext = body[_HEADER:]
    if len(ciphertext) % 16:
        raise DecryptionError("the encrypted part is not whole AES blocks")
    decryptor = Cipher(algorithms.AES(_key(secret, enc_salt)), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise DecryptionError("the decrypted settings are not padded as RNCryptor pads") from None
