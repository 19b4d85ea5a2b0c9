// People end to end: add, reload, search, edit, delete — in a real browser
// against the real IndexedDB, driven by the labels users read.
import { test, expect } from "@playwright/test";
import { fi, fill, openApp, reopen, addPerson, keepScreenshot, expectAccessible } from "./helpers.mjs";

const rows = (page) => page.getByRole("list", { name: fi.people.list_label }).getByRole("listitem");

test("add three people, reload, search, edit and delete", async ({ page }) => {
  await openApp(page);
  await expect(page.getByText(fi.people.empty)).toBeVisible();

  await addPerson(page, { given: "Kati", family: "Häkkinen", email: "kati.hakkinen@example.fi", phone: "040 123 4567", org: "Mipro Oy", role: "Tietosuojavastaava" });
  await expect(page.getByRole("status").getByText(fi.notice.saved)).toBeVisible();
  await page.waitForTimeout(1_200); // a person reads the notice before moving on
  await page.getByRole("link", { name: fi.person.back_to_list }).click();
  // The notice belonged to the page it was shown on.
  await expect(page.getByText(fi.notice.saved)).toBeHidden();
  await addPerson(page, { given: "Åsa", family: "Öberg", email: "asa@example.se" });
  await page.getByRole("link", { name: fi.person.back_to_list }).click();
  await addPerson(page, { given: "Antti", family: "Aho", phone: "+46 8 123 456 78", org: "mipro oy" });
  await page.getByRole("link", { name: fi.person.back_to_list }).click();

  // Closing the tab and coming back: everything is still there, in Finnish order.
  await reopen(page);
  await expect(page.getByText(fill(fi.people.count, { count: 3 }))).toBeVisible();
  await expect(rows(page).locator(".name")).toHaveText(["Aho, Antti", "Häkkinen, Kati", "Öberg, Åsa"]);
  // The phone was normalised, the organisation reused (case ignored).
  await expect(rows(page).nth(1)).toContainText("+358 40 123 4567");
  await expect(rows(page).nth(0)).toContainText("Mipro Oy");
  await keepScreenshot(page, "people-list");

  // Search as you type, case- and accent-insensitive.
  const search = page.getByLabel(fi.people.search_label);
  await search.fill("hakkinen");
  await expect(rows(page).locator(".name")).toHaveText(["Häkkinen, Kati"]);
  await search.fill("ÖBERG");
  await expect(rows(page).locator(".name")).toHaveText(["Öberg, Åsa"]);
  await search.fill("040 123");
  await expect(rows(page).locator(".name")).toHaveText(["Häkkinen, Kati"]);
  await search.fill("nobody here");
  await expect(page.getByText(fi.people.no_match)).toBeVisible();
  await search.fill("");

  // Edit: a new e-mail; the change is saved and survives a reload.
  await rows(page).filter({ hasText: "Aho, Antti" }).getByRole("link").click();
  await page.getByRole("link", { name: fi.common.edit }).click();
  await page.getByLabel(fi.person.email, { exact: true }).fill("antti.aho@example.fi");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(page.getByRole("link", { name: "antti.aho@example.fi" })).toBeVisible();
  await reopen(page);
  await expect(page.getByRole("link", { name: "antti.aho@example.fi" })).toBeVisible();

  // Delete, after a confirmation.
  await page.getByRole("button", { name: fi.common.delete }).click();
  await expect(page.getByText(fill(fi.person.delete_confirm, { name: "Antti Aho" }))).toBeVisible();
  await page.getByRole("button", { name: fi.person.delete_yes }).click();
  await expect(page.getByRole("status").getByText(fi.notice.deleted)).toBeVisible();
  await expect(rows(page).locator(".name")).toHaveText(["Häkkinen, Kati", "Öberg, Åsa"]);
  await reopen(page);
  await expect(rows(page).locator(".name")).toHaveText(["Häkkinen, Kati", "Öberg, Åsa"]);
});

test("an invalid form shows inline errors and saves nothing", async ({ page }) => {
  await openApp(page);
  await page.getByRole("link", { name: fi.people.add }).click();
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(page.getByText(fi.problem.name_required)).toBeVisible();
  await expect(page.getByLabel(fi.person.family_name)).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel(fi.person.family_name).fill("Virtanen");
  await page.getByLabel(fi.person.email, { exact: true }).fill("virtanen@");
  await page.getByLabel(fi.person.phone, { exact: true }).fill("040 12x");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(page.getByText(fill(fi.form.has_errors, { count: 2 }))).toBeVisible();
  await expect(page.getByText(fi.problem.email_invalid)).toBeVisible();
  await expect(page.getByText(fi.problem.phone_invalid)).toBeVisible();
  await expect(page.getByLabel(fi.person.email, { exact: true })).toHaveAttribute("aria-invalid", "true");
  // What was typed is still there to correct.
  await expect(page.getByLabel(fi.person.family_name)).toHaveValue("Virtanen");
  await keepScreenshot(page, "person-form-errors");
  await expectAccessible(page, "the form with errors");

  // Nothing was saved.
  await openApp(page, "/people");
  await expect(page.getByText(fi.people.empty)).toBeVisible();
});

test("adding a person whose e-mail exists warns before saving", async ({ page }) => {
  await openApp(page);
  await addPerson(page, { given: "Matti", family: "Meikäläinen", email: "matti@example.fi" });
  await openApp(page, "/people");
  await page.getByRole("link", { name: fi.people.add }).click();
  await page.getByLabel(fi.person.given_name).fill("Matti");
  await page.getByLabel(fi.person.family_name).fill("Meikäläinen-Toinen");
  await page.getByLabel(fi.person.email, { exact: true }).fill("MATTI@example.fi");
  await page.getByRole("button", { name: fi.common.save }).click();
  const warning = page.getByRole("alert").filter({ hasText: fi.person.duplicate_email });
  await expect(warning).toBeVisible();
  await expect(warning.getByRole("link", { name: "Matti Meikäläinen" })).toBeVisible();
  // Still one person until the user decides.
  await page.getByRole("button", { name: fi.person.save_anyway }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Matti Meikäläinen-Toinen");
  await openApp(page, "/people");
  await expect(page.getByText(fill(fi.people.count, { count: 2 }))).toBeVisible();
});
