//! Embed mode: the configuration a host page passes in the fragment (`#/embed?accent=…&…`), the
//! messages the widget posts to its parent, and the summary it may share. Pure (no browser
//! calls), so every rule is tested natively; the component in `components/embed.rs` applies it.
//!
//! Each parameter is validated on its own: an invalid value is dropped with a warning (shown on
//! the browser console) and the widget keeps its default for it, so a typo never breaks the
//! widget. The options and the message protocol are documented in `EMBEDDING.md`.

use crate::analysis::assess::Assessment;
use serde::Serialize;

/// The hash prefix of embed mode.
pub const EMBED_HASH: &str = "#/embed";

/// The name every message of the protocol carries in its `protocol` field.
pub const PROTOCOL: &str = "chokepoint-embed";

/// The version of the message protocol; raised on any incompatible change. Version 2: the
/// summary no longer carries quantities (`spend`, `spend_unit`, `spend_exposed`).
pub const PROTOCOL_VERSION: u32 = 2;

/// Longest call-to-action label accepted, in characters.
pub const MAX_LABEL_CHARS: usize = 60;

/// Longest font list accepted, in characters.
pub const MAX_FONT_CHARS: usize = 120;

/// Longest URL accepted (logo, call to action), in characters.
pub const MAX_URL_CHARS: usize = 2000;

/// The most parameters read from the hash: the widget knows 13, each read once; a hash with more
/// (a hostile or broken embed code with thousands of them) is read up to this many and the rest
/// are ignored with one warning, so that the console is not flooded and the widget opens at once.
/// The widget's portfolio itself never comes from the hash: it is built from the template
/// catalogue, within [`crate::portfolio::limits`].
pub const MAX_PARAMETERS: usize = 32;

/// Whether a location hash opens embed mode (`#/embed`, `#/embed?…`).
pub fn is_embed(hash: &str) -> bool {
    hash.strip_prefix(EMBED_HASH)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['?', '&', '/']))
}

/// Light or dark colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Follow the visitor's system setting.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// A call-to-action link the host adds under the results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallToAction {
    /// The link text.
    pub label: String,
    /// Where it leads (an `https:` URL).
    pub href: String,
}

/// The validated embed configuration. Every field is optional and has a safe default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbedConfig {
    /// Accent colour, `#rgb` or `#rrggbb`.
    pub accent: Option<String>,
    /// Background colour, `#rgb` or `#rrggbb`.
    pub background: Option<String>,
    /// Font family list, for example `"Source Sans 3", Arial, sans-serif`.
    pub font: Option<String>,
    /// Light, dark or the visitor's setting.
    pub theme: Theme,
    /// Logo image URL (`https:`); `None` for no logo.
    pub logo: Option<String>,
    /// Text alternative of the logo (the host's name).
    pub logo_alt: Option<String>,
    /// Template picked when the widget opens (an id of the template catalogue).
    pub template: Option<String>,
    /// The host's call to action.
    pub cta: Option<CallToAction>,
    /// Whether to show the "open the full calculator" link.
    pub full_link: bool,
    /// The parent page's origin (`https://host.example`): the only origin messages are posted
    /// to. Without it the widget posts nothing.
    pub origin: Option<String>,
    /// The host's id for this widget, echoed in every message so one page can hold several.
    pub id: Option<String>,
}

impl Default for EmbedConfig {
    fn default() -> EmbedConfig {
        EmbedConfig {
            accent: None,
            background: None,
            font: None,
            theme: Theme::Auto,
            logo: None,
            logo_alt: None,
            template: None,
            cta: None,
            full_link: true,
            origin: None,
            id: None,
        }
    }
}

impl EmbedConfig {
    /// The host name of [`EmbedConfig::origin`] (`host.example`), for the share button's label.
    pub fn host_name(&self) -> Option<&str> {
        let origin = self.origin.as_deref()?;
        let rest = origin.split_once("://")?.1;
        Some(rest)
    }
}

/// A parameter that was ignored, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The parameter's name as given.
    pub parameter: String,
    /// What was wrong with it.
    pub message: Problem,
}

