//! Reading the JSON routes' bodies and query strings field by field, so that
//! a wrong input is named (`qty` is fractional, `side` is neither buy nor
//! sell) instead of failing as "bad JSON". The server functions receive the
//! same types already decoded.

use super::ApiError;
use app::trading::{
    AmendOrderInput, ListQuery, OrderKind, OrderSide, OrderStatus, PlaceOrderInput, SortOrder,
    TimeInForce,
};
use serde_json::{Map, Value};
use std::collections::HashMap;

pub fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::Malformed),
    }
}

fn whole(value: Option<&Value>, field: &'static str) -> Result<Option<i64>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => match number.as_i64() {
            Some(n) => Ok(Some(n)),
            None if number.is_u64() => Err(ApiError::invalid(
                field,
                "숫자가 너무 큽니다.",
                "The number is too large.",
            )),
            None => Err(ApiError::invalid(
                field,
                "정수로 입력해 주세요.",
                "Must be a whole number.",
            )),
        },
        Some(_) => Err(ApiError::invalid(
            field,
            "숫자로 입력해 주세요.",
            "Must be a number.",
        )),
    }
}

fn required<T>(value: Option<T>, field: &'static str) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::invalid(field, "필수 항목입니다.", "This field is required."))
}

fn text<'a>(value: Option<&'a Value>, field: &'static str) -> Result<Option<&'a str>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::invalid(
            field,
            "문자열로 입력해 주세요.",
            "Must be a string.",
        )),
    }
}

/// A client order id: a whole number from 0 to 2^63 - 1 (stored as BIGINT).
fn client_order_id(value: Option<&Value>) -> Result<u64, ApiError> {
    let id = required(whole(value, "client_order_id")?, "client_order_id")?;
    u64::try_from(id).map_err(|_| {
        ApiError::invalid(
            "client_order_id",
            "0 이상의 정수여야 합니다.",
            "Must be a whole number of 0 or more.",
        )
    })
}

pub fn side(value: &str) -> Result<OrderSide, ApiError> {
    match value {
        "buy" => Ok(OrderSide::Buy),
        "sell" => Ok(OrderSide::Sell),
        _ => Err(ApiError::invalid(
            "side",
            "매수(buy) 또는 매도(sell)여야 합니다.",
            "Must be buy or sell.",
        )),
    }
}

fn kind(value: &str) -> Result<OrderKind, ApiError> {
    match value {
        "limit" => Ok(OrderKind::Limit),
        "market" => Ok(OrderKind::Market),
        _ => Err(ApiError::invalid(
            "kind",
            "지정가(limit) 또는 시장가(market)여야 합니다.",
            "Must be limit or market.",
        )),
    }
}

fn tif(value: &str) -> Result<TimeInForce, ApiError> {
    match value {
        "gtc" => Ok(TimeInForce::Gtc),
        "ioc" => Ok(TimeInForce::Ioc),
        "fok" => Ok(TimeInForce::Fok),
        _ => Err(ApiError::invalid(
            "tif",
            "gtc, ioc, fok 중 하나여야 합니다.",
            "Must be gtc, ioc or fok.",
        )),
    }
}

pub fn place(body: &[u8]) -> Result<PlaceOrderInput, ApiError> {
    let map = object(body)?;
    Ok(PlaceOrderInput {
        client_order_id: client_order_id(map.get("client_order_id"))?,
        symbol: required(text(map.get("symbol"), "symbol")?, "symbol")?.to_owned(),
        side: side(required(text(map.get("side"), "side")?, "side")?)?,
        kind: kind(required(text(map.get("kind"), "kind")?, "kind")?)?,
        price: whole(map.get("price"), "price")?,
        qty: required(whole(map.get("qty"), "qty")?, "qty")?,
        tif: text(map.get("tif"), "tif")?
            .map(tif)
            .transpose()?
            .unwrap_or_default(),
    })
}

pub fn amend(order_id: u64, body: &[u8]) -> Result<AmendOrderInput, ApiError> {
    let map = object(body)?;
    Ok(AmendOrderInput {
        order_id,
        price: required(whole(map.get("price"), "price")?, "price")?,
        qty: required(whole(map.get("qty"), "qty")?, "qty")?,
    })
}

/// An optional query parameter that must be a whole number in `range`;
/// anything else is refused naming `field` with the given messages.
pub fn whole_in(
    raw: Option<&str>,
    range: std::ops::RangeInclusive<i64>,
    field: &'static str,
    message_ko: &'static str,
    message_en: &'static str,
) -> Result<Option<i64>, ApiError> {
    raw.map(|raw| {
        raw.parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| ApiError::invalid(field, message_ko, message_en))
    })
    .transpose()
}

