"""Admin's screens in the browser: every page of Admin's menu, in Russian and Bulgarian,
asks nothing of another host (a closed network has none), and FAB's user and role screens
read in the page's language."""
from urllib.parse import urlsplit

LANGS = ("ru", "bg")


def test_admin_screens_ask_no_other_host(web):
    page = web.page()
    outside = []
    page.on("request", lambda request: urlsplit(request.url).hostname not in ("127.0.0.1", None)
            and outside.append(f"{page.url} -> {request.url}"))
    web.login(page, "admin")
    links = page.eval_on_selector_all(".navbar-nav:not(.navbar-right) .dropdown-menu a[href]",
                                      "links => links.map(a => a.getAttribute('href'))")
    menu = sorted({href for href in links if href.startswith("/") and "/lang/" not in href})
    assert "/roles/list/" in menu and "/accountview/list/" in menu, menu
    assert "/users/list/" not in menu, "one list of users: the accounts screen"
    user = web.server.scalar("SELECT id FROM ab_user WHERE username = 'zal.director'")
    role = web.server.scalar("SELECT id FROM ab_role WHERE name = 'Director'")
    fab = ["/users/list/", "/users/add", f"/users/edit/{user}", f"/users/show/{user}",
           "/roles/add", f"/roles/show/{role}", "/users/userinfo/"]
    for lang in LANGS:
        for path in [*menu, *fab]:
            response = page.goto(f"{path}?_l_={lang}")
            assert response.ok and "/login/" not in page.url, f"{path}: {response.status} {page.url}"
            page.wait_for_load_state("load")
    assert not outside, "pages asked another host:\n" + "\n".join(outside)

    for path, name in [("/roles/list/", "roles-list"), ("/accountview/list/", "accounts-list"),
                       ("/users/list/", "fab-users-list"), (f"/users/edit/{user}", "fab-user-edit"),
                       (f"/roles/show/{role}", "role-show")]:
        page.goto(path)
        web.shots(page, name)
    web.expect_no_troubles()
