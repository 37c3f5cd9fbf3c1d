//! The listed companies: fictional Korean firms (not real tickers), each with
//! a six-digit code, names in both languages, a sector, shares outstanding
//! and its first reference price. They come from a TOML file an operator can
//! edit (`data/listings.toml`, also built into the binary) and are checked
//! field by field before anything starts, so a typo stops start-up with a
//! message that names the field instead of listing a broken company.
//!
//! A listing's [`SymbolId`] is assigned once, when its code is first seen,
//! and stored; the file may be reordered or grow anywhere afterwards, but a
//! code that already trades may not disappear from it.

use crate::exchange::SymbolId;
use crate::exchange::rules::{Price, is_on_tick};
use crate::storage::ListingRow;
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;

/// The listings file compiled into the binary (used when no file is set).
pub const BUILT_IN: &str = include_str!("../../../data/listings.toml");

/// Highest first price accepted: well above any real KRX share price.
const MAX_FIRST_PRICE: Price = 10_000_000;
const MAX_SHARES_OUTSTANDING: i64 = 100_000_000_000;
const MAX_NAME_CHARS: usize = 40;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ListingsError {
    #[error("listings file {source_name}: {field}: {message}")]
    Invalid {
        source_name: String,
        field: String,
        message: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Sector {
    pub key: String,
    pub name_ko: String,
    pub name_en: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Listing {
    #[serde(skip)]
    pub symbol: SymbolId,
    pub code: String,
    pub name_ko: String,
    pub name_en: String,
    /// The sector's key.
    pub sector: String,
    pub shares_outstanding: i64,
    pub first_price: Price,
}

/// Every listing, by symbol id and by code, and the sectors.
#[derive(Clone, Debug, Default)]
pub struct Listings {
    sectors: Vec<Sector>,
    /// Indexed by symbol id: ids are handed out densely from 0.
    listings: Vec<Listing>,
    by_code: HashMap<String, SymbolId>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    sector: Vec<SectorSpec>,
    #[serde(default)]
    listing: Vec<ListingSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectorSpec {
    key: String,
    name_ko: String,
    name_en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListingSpec {
    code: String,
    name_ko: String,
    name_en: String,
    sector: String,
    shares_outstanding: i64,
    first_price: Price,
}

/// A listings file read and checked, before ids are assigned.
#[derive(Debug)]
pub struct ListingsFile {
    source_name: String,
    sectors: Vec<Sector>,
    listings: Vec<ListingSpec>,
}

impl ListingsFile {
    /// The file `path` names, or the built-in one when `path` is empty.
    pub fn load(path: &str) -> Result<ListingsFile, ListingsError> {
        if path.is_empty() {
            return ListingsFile::parse("(built in)", BUILT_IN);
        }
        let text = std::fs::read_to_string(path).map_err(|err| ListingsError::Invalid {
            source_name: path.to_owned(),
            field: "file".to_owned(),
            message: format!("cannot be read: {err}"),
        })?;
        ListingsFile::parse(path, &text)
    }

    pub fn parse(source_name: &str, text: &str) -> Result<ListingsFile, ListingsError> {
        let invalid = |field: String, message: String| ListingsError::Invalid {
            source_name: source_name.to_owned(),
            field,
            message,
        };
        let file: File = toml::from_str(text).map_err(|err| {
            let field = err
                .span()
                .map_or_else(|| "file".to_owned(), |span| position(text, span.start));
            invalid(field, err.message().to_owned())
        })?;
        if file.sector.is_empty() {
            return Err(invalid(
                "sector".into(),
                "at least one sector is needed".into(),
            ));
        }
        if file.listing.is_empty() {
            return Err(invalid(
                "listing".into(),
                "at least one listing is needed".into(),
            ));
        }
        let mut sectors: Vec<Sector> = Vec::new();
        for (index, spec) in file.sector.into_iter().enumerate() {
            let field = |name: &str| format!("sector[{index}].{name}");
            let key_ok = !spec.key.is_empty()
                && spec.key.len() <= 20
                && spec
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !key_ok {
                return Err(invalid(
                    field("key"),
                    "must be 1 to 20 lowercase letters, digits or '_'".into(),
                ));
            }
            if sectors.iter().any(|s| s.key == spec.key) {
                return Err(invalid(
                    field("key"),
                    format!("{:?} appears twice", spec.key),
                ));
            }
            check_name(&spec.name_ko).map_err(|m| invalid(field("name_ko"), m))?;
            check_name(&spec.name_en).map_err(|m| invalid(field("name_en"), m))?;
            sectors.push(Sector {
                key: spec.key,
                name_ko: spec.name_ko,
                name_en: spec.name_en,
            });
        }
        let mut listings: Vec<ListingSpec> = Vec::new();
        for (index, spec) in file.listing.into_iter().enumerate() {
            let field = |name: &str| format!("listing[{index}].{name}");
            if spec.code.len() != 6 || !spec.code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(
                    field("code"),
                    "must be six digits, as \"100010\"".into(),
                ));
            }
            if listings.iter().any(|l| l.code == spec.code) {
                return Err(invalid(
                    field("code"),
                    format!("{} appears twice", spec.code),
                ));
            }
            check_name(&spec.name_ko).map_err(|m| invalid(field("name_ko"), m))?;
            check_name(&spec.name_en).map_err(|m| invalid(field("name_en"), m))?;
            if !sectors.iter().any(|s| s.key == spec.sector) {
                return Err(invalid(
                    field("sector"),
                    format!("{:?} is not a sector key above", spec.sector),
                ));
            }
            if !(1..=MAX_SHARES_OUTSTANDING).contains(&spec.shares_outstanding) {
                return Err(invalid(
                    field("shares_outstanding"),
                    format!("must be from 1 to {MAX_SHARES_OUTSTANDING}"),
                ));
            }
            if !(1..=MAX_FIRST_PRICE).contains(&spec.first_price) {
                return Err(invalid(
                    field("first_price"),
                    format!("must be from 1 to {MAX_FIRST_PRICE} won"),
                ));
            }
            if !is_on_tick(spec.first_price) {
                return Err(invalid(
                    field("first_price"),
                    format!("{} is not on the KRX tick grid", spec.first_price),
                ));
            }
            listings.push(spec);
        }
        Ok(ListingsFile {
            source_name: source_name.to_owned(),
            sectors,
            listings,
        })
    }

    /// Gives each new code the next symbol id and checks that every stored
    /// listing is still in the file. Returns the listings to serve and the
    /// rows to store (all of them: names, sectors and shares may change).
    pub fn reconcile(
        self,
        stored: &[ListingRow],
    ) -> Result<(Listings, Vec<ListingRow>), ListingsError> {
        let mut ids: HashMap<&str, i64> = HashMap::default();
        for row in stored {
            ids.insert(row.code.as_str(), row.symbol_id);
        }
        for row in stored {
            if !self.listings.iter().any(|l| l.code == row.code) {
                return Err(ListingsError::Invalid {
                    source_name: self.source_name,
                    field: format!("listing {}", row.code),
                    message: "is trading already and may not be removed from the file".into(),
                });
            }
        }
        let mut next_id = stored.iter().map(|r| r.symbol_id + 1).max().unwrap_or(0);
        let mut rows = Vec::with_capacity(self.listings.len());
        for spec in self.listings {
            let symbol_id = match ids.get(spec.code.as_str()) {
                Some(&id) => id,
                None => {
                    next_id += 1;
                    next_id - 1
                }
            };
            rows.push(ListingRow {
                symbol_id,
                code: spec.code,
                name_ko: spec.name_ko,
                name_en: spec.name_en,
                sector: spec.sector,
                shares_outstanding: spec.shares_outstanding,
                first_price: spec.first_price,
            });
        }
        rows.sort_by_key(|row| row.symbol_id);
        let listings = Listings::new(self.sectors, &rows);
        Ok((listings, rows))
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let chars = name.trim().chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.trim() != name {
        return Err(format!(
            "must be 1 to {MAX_NAME_CHARS} characters without surrounding spaces"
        ));
    }
    Ok(())
}

/// "line L, column C" of a byte offset, for parse errors.
fn position(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}")
}

impl Listings {
    /// Listings from stored rows, which must have dense ids from 0 in order
    /// (as [`ListingsFile::reconcile`] returns them).
    fn new(sectors: Vec<Sector>, rows: &[ListingRow]) -> Listings {
        let listings: Vec<Listing> = rows
            .iter()
            .map(|row| Listing {
                symbol: SymbolId(row.symbol_id as u32),
                code: row.code.clone(),
                name_ko: row.name_ko.clone(),
                name_en: row.name_en.clone(),
                sector: row.sector.clone(),
                shares_outstanding: row.shares_outstanding,
                first_price: row.first_price,
            })
            .collect();
        debug_assert!(
            listings
                .iter()
                .enumerate()
                .all(|(i, l)| l.symbol.0 as usize == i)
        );
        let by_code = listings
            .iter()
            .map(|listing| (listing.code.clone(), listing.symbol))
            .collect();
        Listings {
            sectors,
            listings,
            by_code,
        }
    }

    /// The built-in file with ids in file order (tools and tests that have
    /// no database).
    pub fn built_in() -> Listings {
        let file = ListingsFile::parse("(built in)", BUILT_IN).expect("the built-in file is valid");
        file.reconcile(&[]).expect("nothing stored to conflict").0
    }

    pub fn all(&self) -> &[Listing] {
        &self.listings
    }

    pub fn sectors(&self) -> &[Sector] {
        &self.sectors
    }

    pub fn by_code(&self, code: &str) -> Option<&Listing> {
        self.by_code
            .get(code)
            .map(|symbol| &self.listings[symbol.0 as usize])
    }

    pub fn by_id(&self, symbol: SymbolId) -> Option<&Listing> {
        self.listings.get(symbol.0 as usize)
    }

    /// The code of a stored symbol id; a miss means a database from a newer
    /// build, shown rather than hidden.
    pub fn code_of(&self, symbol_id: i64) -> String {
        u32::try_from(symbol_id)
            .ok()
            .and_then(|id| self.by_id(SymbolId(id)))
            .map_or_else(|| format!("#{symbol_id}"), |listing| listing.code.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::rules::tick_size;

    const SECTOR: &str = "[[sector]]\nkey = \"bio\"\nname_ko = \"바이오\"\nname_en = \"Bio\"\n";

    fn listing(code: &str, price: &str) -> String {
        format!(
            "[[listing]]\ncode = \"{code}\"\nname_ko = \"가\"\nname_en = \"A\"\nsector = \"bio\"\nshares_outstanding = 1000\nfirst_price = {price}\n"
        )
    }

    fn error_field(text: &str) -> String {
        match ListingsFile::parse("test", text).unwrap_err() {
            ListingsError::Invalid { field, .. } => field,
        }
    }

    #[test]
    fn the_built_in_file_has_thirty_listings_in_eight_sectors_across_the_tick_bands() {
        let listings = Listings::built_in();
        assert!(listings.all().len() >= 30);
        let used: std::collections::BTreeSet<_> =
            listings.all().iter().map(|l| l.sector.as_str()).collect();
        assert!(used.len() >= 8, "{used:?}");
        let ticks: std::collections::BTreeSet<_> = listings
            .all()
            .iter()
            .map(|l| tick_size(l.first_price))
            .collect();
        assert_eq!(ticks.len(), 7, "every tick band has a listing: {ticks:?}");
        let prices: Vec<_> = listings.all().iter().map(|l| l.first_price).collect();
        assert!(prices.iter().any(|&p| p < 2_000) && prices.iter().any(|&p| p >= 700_000));
        // The first eight keep the ids they had when they were the whole table.
        assert_eq!(listings.by_code("100010").unwrap().symbol, SymbolId(0));
        assert_eq!(listings.by_code("100080").unwrap().symbol, SymbolId(7));
    }

    #[test]
    fn each_mistake_names_its_field() {
        assert_eq!(error_field(&listing("100010", "1000")), "sector");
        assert_eq!(error_field(SECTOR), "listing");
        let bad = |listing_text: String| error_field(&format!("{SECTOR}{listing_text}"));
        assert_eq!(bad(listing("10001", "1000")), "listing[0].code");
        assert_eq!(bad(listing("100010", "2001")), "listing[0].first_price");
        assert_eq!(bad(listing("100010", "0")), "listing[0].first_price");
        assert_eq!(
            bad(format!(
                "{}{}",
                listing("100010", "1000"),
                listing("100010", "1000")
            )),
            "listing[1].code"
        );
        assert_eq!(
            bad(listing("100010", "1000").replace("\"bio\"", "\"steel\"")),
            "listing[0].sector"
        );
        assert_eq!(
            bad(listing("100010", "1000").replace("1000\nfirst", "-5\nfirst")),
            "listing[0].shares_outstanding"
        );
        assert_eq!(
            bad(listing("100010", "1000").replace("\"가\"", "\"\"")),
            "listing[0].name_ko"
        );
        // A type error or an unknown key points at the line.
        assert_eq!(bad(listing("100010", "\"many\"")), "line 11, column 15");
        assert!(bad(format!("{}color = 1\n", listing("100010", "1000"))).starts_with("line "));
    }

    #[test]
    fn ids_stay_with_their_codes_and_stored_codes_may_not_vanish() {
        let text = format!(
            "{SECTOR}{}{}",
            listing("100020", "2000"),
            listing("100010", "1000")
        );
        let stored = vec![ListingRow {
            symbol_id: 0,
            code: "100010".into(),
            name_ko: "옛 이름".into(),
            name_en: "Old".into(),
            sector: "bio".into(),
            shares_outstanding: 1,
            first_price: 1000,
        }];
        let (listings, rows) = ListingsFile::parse("t", &text)
            .unwrap()
            .reconcile(&stored)
            .unwrap();
        assert_eq!(listings.by_code("100010").unwrap().symbol, SymbolId(0));
        assert_eq!(listings.by_code("100010").unwrap().name_ko, "가");
        assert_eq!(listings.by_code("100020").unwrap().symbol, SymbolId(1));
        assert_eq!(rows.len(), 2);
        assert_eq!(listings.code_of(1), "100020");
        assert_eq!(listings.code_of(9), "#9");

        let without = format!("{SECTOR}{}", listing("100020", "2000"));
        let err = ListingsFile::parse("t", &without)
            .unwrap()
            .reconcile(&stored)
            .unwrap_err();
        assert!(err.to_string().contains("100010"), "{err}");
    }
}
