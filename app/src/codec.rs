//! The server functions' response encoding: JSON, exactly as server_fn's
//! own `Json`, but decoded from text. Leptos hydrates every resource from
//! the page's JSON text (`serde_json::from_str`), while server_fn decodes a
//! response from bytes (`serde_json::from_slice`); serde_json compiles its
//! decoder once per reader, so each response type's decoder was in the wasm
//! twice. Decoding responses as text too leaves one copy (docs/PERFORMANCE.md);
//! `AppError`, the error every server function answers, is decoded the same
//! way. server_fn has no such encoding, hence these few lines.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{Serialize, de::DeserializeOwned};

/// JSON responses decoded from text; use as `#[server(output = JsonText)]`.
pub type JsonText = Post<JsonTextEncoding>;

pub struct JsonTextEncoding;

impl ContentType for JsonTextEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonTextEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

/// `Deserialize` for an enum that travels as one word (`"buy"`, `"1m"`),
/// given each word and its variant; `Serialize` stays derived, and a test
/// beside each use checks that both say the same words. serde's derive
/// also accepts variant indexes and map forms, none of which Gaemi sends,
/// and its visitor was about 1.2 KB of wasm per enum on every trading page
/// (docs/PERFORMANCE.md). An unknown word gets serde's own message.
#[macro_export]
macro_rules! deserialize_from_word {
    ($ty:ident { $($word:literal => $variant:ident),+ $(,)? }) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let word = <String as serde::Deserialize>::deserialize(deserializer)?;
                match word.as_str() {
                    $($word => Ok($ty::$variant),)+
                    _ => Err(serde::de::Error::unknown_variant(&word, &[$($word),+])),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_round_trip_and_bad_utf8_is_an_error_not_a_panic() {
        let bytes =
            <JsonTextEncoding as Encodes<Vec<String>>>::encode(&vec!["100010".into()]).unwrap();
        assert_eq!(&bytes[..], br#"["100010"]"#);
        let back: Vec<String> = JsonTextEncoding::decode(bytes).unwrap();
        assert_eq!(back, ["100010"]);
        let broken = Bytes::from_static(b"[\"\xff\"]");
        assert!(<JsonTextEncoding as Decodes<Vec<String>>>::decode(broken).is_err());
    }

    /// Every variant of every enum read with `deserialize_from_word!`.
    fn round_trips<T>(all: &[T])
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        for value in all {
            let word = serde_json::to_string(value).unwrap();
            assert_eq!(&serde_json::from_str::<T>(&word).unwrap(), value, "{word}");
        }
    }

    #[test]
    fn word_enums_read_back_the_words_they_write_and_refuse_others_by_name() {
        use crate::realtime::CandleInterval;
        use crate::trading::{OrderKind, OrderSide, OrderStatus, SortOrder, TimeInForce};
        round_trips(&[OrderSide::Buy, OrderSide::Sell]);
        round_trips(&[OrderKind::Limit, OrderKind::Market]);
        round_trips(&[TimeInForce::Gtc, TimeInForce::Ioc, TimeInForce::Fok]);
        round_trips(&[
            OrderStatus::Open,
            OrderStatus::Filled,
            OrderStatus::Cancelled,
        ]);
        round_trips(&[SortOrder::Newest, SortOrder::Oldest]);
        round_trips(&CandleInterval::ALL);
        let err = serde_json::from_str::<OrderSide>(r#""hold""#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown variant `hold`, expected `buy` or `sell`"
        );
        assert!(serde_json::from_str::<OrderSide>("1").is_err());
        assert!(
            serde_json::from_str::<CandleInterval>(r#""1M""#).is_err(),
            "words are exact"
        );
    }
}
