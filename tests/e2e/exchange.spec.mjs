// Colleagues exchange encrypted bundles: export from one browser profile,
// import into a fresh one, edit on both, exchange again, check the
// preview and the result. Each browser context is its own profile.
import { test, expect } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fi, fill, openApp, addPerson, keepScreenshot, expectAccessible } from "./helpers.mjs";

const PASS = "kolme pientä porsasta metsän reunalla";
const names = (page) => page.locator(".vrow .name");

const exportPart = (page) => page.getByRole("region", { name: fi.exchange.export_title });
const importPart = (page) => page.getByRole("region", { name: fi.exchange.import_title });

/** Replaces the page's workers: none can start ("missing"), one starts
 * and never answers ("silent"), or one says ready and then fails
 * ("refuses"); "real" keeps the browser's own. */
async function fakeWorkers(page, worker) {
  if (worker === "missing") {
    // As in a browser that cannot start a worker.
    await page.evaluate(() => {
      window.Worker = function () {
        throw new Error("no workers");
      };
    });
  } else if (worker === "refuses") {
    // A worker that starts but cannot do its work.
    await page.evaluate(() => {
      window.Worker = class {
        postMessage(data) {
          const answer = data && data.glue ? "ready" : data === null || (data && data.compressed) ? false : undefined;
          if (answer !== undefined) setTimeout(() => this.onmessage(new MessageEvent("message", { data: answer })));
        }
        terminate() {}
      };
    });
  } else if (worker === "silent") {
    // A worker that starts but never answers.
    await page.evaluate(() => {
      window.Worker = class {
        postMessage() {}
        terminate() {}
      };
    });
  }
}

async function exportBundle(page, testInfo, file, { recipient = "", worker = "real" } = {}) {
  await openApp(page, "/exchange");
  await fakeWorkers(page, worker);
  await exportPart(page).getByLabel(fi.exchange.recipient).fill(recipient);
  await exportPart(page).getByLabel(fi.exchange.passphrase, { exact: true }).fill(PASS);
  await exportPart(page).getByLabel(fi.exchange.passphrase_again).fill(PASS);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: fi.exchange.export_button }).click();
  const path = testInfo.outputPath(file);
  await (await download).saveAs(path);
  await expect(page.getByText(new RegExp(fi.exchange.exported.split("{{")[0]))).toBeVisible();
  // The worker sealed the bundle, unless there was none.
  const byWorker = await page.evaluate(() => performance.getEntriesByName("sidos:export-by-worker").length);
  expect(byWorker).toBe(worker === "real" ? 1 : 0);
  return path;
}

async function openBundle(page, path, passphrase = PASS, { worker = "real" } = {}) {
  await openApp(page, "/exchange");
  await fakeWorkers(page, worker);
  await page.getByLabel(fi.exchange.pick_file).setInputFiles(path);
  await importPart(page).getByLabel(fi.exchange.passphrase, { exact: true }).fill(passphrase);
  await page.getByRole("button", { name: fi.exchange.open_button }).click();
}

/** Whether the last import's document was decompressed by its worker. */
const importedByWorker = (page) => page.evaluate(() => performance.getEntriesByName("sidos:import-by-worker").length);

const countsRow = (page, name) => page.getByRole("row").filter({ has: page.getByRole("rowheader", { name, exact: true }) });

async function editPerson(page, fullName, label, value) {
  await openApp(page, "/people");
  await page.getByLabel(fi.people.search_label).fill(fullName.split(" ")[1]);
  await page.locator(".vrow a").first().click();
  await page.getByRole("link", { name: fi.common.edit }).click();
  await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(page.getByRole("status").getByText(fi.notice.saved)).toBeVisible();
}

