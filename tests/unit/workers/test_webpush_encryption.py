"""Our RFC 8291 encryption reproduces the RFC's example and is read back by http_ece."""

from __future__ import annotations

import base64
import os

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from workers.providers.webpush_encryption import encrypt


def b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_rfc8291_section_5_example() -> None:
    as_private = ec.derive_private_key(
        int.from_bytes(b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"), "big"), ec.SECP256R1())
    ua_public = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4")
    body = encrypt(b"When I grow up, I want to be a watermelon", ua_public, b64("BTBZMqHH6r4Tts7J_aSIgg"),
                   ephemeral=as_private, salt=b64("DGv6ra1nlYgDCS1FRnbzlw"))
    assert base64.urlsafe_b64encode(body).rstrip(b"=").decode() == (
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")


def test_http_ece_decrypts_what_we_encrypt() -> None:
    ua = ec.generate_private_key(ec.SECP256R1())
    ua_public = ua.public_key().public_bytes(serialization.Encoding.X962,
                                             serialization.PublicFormat.UncompressedPoint)
    auth = os.urandom(16)
    payload = "Crue du Furan : montez dans les étages".encode()
    first, second = encrypt(payload, ua_public, auth), encrypt(payload, ua_public, auth)
    assert first != second  # fresh salt and ephemeral key every time
    for body in (first, second):
        assert http_ece.decrypt(body, private_key=ua, auth_secret=auth, version="aes128gcm") == payload
