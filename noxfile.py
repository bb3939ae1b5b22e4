"""Build the guide and test it.

    nox -s docs        build docs/_build/html, executing every page (cached)
    nox -s docs-live   rebuild on every change, for authors
    nox -s tests       build, then check the claims, doctests and built site,
                       in Debian's Chromium too (installed with apt-get when missing)
    nox -s lighthouse  build, then benchmark the landing page and the longest page

GUIDE_REEXECUTE=1 re-executes every page instead of using the cache.
"""

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]

SPHINX_ARGS = ["-b", "html", "-n", "-W", "--keep-going", "docs", "docs/_build/html"]
CHROMIUM = "/usr/bin/chromium"


def install(session, *extras):
    session.install("--upgrade", "pip")
    session.install("-e", f".[{','.join(extras)}]")


def install_chromium(session):
    """Debian's Chromium: the browser tests never download a browser of their own."""
    if not Path(CHROMIUM).exists():
        session.run("apt-get", "update", external=True)
        session.run("apt-get", "install", "-y", "chromium", external=True)


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
    install_chromium(session)
    session.run("pytest", *session.posargs)


@nox.session(requires=["docs"])
def lighthouse(session):
    install_chromium(session)
    session.run("npm", "ci", "--prefix", "benchmarks", "--no-audit", "--no-fund", external=True)
    session.run("python", "benchmarks/lighthouse.py", *session.posargs, env={"CHROME_PATH": CHROMIUM})
