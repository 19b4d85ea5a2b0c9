// The whole register in the browser: organisations, people with
// relationship data, custom fields, filters and saved searches, duplicates
// and merging, the dietary clean-up, and the change log.
import { test, expect } from "@playwright/test";
import { fi, fill, openApp, reopen, addPerson, addRecord, field, keepScreenshot, expectAccessible, ADMIN } from "./helpers.mjs";

const heading = (page) => page.getByRole("heading", { level: 1 });
const iso = (d) => d.toISOString().slice(0, 10);
const daysFromNow = (n) => iso(new Date(Date.now() + n * 86400000));

test("an organisation, two people in it, and their relationship data", async ({ page }) => {
  await openApp(page);
  await page.getByRole("link", { name: fi.nav.organisations }).click();
  await expectAccessible(page, "the empty organisation list");
  await page.getByRole("link", { name: fi.org.add }).click();
  await field(page, fi.org.name).fill("Mipro Oy");
  await page.getByLabel(fi.org.business_id).fill("0112038-8");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(page.getByText(fi.problem.business_id_check)).toBeVisible();
  await expectAccessible(page, "the organisation form with an error");
  await page.getByLabel(fi.org.business_id).fill("0112038-9");
  await page.getByLabel(fi.address.city).fill("Mikkeli");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(heading(page)).toHaveText("Mipro Oy");

  await openApp(page, "/people");
  await addPerson(page, { given: "Kati", family: "Häkkinen", email: "kati@mipro.fi", org: "mipro oy", role: "Tietosuojavastaava" });
  // A contract with an open invoice, and an event with dietary data.
  await addRecord(page, fi.record.add_contract, [
    [fi.record.title, "Ylläpitosopimus"],
    [fi.record.value, "1 200,50"],
    [fi.record.billing, fi.record.billing_open],
  ]);
  await expect(heading(page)).toHaveText("Kati Häkkinen");
  await expect(page.getByText("Ylläpitosopimus")).toBeVisible();
  await expect(page.getByText("1 200,50 €")).toBeVisible();
  await expect(page.getByText(fi.record.billing_open)).toBeVisible();

  // A participation dated years back is refused with a clear message.
  await addRecord(page, fi.record.add_event, [[fi.record.event_name, "Vanhat messut"], [fi.record.date, "2020-05-05"]]);
  await expect(page.getByText(fi.problem.date_too_old)).toBeVisible();
  await expect(page.locator("#error-summary")).toBeFocused();
  await field(page, fi.record.date).fill(daysFromNow(10));
  await field(page, fi.record.dietary).fill("Gluteeniton");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(heading(page)).toHaveText("Kati Häkkinen");
  // Dietary data is hidden until someone asks, and asking is logged.
  await expect(page.getByText("Gluteeniton")).toBeHidden();
  await page.getByRole("button", { name: fi.record.show_dietary }).click();
  await expect(page.getByText("Gluteeniton")).toBeVisible();
  await expectAccessible(page, "a person with a timeline");
  await keepScreenshot(page, "person-timeline");

  await openApp(page, "/people");
  await addPerson(page, { given: "Antti", family: "Aho", org: "Mipro Oy", role: "Asentaja" });
  await addRecord(page, fi.record.add_training, [
    [fi.record.training_name, "Työturvallisuuskortti"],
    [fi.record.grade, "Hyväksytty"],
    [fi.record.completed, true],
    [fi.record.statutory_label, true],
  ]);
  await expect(page.getByText(fi.record.statutory)).toBeVisible();
  await expect(page.getByText(fi.person.last_event)).toBeVisible();

  // The organisation's page lists both people and their records.
  await page.getByRole("link", { name: "Mipro Oy" }).first().click();
  await expect(heading(page)).toHaveText("Mipro Oy");
  const people = page.getByRole("table").filter({ hasText: fi.person.role });
  await expect(people.getByRole("link")).toHaveText(["Aho, Antti", "Häkkinen, Kati"]);
  await expect(people).toContainText("Tietosuojavastaava");
  await expect(page.getByText("0112038-9")).toBeVisible();
  await expectAccessible(page, "an organisation's page");
  await keepScreenshot(page, "organisation");
  await page.getByRole("link", { name: fi.nav.organisations }).click();
  await expect(page.getByRole("row").filter({ hasText: "Mipro Oy" })).toContainText("2");
  await keepScreenshot(page, "organisations");
});

