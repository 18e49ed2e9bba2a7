/* iaobs: the directory of AI actors, searchable and sortable. No request, no dependency.
   Without this script the table stays complete and sorted (département, type, name). */
(function () {
  "use strict";
  var fold = function (text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  var collator = new Intl.Collator(document.documentElement.lang || "fr", {
    numeric: true,
    sensitivity: "base"
  });
  document.querySelectorAll("[data-iaobs-annuaire]").forEach(function (block) {
    var table = block.querySelector("table");
    var tools = block.querySelector(".iaobs-annuaire-tools");
    var input = block.querySelector("input[type=search]");
    var output = block.querySelector("output");
    if (!table || !tbody(table)) { return; }
    var rows = Array.prototype.slice.call(tbody(table).rows);
    var keys = rows.map(function (row) { return fold(row.textContent); });
    var word = output ? output.textContent.replace(/^[\d\s\u202f\u00a0]+/, "") : "";
    var format = new Intl.NumberFormat(document.documentElement.lang || "fr");
    if (tools) { tools.hidden = false; }

    function filter() {
      var terms = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, i) {
        var match = terms.every(function (t) { return keys[i].indexOf(t) >= 0; });
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      if (output) { output.textContent = format.format(shown) + " " + word; }
    }
    if (input) { input.addEventListener("input", filter); }

    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "iaobs-sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (other) {
          other.setAttribute("aria-sort", "none");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var order = rows.map(function (row, i) { return i; });
        order.sort(function (a, b) {
          var x = rows[a].cells[col].textContent.trim();
          var y = rows[b].cells[col].textContent.trim();
          var c = collator.compare(x, y);
          return (ascending ? c : -c) || a - b;
        });
        var body = tbody(table);
        var sortedRows = order.map(function (i) { return rows[i]; });
        var sortedKeys = order.map(function (i) { return keys[i]; });
        sortedRows.forEach(function (row) { body.appendChild(row); });
        rows = sortedRows;
        keys = sortedKeys;
      });
    });
  });
  function tbody(table) { return table.tBodies[0]; }
})();
