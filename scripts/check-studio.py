#!/usr/bin/env python3
"""The console's catalog studio in a real browser: Debian's Chromium driven by Playwright, audited by axe.

    python scripts/check-studio.py

Environment: ATELIER_BIN, WORK, ATELIER_PORT, DATABASE_URL (see scripts/console_check.py). Starts `atelier serve` with
the demo catalog and checks, as a designer in Chromium: the products list (search, category, the demo pictures
served by the server and decoded by the browser); a new product with two dimensions, an exclusion and an add-on,
errors shown next to the fields they point at; two uploaded images (bytes served equal to bytes uploaded, ETag and
304, public caching), reordered; the stock of a variant; a template with a text and an image zone published from
JSON, its zones drawn over the view image at their geometry; a bad template's error shown at its zone; the "try it"
panel's session and preview; a shopper's session through the public API validated against the template with a
rendered preview; the bulk import's per-row errors and a good import; delete refused while an order uses a product,
archive; a viewer who reads but cannot change. axe on every page; screenshots of the product editor and the template
editor to $WORK/console-*.png.
"""
import json
import os
import secrets
import signal
import sys
import time

from playwright.sync_api import sync_playwright

from console_check import (Failed, Server, audit, call, csrf_of, expect, goto, images_loaded, ok, paid_order, png, post_form,
                           screenshot, sign_in, WORK)

server = Server("studio")
TAG = secrets.token_hex(3)
SLUG = f"studio-mug-{TAG}"


def admin_get(path):
    status, body, _ = call("GET", path, headers={"Authorization": f"Bearer {server.admin_key()}"})
    expect(status == 200, f"GET {path}: {status} {body}")
    return body


def product_by_slug(slug):
    for item in admin_get("/admin/products?limit=100")["items"]:
        if item["definition"]["slug"] == slug:
            return item
    raise Failed(f"no product with slug {slug} in GET /admin/products")


def field(page, pointer):
    """The input named by a JSON pointer."""
    return page.locator(f'[name="{pointer}"]')


def field_error(page, pointer):
    """The error shown next to the input named `pointer` (its aria-describedby)."""
    element = field(page, pointer)
    expect(element.count() == 1, f"no input named {pointer}")
    expect(element.get_attribute("aria-invalid") == "true", f"{pointer} is not marked aria-invalid")
    described = element.get_attribute("aria-describedby")
    return page.locator(f"#{described}").inner_text()


def submit(page, button, path_part):
    with page.expect_response(lambda r: r.request.method == "POST" and path_part in r.url) as answer:
        page.locator(button).click()
    page.wait_for_load_state("load")
    return answer.value


def check_products_list(page):
    goto(page, "/console/products")
    rows = page.locator("#products tbody tr")
    expect(rows.count() >= 4, f"the products list shows {rows.count()} rows, not the 4 demo products")
    count = images_loaded(page, "#products img.thumb", "the products list")
    ok(f"products list: {rows.count()} products, {count} demo pictures fetched with 200 and decoded by Chromium")
    page.locator("#q").fill("keepsake")
    page.locator("#product-search button").click()
    page.wait_for_load_state("load")
    names = page.locator("#products tbody th").all_inner_texts()
    expect(len(names) == 1 and "keepsake" in names[0].lower(), f"search 'keepsake' shows {names}")
    goto(page, "/console/products")
    categories = page.locator("#category option").all()
    chosen = [option.get_attribute("value") for option in categories if option.get_attribute("value")]
    expect(chosen, "the category filter offers no category")
    page.locator("#category").select_option(chosen[0])
    page.locator("#product-search button").click()
    page.wait_for_load_state("load")
    expected = [item["definition"]["name"] for item in admin_get(f"/admin/products?category={chosen[0]}&limit=100")["items"]]
    shown = [name.split("\n")[0].strip() for name in page.locator("#products tbody th").all_inner_texts()] if page.locator("#products").count() else []
    expect(sorted(shown) == sorted(expected), f"category {chosen[0]}: the list shows {shown}, the API {expected}")
    ok(f"products list: search by name and category filter ({chosen[0]}: {len(shown)}) as the admin API answers")
    audit(page, "the products list")


