"""The demo network: two Russian regions and a Bulgarian one, after the seed texts.

The libraries, clubs and contests are the real ones the seeds name; the people are
invented. `load()` only adds what is missing, so it can be run again safely.
"""
import datetime
import os
import secrets
from decimal import Decimal

from flask import current_app
from werkzeug.security import check_password_hash
from sqlalchemy import select

from .cli import create_user
from .choices import (
    Audience, ContestLevel, ContestResult, Education, LibraryKind, LibraryStatus, Locale,
    OutreachKind, TenantKind, default_time_zone,
)
from .extensions import db
from .models import Club, Contest, ContestEntry, Library, Outreach, Staff, Tenant
from .records import record_types
from .security.roles import ADMIN, BRANCH, DIRECTOR, METHODOLOGIST, VIEWER

# Short names, so that each person below fits on one line.
HIGHER_LIB, HIGHER = Education.higher_library, Education.higher_other
SECONDARY_LIB, SECONDARY, OTHER = Education.secondary_library, Education.secondary_other, Education.other
FULL, THREE_QUARTERS, HALF = Decimal("1"), Decimal("0.75"), Decimal("0.5")

ZSH2 = "Залегощенская средняя школа №2"
RURAL_HOURS = "вт–сб 10:00–16:00, перерыв 13:00–14:00; выходные — вс, пн"

# A library: its fields, then its people, clubs and outreach points.
# A person: (full name, position, education, age, (years, months) of service, rate).
# Ages and service are counted back from the day of loading, so that the age and
# length-of-service groups of the reports are all populated whenever the demo is loaded.
# An outreach point: (kind, location, who is served, readers served, active since).

