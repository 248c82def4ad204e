"""Methodological publications with their files: a district's methodologist attaches a PDF
and her district downloads it; a file of the wrong type, too large, with macros or a
password, and a link that is not a web address are refused with nothing saved; another
district's publication and its file are as missing as an unknown one; a replaced or
deleted record's file goes, a failed save leaves none; the year's report counts them by
genre; the REST resource does the same."""
import io
import re
import zipfile

import pytest
from sqlalchemy import text

from .conftest import POSTGRES, login, make_app, put_current, snapshot

MISSING = 10**7
LIMIT = 100 * 1024  # the tests' ATTACHMENT_MAX_BYTES: "100 КБ"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _package(parts: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, body in parts.items():
            package.writestr(name, body)
    return buffer.getvalue()


def _office(main: str, extra: dict | None = None) -> bytes:
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             f'content-types"><Override PartName="/word/document.xml" ContentType="{main}"/></Types>')
    return _package({"[Content_Types].xml": types, "word/document.xml": "<w:document/>", **(extra or {})})


DOCX = _office("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
DOCM = _office("application/vnd.ms-word.document.macroEnabled.main+xml", {"word/vbaProject.bin": b"\x00" * 32})
# A DOCX that hides a VBA project under the ordinary main type.
DOCX_WITH_VBA = _office("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                        {"word/vbaProject.bin": b"\x00" * 32})
ODT = _package({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office:document/>"})
ODT_WITH_MACROS = _package({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>",
                            "Basic/Standard/Module1.xml": "<script/>"})
# Office's password-protected documents are a Compound File holding an "EncryptedPackage".
ENCRYPTED = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512
HTML = b"<html><script>alert(1)</script></html>"


@pytest.fixture(scope="module")
def attachment_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("attachments")


@pytest.fixture(scope="module")
def pub_app(urls, attachment_dir):
    return make_app(urls, ATTACHMENT_DIR=str(attachment_dir), ATTACHMENT_MAX_BYTES=LIMIT)


@pytest.fixture(scope="module", params=[True, False] if POSTGRES else [True],
                ids=["orm+rls" if POSTGRES else "orm", "rls-alone"][: 2 if POSTGRES else 1])
def layered_app(request, urls, attachment_dir):
    return make_app(urls, ATTACHMENT_DIR=str(attachment_dir), ATTACHMENT_MAX_BYTES=LIMIT,
                    TENANCY_ORM_LAYER=request.param)


def _id(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _tenant(engine, code):
    return _id(engine, "SELECT id FROM tenant WHERE code = :c", c=code)


def _files(directory) -> set:
    return {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()}


def _form(tenant, title, **extra):
    return {"title": title, "genre": "guide", "year": "2026", "tenant": str(tenant), **extra}


def _add(client, tenant, title, content=PDF, name="Памятка по стендам.pdf", **extra):
    data = _form(tenant, title, **extra)
    if content is not None:
        data["attachment"] = (io.BytesIO(content), name)
    return client.post("/methodpublicationview/add?_l_=ru", data=data, content_type="multipart/form-data")


def _stored(engine, title):
    with engine.connect() as conn:
        return conn.execute(text("SELECT id, file_key, file_name, file_type, file_size, version "
                                 "FROM method_publication WHERE title = :t"), {"t": title}).first()


@pytest.fixture
def guide(pub_app, owner_engine, attachment_dir):
    """Залегощенский район's guide with its PDF, added through the form; removed afterwards."""
    client = login(pub_app, "zal.methodologist")
    response = _add(client, _tenant(owner_engine, "ORL-ZAL"), "Памятка: оформление стендов")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    row = _stored(owner_engine, "Памятка: оформление стендов")
    yield row
    if _stored(owner_engine, "Памятка: оформление стендов") is not None:
        assert client.delete(f"/api/v1/method_publication/{row.id}").status_code == 200


def test_a_pdf_is_attached_kept_by_a_random_name_and_downloaded_by_the_district(pub_app, owner_engine,
                                                                              attachment_dir, guide):
    assert (guide.file_name, guide.file_type, guide.file_size) == ("Памятка по стендам.pdf", "pdf", len(PDF))
    tenant = _tenant(owner_engine, "ORL-ZAL")
    assert guide.file_key.startswith(f"{tenant}/") and "Памятка" not in guide.file_key
    assert (attachment_dir / guide.file_key).read_bytes() == PDF
    for username in ("zal.branch", "zal.viewer", "orel.director"):
        client = login(pub_app, username)
        page = client.get(f"/methodpublicationview/show/{guide.id}?_l_=ru").get_data(as_text=True)
        assert "Памятка по стендам.pdf" in page and f"/methodpublicationview/file/{guide.id}" in page
        response = client.get(f"/methodpublicationview/file/{guide.id}")
        assert response.status_code == 200 and response.data == PDF, username
        assert response.mimetype == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''%D0%9F%D0%B0%D0%BC%D1%8F%D1%82%D0%BA%D0%B0" in disposition


def test_a_region_publication_is_read_by_its_districts_not_changed(pub_app, owner_engine, attachment_dir):
    region = login(pub_app, "orel.methodologist")
    response = _add(region, _tenant(owner_engine, "ORL"), "Областной календарь дат")
    assert response.status_code == 302
    row = _stored(owner_engine, "Областной календарь дат")
    district = login(pub_app, "zal.director")
    assert district.get(f"/methodpublicationview/file/{row.id}").data == PDF
    before = snapshot(owner_engine)
    refused = put_current(district, f"/api/v1/method_publication/{row.id}", {"title": "Иначе"})
    assert refused.status_code == 403
    upload = district.put(f"/api/v1/method_publication/{row.id}/file", headers={"If-Match": f'"{row.version}"'},
                          data={"file": (io.BytesIO(PNG), "x.png")}, content_type="multipart/form-data")
    assert upload.status_code == 403
    assert snapshot(owner_engine) == before and (attachment_dir / row.file_key).read_bytes() == PDF
    assert region.delete(f"/api/v1/method_publication/{row.id}").status_code == 200


@pytest.mark.parametrize("name,content,message", [
    ("отчёт.pdf", HTML, "Такой тип файла не принимается"),  # named as a PDF, it is not one
    ("сценарии.docm", DOCM, "Документы с макросами"),
    ("сценарии.docx", DOCX_WITH_VBA, "Документы с макросами"),
    ("материалы.odt", ODT_WITH_MACROS, "Документы с макросами"),
    ("указатель.docx", ENCRYPTED, "защищён паролем"),
    ("большой.pdf", PDF + b"0" * LIMIT, "Файл слишком большой: можно приложить не более 100 КБ"),
    ("пустой.pdf", b"", "Файл пуст"),
])
def test_a_refused_file_saves_nothing(pub_app, owner_engine, attachment_dir, name, content, message):
    client = login(pub_app, "zal.methodologist")
    before, files = snapshot(owner_engine), _files(attachment_dir)
    response = _add(client, _tenant(owner_engine, "ORL-ZAL"), "Отказанное издание", content=content, name=name)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page, re.sub(r"\s+", " ", page)[-3000:]
    assert snapshot(owner_engine) == before and _files(attachment_dir) == files


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://files.example.ru/a.pdf", "www.example.ru",
                                  "https://", "http://exa mple.ru"])
def test_a_link_that_is_not_a_web_address_is_refused(pub_app, owner_engine, attachment_dir, link):
    client = login(pub_app, "zal.methodologist")
    before, files = snapshot(owner_engine), _files(attachment_dir)
    response = _add(client, _tenant(owner_engine, "ORL-ZAL"), "Издание со ссылкой", link=link)
    assert response.status_code == 200
    assert "Введите веб-адрес, начинающийся с http:// или https://." in response.get_data(as_text=True)
    assert snapshot(owner_engine) == before and _files(attachment_dir) == files


def test_accepted_types_are_told_by_content(pub_app, owner_engine, attachment_dir):
    """DOCX, ODT, XLSX and PNG are taken; the name offered on download ends as the type does."""
    import openpyxl

    book = io.BytesIO()
    openpyxl.Workbook().save(book)
    client = login(pub_app, "zal.methodologist")
    tenant = _tenant(owner_engine, "ORL-ZAL")
    for title, content, name, kind, shown in (
            ("Издание DOCX", DOCX, "сценарии.docx", "docx", "сценарии.docx"),
            ("Издание ODT", ODT, "материалы.odt", "odt", "материалы.odt"),
            ("Издание XLSX", book.getvalue(), "календарь", "xlsx", "календарь.xlsx"),
            ("Издание PNG", PNG, "обложка.pdf", "png", "обложка.pdf.png")):
        assert _add(client, tenant, title, content=content, name=name).status_code == 302, title
        row = _stored(owner_engine, title)
        assert (row.file_type, row.file_name) == (kind, shown)
        assert client.get(f"/methodpublicationview/file/{row.id}").data == content
        assert client.delete(f"/api/v1/method_publication/{row.id}").status_code == 200
        assert not (attachment_dir / row.file_key).exists()


def test_a_body_larger_than_any_file_is_refused_naming_the_limit(pub_app, owner_engine, attachment_dir):
    client = login(pub_app, "zal.methodologist")
    before, files = snapshot(owner_engine), _files(attachment_dir)
    response = _add(client, _tenant(owner_engine, "ORL-ZAL"), "Огромное издание", content=PDF + b"0" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert "не более 100 КБ" in response.get_data(as_text=True)
    assert snapshot(owner_engine) == before and _files(attachment_dir) == files


def test_another_districts_publication_and_its_file_are_as_missing_as_unknown_ones(layered_app, owner_engine,
                                                                                   attachment_dir):
    owner = login(layered_app, "zal.methodologist")
    assert _add(owner, _tenant(owner_engine, "ORL-ZAL"), "Чужим не видно").status_code == 302
    row = _stored(owner_engine, "Чужим не видно")
    try:
        for username in ("kir.director", "maglizh.director", "sz.methodologist"):
            client = login(layered_app, username)
            for url in ("/methodpublicationview/file/{}", "/methodpublicationview/show/{}",
                        "/api/v1/method_publication/{}", "/api/v1/method_publication/{}/file"):
                foreign, missing = client.get(url.format(row.id)), client.get(url.format(MISSING))
                assert foreign.status_code == missing.status_code == 404, (username, url)
                assert _page(foreign) == _page(missing), (username, url)
            listed = client.get("/api/v1/method_publication/?title__contains=Чужим").get_json()
            assert listed["count"] == 0
            before = snapshot(owner_engine)
            for pk in (row.id, MISSING):
                assert client.put(f"/api/v1/method_publication/{pk}/file", headers={"If-Match": '"1"'},
                                  data={"file": (io.BytesIO(PNG), "x.png")},
                                  content_type="multipart/form-data").status_code == 404
                assert client.delete(f"/api/v1/method_publication/{pk}/file").status_code == 404
            assert snapshot(owner_engine) == before and (attachment_dir / row.file_key).read_bytes() == PDF
    finally:
        assert owner.delete(f"/api/v1/method_publication/{row.id}").status_code == 200


def _page(response):
    return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))


def test_a_replaced_file_goes_once_saved_and_a_failed_save_leaves_none(pub_app, owner_engine, attachment_dir):
    client = login(pub_app, "zal.methodologist")
    tenant = _tenant(owner_engine, "ORL-ZAL")
    assert _add(client, tenant, "Сборник для замены").status_code == 302
    first = _stored(owner_engine, "Сборник для замены")
    form = {**_form(tenant, "Сборник для замены"), "version": str(first.version)}

    # Someone saved meanwhile: the edit with a new file is refused, and leaves no file behind.
    assert put_current(client, f"/api/v1/method_publication/{first.id}", {"pages": 12}).status_code == 200
    files = _files(attachment_dir)
    stale = client.post(f"/methodpublicationview/edit/{first.id}?_l_=ru", content_type="multipart/form-data",
                        data={**form, "attachment": (io.BytesIO(PNG), "обложка.png")})
    assert stale.status_code == 200 and "изменил эту запись" in stale.get_data(as_text=True)
    assert _files(attachment_dir) == files and _stored(owner_engine, "Сборник для замены").file_key == first.file_key

    # Saved: the new file replaces the old one, which is gone.
    current = _stored(owner_engine, "Сборник для замены")
    saved = client.post(f"/methodpublicationview/edit/{first.id}", content_type="multipart/form-data",
                        data={**form, "version": str(current.version), "attachment": (io.BytesIO(PNG), "обложка.png")})
    assert saved.status_code == 302
    second = _stored(owner_engine, "Сборник для замены")
    assert second.file_name == "обложка.png" and (attachment_dir / second.file_key).read_bytes() == PNG
    assert not (attachment_dir / first.file_key).exists()

    # An edit without a file keeps it; "remove" removes it.
    kept = client.post(f"/methodpublicationview/edit/{first.id}", content_type="multipart/form-data",
                       data={**form, "version": str(second.version), "description": "Обновлено"})
    assert kept.status_code == 302 and _stored(owner_engine, "Сборник для замены").file_key == second.file_key
    removed = client.post(f"/methodpublicationview/edit/{first.id}", content_type="multipart/form-data",
                          data={**form, "version": str(second.version + 1), "remove_file": "y"})
    assert removed.status_code == 302
    assert _stored(owner_engine, "Сборник для замены").file_key is None
    assert not (attachment_dir / second.file_key).exists()
    assert client.get(f"/methodpublicationview/file/{first.id}").status_code == 404

    # Deleting the record deletes its file.
    assert _add(client, tenant, "Издание на удаление").status_code == 302
    doomed = _stored(owner_engine, "Издание на удаление")
    assert (attachment_dir / doomed.file_key).exists()
    assert client.post(f"/methodpublicationview/delete/{doomed.id}").status_code == 302
    assert _stored(owner_engine, "Издание на удаление") is None and not (attachment_dir / doomed.file_key).exists()
    assert client.delete(f"/api/v1/method_publication/{first.id}").status_code == 200


def _report_rows(client, url) -> dict[str, tuple[str, str]]:
    body = client.get(url).get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>\s*<th[^>]*>(.*?)</th>\s*<td>(.*?)</td><td>(.*?)</td>", body)
    return {label: (now, before) for label, now, before in rows}


def test_the_years_report_counts_publications_by_genre(pub_app, owner_engine):
    """The seed's Залегощенский район prepared nine publications in 2020: two collections of
    scripts, a reading list, a calendar of dates, a guide, three methodological materials and a
    collection of poems; the year after, with last year beside."""
    import openpyxl

    client = login(pub_app, "zal.director")
    rows = _report_rows(client, "/method-report/?year=2020&_l_=ru")
    assert rows["Методические издания"] == ("9", "0")
    assert rows["Сборник сценарных материалов"] == ("2", "0")
    assert rows["Рекомендательный указатель"] == ("1", "0")
    assert rows["Памятка"] == ("1", "0")
    assert rows["Методические материалы"] == ("3", "0")
    assert rows["Календарь знаменательных дат"] == ("1", "0")
    assert rows["Другое издание"] == ("1", "0")
    assert _report_rows(client, "/method-report/?year=2021&_l_=ru")["Методические издания"] == ("0", "9")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/method-report/xlsx?year=2020&_l_=ru").data))
    cells = {row[0].strip(): row[1:3] for row in book.active.iter_rows(values_only=True) if row and row[0]}
    assert cells["Методические издания"] == (9, 0) and cells["Сборник сценарных материалов"] == (2, 0)
    bg = _report_rows(login(pub_app, "sz.director"), "/method-report/?year=2021&_l_=bg")
    assert bg["Методически издания"] == ("1", "0") and bg["Методически материали"] == ("1", "0")
    # The region's own count: its districts' reports do not count what it prepared for them.
    mgl = _tenant(owner_engine, "SZR-MGL")
    assert _report_rows(login(pub_app, "maglizh.director"), f"/method-report/{mgl}?year=2021&_l_=bg")[
        "Методически издания"] == ("0", "0")


def test_the_rest_resource_takes_the_record_and_its_file(pub_app, owner_engine, attachment_dir):
    client = login(pub_app, "zal.methodologist")
    tenant = _tenant(owner_engine, "ORL-ZAL")
    before, files = snapshot(owner_engine), _files(attachment_dir)
    refused = client.post("/api/v1/method_publication/?_l_=ru", json={
        "title": "Через API", "genre": "scripts", "year": 2026, "tenant": tenant, "link": "javascript:alert(1)"})
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["link"]
    assert snapshot(owner_engine) == before

    created = client.post("/api/v1/method_publication/", json={
        "title": "Через API", "genre": "scripts", "year": 2026, "tenant": tenant, "pages": 48,
        "audience": "specialists", "link": "https://zalegoshch-library.ru/metod/skripty.pdf"})
    assert created.status_code == 201, created.get_json()
    pk, version = created.get_json()["id"], created.get_json()["result"]["version"]
    url = f"/api/v1/method_publication/{pk}"
    assert created.get_json()["result"]["file_name"] is None

    def upload(content, name, **headers):
        return client.put(f"{url}/file?_l_=ru", headers=headers, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(content), name)})

    assert upload(PDF, "сценарии.pdf").status_code == 428  # which version it changes
    middle = snapshot(owner_engine)
    bad = upload(DOCM, "сценарии.docm", **{"If-Match": f'"{version}"'})
    assert bad.status_code == 422 and "макросами" in bad.get_json()["errors"]["file"][0]
    assert snapshot(owner_engine) == middle and _files(attachment_dir) == files
    assert client.put(f"{url}/file", json={"file": "x"}, headers={"If-Match": f'"{version}"'}).status_code == 400
    assert upload(PDF, "сценарии.pdf", **{"If-Match": '"999"'}).status_code == 409
    assert _files(attachment_dir) == files

    done = upload(PDF, "сценарии.pdf", **{"If-Match": f'"{version}"'})
    assert done.status_code == 200, done.get_json()
    result = done.get_json()["result"]
    assert (result["file_name"], result["file_type"], result["file_size"]) == ("сценарии.pdf", "pdf", len(PDF))
    assert "file_key" not in result
    fetched = client.get(f"{url}/file")
    assert fetched.status_code == 200 and fetched.data == PDF and fetched.mimetype == "application/pdf"
    key = _stored(owner_engine, "Через API").file_key

    viewer = login(pub_app, "zal.viewer")
    assert viewer.get(f"{url}/file").data == PDF
    assert viewer.delete(f"{url}/file").status_code == 403

    assert client.delete(f"{url}/file").status_code == 200
    assert not (attachment_dir / key).exists() and client.get(f"{url}/file").status_code == 404
    assert client.delete(f"{url}/file").status_code == 404  # no file to remove
    again = upload(PNG, "обложка.png", **{"If-Match": f'"{client.get(url).get_json()["result"]["version"]}"'})
    assert again.status_code == 200
    key = _stored(owner_engine, "Через API").file_key
    assert client.delete(url).status_code == 200 and not (attachment_dir / key).exists()


