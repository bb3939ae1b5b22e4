"""Build the guide and check it. The work is done in guide_build/ and benchmarks/.

    nox -s lint        ruff check and ruff format --check, over all Python; actionlint,
                       zizmor and check-jsonschema over the workflows and Read the Docs
    nox -s docs        build docs/_build/html, executing every page (cached)
    nox -s docs-live   rebuild on every change, for authors
    nox -s tests       build, then test the built site, the claims, the helpers,
                       in Debian's Chromium too (installed with apt-get when missing)
    nox -s mutations   plant changes of Keras's behaviour; the right claims must fail
    nox -s matrix      run every claim on each Keras stack and check the committed
                       results in docs/_data/matrix/ (-- --update rewrites them)
    nox -s upstream    run every claim on the newest Keras, TensorFlow and JAX, and
                       report each claim whose outcome differs from the matrix
    nox -s bench       time the build against its floor (not a test; -- --repeat N)
    nox -s lighthouse  build, then benchmark the site's pages in Lighthouse

CI runs `nox -s lint tests matrix mutations`. GUIDE_REEXECUTE=1 re-executes every page
instead of using the execution cache.
"""

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]

# -j auto: independent pages execute in parallel kernels, one per core.
SPHINX_OPTIONS = ["-n", "-W", "--keep-going", "-j", "auto"]
SPHINX_ARGS = ["-b", "html", *SPHINX_OPTIONS, "docs", "docs/_build/html"]
CHROMIUM = "/usr/bin/chromium"
PYPROJECT = nox.project.load_toml("pyproject.toml")


def install(session, *extras):
    """The project, editable, with the pinned extras; `site` is the site's stack."""
    session.install("--upgrade", "pip")
    session.install("-e", f".[{','.join(extras)}]")


def install_chromium(session):
    """Debian's Chromium: the browser tests never download a browser of their own."""
    if not Path(CHROMIUM).exists():
        session.run("apt-get", "update", external=True)
        session.run("apt-get", "install", "-y", "chromium", external=True)


@nox.session
def lint(session):
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    workflows = sorted(str(path) for path in Path(".github/workflows").glob("*.yml"))
    session.run("actionlint", *workflows)
    session.run("zizmor", "--offline", *workflows)
    session.run(
        "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows
    )
    session.run(
        "check-jsonschema",
        "--builtin-schema",
        "vendor.readthedocs",
        ".readthedocs.yaml",
    )


@nox.session
def docs(session):
    install(session, "site", "docs")
    fresh = ["-E"] if os.environ.get("GUIDE_REEXECUTE") else []
    session.run("sphinx-build", *fresh, *SPHINX_ARGS)


@nox.session(name="docs-live")
def docs_live(session):
    install(session, "site", "docs", "live")
    session.run(
        "sphinx-autobuild", "--watch", "snippets", *SPHINX_ARGS, *session.posargs
    )


@nox.session(requires=["docs"])
def tests(session):
    install(session, "site", "docs", "test")
    install_chromium(session)
    session.run("pytest", "-m", "not mutation", *session.posargs)


@nox.session
def mutations(session):
    install(session, "site", "docs", "test")
    session.run("pytest", "-m", "mutation", "tests/test_mutations.py", *session.posargs)


@nox.session
def matrix(session):
    install(session, "site")
    session.run("python", "-m", "guide_build.matrix", *session.posargs)


@nox.session
def upstream(session):
    session.install("--upgrade", "pip")
    session.install("-e", ".")
    session.run("python", "-m", "guide_build.upstream", *session.posargs)


@nox.session
def bench(session):
    install(session, "site", "docs")
    options = " ".join(SPHINX_OPTIONS)
    session.run(
        "python", "benchmarks/build.py", "--sphinx-options", options, *session.posargs
    )


@nox.session(requires=["docs"])
def lighthouse(session):
    install_chromium(session)
    session.run(
        "npm", "ci", "--prefix", "benchmarks", "--no-audit", "--no-fund", external=True
    )
    session.run(
        "python",
        "benchmarks/lighthouse.py",
        *session.posargs,
        env={"CHROME_PATH": CHROMIUM},
    )
