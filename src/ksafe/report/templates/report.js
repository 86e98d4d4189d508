"use strict";
(function () {
  var data = JSON.parse(document.getElementById("ksafe-data").textContent);
  var body = document.body;

  // Reveal toggle: harmful text stays out of view until the reader asks for it.
  var toggle = document.getElementById("reveal-toggle");
  toggle.addEventListener("click", function () {
    var on = body.classList.toggle("reveal");
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? "Hide harmful content" : "Show harmful content";
  });

  // Sortable tables: click a header; cells carry data-sort (numbers) or are compared as text.
  function sortTable(table, index, th) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    function key(row) {
      var cell = row.cells[index];
      var v = cell.getAttribute("data-sort");
      if (v !== null && v !== "" && !isNaN(Number(v))) { return Number(v); }
      return v === "" ? (asc ? Infinity : -Infinity) : cell.textContent.trim().toLowerCase();
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var r = x < y ? -1 : x > y ? 1 : 0;
      return asc ? r : -r;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.addEventListener("click", function () { sortTable(table, i, th); });
    });
  });

  // Example browser. Every string from the run is set with textContent, never parsed as HTML.
  var examples = data.examples;
  var pageSize = 20;
  var shown = pageSize;
  var filters = {
    model: document.getElementById("f-model"), category: document.getElementById("f-category"),
    strategy: document.getElementById("f-strategy"), verdict: document.getElementById("f-verdict")
  };
  var disagreeOnly = document.getElementById("f-disagree");
  var search = document.getElementById("f-search");
  var list = document.getElementById("examples");
  var count = document.getElementById("ex-count");
  var more = document.getElementById("ex-more");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function options(select, values, labels) {
    values.forEach(function (v) {
      var o = el("option", "", labels && labels[v] ? labels[v] : v);
      o.value = v;
      select.appendChild(o);
    });
  }
  function uniq(field) {
    var seen = {};
    examples.forEach(function (x) { seen[x[field]] = true; });
    return Object.keys(seen).sort();
  }
  options(filters.model, uniq("model"));
  options(filters.category, data.categories.filter(function (c) { return uniq("category").indexOf(c) >= 0; }),
    data.category_labels);
  options(filters.strategy, uniq("strategy"));
  options(filters.verdict, data.verdicts);

  function matches(x) {
    if (filters.model.value && x.model !== filters.model.value) { return false; }
    if (filters.category.value && x.category !== filters.category.value) { return false; }
    if (filters.strategy.value && x.strategy !== filters.strategy.value) { return false; }
    if (filters.verdict.value && !x.verdicts.some(function (v) { return v.verdict === filters.verdict.value; })) {
      return false;
    }
    if (disagreeOnly.checked && !x.disagree) { return false; }
    var q = search.value.trim().toLowerCase();
    if (q && (x.text + "\n" + x.response + "\n" + x.item).toLowerCase().indexOf(q) < 0) { return false; }
    return true;
  }
  function block(title, text, sensitive) {
    var wrap = el("div");
    wrap.appendChild(el("h4", "", title));
    var box = el("div", "text" + (sensitive ? " sensitive" : ""));
    if (sensitive) {
      box.appendChild(el("span", "placeholder", "Hidden: " + title.toLowerCase() +
        " of a harmful request. Use \u201cShow harmful content\u201d at the top to read it."));
      box.appendChild(el("span", "content", text));
    } else {
      box.appendChild(el("span", "content", text === "" ? "(empty)" : text));
    }
    wrap.appendChild(box);
    return wrap;
  }
  function card(x) {
    var c = el("article", "card" + (x.image ? "" : " noimg"));
    if (x.image) {
      var box = el("div", "imgbox");
      var img = el("img", "thumb");
      img.src = x.image;
      img.alt = "benchmark image (blurred until revealed)";
      box.appendChild(img);
      c.appendChild(box);
    }
    var main = el("div");
    var meta = el("div");
    meta.appendChild(el("span", "badge " + (x.harmful ? "harmful" : "benign"), x.harmful ? "harmful request" : "benign twin"));
    [x.model, data.category_labels[x.category] || x.category, x.subset, "strategy: " + x.strategy,
      "image: " + x.image_kind].concat(x.g_version ? ["G version: " + x.g_version] : [])
      .forEach(function (m) { meta.appendChild(el("span", "badge meta", m)); });
    main.appendChild(meta);
    var verdicts = el("div");
    x.verdicts.forEach(function (v) {
      var b = el("span", "badge v-" + v.verdict, v.judge + (v.heuristic ? " (heuristic judge)" : "") + ": " + v.verdict);
      b.title = v.rationale || "";
      verdicts.appendChild(b);
      if (v.heuristic) { verdicts.appendChild(el("span", "badge heuristic", "heuristic")); }
    });
    if (x.human) { verdicts.appendChild(el("span", "badge meta", "human label: " + x.human)); }
    if (x.disagree) { verdicts.appendChild(el("span", "badge meta", "judges disagree")); }
    main.appendChild(verdicts);
    main.appendChild(block("Prompt", x.text, x.harmful));
    main.appendChild(block("Response", x.response, x.harmful));
    c.appendChild(main);
    return c;
  }
  function render() {
    var hits = examples.filter(matches);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    hits.slice(0, shown).forEach(function (x) { list.appendChild(card(x)); });
    count.textContent = hits.length + " of " + examples.length + " examples match" +
      (data.examples_total > examples.length ? " (a sample of " + data.examples_total + ")" : "");
    more.hidden = hits.length <= shown;
  }
  Object.keys(filters).forEach(function (k) {
    filters[k].addEventListener("change", function () { shown = pageSize; render(); });
  });
  disagreeOnly.addEventListener("change", function () { shown = pageSize; render(); });
  search.addEventListener("input", function () { shown = pageSize; render(); });
  more.addEventListener("click", function () { shown += pageSize; render(); });
  render();
  // Answers the judges of a run disagree on (Judges section): text set as textContent, harmful text hidden.
  Array.prototype.forEach.call(document.querySelectorAll(".disagreements"), function (box) {
    (data.disagreements[box.getAttribute("data-run")] || []).forEach(function (x) {
      var c = el("article", "card noimg");
      var main = el("div");
      var meta = el("div");
      meta.appendChild(el("span", "badge " + (x.harmful ? "harmful" : "benign"), x.harmful ? "harmful request" : "benign twin"));
      [x.model, x.item_id].forEach(function (m) { meta.appendChild(el("span", "badge meta", m)); });
      main.appendChild(meta);
      var verdicts = el("div");
      x.verdicts.forEach(function (v) {
        var b = el("span", "badge v-" + v.verdict, v.judge + ": " + v.verdict);
        b.title = v.rationale || "";
        verdicts.appendChild(b);
      });
      main.appendChild(verdicts);
      main.appendChild(block("Request", x.text, x.harmful));
      main.appendChild(block("Answer", x.response, x.harmful));
      c.appendChild(main);
      box.appendChild(c);
    });
  });
  body.setAttribute("data-ready", "1");
})();