def check_demo_pictures(page):
    tee = product_by_slug("custom-printed-tee")
    goto(page, f"/console/products/{tee['id']}")
    count = images_loaded(page, "#media img.media-image", "the tee's editor")
    status, _, headers = call("GET", "/demo/tee-front.png")
    etag = headers.get("ETag")
    again, _, _ = call("GET", "/demo/tee-front.png", headers={"If-None-Match": etag})
    expect(status == 200 and etag and again == 304, f"/demo/tee-front.png: {status}, ETag {etag}, then {again}")
    ok(f"demo catalog: the tee's {count} pictures load in the console (200, decoded); /demo/ answers ETag and 304")


def fill_new_product(page):
    goto(page, "/console/products/new")
    field(page, "/name").fill(f"Studio mug {TAG}")
    field(page, "/slug").fill(SLUG)
    field(page, "/description").fill("A mug made in the studio check.")
    field(page, "/basePrice").fill("12.50")
    field(page, "/baseLeadTimeDays").fill("3")
    field(page, "/weightGrams").fill("350")
    field(page, "/active").check()
    field(page, "/dimensions/0/code").fill("size")
    field(page, "/dimensions/0/name").fill("Size")
    for index, (code, name, price) in enumerate([("small", "Small", "0"), ("large", "Large", "2.00")]):
        field(page, f"/dimensions/0/values/{index}/code").fill(code)
        field(page, f"/dimensions/0/values/{index}/name").fill(name)
        field(page, f"/dimensions/0/values/{index}/priceAdjustment").fill(price)
        field(page, f"/dimensions/0/values/{index}/skuFragment").fill(code[:2].upper())
    field(page, "/dimensions/0/values/1/leadTimeDays").fill("2")
    field(page, "/optionSets/0/code").fill("gift")
    field(page, "/optionSets/0/name").fill("Gift")
    field(page, "/optionSets/0/minSelect").fill("0")
    field(page, "/optionSets/0/maxSelect").fill("1")
    field(page, "/optionSets/0/options/0/code").fill("wrap")
    field(page, "/optionSets/0/options/0/name").fill("Gift wrap")
    field(page, "/optionSets/0/options/0/surcharge").fill("3.50")


def check_new_product(page):
    fill_new_product(page)
    # A first save with mistakes: a price that is not an amount, a value code used twice.
    field(page, "/dimensions/0/values/1/priceAdjustment").fill("two euros")
    field(page, "/dimensions/0/values/1/code").fill("small")
    response = submit(page, "#save-product", "/console/products")
    expect(response.status == 422, f"a product with errors: {response.status}, not 422")
    price = field_error(page, "/dimensions/0/values/1/priceAdjustment")
    code = field_error(page, "/dimensions/0/values/1/code")
    expect("amount" in price.lower(), f"the price's error says {price!r}")
    expect(code, "no error next to the repeated value code")
    expect(page.locator("#form-errors").count() == 1, "no error summary")
    ok(f"product editor: errors next to their fields (price: {price!r}; code: {code!r}), 422, nothing saved")
    audit(page, "the product editor with errors")
    expect(not [i for i in admin_get("/admin/products?limit=100")["items"] if i["definition"]["slug"] == SLUG], "a product was saved with errors")

    field(page, "/dimensions/0/values/1/priceAdjustment").fill("2.00")
    field(page, "/dimensions/0/values/1/code").fill("large")
    # The second dimension and the exclusion, on the form as the server gave it back.
    field(page, "/dimensions/1/code").fill("colour")
    field(page, "/dimensions/1/name").fill("Colour")
    for index, (code, name) in enumerate([("white", "White"), ("black", "Black")]):
        field(page, f"/dimensions/1/values/{index}/code").fill(code)
        field(page, f"/dimensions/1/values/{index}/name").fill(name)
    field(page, "/exclusions/0").fill("size=small, colour=black")
    response = submit(page, "#save-product", "/console/products")
    expect(response.status == 303, f"saving the product: {response.status}")
    expect(page.locator("#notice").inner_text().strip() == "Saved.", "no 'Saved.' after the save")
    product = product_by_slug(SLUG)
    definition = product["definition"]
    expect([d["code"] for d in definition["dimensions"]] == ["size", "colour"], f"dimensions: {definition['dimensions']}")
    large = definition["dimensions"][0]["values"][1]
    expect(large["priceAdjustment"]["amount"] == 200 and large["leadTimeDays"] == 2 and large["skuFragment"] == "LA", f"large: {large}")
    expect(definition["exclusions"] == [{"size": "small", "colour": "black"}], f"exclusions: {definition['exclusions']}")
    option = definition["optionSets"][0]
    expect(option["code"] == "gift" and option["maxSelect"] == 1 and option["options"][0]["surcharge"]["amount"] == 350, f"option set: {option}")
    expect(definition["basePrice"]["amount"] == 1250 and definition.get("weightGrams") == 350, f"price/weight: {definition}")
    ok("product editor: a product with 2 dimensions, an exclusion and an add-on saved as the admin API reads it")
    return product