/// What is wrong with an embed parameter; each says what is accepted instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// More parameters than [`MAX_PARAMETERS`] (how many were given).
    TooMany(usize),
    /// A parameter the widget does not know.
    Unknown,
    /// Not a template id of this calculator.
    NotATemplate,
    /// Not `#rgb` or `#rrggbb` (the value).
    Colour(String),
    /// A font list of the wrong length.
    FontLength,
    /// A font list with other characters.
    FontCharacters,
    /// Not light, dark or auto (the value).
    Theme(String),
    /// Not show or hide (the value).
    Flag(String),
    /// A label of the wrong length.
    LabelLength,
    /// A label with control characters.
    LabelControl,
    /// Not an `https:` URL (the value).
    Url(String),
    /// Not an origin (the value).
    Origin(String),
    /// Not an id.
    Id,
    /// Only one of `cta_label` and `cta_href`.
    HalfCallToAction,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::TooMany(given) => write!(
                f,
                "{given} parameters, over the limit of {MAX_PARAMETERS}: only the first \
                 {MAX_PARAMETERS} are read"
            ),
            Problem::Unknown => f.write_str("unknown parameter"),
            Problem::NotATemplate => f.write_str("not a template id of this calculator"),
            Problem::Colour(value) => {
                write!(f, "`{value}` is not a colour in the form #rgb or #rrggbb")
            }
            Problem::FontLength => {
                write!(f, "a font list must have 1 to {MAX_FONT_CHARS} characters")
            }
            Problem::FontCharacters => f.write_str(
                "a font list may hold letters, digits, spaces, commas, hyphens and quotes only",
            ),
            Problem::Theme(value) => write!(f, "`{value}` is not light, dark or auto"),
            Problem::Flag(value) => write!(f, "`{value}` is not show or hide"),
            Problem::LabelLength => {
                write!(f, "a label must have 1 to {MAX_LABEL_CHARS} characters")
            }
            Problem::LabelControl => f.write_str("a label may not hold control characters"),
            Problem::Url(value) => write!(
                f,
                "`{value}` is not an https: URL (http: is accepted on localhost only)"
            ),
            Problem::Origin(value) => {
                write!(f, "`{value}` is not an origin such as https://host.example")
            }
            Problem::Id => f.write_str("an id has 1 to 64 letters, digits, hyphens or underscores"),
            Problem::HalfCallToAction => f.write_str(
                "the call to action needs both a valid `cta_label` and a valid `cta_href`",
            ),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Chokepoint embed: parameter `{}` ignored: {}",
            self.parameter, self.message
        )
    }
}

/// Decodes `%XX` escapes and `+` (as a space) of a URL query value. Malformed escapes are kept
/// as typed; invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                // Two hex digits make at most 255.
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses the embed configuration from a location hash (`#/embed?accent=%23aa3300&theme=dark`).
/// `templates` lists the template ids the widget knows. Returns the configuration and a warning
/// for each parameter ignored; the last of repeated parameters wins.
pub fn parse(hash: &str, templates: &[&str]) -> (EmbedConfig, Vec<Warning>) {
    let mut config = EmbedConfig::default();
    let mut warnings = Vec::new();
    let query = hash
        .split_once(['?', '&'])
        .map(|(_, query)| query)
        .unwrap_or("");
    let mut cta_label = None;
    let mut cta_href = None;
    let given = query.split('&').filter(|p| !p.is_empty()).count();
    if given > MAX_PARAMETERS {
        warnings.push(Warning {
            parameter: "(all)".into(),
            message: Problem::TooMany(given),
        });
    }
    for pair in query
        .split('&')
        .filter(|p| !p.is_empty())
        .take(MAX_PARAMETERS)
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(name);
        let value = percent_decode(value);
        let value = value.trim();
        let result = match name.as_str() {
            "accent" => colour(value).map(|c| config.accent = Some(c)),
            "background" | "bg" => colour(value).map(|c| config.background = Some(c)),
            "font" => font(value).map(|f| config.font = Some(f)),
            "theme" => theme(value).map(|t| config.theme = t),
            "logo" if value.eq_ignore_ascii_case("none") => {
                config.logo = None;
                Ok(())
            }
            "logo" => url(value).map(|u| config.logo = Some(u)),
            "logo_alt" => label(value).map(|l| config.logo_alt = Some(l)),
            "template" if templates.contains(&value) => {
                config.template = Some(value.to_string());
                Ok(())
            }
            "template" => Err(Problem::NotATemplate),
            "cta_label" => label(value).map(|l| cta_label = Some(l)),
            "cta_href" => url(value).map(|u| cta_href = Some(u)),
            "full_link" => flag(value).map(|f| config.full_link = f),
            "origin" => origin(value).map(|o| config.origin = Some(o)),
            "id" => widget_id(value).map(|i| config.id = Some(i)),
            _ => Err(Problem::Unknown),
        };
        if let Err(message) = result {
            warnings.push(Warning {
                parameter: name,
                message,
            });
        }
    }
    match (cta_label, cta_href) {
        (Some(label), Some(href)) => config.cta = Some(CallToAction { label, href }),
        (None, None) => {}
        (label, _) => warnings.push(Warning {
            parameter: if label.is_some() {
                "cta_label"
            } else {
                "cta_href"
            }
            .into(),
            message: Problem::HalfCallToAction,
        }),
    }
    (config, warnings)
}

