"""Free TCP ports on the loopback interface."""

import socket


def free_ports(count: int) -> list[int]:
    """`count` different ports nothing listens on right now (all bound at once, then freed)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def listening(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on `host:port`."""
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0
