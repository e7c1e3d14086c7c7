//! `multipart/form-data` bodies: file parts and fields, encoded in memory.

use std::fmt;

/// A file part: its bytes, and optionally the file name and content type sent with it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilePart {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// The file name (`filename=` of the part); the field's name when `None`.
    pub filename: Option<String>,
    /// The part's Content-Type; the document's `encoding`, else `application/octet-stream`.
    pub content_type: Option<String>,
}

impl FilePart {
    /// A file part with these bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FilePart {
            bytes: bytes.into(),
            filename: None,
            content_type: None,
        }
    }

    /// Sets the file name sent with the part.
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// Sets the part's Content-Type.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(bytes: Vec<u8>) -> Self {
        FilePart::new(bytes)
    }
}

impl From<&[u8]> for FilePart {
    fn from(bytes: &[u8]) -> Self {
        FilePart::new(bytes)
    }
}

#[derive(Debug, Clone)]
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

/// The parts of a multipart body, in the order they are added. Text parts carry a value's
/// `Display`, JSON parts a serialised value (`application/json`), file parts bytes.
#[derive(Debug, Clone, Default)]
pub struct Multipart {
    parts: Vec<Part>,
    content_types: Vec<(String, String)>,
    error: Option<String>,
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// A form whose parts of the named fields default to these content types (the document's
    /// `encoding`).
    pub fn with_content_types(content_types: &[(&str, &str)]) -> Self {
        Multipart {
            content_types: content_types
                .iter()
                .map(|(name, ct)| ((*name).to_owned(), (*ct).to_owned()))
                .collect(),
            ..Self::default()
        }
    }

    fn declared(&self, name: &str) -> Option<String> {
        self.content_types
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, ct)| ct.clone())
    }

    /// Adds a text part.
    pub fn text(&mut self, name: &str, value: impl fmt::Display) -> &mut Self {
        let content_type = self.declared(name);
        self.parts.push(Part {
            name: name.to_owned(),
            filename: None,
            content_type,
            bytes: value.to_string().into_bytes(),
        });
        self
    }

    /// Adds a JSON part (`application/json` unless the document says otherwise).
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) -> &mut Self {
        match serde_json::to_vec(value) {
            Ok(bytes) => {
                let content_type = self
                    .declared(name)
                    .or_else(|| Some("application/json".to_owned()));
                self.parts.push(Part {
                    name: name.to_owned(),
                    filename: None,
                    content_type,
                    bytes,
                });
            }
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(format!("could not serialise the part {name:?}: {e}"));
                }
            }
        }
        self
    }

    /// Adds a file part.
    pub fn file(&mut self, name: &str, file: &FilePart) -> &mut Self {
        let content_type = file
            .content_type
            .clone()
            .or_else(|| self.declared(name))
            .or_else(|| Some("application/octet-stream".to_owned()));
        self.parts.push(Part {
            name: name.to_owned(),
            filename: Some(file.filename.clone().unwrap_or_else(|| name.to_owned())),
            content_type,
            bytes: file.bytes.clone(),
        });
        self
    }

    /// The body and its Content-Type (with the boundary), or why it cannot be sent.
    pub fn encode(&self) -> Result<(Vec<u8>, String), String> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let mut boundary = format!("tka-{}", uuid::Uuid::new_v4().simple());
        while self
            .parts
            .iter()
            .any(|p| contains(&p.bytes, boundary.as_bytes()))
        {
            boundary = format!("tka-{}", uuid::Uuid::new_v4().simple());
        }
        let mut body = Vec::new();
        for part in &self.parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let mut disposition = format!(
                "Content-Disposition: form-data; name=\"{}\"",
                quoted(&part.name)
            );
            if let Some(filename) = &part.filename {
                disposition.push_str(&format!("; filename=\"{}\"", quoted(filename)));
            }
            body.extend_from_slice(disposition.as_bytes());
            body.extend_from_slice(b"\r\n");
            if let Some(content_type) = &part.content_type {
                body.extend_from_slice(
                    format!("Content-Type: {}\r\n", single_line(content_type)).as_bytes(),
                );
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(&part.bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Ok((body, format!("multipart/form-data; boundary={boundary}")))
    }
}

/// A name inside a quoted header parameter: quotes and line breaks percent-encoded (as browsers do).
fn quoted(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn single_line(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_text_json_and_file_parts() {
        let mut form = Multipart::with_content_types(&[("photo", "image/png")]);
        form.text("name", "Rex")
            .json("tags", &["a", "b"])
            .file("photo", &FilePart::new(vec![1u8, 2, 3]).filename("rex.png"));
        let (body, content_type) = form.encode().unwrap();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("Content-Disposition: form-data; name=\"name\"\r\n\r\nRex\r\n"));
        assert!(text
            .contains("name=\"tags\"\r\nContent-Type: application/json\r\n\r\n[\"a\",\"b\"]\r\n"));
        assert!(text
            .contains("name=\"photo\"; filename=\"rex.png\"\r\nContent-Type: image/png\r\n\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }

    #[test]
    fn quotes_names() {
        let mut form = Multipart::new();
        form.text("a\"b\r\n", 1);
        let (body, _) = form.encode().unwrap();
        assert!(String::from_utf8_lossy(&body).contains("name=\"a%22b%0D%0A\""));
    }
}
