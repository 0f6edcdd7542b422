"""The krew archive that ``make dist`` builds, built once here by the same code and then used the
way a user would: unpacked and run with a clean PATH, found by kubectl's plugin discovery, and
installed through real krew. The fast tests at the top check the manifest and the archive writer.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from tools.dist.build import (
    SHA256_PLACEHOLDER,
    SUPPORTED_PYTHONS,
    DistError,
    build,
    fill_manifest,
    glibc_floor,
    read_project,
    write_tar_gz,
)
from tools.dist.krew import KREW_VERSION, KrewMissing, find_krew

ROOT = Path(__file__).resolve().parents[2]
VERSION = read_project(ROOT).version
VERSION_LINE = f"kubectl-grove (grove-mcp) {VERSION}\n"
SYSTEM_PATH = "/usr/bin:/bin"


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("GROVE_REQUIRE_E2E") == "1":
        pytest.fail(f"GROVE_REQUIRE_E2E=1, but this test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


# --- the manifest and the archive writer (fast) --------------------------------------------------


def test_the_repo_manifest_is_a_template_for_this_version() -> None:
    template = (ROOT / "plugins" / "grove.yaml").read_text()
    project = read_project(ROOT)
    assert f'    sha256: "{SHA256_PLACEHOLDER}"\n' in template  # never a checksum nobody checked
    filled = fill_manifest(template, project, "ab" * 32)
    assert f'    sha256: "{"ab" * 32}"\n' in filled
    assert f"/releases/download/v{VERSION}/grove-mcp-v{VERSION}-linux-amd64.tar.gz" in filled
    assert re.search(r"^  name: grove$", filled, flags=re.M)


@pytest.mark.parametrize(
    ("edit", "complaint"),
    [
        (lambda t: t.replace(f"version: v{VERSION}", "version: v0.0.9"), "expected one version"),
        (lambda t: t.replace(f"download/v{VERSION}/", "download/v0.0.9/"), "expected one uri"),
        (
            lambda t: t.replace(f"from: grove-mcp-v{VERSION}-linux-amd64/*", "from: grove/*"),
            "expected one files.from",
        ),
        (
            lambda t: t.replace(SHA256_PLACEHOLDER, "0" * 64),
            "exactly one line 'sha256: \"FILLED-IN-BY-MAKE-DIST\"'",
        ),
    ],
)
def test_a_stale_manifest_is_refused_saying_what_to_fix(edit, complaint: str) -> None:
    template = edit((ROOT / "plugins" / "grove.yaml").read_text())
    with pytest.raises(DistError, match=re.escape(complaint)) as err:
        fill_manifest(template, read_project(ROOT), "ab" * 32)
    assert "plugins/grove.yaml" in str(err.value)


def test_the_archive_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    top = tmp_path / "stage" / "grove-mcp-v9.9.9-linux-amd64"
    (top / "wheels").mkdir(parents=True)
    (top / "wheels" / "a-1-py3-none-any.whl").write_bytes(b"wheel")
    (top / "kubectl-grove").write_text("#!/bin/sh\n")
    (top / "kubectl-grove").chmod(0o700)
    write_tar_gz(top, tmp_path / "one.tar.gz", mtime=1_700_000_000)
    os.utime(top / "kubectl-grove", (0, 0))  # what the disk says about times does not matter
    (top / "wheels" / "a-1-py3-none-any.whl").chmod(0o600)
    write_tar_gz(top, tmp_path / "two.tar.gz", mtime=1_700_000_000)
    assert (tmp_path / "one.tar.gz").read_bytes() == (tmp_path / "two.tar.gz").read_bytes()
    with tarfile.open(tmp_path / "one.tar.gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert list(members) == [
        "grove-mcp-v9.9.9-linux-amd64",
        "grove-mcp-v9.9.9-linux-amd64/kubectl-grove",
        "grove-mcp-v9.9.9-linux-amd64/wheels",
        "grove-mcp-v9.9.9-linux-amd64/wheels/a-1-py3-none-any.whl",
    ]
    launcher = members["grove-mcp-v9.9.9-linux-amd64/kubectl-grove"]
    assert (launcher.mode, launcher.uid, launcher.uname, launcher.mtime) == (
        0o755,
        0,
        "",
        1_700_000_000,
    )
    assert members["grove-mcp-v9.9.9-linux-amd64/wheels/a-1-py3-none-any.whl"].mode == 0o644


def test_glibc_floor_is_the_newest_any_wheel_needs() -> None:
    names = [
        "rich-14.0.0-py3-none-any.whl",
        "charset_normalizer-3.5-cp313-cp313-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl",
        "pydantic_core-2.5-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
    ]
    assert glibc_floor(names) == (2, 17)
    assert glibc_floor([*names, "x-1-cp311-abi3-manylinux_2_28_x86_64.whl"]) == (2, 28)
    assert glibc_floor(names[:1]) == (0, 0)


# --- the real archive ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory):
    """``make dist``'s build, once per session, into a temporary directory."""
    return build(tmp_path_factory.mktemp("dist"), root=ROOT)  # its progress: in the captured stderr


