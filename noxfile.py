"""Build the guide and check it. The work is done in guide_build/ and benchmarks/.

    nox -s lint        ruff check and ruff format --check, over all Python; actionlint,
                       zizmor and check-jsonschema over the workflows, Dependabot's
                       and Read the Docs' files
    nox -s docs        build docs/_build/html, executing every page (cached)
    nox -s docs-live   rebuild on every change, for authors
    nox -s wheel       build the helpers' wheel (snippets/) into dist/
    nox -s unit        the tests that need no built site and no browser, in seconds
    nox -s tests       build the site and the wheel, then every test: the unit tests,
                       the built site against the claim matrix's record, the
                       records of the planted behaviour changes, the readers'
                       notebooks and the blocks, and the browser tests in Debian's
                       Chromium (installed with apt-get when missing). Each page
                       executes once, in the build.
    nox -s record      run the planted changes, the readers' notebooks and the
                       blocks the prose gives whole whose record (tests/records/)
                       was made with other code, and rewrite it
    nox -s matrix      run every claim on each Keras stack whose code changed since
                       keras_guide/results/ recorded it, one stack per core
                       (-- --update rewrites the record, -- --all runs every page
                       again, -- STACK ... runs those stacks)
    nox -s sweep       the same for every earlier Keras 3 release and Colab's set-up
    nox -s upstream    run every claim on the newest Keras, TensorFlow and JAX, and
                       report each claim whose outcome differs from the matrix
    nox -s bench       time the build against its floor (not a test; -- --repeat N)
    nox -s lighthouse  build, then benchmark the site's pages in Lighthouse

CI runs `nox -s lint tests`. GUIDE_REEXECUTE=1 re-executes every page instead of
using the execution cache.
"""

import os
import shutil
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent))  # the tooling, without installing it
from guide_build.chromium import MISSING, find_chromium  # noqa: E402
from guide_build.lean_install import find_links  # noqa: E402

# uv makes the environments and installs into them: the tests' packages in
# seconds, where pip took two minutes. The README's commands install it beside nox.
nox.options.default_venv_backend = "uv"
# uv compiles the bytecode as it installs, as pip does: where Python may not write
# it (PYTHONDONTWRITEBYTECODE, set on some machines), every kernel would compile
# TensorFlow again, 13 s per import instead of 6.
os.environ["UV_COMPILE_BYTECODE"] = "1"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]

# Independent pages execute in parallel kernels, one more than there are cores:
# each kernel computes on one thread (docs/conf.py), and a core has work while a
# kernel starts up.
KERNELS = (os.cpu_count() or 1) + 1
SPHINX_OPTIONS = ["-n", "-W", "--keep-going", "-j", str(KERNELS)]
SPHINX_ARGS = ["-b", "html", *SPHINX_OPTIONS, "docs", "docs/_build/html"]
PYPROJECT = nox.project.load_toml("pyproject.toml")
# Every uv and pip that nox runs, and those it starts (the matrix's environments),
# also looks at PyTorch's page of CPU wheels, where this machine can reach it:
# `torch==2.13.0` then resolves to the CPU build instead of PyPI's CUDA build
# (guide_build/lean_install.py).
os.environ.update(find_links())


def install(session, *extras):
    """The helpers (snippets/) and the site's tooling, editable, with the pinned
    extras; `site` is the site's stack."""
    session.install("--upgrade", "pip")
    session.install("-e", "snippets", "-e", f".[{','.join(extras)}]")


def build_wheel(session):
    """The helpers' wheel, in dist/, from the setuptools that `test` pins: no
    download while it builds. setuptools' scratch folder goes with it."""
    shutil.rmtree("dist", ignore_errors=True)
    session.run(
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        "dist",
        "./snippets",
    )
    shutil.rmtree("snippets/build", ignore_errors=True)


def chromium(session) -> str:
    """The distribution's Chromium (the browser tests never download a browser of
    their own): where Debian or Ubuntu installs it; installed with apt-get where
    this runs as root (CI), or the session stops and says what to install."""
    if not find_chromium() and os.geteuid() == 0 and shutil.which("apt-get"):
        session.run("apt-get", "update", external=True)
        session.run("apt-get", "install", "-y", "chromium", external=True)
    return find_chromium() or session.error(MISSING)


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
    session.run(
        "check-jsonschema",
        "--builtin-schema",
        "vendor.dependabot",
        ".github/dependabot.yml",
    )


def build(session):
    fresh = ["-E"] if os.environ.get("GUIDE_REEXECUTE") else []
    session.run("sphinx-build", *fresh, *SPHINX_ARGS)


@nox.session
def docs(session):
    install(session, "site", "docs")
    build(session)


@nox.session(name="docs-live")
def docs_live(session):
    install(session, "site", "docs", "live")
    session.run(
        "sphinx-autobuild", "--watch", "snippets", *SPHINX_ARGS, *session.posargs
    )


@nox.session
def unit(session):
    install(session, "site", "docs", "test")
    build_wheel(session)
    session.run("pytest", "--ignore=tests/site", *session.posargs)


@nox.session
def tests(session):
    install(session, "site", "docs", "test", "browser")
    chromium(session)
    build_wheel(session)
    build(session)
    session.run("pytest", "-n", "auto", *session.posargs)


@nox.session
def wheel(session):
    install(session, "test")
    build_wheel(session)


@nox.session
def matrix(session):
    install(session, "site")
    session.run("python", "-m", "guide_build.matrix", *session.posargs)


@nox.session
def record(session):
    install(session, "site", "docs", "test")
    build_wheel(session)
    session.run("python", "-m", "guide_build.records", "--update", *session.posargs)


@nox.session
def sweep(session):
    install(session, "site")
    session.run(
        "python", "-m", "guide_build.matrix", "--group", "sweep", *session.posargs
    )


@nox.session
def upstream(session):
    session.install("--upgrade", "pip")
    session.install("-e", "snippets", "-e", ".")
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
    browser = chromium(session)
    session.run(
        "npm", "ci", "--prefix", "benchmarks", "--no-audit", "--no-fund", external=True
    )
    session.run(
        "python",
        "benchmarks/lighthouse.py",
        *session.posargs,
        env={"CHROME_PATH": browser},
    )