/// `#rgb` or `#rrggbb`, lower-cased.
fn colour(value: &str) -> Result<String, Problem> {
    let digits = value.strip_prefix('#').unwrap_or("");
    if matches!(digits.len(), 3 | 6) && digits.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(Problem::Colour(value.to_string()))
    }
}

/// A font family list: letters, digits, spaces, commas, hyphens and quotes only.
fn font(value: &str) -> Result<String, Problem> {
    let allowed = |c: char| c.is_alphanumeric() || " ,-_'\"".contains(c);
    if value.is_empty() || value.chars().count() > MAX_FONT_CHARS {
        Err(Problem::FontLength)
    } else if !value.chars().all(allowed) {
        Err(Problem::FontCharacters)
    } else {
        Ok(value.to_string())
    }
}

fn theme(value: &str) -> Result<Theme, Problem> {
    match value.to_ascii_lowercase().as_str() {
        "auto" => Ok(Theme::Auto),
        "light" => Ok(Theme::Light),
        "dark" => Ok(Theme::Dark),
        _ => Err(Problem::Theme(value.to_string())),
    }
}

fn flag(value: &str) -> Result<bool, Problem> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "show" => Ok(true),
        "0" | "false" | "no" | "hide" => Ok(false),
        _ => Err(Problem::Flag(value.to_string())),
    }
}

/// Short text without control characters.
fn label(value: &str) -> Result<String, Problem> {
    if value.is_empty() || value.chars().count() > MAX_LABEL_CHARS {
        Err(Problem::LabelLength)
    } else if value.chars().any(char::is_control) {
        Err(Problem::LabelControl)
    } else {
        Ok(value.to_string())
    }
}

/// Whether `host` (with an optional port) is the local machine, where plain `http:` is allowed
/// for testing.
fn is_local(host_and_port: &str) -> bool {
    let host = host_and_port
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host_and_port, |(host, _)| host);
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// Splits `scheme://authority…` when the scheme is `https`, or `http` on the local machine.
fn web_url(value: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_ok = !authority.is_empty()
        && !authority.contains('@')
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    let scheme_ok = scheme.eq_ignore_ascii_case("https")
        || (scheme.eq_ignore_ascii_case("http") && is_local(authority));
    (host_ok && scheme_ok).then_some((scheme, authority))
}

