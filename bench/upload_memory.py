"""Peak memory of a profile photo upload (P7.2, P7.5): the worst accepted image stays under 100 MiB.

Each image is checked and re-encoded (accounts.photos.make_profile_photo) in a fresh Python process,
whose peak resident size (VmHWM in /proc/self/status, which starts afresh at exec; getrusage's ru_maxrss
elsewhere) is read at the end. The images are made beforehand by another process, so that no process
measured inherits the memory of making them. The baseline is the same process
with a 64 x 64 JPEG, measured in the same run, so what Python, Django and Pillow cost by themselves
cancels out: the figure is each image's peak minus the baseline's. The images are those at the edge of
what photos.MAX_DECODED_BYTES accepts in each format and mode, and the refused 40-megapixel 16-bit PNG
of issue 8 (331 MiB before the bound), which must now cost nothing.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, write_result  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.images import png_of  # noqa: E402

TARGET_MIB = 100


def saved(size: tuple[int, int], image_format: str, mode: str = "RGB", **options: object) -> bytes:
    """A gradient (so JPEG and WebP encode it as they would a photo), saved by Pillow."""
    from PIL import Image

    image = Image.linear_gradient("L").resize(size).convert(mode)
    out = BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()


def images() -> dict[str, tuple[bytes, bool]]:
    """Name -> (file, whether it must be accepted)."""
    return {
        "baseline: 64 x 64 JPEG": (saved((64, 64), "JPEG"), True),
        "PNG RGB 4096 x 4096": (png_of(4096, 4096), True),
        "PNG grey 4096 x 4096 (converted to RGB)": (png_of(4096, 4096, colour_type=0), True),
        "PNG RGBA 2896 x 2896": (png_of(2896, 2896, colour_type=6), True),
        "PNG palette with transparency 2896 x 2896": (saved((2896, 2896), "PNG", "P", transparency=0), True),
        "WebP RGBA 2048 x 2048": (saved((2048, 2048), "WEBP", "RGBA", quality=80), True),
        "JPEG baseline 7296 x 5472 (40 MP)": (saved((7296, 5472), "JPEG", quality=90), True),
        "JPEG progressive 5400 x 3600": (saved((5400, 3600), "JPEG", quality=90, progressive=True), True),
        "PNG 16-bit RGB 6000 x 6600 (refused)": (png_of(6000, 6600, bit_depth=16), False),
    }


def child(path: str) -> None:
    """Run in the measured process: one upload, then its peak memory."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "groupket.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from groupket.accounts import photos

    original = Path(path).read_bytes()
    started = time.perf_counter()
    try:
        photos.make_profile_photo(original)
        outcome = "accepted"
    except photos.PhotoRejected as rejected:
        outcome = f"refused ({rejected.code})"
    elapsed = time.perf_counter() - started
    print(json.dumps({"outcome": outcome, "peak_mib": peak_kib() / 1024, "seconds": elapsed}))


def peak_kib() -> int:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def make_images(folder: str) -> None:
    """Run in a process of its own: write every image and an index of them."""
    index = {}
    for number, (name, (data, must_accept)) in enumerate(images().items()):
        path = Path(folder) / f"{number}.img"
        path.write_bytes(data)
        index[name] = {"path": str(path), "must_be_accepted": must_accept, "file_kib": round(len(data) / 1024)}
    (Path(folder) / "index.json").write_text(json.dumps(index))


def run_self(*arguments: str, folder: str) -> str:
    env = {**os.environ, "GROUPKET_VAR_DIR": str(Path(folder) / "var"), "GROUPKET_LOG_LEVEL": "WARNING"}
    for variable in ("DATABASE_URL", "CELERY_BROKER_URL", "CLAMD_SOCKET"):
        env.pop(variable, None)
    # This same script, with arguments it chose itself.
    run = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True, env=env, check=True)  # noqa: S603
    return run.stdout


def main() -> int:
    results = {}
    with tempfile.TemporaryDirectory(prefix="groupket-bench-upload-") as folder:
        run_self("--make", folder, folder=folder)
        for name, entry in json.loads((Path(folder) / "index.json").read_text()).items():
            measured = json.loads(run_self("--child", entry.pop("path"), folder=folder).strip().splitlines()[-1])
            results[name] = {**entry, **measured}
    baseline = results["baseline: 64 x 64 JPEG"]["peak_mib"]
    for values in results.values():
        values["above_baseline_mib"] = round(values["peak_mib"] - baseline, 1)
        values["peak_mib"] = round(values["peak_mib"], 1)
        values["seconds"] = round(values["seconds"], 3)
    accepted = {name: values for name, values in results.items() if values["outcome"] == "accepted"}
    worst_name = max(accepted, key=lambda name: accepted[name]["above_baseline_mib"])
    worst = accepted[worst_name]["above_baseline_mib"]
    outcomes_right = all((values["outcome"] == "accepted") == values["must_be_accepted"] for values in results.values())
    passed = outcomes_right and worst < TARGET_MIB
    refused_16_bit = results["PNG 16-bit RGB 6000 x 6600 (refused)"]["above_baseline_mib"]
    summary = (
        f"worst accepted image ({worst_name}) peaks {worst:.1f} MiB above a 64 x 64 JPEG "
        f"(target < {TARGET_MIB}); the refused 40 MP 16-bit PNG {refused_16_bit:.1f} MiB"
    )
    if not outcomes_right:
        summary += "; an image was accepted or refused against expectation"
    result = {
        "baseline_peak_mib": round(baseline, 1),
        "images": results,
        "worst_accepted": worst_name,
        "worst_above_baseline_mib": worst,
        "target": f"every accepted image < {TARGET_MIB} MiB above the baseline; each accepted or refused as listed",
        "passed": passed,
    }
    write_result("upload_memory", result, summary)
    for name, values in results.items():
        print(f"{name:45} {values['outcome']:28} {values['above_baseline_mib']:7.1f} MiB {values['seconds']:6.2f} s")
    print(summary)
    return 0 if passed else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:
        make_images(sys.argv[2])
    elif sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        sys.exit(main())