def upload_image(page, data, alt, name):
    path = os.path.join(WORK, name)
    with open(path, "wb") as out:
        out.write(data)
    page.locator("#media-file").set_input_files(path)
    page.locator("#media-alt").fill(alt)
    page.locator("#media-view").fill("front")
    response = submit(page, "#media-upload button", "/media")
    expect(response.status == 303, f"uploading {name}: {response.status}")


def check_images(page, product):
    goto(page, f"/console/products/{product['id']}")
    first, second = png(600, 600, (200, 60, 40), (250, 250, 250)), png(400, 300, (30, 90, 160))
    upload_image(page, first, "A red mug, front", "studio-first.png")
    upload_image(page, second, "A blue mug, side", "studio-second.png")
    media = product_by_slug(SLUG)["definition"]["media"]
    expect([m["altText"] for m in media] == ["A red mug, front", "A blue mug, side"], f"media after two uploads: {media}")
    for item, data in zip(media, (first, second)):
        status, body, headers = call("GET", item["url"])
        expect(status == 200 and body == data, f"GET {item['url']}: {status}, {len(body)} bytes, not the {len(data)} uploaded")
        etag, cache = headers.get("ETag"), headers.get("Cache-Control", "")
        expect(etag and "public" in cache and "immutable" in cache, f"{item['url']}: ETag {etag}, Cache-Control {cache!r}")
        again, _, _ = call("GET", item["url"], headers={"If-None-Match": etag})
        expect(again == 304, f"{item['url']} with If-None-Match: {again}")
    count = images_loaded(page, "#media img.media-image", "the product's images")
    expect(count == 2, f"{count} images in the editor")
    ok("images: two uploads served with the bytes uploaded, public and immutable, ETag/304; shown in the editor")
    # A file that is not an image is refused with the reason.
    path = os.path.join(WORK, "studio-not-an-image.png")
    with open(path, "wb") as out:
        out.write(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    page.locator("#media-file").set_input_files(path)
    page.locator("#media-alt").fill("Not an image")
    response = submit(page, "#media-upload button", "/media")
    expect(response.status == 415 and "not" in page.locator("#form-error").inner_text().lower(), f"a non-image upload: {response.status}")
    ok("images: an SVG sent as PNG is refused (415) with the reason on the page")
    # Reorder: the second first.
    goto(page, f"/console/products/{product['id']}")
    field(page, "/media/0/position").fill("2")
    field(page, "/media/1/position").fill("1")
    response = submit(page, "#save-product", "/console/products")
    expect(response.status == 303, f"reordering: {response.status}")
    media = product_by_slug(SLUG)["definition"]["media"]
    expect([m["altText"] for m in media] == ["A blue mug, side", "A red mug, front"], f"media after reordering: {media}")
    ok("images: reordered by position")
    screenshot(page, "product-editor")
    audit(page, "the product editor")
    return media


def check_inventory(page, product):
    goto(page, f"/console/products/{product['id']}/inventory")
    rows = page.locator("#inventory tbody tr")
    labels = rows.locator("th").all_inner_texts()
    # 2 × 2 combinations minus the excluded one.
    expect(rows.count() == 3, f"inventory rows: {labels}")
    target = next(i for i, label in enumerate(labels) if "Large" in label and "White" in label)
    field(page, f"/items/{target}/tracked").check()
    field(page, f"/items/{target}/onHand").fill("7")
    response = submit(page, "#save-inventory", "/inventory")
    expect(response.status == 303, f"saving stock: {response.status}")
    items = admin_get(f"/admin/products/{product['id']}/inventory")["items"]
    expect(len(items) == 1 and items[0]["onHand"] == 7 and items[0]["variant"] == {"size": "large", "colour": "white"}, f"inventory: {items}")
    ok("stock: large/white tracked with 7 on hand, as the admin API reads it")
    audit(page, "the stock page")


def template_document(view_image):
    return {
        "views": [{"code": "front", "name": "Front", "width": 800, "height": 600, "imageUrl": view_image}],
        "zones": [
            {"code": "name", "name": "Name", "kind": "text", "view": "front", "required": True,
             "surcharge": {"amount": 0, "currency": "USD"}, "geometry": {"x": 100, "y": 80, "width": 400, "height": 100, "rotation": 0},
             "text": {"minLength": 1, "maxLength": 20, "maxLines": 1, "charset": "printable", "fonts": ["Inter"], "colours": ["#111111"]}},
            {"code": "photo", "name": "Photo", "kind": "image", "view": "front", "required": False,
             "surcharge": {"amount": 400, "currency": "USD"}, "geometry": {"x": 450, "y": 250, "width": 300, "height": 300, "rotation": 10},
             "image": {"allowedTypes": ["png", "jpeg"], "maxBytes": 5000000, "minWidth": 100, "minHeight": 100, "maxWidth": 4000, "maxHeight": 4000}},
        ],
    }


def publish(page, document):
    page.locator("#template-document").fill(json.dumps(document, indent=2))
    return submit(page, "#publish-template", "/template")


def check_template(page, product, media):
    goto(page, f"/console/products/{product['id']}/template")
    document = template_document(media[0]["url"])
    response = publish(page, document)
    expect(response.status == 303, f"publishing version 1: {response.status}")
    versions = admin_get(f"/admin/products/{product['id']}/templates")["items"]
    expect([v["version"] for v in versions] == [1], f"versions: {[v['version'] for v in versions]}")
    svg = page.locator("svg#view-front")
    expect(svg.count() == 1, "no svg#view-front")
    expect(svg.locator("image").get_attribute("href") == media[0]["url"], "the view's image is not drawn under the zones")
    for zone in document["zones"]:
        rect = svg.locator(f'g.zone[data-zone="{zone["code"]}"] rect')
        g = zone["geometry"]
        drawn = {key: int(rect.get_attribute(key)) for key in ("x", "y", "width", "height")}
        expect(drawn == {"x": g["x"], "y": g["y"], "width": g["width"], "height": g["height"]}, f"zone {zone['code']} drawn at {drawn}, not {g}")
        box = rect.bounding_box()
        expect(box and box["width"] > 10 and box["height"] > 10, f"zone {zone['code']}'s rectangle is not visible: {box}")
    transform = svg.locator('g.zone[data-zone="photo"]').get_attribute("transform")
    expect(transform == "rotate(10 600 400)", f"the rotated zone's transform: {transform}")
    # The view image is fetched and decoded inside the SVG.
    decoded = page.evaluate("""async (url) => { const i = new Image(); i.src = url; await i.decode(); return i.naturalWidth; }""", media[0]["url"])
    expect(decoded > 0, "the view image does not decode")
    expect(page.locator("#zones tbody tr").count() == 2, "the zone list does not list 2 zones")
    ok("template editor: version 1 published from JSON; both zones drawn over the view image at their geometry (rotation too)")
    screenshot(page, "template-editor")
    audit(page, "the template editor")

    # A bad version: the photo zone leaves the view. The error is shown at that zone, nothing is published.
    bad = json.loads(json.dumps(document))
    bad["zones"][1]["geometry"]["x"] = 700
    response = publish(page, bad)
    expect(response.status == 422, f"a zone outside its view: {response.status}")
    errors = page.locator('#zones tr[data-zone="photo"] .zone-errors').inner_text()
    clean = page.locator('#zones tr[data-zone="name"] .zone-errors').inner_text()
    expect("/zones/1" in errors and clean.strip() == "none", f"the photo zone's errors: {errors!r}; the name zone's: {clean!r}")
    expect(page.locator("#template-errors").count() == 1, "no error summary for the bad template")
    expect(json.loads(page.locator("#template-document").input_value())["zones"][1]["geometry"]["x"] == 700, "the draft was not kept")
    expect(len(admin_get(f"/admin/products/{product['id']}/templates")["items"]) == 1, "a bad version was published")
    ok(f"template editor: a zone outside its view is refused with the error at that zone ({errors.strip()[:80]!r})")
    audit(page, "the template editor with errors")
    # Not JSON at all: the error at the document.
    page.locator("#template-document").fill("{ not json")
    response = submit(page, "#publish-template", "/template")
    expect(response.status == 422 and "JSON" in page.locator("#template-errors").inner_text(), f"a document that is not JSON: {response.status}")
    ok("template editor: a document that is not JSON is refused (422)")
    return document


def wait_preview(session_id, headers=None):
    deadline = time.time() + 30
    while time.time() < deadline:
        status, session, _ = call("GET", f"/sessions/{session_id}", headers=headers)
        preview = (session or {}).get("preview") or {}
        if preview.get("status") == "ready":
            return preview["url"]
        expect(preview.get("status") != "failed", f"the preview failed: {session}")
        time.sleep(0.3)
    raise Failed(f"the preview of {session_id} was not ready within 30 s")


def check_shopper_session(product):
    status, asset, _ = call("POST", "/assets", raw=png(300, 300, (20, 140, 60)), content_type="image/png")
    expect(status == 201, f"a shopper's upload: {status} {asset}")
    body = {"product": SLUG, "selection": {"size": "large", "colour": "white"},
            "zones": {"name": {"text": {"text": "Ada", "font": "Inter", "colour": "#111111"}}, "photo": {"image": asset["id"]}}}
    status, session, _ = call("POST", "/sessions", body)
    expect(status == 201 and session["valid"] and session["templateVersion"] == 1, f"a shopper's session: {status} {session}")
    bad = dict(body, zones={"name": {"text": {"text": "x" * 30, "font": "Inter", "colour": "#111111"}}})
    status, invalid, _ = call("POST", "/sessions", bad)
    expect(status == 201 and not invalid["valid"] and any(e["pointer"].startswith("/zones/name") for e in invalid["errors"]),
           f"a text longer than the zone allows: {status} {invalid}")
    status, _, _ = call("POST", f"/sessions/{session['id']}/preview", {})
    expect(status == 202, f"preview: {status}")
    url = wait_preview(session["id"])
    status, svg, _ = call("GET", url)
    expect(status == 200 and b"Ada" in svg, f"the preview {url}: {status}")
    expected = 1250 + 200 + 400
    expect(session["unitPrice"]["amount"] == expected, f"the session's unit price: {session['unitPrice']}, not {expected}")
    ok(f"shopper: a session through the public API validates against version 1 (too long a text refused at /zones/name), "
       f"unit price {expected}, preview rendered ({url})")
    return session


def check_try_it(page, product):
    goto(page, f"/console/products/{product['id']}/template")
    page.locator("#try-size").select_option("large")
    page.locator("#try-zone-name").fill("Grace")
    response = submit(page, "#try-open", "/try")
    expect(response.status == 303, f"try it: {response.status}")
    expect("Valid" in page.locator("#session-valid").inner_text(), f"try it: {page.locator('#session-valid').inner_text()}")
    deadline = time.time() + 30
    while page.locator("#session-preview").count() == 0 and time.time() < deadline:
        time.sleep(0.5)
        page.reload()
    expect(page.locator("#session-preview").count() == 1, "try it: no preview within 30 s")
    images_loaded(page, "#session-preview", "the try-it preview")
    ok("try it: a session opened from the console is valid and its preview shows")
    audit(page, "the template editor with a session")


def check_versions(page, product, session, document):
    """An order made with version 1; version 2 published; version 1 read-only, naming that order."""
    order = paid_order({"sessionId": session["id"]})
    goto(page, f"/console/products/{product['id']}/template")
    moved = json.loads(json.dumps(document))
    moved["zones"][0]["geometry"]["y"] = 120
    response = publish(page, moved)
    expect(response.status == 303, f"publishing version 2: {response.status}")
    goto(page, f"/console/products/{product['id']}/template/1")
    expect(page.locator("#publish-template").count() == 0 and page.locator("#try-form").count() == 0,
           "version 1 is not read-only")
    expect(page.locator("#template-document").get_attribute("readonly") is not None, "version 1's document is editable")
    shown = json.loads(page.locator("#template-document").input_value())
    expect(shown["zones"][0]["geometry"]["y"] == 80, f"version 1 shows the zone at y {shown['zones'][0]['geometry']['y']}")
    row = page.locator('#versions tr[data-version="1"]').inner_text()
    expect(order["number"] in row and "1:" in row, f"version 1's row does not name order {order['number']}: {row!r}")
    latest = page.locator('#versions tr[data-version="2"]').inner_text()
    expect("published" in latest and latest.strip().endswith("0"), f"version 2's row: {latest!r}")
    ok(f"versions: order {order['number']} made with version 1; version 2 published; version 1 read-only and names the order")
    audit(page, "an older template version")


def check_import(page):
    goto(page, "/console/import")
    audit(page, "the import page")
    bad_csv = ("slug,name,base_price\n"
               f"import-one-{TAG},Imported one,1000\n"
               "Bad Slug!,Imported two,-5\n")
    path = os.path.join(WORK, "studio-import.csv")
    with open(path, "w") as out:
        out.write(bad_csv)
    page.locator("#import-file").set_input_files(path)
    response = submit(page, "#import-form button", "/console/import")
    rows = page.locator("#import-rows > li")
    expect(response.status == 422 and rows.count() == 1, f"a CSV with a bad row: {response.status}, {rows.count()} row(s) listed")
    listed = rows.first.inner_text()
    expect(listed.startswith("Row 3") and "/rows/3" in listed, f"the bad row's errors: {listed!r}")
    expect(not [i for i in admin_get("/admin/products?limit=100")["items"] if i["definition"]["slug"] == f"import-one-{TAG}"],
           "a row was imported from a file with errors")
    ok(f"import: a CSV with a bad row is refused, nothing imported, errors listed at row 3: {listed[:120]!r}")
    upload = {"products": [{"product": {"slug": f"import-json-{TAG}", "name": f"Imported {TAG}", "basePrice": {"amount": 900, "currency": "USD"}}}]}
    path = os.path.join(WORK, "studio-import.json")
    with open(path, "w") as out:
        json.dump(upload, out)
    page.locator("#import-file").set_input_files(path)
    response = submit(page, "#import-form button", "/console/import")
    expect(response.status == 200 and page.locator("#import-outcome").count() == 1, f"a good JSON import: {response.status}")
    product_by_slug(f"import-json-{TAG}")
    ok("import: a JSON document creates its product")


def check_retire(page):
    figurine = product_by_slug("3d-printed-figurine")
    paid_order({"product": "3d-printed-figurine", "selection": {"size": "large", "material": "resin", "colour": "red"}})
    goto(page, f"/console/products/{figurine['id']}")
    page.locator("#delete-confirm").check()
    response = submit(page, "#delete-product button", "/delete")
    message = page.locator("#form-error").inner_text()
    expect(response.status == 409 and "order" in message, f"deleting an ordered product: {response.status} {message!r}")
    ok(f"delete refused while an order uses the product: {message!r}")
    fresh = product_by_slug(f"import-json-{TAG}")
    goto(page, f"/console/products/{fresh['id']}")
    page.locator("#archive-product button").click()
    page.wait_for_load_state("load")
    expect(admin_get(f"/admin/products/{fresh['id']}").get("archivedAt"), "archive did not archive")
    goto(page, f"/console/products/{fresh['id']}")
    page.locator("#delete-confirm").check()
    response = submit(page, "#delete-product button", "/delete")
    expect(response.status == 303, f"deleting an unused product: {response.status}")
    status, _, _ = call("GET", f"/admin/products/{fresh['id']}", headers={"Authorization": f"Bearer {server.admin_key()}"})
    expect(status == 404, f"the deleted product answers {status}")
    ok("archive, then delete of a product nothing uses")


def check_viewer(browser, email, password, product):
    context, page = sign_in(browser, email, password, "the viewer")
    goto(page, f"/console/products/{product['id']}")
    expect(page.locator("#save-product").count() == 0 and page.locator("#media-upload").count() == 0, "the viewer sees edit buttons")
    expect(field(page, "/name").get_attribute("readonly") is not None, "the viewer's name field is not read-only")
    token = csrf_of(page)
    answer = post_form(page, f"/console/products/{product['id']}", {"csrf": token, "/name": "Renamed by a viewer"})
    expect(answer.status == 403, f"a viewer's post to the product: {answer.status}")
    answer = post_form(page, f"/console/products/{product['id']}/template", {"csrf": token, "document": "{}"})
    expect(answer.status == 403, f"a viewer's template post: {answer.status}")
    goto(page, f"/console/products/{product['id']}/template")
    expect(page.locator("#publish-template").count() == 0 and page.locator("#try-form").count() == 0, "the viewer may publish or try")
    response = goto(page, "/console/products/new", status=None)
    expect(response.status == 403, f"the viewer's new-product page: {response.status}")
    expect(product_by_slug(SLUG)["definition"]["name"] != "Renamed by a viewer", "the viewer renamed the product")
    ok("viewer: reads products and templates, no edit forms; posts are 403 and change nothing")
    audit(page, "the template editor for a viewer")
    context.close()


def run(browser):
    viewer = (f"viewer-{TAG}@example.com", server.staff_create(f"viewer-{TAG}@example.com", "viewer", "Vera Viewer"))
    designer = (f"designer-{TAG}@example.com", server.staff_create(f"designer-{TAG}@example.com", "designer", "Dana Designer"))
    context, page = sign_in(browser, *designer, "the designer")
    check_products_list(page)
    check_demo_pictures(page)
    product = check_new_product(page)
    media = check_images(page, product)
    check_inventory(page, product)
    document = check_template(page, product, media)
    session = check_shopper_session(product)
    check_try_it(page, product)
    check_versions(page, product, session, document)
    check_import(page)
    check_retire(page)
    context.close()
    check_viewer(browser, *viewer, product)


def main():
    os.makedirs(WORK, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("FAILED: terminated (timeout?)"))
    try:
        server.start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
            try:
                run(browser)
            finally:
                browser.close()
    except Failed as failure:
        print(f"FAILED: {failure}", flush=True)
        server.stop()
        sys.exit(1)
    finally:
        server.stop()
    print("studio: ok")


if __name__ == "__main__":
    main()
