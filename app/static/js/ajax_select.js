// Relation fields that search the server (app/views/relations.py): select2 asks
// data-source for twenty rows at a time as the user types. Filter rows are added by
// FAB's script after the page loads, so new selects are picked up as they appear.
(function ($) {
    function ajaxSelect(el) {
        if (el.dataset.ready) { return; }
        el.dataset.ready = "1";
        $(el).select2({
            theme: "bootstrap",
            allowClear: true,
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
    $(function () {
        $("select.libnet-ajax").each(function () { ajaxSelect(this); });
        new MutationObserver(function () {
            $("select.libnet-ajax").each(function () { ajaxSelect(this); });
        }).observe(document.body, {childList: true, subtree: true});
    });
})(jQuery);
