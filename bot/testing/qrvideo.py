"""Videos of ticket QR codes for Chromium's fake camera (`--use-file-for-fake-video-capture`,
which plays a YUV4MPEG2 file in a loop): each code's real ticket image (the PNG the bot
DMs) shown for a few frames, one code after another.

Y4M is raw: a header line, then per frame `FRAME\\n` and the Y, U and V planes (4:2:0, so U
and V at half the width and height). Keep videos small: 320x240 frames are 115 KB each.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from bot.events.tickets import QR_SCALE, ticket_qr_png

MODULE_PX = 7  # pixels per QR module in the video (the ticket PNG has QR_SCALE)


def ticket_frame(code: str, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """The ticket's QR, centred on white, scaled by a whole ratio of modules (nearest
    neighbour, so every module stays square and sharp)."""
    png = Image.open(io.BytesIO(ticket_qr_png(code))).convert("L")
    modules = png.width // QR_SCALE
    side = modules * MODULE_PX
    if side > min(size):
        raise ValueError(f"a {side}px QR does not fit a {size} frame")
    qr = png.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("L", size, 255)
    frame.paste(qr, ((size[0] - side) // 2, (size[1] - side) // 2))
    return frame


def _planes(frame: Image.Image) -> bytes:
    y, cb, cr = frame.convert("RGB").convert("YCbCr").split()
    half = (frame.width // 2, frame.height // 2)
    return (
        y.tobytes()
        + cb.resize(half, Image.Resampling.BILINEAR).tobytes()
        + cr.resize(half, Image.Resampling.BILINEAR).tobytes()
    )


def write_y4m(
    path: Path,
    codes: Sequence[str],
    *,
    frames_per_code: int = 2,
    fps: int = 5,
    size: tuple[int, int] = (320, 240),
    blank_frames: int = 0,
) -> float:
    """Write the video; returns its length in seconds (Chromium loops it)."""
    width, height = size
    if width % 2 or height % 2:
        raise ValueError("4:2:0 needs an even width and height")
    blank = _planes(Image.new("L", size, 255))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        count = 0
        for code in codes:
            planes = _planes(ticket_frame(code, size))
            for _ in range(frames_per_code):
                out.write(b"FRAME\n" + planes)
            for _ in range(blank_frames):
                out.write(b"FRAME\n" + blank)
            count += frames_per_code + blank_frames
    return count / fps


__all__ = ["ticket_frame", "write_y4m"]