ZALEGOSHCH_LIBRARIES = [
    dict(
        name="Межпоселенческая районная библиотека", kind=LibraryKind.central,
        settlement="пгт Залегощь", address="303560, Орловская обл., пгт Залегощь, ул. Ленина, д. 9",
        phone="+7 (48648) 2-12-47", website="https://vk.com/id594891820", founded_year=1925,
        working_hours="пн–пт 9:00–18:00, сб 10:00–16:00; выходной — вс; "
                      "последняя пятница месяца — санитарный день",
        staff=[
            ("Ковалёва Татьяна Николаевна", "Директор", HIGHER_LIB, 54, (19, 2), FULL),
            ("Сидорова Елена Викторовна", "Методист", HIGHER_LIB, 46, (8, 5), FULL),
            ("Жукова Наталья Алексеевна", "Главный библиограф", HIGHER, 59, (31, 0), FULL),
            ("Пахомова Ирина Сергеевна", "Библиотекарь отдела обслуживания", HIGHER, 27, (2, 3), FULL),
            ("Фомина Анастасия Игоревна", "Библиотекарь отдела комплектования", HIGHER_LIB, 29, (4, 7), FULL),
            ("Лаврова Галина Петровна", "Библиотекарь", SECONDARY_LIB, 63, (38, 4), HALF),
        ],
        clubs=[
            dict(name="Неугасимая лампада", audience=Audience.youth, founded_year=1996, members=24,
                 schedule="последняя суббота месяца, 15:00", partner=ZSH2,
                 description="Литературно-музыкальная гостиная: поэзия, музыка, встречи "
                             "с земляками. Активные участники — учащиеся школы №2."),
            dict(name="Волшебный очаг", audience=Audience.seniors, founded_year=2001, members=16,
                 schedule="каждый второй четверг, 14:00",
                 description="Клуб для пожилых людей: чтения, чаепития, рукоделие, "
                             "встречи с ветеранами."),
            dict(name="Ты гражданин, а это значит…", audience=Audience.youth, founded_year=2010,
                 members=18, schedule="ежемесячно, по средам, 15:30", partner=ZSH2,
                 description="Клуб молодого избирателя: правовое и гражданское воспитание "
                             "старшеклассников."),
        ],
        outreach=[
            (OutreachKind.mobile_collection, "Передвижка в Залегощенской ЦРБ",
             "пациенты стационара", 35, datetime.date(2015, 3, 2)),
            (OutreachKind.home_service, "Обслуживание на дому, пгт Залегощь",
             "пожилые читатели, ветераны и люди с инвалидностью", 17, datetime.date(2009, 2, 2)),
            (OutreachKind.mobile_library, "Стоянка КИБО в д. Павловка",
             "жители отдалённых деревень", 26, datetime.date(2021, 6, 1)),
        ],
    ),
    dict(
        name="Центральная детская библиотека", kind=LibraryKind.children,
        settlement="пгт Залегощь", address="303560, Орловская обл., пгт Залегощь, ул. Ленина, д. 11",
        phone="+7 (48648) 2-15-63", founded_year=1957,
        working_hours="пн–пт 9:00–17:00, сб 10:00–15:00; выходной — вс",
        staff=[
            ("Горбунова Светлана Михайловна", "Заведующая детской библиотекой", HIGHER_LIB, 51, (14, 8),
             FULL),
            ("Климова Дарья Андреевна", "Библиотекарь", SECONDARY_LIB, 25, (1, 6), FULL),
        ],
        clubs=[
            dict(name="Почемучка", audience=Audience.children, founded_year=2008, members=14,
                 schedule="по субботам, 11:00",
                 description="Познавательный клуб для младших школьников."),
            dict(name="Читаем всей семьёй", audience=Audience.families, founded_year=2014, members=11,
                 schedule="первое воскресенье месяца, 12:00",
                 description="Клуб семейного чтения: громкие чтения, семейные праздники."),
        ],
        outreach=[
            (OutreachKind.mobile_collection, "Передвижка в детском саду «Солнышко», пгт Залегощь",
             "дошкольники и их родители", 48, datetime.date(2018, 9, 3)),
        ],
    ),
    dict(
        name="Бортновская сельская библиотека", settlement="с. Бортное", founded_year=1951,
        address="303551, Орловская обл., Залегощенский р-н, с. Бортное, ул. Центральная, д. 2",
        staff=[("Тимошина Людмила Ивановна", "Заведующая филиалом", SECONDARY_LIB, 57, (26, 1), FULL)],
        clubs=[dict(name="Краевед", audience=Audience.adults, founded_year=2005, members=9,
                    schedule="ежемесячно, по пятницам",
                    description="Краеведческий клуб: летопись села, встречи со старожилами.")],
        outreach=[(OutreachKind.home_service, "Обслуживание на дому, с. Бортное",
                   "пожилые и маломобильные жители", 7, datetime.date(2016, 1, 11))],
    ),
    dict(
        name="Верхнескворченская сельская библиотека", settlement="с. Верхнее Скворчее", founded_year=1949,
        address="303555, Орловская обл., Залегощенский р-н, с. Верхнее Скворчее, ул. Школьная, д. 5",
        staff=[("Мельникова Ольга Васильевна", "Библиотекарь", SECONDARY, 44, (7, 2), THREE_QUARTERS)],
        clubs=[dict(name="Рукодельница", audience=Audience.adults, founded_year=2012, members=8,
                    schedule="по вторникам, 14:00",
                    description="Клуб любителей рукоделия и народных промыслов.")],
    ),
    dict(
        name="Грачевская сельская библиотека", settlement="с. Грачевка", founded_year=1936,
        address="303552, Орловская обл., Залегощенский р-н, с. Грачевка, ул. Садовая, д. 1",
        staff=[("Воронина Надежда Алексеевна", "Заведующая филиалом", HIGHER, 49, (12, 6), FULL)],
        clubs=[dict(name="Юный эколог", audience=Audience.children, founded_year=2015, members=12,
                    schedule="по средам, 15:00", partner="Грачевская основная школа",
                    description="Экологический клуб для школьников.")],
    ),
    dict(
        name="Золотаревская сельская библиотека", settlement="д. Золотарево", founded_year=1962,
        address="303553, Орловская обл., Залегощенский р-н, д. Золотарево, ул. Мира, д. 7",
        staff=[("Соломатина Валентина Егоровна", "Библиотекарь", OTHER, 61, (5, 3), HALF)],
        clubs=[dict(name="Сударушка", audience=Audience.seniors, founded_year=2009, members=10,
                    schedule="первая суббота месяца",
                    description="Клуб общения для людей старшего возраста.")],
    ),
    dict(
        name="Ломовецкая сельская библиотека", settlement="с. Ломовец", founded_year=1947,
        address="303554, Орловская обл., Залегощенский р-н, с. Ломовец, ул. Молодёжная, д. 3",
        staff=[("Дёмина Юлия Сергеевна", "Заведующая филиалом", HIGHER_LIB, 34, (3, 9), FULL)],
        clubs=[dict(name="Добрые сердца", audience=Audience.disabled, founded_year=2017, members=6,
                    schedule="ежемесячно, по четвергам",
                    description="Клуб для людей с ограниченными возможностями здоровья "
                                "и их близких.")],
        outreach=[(OutreachKind.lending_point, "Пункт выдачи в ФАПе с. Ломовец",
                   "посетители фельдшерско-акушерского пункта", 19, datetime.date(2013, 4, 1))],
    ),
    dict(
        name="Моховская сельская библиотека", settlement="с. Моховое", founded_year=1958,
        address="303557, Орловская обл., Залегощенский р-н, с. Моховое, ул. Центральная, д. 14",
        staff=[("Афанасьева Марина Николаевна", "Библиотекарь", SECONDARY_LIB, 42, (9, 1), THREE_QUARTERS)],
        clubs=[dict(name="Родничок", audience=Audience.children, founded_year=2011, members=10,
                    schedule="по субботам, 12:00",
                    description="Клуб любителей чтения для детей младшего возраста.")],
        outreach=[(OutreachKind.lending_point, "Пункт выдачи в д. Тимирязево",
                   "жители деревни", 22, datetime.date(2012, 1, 10))],
    ),
    dict(
        name="Нижнезалегощенская сельская библиотека", settlement="с. Нижнее Залегощье", founded_year=1939,
        address="303561, Орловская обл., Залегощенский р-н, с. Нижнее Залегощье, ул. Речная, д. 4",
        staff=[("Ермакова Нина Павловна", "Заведующая филиалом", SECONDARY_LIB, 66, (40, 2), FULL)],
        clubs=[dict(name="Ветеран", audience=Audience.seniors, founded_year=2004, members=9,
                    schedule="ежемесячно",
                    description="Клуб ветеранов: воспоминания, встречи со школьниками.")],
        outreach=[(OutreachKind.home_service, "Обслуживание на дому, с. Нижнее Залегощье",
                   "ветераны и инвалиды", 9, datetime.date(2010, 10, 1))],
    ),
    dict(
        name="Октябрьская сельская библиотека", settlement="п. Октябрьский", founded_year=1967,
        address="303562, Орловская обл., Залегощенский р-н, п. Октябрьский, ул. Школьная, д. 2",
        staff=[("Краснова Вера Ивановна", "Библиотекарь", SECONDARY, 38, (2, 8), HALF)],
        clubs=[dict(name="Читающая семья", audience=Audience.families, founded_year=2016, members=7,
                    schedule="по воскресеньям, раз в месяц",
                    description="Клуб семейного чтения.")],
    ),
    dict(
        name="Прилепская сельская библиотека", settlement="с. Прилепы", founded_year=1953,
        address="303563, Орловская обл., Залегощенский р-н, с. Прилепы, ул. Луговая, д. 6",
        staff=[("Кудрявцева Ирина Викторовна", "Заведующая филиалом", HIGHER, 41, (6, 4), FULL)],
        clubs=[dict(name="Истоки", audience=Audience.adults, founded_year=2007, members=11,
                    schedule="последний четверг месяца",
                    description="Краеведческий клуб: история села и его жителей.")],
    ),
    dict(
        name="Сетушинская сельская библиотека", settlement="с. Сетуха", founded_year=1960,
        address="303564, Орловская обл., Залегощенский р-н, с. Сетуха, ул. Новая, д. 1",
        staff=[("Зайцева Оксана Юрьевна", "Библиотекарь", SECONDARY, 36, (4, 2), THREE_QUARTERS)],
        clubs=[dict(name="Светлячок", audience=Audience.children, founded_year=2019, members=8,
                    schedule="по пятницам, 15:00",
                    description="Клуб чтения и творчества для детей.")],
    ),
]

