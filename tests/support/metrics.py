"""Reading a service's Prometheus /metrics page."""

import asyncio
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
"""Sample values by name and sorted labels."""


def scrape(target: str) -> Samples:
    """Every sample of the /metrics page at `target` (host:port)."""
    with urllib.request.urlopen(f"http://{target}/metrics", timeout=5) as reply:
        text = reply.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def sample(target: str, name: str, **labels: str) -> float:
    """One sample's value (0 if the page has none by that name and labels)."""
    samples = await asyncio.to_thread(scrape, target)
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)
