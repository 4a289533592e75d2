"""Sign-in throttling per username, with a fake clock."""

from __future__ import annotations

from dystonia_cds.web.throttle import SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_block_the_username_until_the_window_passes() -> None:
    clock = Clock()
    throttle = SignInThrottle(limit=5, window_s=600, clock=clock)
    for _ in range(5):
        assert not throttle.blocked("Alice")
        throttle.failed("Alice")
    assert throttle.blocked("alice")
    assert not throttle.blocked("bob")
    clock.now += 601
    assert not throttle.blocked("alice")


def test_a_success_clears_the_failures() -> None:
    throttle = SignInThrottle(limit=2, window_s=600, clock=Clock())
    throttle.failed("alice")
    throttle.succeeded("alice")
    throttle.failed("alice")
    assert not throttle.blocked("alice")
