// The privacy desk: the register description in Settings, the privacy
// notice and the record of processing (print, HTML download), a request
// taken through to its access report and JSON download, erasure with a
// legal hold, the retention purge, and clear messages for bad input.
import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fi, fill, openApp, addPerson, keepScreenshot, expectAccessible } from "./helpers.mjs";

const here = dirname(fileURLToPath(import.meta.url));
// The documents' own wording (not the interface's translations).
const doc = JSON.parse(readFileSync(join(here, "../../src/domain/gdpr/texts/fi.json"), "utf8"));
const docEn = JSON.parse(readFileSync(join(here, "../../src/domain/gdpr/texts/en.json"), "utf8"));
const NOTICE_SECTIONS = [
  "register", "controller", "contact", "dpo", "purposes", "data", "sources", "recipients",
  "transfers", "retention", "security", "rights", "complaint", "provision", "automated",
];

const heading = (page) => page.getByRole("heading", { level: 1 });
const nav = (page, name) => page.getByRole("navigation").getByRole("link", { name, exact: true });
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The input labelled `label` (a required field's label ends in " *"). */
const field = (scope, label) => scope.getByLabel(new RegExp(`^${esc(label)}( \\*)?$`));
const description = (page) => page.getByRole("region", { name: fi.privacy.description });
const iso = (d) => d.toISOString().slice(0, 10);
const daysFromNow = (n) => iso(new Date(Date.now() + n * 86400000));

async function addRecord(page, addLabel, fields) {
  await page.getByRole("link", { name: addLabel }).click();
  for (const [label, value] of fields) {
    const input = field(page, label);
    if ((await input.evaluate((el) => el.tagName)) === "SELECT") await input.selectOption({ label: value });
    else await input.fill(value);
  }
  await page.getByRole("button", { name: fi.common.save }).click();
}

/** Fills in who the controller is and whom to contact, optionally adds a retention rule, and saves. */
async function describeRegister(page, { rule = false } = {}) {
  await openApp(page, "/settings");
  const d = description(page);
  await field(d, fi.privacy.desc.controller_name).fill("Mipro Oy");
  await field(d, fi.privacy.desc.business_id).fill("0112038-9");
  await d.getByLabel(fi.privacy.desc.address, { exact: true }).fill("Mikkelintie 1, 50100 Mikkeli");
  await field(d, fi.privacy.desc.contact_name).fill("Kati Häkkinen");
  await d.getByLabel(fi.privacy.desc.contact_email, { exact: true }).fill("tietosuoja@mipro.fi");
  if (rule) {
    // Feedback is kept for a year from its date.
    await d.getByRole("button", { name: fi.privacy.desc.add_rule }).click();
    const last = d.getByRole("group", { name: /^Sääntö \d+$/ }).last();
    await last.getByLabel(fi.privacy.desc.rule_target).selectOption({ label: doc["target.feedback"] });
    await last.getByLabel(fi.privacy.desc.rule_amount).fill("1");
    await last.getByLabel(fi.privacy.desc.rule_unit).selectOption({ label: fi.privacy.desc.years });
  }
  await d.getByRole("button", { name: fi.privacy.desc.save }).click();
  await expect(page.getByRole("status").getByText(fi.notice.saved)).toBeVisible();
}

test("the register description is checked, and makes a printable privacy notice and record", async ({ page }, testInfo) => {
  await openApp(page, "/settings");
  const d = description(page);
  // The defaults alone are not enough: the controller's name is required.
  await d.getByRole("button", { name: fi.privacy.desc.save }).click();
  await expect(field(d, fi.privacy.desc.controller_name)).toHaveAttribute("aria-invalid", "true");
  await expect(d.locator("#desc-c-name-error")).toHaveText(fi.problem.required);
  await expect(d.getByRole("alert").first()).toContainText(fi.form.has_errors.split("(")[0].trim());
  await expectAccessible(page, "the register description with errors");

  // Nothing was saved: the notice cannot be made yet, and says what to do.
  await nav(page, fi.nav.privacy).click();
  await expect(heading(page)).toHaveText(fi.privacy.title);
  await expect(page.getByText(fi.privacy.no_description)).toBeVisible();
  await page.getByRole("link", { name: fi.privacy.notice_title }).click();
  await expect(page.getByText(fi.privacy.incomplete.split("(")[0].trim(), { exact: false })).toBeVisible();

  await describeRegister(page);
  await expectAccessible(page, "the settings with the register description");

  await nav(page, fi.nav.privacy).click();
  await expect(page.getByText(fi.privacy.no_description)).toBeHidden();
  await expectAccessible(page, "the privacy desk");
  await page.getByRole("link", { name: fi.privacy.notice_title }).click();
  await expect(heading(page)).toHaveText(doc["notice.title"]);
  for (const key of NOTICE_SECTIONS) {
    await expect(page.getByRole("heading", { level: 2, name: doc[`section.${key}`], exact: true })).toBeVisible();
  }
  await expect(page.getByText("Mipro Oy").first()).toBeVisible();
  await expect(page.getByText("tietosuoja@mipro.fi").first()).toBeVisible();
  await expectAccessible(page, "the privacy notice");
  await keepScreenshot(page, "privacy-notice");

  // Print: the browser's print, with the page's own chrome hidden on paper.
  await page.evaluate(() => {
    window.__printed = 0;
    window.print = () => { window.__printed += 1; };
  });
  await page.getByRole("button", { name: fi.privacy.print }).click();
  expect(await page.evaluate(() => window.__printed)).toBe(1);
  await page.emulateMedia({ media: "print" });
  await expect(page.locator("header.top")).toBeHidden();
  await expect(page.getByRole("button", { name: fi.privacy.print })).toBeHidden();
  await expect(heading(page)).toBeVisible();
  await page.emulateMedia({ media: "screen" });

  // The HTML download is a self-contained document with every section.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: fi.privacy.download_html }).click();
  const path = testInfo.outputPath("notice.html");
  await (await download).saveAs(path);
  const html = readFileSync(path, "utf8");
  expect(html).toMatch(/^<!DOCTYPE html>/);
  expect(html).toContain("@page { size: A4");
  expect(html).toContain("Mipro Oy");
  for (const key of NOTICE_SECTIONS) expect(html).toContain(doc[`section.${key}`]);
  expect(html).not.toContain("<script");

  // In English too.
  await page.getByLabel(fi.privacy.doc_language).selectOption({ label: "English" });
  await expect(heading(page)).toHaveText(docEn["notice.title"]);
  await expect(page.getByRole("heading", { level: 2, name: docEn["section.controller"], exact: true })).toBeVisible();

  // The record of processing.
  await page.getByRole("link", { name: fi.privacy.back_to_desk }).click();
  await page.getByRole("link", { name: fi.privacy.record_title }).click();
  await expect(heading(page)).toHaveText(doc["record.title"]);
  await expect(page.getByRole("heading", { level: 2, name: doc["record.activities"] })).toBeVisible();
  await expectAccessible(page, "the record of processing");
});

test("an access request: bad dates are explained, then the report and the JSON download", async ({ page }, testInfo) => {
  await openApp(page);
  await addPerson(page, { given: "Kati", family: "Häkkinen", email: "kati@mipro.fi" });
  await addRecord(page, fi.record.add_feedback, [[fi.record.feedback_text, "Erinomainen tuki"]]);
  await expect(page.getByText("Erinomainen tuki")).toBeVisible();
  await expectAccessible(page, "a person with the privacy section");

  await nav(page, fi.nav.privacy).click();
  await page.getByRole("link", { name: fi.privacy.all_requests }).click();
  await expect(heading(page)).toHaveText(fi.requests.title);
  await expectAccessible(page, "the empty request list");
  await page.getByRole("link", { name: fi.requests.new }).first().click();
  await expect(heading(page)).toHaveText(fi.requests.new);
  await page.getByLabel(fi.requests.person, { exact: true }).selectOption({ label: "Kati Häkkinen (kati@mipro.fi)" });
  await page.getByLabel(fi.requests.kind_label).selectOption({ label: fi.requests.kind.access });
  await page.getByLabel(fi.requests.received).fill(daysFromNow(-3));
  await page.getByLabel(fi.requests.due, { exact: true }).fill(daysFromNow(-10));
  await page.getByRole("button", { name: fi.requests.open_button }).click();
  await expect(page.getByText(fi.requests.due_before_received)).toBeVisible();
  await expectAccessible(page, "the request form with an error");
  await page.getByLabel(fi.requests.due, { exact: true }).fill("");
  await page.getByLabel(fi.requests.identity).fill("Soitettiin rekisterissä olevaan numeroon");
  await page.getByRole("button", { name: fi.requests.open_button }).click();
  await expect(heading(page)).toContainText(fi.requests.kind.access);
  await expect(page.getByRole("link", { name: "Kati Häkkinen" })).toBeVisible();
  await expectAccessible(page, "a request");

  await page.getByRole("link", { name: fi.requests.open_report }).click();
  await expect(heading(page)).toHaveText(doc["report.title"]);
  await expect(page.getByText("kati@mipro.fi").first()).toBeVisible();
  await expect(page.getByText("Erinomainen tuki")).toBeVisible();
  await expectAccessible(page, "the access report");
  await keepScreenshot(page, "access-report");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: fi.requests.download_json }).click();
  const path = testInfo.outputPath("data.json");
  await (await download).saveAs(path);
  const json = readFileSync(path, "utf8");
  expect(json).toContain("kati@mipro.fi");
  expect(json).toContain("Erinomainen tuki");
  expect(() => JSON.parse(json)).not.toThrow();

  // Close it as done; the list then shows it closed.
  await page.getByRole("link", { name: fi.requests.back_to_request }).click();
  await page.getByLabel(fi.requests.outcome).fill("Raportti lähetetty sähköpostilla");
  await page.getByRole("button", { name: fi.requests.close_button }).click();
  await expect(page.getByText(fi.requests.status.done).first()).toBeVisible();
  await page.getByRole("link", { name: fi.requests.back }).click();
  await expect(page.getByRole("row").filter({ hasText: "Kati Häkkinen" })).toContainText(fi.requests.status.done);
  await expectAccessible(page, "the request list");
});

