/* iaobs indicator explorer: reads the JSON embedded in the page, draws one indicator for every
   domain of a breakdown (bars with their interval, flags, comparison with the rest of the
   region), its waves, a table view and a CSV of what is shown. No request, no library. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("iaobs-data").textContent);
  var FR = D.lang !== "en";
  var T = FR ? {
    all: "Ensemble de la région", est: "Estimation", low: "Borne basse (IC 95\u202f%)",
    high: "Borne haute (IC 95\u202f%)", n: "Répondants", flag: "Note", cmp: "Comparaison au reste de la région",
    domain: "Domaine", wave: "Vague", hidden: "non diffusé", missing: "non disponible", s: "s (secret statistique)",
    nd: "nd (effectif insuffisant)", prudence: "à interpréter avec prudence", up: "▲ au-dessus",
    down: "▼ au-dessous", same: "non significatif", share: "Part des entreprises (en\u202f%)",
    mean: "Moyenne", none: "Aucun indicateur ne correspond à la recherche.",
    caption: "Valeurs affichées", scale: "Échelle des barres", change: "Écart significatif avec la vague précédente"
  } : {
    all: "Whole region", est: "Estimate", low: "Lower bound (95% CI)", high: "Upper bound (95% CI)",
    n: "Respondents", flag: "Note", cmp: "Compared with the rest of the region", domain: "Domain",
    wave: "Wave", hidden: "not published", missing: "not available", s: "s (statistical secrecy)", nd: "nd (too few answers)",
    prudence: "to be read with caution", up: "▲ above", down: "▼ below", same: "not significant",
    share: "Share of companies (%)", mean: "Mean", none: "No indicator matches the search.",
    caption: "Values shown", scale: "Bar scale", change: "Significant change since the previous wave"
  };
  var $ = function (id) { return document.getElementById(id); };
  var search = $("x-search"), list = $("x-indicator"), kind = $("x-kind");
  var byKey = {}, domains = {};
  D.indicators.forEach(function (i) { byKey[i.key] = i; });
  D.domains.forEach(function (d) { domains[d[0]] = { kind: d[1], label: d[2] }; });
  var state = { key: D.indicators.length ? D.indicators[0].key : null, kind: D.kinds.length ? D.kinds[0][0] : "all", view: "chart" };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function num(v, digits) {
    return new Intl.NumberFormat(FR ? "fr-FR" : "en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
  }
  function fmt(v, ind) {
    if (v === null || v === undefined) return "";
    if (ind.statistic === "proportion") return num(v * 100, 1) + (FR ? "\u202f%" : "%");
    return num(v, 1);
  }
  function cmpText(c) { return c === "+" ? T.up : c === "-" ? T.down : c === "=" ? T.same : ""; }
  function flagText(f) { return f === "prudence" ? "(*) " + T.prudence : f ? T[f] || f : ""; }

  function fillKinds() {
    D.kinds.forEach(function (k) { kind.appendChild(el("option", { value: k[0] }, k[1])); });
    kind.value = state.kind;
  }
  function fillList() {
    var q = search.value.trim().toLowerCase();
    var norm = function (s) { return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); };
    var qn = norm(q);
    list.textContent = "";
    var count = 0;
    D.themes.forEach(function (t) {
      var group = el("optgroup", { label: t[1] });
      D.indicators.forEach(function (i) {
        if (i.theme !== t[0]) return;
        if (qn && norm(i.label).indexOf(qn) < 0 && i.key.indexOf(q) < 0) return;
        group.appendChild(el("option", { value: i.key, title: i.label }, i.label));
        count += 1;
      });
      if (group.children.length) list.appendChild(group);
    });
    if (!count) { list.appendChild(el("option", { disabled: "disabled" }, T.none)); return; }
    if (!list.querySelector('option[value="' + CSS.escape(state.key) + '"]')) {
      state.key = list.querySelector("option").value;
    }
    list.value = state.key;
  }

  function rowsOnScreen() {
    var ind = byKey[state.key], published = {}, hidden = {}, out = [];
    (D.rows[state.key] || []).forEach(function (r) { published[r[0]] = r; });
    (ind.hidden || []).forEach(function (h) { hidden[h[0]] = h[1]; });
    D.domains.forEach(function (d) {
      if (d[1] !== state.kind && d[1] !== "all") return;
      var r = published[d[0]];
      if (r) {
        out.push({ domain: d[0], label: d[2], all: d[1] === "all", est: r[1], lo: r[2], hi: r[3], n: r[4], flag: r[5], cmp: r[6] });
      } else if (d[1] !== "all" || hidden[d[0]]) {
        out.push({ domain: d[0], label: d[2], all: d[1] === "all", est: null, lo: null, hi: null, flag: hidden[d[0]] || "" });
      }
    });
    return out;
  }

  function drawChart(ind, rows) {
    var box = $("x-chart");
    box.textContent = "";
    var top = Math.max.apply(null, rows.map(function (r) { return r.hi || r.est || 0; }).concat([1e-9]));
    var max = ind.statistic === "proportion" ? Math.min(1, Math.ceil(top * 10) / 10) : top;
    box.appendChild(el("p", { "class": "iaobs-meta" }, T.scale + (FR ? "\u202f: 0 – " : ": 0 – ") + fmt(max, ind)));
    var ul = el("ul", { "class": "iaobs-bars" });
    rows.forEach(function (r) {
      var li = el("li", { "class": r.all ? "iaobs-bar-all" : "" });
      li.appendChild(el("span", { "class": "iaobs-bar-label" }, r.label));
      var track = el("span", { "class": "iaobs-bar-track", "aria-hidden": "true" });
      if (r.est !== null) {
        var bar = el("span", { "class": "iaobs-bar" + (r.flag === "prudence" ? " iaobs-bar-prudence" : "") });
        bar.style.width = (100 * r.est / max).toFixed(2) + "%";
        track.appendChild(bar);
        if (r.lo !== null && r.hi !== null) {
          var ci = el("span", { "class": "iaobs-ci" });
          ci.style.left = (100 * r.lo / max).toFixed(2) + "%";
          ci.style.width = Math.max(0.3, 100 * (r.hi - r.lo) / max).toFixed(2) + "%";
          track.appendChild(ci);
        }
      }
      li.appendChild(track);
      var value = r.est === null ? (r.flag ? r.flag + " – " + T.hidden : "– " + T.missing) : fmt(r.est, ind) + (r.flag === "prudence" ? " (*)" : "");
      var mark = r.cmp === "+" ? " ▲" : r.cmp === "-" ? " ▼" : "";
      li.appendChild(el("span", { "class": "iaobs-bar-value" }, value + mark));
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function drawTable(ind, rows) {
    var box = $("x-table");
    box.textContent = "";
    var table = el("table");
    table.appendChild(el("caption", null, T.caption + " – " + ind.label));
    var head = el("tr");
    [T.domain, T.est, T.low, T.high, T.n, T.flag].concat(D.contrasts ? [T.cmp] : []).forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("th", { scope: "row" }, r.label));
      [r.est === null ? (r.flag || "–") : fmt(r.est, ind), fmt(r.lo, ind), fmt(r.hi, ind), r.n === undefined ? "" : num(r.n, 0), flagText(r.flag)]
        .concat(D.contrasts ? [cmpText(r.cmp)] : []).forEach(function (v) { tr.appendChild(el("td", null, v)); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(table);
  }

  function drawWaves(ind) {
    var box = $("x-waves"), title = $("x-waves-title");
    box.textContent = "";
    var rows = (ind.waves || []).filter(function (w) { var d = domains[w[0]]; return d && (d.kind === state.kind || d.kind === "all"); });
    title.hidden = !rows.length;
    if (!rows.length) return;
    var table = el("table"), head = el("tr");
    table.appendChild(el("caption", null, T.change + (FR ? "\u202f: ▲ / ▼" : ": ▲ / ▼")));
    [T.domain, T.wave, T.est, T.low, T.high].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (w) {
      var tr = el("tr");
      tr.appendChild(el("th", { scope: "row" }, domains[w[0]].label));
      var mark = w[6] === "+" ? " ▲" : w[6] === "-" ? " ▼" : "";
      [w[1], fmt(w[2], ind) + (w[5] === "prudence" ? " (*)" : "") + mark, fmt(w[3], ind), fmt(w[4], ind)].forEach(function (v) { tr.appendChild(el("td", null, v)); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(table);
  }

  function csv(ind, rows) {
    var sep = FR ? ";" : ",";
    var cell = function (v) { v = v === null || v === undefined ? "" : String(v); return /[";,\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
    var dec = function (v) { return v === null || v === undefined ? "" : FR ? String(v).replace(".", ",") : String(v); };
    var lines = [["indicateur", "domaine", "libelle_domaine", "estimation", "ic_bas", "ic_haut", "n", "note", "comparaison"].join(sep)];
    rows.forEach(function (r) {
      lines.push([ind.key, r.domain, r.label, dec(r.est), dec(r.lo), dec(r.hi), r.n === undefined ? "" : r.n, r.flag, r.cmp || ""].map(cell).join(sep));
    });
    var link = $("x-csv");
    if (link.dataset.url) URL.revokeObjectURL(link.dataset.url);
    var url = URL.createObjectURL(new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" }));
    link.dataset.url = url;
    link.href = url;
    link.setAttribute("download", ind.key.replace(/[^a-z0-9_]+/gi, "-").replace(/-+$/, "") + "-" + state.kind.replace(/[^a-z]+/gi, "-") + ".csv");
  }

  function draw() {
    var ind = byKey[state.key];
    if (!ind) return;
    var rows = rowsOnScreen();
    $("x-title").textContent = ind.label;
    $("x-note").textContent = (ind.statistic === "proportion" ? T.share : T.mean) + " – " + kind.options[kind.selectedIndex].text;
    drawChart(ind, rows);
    drawTable(ind, rows);
    drawWaves(ind);
    csv(ind, rows);
    $("x-chart").hidden = state.view !== "chart";
    $("x-table").hidden = state.view !== "table";
    $("x-view-chart").setAttribute("aria-pressed", String(state.view === "chart"));
    $("x-view-table").setAttribute("aria-pressed", String(state.view === "table"));
    var hash = "#i=" + encodeURIComponent(state.key) + "&k=" + encodeURIComponent(state.kind) + "&v=" + state.view;
    if (location.hash !== hash) { try { history.replaceState(null, "", hash); } catch (err) { /* opaque file: origin */ } }
  }

  function readHash() {
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var kv = part.split("="), v = decodeURIComponent(kv[1] || "");
      if (kv[0] === "i" && byKey[v]) state.key = v;
      if (kv[0] === "k" && D.kinds.some(function (k) { return k[0] === v; })) state.kind = v;
      if (kv[0] === "v" && (v === "chart" || v === "table")) state.view = v;
    });
  }

  readHash();
  fillKinds();
  fillList();
  search.addEventListener("input", function () { fillList(); draw(); });
  search.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === "ArrowDown") { e.preventDefault(); list.focus(); } });
  list.addEventListener("change", function () { if (list.value) { state.key = list.value; draw(); } });
  kind.addEventListener("change", function () { state.kind = kind.value; draw(); });
  $("x-view-chart").addEventListener("click", function () { state.view = "chart"; draw(); });
  $("x-view-table").addEventListener("click", function () { state.view = "table"; draw(); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== search) { e.preventDefault(); search.focus(); }
  });
  draw();
})();
