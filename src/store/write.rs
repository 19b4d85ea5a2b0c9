//! Writing one command's changes: the pages they touch, read, rewritten
//! and sealed, then everything in one transaction.

use js_sys::Array;
use wasm_bindgen::JsValue;
use web_sys::IdbTransactionMode;

use std::collections::{BTreeMap, HashSet};

use super::codec::Codec;
use super::schema::{self, AUDIT, META, PAGES};
use super::{idb::request, json, Completion, Store, StoreError};
use crate::bundle::dto::{self, AuditDto, ConsentConfigDto, SettingsDto};
use crate::bundle::gdpr::RegisterDescriptionDto;
use crate::bundle::pages;
use crate::domain::Change;

impl Store {
    /// Writes one command's changes in one transaction: all or nothing.
    /// Only the pages the changes touch are read and rewritten. The pages
    /// are read and sealed before the writing transaction (the browser
    /// seals them asynchronously, and a transaction does not wait for
    /// that); callers hold the write lock across tabs (`web::tabs`), so
    /// nothing changes them in between.
    pub async fn write(&self, changes: &[Change]) -> Result<(), StoreError> {
        self.write_with(changes, None).await
    }

    /// [`Store::write`], keeping the texts of an import's entities as its
    /// document wrote them ([`pages::Verbatim`]).
    pub async fn write_with(
        &self,
        changes: &[Change],
        verbatim: Option<pages::Verbatim<'_>>,
    ) -> Result<(), StoreError> {
        match self.issue(changes, verbatim).await? {
            Some(completion) => completion.finished().await,
            None => Ok(()),
        }
    }

    /// [`Store::write_with`] up to the moment its transaction has every
    /// request and only commits: the page may do other work while the
    /// browser writes (an import's changes into memory), then waits for
    /// the outcome with [`Completion::finished`]. `None`: nothing to write.
    pub async fn issue(
        &self,
        changes: &[Change],
        verbatim: Option<pages::Verbatim<'_>>,
    ) -> Result<Option<Completion>, StoreError> {
        if changes.is_empty() {
            return Ok(None);
        }
        let js = |e: JsValue| StoreError::from_js(&e);
        let codec = self.codec.borrow().clone();
        let rewrite = pages::Rewrite::with(changes, verbatim);
        let page_keys = rewrite.page_keys();
        let mut current: BTreeMap<String, String> = BTreeMap::new();
        let mut openings = codec.openings(PAGES, self.read_pages(page_keys.iter()).await?).await;
        while let Some((page_key, text)) = openings.next().await {
            let text = text.map_err(|why| StoreError::Failed(format!("page {page_key}: {}", why.detail())))?;
            current.insert(page_key, text);
        }
        crate::web::mark("write-read");
        // Each page's text is sealed (by the browser, away from this
        // thread) while the next is made.
        let mut sealer = codec.sealer(PAGES).await.map_err(js)?;
        let mut puts = Vec::with_capacity(page_keys.len());
        let mut deletes = Vec::new();
        let mut refused = None;
        rewrite
            .each_text(&current, |page_key, text| match text {
                Some(text) => match sealer.add(&page_key, &text) {
                    Ok(()) => puts.push(page_key),
                    Err(e) => {
                        refused.get_or_insert(e);
                    }
                },
                None => deletes.push(page_key),
            })
            .map_err(|_| StoreError::Failed("damaged page".into()))?;
        if let Some(e) = refused {
            return Err(js(e));
        }
        drop(current);
        crate::web::mark("write-texts");
        let values = sealer.values().await.map_err(js)?;
        crate::web::mark("write-sealed");

        let stores: Array = schema::WRITTEN.iter().map(|s| JsValue::from_str(s)).collect();
        let tx = self.db.transaction_with_str_sequence_and_mode(&stores, IdbTransactionMode::Readwrite).map_err(js)?;
        let issued = (|| -> Result<(), JsValue> {
            for change in changes {
                issue_unpaged(&tx, &codec, change)?;
            }
            let store = tx.object_store(PAGES)?;
            for (page_key, value) in puts.iter().zip(values) {
                store.put_with_key(&value, &page_key.into())?;
            }
            for page_key in deletes {
                store.delete(&page_key.into())?;
            }
            Ok(())
        })();
        if let Err(e) = issued {
            // The transaction's own error says why (a request that failed
            // aborts it, and later requests then fail as aborted).
            let cause = tx.error().map(|d| StoreError::from_dom(&d));
            let _ = tx.abort();
            return Err(cause.unwrap_or(StoreError::from_js(&e)));
        }
        // Every request is issued: the browser may commit now, not only
        // once this task ends (the caller works on while it commits).
        // Browsers without `commit` commit when the task ends. (web-sys
        // marks it deprecated; it is standard, IndexedDB 3.0.)
        #[allow(deprecated)]
        let _ = tx.commit();
        crate::web::mark("write-issued");
        Ok(Some(Completion::watch(tx)))
    }

