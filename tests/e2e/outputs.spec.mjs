// Consents and outputs: newsletters in Settings, consents recorded on the
// person page, a newsletter list that leaves out a person who refused,
// CSV and vCard exports (checked byte by byte), address labels for print,
// a partner export, and a contacts import with a duplicate.
import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fi, fill, openApp, addPerson, keepScreenshot, expectAccessible } from "./helpers.mjs";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/contacts");
const heading = (page) => page.getByRole("heading", { level: 1 });
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The input labelled `label` (a required field's label ends in " *"). */
const field = (scope, label) => scope.getByLabel(new RegExp(`^${escape(label)}( \\*)?$`));

const SEED = [
  "Etunimi;Sukunimi;Sähköposti;Puhelin;Organisaatio;Tehtävä;Katuosoite;Postinumero;Postitoimipaikka",
  "Anna;Aho;anna@example.fi;040 111 2222;Mipro Oy;=1+2;Kauppakatu 1;50100;Mikkeli",
  "Bertta;Berg;bertta@example.fi;;Mipro Oy;;Satamatie 2;00100;Helsinki",
  "Cecilia;Carlsson;cecilia@example.fi;;;;Rantatie 3;20100;Turku",
  "",
].join("\r\n");

const csvFile = (name, text) => ({ name, mimeType: "text/csv", buffer: Buffer.from(text, "utf8") });

/** Chooses a contacts file on the import page and previews it. */
async function previewImport(page, file) {
  await page.getByRole("link", { name: fi.nav.import }).click();
  await expect(heading(page)).toHaveText(fi.import.title);
  await page.getByLabel(fi.import.pick_file).setInputFiles(file);
  await page.getByRole("button", { name: fi.import.check }).click();
  await expect(page.getByRole("heading", { name: fi.import.preview_title })).toBeVisible();
}

async function applyImport(page, count) {
  await page.getByRole("button", { name: fi.import.apply }).click();
  await expect(page.getByText(fill(fi.import.done, { count }))).toBeVisible();
}

async function openPerson(page, name) {
  await page.getByRole("link", { name: fi.nav.people }).click();
  await page.getByLabel(fi.people.search_label).fill(name.split(" ")[1]);
  await page.locator(".vrow a").first().click();
  await expect(heading(page)).toHaveText(name);
}

async function recordConsent(page, purpose, state, wording = "") {
  const form = page.locator("form.consent-form");
  await field(form, fi.consents.purpose).selectOption({ label: purpose });
  await field(form, fi.consents.state).selectOption({ label: state });
  await field(form, fi.consents.wording).fill(wording);
  await form.getByRole("button", { name: fi.consents.record_button }).click();
  await expect(form.getByText(fi.consents.recorded_notice)).toBeVisible();
}

async function download(page, click) {
  const waiting = page.waitForEvent("download");
  await click();
  const d = await waiting;
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

test("a newsletter list leaves out a refuser; CSV, vCard, labels and a partner export", async ({ page }) => {
  await openApp(page, "/settings");
  const letters = page.getByRole("region", { name: fi.consents.newsletters });
  await letters.getByRole("button", { name: fi.consents.add_newsletter }).click();
  await field(letters, fi.consents.newsletter_name).fill("Jäsenkirje");
  await letters.getByRole("button", { name: fi.consents.save_newsletters }).click();
  await expect(page.getByRole("status").getByText(fi.notice.saved)).toBeVisible();
  await expectAccessible(page, "settings with newsletters");

  await previewImport(page, csvFile("jasenet.csv", SEED));
  await expect(page.getByText(fill(fi.import.counts, { new: 3, dup: 0, bad: 0 }))).toBeVisible();
  await applyImport(page, 3);

  const letter = fill(fi.consents.purpose_newsletter, { name: "Jäsenkirje" });
  const wording = "Haluan Jäsenkirjeen sähköpostiini.";
  await openPerson(page, "Anna Aho");
  await recordConsent(page, letter, fi.consents.state_given, wording);
  await recordConsent(page, fi.consents.purpose_partners, fi.consents.state_given, "Tietoni saa luovuttaa kumppaneille.");
  const current = page.locator("table.consent-current");
  await expect(current.getByRole("row").filter({ hasText: letter })).toContainText(fi.consents.state_given);
  await expect(page.locator("table.consent-history tbody tr")).toHaveCount(2);
  await expectAccessible(page, "the person page with consents");
  const card = await download(page, () => page.getByRole("button", { name: fi.consents.vcard }).click());
  expect(card.name).toBe("Anna-Aho.vcf");
  expect(card.bytes.toString("utf8")).toContain("VERSION:4.0");

  // A given consent needs the wording the person saw.
  await openPerson(page, "Bertta Berg");
  const form = page.locator("form.consent-form");
  await field(form, fi.consents.purpose).selectOption({ label: letter });
  await form.getByRole("button", { name: fi.consents.record_button }).click();
  await expect(form.getByText(fi.problem.required)).toBeVisible();
  await recordConsent(page, letter, fi.consents.state_given, wording);

  // Cecilia refuses the newsletter and direct marketing by e-mail: the
  // prohibition register shows on her page.
  await openPerson(page, "Cecilia Carlsson");
  await recordConsent(page, letter, fi.consents.state_refused);
  await expect(page.locator(".prohibited")).toBeHidden();
  await recordConsent(page, fi.consents.purpose_email, fi.consents.state_refused);
  await expect(page.locator(".prohibited")).toBeVisible();
  await expect(page.locator("table.consent-history tbody tr")).toHaveCount(2);
  await expectAccessible(page, "a person in the prohibition register");
  await keepScreenshot(page, "person-consents");

  // The newsletter list: two may receive it, Cecilia is left out with the reason.
  await page.getByRole("link", { name: fi.nav.lists }).click();
  await expect(heading(page)).toHaveText(fi.lists.title);
  await page.getByLabel(fi.lists.purpose).selectOption({ label: letter });
  await expect(page.getByText(fill(fi.lists.count, { count: 2 }))).toBeVisible();
  const leftOut = page.locator("table.left-out");
  await expect(leftOut.getByRole("row").filter({ hasText: "Cecilia Carlsson" })).toContainText(fi.lists.reason_consent_refused);
  await expect(leftOut.locator("tbody tr")).toHaveCount(1);
  await expectAccessible(page, "the lists page");
  await keepScreenshot(page, "lists");

  // CSV with a comma and the role column: a byte order mark, the separator,
  // formulas and international numbers neutralised, no Cecilia.
  await page.getByLabel(fi.lists.col_role).check();
  await page.getByLabel(fi.lists.separator_comma).check();
  const csv = await download(page, () => page.getByRole("button", { name: fi.lists.csv_button, exact: true }).click());
  expect(csv.name).toMatch(/\.csv$/);
  expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = csv.bytes.subarray(3).toString("utf8");
  const lines = text.split("\r\n");
  expect(lines[0]).toBe(
    [fi.lists.col_given_name, fi.lists.col_family_name, fi.lists.col_email, fi.lists.col_phone, fi.lists.col_organisation,
      fi.lists.col_role, fi.lists.col_street, fi.lists.col_postal_code, fi.lists.col_city].join(","),
  );
  expect(text).toContain("Anna,Aho,anna@example.fi,'+358401112222,Mipro Oy,'=1+2,Kauppakatu 1,50100,Mikkeli");
  expect(text).toContain("Bertta,Berg");
  expect(text).not.toContain("Cecilia");

  const vcf = await download(page, () => page.getByRole("button", { name: fi.lists.vcard_button }).click());
  const cards = vcf.bytes.toString("utf8");
  expect(cards.match(/BEGIN:VCARD\r\nVERSION:4\.0\r\n/g)).toHaveLength(2);
  expect(cards).toContain("FN:Anna Aho");
  expect(cards).not.toContain("Cecilia");

  // Labels: the two on a 3 × 7 sheet, then a 3 × 8 sheet that is almost used up.
  await page.getByRole("link", { name: fi.lists.labels_button }).click();
  await expect(heading(page)).toHaveText(fi.lists.labels_title);
  const sheets = page.locator(".label-sheet");
  await expect(sheets).toHaveCount(1);
  await expect(sheets.first()).toHaveAttribute("data-rows", "7");
  await expect(page.locator(".label:not(.blank)")).toHaveCount(2);
  await expect(page.locator(".label").first()).toContainText("50100 MIKKELI");
  // Laid out in millimetres: the second label starts 70 mm to the right.
  const lefts = await page.locator(".label").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().left));
  expect(Math.round(lefts[1] - lefts[0])).toBe(Math.round((70 / 25.4) * 96));
  await expect(page.getByText(fill(fi.lists.labels_count, { labels: 2, sheets: 1 }))).toBeVisible();
  await expectAccessible(page, "the labels print view");
  await keepScreenshot(page, "labels");
  await page.getByLabel(fi.lists.sheet).selectOption({ label: fi.lists.sheet_3x8_70x37 });
  await page.getByLabel(fi.lists.skip).fill("23");
  await expect(sheets).toHaveCount(2);
  await expect(sheets.first()).toHaveAttribute("data-rows", "8");
  await expect(page.locator(".label")).toHaveCount(25);
  // When printing, only the sheets show, each exactly A4.
  await page.emulateMedia({ media: "print" });
  await expect(page.locator("header.top")).toBeHidden();
  await expect(page.getByRole("button", { name: fi.lists.print })).toBeHidden();
  const size = await sheets.first().evaluate((el) => [el.getBoundingClientRect().width, el.getBoundingClientRect().height]);
  expect(Math.round(size[0])).toBe(Math.round((210 / 25.4) * 96));
  expect(Math.round(size[1])).toBe(Math.round((297 / 25.4) * 96));
  // Printed to PDF: one A4 page (595 × 842 pt) per sheet.
  const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString("latin1");
  expect(pdf.match(/\/Type\s*\/Page\b/g)).toHaveLength(2);
  const [, w, h] = pdf.match(/\/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]/);
  expect([Math.round(Number(w)), Math.round(Number(h))]).toEqual([595, 842]);
  await page.emulateMedia({ media: "screen" });

  // A partner export: only Anna consented to disclosure; it is logged.
  await page.getByRole("link", { name: fi.lists.back }).click();
  await expect(heading(page)).toHaveText(fi.lists.title);
  await expect(page.getByText(fill(fi.lists.partner_count, { count: 1 }))).toBeVisible();
  // The partner file has the columns and separator chosen for the list.
  await page.getByLabel(fi.lists.col_role).check();
  await page.getByLabel(fi.lists.separator_comma).check();
  const partner = page.getByRole("region", { name: fi.lists.partner_title });
  await field(partner, fi.lists.recipient).fill("Kumppani Oy");
  await field(partner, fi.lists.partner_purpose).fill("Yhteinen tapahtuma");
  const shared = await download(page, () => partner.getByRole("button", { name: fi.lists.partner_button }).click());
  const sharedText = shared.bytes.toString("utf8");
  expect(sharedText).toContain("Anna,Aho,anna@example.fi,'+358401112222,Mipro Oy,'=1+2,");
  expect(sharedText).not.toContain("Bertta");
  expect(sharedText).not.toContain("Cecilia");
  await page.getByRole("link", { name: fi.nav.exchange }).click();
  await expect(page.getByRole("region", { name: fi.exchange.log_title })).toContainText("Kumppani Oy");
});

