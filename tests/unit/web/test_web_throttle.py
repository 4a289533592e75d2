"""Sign-in throttling: growing delays per username and per client address, never a hard
lock-out, with a fake clock and the in-memory store (the shared stores: integration tests)."""

from __future__ import annotations

from dystonia_cds.web.throttle import DelayPolicy, MemoryFailures, SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _throttle(clock: Clock) -> SignInThrottle:
    policy = DelayPolicy(free=3, base_s=1.0, max_s=300.0, forget_s=900.0)
    address = DelayPolicy(free=3, base_s=1.0, max_s=60.0, forget_s=900.0)
    return SignInThrottle(MemoryFailures(), policy, clock, address_policy=address)


def test_the_first_failures_cost_no_delay_then_each_one_doubles_it() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    delays = []
    for _ in range(7):
        assert throttle.wait_s("Alice", "10.0.0.1") == 0.0  # each attempt waited long enough
        throttle.failed("Alice", "10.0.0.1")
        delays.append(throttle.wait_s("alice", "10.0.0.1"))
        clock.now += delays[-1]
    assert delays == [0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 16.0]


def test_the_delay_is_capped_so_the_real_user_is_never_locked_out() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    for _ in range(40):
        throttle.failed("alice", None)
    assert throttle.wait_s("alice", None) == 300.0
    assert throttle.wait_s("bob", None) == 0.0
    clock.now += 300.0
    assert throttle.wait_s("alice", None) == 0.0


def test_failures_from_one_address_slow_every_username_tried_from_it() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    for name in ("alice", "bob", "carol", "dave"):
        throttle.failed(name, "10.0.0.9")
    assert throttle.wait_s("erin", "10.0.0.9") > 0
    assert throttle.wait_s("erin", "10.0.0.10") == 0.0


def test_failures_for_one_username_slow_it_from_every_address() -> None:
    throttle = _throttle(Clock())
    for i in range(4):
        throttle.failed("alice", f"10.0.1.{i}")
    assert throttle.wait_s("ALICE", "10.0.2.1") > 0


def test_a_success_clears_the_username_but_not_the_address() -> None:
    throttle = _throttle(Clock())
    for _ in range(4):
        throttle.failed("alice", "10.0.0.1")
    throttle.succeeded("alice")
    assert throttle.wait_s("alice", "10.0.0.2") == 0.0
    assert throttle.wait_s("alice", "10.0.0.1") > 0


def test_failures_are_forgotten_a_while_after_the_last_one() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    for _ in range(10):
        throttle.failed("alice", None)
    clock.now += 901.0
    assert throttle.wait_s("alice", None) == 0.0
    throttle.failed("alice", None)  # counting starts again from one
    assert throttle.wait_s("alice", None) == 0.0


def test_an_address_shared_by_many_users_is_allowed_more_failures_than_a_username() -> None:
    throttle = SignInThrottle(MemoryFailures(), clock=Clock())
    for i in range(10):
        throttle.failed(f"user{i}", "10.0.0.1")  # ten different users mistype once each
    assert throttle.wait_s("user99", "10.0.0.1") == 0.0
    for _ in range(5):
        throttle.failed("alice", "10.0.0.2")
    assert throttle.wait_s("alice", "10.0.0.3") == 1.0
