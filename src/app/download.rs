//! Downloads made in the browser ([`crate::app::browser::download`]: a Blob, an object URL and a
//! temporary `<a download>`; nothing is sent anywhere), their errors and file names.

pub use crate::app::browser::DownloadError;

/// Offers `bytes` as a file named `name` of media type `mime` ([`crate::app::browser::download`]).
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), DownloadError> {
    crate::app::browser::download(name, mime, bytes)
}

/// A file name from a portfolio name: lower-case letters, digits and dashes, at most 60
/// characters; `fallback` when nothing is left.
pub fn file_stem(name: Option<&str>, fallback: &str) -> String {
    let mut stem = String::new();
    for c in name.unwrap_or_default().chars() {
        if c.is_alphanumeric() {
            stem.extend(c.to_lowercase());
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
        if stem.chars().count() >= 60 {
            break;
        }
    }
    let stem = stem.trim_matches('-').to_string();
    if stem.is_empty() {
        fallback.to_string()
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stems() {
        assert_eq!(
            file_stem(Some("Demo: EV and traction-motor maker"), "x"),
            "demo-ev-and-traction-motor-maker"
        );
        assert_eq!(file_stem(Some("  ::  "), "portfolio"), "portfolio");
        assert_eq!(file_stem(None, "portfolio"), "portfolio");
    }
}