# Contest entries: (library, nomination, title, submitted on, result or None: not judged yet).
ZALEGOSHCH_CONTESTS = [
    dict(
        title="Каникулы в библиотеке", year=2020,
        starts_on=datetime.date(2020, 6, 1), ends_on=datetime.date(2020, 9, 15),
        description="Районный конкурс на лучшую постановку работы с детьми и подростками "
                    "во время каникул.",
        nominations=["Лучшая программа летнего чтения", "Лучшее мероприятие для детей и подростков",
                     "Лучшая площадка летнего отдыха"],
        entries=[
            ("Центральная детская библиотека", "Лучшая программа летнего чтения",
             "Программа летнего чтения «Читаем, играем, открываем»", datetime.date(2020, 9, 1),
             ContestResult.first_place),
            ("Грачевская сельская библиотека", "Лучшая площадка летнего отдыха",
             "Книжкина поляна", datetime.date(2020, 9, 4), ContestResult.second_place),
            ("Моховская сельская библиотека", "Лучшее мероприятие для детей и подростков",
             "Экологическая тропа «Родники родного края»", datetime.date(2020, 9, 7),
             ContestResult.third_place),
        ],
    ),
    dict(
        title="Создать новый образ", year=2020,
        starts_on=datetime.date(2020, 2, 1), ends_on=datetime.date(2020, 11, 30),
        description="Районный конкурс на лучшее оформление библиотеки.",
        nominations=["Лучшее оформление абонемента", "Лучшая книжная выставка",
                     "Лучший уголок краеведения"],
        entries=[
            ("Ломовецкая сельская библиотека", "Лучший уголок краеведения",
             "Краеведческий уголок «Ломовецкая старина»", datetime.date(2020, 10, 20),
             ContestResult.award),
            ("Нижнезалегощенская сельская библиотека", "Лучшее оформление абонемента",
             "Обновлённый абонемент", datetime.date(2020, 10, 26), ContestResult.participant),
            ("Бортновская сельская библиотека", "Лучшая книжная выставка",
             "Книжная выставка «Орловский край литературный»", datetime.date(2020, 11, 25), None),
        ],
    ),
    dict(
        title="Мы в газете, газета о нас", year=2020,
        starts_on=datetime.date(2020, 1, 15), ends_on=datetime.date(2020, 12, 15),
        description="Районный конкурс на лучшую публикацию о библиотеке в СМИ.",
        nominations=["Лучшая публикация о библиотеке", "Лучший цикл публикаций",
                     "Лучшая публикация о читателе"],
        entries=[
            ("Межпоселенческая районная библиотека", "Лучший цикл публикаций",
             "Цикл статей «И память о войне нам книги оживляют»", datetime.date(2020, 11, 30),
             ContestResult.first_place),
            ("Прилепская сельская библиотека", "Лучшая публикация о читателе",
             "Наши читатели-долгожители", datetime.date(2020, 12, 1), ContestResult.award),
            ("Сетушинская сельская библиотека", "Лучшая публикация о библиотеке",
             "Сельская библиотека: вчера, сегодня, завтра", datetime.date(2020, 12, 10), None),
        ],
    ),
]

