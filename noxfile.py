"""Build the guide and test it.

    nox -s docs        build docs/_build/html, executing every page (cached)
    nox -s docs-live   rebuild on every change, for authors
    nox -s matrix      run every claim on each Keras stack; keep the results in
                       docs/_data/matrix/ (commit them when they change)
    nox -s tests       run the matrix, build, then check the claims, doctests,
                       the built site and that the committed matrix is current,
                       in Debian's Chromium too (installed with apt-get when missing)
    nox -s bench       time the build against its floor (not a test; -- --repeat N)
    nox -s lighthouse  build, then benchmark the landing page and the longest page

GUIDE_REEXECUTE=1 re-executes every page instead of using the cache.
"""

import json
import os
import shutil
import sys
import tomllib
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent / "snippets"))
from keras_guide.matrix import same_results  # noqa: E402
from keras_guide.stacks import SITE_STACK, STACKS  # noqa: E402

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]

# -j auto: independent pages execute in parallel kernels, one per core.
SPHINX_OPTIONS = ["-n", "-W", "--keep-going", "-j", "auto"]
SPHINX_ARGS = ["-b", "html", *SPHINX_OPTIONS, "docs", "docs/_build/html"]
CHROMIUM = "/usr/bin/chromium"
MATRIX_DATA = Path("docs/_data/matrix")
MATRIX_RUN = Path("docs/_build/matrix")


def install(session, *extras):
    session.install("--upgrade", "pip")
    session.install("-e", f".[{','.join(extras)}]")


def read_json(path):
    return json.loads(path.read_text(encoding="utf-8"))


def extra_requirements(extra):
    pyproject = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["project"]["optional-dependencies"][extra]


def install_chromium(session):
    """Debian's Chromium: the browser tests never download a browser of their own."""
    if not Path(CHROMIUM).exists():
        session.run("apt-get", "update", external=True)
        session.run("apt-get", "install", "-y", "chromium", external=True)


@nox.session
def docs(session):
    install(session, *STACKS[SITE_STACK].extras, "docs")
    fresh = ["-E"] if os.environ.get("GUIDE_REEXECUTE") else []
    session.run("sphinx-build", *fresh, *SPHINX_ARGS)


@nox.session(name="docs-live")
def docs_live(session):
    install(session, *STACKS[SITE_STACK].extras, "docs", "live")
    session.run("sphinx-autobuild", "--watch", "snippets", *SPHINX_ARGS, *session.posargs)


@nox.session
@nox.parametrize("stack", list(STACKS))
def matrix(session, stack):
    """Run the claims on one stack; update its committed results if they changed."""
    spec = STACKS[stack]
    install(session, *spec.extras)
    if spec.replaces:
        session.run_install("pip", "uninstall", "--yes", spec.replaces)
        session.install("--force-reinstall", "--no-deps", *extra_requirements(spec.extras[-1]))
    fresh = MATRIX_RUN / f"{stack}.json"
    env = {**spec.env, "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
    if not session.run("python", "-m", "keras_guide.matrix", stack, str(fresh), env=env):
        return  # nox --install-only

    committed = MATRIX_DATA / f"{stack}.json"
    if committed.exists() and same_results(read_json(committed), read_json(fresh)):
        session.log(f"{committed} is current")
    else:
        committed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fresh, committed)
        session.warn(f"{committed} changed: commit it (the tests fail until it is committed)")


@nox.session
def bench(session):
    install(session, *STACKS[SITE_STACK].extras, "docs")
    session.run(
        "python", "benchmarks/build.py", "--sphinx-options", " ".join(SPHINX_OPTIONS),
        *session.posargs,
    )


@nox.session(requires=["matrix", "docs"])
def tests(session):
    install(session, *STACKS[SITE_STACK].extras, "docs", "test")
    install_chromium(session)
    session.run("pytest", *session.posargs)


@nox.session(requires=["docs"])
def lighthouse(session):
    install_chromium(session)
    session.run("npm", "ci", "--prefix", "benchmarks", "--no-audit", "--no-fund", external=True)
    session.run("python", "benchmarks/lighthouse.py", *session.posargs, env={"CHROME_PATH": CHROMIUM})
