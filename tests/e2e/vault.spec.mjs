// The vault: the register is encrypted at rest; setting up, locking and
// unlocking, wrong passphrases, users with different access levels, a lock
// that reaches every tab, and the automatic lock when nobody uses it.
import { test, expect } from "@playwright/test";
import { fi, openApp, unlock, addPerson, addRecord, keepScreenshot, expectAccessible, ADMIN } from "./helpers.mjs";

const heading = (page) => page.getByRole("heading", { level: 1 });

test("set up, lock, and unlock; a wrong passphrase opens nothing", async ({ page }) => {
  await page.goto("/people");
  await expect(heading(page)).toHaveText(fi.vault.setup_title);
  await expectAccessible(page, "the setup screen");
  await keepScreenshot(page, "setup");
  // The form refuses until everything is right.
  await page.getByLabel(fi.vault.your_name).fill(ADMIN.name);
  await page.getByLabel(fi.exchange.passphrase, { exact: true }).fill("lyhyt");
  await page.getByLabel(fi.exchange.passphrase_again).fill("lyhyt");
  await page.getByRole("button", { name: fi.vault.setup_button }).click();
  await expect(page.getByText(fi.exchange.pass_weak)).toBeVisible();
  await page.getByLabel(fi.exchange.passphrase, { exact: true }).fill(ADMIN.passphrase);
  await page.getByLabel(fi.exchange.passphrase_again).fill(ADMIN.passphrase + "x");
  await page.getByRole("button", { name: fi.vault.setup_button }).click();
  await expect(page.getByText(fi.exchange.pass_mismatch)).toBeVisible();
  await page.getByLabel(fi.exchange.passphrase_again).fill(ADMIN.passphrase);
  await page.getByRole("button", { name: fi.vault.setup_button }).click();
  await expect(page.getByText(fi.vault.understand_missing)).toBeVisible();
  await page.getByLabel(fi.vault.understand).check();
  await page.getByRole("button", { name: fi.vault.setup_button }).click();
  await expect(page.getByRole("button", { name: fi.vault.lock })).toBeVisible();
  await expect(page.getByText(fi.notice.make_recovery_copy)).toBeVisible();
  await addPerson(page, { given: "Kati", family: "Häkkinen" });

  await page.getByRole("button", { name: fi.vault.lock }).click();
  await expect(heading(page)).toHaveText(fi.vault.locked_title);
  await expect(page.getByText("Häkkinen")).toHaveCount(0);
  await expectAccessible(page, "the unlock screen");
  await keepScreenshot(page, "locked");
  await page.getByLabel(fi.exchange.passphrase, { exact: true }).fill("väärä salasana tässä");
  await page.getByRole("button", { name: fi.vault.unlock }).click();
  await expect(page.getByText(fi.vault.wrong_passphrase)).toBeVisible();
  await expect(heading(page)).toHaveText(fi.vault.locked_title);
  await unlock(page);
  await expect(heading(page)).toHaveText("Kati Häkkinen");
});