async function requestErasure(page, fullName) {
  await page.getByRole("link", { name: fi.privacy.person.new_request }).click();
  await expect(heading(page)).toHaveText(fi.requests.new);
  await page.getByLabel(fi.requests.kind_label).selectOption({ label: fi.requests.kind.erasure });
  await page.getByRole("button", { name: fi.requests.open_button }).click();
  await expect(heading(page)).toContainText(fi.requests.kind.erasure);
  await expect(page.getByRole("link", { name: fullName })).toBeVisible();
}

test("erasure keeps what a legal hold needs, and removes everything else", async ({ page }) => {
  await openApp(page);
  await addPerson(page, { given: "Olli", family: "Ostaja", email: "olli@example.fi" });
  await addRecord(page, fi.record.add_contract, [
    [fi.record.title, "Ylläpitosopimus"],
    [fi.record.value, "1 200,50"],
    [fi.record.billing, fi.record.billing_open],
  ]);
  await expect(page.getByText("Ylläpitosopimus")).toBeVisible();
  await addRecord(page, fi.record.add_feedback, [[fi.record.feedback_text, "Hyvä palvelu"]]);
  await expect(page.getByText("Hyvä palvelu")).toBeVisible();

  await requestErasure(page, "Olli Ostaja");
  await expect(page.getByText(fi.privacy.erase.held_intro)).toBeVisible();
  await expect(page.locator(".kept")).toContainText(doc["hold.open_invoice"]);
  await expectAccessible(page, "the erasure preview with a hold");
  await page.getByRole("button", { name: fi.privacy.erase.button_held }).click();
  await page.getByRole("button", { name: fi.privacy.erase.yes }).click();
  await expect(page.getByText(fi.privacy.erase.done_held)).toBeVisible();

  await page.getByRole("link", { name: "Olli Ostaja" }).click();
  await expect(heading(page)).toHaveText("Olli Ostaja");
  await expect(page.locator(".restricted-banner")).toBeVisible();
  await expect(page.getByText("Ylläpitosopimus")).toBeVisible();
  await expect(page.getByText("Hyvä palvelu")).toHaveCount(0);
  await expect(page.getByText("olli@example.fi")).toHaveCount(0);
  await expectAccessible(page, "an erased person under a hold");

  // Without a hold, the person goes altogether.
  await openApp(page, "/people");
  await addPerson(page, { given: "Eero", family: "Poistettava", email: "eero@example.fi" });
  await requestErasure(page, "Eero Poistettava");
  await expect(page.getByText(fi.privacy.erase.nothing_stays)).toBeVisible();
  await page.getByRole("button", { name: fi.privacy.erase.button, exact: true }).click();
  await page.getByRole("button", { name: fi.privacy.erase.yes }).click();
  await expect(page.getByText(fi.requests.person_gone)).toBeVisible();
  await nav(page, fi.nav.people).click();
  await expect(page.locator(".vrow .name").filter({ hasText: "Ostaja, Olli" })).toBeVisible();
  await expect(page.locator(".vrow .name").filter({ hasText: "Poistettava, Eero" })).toHaveCount(0);
});

