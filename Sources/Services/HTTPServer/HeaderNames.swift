import HTTPTypes

/// Header fields HTTPTypes has no name for.
extension HTTPField.Name {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    /// RFC 7240's request preferences (`respond-async`) and the answer saying which were applied.
    static let prefer = HTTPField.Name("Prefer")!
    static let preferenceApplied = HTTPField.Name("Preference-Applied")!
}
