// The entry screen of a statistical report (templates/libnet/stat_report_entry.html): a
// total whose parts are all known is computed and read-only, as the server computes it on
// save; an "unknown" tick empties and locks its figure.
(function () {
  "use strict";
  var form = document.getElementById("stat-entry");
  if (!form) { return; }
  var lang = document.documentElement.lang || "en";

  function field(code) { return document.getElementById("v_" + code); }

  function value(code) {
    var input = field(code);
    if (!input || input.disabled) { return null; }
    var text = input.value.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (text === "" || !/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) { return null; }
    return Number(text);
  }

  function recompute() {
    var totals = form.querySelectorAll("input[data-parts]");
    // Twice: a total may be a part of another.
    for (var round = 0; round < 2; round++) {
      totals.forEach(function (total) {
        var unknown = form.querySelector("input[data-for='" + total.id + "']");
        if (unknown && unknown.checked) { return; }
        var sum = 0, known = true;
        total.dataset.parts.split(" ").forEach(function (part) {
          var minus = part.charAt(0) === "-", v = value(minus ? part.slice(1) : part);
          if (v === null) { known = false; } else { sum += minus ? -v : v; }
        });
        total.readOnly = known;
        if (known) {
          total.value = (Math.round(sum * 1000) / 1000).toLocaleString(lang, {useGrouping: false, maximumFractionDigits: 3});
        }
      });
    }
  }

  form.querySelectorAll(".stat-unknown").forEach(function (tick) {
    tick.addEventListener("change", function () {
      var input = document.getElementById(tick.dataset.for);
      input.disabled = tick.checked;
      if (tick.checked) { input.value = ""; }
      recompute();
    });
  });
  form.addEventListener("input", recompute);
  recompute();
})();