def _unpack(archive: Path, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into)  # our own archive, just built
    (top,) = into.iterdir()
    return top


def _suitable(python: str) -> bool:
    probe = "import sys, venv, ensurepip; sys.exit(f'{sys.version_info[0]}.{sys.version_info[1]}' not in sys.argv[1:])"
    return (
        subprocess.run(
            [python, "-c", probe, *SUPPORTED_PYTHONS], capture_output=True, check=False
        ).returncode
        == 0
    )


def _clean_env(home: Path, path: str) -> dict[str, str]:
    """No inherited VIRTUAL_ENV, PYTHONPATH, PIP_* or KUBECONFIG: a fresh login with this PATH.
    When /usr/bin/python3 cannot serve (another distribution), GROVE_PYTHON names the test's."""
    env = {"HOME": str(home), "PATH": path, "LANG": "C.UTF-8"}
    if not _suitable("/usr/bin/python3"):
        env["GROVE_PYTHON"] = sys.executable
    return env


def _run(
    args: list[str | Path], env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], env=env, capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def _kubectl() -> Path:
    found = shutil.which("kubectl", path=SYSTEM_PATH) or shutil.which("kubectl")
    if found is None:
        _unavailable("kubectl is not installed (Debian: apt install kubernetes-client)")
    return Path(found)


