"""Images built for tests and benchmarks without the memory their pixels would take."""

import struct
import zlib


def png_of(width: int, height: int, *, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    """A flat PNG built row by row, so a huge canvas costs the test little: the shape of a small file that
    inflates into far more memory than its size."""
    channels = {0: 1, 2: 3, 6: 4}[colour_type]
    row = b"\0" + bytes(width * channels * bit_depth // 8)
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
