"""Throw-away keys and certificates for the test API server, made with the ``openssl`` command.

A CA, a serving certificate it signed for ``127.0.0.1``/``localhost`` (written as
``apiserver.crt``/``apiserver.key`` into the ``--cert-dir``, where kube-apiserver picks them
up), and the RSA key pair that signs service-account tokens. Clients trust ``ca.crt``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

DAYS = "2"
SERVING_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
"""


def write_pki(directory: Path) -> dict[str, Path]:
    """Create the files in ``directory``; return their paths by role."""
    directory.mkdir(parents=True, exist_ok=True)
    cert_dir = directory / "serving"
    cert_dir.mkdir(exist_ok=True)
    paths = {
        "ca": directory / "ca.crt",
        "ca_key": directory / "ca.key",
        "cert_dir": cert_dir,
        "serving": cert_dir / "apiserver.crt",
        "serving_key": cert_dir / "apiserver.key",
        "sa_private": directory / "sa.key",
        "sa_public": directory / "sa.pub",
    }
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-days", DAYS, "-subj", "/CN=grove-envtest-ca",
             "-keyout", paths["ca_key"], "-out", paths["ca"])  # fmt: skip
    csr = directory / "apiserver.csr"
    _openssl("req", "-new", *ec, "-subj", "/CN=kube-apiserver",
             "-keyout", paths["serving_key"], "-out", csr)  # fmt: skip
    extensions = directory / "serving.ext"
    extensions.write_text(SERVING_EXTENSIONS)
    _openssl("x509", "-req", "-in", csr, "-CA", paths["ca"], "-CAkey", paths["ca_key"],
             "-CAcreateserial", "-days", DAYS, "-extfile", extensions,
             "-out", paths["serving"])  # fmt: skip
    _openssl("genrsa", "-out", paths["sa_private"], "2048")
    _openssl("rsa", "-in", paths["sa_private"], "-pubout", "-out", paths["sa_public"])
    return paths


def _openssl(*args: object) -> None:
    try:
        run = subprocess.run(
            ["openssl", *map(str, args)], capture_output=True, text=True, check=False
        )
    except FileNotFoundError as err:
        raise RuntimeError("the openssl command is needed to make the test certificates") from err
    if run.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {run.stderr.strip()}")