test("a likely duplicate is found, compared and merged without losing records", async ({ page }) => {
  await openApp(page);
  await addPerson(page, { given: "Kati", family: "Häkkinen", email: "kati@mipro.fi", phone: "040 123 4567" });
  await addRecord(page, fi.record.add_feedback, [[fi.record.feedback_text, "Erinomainen tuki"]]);
  await expect(page.getByText("Erinomainen tuki")).toBeVisible();
  await openApp(page, "/people");
  await page.getByRole("link", { name: fi.people.add }).click();
  await page.getByLabel(fi.person.given_name).fill("Katariina");
  await page.getByLabel(fi.person.family_name).fill("Häkkinen");
  await page.getByLabel(fi.person.email, { exact: true }).fill("kati@mipro.fi");
  await page.getByRole("button", { name: fi.common.save }).click();
  await page.getByRole("button", { name: fi.person.save_anyway }).click();
  await expect(heading(page)).toHaveText("Katariina Häkkinen");
  await addRecord(page, fi.record.add_contract, [[fi.record.title, "Tilaus 42"]]);
  await expect(page.getByText("Tilaus 42")).toBeVisible();

  await page.getByRole("link", { name: fi.nav.duplicates }).click();
  await expect(page.getByText(fill(fi.dup.count, { count: 1 }))).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "kati@mipro.fi" })).toBeVisible();
  await expectAccessible(page, "the duplicates list");
  await page.getByRole("link", { name: fi.dup.compare }).click();
  await expect(heading(page)).toHaveText(fi.dup.compare_title);
  // Take the longer first name from the second person.
  const nameRow = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: fi.fields.name }) });
  await nameRow.getByLabel(fi.dup.take_right).check();
  await expectAccessible(page, "the comparison");
  await keepScreenshot(page, "duplicates-compare");
  await page.getByRole("button", { name: fi.dup.merge }).click();
  await expect(page.getByRole("status").getByText(fi.notice.merged)).toBeVisible();
  await expect(heading(page)).toHaveText("Katariina Häkkinen");
  // Both people's records are here; the phone came along.
  await expect(page.getByText("Erinomainen tuki")).toBeVisible();
  await expect(page.getByText("Tilaus 42")).toBeVisible();
  await expect(page.getByRole("link", { name: "+358 40 123 4567" })).toBeVisible();
  await openApp(page, "/people");
  await expect(page.getByText(fill(fi.people.count, { count: 1 }))).toBeVisible();
  await openApp(page, "/duplicates");
  await expect(page.getByText(fill(fi.dup.count, { count: 0 }))).toBeVisible();
});

test("the change log names who changed which fields, never the values", async ({ page }) => {
  await openApp(page, "/people");
  await addPerson(page, { given: "Anna", family: "Aho", email: "anna.aho@example.fi" });
  await page.getByRole("link", { name: fi.common.edit }).click();
  await page.getByLabel(fi.person.phone, { exact: true }).fill("050 765 4321");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(heading(page)).toHaveText("Anna Aho");
  // The person's own history.
  const history = page.getByRole("region", { name: fi.audit.history });
  await expect(history.getByRole("row").filter({ hasText: fi.audit.updated })).toContainText(fi.person.phones);
  await expect(history).toContainText(ADMIN.name);

  await page.getByRole("link", { name: fi.nav.audit }).click();
  await expect(heading(page)).toHaveText(fi.audit.title);
  const table = page.getByRole("table");
  await expect(table.getByRole("row").nth(1)).toContainText(fi.audit.updated);
  await expect(table.getByRole("row").nth(1)).toContainText(ADMIN.name);
  await expect(table.getByRole("row").nth(1)).toContainText("Anna Aho");
  await expect(table.getByRole("row").nth(1)).toContainText(fi.person.phones);
  await expect(table).toContainText(fi.audit.created);
  // No personal values are copied into the log.
  await expect(table).not.toContainText("765 4321");
  await expect(table).not.toContainText("anna.aho@example.fi");
  await expectAccessible(page, "the change log");
  await keepScreenshot(page, "audit");
});