KIRENSK_LIBRARIES = [
    dict(
        name="Межпоселенческая библиотека МО Киренский район", kind=LibraryKind.central,
        settlement="г. Киренск", address="666703, Иркутская обл., г. Киренск, ул. Ленина, д. 11",
        phone="+7 (39568) 4-32-18", founded_year=1932,
        working_hours="пн–пт 10:00–19:00, сб 10:00–17:00; выходной — вс",
        staff=[
            ("Богданова Марина Анатольевна", "Директор", HIGHER_LIB, 53, (22, 0), FULL),
            ("Черных Анна Владимировна", "Методист", HIGHER, 37, (5, 6), FULL),
            ("Пляскина Татьяна Геннадьевна", "Библиограф", SECONDARY_LIB, 58, (27, 3), FULL),
        ],
        clubs=[dict(name="Ленские зори", audience=Audience.adults, founded_year=2003, members=15,
                    schedule="второй вторник месяца, 17:00",
                    description="Литературный клуб местных поэтов и прозаиков.")],
        outreach=[(OutreachKind.home_service, "Обслуживание на дому, г. Киренск",
                   "пожилые читатели и люди с инвалидностью", 12, datetime.date(2011, 3, 1))],
    ),
    dict(
        name="Городская библиотека-музей", settlement="г. Киренск", founded_year=1994,
        address="666703, Иркутская обл., г. Киренск, ул. Кирова, д. 2",
        staff=[("Шестакова Людмила Петровна", "Заведующая библиотекой-музеем", HIGHER, 48, (15, 2), FULL)],
        clubs=[dict(name="Краевед", audience=Audience.youth, founded_year=2009, members=13,
                    schedule="по четвергам, 16:00",
                    description="Клуб юных краеведов: летописи сёл, экскурсионные маршруты.")],
    ),
    dict(
        name="Алымовская сельская библиотека", settlement="с. Алымовка", founded_year=1950,
        address="666730, Иркутская обл., Киренский р-н, с. Алымовка, ул. Центральная, д. 8",
        staff=[("Непомнящих Ольга Ивановна", "Библиотекарь", SECONDARY, 45, (11, 0), THREE_QUARTERS)],
        outreach=[(OutreachKind.lending_point, "Пункт выдачи в с. Макарово",
                   "жители села", 14, datetime.date(2014, 5, 12))],
    ),
    dict(name="Петропавловская сельская библиотека", settlement="с. Петропавловское", founded_year=1948,
         address="666720, Иркутская обл., Киренский р-н, с. Петропавловское, ул. Советская, д. 15",
         outreach=[(OutreachKind.mobile_collection, "Передвижка в участковой больнице с. Петропавловское",
                    "пациенты больницы", 10, datetime.date(2017, 2, 1))]),
    dict(name="Юбилейнинская сельская библиотека", settlement="п. Юбилейный", founded_year=1972,
         address="666740, Иркутская обл., Киренский р-н, п. Юбилейный, ул. Лесная, д. 3"),
]

