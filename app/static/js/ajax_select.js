// Relation fields that search the server (app/views/relations.py): select2 asks
// data-source for twenty rows at a time as the user types. Filter rows are added by
// FAB's script after the page loads, so new selects are picked up as they appear.
(function ($) {
    function ajaxSelect(el) {
        if (el.dataset.ready) { return; }
        el.dataset.ready = "1";
        $(el).select2({
            theme: "bootstrap",
            // A multiple choice removes each item by its own cross; select2's clear-all cross
            // would be a non-item inside its list of items.
            allowClear: !el.multiple,
            placeholder: "",
            width: "100%",
            ajax: {
                url: el.dataset.source,
                dataType: "json",
                delay: 250,
                data: function (params) { return {q: params.term || "", page: params.page || 1}; },
                processResults: function (data) {
                    return {results: data.results, pagination: {more: data.more}};
                }
            }
        });
    }
    // select2 4.0 under jQuery 3.6 opens its dropdown without focusing the search box: what
    // the user types goes nowhere until they click into it. Focus it, for every select2.
    $(document).on("select2:open", function () {
        var search = document.querySelector(".select2-container--open .select2-search__field");
        if (search) { search.focus(); }
    });
    // select2 names its box after the value shown (none, while empty): name it after the
    // field's label too, and its search box after what it is for, for screen readers.
    function named(select) {
        var box = select.nextElementSibling && select.nextElementSibling.querySelector(".select2-selection");
        var label = select.id && document.querySelector('label[for="' + select.id + '"]');
        if (!box || !label) { return; }
        // A multiple choice types its search in the box itself, drawn anew on each choice:
        // that box is named after the field every time.
        var inline = box.querySelector(".select2-search__field");
        if (inline) { inline.setAttribute("aria-label", label.textContent.replace("*", "").trim()); }
        if (box.dataset.named) { return; }
        label.id = label.id || "label-" + select.id;
        var shown = box.getAttribute("aria-labelledby");
        box.setAttribute("aria-labelledby", label.id + (shown ? " " + shown : ""));
        var rendered = box.querySelector(".select2-selection__rendered");
        if (rendered) { rendered.setAttribute("aria-label", label.textContent.replace("*", "").trim()); }
        box.dataset.named = "1";
    }
    $(document).on("select2:open", function () {
        var search = document.querySelector(".select2-container--open .select2-search__field");
        if (search && !search.getAttribute("aria-label")) {
            search.setAttribute("aria-label", (JSON.parse(document.getElementById("libnet-texts").textContent).search) || "");
        }
    });
    function nameAll() { document.querySelectorAll("select").forEach(named); }
    $(function () {
        $("select.libnet-ajax").each(function () { ajaxSelect(this); });
        nameAll();
        setTimeout(nameAll, 0);  // after FAB's own select2 fields are drawn
        new MutationObserver(function () {
            $("select.libnet-ajax").each(function () { ajaxSelect(this); });
            nameAll();
        }).observe(document.body, {childList: true, subtree: true});
    });
})(jQuery);
