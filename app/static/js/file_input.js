// The file fields (app/views/attachments.py): the chosen file's name beside the button, in
// the page's language (the browser's own chooser speaks the browser's), and a file larger
// than the service takes refused as it is chosen (data-too-large), not after a long upload.
(function () {
  function field(input) {
    return input && input.type === "file" && input.closest(".libnet-file");
  }
  document.addEventListener("change", function (event) {
    var input = event.target, box = field(input);
    if (!box) return;
    var file = input.files && input.files[0];
    var chosen = box.querySelector(".libnet-file-chosen");
    chosen.textContent = file ? file.name : chosen.dataset.none;
    var limit = Number(input.dataset.maxBytes || 0);
    input.setCustomValidity(file && limit && file.size > limit ? input.dataset.tooLarge : "");
    if (file && limit && file.size > limit) input.reportValidity();
  });
  ["focusin", "focusout"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      var box = field(event.target);
      if (box) box.querySelector("label").classList.toggle("focus", kind === "focusin");
    });
  });
})();
