"""What a process holds, read from Linux's /proc: its threads, its TCP connections, the
processes of a process group; and a bounded wait for a condition on them. For tests that check
nothing leaks after a call ends (no dependency beyond the standard library)."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

LISTEN = "0A"


def threads(pid: int) -> int:
    """The number of threads of process ``pid``."""
    return len(os.listdir(f"/proc/{pid}/task"))


def tcp_peers(pid: int) -> Counter[str]:
    """The TCP connections process ``pid`` holds open, counted by what they are: ``from
    :PORT`` for one accepted on its listening port PORT, ``to ADDRESS:PORT`` for one it opened
    (ephemeral ports are not compared: a keep-alive connection may be replaced). A connection
    the peer closed but ``pid`` did not (CLOSE_WAIT) still counts: it leaks."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed while we looked
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    rows = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                rows.append((_address(fields[1]), _address(fields[2]), fields[3]))
    listening = {local.rpartition(":")[2] for local, _, state in rows if state == LISTEN}
    peers: Counter[str] = Counter()
    for local, remote, state in rows:
        if state != LISTEN:
            port = local.rpartition(":")[2]
            peers[f"from :{port}" if port in listening else f"to {remote}"] += 1
    return peers


def _address(hex_address: str) -> str:
    host, port = hex_address.split(":")
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        ip = ".".join(str(b) for b in reversed(raw))
    else:  # IPv6: four little-endian 32-bit words
        ip = ":".join(raw[i : i + 4][::-1].hex() for i in range(0, 16, 4))
    return f"{ip}:{int(port, 16)}"


def group(pgid: int) -> list[int]:
    """The live processes of process group ``pgid`` (zombies, exited but not reaped, left out)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone while we looked
            continue
        fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def within(check: Callable[[], bool], seconds: float, what: str) -> float:
    """Poll ``check`` (every 20 ms) until it holds; the seconds it took. Fails the test,
    naming ``what``, when ``seconds`` pass first."""
    start = time.monotonic()
    while not check():
        waited = time.monotonic() - start
        assert waited < seconds, f"{what}: not within {seconds:g} s"
        time.sleep(0.02)  # polling interval, bounded by ``seconds``
    return time.monotonic() - start