IRKUTSK_CONTESTS = [
    dict(
        title="Жизни и судьбы", year=2021, level=ContestLevel.regional,
        starts_on=datetime.date(2021, 2, 1), ends_on=datetime.date(2021, 10, 31),
        description="Областной конкурс краеведческих работ о судьбах земляков.",
        nominations=["Исследовательская работа", "Летопись села", "Электронная презентация"],
        entries=[
            ("Городская библиотека-музей", "Исследовательская работа",
             "Киренчане на фронтах Великой Отечественной войны", datetime.date(2021, 5, 20),
             ContestResult.award),
            ("Алымовская сельская библиотека", "Летопись села",
             "Летопись села Алымовка", datetime.date(2021, 6, 3), None),
        ],
    ),
]

BG_HOURS = "понеделник – петък 9.00–17.00"
CHITALISHTE = dict(kind=LibraryKind.chitalishte, working_hours=BG_HOURS)

STARA_ZAGORA_LIBRARIES = [
    dict(
        name="Регионална библиотека „Захарий Княжески“", kind=LibraryKind.regional,
        settlement="Стара Загора", address="6000 Стара Загора, бул. Руски 44", phone="042 648 143",
        working_hours="понеделник – петък 8.30–18.30; събота 8.30–14.30",
        staff=[
            ("Десислава Стефанова Колева", "Директор", HIGHER_LIB, 55, (18, 0), FULL),
            ("Милена Георгиева Танева", "Главен библиотекар – методист", HIGHER_LIB, 41, (9, 6), FULL),
        ],
        clubs=[dict(name="Клуб по интереси „Четене с удоволствие“", audience=Audience.adults,
                    founded_year=2015, members=20, schedule="всеки втори вторник, 17.30",
                    description="Срещи на читатели, представяне на нови книги.")],
    ),
]

MAGLIZH_LIBRARIES = [
    dict(
        name="Библиотека при НЧ „Светлина 1899“", settlement="гр. Мъглиж", founded_year=1899,
        address="6180 Мъглиж, ул. „Христо Ботев“ 2", working_hours=BG_HOURS,
        staff=[("Антоанета Петкова Димова", "Библиотекар", HIGHER, 48, (16, 0), FULL)],
        clubs=[dict(name="Клуб по интереси „Приятели на книгата“", audience=Audience.children,
                    founded_year=2013, members=12, schedule="всяка сряда, 14.00",
                    description="Четения и игри за ученици от началния курс.")],
        outreach=[(OutreachKind.home_service, "Доставка на книги по домовете, гр. Мъглиж",
                   "възрастни и хора с увреждания", 8, datetime.date(2019, 3, 1))],
    ),
    dict(
        name="Библиотека при НЧ „Пробуда 1927“", settlement="с. Ягода", founded_year=1927,
        address="6184 с. Ягода, ул. „Първа“ 10", working_hours="вторник и четвъртък 9.00–13.00",
        staff=[("Стоянка Иванова Ненова", "Библиотекар", SECONDARY, 60, (12, 3), HALF)],
    ),
    dict(
        name="Библиотека при НЧ „Христо Ботев 1928“", settlement="с. Зимница", founded_year=1928,
        address="6183 с. Зимница, ул. „Васил Левски“ 4", working_hours="понеделник и сряда 9.00–13.00",
    ),
]

