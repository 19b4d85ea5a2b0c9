// Shared helpers: the app's own translations (so tests find controls by the
// words users see), accessibility checks with axe-core, and screenshots.
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "@playwright/test";

const here = dirname(fileURLToPath(import.meta.url));
const load = (lang) => JSON.parse(readFileSync(join(here, "../../locales", `${lang}.json`), "utf8"));
export const fi = load("fi");
export const sv = load("sv");
export const en = load("en");

/** A translation with its `{{ name }}` values filled in. */
export function fill(text, values = {}) {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k) => String(values[k] ?? ""));
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core on the page and fails on any violation (WCAG 2.1 A/AA). */
export async function expectAccessible(page, what) {
  await settled(page);
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  const problems = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  expect(problems, `accessibility of ${what}`).toEqual([]);
}

const artifacts = join(here, "artifacts");
mkdirSync(artifacts, { recursive: true });

/** Keeps a screenshot of a main page under tests/e2e/artifacts/. */
export async function keepScreenshot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** Waits until the register is loaded and the page has its heading. */
export async function settled(page) {
  await expect(page.locator("main")).not.toContainText(fi.shell.loading);
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
}

/** The administrator every test sets the register up with. */
export const ADMIN = { name: "Testi Ylläpitäjä", passphrase: "kolme pientä porsasta metsän laidalla" };

/**
 * Gets past the vault: sets the register up on first start, or unlocks it
 * (as `user`, when several can), and waits until the page is ready.
 */
export async function unlock(page, { name = ADMIN.name, passphrase = ADMIN.passphrase } = {}) {
  // In any language: the setup and unlock forms are told apart by their fields.
  const ready = page.locator("header .who button");
  const setup = page.locator("#setup-name");
  const locked = page.locator("#unlock-pass");
  const failed = page.locator("main .error-summary h1");
  await expect
    .poll(async () => (await ready.isVisible()) || (await setup.isVisible()) || (await locked.isVisible()) || (await failed.isVisible()), { timeout: 15_000 })
    .toBe(true);
  if (await setup.isVisible()) {
    await setup.fill(name);
    await page.locator("#setup-pass1").fill(passphrase);
    await page.locator("#setup-pass2").fill(passphrase);
    await page.locator("#setup-understood").check();
    await page.locator("form button[type=submit]").click();
  } else if (await locked.isVisible()) {
    const who = page.locator("#unlock-user");
    if (await who.count()) await who.selectOption({ label: name });
    await locked.fill(passphrase);
    await page.locator("form button[type=submit]").click();
  } else {
    return;
  }
  await expect(ready).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
}

/** Opens the app at `path` (a full page load locks it) and unlocks it. */
export async function openApp(page, path = "/people", user) {
  await page.goto(path);
  await unlock(page, user);
}

/** Reloads the page (which locks it) and unlocks it again. */
export async function reopen(page, user) {
  await page.reload();
  await unlock(page, user);
}

/** Adds a person through the form (Finnish interface). */
export async function addPerson(page, { given, family, email, phone, org, role }) {
  await page.getByRole("link", { name: fi.people.add }).click();
  await page.getByLabel(fi.person.given_name).fill(given);
  await page.getByLabel(fi.person.family_name).fill(family);
  if (email) await page.getByLabel(fi.person.email, { exact: true }).fill(email);
  if (phone) await page.getByLabel(fi.person.phone, { exact: true }).fill(phone);
  if (org) await page.getByLabel(fi.person.organisation, { exact: true }).fill(org);
  if (role) await page.getByLabel(fi.person.role, { exact: true }).fill(role);
  await page.getByRole("button", { name: fi.common.save }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${given} ${family}`);
}

/** The input labelled `label` (a required field's label ends in " *"). */
export const field = (page, label) =>
  page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( \\*)?$`));

/** Adds a relationship record on the person's page: `fields` are [label, value]. */
export async function addRecord(page, addLabel, fields) {
  await page.getByRole("link", { name: addLabel }).click();
  for (const [label, value] of fields) {
    const input = field(page, label);
    if ((await input.evaluate((el) => el.tagName)) === "SELECT") await input.selectOption({ label: value });
    else if ((await input.getAttribute("type")) === "checkbox") await input.setChecked(value);
    else await input.fill(value);
  }
  await page.getByRole("button", { name: fi.common.save }).click();
}
