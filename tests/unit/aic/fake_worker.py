"""A stand-in for ``python -m grove_mcp.aic.worker``: speaks the protocol without AIConfigurator.

    fake_worker.py <behaviour> [fixture.json]

Behaviours: ok (progress, noise, result), slow (1.5 s silence, then ok), error:<kind>,
crash (stderr, exit 3), hang (sleeps), echo (returns the request it read as the error message),
estimate (answers an estimate request: every point an error naming its label and mode).
"""

from __future__ import annotations

import json
import os
import sys
import time


def send(payload: dict) -> None:
    print(json.dumps(payload), flush=True)


def progress(phase: str, fraction: float) -> None:
    send(
        {
            "type": "progress",
            "progress": {"phase": phase, "message": phase, "elapsed_s": 0.0, "fraction": fraction},
        }
    )


def main() -> int:
    request = sys.stdin.read()
    behaviour = sys.argv[1]
    if behaviour == "echo":
        send({"type": "error", "error": {"kind": "failed", "message": request}})
    elif behaviour.startswith("error:"):
        kind = behaviour.split(":", 1)[1]
        send(
            {
                "type": "error",
                "error": {
                    "kind": kind,
                    "message": f"fake {kind}",
                    "what": "system",
                    "value": "h999",
                    "supported": ["b200_sxm", "h200_sxm"],
                },
            }
        )
    elif behaviour == "estimate":
        asked = json.loads(request)
        progress("estimating", 0.5)
        points = [
            {
                "label": point["label"],
                **dict.fromkeys(
                    (
                        "ttft_ms",
                        "tpot_ms",
                        "tokens_per_second_per_gpu",
                        "tokens_per_second_per_user",
                        "requests_per_second",
                        "request_latency_ms",
                    )
                ),
                "error": f"fake: {point['mode']} point not modelled",
            }
            for point in asked["points"]
        ]
        run = {
            "request": asked,
            "aiconfigurator_version": "fake",
            "backend_version": None,
            "points": points,
        }
        send({"type": "result", "run": run})
    elif behaviour == "crash":
        print("Traceback: something broke inside", file=sys.stderr, flush=True)
        return 3
    elif behaviour == "hang":
        if os.environ.get("FAKE_PID_FILE"):
            with open(os.environ["FAKE_PID_FILE"], "w") as f:
                f.write(str(os.getpid()))
        progress("searching_agg", 0.2)
        time.sleep(60)
    else:
        if behaviour == "slow":
            time.sleep(1.5)
        progress("loading_model", 0.1)
        print("not json: AIConfigurator chatter", flush=True)
        progress("searching_agg", 0.5)
        with open(sys.argv[2]) as f:
            send({"type": "result", "run": json.load(f)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
