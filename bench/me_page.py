"""What opening every sealed item costs on /me/ (My information): decrypted against plaintext (target <= 1.2 x).

A member with every item given (name, email, a pending new email, phone, bio, a profile photo as Edit Profile
re-encodes it) and 50 sign-in records (the page's limit) asks for /me/ through Django's test client, signed in,
with every middleware, query and context processor of a real request. The same requests are then timed with
the sealed values' opening (the data key from memory, AES-256-GCM, decoding) replaced by a lookup of the same
plaintext, recorded from the first pass: the same queries, the same template, the same bytes out. The figure is
the median time of the first over the second; the two kinds alternate, so the machine's other work falls on
both.

    .venv/bin/python -m bench.me_page [--repeats 200]
"""

import argparse
import re
import sys
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django, time_alternately, write_result  # noqa: E402

TARGET = 1.2
PASSWORD = "orange7river-Stone"
RECORDS = 50


def photo() -> bytes:
    from PIL import Image

    from groupket.accounts.photos import make_profile_photo

    image = Image.linear_gradient("L").resize((1200, 900)).convert("RGB")
    out = BytesIO()
    image.save(out, "JPEG", quality=90)
    return make_profile_photo(out.getvalue()).data


def make_member():  # noqa: ANN201 - Django is configured at run time
    from django.utils import timezone

    from groupket.accounts.models import LoginRecord, Member
    from groupket.accounts.services.registration import Signup, register_member

    member = register_member(
        signup=Signup(
            username="mepage",
            name="김민지 Minji Kim",
            email="minji.kim@example.org",
            password=PASSWORD,
            agree_terms=True,
            agree_privacy=True,
            marketing_opt_in=True,
        )
    )
    member = Member.objects.get(pk=member.pk)
    member.email_verified_at = timezone.now()
    member.pending_email = "minji.new@example.org"
    member.phone = "+82-10-1234-5678"
    member.bio = "서울에서 사진을 찍고 산책을 좋아합니다. I take photos in Seoul and like long walks. " * 3
    member.photo = photo()
    member.save()
    now = timezone.now()
    LoginRecord.objects.bulk_create(
        [
            LoginRecord(
                member=member,
                data_key_id=member.data_key_id,
                succeeded=index % 7 != 0,
                ip_address=f"203.0.113.{index % 250}",
                user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0",
                created_at=now - timezone.timedelta(hours=index),
            )
            for index in range(RECORDS)
        ]
    )
    return member


class PlaintextOpen:
    """EncryptedField.open, recording each value it opens; or, switched on, answering from the record."""

    def __init__(self) -> None:
        from groupket.core.fields import EncryptedField

        self.field_class, self.real_open = EncryptedField, EncryptedField.open
        self.plain: dict[tuple, object] = {}
        self.replaying = False
        bench = self

        def open_or_replay(field, instance, sealed):  # noqa: ANN001, ANN202
            key = (instance._meta.label, instance.pk, field.name)
            if bench.replaying:
                return bench.plain[key]
            value = bench.real_open(field, instance, sealed)
            bench.plain[key] = value
            return value

        EncryptedField.open = open_or_replay


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=200, help="requests of each kind")
    args = parser.parse_args()
    setup_django()
    from django.test import Client

    member = make_member()
    client = Client(HTTP_HOST="127.0.0.1")
    signed_in = client.post("/accounts/login/", {"username": "mepage", "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.status_code
    opening = PlaintextOpen()

    def get() -> bytes:
        response = client.get("/me/")
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        return response.content

    def decrypted() -> None:
        opening.replaying = False
        get()

    def plaintext() -> None:
        opening.replaying = True
        get()

    for _ in range(10):  # warm-up: templates, translations, the data key in memory
        decrypted_page = get()
    opened = len(opening.plain)
    opening.replaying = True
    plaintext_page = get()
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')
    assert strip.sub(b"", decrypted_page) == strip.sub(b"", plaintext_page), "both ways give the same page"
    times = time_alternately({"decrypted": decrypted, "plaintext": plaintext}, repeats=args.repeats)
    opening.replaying = False
    decrypted_ms, plaintext_ms = times["decrypted"]["median_ms"], times["plaintext"]["median_ms"]
    wall_ratio = decrypted_ms / plaintext_ms
    ratio = times["decrypted"]["cpu_ms"] / times["plaintext"]["cpu_ms"]
    passed = ratio <= TARGET
    result = {
        "sealed_values_opened_per_page": opened,
        "login_records": RECORDS,
        "photo_bytes": len(member.photo),
        "repeats": args.repeats,
        "decrypted_median_ms": round(decrypted_ms, 3),
        "plaintext_median_ms": round(plaintext_ms, 3),
        "decrypted_cpu_ms": round(times["decrypted"]["cpu_ms"], 3),
        "plaintext_cpu_ms": round(times["plaintext"]["cpu_ms"], 3),
        "wall_ratio": round(wall_ratio, 3),
        "ratio": round(ratio, 3),
        "target": f"ratio <= {TARGET} (CPU of /me/ with every item decrypted / the same page from plaintext values)",
        "passed": passed,
    }
    summary = (
        f"/me/ with {opened} sealed values opened {result['decrypted_cpu_ms']:.2f} ms of CPU, from plaintext "
        f"{result['plaintext_cpu_ms']:.2f} ms: ratio {ratio:.2f} (target <= {TARGET}); wall-clock medians "
        f"{decrypted_ms:.2f} / {plaintext_ms:.2f} ms, ratio {wall_ratio:.2f}"
    )
    write_result("me_page", result, summary, figure=f"ratio {ratio:.2f} (CPU), {wall_ratio:.2f} (wall)")
    print(summary)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