@pytest.fixture(scope="session")
def unpacked(dist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive unpacked and run once (the first run, timed), like `tar -xzf` by hand."""
    top = _unpack(dist.archive, tmp_path_factory.mktemp("unpacked"))
    home = tmp_path_factory.mktemp("home")
    env = _clean_env(home, f"{top}:{SYSTEM_PATH}")
    t0 = time.monotonic()
    first = _run(["kubectl-grove", "version"], env)
    first_run_s = time.monotonic() - t0
    assert (first.returncode, first.stdout) == (0, VERSION_LINE), first.stderr
    assert f"first run: installing grove-mcp {VERSION}" in first.stderr
    assert (top / "venv" / ".grove-ready").read_text() == f"{VERSION}\n"
    print(f"first run: {first_run_s:.1f} s")
    return top


@pytest.mark.dist
def test_make_dist_writes_a_manifest_whose_sha256_is_the_archives(dist) -> None:
    digest = hashlib.sha256(dist.archive.read_bytes()).hexdigest()
    assert dist.sha256 == digest
    manifest = dist.manifest.read_text()
    assert re.findall(r'^    sha256: "(\S+)"$', manifest, flags=re.M) == [digest]
    assert f"/v{VERSION}/{dist.archive.name}\n" in manifest
    assert dist.manifest.name == "grove.yaml"  # krew wants the file named after the plugin
    sums = dist.archive.with_name(dist.archive.name + ".sha256").read_text()
    assert sums == f"{digest}  {dist.archive.name}\n"  # the format `sha256sum -c` reads
    assert dist.glibc >= (2, 5) and dist.glibc <= (2, 28)


@pytest.mark.dist
def test_the_archive_holds_the_launcher_and_a_wheel_for_every_supported_python(dist) -> None:
    stem = f"grove-mcp-v{VERSION}-linux-amd64"
    with tarfile.open(dist.archive) as tar:
        names = tar.getnames()
        launcher = tar.getmember(f"{stem}/kubectl-grove")
        script = tar.extractfile(launcher).read().decode()  # type: ignore[union-attr]
    assert launcher.mode == 0o755
    assert f"GROVE_VERSION='{VERSION}'\nSUPPORTED='{' '.join(SUPPORTED_PYTHONS)}'\n" in script
    assert "@VERSION@" not in script and "@PYTHONS@" not in script
    assert all(n == stem or n.startswith(f"{stem}/") for n in names)
    wheels = {
        n.rsplit("/", 1)[1] for n in names if n.startswith(f"{stem}/wheels/") and n.endswith(".whl")
    }
    assert f"grove_mcp-{VERSION}-py3-none-any.whl" in wheels
    assert any(w.startswith("textual-") for w in wheels)  # the [tui] extra
    for (
        version
    ) in SUPPORTED_PYTHONS:  # a binary dependency, for each interpreter the launcher takes
        tag = "cp" + version.replace(".", "")
        assert any(
            w.startswith("pydantic_core-") and f"-{tag}-{tag}-manylinux" in w for w in wheels
        ), version
    assert f"{stem}/README.md" in names and f"{stem}/INSTALL.md" in names


@pytest.mark.dist
def test_the_wheel_is_built_from_the_sdist_and_carries_the_package_data(dist) -> None:
    with tarfile.open(dist.sdist) as tar:
        sdist = tar.getnames()
    assert f"grove_mcp-{VERSION}/pyproject.toml" in sdist
    assert any(n.startswith(f"grove_mcp-{VERSION}/prompts/") for n in sdist)
    with zipfile.ZipFile(dist.wheel) as whl:
        inside = whl.namelist()
        entry_points = whl.read(f"grove_mcp-{VERSION}.dist-info/entry_points.txt").decode()
    assert any(n.startswith("grove_mcp/prompts/") for n in inside)
    assert "kubectl-grove = grove_mcp.cli.main:main" in entry_points


@pytest.mark.dist
def test_the_unpacked_archive_runs_with_a_clean_path(unpacked: Path, tmp_path: Path) -> None:
    env = _clean_env(tmp_path, f"{unpacked}:{SYSTEM_PATH}")
    again = _run(["kubectl-grove", "version"], env)
    assert (again.returncode, again.stdout, again.stderr) == (
        0,
        VERSION_LINE,
        "",
    )  # no second set-up
    demo = _run(["kubectl-grove", "status", "my-inference", "--demo"], env)
    assert demo.returncode in (0, 1), demo.stderr  # 0 healthy, 1 problems found: both are answers
    assert "my-inference" in demo.stdout
    textual = _run([unpacked / "venv" / "bin" / "python", "-c", "import textual"], env)
    assert textual.returncode == 0, textual.stderr  # `kubectl grove tui` has what it needs


@pytest.mark.dist
def test_kubectl_finds_the_plugin_on_path(unpacked: Path, tmp_path: Path) -> None:
    kubectl = _kubectl()
    env = _clean_env(tmp_path, f"{unpacked}:{kubectl.parent}:{SYSTEM_PATH}")
    listed = _run([kubectl, "plugin", "list"], env)
    assert str(unpacked / "kubectl-grove") in listed.stdout, listed.stdout + listed.stderr
    result = _run([kubectl, "grove", "version"], env)
    assert (result.returncode, result.stdout) == (0, VERSION_LINE), result.stderr


@pytest.mark.dist
def test_without_a_suitable_python_the_launcher_says_what_it_needs(dist, tmp_path: Path) -> None:
    top = _unpack(dist.archive, tmp_path / "unpacked")
    tools = tmp_path / "bin"  # what the launcher runs before it looks for Python, and no python3
    tools.mkdir()
    for name in ("readlink", "dirname"):
        (tools / name).symlink_to(shutil.which(name, path=SYSTEM_PATH) or name)
    env = {"HOME": str(tmp_path), "PATH": f"{top}:{tools}", "LANG": "C.UTF-8"}
    missing = _run(["/bin/sh", top / "kubectl-grove", "version"], env)
    assert missing.returncode == 4 and missing.stdout == ""
    assert "needs Python 3.11 3.12 3.13 with the venv module" in missing.stderr
    assert "python3: not found" in missing.stderr and "python3.11: not found" in missing.stderr
    named = _run(
        ["/bin/sh", top / "kubectl-grove", "version"],
        {**env, "GROVE_PYTHON": str(tmp_path / "nope")},
    )
    assert named.returncode == 4
    assert f"GROVE_PYTHON cannot be used:\n  {tmp_path / 'nope'}: not found" in named.stderr
    assert not (top / "venv").exists()


def _older_python() -> str | None:
    """A real interpreter older than 3.11: python3.10 … on PATH, or one pyenv has."""
    found = [shutil.which(p) for p in ("python3.10", "python3.9", "python3.8")]
    if pyenv := shutil.which("pyenv"):
        listed = subprocess.run(
            [pyenv, "versions", "--bare"], capture_output=True, text=True, check=False
        )
        for version in listed.stdout.split():
            if re.fullmatch(r"3\.([0-9]|10)\.\d+", version):
                prefix = subprocess.run(
                    [pyenv, "prefix", version], capture_output=True, text=True, check=False
                )
                found.append(str(Path(prefix.stdout.strip()) / "bin" / "python3"))
    for python in filter(None, found):
        probe = "import sys; print(sys.executable if sys.version_info < (3, 11) else '')"
        ran = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False)
        if ran.returncode == 0 and ran.stdout.strip():
            return ran.stdout.strip()  # the interpreter itself, not a shim that needs its own PATH
    return None


@pytest.mark.dist
def test_an_unsupported_python_is_named_with_its_version(dist, tmp_path: Path) -> None:
    old = _older_python()
    if old is None:
        pytest.skip("no Python older than 3.11 on this machine to offer the launcher")
    top = _unpack(dist.archive, tmp_path / "unpacked")
    env = {"HOME": str(tmp_path), "PATH": f"{top}:{SYSTEM_PATH}", "GROVE_PYTHON": old}
    result = _run(["kubectl-grove", "version"], env)
    assert result.returncode == 4
    want = f"GROVE_PYTHON cannot be used:\n  {old}: Python 3."
    assert want in result.stderr and "(supported: 3.11 3.12 3.13)" in result.stderr, result.stderr
    assert not (top / "venv").exists()


@pytest.fixture(scope="session")
def krew() -> Path:
    try:
        return find_krew(build=True)
    except KrewMissing as err:
        reason = f"krew {KREW_VERSION} cannot be built: {err}"
    _unavailable(reason)


@pytest.fixture
def krew_env(krew: Path, tmp_path: Path) -> dict[str, str]:
    """A fresh KREW_ROOT whose default index is a local git repository (initialised by a real
    ``krew update``), kubectl and ``kubectl-krew`` on PATH, and no upgrade check: no network."""
    kubectl = _kubectl()
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "kubectl-krew").symlink_to(krew)
    index = tmp_path / "index"
    (index / "plugins").mkdir(parents=True)
    krew_root = tmp_path / "krew"
    env = {
        **_clean_env(tmp_path, f"{krew_root / 'bin'}:{tools}:{kubectl.parent}:{SYSTEM_PATH}"),
        "KREW_ROOT": str(krew_root),
        "KREW_DEFAULT_INDEX_URI": str(index),
        "KREW_NO_UPGRADE_CHECK": "1",
    }
    git = ["git", "-C", str(index), "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for args in (["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "empty index"]):
        assert _run([*git, *args], env).returncode == 0
    updated = _run([krew, "update"], env)
    assert updated.returncode == 0, updated.stderr
    return env


def _publish(env: dict[str, str], manifest: str) -> None:
    """Commit ``manifest`` to the local index as plugins/grove.yaml and let krew fetch it."""
    index = Path(env["KREW_DEFAULT_INDEX_URI"])
    (index / "plugins" / "grove.yaml").write_text(manifest)
    git = ["git", "-C", str(index), "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for args in (["add", "plugins/grove.yaml"], ["commit", "-q", "-m", "grove"]):
        assert _run([*git, *args], env).returncode == 0
    updated = _run(["kubectl", "krew", "update"], env)
    assert updated.returncode == 0, updated.stderr


@pytest.mark.dist
def test_krew_installs_the_local_manifest_and_archive(dist, krew_env: dict[str, str]) -> None:
    krew_root = Path(krew_env["KREW_ROOT"])

    def install(manifest: Path) -> subprocess.CompletedProcess[str]:
        return _run(
            ["kubectl", "krew", "install", f"--manifest={manifest}", f"--archive={dist.archive}"],
            krew_env,
        )

    template = install(ROOT / "plugins" / "grove.yaml")  # the placeholder never installs
    assert template.returncode != 0
    assert f"`sha256` value {SHA256_PLACEHOLDER} is not valid" in template.stderr
    tampered = krew_root.parent / "tampered" / "grove.yaml"
    tampered.parent.mkdir()
    other = hashlib.sha256(b"another archive").hexdigest()
    tampered.write_text(dist.manifest.read_text().replace(dist.sha256, other))
    refused = install(tampered)
    assert refused.returncode != 0 and "checksum does not match" in refused.stderr, refused.stderr
    assert not (krew_root / "bin" / "kubectl-grove").exists()

    installed = install(dist.manifest)
    assert installed.returncode == 0, installed.stderr
    assert "Installed plugin: grove" in installed.stderr + installed.stdout
    store = krew_root / "store" / "grove" / f"v{VERSION}"
    assert (krew_root / "bin" / "kubectl-grove").resolve() == store / "kubectl-grove"

    result = _run(["kubectl", "grove", "version"], krew_env)
    assert (result.returncode, result.stdout) == (0, VERSION_LINE), result.stderr
    assert f"into {store / 'venv'}" in result.stderr  # the first run, beside the plugin
    listed = _run(["kubectl", "krew", "list"], krew_env)
    assert listed.stdout.split() == ["detached/grove"], (
        listed.stdout + listed.stderr
    )  # not from an index

    removed = _run(["kubectl", "krew", "uninstall", "grove"], krew_env)
    assert removed.returncode == 0, removed.stderr
    assert not store.exists()  # the private venv goes with the plugin
    assert not (krew_root / "bin" / "kubectl-grove").exists()


@pytest.fixture
def served(dist) -> Iterator[str]:
    """The dist directory over HTTP on loopback, as a release page would serve the archive."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(dist.archive.parent)
    )
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join(timeout=10)


@pytest.mark.dist
def test_kubectl_krew_install_grove_from_an_index(
    dist, krew_env: dict[str, str], served: str
) -> None:
    """What users run once the manifest is in krew-index: the index here is a local git repo and
    the release page a loopback server; krew downloads the archive and checks its sha256."""
    published = re.sub(
        r"(?m)^    uri: \S+$", f"    uri: {served}/{dist.archive.name}", dist.manifest.read_text()
    )
    assert published != dist.manifest.read_text()
    _publish(krew_env, published)
    installed = _run(["kubectl", "krew", "install", "grove"], krew_env)
    assert installed.returncode == 0, installed.stderr
    result = _run(["kubectl", "grove", "version"], krew_env)
    assert (result.returncode, result.stdout) == (0, VERSION_LINE), result.stderr
    assert "first run" in result.stderr
    listed = _run(["kubectl", "krew", "list"], krew_env)
    assert listed.stdout.split() == ["grove"], (
        listed.stdout + listed.stderr
    )  # from the default index
