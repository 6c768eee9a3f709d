"""The demo registry, device choice and shared helpers: every documented demo exists, names are unique,
lookups suggest close matches, devices are chosen and refused correctly."""

from __future__ import annotations

import importlib
import re
from dataclasses import is_dataclass
from pathlib import Path

import pytest
import torch
from torch import nn

from quizdl.demos import device as device_mod
from quizdl.demos import registry
from quizdl.demos.common import SGD, Adam, fmt, thin
from quizdl.demos.device import pick_device
from quizdl.demos.registry import DemoContext, DemoResult
from quizdl.errors import DemoError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "demos.md"


def documented_names() -> list[str]:
    rows = re.findall(r"^\| ([a-z0-9][a-z0-9-]*) \|", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return [name for name in rows if name != "name"]


def test_docs_list_at_least_60_demos_once_each() -> None:
    names = documented_names()
    assert len(names) >= 60
    assert len(set(names)) == len(names)


def test_every_documented_demo_is_registered() -> None:
    demos = registry.load_all()
    missing = sorted(set(documented_names()) - set(demos))
    extra = sorted(set(demos) - set(documented_names()))
    assert not missing, f"documented but not registered: {missing}"
    assert not extra, f"registered but not in docs/demos.md: {extra}"


def test_each_demo_lives_in_its_own_module_with_a_docstring_and_a_config() -> None:
    for name, entry in registry.load_all().items():
        module_name = f"quizdl.demos.{name.replace('-', '_')}"
        assert entry.fn.__module__ == module_name, f"{name} is defined in {entry.fn.__module__}"
        module = importlib.import_module(module_name)
        assert (module.__doc__ or "").strip(), f"{module_name} has no docstring"
        config = getattr(module, "Config", None)
        assert config is not None and is_dataclass(config), f"{module_name} has no Config dataclass"
        assert config.__dataclass_params__.frozen, f"{module_name}.Config is not frozen"  # type: ignore[attr-defined]
        assert entry.topic and entry.summary


def test_a_duplicate_name_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "REGISTRY", {})

    def fn(ctx: DemoContext) -> DemoResult:
        return DemoResult(header="h", columns=["a"], rows=[[1]], takeaway="t")

    registry.demo("twice", topic="t", summary="s")(fn)
    with pytest.raises(ValueError, match="registered twice"):
        registry.demo("twice", topic="t", summary="s")(fn)


def test_get_suggests_close_matches() -> None:
    assert registry.get("dying-relu").name == "dying-relu"
    with pytest.raises(DemoError, match="did you mean dying-relu"):
        registry.get("dying-rel")
    with pytest.raises(DemoError, match="quizdl demo list"):
        registry.get("completely-unrelated-xyz")


def test_steps_or() -> None:
    assert DemoContext(device="cpu").steps_or(7) == 7
    assert DemoContext(device="cpu", steps=3).steps_or(7) == 3


# --- devices -------------------------------------------------------------------------------------------


def _fake_devices(monkeypatch: pytest.MonkeyPatch, *, cuda: bool, mps: bool) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)


def test_auto_prefers_cuda_then_mps_then_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_devices(monkeypatch, cuda=True, mps=True)
    assert pick_device("auto") == "cuda"
    _fake_devices(monkeypatch, cuda=False, mps=True)
    assert pick_device("auto") == "mps"
    assert pick_device("mps") == "mps"
    _fake_devices(monkeypatch, cuda=False, mps=False)
    assert pick_device("auto") == "cpu"
    assert device_mod.available_devices() == ["cpu"]


def test_an_available_device_is_used_as_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_devices(monkeypatch, cuda=True, mps=False)
    assert pick_device("cuda") == "cuda"
    assert pick_device("cpu") == "cpu"


def test_an_unavailable_or_unknown_device_is_a_demo_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_devices(monkeypatch, cuda=False, mps=False)
    with pytest.raises(DemoError, match="not available"):
        pick_device("cuda")
    with pytest.raises(DemoError, match="not available"):
        pick_device("mps")
    with pytest.raises(DemoError, match="unknown device"):
        pick_device("tpu")


# --- shared helpers (quizdl/demos/common.py) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda p: SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
        (
            lambda p: SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
            lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
        ),
        (lambda p: Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
        (
            lambda p: Adam(p, lr=0.01, weight_decay=0.1),
            lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1),
        ),
    ],
)
def test_hand_written_optimizers_match_torch_optim(ours, theirs) -> None:  # type: ignore[no-untyped-def]
    torch.manual_seed(0)
    a, b = nn.Linear(5, 3), nn.Linear(5, 3)
    b.load_state_dict(a.state_dict())
    opt_a, opt_b = ours(list(a.parameters())), theirs(b.parameters())
    x = torch.randn(16, 5)
    for _ in range(25):
        for net, opt in ((a, opt_a), (b, opt_b)):
            opt.zero_grad()
            net(x).pow(2).mean().backward()
            opt.step()
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)


def test_fmt_and_thin() -> None:
    assert fmt(0.123456) == "0.123"
    assert fmt(1234.5) == "1234"
    assert fmt(1.5e-5) == "1.50e-05"
    assert fmt(float("nan")) == "NaN"
    assert fmt(float("inf")) == "inf"
    assert thin([float(i) for i in range(1000)], 50)[::49] == [0.0, 999.0]
    assert len(thin([1.0] * 1000, 50)) == 50


def test_each_demo_lives_in_the_module_named_after_it() -> None:
    from quizdl.demos.registry import load_all

    for name, entry in load_all().items():
        assert entry.fn.__module__ == f"quizdl.demos.{name.replace('-', '_')}", name


def test_demo_topics_are_bank_topics() -> None:
    from quizdl.bank import load_bank
    from quizdl.demos.registry import load_all

    topics = set(load_bank().topics)
    assert {d.topic for d in load_all().values()} <= topics
