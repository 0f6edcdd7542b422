"""``kubectl-grove`` (``kubectl grove`` once on PATH): the entry point.

It imports the app (the capability table, every capability and renderer: about 0.9 s) only
when a command needs it; ``version`` is answered before (about 0.05 s).
"""

from __future__ import annotations

import os
import sys

GLOBAL_FLAGS = ("-n", "--namespace", "--context", "--kubeconfig")
COMPLETE_VAR = "_KUBECTL_GROVE_COMPLETE"  # set by the shell's completion script


def hoist_global_flags(argv: list[str]) -> list[str]:
    """kubectl habit: ``kubectl grove -n ns status x`` means ``status x -n ns``. Flags given
    before the command are moved after it (options are accepted anywhere after it)."""
    hoisted: list[str] = []
    rest = list(argv)
    while rest and rest[0].startswith("-"):
        flag = rest[0].split("=", 1)[0]
        if flag not in GLOBAL_FLAGS:
            break
        take = 1 if "=" in rest[0] else 2
        hoisted += rest[:take]
        rest = rest[take:]
    return rest + hoisted if hoisted and rest else argv


def main() -> None:
    args = hoist_global_flags(sys.argv[1:])
    if not os.environ.get(COMPLETE_VAR) and args == ["version"]:
        from .version import version

        version()
        return
    from .pydantic_plugins import skip_discovery

    skip_discovery()  # before pydantic is imported
    from . import completion as shell_completion
    from .app import app

    if shell_completion.requested():  # a completion script asks: answer, exit at once
        shell_completion.answer(app)
    try:
        app(args=args)
    except SystemExit as done:
        if done.code == INTERRUPTED:
            leave_now()
        raise


INTERRUPTED = 130  # the exit code of Ctrl-C


def leave_now() -> None:
    """Ctrl-C: exit at once. A normal exit joins the worker threads, which would wait for
    API requests and scrapes in flight (up to their timeouts) after the user said stop."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(INTERRUPTED)


if __name__ == "__main__":
    main()