def test_the_openapi_document_describes_the_file_endpoints(pub_app):
    document = login(pub_app, "zal.methodologist").get("/api/v1/_openapi").get_json()
    operations = document["paths"]["/api/v1/method_publication/{pk}/file"]
    assert set(operations) >= {"get", "put", "delete"}
    body = operations["put"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["properties"]["file"] == {"type": "string", "format": "binary"}
    viewer = login(pub_app, "zal.viewer").get("/api/v1/_openapi").get_json()
    assert set(viewer["paths"]["/api/v1/method_publication/{pk}/file"]) == {"get"}


def test_a_save_that_fails_after_the_file_was_written_leaves_no_file(pub_app, owner_engine, attachment_dir,
                                                                     monkeypatch):
    """Someone saves the record between the check of the version and the commit: the database
    refuses the change (409), and the file written for it is gone again."""
    from app import attachments

    client = login(pub_app, "zal.methodologist")
    created = client.post("/api/v1/method_publication/", json={
        "title": "Издание для гонки", "genre": "guide", "year": 2026, "tenant": _tenant(owner_engine, "ORL-ZAL")})
    pk, version = created.get_json()["id"], created.get_json()["result"]["version"]
    written = []

    def attach_then_someone_saves(session, item, upload):
        original(session, item, upload)
        written.append(attachment_dir / item.file_key)
        with owner_engine.begin() as conn:
            conn.execute(text("UPDATE method_publication SET version = version + 1 WHERE id = :i"), {"i": pk})

    original = attachments.attach
    monkeypatch.setattr(attachments, "attach", attach_then_someone_saves)
    files = _files(attachment_dir)
    response = client.put(f"/api/v1/method_publication/{pk}/file", headers={"If-Match": f'"{version}"'},
                          data={"file": (io.BytesIO(PDF), "памятка.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 409 and response.get_json()["result"]["file_name"] is None
    assert written and not written[0].exists() and _files(attachment_dir) == files
    assert _stored(owner_engine, "Издание для гонки").file_key is None
    monkeypatch.undo()
    assert client.delete(f"/api/v1/method_publication/{pk}").status_code == 200
