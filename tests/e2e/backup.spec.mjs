// The backup reminder: administrators are reminded to make an encrypted
// export of the whole register when the last one is older than the number
// of days they chose (or was never made), and the reminder goes away once
// a backup is made.
import { test, expect } from "@playwright/test";
import { fi, fill, openApp, reopen, addPerson, expectAccessible } from "./helpers.mjs";

const PASS = "varmuuskopion salasana on tämä";
const reminder = (page) => page.locator(".reminder");

test("reminds about a backup until one is made, after the chosen number of days", async ({ page }, testInfo) => {
  await openApp(page, "/people");
  // An empty register needs no backup.
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(fi.people.title);
  await expect(reminder(page)).toHaveCount(0);

  await addPerson(page, { given: "Varma", family: "Kopio", email: "varma.kopio@example.fi" });
  await expect(reminder(page)).toContainText(fi.backup.never_made);
  await expectAccessible(page, "a page with the backup reminder");

  // The link leads to the export, where the reminder itself is not shown.
  await reminder(page).getByRole("link", { name: fi.backup.make_now }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(fi.exchange.title);
  await expect(reminder(page)).toHaveCount(0);
  const settings = page.getByRole("region", { name: fi.backup.title });
  await expect(settings).toContainText(fi.backup.last_never);

  // A bad interval is refused with a message; nothing is saved.
  const days = settings.getByLabel(fi.backup.days_label);
  await expect(days).toHaveValue("7");
  await days.fill("400");
  await settings.getByRole("button", { name: fi.backup.save }).click();
  await expect(settings.getByText(fi.backup.days_invalid)).toBeVisible();
  await expect(days).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page, "the backup settings with an error");

  // A whole-register export is the backup.
  const exportPart = page.getByRole("region", { name: fi.exchange.export_title });
  await exportPart.getByLabel(fi.exchange.passphrase, { exact: true }).fill(PASS);
  await exportPart.getByLabel(fi.exchange.passphrase_again).fill(PASS);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: fi.exchange.export_button }).click();
  await (await download).saveAs(testInfo.outputPath("backup.json"));
  const today = new Date();
  await expect(settings).toContainText(fill(fi.backup.last_made, { date: `${today.getDate()}.${today.getMonth() + 1}.${today.getFullYear()}` }));
  await page.getByRole("link", { name: fi.nav.people, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(fi.people.title);
  await expect(reminder(page)).toHaveCount(0);

  // Ten days later, the reminder is back, with the age of the backup.
  await page.evaluate(() => localStorage.setItem("sidos.last_backup", JSON.stringify(new Date(Date.now() - 10 * 86_400_000).toISOString())));
  await reopen(page);
  await expect(reminder(page)).toContainText(fill(fi.backup.days_ago, { count: 10 }));

  // Turned off (0 days), it does not show.
  await reminder(page).getByRole("link", { name: fi.backup.make_now }).click();
  await settings.getByLabel(fi.backup.days_label).fill("0");
  await settings.getByRole("button", { name: fi.backup.save }).click();
  await expect(settings.getByText(fi.backup.saved)).toBeVisible();
  await page.getByRole("link", { name: fi.nav.people, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(fi.people.title);
  await expect(reminder(page)).toHaveCount(0);
});
