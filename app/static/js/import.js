// An import's upload and confirmation (app/imports): a file of thousands of rows takes a
// few seconds to read and check, so the page shows how far the run has got (it names the
// run with a random key and asks the server about it until the answer comes), and the
// button is not pressed twice.
(function () {
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function follow(busy, key) {
    var bar = busy.querySelector(".progress-bar"), text = busy.querySelector("#import-busy-text");
    var url = busy.getAttribute("data-progress-url") + "?key=" + encodeURIComponent(key);
    function ask() {
      fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}, cache: "no-store"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (found) {
          if (!found) return;
          if (found.total) {
            var share = Math.round(100 * found.done / found.total);
            bar.style.width = Math.max(share, 2) + "%";
            bar.setAttribute("aria-valuenow", share);
            bar.setAttribute("aria-valuemin", "0");
            bar.setAttribute("aria-valuemax", "100");
          }
          if (found.text) text.textContent = found.text;
        })
        .catch(function () { /* the page is leaving for the answer */ })
        .then(function () { window.setTimeout(ask, 500); });
    }
    window.setTimeout(ask, 300);
  }

  document.querySelectorAll("form.import-upload, form.import-confirm").forEach(function (form) {
    form.addEventListener("submit", function () {
      var busy = document.getElementById("import-busy");
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
      if (!busy) return;
      var key = newKey(), field = form.querySelector("input[name=progress]");
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = "progress";
        form.appendChild(field);
      }
      field.value = key;
      busy.hidden = false;
      follow(busy, key);
    });
  });
})();

// The initial passwords of imported accounts are shown once: a button prints the page.
(function () {
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
