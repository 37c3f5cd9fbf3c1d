//! The listed companies: fictional Korean firms (not real tickers), each with
//! a six-digit code, names in both languages and its first reference price.
//! A listing's [`SymbolId`] is its place in this table, so the table only
//! ever grows at the end.

use crate::exchange::SymbolId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listing {
    pub code: &'static str,
    pub name_ko: &'static str,
    pub name_en: &'static str,
    pub first_price: i64,
}

pub const LISTINGS: &[Listing] = &[
    Listing {
        code: "100010",
        name_ko: "한빛전자",
        name_en: "Hanbit Electronics",
        first_price: 72_000,
    },
    Listing {
        code: "100020",
        name_ko: "서해바이오",
        name_en: "Seohae Bio",
        first_price: 38_500,
    },
    Listing {
        code: "100030",
        name_ko: "누리모빌리티",
        name_en: "Nuri Mobility",
        first_price: 18_450,
    },
    Listing {
        code: "100040",
        name_ko: "가람식품",
        name_en: "Garam Foods",
        first_price: 4_215,
    },
    Listing {
        code: "100050",
        name_ko: "다온게임즈",
        name_en: "Daon Games",
        first_price: 153_000,
    },
    Listing {
        code: "100060",
        name_ko: "청록에너지",
        name_en: "Cheongnok Energy",
        first_price: 1_987,
    },
    Listing {
        code: "100070",
        name_ko: "한결금융지주",
        name_en: "Hangyeol Financial",
        first_price: 52_300,
    },
    Listing {
        code: "100080",
        name_ko: "별빛엔터테인먼트",
        name_en: "Byeolbit Entertainment",
        first_price: 612_000,
    },
];

pub fn by_code(code: &str) -> Option<(SymbolId, &'static Listing)> {
    LISTINGS
        .iter()
        .position(|listing| listing.code == code)
        .map(|index| (SymbolId(index as u32), &LISTINGS[index]))
}

pub fn by_id(symbol: SymbolId) -> Option<&'static Listing> {
    LISTINGS.get(symbol.0 as usize)
}

/// The code of a stored symbol id; ids come from this table, so a miss
/// means a database from a newer build.
pub fn code_of(symbol_id: i64) -> String {
    u32::try_from(symbol_id)
        .ok()
        .and_then(|id| by_id(SymbolId(id)))
        .map_or_else(
            || format!("#{symbol_id}"),
            |listing| listing.code.to_owned(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::rules::is_on_tick;

    #[test]
    fn codes_are_unique_six_digit_numbers_and_prices_sit_on_the_tick_grid() {
        let mut codes: Vec<_> = LISTINGS.iter().map(|l| l.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), LISTINGS.len());
        for listing in LISTINGS {
            assert!(listing.code.len() == 6 && listing.code.bytes().all(|b| b.is_ascii_digit()));
            assert!(is_on_tick(listing.first_price), "{listing:?}");
        }
    }

    #[test]
    fn lookups_agree() {
        let (id, listing) = by_code("100040").unwrap();
        assert_eq!(by_id(id), Some(listing));
        assert_eq!(code_of(i64::from(id.0)), "100040");
        assert!(by_code("999999").is_none());
    }
}