test("a contacts import: unreadable files, a duplicate to merge or skip", async ({ page }) => {
  await openApp(page);
  await addPerson(page, { given: "Kati", family: "Häkkinen", email: "kati@mipro.fi" });

  // Files that cannot be imported say why.
  await page.getByRole("link", { name: fi.nav.import }).click();
  const input = page.getByLabel(fi.import.pick_file);
  await input.setInputFiles(csvFile("tyhja.csv", ""));
  await expect(page.getByText(fi.import.error_empty)).toBeVisible();
  await input.setInputFiles(csvFile("otsikko.csv", "Etunimi;Sukunimi;Sähköposti\r\n"));
  await expect(page.getByText(fi.import.error_no_rows)).toBeVisible();
  await input.setInputFiles({ name: "kuva.csv", mimeType: "text/csv", buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3, 0]) });
  await expect(page.getByText(fi.import.error_binary)).toBeVisible();

  // A vCard file from phones: four cards, one never ended.
  await previewImport(page, join(fixtures, "contacts.vcf"));
  await expect(page.locator(".import-info")).toContainText(fi.import.preset_vcard);
  await expect(page.locator("table.import-preview tbody tr")).toHaveCount(4);
  await expect(page.locator("table.import-preview")).toContainText("Björn Österberg");
  await expect(page.locator("table.import-preview").getByRole("row").filter({ hasText: fi.import.issue_malformed })).toHaveCount(1);
  await page.getByRole("button", { name: fi.import.cancel }).click();

  const file = csvFile(
    "outlook.csv",
    [
      "First Name,Last Name,E-mail Address,Mobile Phone,Company",
      "Kati,Häkkinen,kati@mipro.fi,040 555 6666,Mipro Oy",
      "Lauri,Laine,lauri@example.fi,,",
      "Matti,Meikäläinen,ei-osoite,,",
      '"Rikki,Rivi,rikki@example.fi,,',
      "",
    ].join("\r\n"),
  );
  await previewImport(page, file);
  await expect(page.locator(".import-info")).toContainText(fi.import.preset_outlook);
  await expect(page.getByLabel(fill(fi.import.field_for, { column: "E-mail Address" }))).toHaveValue("email");
  const preview = page.locator("table.import-preview");
  const kati = preview.getByRole("row").filter({ hasText: "kati@mipro.fi" });
  await expect(kati).toContainText(fill(fi.import.status_duplicate, { name: "Kati Häkkinen", why: fi.import.why_same_email }));
  await expect(preview.getByRole("row").filter({ hasText: "Matti" })).toContainText(fi.problem.email_invalid);
  await expect(preview.getByRole("row").filter({ hasText: fi.import.issue_broken_quoting })).toHaveCount(1);
  const choice = page.getByLabel(fill(fi.import.choice_for, { line: 2 }));
  await expect(choice).toHaveValue(/^merge:/);
  await expectAccessible(page, "the import preview");
  await keepScreenshot(page, "import-preview");

  // Skip first: Lauri comes in, Kati stays as she was.
  await choice.selectOption({ label: fi.import.do_skip });
  await applyImport(page, 1);
  await openPerson(page, "Kati Häkkinen");
  await expect(page.getByText("040 555 6666")).toHaveCount(0);

  // Then merge: Kati gets the phone and the organisation, no new person.
  await previewImport(page, file);
  await expect(page.getByLabel(fill(fi.import.choice_for, { line: 3 }))).toHaveValue(/^merge:/);
  await page.getByLabel(fill(fi.import.choice_for, { line: 2 })).selectOption({ label: fill(fi.import.do_merge, { name: "Kati Häkkinen" }) });
  await applyImport(page, 1);
  await openPerson(page, "Kati Häkkinen");
  await expect(page.getByText("Mipro Oy")).toBeVisible();
  await expect(page.locator("a[href^='tel:']")).toHaveCount(1);
  await page.getByRole("link", { name: fi.nav.people }).click();
  await page.getByLabel(fi.people.search_label).fill("");
  await expect(page.locator(".vrow .name")).toHaveText(["Häkkinen, Kati", "Laine, Lauri"]);
});
