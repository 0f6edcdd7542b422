"""Release artefacts: the wheel, the sdist, and the krew archive with its filled-in manifest.

``make dist`` runs ``python -m tools.dist``; :func:`tools.dist.build.build` is the code it calls
(the tests call it too). :mod:`tools.dist.krew` builds krew itself from the Go module proxy for
the install test. Only the standard library is used here: ``make dist`` needs no project venv.
"""