/// `?symbol=&side=&status=&sort=newest|oldest&cursor=&limit=`
pub fn list_query(params: &HashMap<String, String>) -> Result<ListQuery, ApiError> {
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    Ok(ListQuery {
        symbol: get("symbol").map(str::to_owned),
        side: get("side").map(side).transpose()?,
        status: get("status")
            .map(|status| match status {
                "open" => Ok(OrderStatus::Open),
                "filled" => Ok(OrderStatus::Filled),
                "cancelled" => Ok(OrderStatus::Cancelled),
                _ => Err(ApiError::invalid(
                    "status",
                    "open, filled, cancelled 중 하나여야 합니다.",
                    "Must be open, filled or cancelled.",
                )),
            })
            .transpose()?,
        sort: match get("sort") {
            None | Some("newest") => SortOrder::Newest,
            Some("oldest") => SortOrder::Oldest,
            Some(_) => {
                return Err(ApiError::invalid(
                    "sort",
                    "newest 또는 oldest여야 합니다.",
                    "Must be newest or oldest.",
                ));
            }
        },
        cursor: get("cursor").map(str::to_owned),
        limit: whole_in(
            get("limit"),
            1..=i64::from(ListQuery::MAX_LIMIT),
            "limit",
            "1에서 500 사이의 정수여야 합니다.",
            "Must be a whole number from 1 to 500.",
        )?
        .map(|n| n as u32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: Result<PlaceOrderInput, ApiError>) -> &'static str {
        match result {
            Err(ApiError::Invalid(error)) => error.field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_limit_order_parses() {
        let input = place(
            br#"{"client_order_id":7,"symbol":"100010","side":"buy","kind":"limit","price":72000,"qty":3}"#,
        )
        .unwrap();
        assert_eq!(input.qty, 3);
        assert_eq!(input.price, Some(72_000));
        assert_eq!(input.tif, TimeInForce::Gtc);
    }

    #[test]
    fn each_bad_input_names_its_field() {
        let base =
            r#""client_order_id":1,"symbol":"100010","side":"buy","kind":"limit","price":72000"#;
        assert_eq!(
            field_of(place(format!("{{{base},\"qty\":1.5}}").as_bytes())),
            "qty"
        );
        assert_eq!(
            field_of(place(format!("{{{base},\"qty\":1e30}}").as_bytes())),
            "qty"
        );
        assert_eq!(
            field_of(place(
                format!("{{{base},\"qty\":99999999999999999999}}").as_bytes()
            )),
            "qty"
        );
        assert_eq!(
            field_of(place(format!("{{{base},\"qty\":\"5\"}}").as_bytes())),
            "qty"
        );
        assert_eq!(field_of(place(format!("{{{base}}}").as_bytes())), "qty");
        assert_eq!(
            field_of(place(
                br#"{"client_order_id":-1,"symbol":"1","side":"buy","kind":"market","qty":1}"#
            )),
            "client_order_id"
        );
        assert_eq!(
            field_of(place(
                br#"{"client_order_id":1,"symbol":"1","side":"hold","kind":"market","qty":1}"#
            )),
            "side"
        );
        assert_eq!(
            field_of(place(
                br#"{"client_order_id":1,"symbol":"1","side":"buy","kind":"market","qty":1,"tif":"day"}"#
            )),
            "tif"
        );
    }

    #[test]
    fn malformed_json_is_not_a_field_error() {
        assert!(matches!(place(b"{\"qty\":"), Err(ApiError::Malformed)));
        assert!(matches!(place(b"[1,2]"), Err(ApiError::Malformed)));
    }

    #[test]
    fn list_queries_check_every_parameter() {
        let params = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>()
        };
        let query = list_query(&params(&[
            ("side", "sell"),
            ("sort", "oldest"),
            ("limit", "20"),
        ]))
        .unwrap();
        assert_eq!(query.side, Some(OrderSide::Sell));
        assert_eq!(query.sort, SortOrder::Oldest);
        assert_eq!(query.limit, Some(20));
        for (name, value) in [
            ("limit", "0"),
            ("limit", "501"),
            ("status", "x"),
            ("sort", "up"),
        ] {
            match list_query(&params(&[(name, value)])) {
                Err(ApiError::Invalid(error)) => assert_eq!(error.field, name),
                other => panic!("{name}={value}: {other:?}"),
            }
        }
    }
}

/// Every parser of a route's body or query string (and the websocket's
/// frame decoding), fed what an attacker could send: any bytes, and JSON objects whose fields have any type and
/// any value. None may panic. `PROPTEST_CASES` sets how many cases
/// (`scripts/fuzz` runs 1,000,000; the test suite proptest's default).
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const FIELDS: [&str; 9] = [
        "client_order_id",
        "symbol",
        "side",
        "kind",
        "price",
        "qty",
        "tif",
        "order_id",
        "limit",
    ];

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::String),
            prop::sample::select(vec![
                "buy", "sell", "limit", "market", "ioc", "gtc", "100010"
            ])
            .prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    /// A body: raw bytes, or an object of known and unknown fields.
    fn body() -> impl Strategy<Value = Vec<u8>> {
        let object = prop::collection::btree_map(
            prop_oneof![
                prop::sample::select(FIELDS.to_vec()).prop_map(str::to_owned),
                "[a-z_]{1,10}"
            ],
            json_value(),
            0..8,
        )
        .prop_map(|map| serde_json::to_vec(&map).unwrap_or_default());
        prop_oneof![prop::collection::vec(any::<u8>(), 0..64), object]
    }

    fn params() -> impl Strategy<Value = HashMap<String, String>> {
        let names = vec![
            "symbol", "side", "status", "sort", "cursor", "limit", "account",
        ];
        prop::collection::hash_map(
            prop_oneof![
                prop::sample::select(names).prop_map(str::to_owned),
                "\\PC{0,6}"
            ],
            prop_oneof!["\\PC{0,12}", any::<i64>().prop_map(|n| n.to_string())],
            0..6,
        )
    }

    proptest! {
        #[test]
        fn no_body_or_query_makes_a_parser_panic(
            body in body(),
            order_id in any::<u64>(),
            params in params(),
            query in "\\PC{0,40}",
        ) {
            let _ = place(&body);
            let _ = amend(order_id, &body);
            let _ = list_query(&params);
            // A websocket frame, read as the socket reads it.
            let _ = serde_json::from_slice::<app::realtime::ClientFrame>(&body);
            if let Ok(uri) = format!("/api/v1/orders?{query}").parse::<axum::http::Uri>() {
                let _ = super::super::caller::account_param(&uri);
            }
        }
    }
}
