// An import's upload and confirmation (app/imports): a file of thousands of rows takes a
// few seconds to read and check, so the page says it is working, and the button is not
// pressed twice.
(function () {
  document.querySelectorAll("form.import-upload, form.import-confirm").forEach(function (form) {
    form.addEventListener("submit", function () {
      var busy = document.getElementById("import-busy");
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
      if (busy) busy.hidden = false;
    });
  });
})();

// The initial passwords of imported accounts are shown once: a button prints the page.
(function () {
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