/// An absolute `https:` URL (plain `http:` only on localhost) without spaces or quotes.
fn url(value: &str) -> Result<String, Problem> {
    let clean = value.len() <= MAX_URL_CHARS
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\`".contains(c));
    match web_url(value) {
        Some(_) if clean => Ok(value.to_string()),
        _ => Err(Problem::Url(value.to_string())),
    }
}

/// A serialised origin: `https://host[:port]`, nothing after the authority.
fn origin(value: &str) -> Result<String, Problem> {
    match web_url(value) {
        Some((scheme, authority)) if value.len() == scheme.len() + 3 + authority.len() => {
            Ok(value.to_ascii_lowercase())
        }
        _ => Err(Problem::Origin(value.to_string())),
    }
}

fn widget_id(value: &str) -> Result<String, Problem> {
    let ok = (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(value.to_string())
    } else {
        Err(Problem::Id)
    }
}

/// The text colour (`#000000` or `#ffffff`) with the higher contrast on `background`, a colour
/// [`parse`] accepted (`#rgb` or `#rrggbb`; anything else gives white). Uses the relative
/// luminance and contrast ratio of WCAG 2.1 (W3C, 2018, definitions "relative luminance" and
/// "contrast ratio").
pub fn text_on(background: &str) -> &'static str {
    let digits = background.trim_start_matches('#');
    let channel = |i: usize| -> Option<f64> {
        let (start, len) = if digits.len() == 3 {
            (i, 1)
        } else {
            (2 * i, 2)
        };
        let hex = digits.get(start..start + len)?;
        let value = u8::from_str_radix(hex, 16).ok()?;
        let value = if len == 1 { value * 17 } else { value };
        let c = f64::from(value) / 255.0;
        Some(if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    let (Some(r), Some(g), Some(b)) = (channel(0), channel(1), channel(2)) else {
        return "#ffffff";
    };
    let luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    // Contrast with white: 1.05 / (L + 0.05); with black: (L + 0.05) / 0.05.
    if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 {
        "#ffffff"
    } else {
        "#000000"
    }
}

/// The largest chokepoint, as shared with the host.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryChokepoint {
    /// Material id.
    pub material: String,
    /// Stage (`mining`, `refining`, …).
    pub stage: String,
    /// ISO 3166-1 alpha-3 code of the country.
    pub country: String,
    /// The country's share of the stage, 0-1, to 4 decimals (see [`Summary::of`]).
    pub share: f64,
}

/// What a visitor may choose to send to the host page: the product and the findings, none of
/// the quantities. The template's materials and their country shares are public data, so with
/// the template id any quantity sent (the total, the amount exposed) would give away the number
/// of units the visitor typed; the summary therefore carries only what does not depend on it,
/// and is the same for every number of units of a product (the share button says so).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The id of the template the results were computed for, if a template was used.
    pub template: Option<String>,
    /// Number of materials assessed.
    pub materials: usize,
    /// The largest chokepoint.
    pub top_chokepoint: Option<SummaryChokepoint>,
    /// Materials whose action is to qualify a second source.
    pub qualify_second_source: usize,
    /// Materials whose action is to hold buffer stock.
    pub hold_buffer_stock: usize,
    /// Materials to monitor.
    pub monitor: usize,
    /// Materials of low priority.
    pub low_priority: usize,
}

impl Summary {
    /// The summary of `assessment`, computed for `template`. The share is rounded to 4 decimals
    /// (0.01 percentage point): the assessment derives it from amounts, so its last bits vary
    /// with the quantity, and they would be a trace of it.
    pub fn of(assessment: &Assessment, template: Option<&str>) -> Summary {
        let actions = &assessment.totals.actions;
        Summary {
            template: template.map(str::to_string),
            materials: assessment.totals.materials,
            top_chokepoint: assessment.chokepoints.first().map(|c| SummaryChokepoint {
                material: c.material.clone(),
                stage: c.stage.id().to_string(),
                country: c.country.to_string(),
                share: (c.share * 1e4).round() / 1e4,
            }),
            qualify_second_source: actions.qualify_second_source,
            hold_buffer_stock: actions.hold_buffer_stock,
            monitor: actions.monitor,
            low_priority: actions.low_priority,
        }
    }
}

/// What a message carries.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Payload {
    /// The widget's content height in CSS pixels (sent on load and on every change).
    Resize {
        /// Height in CSS pixels, rounded up.
        height: u32,
    },
    /// The visitor's summary, sent only after the visitor clicked the share button.
    Summary {
        /// The headline numbers.
        summary: Summary,
    },
}

/// A message of the protocol, as posted to the parent window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Message {
    /// Always [`PROTOCOL`].
    pub protocol: &'static str,
    /// Always [`PROTOCOL_VERSION`].
    pub version: u32,
    /// The widget id given by the host, if any.
    pub id: Option<String>,
    /// The content.
    #[serde(flatten)]
    pub payload: Payload,
}