test("two colleagues exchange bundles and end with the same register", async ({ browser }, testInfo) => {
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  await openApp(a);
  await addPerson(a, { given: "Kati", family: "Häkkinen", email: "kati@mipro.fi", org: "Mipro Oy" });
  await openApp(a, "/people");
  await addPerson(a, { given: "Antti", family: "Aho" });
  const first = await exportBundle(a, testInfo, "a1.json", { recipient: "Bertta" });
  await expect(a.getByRole("region", { name: fi.exchange.log_title })).toContainText("Bertta");
  await expectAccessible(a, "the export and import page");
  await keepScreenshot(a, "exchange");

  // A fresh profile: the wrong passphrase first, then the right one.
  await openApp(b);
  await openBundle(b, first, "väärä salasana tähän nyt");
  await expect(b.getByText(fi.bundle_error.wrong_passphrase)).toBeVisible();
  await importPart(b).getByLabel(fi.exchange.passphrase, { exact: true }).fill(PASS);
  await b.getByRole("button", { name: fi.exchange.open_button }).click();
  await expect(countsRow(b, fi.nav.people)).toContainText("2");
  expect(await importedByWorker(b)).toBe(1);
  await expect(b.getByText(fi.exchange.no_conflicts)).toBeVisible();
  await b.getByRole("button", { name: fi.exchange.apply }).click();
  await expect(b.getByRole("status").getByText(fi.notice.imported)).toBeVisible();
  await openApp(b, "/people");
  await expect(names(b)).toHaveText(["Aho, Antti", "Häkkinen, Kati"]);

  // Both edit: different fields of Kati (no conflict), the same field of Antti (a conflict).
  await editPerson(a, "Kati Häkkinen", fi.person.phone, "040 111 2222");
  await editPerson(b, "Kati Häkkinen", fi.person.email, "kati.hakkinen@mipro.fi");
  await editPerson(a, "Antti Aho", fi.person.given_name, "Antero");
  await editPerson(b, "Antti Aho", fi.person.given_name, "Anton");
  await openApp(b, "/people");
  await addPerson(b, { given: "Bertta", family: "Berg" });

  const second = await exportBundle(b, testInfo, "b1.json");
  await openBundle(a, second);
  await expect(countsRow(a, fi.nav.people)).toContainText("1"); // Bertta is new
  const conflict = a.getByRole("row").filter({ hasText: "Anton" });
  await expect(conflict).toContainText("Antero");
  await keepScreenshot(a, "import-preview");
  await expectAccessible(a, "the import preview");
  await conflict.getByLabel(fi.exchange.keep_file).check();
  await a.getByRole("button", { name: fi.exchange.apply }).click();
  await expect(a.getByRole("status").getByText(fi.notice.imported)).toBeVisible();

  const third = await exportBundle(a, testInfo, "a2.json");
  await openBundle(b, third);
  await expect(b.getByText(fi.exchange.no_conflicts)).toBeVisible();
  await b.getByRole("button", { name: fi.exchange.apply }).click();

  // Both registers now say the same, with everyone's work.
  for (const page of [a, b]) {
    await openApp(page, "/people");
    await expect(names(page)).toHaveText(["Aho, Anton", "Berg, Bertta", "Häkkinen, Kati"]);
    await page.getByLabel(fi.people.search_label).fill("häkkinen");
    await page.locator(".vrow a").first().click();
    await expect(page.getByRole("link", { name: "kati.hakkinen@mipro.fi" })).toBeVisible();
    await expect(page.getByRole("link", { name: "+358 40 111 2222" })).toBeVisible();
  }

  // Importing the same file again changes nothing.
  await openBundle(b, third);
  await b.getByRole("button", { name: fi.exchange.apply }).click();
  await expect(b.getByRole("status").getByText(fi.notice.nothing_to_import)).toBeVisible();
});

test("an import the browser fails to write changes nothing, in memory or stored", async ({ browser }, testInfo) => {
  const a = await (await browser.newContext()).newPage();
  await openApp(a);
  await addPerson(a, { given: "Kati", family: "Häkkinen" });
  const file = await exportBundle(a, testInfo, "kati.json");

  const b = await (await browser.newContext()).newPage();
  await b.addInitScript(() => {
    // While the flag is set, a page is also added a second time under the
    // same key: the browser refuses that while it writes, and so aborts
    // the whole transaction after everything was issued.
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value, key) {
      const request = put.call(this, value, key);
      if (window.__sidosWriteFails && this.name === "pages") this.add(value, key);
      return request;
    };
  });
  await openApp(b);
  await addPerson(b, { given: "Bertta", family: "Berg" });
  await openBundle(b, file);
  await expect(countsRow(b, fi.nav.people)).toContainText("1");
  await b.evaluate(() => (window.__sidosWriteFails = true));
  await b.getByRole("button", { name: fi.exchange.apply }).click();
  await expect(b.getByRole("alert").filter({ hasText: fi.store_error.failed })).toBeVisible();
  await expect(b.getByRole("status").getByText(fi.notice.imported)).toHaveCount(0);

  // In memory: the list, reached without reloading, is as before.
  await b.getByRole("link", { name: fi.nav.people, exact: true }).click();
  await expect(names(b)).toHaveText(["Berg, Bertta"]);
  // Stored: the same after opening the app again.
  await openApp(b, "/people");
  await expect(names(b)).toHaveText(["Berg, Bertta"]);

  // The same file again: refused once more, then applied from the same
  // preview once the browser writes again (its document is merged anew).
  // (Opening the app again started a new page: the flag is set anew.)
  await openBundle(b, file);
  await b.evaluate(() => (window.__sidosWriteFails = true));
  await b.getByRole("button", { name: fi.exchange.apply }).click();
  const failed = b.getByRole("alert").filter({ hasText: fi.store_error.failed });
  await expect(failed).toBeVisible();
  await b.evaluate(() => (window.__sidosWriteFails = false));
  await b.getByRole("button", { name: fi.exchange.apply }).click();
  await expect(b.getByRole("status").getByText(fi.notice.imported)).toBeVisible();
  await expect(failed).toHaveCount(0);
  await openApp(b, "/people");
  await expect(names(b)).toHaveText(["Berg, Bertta", "Häkkinen, Kati"]);
});

