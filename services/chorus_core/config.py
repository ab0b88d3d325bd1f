"""Reading configuration: plain env values with defaults, secrets from files."""

from collections.abc import Mapping
from pathlib import Path


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the setting."""


def env_str(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip()
    return value or default


def env_int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_path(env: Mapping[str, str], name: str, default: str) -> Path:
    return Path(env_str(env, name, default))


def read_secret_file(path: Path) -> str:
    """The content of a secret file, without its trailing newline.

    The error names the file but never shows its content.
    """
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ConfigError(f"cannot read secret file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"secret file {path} is not UTF-8 text") from None
