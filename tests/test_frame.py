"""The page frame every screen shares: its language, its title, its dialogs."""
import re

import pytest

PAGES = ["/", "/clubview/list/", "/clubview/add", "/users/userinfo/"]


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


@pytest.mark.parametrize("lang", ["ru", "bg"])
def test_pages_declare_their_language(as_user, lang):
    client = as_user("zal.director")
    for path in PAGES:
        html = client.get(f"{path}?_l_={lang}").get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, path


def test_a_title_names_the_page_and_the_organisation(as_user, app):
    client = as_user("zal.director")
    assert _title(client.get("/clubview/list/").get_data(as_text=True)) == \
        "Клубы по интересам · Залегощенский район · Libnet"
    assert _title(client.get("/clubview/add").get_data(as_text=True)).startswith("Добавить")
    anonymous = app.test_client().get("/login/?_l_=bg").get_data(as_text=True)
    assert _title(anonymous).endswith("· Libnet") and "None" not in _title(anonymous)


def test_dialogs_and_landmarks_appear_once_per_page(as_user):
    client = as_user("zal.director")
    club = re.search(r'/clubview/show/(\d+)', client.get("/clubview/list/").get_data(as_text=True)).group(1)
    for path in ["/clubview/list/", f"/clubview/show/{club}"]:
        html = client.get(path).get_data(as_text=True)
        for element_id in ("modal-confirm", "modal-alert", "modal-confirm-ok"):
            assert html.count(f'id="{element_id}"') == 1, (path, element_id)
        assert 'role="header"' not in html


def test_the_language_menu_has_a_name_not_only_a_flag(as_user):
    html = as_user("zal.director").get("/?_l_=bg").get_data(as_text=True)
    assert 'aria-label="Език: Български"' in html