test("files that are not bundles, or are damaged, are refused with a clear message", async ({ page }, testInfo) => {
  await openApp(page);
  const csv = testInfo.outputPath("contacts.csv");
  writeFileSync(csv, "Etunimi;Sukunimi\nKati;Häkkinen\n");
  await openApp(page, "/exchange");
  await page.getByLabel(fi.exchange.pick_file).setInputFiles(csv);
  await expect(page.getByText(fi.bundle_error.not_a_bundle)).toBeVisible();
  const empty = testInfo.outputPath("empty.json");
  writeFileSync(empty, "");
  await page.getByLabel(fi.exchange.pick_file).setInputFiles(empty);
  await expect(page.getByText(fi.bundle_error.empty)).toBeVisible();
  // A real bundle with one byte of its ciphertext changed.
  await openApp(page, "/people");
  await addPerson(page, { given: "Anna", family: "Aho" });
  const good = await exportBundle(page, testInfo, "good.json");
  const envelope = JSON.parse(readFileSync(good, "utf8"));
  const bytes = Buffer.from(envelope.ciphertext, "base64");
  bytes[10] ^= 1;
  envelope.ciphertext = bytes.toString("base64");
  const damaged = join(testInfo.outputDir, "damaged.json");
  writeFileSync(damaged, JSON.stringify(envelope));
  await openBundle(page, damaged);
  await expect(page.getByText(fi.bundle_error.wrong_passphrase)).toBeVisible();
  const cut = join(testInfo.outputDir, "cut.json");
  writeFileSync(cut, readFileSync(good, "utf8").slice(0, 200));
  await page.getByLabel(fi.exchange.pick_file).setInputFiles(cut);
  await expect(page.getByText(fi.bundle_error.truncated)).toBeVisible();
});

// An authentic bundle (its passphrase is right, nothing was changed on the
// way) whose content is not compressed data: the worker cannot decompress
// it, nor can the page after it, which says the content is wrong.
const notDeflate = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/bundle-not-deflate.json");
for (const worker of ["real", "missing"]) {
  test(`a bundle that opens but whose content is damaged is refused, and nothing changes (${worker} worker)`, async ({ page }) => {
    await openApp(page);
    await addPerson(page, { given: "Anna", family: "Aho" });
    await openBundle(page, notDeflate, "hevonen paristo niitti", { worker });
    await expect(page.getByText(fi.bundle_error.schema)).toBeVisible();
    await expect(page.getByRole("button", { name: fi.exchange.apply })).toHaveCount(0);
    expect(await importedByWorker(page)).toBe(0);
    await openApp(page, "/people");
    await expect(names(page)).toHaveText(["Aho, Anna"]);
  });
}

for (const worker of ["missing", "silent", "refuses"]) {
  test(`without a worker to seal it (${worker}), the page seals the export itself, and opens it so`, async ({ browser }, testInfo) => {
    const a = await (await browser.newContext()).newPage();
    await openApp(a);
    await addPerson(a, { given: "Kati", family: "Häkkinen", email: "kati@mipro.fi" });
    const file = await exportBundle(a, testInfo, `${worker}-worker.json`, { worker });
    const b = await (await browser.newContext()).newPage();
    await openApp(b);
    // Nor one to decompress it: the importing page does that itself.
    await openBundle(b, file, PASS, { worker });
    await expect(countsRow(b, fi.nav.people)).toContainText("1");
    expect(await importedByWorker(b)).toBe(0);
    await b.getByRole("button", { name: fi.exchange.apply }).click();
    await expect(b.getByRole("status").getByText(fi.notice.imported)).toBeVisible();
    await openApp(b, "/people");
    await expect(names(b)).toHaveText(["Häkkinen, Kati"]);
  });
}