PAVEL_BANYA_LIBRARIES = [
    dict(
        name="Библиотека при НЧ „Надежда 1895“", settlement="гр. Павел баня", founded_year=1895,
        address="6155 Павел баня, ул. „Освобождение“ 8", working_hours=BG_HOURS,
        staff=[("Радостина Колева Пенчева", "Библиотекар", HIGHER_LIB, 39, (7, 4), FULL)],
        clubs=[dict(name="Клуб по интереси „Сръчни ръце“", audience=Audience.children,
                    founded_year=2016, members=10, schedule="всеки петък, 15.00",
                    description="Приложно творчество по мотиви от прочетени книги.")],
        outreach=[(OutreachKind.lending_point, "Заемна точка в кметството на с. Габарево",
                   "жителите на селото", 15, datetime.date(2018, 2, 5))],
    ),
    dict(
        name="Библиотека при НЧ „Просвета 1926“", settlement="с. Турия", founded_year=1926,
        address="6154 с. Турия, ул. „Стара планина“ 3", working_hours="вторник – четвъртък 9.00–13.00",
        staff=[("Величка Христова Минчева", "Библиотекар", SECONDARY, 57, (21, 0), HALF)],
    ),
]

OPAN_LIBRARIES = [
    dict(
        name="Библиотека при НЧ „Развитие 1929“", settlement="с. Опан", founded_year=1929,
        address="6070 с. Опан, ул. „Девета“ 2", working_hours=BG_HOURS,
        staff=[("Гергана Димитрова Стоянова", "Читалищен секретар – библиотекар", SECONDARY, 44, (8, 0),
                FULL)],
        clubs=[dict(name="Клуб по интереси „Бабини приказки“", audience=Audience.seniors,
                    founded_year=2018, members=9, schedule="първия четвъртък на месеца",
                    description="Баби четат и разказват приказки на децата от селото.")],
        outreach=[(OutreachKind.mobile_collection, "Подвижна сбирка в детската градина, с. Опан",
                   "деца и родители", 20, datetime.date(2020, 10, 1))],
    ),
    dict(
        name="Библиотека при НЧ „Васил Левски 1927“", settlement="с. Бял извор", founded_year=1927,
        address="6071 с. Бял извор, ул. „Първа“ 15", working_hours="понеделник и петък 9.00–12.00",
        staff=[("Тодорка Николова Жекова", "Библиотекар", OTHER, 62, (4, 5), HALF)],
    ),
]

CHIRPAN_LIBRARIES = [
    dict(
        name="Библиотека при НЧ „Напредък 1880“", settlement="гр. Чирпан", founded_year=1880,
        address="6200 Чирпан, ул. „Гео Милев“ 1", working_hours=BG_HOURS,
        staff=[("Николай Стоянов Делчев", "Библиотекар", HIGHER_LIB, 31, (2, 9), FULL)],
        clubs=[dict(name="Клуб по интереси „Млад краевед“", audience=Audience.youth,
                    founded_year=2011, members=14, schedule="всеки вторник, 15.30",
                    description="Краеведски четения за Чирпан и Пейо Яворов.")],
        outreach=[(OutreachKind.mobile_library, "Спирка на библиобуса, с. Свобода",
                   "жителите на селата около Чирпан", 18, datetime.date(2022, 4, 4))],
    ),
    dict(
        name="Библиотека при НЧ „Звезда 1910“", settlement="с. Спасово", founded_year=1910,
        address="6226 с. Спасово, ул. „Трета“ 5", working_hours="вторник и четвъртък 13.00–17.00",
        staff=[("Мария Иванова Русева", "Библиотекар", SECONDARY_LIB, 52, (25, 6), THREE_QUARTERS)],
    ),
    dict(
        name="Библиотека при НЧ „Изгрев 1927“", settlement="с. Целина", founded_year=1927,
        address="6228 с. Целина, ул. „Първа“ 1", working_hours="сряда 9.00–13.00",
    ),
]

STARA_ZAGORA_CONTESTS = [
    dict(
        title="Библиотеката – център на местната общност", year=2021, level=ContestLevel.regional,
        starts_on=datetime.date(2021, 3, 1), ends_on=datetime.date(2021, 11, 30),
        description="Регионален конкурс за най-добра инициатива на читалищна библиотека.",
        nominations=["Краеведска дейност", "Работа с деца и ученици", "Дигитални услуги"],
        entries=[
            ("Библиотека при НЧ „Светлина 1899“", "Дигитални услуги",
             "Дигитален летопис на читалището", datetime.date(2021, 9, 15),
             ContestResult.first_place),
            ("Библиотека при НЧ „Надежда 1895“", "Работа с деца и ученици",
             "Лятна читалня в парка", datetime.date(2021, 9, 20), ContestResult.second_place),
            ("Библиотека при НЧ „Напредък 1880“", "Краеведска дейност",
             "Яворови четения в Чирпан", datetime.date(2021, 10, 1), ContestResult.award),
            ("Библиотека при НЧ „Развитие 1929“", "Работа с деца и ученици",
             "Баба чете приказка", datetime.date(2021, 10, 12), ContestResult.participant),
        ],
    ),
]

