//! The share-link codec: a whole portfolio, as typed, in a few thousand URL-safe characters.
//!
//! `encode` writes the portfolio's compact JSON, compresses it with DEFLATE (RFC 1951, level 9)
//! and writes the bytes in base64url without padding (RFC 4648, section 5), behind a version
//! prefix: `v1.` followed by the payload. The app puts it in the URL fragment
//! (`#/calculator&p=v1.…`): browsers never send the fragment to a server (RFC 3986, section 3.5).
//!
//! `decode` reverses each step, refuses anything malformed with a message, never panics, and
//! migrates older portfolio versions ([`crate::portfolio::schema`]): `decode(&encode(p)) == Ok(p)`.
//!
//! ```
//! use chokepoint::portfolio::RawPortfolio;
//! use chokepoint::portfolio::share::{decode, encode};
//! let portfolio = RawPortfolio::from_json(r#"{"schema_version": 1, "name": "Demo", "lines": []}"#).unwrap();
//! let link = encode(&portfolio);
//! assert!(link.starts_with("v1."));
//! assert_eq!(decode(&link).unwrap(), portfolio);
//! assert!(decode("v1.%%%").is_err());
//! ```

use crate::portfolio::schema::{DocumentError, import_json};
use crate::portfolio::{RawNumber, RawPortfolio, SCHEMA_VERSION};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::fmt;

/// The prefix of the current link format.
pub const PREFIX: &str = "v1.";

/// The longest payload (prefix included) the app puts in a link, in characters. RFC 9110,
/// section 4.1, recommends that software support URIs of at least 8,000 octets; links are pasted
/// into e-mail and chat tools that follow it, so a link (page address included) should stay under
/// that. 7,000 leaves 1,000 characters for the page's own address.
pub const MAX_LINK_PAYLOAD: usize = 7_000;

/// The longest payload `decode` reads at all (a hand-made link may be longer than the app
/// writes; anything beyond this is refused before any work).
pub const MAX_DECODE_PAYLOAD: usize = 1 << 20;

/// The most JSON a link may inflate to, in bytes (refused beyond: a guard against a small link
/// that inflates to gigabytes).
pub const MAX_INFLATED: usize = 4 << 20;

/// DEFLATE level: 9 is the smallest output (RFC 1951 does not define levels; this is
/// miniz_oxide's scale, 0 to 10).
const LEVEL: u8 = 9;

/// Why a link could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum ShareError {
    /// No `v1.` prefix: another format, or not a share link.
    UnknownFormat(String),
    /// Longer than [`MAX_DECODE_PAYLOAD`].
    TooLong(usize),
    /// Not base64url text (part of the link is missing or altered).
    NotBase64,
    /// The bytes do not inflate (the link is truncated or altered).
    NotDeflate,
    /// The data inflates beyond [`MAX_INFLATED`].
    TooLarge,
    /// The inflated bytes are not UTF-8 text.
    NotText,
    /// The text is not a portfolio this version reads.
    Portfolio(DocumentError),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::UnknownFormat(start) => write!(
                f,
                "this link's portfolio is in a format this version does not read (it starts \
                 `{start}`; links written by this version start `{PREFIX}`)"
            ),
            ShareError::TooLong(n) => write!(
                f,
                "this link's portfolio is {n} characters long, more than the {MAX_DECODE_PAYLOAD} \
                 read"
            ),
            ShareError::NotBase64 | ShareError::NotDeflate => f.write_str(
                "this link's portfolio is damaged: part of the link is missing or altered (copy \
                 the whole link again)",
            ),
            ShareError::TooLarge => write!(
                f,
                "this link's portfolio unpacks to more than {} MB; it is not read",
                MAX_INFLATED >> 20
            ),
            ShareError::NotText => f.write_str("this link's portfolio is damaged: not text"),
            ShareError::Portfolio(error) => write!(f, "this link's portfolio: {error}"),
        }
    }
}

impl std::error::Error for ShareError {}

/// The link payload of `portfolio`: `v1.` and the base64url of its compressed compact JSON. The
/// portfolio is written with the current `schema_version` (see [`stamped`]).
pub fn encode(portfolio: &RawPortfolio) -> String {
    // Serialising these types cannot fail: every map key is a string.
    let json = serde_json::to_vec(&stamped(portfolio)).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(&json, LEVEL);
    let mut out = String::with_capacity(PREFIX.len() + packed.len() * 4 / 3 + 4);
    out.push_str(PREFIX);
    URL_SAFE_NO_PAD.encode_string(&packed, &mut out);
    out
}

/// `portfolio` with `schema_version` set to the version this code writes: what every link, file
/// and stored entry carries, and what reading them gives back.
pub fn stamped(portfolio: &RawPortfolio) -> RawPortfolio {
    RawPortfolio {
        schema_version: Some(RawNumber::Number(f64::from(SCHEMA_VERSION))),
        ..portfolio.clone()
    }
}

/// Whether a payload fits in a link ([`MAX_LINK_PAYLOAD`]).
pub fn fits_in_link(payload: &str) -> bool {
    payload.len() <= MAX_LINK_PAYLOAD
}

/// Reads a link payload written by [`encode`] (of this or an older portfolio version).
pub fn decode(payload: &str) -> Result<RawPortfolio, ShareError> {
    let payload = payload.trim();
    if payload.len() > MAX_DECODE_PAYLOAD {
        return Err(ShareError::TooLong(payload.len()));
    }
    let Some(body) = payload.strip_prefix(PREFIX) else {
        let start: String = payload.chars().take(8).collect();
        return Err(ShareError::UnknownFormat(start));
    };
    let packed = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| ShareError::NotBase64)?;
    let json =
        miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED).map_err(|e| {
            match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ShareError::TooLarge,
                _ => ShareError::NotDeflate,
            }
        })?;
    let text = String::from_utf8(json).map_err(|_| ShareError::NotText)?;
    import_json(&text).map_err(ShareError::Portfolio)
}

/// The share-link payload in a location hash (`#/calculator&p=v1.…`), if there is one.
///
/// ```
/// use chokepoint::portfolio::share::payload_in_hash;
/// assert_eq!(payload_in_hash("#/calculator&p=v1.abc"), Some("v1.abc"));
/// assert_eq!(payload_in_hash("#/sources"), None);
/// ```
pub fn payload_in_hash(hash: &str) -> Option<&str> {
    hash.split('&')
        .skip(1)
        .find_map(|part| part.strip_prefix("p="))
        .filter(|p| !p.is_empty())
}

/// The location hash of a link to `page_hash` (for example `#/calculator`) carrying `payload`.
pub fn hash_with_payload(page_hash: &str, payload: &str) -> String {
    format!("{page_hash}&p={payload}")
}
