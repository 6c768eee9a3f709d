"""Pick the best available torch device: cuda, then mps, then cpu. Never assume one."""

from __future__ import annotations

from quizdl.errors import DemoError

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


def available_devices() -> list[str]:
    import torch

    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    found.append("cpu")
    return found


def pick_device(requested: str = "auto") -> str:
    if requested not in DEVICE_CHOICES:
        raise DemoError(f"--device: unknown device {requested!r}; choose one of {', '.join(DEVICE_CHOICES)}")
    found = available_devices()
    if requested == "auto":
        return found[0]
    if requested not in found:
        raise DemoError(
            f"--device {requested}: not available on this machine (available: {', '.join(found)}); use --device auto"
        )
    return requested
