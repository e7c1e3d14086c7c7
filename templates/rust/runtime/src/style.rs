//! Parameter styles of path, header and cookie parameters (and non-exploded object query
//! parameters), as OpenAPI's style table writes them (RFC 6570): `simple` `3,4,5` or
//! `R,100,G,200` (exploded `R=100,G=200`), `label` `.3,4,5` (exploded `.3.4.5`), `matrix`
//! `;id=3,4,5` (exploded `;id=3;id=4`), `form` `id=3,4,5` (exploded `id=3&id=4`).

use serde::Serialize;
use serde_json::Value;

/// A parameter style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Path and header parameters.
    Simple,
    /// Path parameters: `.value`.
    Label,
    /// Path parameters: `;name=value`.
    Matrix,
    /// Query and cookie parameters: `name=value`.
    Form,
}

fn atom(value: &Value, encode: fn(&str) -> String) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(encode(s)),
        other => Some(encode(&other.to_string())),
    }
}

/// Writes `value` in `style` under `name`; names and values go through `encode`, exploded pairs
/// are joined with `pair_join`. `Ok(None)` for an absent value (`null`).
pub fn style_value<T: Serialize + ?Sized>(
    style: Style,
    name: &str,
    value: &T,
    explode: bool,
    encode: fn(&str) -> String,
    pair_join: &str,
) -> Result<Option<String>, String> {
    let value = serde_json::to_value(value).map_err(|e| format!("parameter {name:?}: {e}"))?;
    let key = encode(name);
    let text = match &value {
        Value::Null => return Ok(None),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().filter_map(|v| atom(v, encode)).collect();
            match (style, explode) {
                (Style::Simple, _) => items.join(","),
                (Style::Label, true) => format!(".{}", items.join(".")),
                (Style::Label, false) => format!(".{}", items.join(",")),
                (Style::Matrix, true) => items.iter().map(|i| format!(";{key}={i}")).collect(),
                (Style::Matrix, false) => format!(";{key}={}", items.join(",")),
                (Style::Form, true) => items
                    .iter()
                    .map(|i| format!("{key}={i}"))
                    .collect::<Vec<_>>()
                    .join(pair_join),
                (Style::Form, false) => format!("{key}={}", items.join(",")),
            }
        }
        Value::Object(members) => {
            let pairs: Vec<(String, String)> = members
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let text = match v {
                        Value::Array(items) => items
                            .iter()
                            .filter_map(|x| atom(x, encode))
                            .collect::<Vec<_>>()
                            .join(","),
                        other => atom(other, encode).unwrap_or_default(),
                    };
                    (encode(k), text)
                })
                .collect();
            let flat = pairs
                .iter()
                .map(|(k, v)| format!("{k},{v}"))
                .collect::<Vec<_>>()
                .join(",");
            let joined = |sep: &str, prefix: &str| {
                pairs
                    .iter()
                    .map(|(k, v)| format!("{prefix}{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(sep)
            };
            match (style, explode) {
                (Style::Simple, true) => joined(",", ""),
                (Style::Simple, false) => flat,
                (Style::Label, true) => format!(".{}", joined(".", "")),
                (Style::Label, false) => format!(".{flat}"),
                (Style::Matrix, true) => joined("", ";"),
                (Style::Matrix, false) => format!(";{key}={flat}"),
                (Style::Form, true) => joined(pair_join, ""),
                (Style::Form, false) => format!("{key}={flat}"),
            }
        }
        scalar => {
            let one = atom(scalar, encode).unwrap_or_default();
            match style {
                Style::Simple => one,
                Style::Label => format!(".{one}"),
                Style::Matrix => format!(";{key}={one}"),
                Style::Form => format!("{key}={one}"),
            }
        }
    };
    Ok(Some(text))
}

/// No encoding (header values are sent as they are).
pub fn verbatim(text: &str) -> String {
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(style: Style, explode: bool) -> [String; 3] {
        [
            json!("blue"),
            json!(["blue", "black", "brown"]),
            json!({"R": 100, "G": 200, "B": 150}),
        ]
        .map(|v| {
            style_value(style, "color", &v, explode, verbatim, "&")
                .unwrap()
                .unwrap()
        })
    }

    #[test]
    fn writes_the_openapi_style_table() {
        assert_eq!(
            table(Style::Simple, false),
            ["blue", "blue,black,brown", "B,150,G,200,R,100"]
        );
        assert_eq!(
            table(Style::Simple, true),
            ["blue", "blue,black,brown", "B=150,G=200,R=100"]
        );
        assert_eq!(
            table(Style::Label, true),
            [".blue", ".blue.black.brown", ".B=150.G=200.R=100"]
        );
        assert_eq!(
            table(Style::Matrix, true),
            [
                ";color=blue",
                ";color=blue;color=black;color=brown",
                ";B=150;G=200;R=100"
            ]
        );
        assert_eq!(
            table(Style::Form, false),
            [
                "color=blue",
                "color=blue,black,brown",
                "color=B,150,G,200,R,100"
            ]
        );
        assert_eq!(
            style_value(Style::Simple, "x", &json!(null), false, verbatim, "&"),
            Ok(None)
        );
    }
}
