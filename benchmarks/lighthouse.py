"""Lighthouse on the built site: every page built from docs/*.md.

``nox -s lighthouse`` runs it after building the site. It serves
docs/_build/html on localhost, runs Lighthouse (benchmarks/package.json) in
Debian's Chromium, with its default mobile settings, three times per page, and
prints the four category scores and the total transfer size of each page's
median run (by performance score, as Lighthouse advises, since the score
varies with the machine's load). The median runs' reports go to
docs/_build/lighthouse/.
A benchmark, not a test: it reports scores under the target and fails only
when Lighthouse cannot run. Arguments go to Lighthouse, for example
``nox -s lighthouse -- --preset=desktop``.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "docs" / "_build" / "html"
REPORTS = ROOT / "docs" / "_build" / "lighthouse"
LIGHTHOUSE = ROOT / "benchmarks" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
    " --disable-background-networking --disable-component-update --disable-sync"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGET = 95
RUNS = 3


class CompressingHandler(SimpleHTTPRequestHandler):
    """Serve text gzipped, as any static host does, so transfer sizes are realistic."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        text = path.suffix in {".html", ".css", ".js", ".svg", ".txt", ".xml", ".json"}
        if not (
            text
            and path.is_file()
            and "gzip" in self.headers.get("Accept-Encoding", "")
        ):
            return super().send_head()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        pass


def pages_to_measure() -> list[str]:
    """Every page built from docs/*.md, the landing page first."""
    pages = sorted(f"{source.stem}.html" for source in (ROOT / "docs").glob("*.md"))
    pages.remove("index.html")
    return ["index.html", *pages]


def run_lighthouse(url: str, report: Path, options: list[str]) -> dict:
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
            *options,
        ],
        check=True,
    )
    return json.loads(report.read_text(encoding="utf-8"))


def median_run(url: str, report: Path, options: list[str]) -> dict:
    runs = [
        run_lighthouse(url, report.with_suffix(f".{run}.json"), options)
        for run in range(RUNS)
    ]
    median = sorted(
        runs, key=lambda result: result["categories"]["performance"]["score"]
    )[RUNS // 2]
    report.write_text(json.dumps(median), encoding="utf-8")
    for run in range(RUNS):
        report.with_suffix(f".{run}.json").unlink()
    return median


def main(options: list[str]) -> None:
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(CompressingHandler, directory=HTML)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    REPORTS.mkdir(parents=True, exist_ok=True)
    print(
        f"{'page':32} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5} {'transfer':>10}"
    )
    below = []
    for page in pages_to_measure():
        result = median_run(
            f"http://127.0.0.1:{server.server_port}/{page}",
            REPORTS / f"{page}.json",
            options,
        )
        scores = [
            round(result["categories"][name]["score"] * 100) for name in CATEGORIES
        ]
        transfer = result["audits"]["total-byte-weight"]["numericValue"] / 1024
        print(
            f"{page:32} {scores[0]:5} {scores[1]:5} {scores[2]:5} {scores[3]:5}"
            f" {transfer:7.0f} KiB"
        )
        below += [
            f"{page} {name} {score}"
            for name, score in zip(CATEGORIES, scores)
            if score < TARGET
        ]
    server.shutdown()
    print(
        f"Below the target of {TARGET}: {', '.join(below)}"
        if below
        else f"Every score is at least {TARGET}."
    )
    print(f"Full reports: {REPORTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