# Regions and their districts. `library_defaults` fill what a tenant's libraries share;
# a district takes its region's locale; a contest's level follows its owner's kind. Every
# tenant publishes its public pages (the default); `frame_origins`: the sites that frame them.
RURAL = dict(kind=LibraryKind.branch, working_hours=RURAL_HOURS)

NETWORK = [
    dict(
        code="ORL", name="Орловская область", locale=Locale.ru,
        districts=[
            dict(code="ORL-ZAL", name="Залегощенский район", library_defaults=RURAL,
                 libraries=ZALEGOSHCH_LIBRARIES, contests=ZALEGOSHCH_CONTESTS,
                 # The district library's own site shows the public pages ("сельские библиотеки").
                 frame_origins="https://zalegoshch-library.ru"),
        ],
    ),
    dict(
        code="IRK", name="Иркутская область", locale=Locale.ru, time_zone="Asia/Irkutsk",
        contests=IRKUTSK_CONTESTS,
        districts=[
            dict(code="IRK-KIR", name="Киренский район", library_defaults=RURAL,
                 libraries=KIRENSK_LIBRARIES),
        ],
    ),
    dict(
        code="SZR", name="Област Стара Загора", locale=Locale.bg,
        libraries=STARA_ZAGORA_LIBRARIES, contests=STARA_ZAGORA_CONTESTS,
        districts=[
            dict(code="SZR-MGL", name="Мъглиж", library_defaults=CHITALISHTE,
                 libraries=MAGLIZH_LIBRARIES),
            dict(code="SZR-PBN", name="Павел баня", library_defaults=CHITALISHTE,
                 libraries=PAVEL_BANYA_LIBRARIES),
            dict(code="SZR-OPN", name="Опан", library_defaults=CHITALISHTE,
                 libraries=OPAN_LIBRARIES),
            dict(code="SZR-CHR", name="Чирпан", library_defaults=CHITALISHTE,
                 libraries=CHIRPAN_LIBRARIES),
        ],
    ),
]

# One account per role and level: (username, role, tenant code, library name or None, name).
# The names are made up.
ACCOUNTS = [
    ("admin", ADMIN, None, None, ("Администратор", "сервиса")),
    ("orel.director", DIRECTOR, "ORL", None, ("Елена", "Воронцова")),
    ("orel.methodologist", METHODOLOGIST, "ORL", None, ("Ирина", "Соколова")),
    ("orel.viewer", VIEWER, "ORL", None, ("Павел", "Лебедев")),
    ("zal.director", DIRECTOR, "ORL-ZAL", None, ("Татьяна", "Климова")),
    ("zal.methodologist", METHODOLOGIST, "ORL-ZAL", None, ("Светлана", "Орлова")),
    ("zal.viewer", VIEWER, "ORL-ZAL", None, ("Андрей", "Гусев")),
    ("zal.branch", BRANCH, "ORL-ZAL", "Бортновская сельская библиотека", ("Нина", "Жукова")),
    ("kir.director", DIRECTOR, "IRK-KIR", None, ("Людмила", "Зайцева")),
    ("sz.director", DIRECTOR, "SZR", None, ("Мария", "Иванова")),
    ("sz.methodologist", METHODOLOGIST, "SZR", None, ("Десислава", "Петкова")),
    ("maglizh.director", DIRECTOR, "SZR-MGL", None, ("Стефка", "Димова")),
    ("maglizh.branch", BRANCH, "SZR-MGL", "Библиотека при НЧ „Светлина 1899“", ("Йорданка", "Колева")),
]


def load() -> tuple[list[tuple[str, str, str]], str, bool]:
    """Add whatever of the demo network is missing; return (accounts, password, generated)."""
    tenants, libraries = {}, {}
    for region in NETWORK:
        parent = _tenant(region, None, tenants, libraries)
        for district in region.get("districts", []):
            _tenant(district, parent, tenants, libraries)
    for node in _nodes():
        for contest in node.get("contests", []):
            _contest(tenants[node["code"]], contest, libraries)
    for record_type in record_types().values():  # the demo records each record type brings
        if record_type.demo is not None:
            record_type.demo(tenants, libraries)
    db.session.commit()
    return _accounts(tenants, libraries)


def _nodes():
    for region in NETWORK:
        yield region
        yield from region.get("districts", [])


