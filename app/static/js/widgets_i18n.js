// The widgets FAB's scripts draw speak the page's language: select2's messages ("No
// results found"), the date picker's months and week days, FAB's alert when no row is
// selected. The texts come from the page (libnet/base.html renders them from the
// catalogs); the names of months and days from the browser's own data for the language.
// Loaded after FAB's scripts and before the page is ready, when FAB sets up its widgets.
(function ($) {
    var block = document.getElementById("libnet-texts");
    if (!block) { return; }
    var texts = JSON.parse(block.textContent);

    if ($.fn.select2) {
        $.fn.select2.defaults.set("language", {
            noResults: function () { return texts.noResults; },
            searching: function () { return texts.searching; },
            loadingMore: function () { return texts.loadingMore; },
            errorLoading: function () { return texts.errorLoading; },
            removeAllItems: function () { return texts.removeAllItems; }
        });
    }

    if ($.fn.datepicker && texts.lang && texts.lang !== "en" && window.Intl) {
        var names = function (options, dates) {
            var format = new Intl.DateTimeFormat(texts.lang, options);
            return dates.map(function (date) { return format.format(date); });
        };
        var capital = function (text) { return text.charAt(0).toUpperCase() + text.slice(1); };
        var months = [], week = [];
        for (var m = 0; m < 12; m++) { months.push(new Date(2024, m, 1)); }
        for (var d = 0; d < 7; d++) { week.push(new Date(2024, 0, 7 + d)); }  // a Sunday first
        $.fn.datepicker.dates[texts.lang] = {
            days: names({weekday: "long"}, week),
            daysShort: names({weekday: "short"}, week),
            daysMin: names({weekday: "short"}, week),
            months: names({month: "long"}, months).map(capital),
            monthsShort: names({month: "short"}, months),
            today: "", clear: "", titleFormat: "MM yyyy", weekStart: 1
        };
        $.fn.datepicker.defaults.language = texts.lang;
    }

    // The date fields of the forms (app/views/fields.py): the picker reads and writes the
    // field in the user's pattern (data-date-format, 15.03.2019), reads ISO too
    // (2019-03-15), and never rewrites what was typed: a text it cannot read stays, for
    // the server to answer with a message (forceParse would turn it into another day).
    if ($.fn.datepicker) {
        var DPGlobal = $.fn.datepicker.DPGlobal;
        var dayFormat = function (pattern) {
            var order = (pattern.match(/d+|m+|y+/g) || []).map(function (part) { return part.charAt(0); });
            return {
                toDisplay: function (date, format, language) { return DPGlobal.formatDate(date, pattern, language); },
                toValue: function (text) {
                    var iso = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(text), at = {};
                    if (iso) {
                        at = {y: iso[1], m: iso[2], d: iso[3]};
                    } else {
                        var parts = String(text).match(/\d+/g) || [];
                        if (parts.length !== order.length) { return undefined; }
                        order.forEach(function (kind, i) { at[kind] = parts[i]; });
                    }
                    if (!at.y || at.y.length !== 4) { return undefined; }
                    var y = +at.y, m = +at.m - 1, d = +at.d, date = new Date(Date.UTC(y, m, d));
                    return date.getUTCFullYear() === y && date.getUTCMonth() === m && date.getUTCDate() === d
                        ? date : undefined;
                }
            };
        };
        $(function () {
            $(".libnet-date").each(function () {
                var box = $(this);
                var language = box.data("date-language");
                box.datepicker({
                    format: dayFormat(String(box.data("date-format") || "yyyy-mm-dd")),
                    language: $.fn.datepicker.dates[language] ? language : "en",
                    forceParse: false, autoclose: true, todayHighlight: true, weekStart: 1
                });
                // The picker follows what is typed key by key; a pasted or filled-in text
                // too (reading it only: the text stays as it is).
                box.find("input").on("input", function () { box.datepicker("update"); });
            });
        });
    }

    if (typeof window.ab_alert === "function") {  // FAB's actions alert in English
        var alert = window.ab_alert;
        window.ab_alert = function (text) { return alert((texts.alerts || {})[text] || text); };
    }
})(jQuery);
