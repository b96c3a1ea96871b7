"""The garbage collector's policy during renewal bursts (gui/gc_policy.py)."""

from __future__ import annotations

import gc

import pytest

from musicauth_gui.gui import gc_policy
from musicauth_gui.gui.gc_policy import RenewalBurstCollector


def test_full_passes_wait_for_the_end_of_a_renewal_burst(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(gc_policy, "BURST_QUIET_MS", 50)
    before = gc.get_threshold()
    full_passes: list[int] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full_passes.append(1)

    gc.callbacks.append(on_gc)
    collector = RenewalBurstCollector()
    try:
        collector.renewal_activity("p")
        held = gc.get_threshold()
        assert held[:2] == before[:2] and held[2] > 1_000_000  # the young generations as usual
        qtbot.wait(20)
        collector.renewal_activity("q", object(), 5.0)  # the burst goes on: still held
        assert collector.holding and not full_passes
        qtbot.waitUntil(lambda: not collector.holding, timeout=2000)
        assert gc.get_threshold() == before
        assert full_passes  # the pass held back ran once the burst was over
    finally:
        gc.callbacks.remove(on_gc)
        collector.close()
    assert gc.get_threshold() == before


def test_closing_mid_burst_restores_the_thresholds(qtbot) -> None:  # type: ignore[no-untyped-def]
    before = gc.get_threshold()
    collector = RenewalBurstCollector()
    collector.renewal_activity("p")
    collector.close()
    assert gc.get_threshold() == before and not collector.holding