impl Message {
    /// A message of this protocol version for widget `id`.
    pub fn new(id: Option<&str>, payload: Payload) -> Message {
        Message {
            protocol: PROTOCOL,
            version: PROTOCOL_VERSION,
            id: id.map(str::to_string),
            payload,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATES: [&str; 2] = ["ev_car", "wind_onshore"];

    #[test]
    fn embed_hashes() {
        assert!(is_embed("#/embed"));
        assert!(is_embed("#/embed?theme=dark"));
        assert!(!is_embed("#/embedded"));
        assert!(!is_embed("#/calculator"));
        assert!(!is_embed(""));
    }

    #[test]
    fn every_option_parses() {
        let (c, w) = parse(
            "#/embed?accent=%23AA3300&background=%23fff&font=%22Source%20Sans%203%22%2C%20Arial\
             &theme=dark&logo=https%3A%2F%2Fcdn.example%2Flogo.svg&logo_alt=Acme&template=ev_car\
             &cta_label=Talk+to+us&cta_href=https%3A%2F%2Facme.example%2Fcontact&full_link=hide\
             &origin=https%3A%2F%2FAcme.example&id=w-1",
            &TEMPLATES,
        );
        assert_eq!(w, vec![]);
        assert_eq!(c.accent.as_deref(), Some("#aa3300"));
        assert_eq!(c.background.as_deref(), Some("#fff"));
        assert_eq!(c.font.as_deref(), Some("\"Source Sans 3\", Arial"));
        assert_eq!(c.theme, Theme::Dark);
        assert_eq!(c.logo.as_deref(), Some("https://cdn.example/logo.svg"));
        assert_eq!(c.logo_alt.as_deref(), Some("Acme"));
        assert_eq!(c.template.as_deref(), Some("ev_car"));
        assert_eq!(
            c.cta,
            Some(CallToAction {
                label: "Talk to us".into(),
                href: "https://acme.example/contact".into()
            })
        );
        assert!(!c.full_link);
        assert_eq!(c.origin.as_deref(), Some("https://acme.example"));
        assert_eq!(c.host_name(), Some("acme.example"));
        assert_eq!(c.id.as_deref(), Some("w-1"));
    }

    #[test]
    fn no_parameters_give_the_defaults() {
        assert_eq!(
            parse("#/embed", &TEMPLATES),
            (EmbedConfig::default(), vec![])
        );
        assert!(EmbedConfig::default().full_link);
    }

    #[test]
    fn invalid_values_are_ignored_with_a_warning_each() {
        let (c, w) = parse(
            "#/embed?accent=red&background=%23ggg&font=x%3By%7Bz&theme=neon\
             &logo=javascript%3Aalert(1)&template=rocket&full_link=maybe\
             &origin=https%3A%2F%2Fhost.example%2Fpath&id=a%20b&colour=%23000\
             &cta_href=http%3A%2F%2Fplain.example",
            &TEMPLATES,
        );
        assert_eq!(c, EmbedConfig::default());
        let names: Vec<&str> = w.iter().map(|w| w.parameter.as_str()).collect();
        assert_eq!(
            names,
            [
                "accent",
                "background",
                "font",
                "theme",
                "logo",
                "template",
                "full_link",
                "origin",
                "id",
                "colour",
                "cta_href"
            ]
        );
        assert!(w[0].to_string().contains("`accent` ignored"));
    }

    #[test]
    fn a_bad_value_keeps_the_good_ones() {
        let (c, w) = parse("#/embed?accent=%23123456&theme=neon", &TEMPLATES);
        assert_eq!(c.accent.as_deref(), Some("#123456"));
        assert_eq!(c.theme, Theme::Auto);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn parameters_past_the_limit_are_ignored_with_one_warning() {
        let hash = format!("#/embed?theme=dark{}", "&x=1".repeat(100_000));
        let (c, w) = parse(&hash, &TEMPLATES);
        assert_eq!(c.theme, Theme::Dark);
        // One warning for the count, one per unknown parameter read (31 of them), no more.
        assert_eq!(w.len(), 1 + MAX_PARAMETERS - 1);
        assert_eq!(w[0].message, Problem::TooMany(100_001), "{}", w[0]);
        assert!(w[0].message.to_string().contains("100001 parameters"));
        assert!(
            w[0].message
                .to_string()
                .contains(&MAX_PARAMETERS.to_string()),
            "{}",
            w[0]
        );
    }

    #[test]
    fn the_widget_portfolios_are_within_the_portfolio_limits() {
        let reference = crate::reference::embedded();
        for template in crate::reference::templates::templates() {
            let raw = crate::portfolio::templates::to_portfolio(template, 1e9, reference).portfolio;
            assert_eq!(
                crate::portfolio::limits::check_portfolio(&raw),
                Ok(()),
                "{}",
                template.id
            );
        }
    }

    #[test]
    fn call_to_action_needs_both_parts() {
        let (c, w) = parse("#/embed?cta_label=Contact", &TEMPLATES);
        assert_eq!(c.cta, None);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].parameter, "cta_label");
    }

    #[test]
    fn urls_and_origins() {
        assert!(url("https://a.example/x.png?v=1").is_ok());
        assert!(url("http://localhost:8080/logo.svg").is_ok());
        assert!(url("http://evil.example/").is_err());
        assert!(url("https://a.example/\"onerror=").is_err());
        assert!(url("https://user@a.example/").is_err());
        assert!(url("data:image/svg+xml,<svg>").is_err());
        assert!(origin("http://127.0.0.1:5000").is_ok());
        assert!(origin("https://a.example/").is_err());
        assert!(origin("https://").is_err());
        let (c, _) = parse(
            "#/embed?logo=https%3A%2F%2Fa.example%2Fl.png&logo=none",
            &[],
        );
        assert_eq!(c.logo, None);
    }

    #[test]
    fn text_colour_on_accent() {
        assert_eq!(text_on("#000"), "#ffffff");
        assert_eq!(text_on("#1b5e8a"), "#ffffff");
        assert_eq!(text_on("#ffdd00"), "#000000");
        assert_eq!(text_on("#FFF"), "#000000");
        assert_eq!(text_on("nonsense"), "#ffffff");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("%C3%A9"), "é");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%FF"), "\u{fffd}");
    }

