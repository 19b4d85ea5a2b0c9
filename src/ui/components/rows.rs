//! Repeatable rows of inputs: e-mails, phones, addresses, organisations…
//! Each row has stable identity (a key), so typing in one row never
//! disturbs another, and errors find their row by its current position.

use leptos::prelude::*;

use super::TextField;
use crate::domain::FieldError;
use crate::ui::i18n::*;
use crate::ui::text;

/// One row: a value per column.
#[derive(Clone)]
pub struct Row {
    pub key: usize,
    pub cells: Vec<RwSignal<String>>,
}

/// Rows that can be added and removed.
#[derive(Clone, Copy)]
pub struct Rows {
    pub rows: RwSignal<Vec<Row>>,
    columns: usize,
    next: StoredValue<usize>,
}

impl Rows {
    /// Rows of `columns` values; at least one (empty) row.
    pub fn new(columns: usize, values: Vec<Vec<String>>) -> Self {
        let mut list: Vec<Row> = values
            .into_iter()
            .enumerate()
            .map(|(key, v)| Row {
                key,
                cells: (0..columns).map(|c| RwSignal::new(v.get(c).cloned().unwrap_or_default())).collect(),
            })
            .collect();
        if list.is_empty() {
            list.push(Row { key: 0, cells: (0..columns).map(|_| RwSignal::new(String::new())).collect() });
        }
        let next = list.len();
        Rows { rows: RwSignal::new(list), columns, next: StoredValue::new(next) }
    }

    pub fn add(&self) {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        let cells = (0..self.columns).map(|_| RwSignal::new(String::new())).collect();
        self.rows.update(|r| r.push(Row { key, cells }));
    }

    pub fn remove(&self, key: usize) {
        self.rows.update(|r| r.retain(|row| row.key != key));
        if self.rows.with_untracked(Vec::is_empty) {
            self.add();
        }
    }

    /// The values, row by row, in order.
    pub fn values(&self) -> Vec<Vec<String>> {
        self.rows
            .with_untracked(|r| r.iter().map(|row| row.cells.iter().map(|c| c.get_untracked()).collect()).collect())
    }

    fn index_of(&self, key: usize) -> usize {
        self.rows.with(|r| r.iter().position(|row| row.key == key).unwrap_or(0))
    }
}

/// A column of a row editor.
#[derive(Clone)]
pub struct Column {
    pub label: Signal<String>,
    /// The input type (text, email, tel, url…).
    pub kind: &'static str,
    /// Appended to `<path>.<index>` to find this column's errors.
    pub suffix: &'static str,
    /// A `<datalist>` with suggestions.
    pub list: Option<&'static str>,
    pub autocomplete: &'static str,
}

impl Column {
    pub fn new(label: Signal<String>, kind: &'static str, suffix: &'static str) -> Self {
        Column { label, kind, suffix, list: None, autocomplete: "off" }
    }

    pub fn suggest(mut self, list: &'static str) -> Self {
        self.list = Some(list);
        self
    }
}

/// Edits rows of values. Errors are read from `errors` at
/// `<path>.<index><suffix>`; the first column's label gets the row number
/// from the second row on ("E-mail 2").
#[component]
pub fn RowsEditor(
    rows: Rows,
    columns: Vec<Column>,
    errors: RwSignal<Vec<FieldError>>,
    /// The draft's list name: `emails`, `addresses`…
    path: &'static str,
    #[prop(into)] add_label: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let columns = StoredValue::new(columns);
    let wide = columns.with_value(|c| c.len() > 2);
    view! {
        <div class="rows">
            <For
                each=move || rows.rows.get()
                key=|row| row.key
                children=move |row| {
                    let key = row.key;
                    let index = Memo::new(move |_| rows.index_of(key));
                    let cells = row.cells.clone();
                    let first_label = columns.with_value(|c| c[0].label);
                    let numbered = Signal::derive(move || {
                        let n = index.get();
                        if n == 0 { first_label.get() } else { format!("{} {}", first_label.get(), n + 1) }
                    });
                    let inputs = columns.with_value(|cols| {
                        cols.iter()
                            .enumerate()
                            .map(|(c, col)| {
                                let suffix = col.suffix;
                                let error = Signal::derive(move || {
                                    let p = format!("{path}.{}{suffix}", index.get());
                                    errors.with(|list| {
                                        list.iter().find(|e| e.field == p).map(|e| text::problem(i18n, &e.problem).to_owned())
                                    })
                                });
                                let label = if c == 0 { numbered } else {
                                    let own = col.label;
                                    Signal::derive(move || {
                                        let n = index.get();
                                        if n == 0 { own.get() } else { format!("{} {}", own.get(), n + 1) }
                                    })
                                };
                                view! {
                                    <TextField
                                        id=format!("{path}-{key}-{c}")
                                        label=label
                                        value=cells[c]
                                        kind=col.kind
                                        autocomplete=col.autocomplete
                                        list=col.list.map(str::to_owned).unwrap_or_default()
                                        error=error
                                    />
                                }
                            })
                            .collect_view()
                    });
                    view! {
                        <div class="row-edit" class:wide=wide>
                            {inputs}
                            <button
                                type="button"
                                class="link remove"
                                hidden=move || rows.rows.with(|r| r.len() < 2)
                                on:click=move |_| {
                                    rows.remove(key);
                                    errors.update(|e| e.retain(|x| !x.field.starts_with(path)));
                                }
                            >
                                {t!(i18n, common.remove)}
                                <span class="visually-hidden">" " {move || numbered.get()}</span>
                            </button>
                        </div>
                    }
                }
            />
            <button type="button" class="link" on:click=move |_| rows.add()>{move || add_label.get()}</button>
        </div>
    }
}