    /// The stored pages of these keys that exist, all asked for at once.
    /// Which exist is asked first, in one request (a register has at most
    /// a couple of thousand pages): an import into a new register touches
    /// over a thousand pages that do not exist yet, and asking for each
    /// costs more than the answer.
    async fn read_pages(&self, keys: impl Iterator<Item = &String>) -> Result<Vec<(String, JsValue)>, StoreError> {
        let js = |e: JsValue| StoreError::from_js(&e);
        let tx = self.db.transaction_with_str(PAGES).map_err(js)?;
        let store = tx.object_store(PAGES).map_err(js)?;
        let stored: HashSet<String> = Array::from(&request(&store.get_all_keys().map_err(js)?).await?)
            .iter()
            .filter_map(|k| k.as_string())
            .collect();
        let mut gets = Vec::new();
        for key in keys.filter(|key| stored.contains(*key)) {
            gets.push((key.clone(), store.get(&key.as_str().into()).map_err(js)?));
        }
        let mut found = Vec::with_capacity(gets.len());
        for (key, get) in gets {
            let value = request(&get).await?;
            if !value.is_undefined() {
                found.push((key, value));
            }
        }
        Ok(found)
    }
}

/// Issues the request for a change that is not paged: audit entries,
/// settings, the clock.
fn issue_unpaged(tx: &web_sys::IdbTransaction, codec: &Codec, change: &Change) -> Result<(), JsValue> {
    let meta = |key: &str, text: String| -> Result<(), JsValue> {
        tx.object_store(META)?.put_with_key(&codec.value(META, key, "doc", &text, &[]), &key.into()).map(|_| ())
    };
    match change {
        Change::PutSettings(s) => meta("settings", json(&SettingsDto::from(s))),
        Change::Clock(stamp) => meta("clock", stamp.to_string()),
        Change::Seen(seen) => meta("seen", json(&dto::seen_to_dto(seen))),
        Change::PutConsentConfig(c) => meta("consent_config", json(&ConsentConfigDto::from(c))),
        Change::PutDescription(d) => meta("register_description", json(&RegisterDescriptionDto::from(&**d))),
        // The audit log only grows: `add` refuses to overwrite an entry.
        Change::Audit(entry) => tx
            .object_store(AUDIT)?
            .add_with_key(
                &codec.value(
                    AUDIT,
                    &entry.key,
                    "doc",
                    &json(&AuditDto::from(entry)),
                    &[("entity", &dto::entity_key(&entry.entity))],
                ),
                &entry.key.clone().into(),
            )
            .map(|_| ()),
        // Paged changes are written page by page (`Store::write`).
        Change::PutPerson(_)
        | Change::RemovePerson(_)
        | Change::PutOrg(_)
        | Change::RemoveOrg(_)
        | Change::PutRecord(_)
        | Change::RemoveRecord(_)
        | Change::PutTombstone(_)
        | Change::PutDisclosure(_)
        | Change::PutConsent(_)
        | Change::RemoveConsent(_)
        | Change::PutRequest(_) => Ok(()),
    }
}