test("users with different levels see and may do different things", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await openApp(page, "/people");
  await addPerson(page, { given: "Kati", family: "Häkkinen" });
  const dietary = async (event) => {
    await page.getByRole("link", { name: fi.record.add_event }).click();
    await page.getByLabel(new RegExp(`^${fi.record.event_name}`)).fill(event);
    await page.getByLabel(new RegExp(`^${fi.record.date}`)).fill(new Date(Date.now() + 7 * 86400000).toISOString().slice(0, 10));
    await page.getByLabel(fi.record.dietary, { exact: true }).fill(`${event}: vegaani`);
    await page.getByRole("button", { name: fi.common.save }).click();
    await expect(heading(page)).toHaveText("Kati Häkkinen");
  };
  await dietary("Joulugaala");
  await dietary("Kevätseminaari");
  const personUrl = page.url();

  // The administrator adds a read-only user and an organiser of one event.
  await openApp(page, "/settings");
  const addUser = async (name, level, events = "") => {
    await page.getByLabel(fi.vault.your_name_other, { exact: true }).fill(name);
    await page.getByLabel(fi.users.level, { exact: true }).selectOption(level);
    if (events) await page.getByLabel(fi.users.events).fill(events);
    await page.getByLabel(fi.users.first_passphrase).fill(`${name} aloittaa tällä salasanalla`);
    await page.locator("#user-pass2").fill(`${name} aloittaa tällä salasanalla`);
    await page.getByRole("button", { name: fi.users.add }).click();
    await expect(page.getByText(fi.users.added)).toBeVisible();
  };
  await addUser("Lukija", "read_only");
  await addUser("Järjestäjä", "event_organiser", "Joulugaala");
  await expect(page.getByRole("region", { name: fi.users.title }).getByRole("row")).toHaveCount(4);
  await expectAccessible(page, "settings with users");
  await keepScreenshot(page, "users");

  // Read-only: no editing anywhere, and the core would refuse it anyway.
  await page.getByRole("button", { name: fi.vault.lock }).click();
  await unlock(page, { name: "Lukija", passphrase: "Lukija aloittaa tällä salasanalla" });
  await openApp(page, personUrl.replace(/^https?:\/\/[^/]+/, ""), { name: "Lukija", passphrase: "Lukija aloittaa tällä salasanalla" });
  await expect(heading(page)).toHaveText("Kati Häkkinen");
  await expect(page.getByRole("link", { name: fi.common.edit })).toBeHidden();
  await expect(page.getByRole("link", { name: fi.record.add_event })).toBeHidden();
  await expect(page.getByRole("button", { name: fi.record.show_dietary })).toHaveCount(0);
  await expect(page.getByText(fi.record.dietary_hidden)).toHaveCount(2);
  // Reading is not exporting: no vCard, CSV or labels for a read-only user.
  await expect(page.getByRole("button", { name: fi.consents.vcard })).toBeHidden();
  await page.getByRole("link", { name: fi.nav.lists, exact: true }).click();
  await expect(heading(page)).toHaveText(fi.lists.title);
  await expect(page.getByRole("button", { name: fi.lists.csv_button })).toBeHidden();
  await expect(page.getByRole("link", { name: fi.lists.labels_button })).toBeHidden();
  // Nor by the labels page's address.
  await openApp(page, "/lists/labels", { name: "Lukija", passphrase: "Lukija aloittaa tällä salasanalla" });
  await expect(page.getByRole("alert").filter({ hasText: fi.notice.not_allowed })).toBeVisible();
  await expect(page.getByRole("button", { name: fi.lists.print })).toHaveCount(0);
  await openApp(page, "/settings", { name: "Lukija", passphrase: "Lukija aloittaa tällä salasanalla" });
  await expect(page.getByText(fi.settings.admin_only)).toBeVisible();
  await expect(page.getByRole("button", { name: fi.users.add })).toBeHidden();

  // The organiser sees the dietary data of their own event only.
  await page.getByRole("button", { name: fi.vault.lock }).click();
  const organiser = { name: "Järjestäjä", passphrase: "Järjestäjä aloittaa tällä salasanalla" };
  await unlock(page, organiser);
  await openApp(page, personUrl.replace(/^https?:\/\/[^/]+/, ""), organiser);
  const shown = page.getByRole("button", { name: fi.record.show_dietary });
  await expect(shown.filter({ visible: true })).toHaveCount(1);
  await shown.filter({ visible: true }).click();
  await expect(page.getByText("Joulugaala: vegaani")).toBeVisible();
  await expect(page.getByText("Kevätseminaari: vegaani")).toBeHidden();
});

test("locking one tab locks every tab", async ({ context }) => {
  const one = await context.newPage();
  await openApp(one, "/people");
  const two = await context.newPage();
  await openApp(two, "/people");
  await expect(two.getByRole("button", { name: fi.vault.lock })).toBeVisible();
  await one.getByRole("button", { name: fi.vault.lock }).click();
  await expect(heading(two)).toHaveText(fi.vault.locked_title);
  await expect(heading(one)).toHaveText(fi.vault.locked_title);
});