def _ensure(model, where: dict, **fields):
    """The row matching its natural key `where`; added with `fields` when missing."""
    row = db.session.scalars(select(model).filter_by(**where)).first()
    if row is None:
        row = model(**fields)
        db.session.add(row)
        db.session.flush()  # ids for the rows that refer to it
    return row


def _tenant(node: dict, parent, tenants: dict, libraries: dict):
    locale = node.get("locale") or parent.default_locale
    zone = node.get("time_zone") or (parent.time_zone if parent else default_time_zone(locale))
    tenant = _ensure(Tenant, {"code": node["code"]}, code=node["code"], name=node["name"],
                     kind=TenantKind.district if parent else TenantKind.region,
                     parent=parent, default_locale=locale, time_zone=zone,
                     public_frame_origins=node.get("frame_origins"))
    tenants[node["code"]] = tenant
    for data in node.get("libraries", []):
        data = {"status": LibraryStatus.active, **node.get("library_defaults", {}), **data}
        people, clubs, points = data.pop("staff", []), data.pop("clubs", []), data.pop("outreach", [])
        library = _ensure(Library, {"tenant": tenant, "name": data["name"]}, tenant=tenant, **data)
        libraries[node["code"], library.name] = library
        for person in people:
            _staff(library, *person)
        for club in clubs:
            _ensure(Club, {"library": library, "name": club["name"]}, library=library, **club)
        for kind, location, served, readers, since in points:
            _ensure(Outreach, {"library": library, "kind": kind, "location": location},
                    library=library, kind=kind, location=location, served=served,
                    readers_served=readers, active_since=since)
    return tenant


def _staff(library, full_name, position, education, age, service, rate):
    years, months = service
    _ensure(Staff, {"tenant_id": library.tenant_id, "full_name": full_name},
            library=library, full_name=full_name, position=position, education=education,
            birth_year=_today().year - age, hired_on=_months_ago(12 * years + months),
            employment_rate=rate)


def _contest(owner, data: dict, libraries: dict):
    data = dict(data)
    entries = data.pop("entries", [])
    data["nominations"] = "\n".join(data["nominations"])
    data.setdefault("level", ContestLevel.district if owner.parent_id else ContestLevel.regional)
    contest = _ensure(Contest, {"tenant": owner, "year": data["year"], "title": data["title"]},
                      tenant=owner, **data)
    for library_name, nomination, title, submitted_on, result in entries:
        library = _library_below(owner, library_name, libraries)
        _ensure(ContestEntry, {"library": library, "contest": contest, "title": title},
                library=library, contest=contest, nomination=nomination, title=title,
                submitted_on=submitted_on, result=result)


def _library_below(owner, name: str, libraries: dict):
    """The library of that name in the owner's tenant or in one of its districts."""
    found = [lib for (_, lib_name), lib in libraries.items()
             if lib_name == name and owner.id in (lib.tenant_id, lib.tenant.parent_id)]
    if len(found) != 1:
        raise LookupError(f"demo data: {len(found)} libraries named {name!r} under {owner.name}")
    return found[0]


def _accounts(tenants: dict, libraries: dict):
    sm = current_app.appbuilder.sm
    password = os.environ.get("DEMO_PASSWORD")
    missing = [row for row in ACCOUNTS if sm.find_user(username=row[0]) is None]
    # Existing accounts keep their passwords unless one is given; a generated one
    # then applies to the accounts added now.
    generated = not password and bool(missing)
    if generated:
        password = secrets.token_urlsafe(9)
    out = []
    for username, role, code, library_name, (first_name, last_name) in ACCOUNTS:
        tenant = tenants[code] if code else None
        library = libraries[code, library_name] if library_name else None
        user = sm.find_user(username=username)
        if user is None:  # ids, not names: a library name may recur in another district
            create_user(username, role, tenant=tenant.id if tenant else None,
                        library=library.id if library else None, password=password,
                        first_name=first_name, last_name=last_name)
        elif os.environ.get("DEMO_PASSWORD") and not check_password_hash(user.password, password):
            sm.reset_password(user.id, password)  # only a change is a change (and is audited)
        out.append((username, role, str(library or tenant or "—")))
    return out, password or "(unchanged)", generated


def _today() -> datetime.date:
    return datetime.date.today()


def _months_ago(months: int) -> datetime.date:
    today = _today()
    total = today.year * 12 + today.month - 1 - months
    return datetime.date(total // 12, total % 12 + 1, min(today.day, 28))
