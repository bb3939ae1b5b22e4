"""Build the guide and test it.

    nox -s docs        build docs/_build/html, executing every page (cached)
    nox -s docs-live   rebuild on every change, for authors
    nox -s tests       build, then check the claims, doctests and built site

GUIDE_REEXECUTE=1 re-executes every page instead of using the cache.
"""

import os

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]

SPHINX_ARGS = ["-b", "html", "-n", "-W", "--keep-going", "docs", "docs/_build/html"]


def install(session, *extras):
    session.install("--upgrade", "pip")
    session.install("-e", f".[{','.join(extras)}]")


@nox.session
def docs(session):
    install(session, "docs")
    fresh = ["-E"] if os.environ.get("GUIDE_REEXECUTE") else []
    session.run("sphinx-build", *fresh, *SPHINX_ARGS)


@nox.session(name="docs-live")
def docs_live(session):
    install(session, "docs", "live")
    session.run("sphinx-autobuild", "--watch", "snippets", *SPHINX_ARGS, *session.posargs)


@nox.session(requires=["docs"])
def tests(session):
    install(session, "docs", "test")
    session.run("pytest", *session.posargs)
