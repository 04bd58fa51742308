"""A mayor's office starts an alert from a template: the blanks are listed and block sending until
they are filled; the phone preview then shows the finished text. An admin edits and resets one."""

from __future__ import annotations

import psycopg
from playwright.sync_api import Page, expect

from tests import infra
from tests.e2e.conftest import TOWN, Traffic, log_in, wait_for_map, wait_for_path


def _no_station_templates(stack: infra.Stack) -> None:
    with psycopg.connect(stack.database_url) as conn:
        conn.execute("DELETE FROM station_templates")


def test_boil_water_template_blanks_then_preview(page: Page, traffic: Traffic, people, screenshots, stack) -> None:
    _no_station_templates(stack)
    log_in(page, people["town"])
    wait_for_path(page, f"/console/stations/{TOWN}")
    wait_for_map(page)

    picker = page.get_by_label("Modèle")
    expect(picker.locator("option", has_text="Eau à faire bouillir")).to_be_attached()
    picker.select_option(label="Eau à faire bouillir")

    title, body = page.get_by_label("Titre"), page.get_by_label("Message")
    expect(title).to_have_value("Eau du robinet : à faire bouillir avant de la boire")
    assert page.get_by_label("Gravité").input_value() == "Severe"
    assert page.get_by_label("Type d’événement").input_value() == "Health"
    blanks = page.locator(".blanks")
    expect(blanks).to_be_visible()
    assert blanks.inner_text().startswith("À compléter :")
    listed = blanks.locator("mark").all_inner_texts()
    assert listed == ["[cause]", "[quartier]", "[date]", "[lieu de distribution]"]
    send = page.get_by_role("button", name="Vérifier et envoyer…")
    expect(send).to_be_disabled()
    expect(page.locator("#send-blocked")).to_contain_text("Envoi bloqué")
    # the first blank is selected, ready to be typed over
    assert page.evaluate("() => document.activeElement.name") == "body"
    assert page.evaluate("() => document.activeElement.value.substring("
                         "document.activeElement.selectionStart, document.activeElement.selectionEnd)") == "[cause]"
    shot = screenshots / "template-blanks.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")

    page.keyboard.type("une pollution du réseau")
    assert blanks.locator("mark").all_inner_texts() == ["[quartier]", "[date]", "[lieu de distribution]"]
    blanks.get_by_role("button", name="[quartier]").click()  # a listed blank leads to where it is
    page.keyboard.type("Bellevue")
    filled = (body.input_value().replace("[date]", "12 mars")
              .replace("[lieu de distribution]", "gymnase Jean-Moulin, de 9 h à 18 h"))
    body.fill(filled)
    expect(blanks).to_be_hidden()
    expect(send).to_be_enabled()
    expect(page.locator("#send-blocked")).to_be_hidden()

    preview = page.locator(".lockscreen")
    expect(preview.locator(".notif-title")).to_have_text("Eau du robinet : à faire bouillir avant de la boire")
    expect(preview.locator(".notif-body")).to_contain_text("une pollution du réseau, l'eau du robinet n'est plus "
                                                           "potable à Bellevue depuis le 12 mars")
    expect(preview.locator(".notif-body")).to_contain_text("gymnase Jean-Moulin")
    shot = screenshots / "template-filled.png"
    preview.scroll_into_view_if_needed()
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    assert not traffic.errors, traffic.errors


def test_an_admin_edits_a_template_and_restores_it(page: Page, traffic: Traffic, people, screenshots, stack) -> None:
    _no_station_templates(stack)
    log_in(page, people["admin"])
    # the admin may also hold child stations (another test creates one): they land on the picker then
    page.wait_for_url(lambda url: "/console/login" not in url)
    page.goto(f"/console/stations/{TOWN}/admin")
    section = page.locator("section", has=page.get_by_role("heading", name="Modèles", exact=True))
    section.get_by_role("button", name="Modifier le modèle « Route fermée »").click()
    editor = section.locator("form.template-editor")
    french = editor.locator("fieldset[lang=fr]")
    french.get_by_label("Titre").fill("Rue [rue] fermée à la circulation")
    editor.get_by_role("button", name="Enregistrer le modèle").click()
    item = section.locator("li[data-key=road-closure]")
    expect(item.locator(".badge")).to_have_text("Modifié")
    shot = screenshots / "template-admin.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot: {shot}")

    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="Rétablir l’original — Route fermée").click()
    expect(item.locator(".badge")).to_have_count(0)
    assert not traffic.errors, traffic.errors