test("retention: the dry run shows what is due and why, and the purge deletes it", async ({ page }) => {
  await describeRegister(page, { rule: true });
  await openApp(page, "/people");
  await addPerson(page, { given: "Vanha", family: "Palaute", email: "vanha@example.fi" });
  await addRecord(page, fi.record.add_feedback, [
    [fi.record.feedback_text, "Vanha palaute vuodelta 2020"],
    [fi.record.date, "2020-01-15"],
  ]);
  await expect(page.getByText("Vanha palaute vuodelta 2020")).toBeVisible();
  await addRecord(page, fi.record.add_feedback, [[fi.record.feedback_text, "Tuore palaute"]]);
  await expect(page.getByText("Tuore palaute")).toBeVisible();

  await nav(page, fi.nav.privacy).click();
  await expect(page.getByText(fill(fi.privacy.retention_count, { count: 1 }))).toBeVisible();
  await page.getByRole("link", { name: fi.privacy.open_retention }).click();
  await expect(heading(page)).toHaveText(fi.retention.title);
  const row = page.getByRole("row").filter({ hasText: "Vanha Palaute" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(doc["target.feedback"]);
  await expect(row).toContainText(fi.retention.no_holds);
  await expectAccessible(page, "the retention dry run");
  await page.getByRole("button", { name: fi.retention.purge }).click();
  await page.getByRole("button", { name: fi.retention.purge_yes }).click();
  await expect(page.getByText(fill(fi.retention.purged, { count: 1 }))).toBeVisible();
  await expect(page.getByText(fi.retention.nothing)).toBeVisible();

  await openApp(page, "/people");
  await page.locator(".vrow a").filter({ hasText: "Palaute, Vanha" }).click();
  await expect(page.getByText("Tuore palaute")).toBeVisible();
  await expect(page.getByText("Vanha palaute vuodelta 2020")).toHaveCount(0);
});

test("restricting a person keeps them visible but not editable; an objection sets the prohibitions", async ({ page }) => {
  await openApp(page);
  await addPerson(page, { given: "Rauni", family: "Rajattu", email: "rauni@example.fi" });
  await page.getByRole("button", { name: fi.privacy.person.object }).click();
  await expect(page.getByText(fi.privacy.person.objected)).toBeVisible();
  await page.getByRole("button", { name: fi.privacy.person.restrict }).click();
  await expect(page.locator(".restricted-banner")).toBeVisible();
  await expect(page.getByRole("button", { name: fi.privacy.person.lift })).toBeVisible();
  await expect(page.getByRole("link", { name: fi.common.edit, exact: true })).toBeHidden();
  // Nothing new is added to a restricted person's data either.
  await expect(page.getByRole("link", { name: fi.record.add_contract })).toBeHidden();
  await expectAccessible(page, "a restricted person");
  // Opened by its address, the record form is refused with the reason.
  const here = new URL(page.url()).pathname;
  await page.evaluate((path) => {
    history.pushState({}, "", path);
    dispatchEvent(new PopStateEvent("popstate"));
  }, `${here}/records/new/feedback`);
  await page.getByLabel(new RegExp(`^${fi.record.date}`)).fill(new Date().toISOString().slice(0, 10));
  await page.getByLabel(fi.record.feedback_text).fill("Palaute rajoituksen aikana");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(page.getByRole("status").getByText(fi.notice.restricted)).toBeVisible();
  await page.goBack();
  await page.getByRole("button", { name: fi.privacy.person.lift }).click();
  await expect(page.locator(".restricted-banner")).toBeHidden();
  await expect(page.getByRole("link", { name: fi.common.edit, exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: fi.record.add_contract })).toBeVisible();
});

test("a request from someone not yet identified is linked, extended and answered by a rectification", async ({ page }) => {
  await openApp(page);
  await addPerson(page, { given: "Reijo", family: "Oikaisu", email: "reijo@vanha.fi" });
  await nav(page, fi.nav.privacy).click();
  await page.getByRole("link", { name: fi.requests.new }).click();
  await page.getByLabel(fi.requests.mode_unidentified).check();
  await page.getByLabel(fi.requests.kind_label).selectOption({ label: fi.requests.kind.rectification });
  await page.getByRole("button", { name: fi.requests.open_button }).click();
  await expect(field(page, fi.requests.requester_name)).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#req-name-error")).toHaveText(fi.problem.required);
  await field(page, fi.requests.requester_name).fill("Reijo Oikaisu");
  await field(page, fi.requests.requester_contact).fill("reijo@uusi.fi");
  await page.getByRole("button", { name: fi.requests.open_button }).click();
  await expect(heading(page)).toContainText(fi.requests.kind.rectification);
  await expect(page.getByText(fi.requests.unidentified)).toBeVisible();

  // Identified: found by a search and linked to the person in the register.
  const choice = page.getByLabel(fi.requests.person, { exact: true });
  await page.getByLabel(fi.requests.person_search).fill("xyzzy");
  await expect(choice.locator("option")).toHaveCount(1); // only "choose"
  await page.getByLabel(fi.requests.person_search).fill("oikai");
  await expect(choice.locator("option")).toHaveCount(2);
  await choice.selectOption({ label: "Reijo Oikaisu (reijo@vanha.fi)" });
  await page.getByRole("button", { name: fi.requests.link_button }).click();
  await expect(page.getByRole("link", { name: "Reijo Oikaisu" })).toBeVisible();

  // More time, once.
  await page.getByLabel(fi.requests.extend_reason).fill("Selvitys vie aikaa");
  await page.getByRole("button", { name: fi.requests.extend_button }).click();
  await expect(page.getByText(/Selvitys vie aikaa/)).toBeVisible();
  await expect(page.getByRole("button", { name: fi.requests.extend_button })).toHaveCount(0);
  await expectAccessible(page, "an extended request");

  // The correction is made in the person's form and recorded as the rectification.
  await page.getByRole("link", { name: fi.requests.rectify_button }).click();
  await page.getByLabel(fi.person.email, { exact: true }).fill("reijo@uusi.fi");
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(heading(page)).toHaveText("Reijo Oikaisu");
  await expect(page.getByRole("link", { name: "reijo@uusi.fi" })).toBeVisible();
  await expect(page.getByText(fi.audit.rectified).first()).toBeVisible();
});

test("the record of processing warns about data no purpose declares", async ({ page }) => {
  await openApp(page, "/settings");
  await page.getByRole("button", { name: fi.settings.add_field }).click();
  await page.getByLabel(fi.settings.field_name).fill("Lempiväri");
  await page.getByRole("button", { name: fi.common.save }).first().click();
  await expect(page.getByRole("status").getByText(fi.notice.saved)).toBeVisible();
  await describeRegister(page);

  await nav(page, fi.nav.privacy).click();
  await expect(page.getByText(fill(fi.privacy.warning_count, { count: 1 }))).toBeVisible();
  await page.getByRole("link", { name: fi.privacy.record_title }).click();
  await expect(page.locator(".warning")).toContainText("Lempiväri");
  await expectAccessible(page, "the record with a warning");

  // Declared for the first purpose, the warning goes.
  await openApp(page, "/settings");
  await description(page).getByLabel("Lempiväri").first().check();
  await description(page).getByRole("button", { name: fi.privacy.desc.save }).click();
  await expect(page.getByRole("status").getByText(fi.notice.saved)).toBeVisible();
  await nav(page, fi.nav.privacy).click();
  await page.getByRole("link", { name: fi.privacy.record_title }).click();
  await expect(heading(page)).toHaveText(doc["record.title"]);
  await expect(page.locator(".warning")).toBeHidden();
  await expect(page.getByText("Lempiväri").first()).toBeVisible();
});
