// The reader's Keras: a choice of stack, kept across pages, that marks every
// claim with its outcome there (docs/_ext/reader_release.py writes the data).
(() => {
  // Next to this script, whatever the depth of the page (the 404 page included).
  const DATA = new URL("outcomes.json", document.currentScript.src);
  const KEY = "keras-guide-stack";
  const MARKS = { holds: "✔", differs: "✘", "not applicable": "–", error: "⚠" };

  // A claim of the matrix has an entry that leaves out the stacks where it holds;
  // a claim that reads the matrix has none: it was not run on other stacks.
  function outcomeOf(data, id, stack) {
    const claim = data.claims[id];
    if (!claim) return undefined;
    return claim[stack] || ["holds", ""];
  }

  function describe(stackLabel, outcome) {
    if (!outcome) return `not run on ${stackLabel}: this claim reads the matrix`;
    const [status, detail] = outcome;
    return `${status} on ${stackLabel}${detail ? `: ${detail}` : ""}`;
  }

  function mark(data, stack) {
    const label = data.stacks.find((s) => s.id === stack).label;
    const site = stack === data.site;
    for (const link of document.querySelectorAll("a.claim-link")) {
      const id = link.getAttribute("href").split("#claim-")[1];
      link.dataset.statement ??= link.dataset.tip;
      const outcome = outcomeOf(data, id, stack);
      const status = site ? "holds" : outcome ? outcome[0] : "not run";
      link.dataset.outcome = status;
      link.textContent = MARKS[status] || "?";
      const said = site ? "Proved" : describe(label, outcome);
      link.dataset.tip = site ? link.dataset.statement : `${said}. ${link.dataset.statement}`;
      link.setAttribute("aria-label", `${site ? "Proved" : said}: ${link.dataset.statement}`);
    }
    for (const badge of document.querySelectorAll("div.claim[id^='claim-']")) {
      const id = badge.id.slice("claim-".length);
      const outcome = outcomeOf(data, id, stack);
      let note = badge.querySelector(".claim-reader");
      if (site) {
        badge.removeAttribute("data-outcome");
        if (note) note.remove();
        continue;
      }
      badge.dataset.outcome = outcome ? outcome[0] : "not run";
      if (!note) {
        note = document.createElement("span");
        note.className = "claim-reader";
        badge.querySelector("p").append(note);
      }
      note.textContent = `Your Keras: ${describe(label, outcome)}`;
    }
  }

  async function start() {
    const response = await fetch(DATA);
    if (!response.ok) return;
    const data = await response.json();
    const known = new Set(data.stacks.map((s) => s.id));
    const stored = localStorage.getItem(KEY);
    const chosen = known.has(stored) ? stored : data.site;

    const box = document.createElement("div");
    box.className = "reader-stack";
    const label = document.createElement("label");
    label.htmlFor = "reader-stack";
    label.textContent = "Your Keras";
    const select = document.createElement("select");
    select.id = "reader-stack";
    for (const stack of data.stacks) {
      const option = new Option(
        stack.id === data.site ? `${stack.label} (this site)` : stack.label,
        stack.id,
      );
      select.append(option);
    }
    select.value = chosen;
    select.addEventListener("change", () => {
      localStorage.setItem(KEY, select.value);
      mark(data, select.value);
    });
    box.append(label, select);
    // In the header beside the page's buttons; on a phone, where the header has
    // no room, at the top of the navigation drawer.
    const phone = window.matchMedia("(max-width: 576px)").matches;
    const place = phone
      ? document.querySelector(".bd-sidebar-primary .sidebar-primary-items__start")
      : document.querySelector(".header-article-items__end");
    if (place) place.prepend(box);
    else (document.querySelector("main article") || document.body).prepend(box);
    if (chosen !== data.site) mark(data, chosen);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
