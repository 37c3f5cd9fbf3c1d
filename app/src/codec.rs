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
}