test("own categories and custom fields are shown and checked like built-in ones", async ({ page }) => {
  await openApp(page, "/settings");
  await page.getByRole("button", { name: fi.settings.add_category }).click();
  await page.getByLabel(fi.settings.category_name).fill("Kumppani");
  await page.getByRole("button", { name: fi.settings.add_field }).click();
  await page.getByLabel(fi.settings.field_name).fill("Asiakasnumero");
  await page.getByLabel(fi.settings.field_kind).selectOption("number");
  await page.getByLabel(fi.settings.field_required).check();
  await page.getByRole("button", { name: fi.common.save }).first().click();
  await expect(page.getByRole("status").getByText(fi.notice.saved)).toBeVisible();
  await expectAccessible(page, "settings with a custom field");

  await openApp(page, "/people/new");
  await page.getByLabel(fi.person.family_name).fill("Lindholm");
  await page.getByLabel("Kumppani").check();
  await page.getByLabel("Asiakasnumero").fill("12 kpl");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(page.getByText(fi.problem.number_invalid)).toBeVisible();
  // The form moves focus to its list of problems on the next frame; the
  // user goes back to the field from there.
  await expect(page.locator("#error-summary")).toBeFocused();
  await page.getByLabel("Asiakasnumero").fill("");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(page.getByText(fi.problem.required)).toBeVisible();
  await expect(page.locator("#error-summary")).toBeFocused();
  await page.getByLabel("Asiakasnumero").fill("1024");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(heading(page)).toHaveText("Lindholm");
  await expect(page.getByText("Kumppani")).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: "1024" })).toBeVisible();

  // A field in use cannot be removed.
  await openApp(page, "/settings");
  await page.getByRole("button", { name: `${fi.common.remove} Asiakasnumero` }).click();
  await page.getByRole("button", { name: fi.common.save }).first().click();
  await expect(page.getByText(fi.settings.removed_in_use)).toBeVisible();
});

test("filters and a saved search narrow the list", async ({ page }) => {
  await openApp(page);
  await addPerson(page, { given: "Kati", family: "Häkkinen", org: "Mipro Oy" });
  await openApp(page, "/people");
  await addPerson(page, { given: "Antti", family: "Aho", org: "Muu Oy" });
  await openApp(page, "/people");
  await page.getByText(fi.people.filters).click();
  await page.getByLabel(fi.person.organisation, { exact: true }).fill("Mipro Oy");
  await expect(page.locator(".vrow .name")).toHaveText(["Häkkinen, Kati"]);
  await page.getByLabel(fi.person.organisation, { exact: true }).fill("Ei ole Oy");
  await expect(page.getByText(fi.people.unknown_org)).toBeVisible();
  await page.getByLabel(fi.person.organisation, { exact: true }).fill("muu oy");
  await expect(page.locator(".vrow .name")).toHaveText(["Aho, Antti"]);
  await page.getByLabel(fi.people.segment_name).fill("Muun asiakkaat");
  await page.getByRole("button", { name: fi.people.save_segment }).click();
  await expect(page.getByRole("status").getByText(fi.notice.saved)).toBeVisible();
  await expectAccessible(page, "the people list with filters");
  await page.getByRole("button", { name: fi.people.clear_filters }).click();
  await expect(page.locator(".vrow .name")).toHaveText(["Aho, Antti", "Häkkinen, Kati"]);
  // The saved search opens from Settings.
  await openApp(page, "/settings");
  await page.getByRole("link", { name: "Muun asiakkaat" }).click();
  await expect(page.locator(".vrow .name")).toHaveText(["Aho, Antti"]);
});

test("dietary data of a past event is deleted at start, visibly and in the log", async ({ page }) => {
  await openApp(page);
  await addPerson(page, { given: "Anna", family: "Aho" });
  await addRecord(page, fi.record.add_event, [
    [fi.record.event_name, "Eilinen seminaari"],
    [fi.record.date, daysFromNow(-1)],
    [fi.record.dietary, "Laktoositon"],
  ]);
  await expect(page.getByRole("button", { name: fi.record.show_dietary })).toBeVisible();
  await reopen(page);
  await expect(page.getByText(fill(fi.notice.dietary_purged, { count: 1 }))).toBeVisible();
  await expect(page.getByText(fi.record.no_dietary)).toBeVisible();
  await openApp(page, "/audit");
  await expect(page.getByRole("table")).toContainText(fi.audit.dietary_purged);
  await expect(page.getByRole("table")).not.toContainText("Laktoositon");
});