    #[test]
    fn messages_are_namespaced_and_versioned() {
        let m = Message::new(Some("w1"), Payload::Resize { height: 420 });
        let json = serde_json::to_value(&m).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"protocol": PROTOCOL, "version": PROTOCOL_VERSION, "id": "w1", "type": "resize", "height": 420})
        );
    }

    /// The assessment of `units` a year of template `id`, as the widget computes it.
    fn template_assessment(id: &str, units: f64) -> Assessment {
        use crate::analysis::assess::{AssessParams, assess};
        use crate::portfolio::templates::to_portfolio;
        use crate::reference::templates::template;
        let reference = crate::reference::embedded();
        let Some(t) = template(id) else {
            panic!("{id} template missing");
        };
        let raw = to_portfolio(t, units, reference).portfolio;
        let valid = raw.validate(reference).unwrap_or_else(|e| panic!("{e:?}"));
        assess(&valid, reference, &AssessParams::default())
    }

    #[test]
    fn summary_has_headline_numbers_only() {
        let a = template_assessment("ev_car", 1000.0);
        let s = Summary::of(&a, Some("ev_car"));
        assert_eq!(s.materials, a.totals.materials);
        assert_eq!(
            s.qualify_second_source + s.hold_buffer_stock + s.monitor + s.low_priority,
            a.totals.actions.total()
        );
        let top = a.chokepoints.first().map(|c| c.share);
        let shared = s.top_chokepoint.as_ref().map(|c| c.share);
        assert!(
            matches!((shared, top), (Some(s), Some(t)) if (s - t).abs() <= 0.5e-4),
            "{shared:?} {top:?}"
        );
        let json = serde_json::to_string(&Message::new(None, Payload::Summary { summary: s }))
            .unwrap_or_default();
        assert!(json.contains("\"type\":\"summary\""));
        // No line of the portfolio travels: not its labels, not its sourcing.
        assert!(!json.contains("label") && !json.contains("lines") && !json.contains("sourcing"));
    }

    /// Regression (issue #16, defect 8): with the template id, the summary's total and amount
    /// exposed gave away the number of units the visitor typed.
    #[test]
    fn the_summary_does_not_reveal_the_units_typed() {
        for id in ["ev_car", "wind_onshore", "data_centre", "mri_scanner"] {
            let first = Summary::of(&template_assessment(id, 1.0), Some(id));
            for units in [3.0, 7.5, 1000.0, 123_457.0, 250_000.0, 1e9] {
                let other = Summary::of(&template_assessment(id, units), Some(id));
                assert_eq!(other, first, "{id}: the summary of {units} units differs");
            }
        }
        let summary = Summary::of(&template_assessment("ev_car", 1000.0), Some("ev_car"));
        let json = serde_json::to_value(&summary).unwrap_or_default();
        let keys = |value: &serde_json::Value| -> Vec<String> {
            value
                .as_object()
                .map(|o| {
                    let mut keys: Vec<String> = o.keys().cloned().collect();
                    keys.sort();
                    keys
                })
                .unwrap_or_default()
        };
        assert_eq!(
            keys(&json),
            [
                "hold_buffer_stock",
                "low_priority",
                "materials",
                "monitor",
                "qualify_second_source",
                "template",
                "top_chokepoint"
            ]
        );
        assert_eq!(
            keys(&json["top_chokepoint"]),
            ["country", "material", "share", "stage"]
        );
    }
}
