// The app shell: language choice (remembered), accessibility of every page,
// the content security policy, and clear messages when storage fails.
import { test, expect } from "@playwright/test";
import { fi, sv, en, fill, openApp, reopen, addPerson, keepScreenshot, expectAccessible } from "./helpers.mjs";

test("Finnish by default; Swedish and English on request, remembered", async ({ page }) => {
  await openApp(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "fi");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(fi.people.title);

  await page.getByLabel(fi.shell.language).selectOption("sv");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(sv.people.title);
  await expect(page.locator("html")).toHaveAttribute("lang", "sv");

  await page.getByLabel(sv.shell.language).selectOption("en");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(en.people.title);
  await expect(page.getByRole("link", { name: en.people.add })).toBeVisible();
  await reopen(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(en.people.title);
  await expect(page.getByLabel(en.shell.language)).toHaveValue("en");

  // Errors come in the chosen language too.
  await page.getByRole("link", { name: en.people.add }).click();
  await page.getByRole("button", { name: en.common.save }).click();
  await expect(page.getByText(en.problem.name_required)).toBeVisible();
});

test("every page passes axe-core", async ({ page }) => {
  await openApp(page);
  await expectAccessible(page, "the empty people list");
  await addPerson(page, { given: "Kati", family: "Häkkinen", email: "kati@example.fi", phone: "040 123 4567", org: "Mipro Oy", role: "Myyjä" });
  await expectAccessible(page, "a person's page");
  await keepScreenshot(page, "person");
  await page.getByRole("link", { name: fi.common.edit }).click();
  await expectAccessible(page, "the edit form");
  await openApp(page, "/people/new");
  await expectAccessible(page, "the new person form");
  await keepScreenshot(page, "person-form");
  await openApp(page, "/people");
  await expectAccessible(page, "the people list");
  await openApp(page, "/settings");
  await expectAccessible(page, "settings");
  await keepScreenshot(page, "settings");
  await openApp(page, "/no/such/page");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(fi.not_found.title);
  await expectAccessible(page, "the not-found page");
});

test("the content security policy stops requests to other origins", async ({ page }) => {
  await openApp(page);
  const outcome = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener("securitypolicyviolation", (e) => violations.push(e.violatedDirective));
    let fetched = "no";
    try {
      await fetch("http://example.com/collect");
      fetched = "yes";
    } catch {
      fetched = "blocked";
    }
    await new Promise((r) => setTimeout(r, 100));
    return { fetched, violations };
  });
  expect(outcome.fetched).toBe("blocked");
  expect(outcome.violations).toContain("connect-src");
});

test("a browser without storage gets a clear message", async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, "indexedDB", { value: undefined, configurable: true });
  });
  await openApp(page, "/people");
  await expect(page.getByRole("alert")).toContainText(fi.shell.cannot_open);
  await expect(page.getByRole("alert")).toContainText(fi.store_error.unavailable);
});

test("a full disk loses nothing: the message says so and the form keeps its data", async ({ page }) => {
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args) {
      if (window.__sidosDiskFull) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      return put.apply(this, args);
    };
  });
  await openApp(page);
  await page.evaluate(() => (window.__sidosDiskFull = true));
  await page.getByRole("link", { name: fi.people.add }).click();
  await page.getByLabel(fi.person.family_name).fill("Täysi");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(page.getByRole("alert").filter({ hasText: fi.store_error.quota })).toBeVisible();
  await expect(page.getByLabel(fi.person.family_name)).toHaveValue("Täysi");
  // Space freed: the same form saves.
  await page.evaluate(() => (window.__sidosDiskFull = false));
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Täysi");
  await openApp(page, "/people");
  await expect(page.locator(".vrow .name")).toHaveText(["Täysi"]);
});

test("after the first visit the app opens without a network", async ({ context, page }) => {
  await openApp(page);
  await addPerson(page, { given: "Kati", family: "Häkkinen" });
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await reopen(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Kati Häkkinen");
  await context.setOffline(true);
  await openApp(page, "/people");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(fi.people.title);
  await expect(page.locator(".vrow .name")).toHaveText(["Häkkinen, Kati"]);
  await context.setOffline(false);
});

test("the app can be installed: a manifest with icons", async ({ page, request }) => {
  await openApp(page);
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  const manifest = await (await request.get(href)).json();
  expect(manifest.short_name).toBe("Sidos");
  expect(manifest.display).toBe("standalone");
  const sizes = manifest.icons.map((i) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  for (const icon of manifest.icons) {
    const response = await request.get(icon.src);
    expect(response.ok(), icon.src).toBe(true);
  }
});

test("Settings tell whether the browser keeps the register and how much space it uses", async ({ page }) => {
  await openApp(page, "/settings");
  const section = page.getByRole("region", { name: fi.settings.storage });
  await expect(section.getByText(new RegExp(`${fi.settings.storage_kept}|${fi.settings.storage_not_kept}|${fi.settings.storage_unknown}`))).toBeVisible();
  const used = fi.settings.storage_used.replace(/\{\{ \w+ \}\}/g, "[0-9]+,[0-9]");
  await expect(section.getByText(new RegExp(used))).toBeVisible();
});
