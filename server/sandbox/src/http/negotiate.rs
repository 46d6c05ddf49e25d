//! Content negotiation: which rendering (`Plain`, PartialObjectMetadata, `Table`) an
//! `Accept` header and `includeObject` ask for.

use http::{header, HeaderMap};

/// How a response should be rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableMode {
    /// The plain object or list.
    Plain,
    /// `meta.k8s.io/v1` PartialObjectMetadata (a list: PartialObjectMetadataList): the
    /// object's metadata only, as kube-rs and client-go metadata clients ask for.
    Metadata,
    /// A Table of the given `meta.k8s.io` version, with rows carrying the object as asked.
    Table {
        version: &'static str,
        include: Include,
    },
}

/// `includeObject`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Include {
    None,
    Metadata,
    Object,
}

impl TableMode {
    /// Picks the first acceptable rendering from `Accept` and `includeObject`.
    pub fn negotiate(headers: &HeaderMap, include_object: Option<&str>) -> TableMode {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let include = match include_object {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        };
        for entry in accept.split(',') {
            let mut parts = entry.split(';').map(str::trim);
            let media = parts.next().unwrap_or("");
            let params: Vec<&str> = parts.collect();
            let is_table = params.contains(&"as=Table") && params.contains(&"g=meta.k8s.io");
            let is_metadata = (params.contains(&"as=PartialObjectMetadata")
                || params.contains(&"as=PartialObjectMetadataList"))
                && params.contains(&"g=meta.k8s.io")
                && params.contains(&"v=v1");
            if media == "application/json" && is_metadata {
                return TableMode::Metadata;
            }
            if media == "application/json" && is_table {
                if params.contains(&"v=v1") {
                    return TableMode::Table {
                        version: "meta.k8s.io/v1",
                        include,
                    };
                }
                if params.contains(&"v=v1beta1") {
                    return TableMode::Table {
                        version: "meta.k8s.io/v1beta1",
                        include,
                    };
                }
            } else if !params.iter().any(|p| p.starts_with("as=")) {
                return TableMode::Plain;
            }
        }
        TableMode::Plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn negotiation() {
        let mut headers = HeaderMap::new();
        assert_eq!(TableMode::negotiate(&headers, None), TableMode::Plain);
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"),
        );
        assert_eq!(
            TableMode::negotiate(&headers, None),
            TableMode::Table {
                version: "meta.k8s.io/v1",
                include: Include::Metadata
            }
        );
        for accept in [
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
        ] {
            headers.insert(header::ACCEPT, HeaderValue::from_static(accept));
            assert_eq!(TableMode::negotiate(&headers, None), TableMode::Metadata);
        }
    }
}
