"""Whether a service can do its work now: the conditions its health reports.

A service is ready while every condition holds (the database answers, the
signing keys are known, ...). `GrpcServer` reports SERVING on grpc.health.v1
only while it is ready, so Envoy, Kubernetes and `make run` send it no calls
it could only fail.
"""

from collections.abc import Callable

Listener = Callable[[bool], None]


class Readiness:
    def __init__(self) -> None:
        self._failing: set[str] = set()
        self._listeners: list[Listener] = []

    @property
    def ready(self) -> bool:
        return not self._failing

    @property
    def failing(self) -> frozenset[str]:
        """The names of the conditions that do not hold now."""
        return frozenset(self._failing)

    def set(self, condition: str, holds: bool) -> None:
        """Record whether `condition` holds; listeners hear when readiness changes."""
        was_ready = self.ready
        if holds:
            self._failing.discard(condition)
        else:
            self._failing.add(condition)
        if self.ready != was_ready:
            for listener in list(self._listeners):
                listener(self.ready)

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)
