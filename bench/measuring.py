"""What every benchmark records beside its figures: when, on which machine, how busy it was, and memory.

Figures measured on two shared cores mean little without the load they were measured under, so each
result file says it the same way (`environment`), and the memory of a server process is read the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def process_memory_mib(pid: int) -> dict[str, float]:
    """Resident memory now and at its peak (the kernel's VmHWM, which no sampling can miss), in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return {"rss_mib": fields["VmRSS"], "peak_mib": fields["VmHWM"]}


def write_results(name: str, figures: dict, load_before: tuple[float, float, float]) -> Path:
    """bench/results/<name>.json: the figures with the time, the machine and its load before and after."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "environment": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        **figures,
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Geschrieben: {path.relative_to(RESULTS.parent.parent)}")
    return path
