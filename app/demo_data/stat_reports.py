"""The demo's annual statistical reports (app/records/stat_report.py): 2024 and 2025 for a
few libraries, so that the entry screen shows last year's figures beside this year's and
the workflow can be tried in each status. (tenant code, library name) name the library;
`steps` take each report from a draft to its status.

The districts' summaries (SUMMARIES, app/records/stat_summary.py): Киренский район's 2024
summary approved by its region (every library of the district reported 2024);
Залегощенский район's 2025 one a draft, waiting for its libraries; Мъглиж's libraries all
have 2024 approved, so that district can submit its summary of 2024 at once.
"""


def _ru(users, children, youth, visits, loans_onsite, loans_remote, events, stock, added, withdrawn, staff,
        area=120, computers=3):
    return {
        "area_total": area, "area_owned": area, "area_rented": 0, "area_other": 0,
        "area_storage": area // 2, "area_service": area // 2, "seats": 12, "computers": computers,
        "computers_internet": computers,
        "stock_added_printed": added, "stock_added_electronic": 0, "stock_added_audiovisual": 0, "stock_added_other": 0,
        "stock_withdrawn_printed": withdrawn, "stock_withdrawn_electronic": 0, "stock_withdrawn_audiovisual": 0,
        "stock_withdrawn_other": 0,
        "stock_held_printed": stock, "stock_held_electronic": 0, "stock_held_audiovisual": 0, "stock_held_other": 0,
        "users_total": users, "users_onsite": users, "users_children": children, "users_youth": youth,
        "visits_total": visits, "loans_onsite": loans_onsite, "loans_remote": loans_remote,
        "events_total": events, "staff_headcount": staff, "staff_age_under_30": 0, "staff_age_30_55": staff,
        "staff_age_55_over": 0,
    }


def _bg(readers, children, visits, loans, stock_start, purchase, gift, withdrawn, staff, events):
    return {
        "stock_start": stock_start, "added_purchase": purchase, "added_gift": gift, "added_exchange": 0,
        "withdrawn": withdrawn, "readers_total": readers, "readers_children": children,
        "visits_loan": visits // 2, "visits_reading_room": visits // 4, "visits_online": 0,
        "visits_events": visits - visits // 2 - visits // 4, "loans_total": loans, "loans_home": loans * 3 // 4,
        "computers": 2, "computers_networked": 2, "staff_total": staff, "staff_qualified": staff, "events": events,
    }


BORTNOE, GRACHEVKA = "Бортновская сельская библиотека", "Грачевская сельская библиотека"
SVETLINA, NADEZHDA, NAPREDAK = "Библиотека при НЧ „Светлина 1899“", "Библиотека при НЧ „Надежда 1895“", \
    "Библиотека при НЧ „Напредък 1880“"

KIRENSK = ("Межпоселенческая библиотека МО Киренский район", "Городская библиотека-музей",
           "Алымовская сельская библиотека", "Петропавловская сельская библиотека",
           "Юбилейнинская сельская библиотека")
PROBUDA, BOTEV = "Библиотека при НЧ „Пробуда 1927“", "Библиотека при НЧ „Христо Ботев 1928“"


def _kirensk_2024(position: int, name: str) -> dict:
    """A 2024 report of each library of the district, approved: its summary of 2024 is approved."""
    if position == 0:  # the central library
        values = _ru(3100, 900, 620, 31000, 64000, 2500, 190, 71000, 1900, 1400, 11, area=720, computers=14)
    else:
        values = _ru(280 + 23 * position, 95, 60, 3700, 6900, 0, 27, 8600, 180, 140, 1 + position % 2)
    return dict(tenant="IRK-KIR", library=name, year=2024, steps=[("submit", None), ("approve", None)],
                values=values)


REPORTS = [*(_kirensk_2024(i, name) for i, name in enumerate(KIRENSK)),
    dict(tenant="ORL-ZAL", library=BORTNOE, year=2024, steps=[("submit", None), ("approve", None)],
         values=_ru(412, 160, 95, 5210, 9870, 0, 48, 11230, 310, 250, 1)),
    # To fill: last year's figures stand beside it.
    dict(tenant="ORL-ZAL", library=BORTNOE, year=2025,
         values={"users_total": 420, "users_onsite": 420, "users_children": 158, "visits_total": 5300}),
    dict(tenant="ORL-ZAL", library=GRACHEVKA, year=2024, steps=[("submit", None), ("approve", None)],
         values=_ru(356, 120, 80, 4105, 8120, 0, 35, 9870, 200, 180, 1, area=96, computers=2)),
    dict(tenant="ORL-ZAL", library=GRACHEVKA, year=2025, steps=[("submit", None)],
         values=_ru(361, 118, 84, 4230, 8260, 0, 37, 9950, 230, 180, 1, area=96, computers=2)),
    dict(tenant="SZR-MGL", library=SVETLINA, year=2024, steps=[("submit", None), ("approve", None)],
         values=_bg(640, 210, 7400, 15200, 21450, 320, 140, 300, 2, 56)),
    dict(tenant="SZR-MGL", library=SVETLINA, year=2025, values={"stock_start": 21610, "readers_total": 655}),
    dict(tenant="SZR-PBN", library=NADEZHDA, year=2024, steps=[("submit", None), ("approve", None)],
         values=_bg(810, 260, 9100, 18800, 26300, 410, 120, 350, 3, 64)),
    dict(tenant="SZR-PBN", library=NADEZHDA, year=2025, steps=[("submit", None)],
         values=_bg(835, 270, 9350, 19100, 26480, 380, 140, 330, 3, 66)),
    dict(tenant="SZR-CHR", library=NAPREDAK, year=2024, steps=[("submit", None), ("approve", None)],
         values=_bg(1450, 420, 16800, 33100, 48200, 700, 260, 900, 4, 92)),
    dict(tenant="SZR-MGL", library=PROBUDA, year=2024, steps=[("submit", None), ("approve", None)],
         values=_bg(380, 120, 4300, 8600, 12100, 180, 60, 150, 1, 31)),
    dict(tenant="SZR-MGL", library=BOTEV, year=2024, steps=[("submit", None), ("approve", None)],
         values=_bg(295, 90, 3300, 6900, 9800, 120, 70, 110, 1, 24)),
]

# (tenant code, year, steps): each summary is taken from a draft to its status with
# app.statistics.workflow.move, its figures kept when it is submitted.
SUMMARIES = [
    dict(tenant="IRK-KIR", year=2024, steps=[("submit", None), ("approve", None)]),
    dict(tenant="ORL-ZAL", year=2025, steps=[]),
]