test("Sidos locks itself after the idle time", async ({ page }) => {
  await page.clock.install();
  await openApp(page, "/people");
  await page.clock.fastForward("10:00");
  await expect(page.getByRole("button", { name: fi.vault.lock })).toBeVisible();
  await page.clock.fastForward("06:00");
  await expect(heading(page)).toHaveText(fi.vault.locked_title);
});

// A worker decodes the relationship records when the register opens and
// hands them over in pieces; where none starts, none says it is ready, one
// cannot decode them, fails or stalls after a piece, or hands over a
// damaged piece, the page decodes them all itself. Either way every record is there, once.
const fakeWorkers = {
  missing: () => {
    window.Worker = function () {
      throw new Error("no workers");
    };
  },
  silent: () => {
    window.Worker = class {
      postMessage() {}
      terminate() {}
    };
  },
  refuses: () => {
    window.Worker = class {
      postMessage(data) {
        const answer = data && data.glue ? "ready" : false;
        setTimeout(() => this.onmessage(new MessageEvent("message", { data: answer })));
      }
      terminate() {}
    };
  },
  // The real worker, whose last word is turned into a failure, or whose
  // pieces are damaged on the way.
  halfway: () => {
    const Real = window.Worker;
    window.Worker = class extends Real {
      set onmessage(listener) {
        const fail = (e) => listener(e.data === true ? new MessageEvent("message", { data: false }) : e);
        super.onmessage = listener && fail;
      }
    };
  },
  // The real worker, whose last word never comes: the page waits for a
  // while without a piece, then reads the records itself.
  stalled: () => {
    const Real = window.Worker;
    window.Worker = class extends Real {
      set onmessage(listener) {
        const swallow = (e) => (e.data === true ? (window.lastWordSwallowed = true) : listener(e));
        super.onmessage = listener && swallow;
      }
    };
  },
  damaged: () => {
    const Real = window.Worker;
    window.Worker = class extends Real {
      set onmessage(listener) {
        const damage = (e) =>
          listener(e.data instanceof ArrayBuffer ? new MessageEvent("message", { data: new Uint8Array([7, 7, 7]).buffer }) : e);
        super.onmessage = listener && damage;
      }
    };
  },
};

for (const worker of ["real", "missing", "silent", "refuses", "halfway", "stalled", "damaged"]) {
  test(`the relationship records open ${worker === "real" ? "on a worker" : `without a worker (${worker})`}`, async ({ browser }) => {
    const page = await (await browser.newContext()).newPage();
    await openApp(page);
    await addPerson(page, { given: "Kati", family: "Häkkinen" });
    await addRecord(page, fi.record.add_contract, [[fi.record.title, "Ylläpitosopimus"]]);
    await addRecord(page, fi.record.add_feedback, [[fi.record.feedback_text, "Erinomainen tuki"]]);
    await expect(page.getByText("Erinomainen tuki")).toBeVisible();
    await page.getByRole("button", { name: fi.vault.lock }).click();
    await expect(heading(page)).toHaveText(fi.vault.locked_title);
    await page.evaluate(() => performance.clearMarks("sidos:records-handed"));
    if (worker === "stalled") await page.clock.install();
    if (fakeWorkers[worker]) await page.evaluate(fakeWorkers[worker]);
    await unlock(page);
    await expect(heading(page)).toHaveText("Kati Häkkinen");
    if (worker === "stalled") {
      await page.waitForFunction(() => window.lastWordSwallowed === true);
      await page.clock.fastForward("00:31");
    }
    await expect(page.getByText("Ylläpitosopimus")).toBeVisible();
    await expect(page.getByText("Erinomainen tuki")).toBeVisible();
    const handed = await page.evaluate(() => performance.getEntriesByName("sidos:records-handed").length);
    expect(handed).toBe(worker === "real" ? 1 : 0);
    // The register can be changed again once its records are in.
    await addRecord(page, fi.record.add_feedback, [[fi.record.feedback_text, "Nopea vastaus"]]);
    await expect(page.getByText("Nopea vastaus")).toBeVisible();
  });
}
